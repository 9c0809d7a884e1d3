"""engine.program.printfile: print lines, edited numbers, pages, PDF."""
import numpy as np
from hypothesis import given, settings, strategies as st

from engine.program.printfile import Pages, blank_lines, edit, edit_one, line, put, write_pdf
from engine.program.step import line_sequential


def ref_zzz(v: int, groups: int) -> str:
    """ZZZ,ZZZ,ZZ9-style picture by hand: digits with commas, suppressed to the left."""
    s = f"{abs(v):,}"
    width = groups * 4 - 1
    return s.rjust(width)


@settings(deadline=None)
@given(st.lists(st.integers(0, 999_999_999), min_size=1, max_size=20))
def test_edit_matches_a_hand_formatter(vals):
    got = edit(np.array(vals), "ZZZ,ZZZ,ZZ9")
    assert [bytes(r).decode() for r in got] == [ref_zzz(v, 3) for v in vals]


def test_edited_signs():
    assert edit_one(-1234, "-ZZ,ZZZ,ZZ9") == "-     1,234"
    assert edit_one(1234, "-ZZ,ZZZ,ZZ9") == "      1,234"
    assert edit_one(-5, "ZZ,ZZ9CR") == "     5CR"
    assert edit_one(5, "ZZ,ZZ9CR") == "     5  "
    assert edit_one(7, "ZZZ9") == "   7"
    # MOVE keeps the low-order digits
    assert bytes(edit(np.array([12345]), "ZZZ9")[0]) == b"2345"


def test_lines_and_line_sequential():
    lines = blank_lines(2, 20)
    put(lines, 3, edit(np.array([1, 22]), "ZZ9"))
    put(lines, 8, [b"AB", b"\x8d\xb2"])              # Shift_JIS bytes as they are
    assert line_sequential(lines) == b"    1  AB\n   22  \x8d\xb2\n"
    assert line((1, "JUKI01"), (10, "PAGE"), width=15) == b"JUKI01   PAGE  "


def test_pages_header_before_every_page_and_on_an_empty_file():
    pages = Pages(2, lambda p: [b"H%d" % p])
    assert pages.lay_out([b"a", b"b", b"c"]) == [b"H1", b"a", b"b", b"H2", b"c"]
    assert pages.starts == [0, 3]
    assert Pages(2, lambda p: [b"H%d" % p]).lay_out([]) == [b"H1"]
    assert Pages(2, lambda p: [b"H%d" % p]).lay_out([b"a", b"b"]) == [b"H1", b"a", b"b"]


def test_pdf_with_an_embedded_japanese_font(tmp_path):
    lines = [line((1, "JUKI01"), (40, "ｲﾉｳｴ ｼｮｳﾀ 井上　翔太"))] * 70
    out = tmp_path / "list.pdf"
    assert write_pdf(lines, out, title="異動者一覧", page_starts=[0, 50]) == 2
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and b"FontFile2" in data     # a TrueType subset is embedded
