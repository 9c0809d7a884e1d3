"""Level-88 condition names evaluated on decoded columns."""
from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from engine.copybook import condition_expr, load_copybook, parse_copybook
from engine.errors import CopybookError
from tests.conftest import LEGACY

TEXT = """\
       01  REC.
           05  STATUS-CD     PIC X(2).
               88  ST-OPEN       VALUE 'OP'.
               88  ST-ANY-CLOSED VALUES ARE 'C1' 'C2', 'C3'.
               88  ST-LETTER     VALUE 'A' THRU 'M', 'X' THROUGH 'Z'.
               88  ST-BLANK      VALUE SPACES.
               88  ST-ZERO       VALUE ZEROS.
               88  ST-STARS      VALUE ALL '*'.
               88  ST-HIGH       VALUE HIGH-VALUES.
               88  ST-LOW        VALUE LOW-VALUE.
           05  AMOUNT        PIC S9(5)V99 COMP-3.
               88  AMT-ZERO      VALUE ZERO.
               88  AMT-SMALL     VALUE 0.01 THRU 9.99.
               88  AMT-ROUND     VALUE 100, 200, -100.
           05  COUNT-N       PIC 9(3).
               88  CNT-VALID     VALUE 1 THRU 12 999.
           05  ITEM OCCURS 3 TIMES.
               10  ITEM-FLAG PIC X.
                   88  ITEM-ON   VALUE 'Y'.
           05  GRP.
               88  GRP-COND      VALUE 'AB'.
               10  G1        PIC X(2).
"""


@pytest.fixture(scope="module")
def layout():
    return parse_copybook(TEXT, copy_path=[])


def evaluate(layout, name, frame):
    return frame.select(condition_expr(layout, name)).to_series().to_list()


def test_text_values_and_lists(layout):
    frame = pl.DataFrame({"STATUS-CD": ["OP", "C2", "C3", "OQ", "C4", "C1 "]})
    assert evaluate(layout, "ST-OPEN", frame) == [True, False, False, False, False, False]
    assert evaluate(layout, "st-any-closed", frame) == [False, True, True, False, False, True]


def test_text_ranges(layout):
    frame = pl.DataFrame({"STATUS-CD": ["A", "M", "N", "Y", "Z", "ZZ", "0"]})
    assert evaluate(layout, "ST-LETTER", frame) == [True, True, False, True, True, False, False]


def test_figuratives_on_text(layout):
    frame = pl.DataFrame({"STATUS-CD": ["", "  ", "00", "0", "**", "\xff\xff", "\x9f\x9f",
                                        "\x00\x00", "A"]})
    assert evaluate(layout, "ST-BLANK", frame) == [True, True] + [False] * 7
    assert evaluate(layout, "ST-ZERO", frame) == [False, False, True, False, False, False, False,
                                                  False, False]
    assert evaluate(layout, "ST-STARS", frame) == [False] * 4 + [True] + [False] * 4
    assert evaluate(layout, "ST-HIGH", frame) == [False] * 5 + [True, True, False, False]
    assert evaluate(layout, "ST-LOW", frame) == [False] * 7 + [True, False]


def test_numeric_conditions_on_decimal_column(layout):
    frame = pl.DataFrame({"AMOUNT": [Decimal("0.00"), Decimal("0.01"), Decimal("9.99"),
                                     Decimal("10.00"), Decimal("-100.00"), Decimal("200.00")]},
                         schema={"AMOUNT": pl.Decimal(7, 2)})
    assert evaluate(layout, "AMT-ZERO", frame) == [True, False, False, False, False, False]
    assert evaluate(layout, "AMT-SMALL", frame) == [False, True, True, False, False, False]
    assert evaluate(layout, "AMT-ROUND", frame) == [False, False, False, False, True, True]


def test_numeric_conditions_on_integer_column(layout):
    frame = pl.DataFrame({"COUNT-N": [0, 1, 12, 13, 999]}, schema={"COUNT-N": pl.Int64})
    assert evaluate(layout, "CNT-VALID", frame) == [False, True, True, False, True]


def test_condition_in_a_table_gives_a_list(layout):
    frame = pl.DataFrame({"ITEM-FLAG": [["Y", "N", "Y"], ["N", "N", "N"]]})
    assert evaluate(layout, "ITEM-ON", frame) == [[True, False, True], [False, False, False]]


def test_condition_on_a_group_is_refused(layout):
    with pytest.raises(CopybookError, match="belongs to group GRP"):
        condition_expr(layout, "GRP-COND")


def test_unknown_condition(layout):
    with pytest.raises(CopybookError, match="no level-88 condition NOPE"):
        condition_expr(layout, "NOPE")


def test_condition_values_as_parsed(layout):
    cond = {c.name: c for c in layout.find("STATUS-CD").conditions}
    assert cond["ST-LETTER"].ranges == [("A", "M"), ("X", "Z")]
    assert cond["ST-ANY-CLOSED"].values == ["C1", "C2", "C3"]
    assert {c.name: c for c in layout.find("AMOUNT").conditions}["AMT-SMALL"].ranges == [
        (Decimal("0.01"), Decimal("9.99"))]


def test_legacy_status_conditions():
    layout = load_copybook("SHUNOMST", copy_path=[LEGACY / "copybooks"])
    frame = pl.DataFrame({"SH-JOTAI": ["0", "1", "2", "3", "9"]})
    got = {name: evaluate(layout, name, frame) for name in
           ["SH-JOTAI-UNPAID", "SH-JOTAI-PAID", "SH-JOTAI-CANCELLED"]}
    assert got == {"SH-JOTAI-UNPAID": [True, False, False, False, False],
                   "SH-JOTAI-PAID": [False, False, True, False, False],
                   "SH-JOTAI-CANCELLED": [False, False, False, False, True]}
    assert frame.select(condition_expr(layout, "SH-JOTAI-PAID")).columns == ["SH-JOTAI-PAID"]
