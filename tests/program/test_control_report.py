"""The control-total report's common parts, as the legacy programs print them."""
from __future__ import annotations

from hypothesis import given, strategies as st

from engine.program.control_report import ControlReport, edit_count


class Demo(ControlReport):
    program = "DEMO01"


def test_lines_are_cut_at_132_columns_and_trailing_blanks_removed():
    r = Demo()
    r.add("A" * 140)
    r.add("TOTAL   ")
    r.add()
    assert r.lines == ["A" * 132, "TOTAL", ""]


def test_normal_end_prints_the_return_code_and_the_end_marker():
    r = Demo()
    r.finish(4, "(SOME REJECTED)")
    assert r.lines == ["DEMO01 ENDED RETURN CODE   4   (SOME REJECTED)", "*** END OF REPORT ***"]


def test_abnormal_end_block_names_what_must_not_be_catalogued():
    r = Demo()
    r.abend(["DEMO01   SEQUENCE ERROR ON TRAN-IN AT RECORD 7"])
    assert r.lines == ["", "*** ABNORMAL END ***", "DEMO01   SEQUENCE ERROR ON TRAN-IN AT RECORD 7", "",
                       "DEMO01 ENDED RETURN CODE  16   (ABNORMAL END - MASTER-OUT MUST NOT BE CATALOGED)",
                       "*** END OF REPORT ***"]
    r = type("Water", (ControlReport,), {"program": "SUIDO01", "not_catalogued": "THE OUTPUTS"})()
    r.abend([])
    assert r.lines[-2] == "SUIDO01 ENDED RETURN CODE  16   (ABNORMAL END - THE OUTPUTS MUST NOT BE CATALOGED)"


def test_edit_count_examples():
    assert edit_count(0) == "          0"
    assert edit_count(1234567) == "  1,234,567"
    assert edit_count(5, 12) == " " * 14 + "5"          # ZZZ,ZZZ,ZZZ,ZZ9: 15 columns
    # too long for the picture: the low digits, no zero suppression (GnuCOBOL)
    assert edit_count(1_000_000_007) == "000,000,007"


@given(st.integers(min_value=0, max_value=10 ** 12 - 1))
def test_edit_count_is_the_picture_zzz_zzz_zz9(v):
    text = edit_count(v)
    assert len(text) == 11
    if v < 10 ** 9:
        assert text == f"{v:>11,}"
    else:
        assert int(text.replace(",", "")) == v % 10 ** 9
