"""Hypothesis: the statement parser against the statements it is given, however they are
laid out; the numeric formats against Python's own codecs and int arithmetic."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from engine.sort import formats
from engine.sort.statements import compile_statements

key_st = st.tuples(st.integers(1, 4000), st.integers(1, 16), st.sampled_from(["CH", "ZD", "PD", "BI", "FI"]),
                   st.sampled_from("AD"))


@st.composite
def laid_out(draw, operands: list[str], head: str):
    """`head` + operands joined by commas, split over lines after random commas."""
    lines, current = [], draw(st.sampled_from(["", "LABEL1"])) + " " * draw(st.integers(1, 5)) + head + " "
    for k, op in enumerate(operands):
        piece = op + ("," if k < len(operands) - 1 else "")
        if current.strip() and current[-1] == "," and (len(current) + len(piece) > 69 or draw(st.booleans())):
            lines.append(current + "   remark")
            current = " " * draw(st.integers(1, 15))
        current += piece
    lines.append(current)
    if draw(st.booleans()):
        lines.insert(0, "* a comment")
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.lists(key_st, min_size=1, max_size=8))
def test_sort_fields_parse_whatever_the_layout(data, keys):
    keys = [(p, min(m, 16 if f == "PD" else m), f, o) for p, m, f, o in keys]
    operands = [str(x) for key in keys for x in key]
    operands[0] = "FIELDS=(" + operands[0]
    operands[-1] += ")"
    text = data.draw(laid_out(operands, "SORT"))
    c = compile_statements(text)
    assert [(k.field.pos, k.field.length, k.field.fmt, "D" if k.descending else "A") for k in c.keys] == keys


@settings(max_examples=150, deadline=None)
@given(st.data(), st.lists(st.text(alphabet="AB '9,z", min_size=1, max_size=8), min_size=1, max_size=5))
def test_character_constants_round_trip(data, texts):
    conds = []
    for k, t in enumerate(texts):
        conds.append(f"{k + 1},1,CH,EQ,C'" + t.replace("'", "''") + "'")
    text = data.draw(laid_out([("COND=(" if k == 0 else "OR,") + c for k, c in enumerate(conds)], "INCLUDE"))
    text = text + ")"
    c = compile_statements("  OPTION COPY\n" + text)
    expr = c.cond.expr
    got = [expr.right.value] if len(texts) == 1 else [t.right.value for t in expr.terms]
    assert got == texts


def ebcdic_zoned(value: int, length: int, positive_zone: int) -> bytes:
    """Reference: digits through Python's cp037 codec, the sign in the last zone."""
    text = str(abs(value)).rjust(length, "0").encode("cp037")
    zone = 0xD if value < 0 else positive_zone
    return text[:-1] + bytes([(zone << 4) | (text[-1] & 0x0F)])


def packed(value: int, length: int, positive: str = "c") -> bytes:
    """Reference: packed decimal through hex text."""
    return bytes.fromhex(str(abs(value)).rjust(2 * length - 1, "0") + ("d" if value < 0 else positive))


values_st = st.lists(st.integers(-(10 ** 9) + 1, 10 ** 9 - 1), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(values_st, st.integers(9, 18), st.sampled_from([0xC, 0xF]))
def test_zd_ebcdic_encode_and_decode(values, length, zone):
    arr = np.array(values, np.int64)
    out = formats.encode(arr, "ZD", length, True, positive_sign=zone)
    assert [bytes(r) for r in out] == [ebcdic_zoned(v, length, zone) for v in values]
    decoded, bad = formats.field_values(out, "ZD", True)
    assert decoded.tolist() == values and not bad.any()


@settings(max_examples=200, deadline=None)
@given(values_st, st.integers(5, 9))
def test_pd_encode_and_decode(values, length):
    arr = np.array(values, np.int64)
    out = formats.encode(arr, "PD", length, False)
    assert [bytes(r) for r in out] == [packed(v, length) for v in values]
    decoded, bad = formats.field_values(out, "PD", False)
    assert decoded.tolist() == values and not bad.any()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(2 ** 31), 2 ** 31 - 1), min_size=1, max_size=30))
def test_fi_matches_int_to_bytes(values):
    out = formats.encode(np.array(values, np.int64), "FI", 4, True)
    assert [bytes(r) for r in out] == [v.to_bytes(4, "big", signed=True) for v in values]
    decoded, _ = formats.field_values(out, "FI", True)
    assert decoded.tolist() == values


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10 ** 5) + 1, 10 ** 5 - 1), min_size=1, max_size=30))
def test_ascii_zd_gnucobol_sign_round_trip(values):
    # GnuCOBOL writes a negative S9(5) DISPLAY with the last byte 0x70 + digit
    expected = [str(abs(v)).rjust(5, "0").encode()[:-1]
                + bytes([(0x70 if v < 0 else 0x30) + abs(v) % 10]) for v in values]
    block = np.frombuffer(b"".join(expected), np.uint8).reshape(len(values), 5)
    decoded, bad = formats.field_values(block, "ZD", False)
    assert decoded.tolist() == values and not bad.any()


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=3, max_size=3))
def test_pd_validity_is_exactly_digits_and_a_sign_nibble(raw):
    _, _, bad = formats.decimal_digits(np.frombuffer(raw, np.uint8).reshape(1, 3), "PD", True)
    nibbles = raw.hex()
    valid = all(c in "0123456789" for c in nibbles[:-1]) and nibbles[-1] in "abcdef"
    assert bool(bad[0]) == (not valid)
