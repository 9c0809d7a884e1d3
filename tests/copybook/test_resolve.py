"""OCCURS DEPENDING ON: layout at the maximum, resolution to fixed layouts."""
from __future__ import annotations

import pytest

from engine.copybook import assign_offsets, parse_copybook, resolve_odo
from engine.errors import CopybookError, RecordError

TEXT = """\
       01  REC.
           05  HDR           PIC X(4).
           05  N-ITEMS       PIC 9(2).
           05  N-NOTES       PIC 9(1).
           05  ITEM OCCURS 1 TO 10 TIMES DEPENDING ON N-ITEMS
                    INDEXED BY IX ASCENDING KEY IS ITEM-ID.
               10  ITEM-ID   PIC X(3).
               10  ITEM-AMT  PIC S9(5) COMP-3.
           05  NOTE PIC X(5) OCCURS 0 TO 4 DEPENDING ON N-NOTES.
           05  TRAILER       PIC X(2).
"""


@pytest.fixture
def layout():
    return parse_copybook(TEXT, copy_path=[])


def test_sized_at_the_maximum(layout):
    item = layout.find("ITEM")
    assert (item.occurs, item.occurs_min, item.depending_on, item.size) == (10, 1, "N-ITEMS", 6)
    assert layout.find("NOTE").offset == 7 + 60
    assert layout.find("TRAILER").offset == 7 + 60 + 20
    assert layout.record_length == 89
    assert layout.has_odo


def test_resolved_offsets_follow_the_counts(layout):
    fixed = resolve_odo(layout, {"n-items": 3, "N-NOTES": 0})
    assert [(f.name, f.offset, f.occurs) for f in fixed.fields() if f.level == 5] == [
        ("HDR", 0, None), ("N-ITEMS", 4, None), ("N-NOTES", 6, None), ("ITEM", 7, 3),
        ("NOTE", 25, 0), ("TRAILER", 25, None)]
    assert fixed.record_length == 27
    assert not fixed.has_odo
    # the original is untouched
    assert layout.find("TRAILER").offset == 87 and layout.find("ITEM").occurs == 10
    # parents point into the copy
    assert fixed.find("ITEM-AMT").parent is fixed.find("ITEM")
    assert layout.resolve({"N-ITEMS": 10, "N-NOTES": 4}).record_length == layout.record_length


def test_count_outside_the_range(layout):
    with pytest.raises(RecordError, match="N-ITEMS = 11 is outside 1 TO 10"):
        resolve_odo(layout, {"N-ITEMS": 11, "N-NOTES": 0})
    with pytest.raises(RecordError, match="N-ITEMS = 0 is outside 1 TO 10"):
        resolve_odo(layout, {"N-ITEMS": 0, "N-NOTES": 0})


def test_missing_count(layout):
    with pytest.raises(CopybookError, match="no occurrence count given for OCCURS DEPENDING ON N-NOTES"):
        resolve_odo(layout, {"N-ITEMS": 2})


def test_assign_offsets_by_dialect():
    layout = parse_copybook("""\
       01  R.
           05  A  PIC 9(2) COMP.
           05  B  PIC X.
           05  P  POINTER.
           05  C  PIC S9(4) COMP-5.
""", copy_path=[])
    assert [(f.name, f.offset, f.size) for f in layout.elementary()] == [
        ("A", 0, 2), ("B", 2, 1), ("P", 3, 4), ("C", 7, 2)]
    assign_offsets(layout, "gnucobol")
    assert [(f.name, f.offset, f.size) for f in layout.elementary()] == [
        ("A", 0, 1), ("B", 1, 1), ("P", 2, 8), ("C", 10, 2)]
    assert layout.record_length == 12
