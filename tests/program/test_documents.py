"""engine.program.documents and the vectorised print-file writer: the print order is
(document, section, order, then the order lines were added), whatever the shape of
the parts; the bytes are each line without its trailing spaces, then LF."""
import numpy as np
from hypothesis import given, settings, strategies as st

from engine.program.documents import Documents
from engine.program.printfile import edit, edit_one, line_sequential_in_order, trimmed_lengths


def _reference(parts):
    """What a record loop would print: lines sorted by (doc, section, order, added)."""
    rows = [(int(d), s, int(o), k, bytes(line).rstrip(b" "))
            for k, (lines, docs, s, orders) in enumerate(parts)
            for line, d, o in zip(lines, docs, orders if orders is not None else np.zeros(len(docs)))]
    rows = sorted(rows, key=lambda r: r[:4])             # stable: the added order breaks ties
    return b"".join(r[4] + b"\n" for r in rows)


_part = st.tuples(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 3), st.binary(max_size=12)), max_size=12),
    st.integers(0, 3), st.integers(0, 12), st.booleans())


@settings(deadline=None, max_examples=150)
@given(st.lists(_part, max_size=6), st.sampled_from([0, 10 ** 9]))
def test_documents_print_in_document_section_order(specs, doc_offset):
    doc, parts = Documents(12), []
    for rows, section, width, with_order in specs:
        lines = np.full((len(rows), width), 0x20, np.uint8)
        for i, (_, _, text) in enumerate(rows):
            text = text.replace(b"\n", b"_")[:width]
            lines[i, :len(text)] = np.frombuffer(text, np.uint8)
        docs = np.array([r[0] * (doc_offset or 1) for r in rows], np.int64)
        orders = np.array([r[1] for r in rows], np.int64) if with_order else None
        doc.add(lines, docs, section, orders)
        parts.append((lines, docs, section, orders))
    assert bytes(doc.line_sequential()) == _reference(parts)
    expected = _reference(parts).split(b"\n")[:-1]
    assert [bytes(r).rstrip(b" ") for r in doc.lines()] == expected


def test_fixed_lines_are_held_once_and_print_for_every_document():
    doc = Documents(20)
    doc.fixed([2, 1], 0, (3, b"TITLE"))
    doc.fixed([1, 2], 1)                                  # a blank line
    body = doc.text([2, 1], 2, (1, b"NO."), width=10)
    body[:, 5:7] = np.frombuffer(b"22" + b"11", np.uint8).reshape(2, 2)
    assert bytes(doc.line_sequential()) == b"  TITLE\n\nNO.  11\n  TITLE\n\nNO.  22\n"


@settings(deadline=None, max_examples=60)
@given(st.lists(st.binary(max_size=30), max_size=40), st.integers(1, 30), st.randoms())
def test_line_sequential_in_order_and_trimmed_lengths(texts, width, rnd):
    lines = np.full((len(texts), width), 0x20, np.uint8)
    for i, t in enumerate(texts):
        lines[i, :len(t[:width])] = np.frombuffer(t[:width], np.uint8)
    assert trimmed_lengths(lines).tolist() == [len(bytes(r).rstrip(b" ")) for r in lines]
    half = len(texts) // 2
    order = list(range(len(texts)))
    rnd.shuffle(order)
    got = line_sequential_in_order([lines[:half], lines[half:, :max(width - 3, 0)]], np.array(order, np.int64))
    stacked = [bytes(r).rstrip(b" ") for r in lines[:half]] + [bytes(r[:max(width - 3, 0)]).rstrip(b" ")
                                                              for r in lines[half:]]
    assert bytes(got) == b"".join(stacked[i] + b"\n" for i in order)


def test_edit_of_many_values_is_the_codec_value_by_value():
    """The all-at-once paths (Z/9 pictures, a table of a small range) against the
    numeric-edited codec on the boundaries of every digit count."""
    rng = np.random.default_rng(7)
    for picture in ("ZZZ,ZZZ,ZZZ,ZZ9", "ZZ,ZZZ,ZZZ,ZZ9", "Z,ZZZ,ZZ9.99", "ZZ,ZZ9.99", "99999999", "99",
                    "ZZZ9", "Z", "9", "ZZ9.9", "ZZZ.ZZ", ",ZZ9"):
        digits = sum(c in "Z9" for c in picture)
        edges = [0, 1, 9, 10, 99, 100, 999, 1000] + [10 ** k + d for k in range(digits + 2) for d in (-1, 0, 1)]
        values = np.concatenate([np.array(edges, np.int64), rng.integers(0, 10 ** digits, 5000)])
        for v in (values, values % 7):                     # many distinct values, and a small range
            got = edit(v, picture)
            assert [bytes(r).decode() for r in got] == [edit_one(x % 10 ** digits, picture) for x in v], picture
