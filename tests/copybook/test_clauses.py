"""Clauses: USAGE forms and inheritance, SIGN, SYNC, REDEFINES, RENAMES,
several 01 levels, fragments without an 01, national and DBCS items."""
from __future__ import annotations

from engine.copybook import Category, Usage, parse_copybook


def compile_(text: str, **kw):
    return parse_copybook(text, copy_path=[], **kw)


def elementary(layout):
    return [(f.name, f.offset, f.size, f.usage.value) for f in layout.elementary()]


def test_usage_spellings_and_group_usage():
    layout = compile_("""\
       01  R.
           05  A  PIC S9(9) COMPUTATIONAL-3.
           05  B  PIC 9(4) USAGE IS BINARY.
           05  G  USAGE COMP-3.
               10  G1 PIC 9(5).
               10  G2 PIC 9(3) DISPLAY.
           05  F1 COMP-1.
           05  F2 USAGE COMPUTATIONAL-2.
           05  I  INDEX.
           05  N  PIC N(4).
           05  D  PIC G(3).
           05  D2 PIC N(2) USAGE DISPLAY-1.
""")
    assert elementary(layout) == [
        ("A", 0, 5, "COMP-3"), ("B", 5, 2, "BINARY"), ("G1", 7, 3, "COMP-3"), ("G2", 10, 3, "DISPLAY"),
        ("F1", 13, 4, "COMP-1"), ("F2", 17, 8, "COMP-2"), ("I", 25, 4, "INDEX"),
        ("N", 29, 8, "NATIONAL"), ("D", 37, 6, "DISPLAY-1"), ("D2", 43, 4, "DISPLAY-1")]
    assert layout.find("D2").picture.category == Category.DBCS


def test_sign_clauses_and_group_sign():
    layout = compile_("""\
       01  R.
           05  A  PIC S9(5) SIGN LEADING SEPARATE CHARACTER.
           05  B  PIC S9(5) SIGN IS TRAILING.
           05  G  SIGN LEADING.
               10  G1  PIC S9(3).
               10  G2  PIC 9(3).
           05  C  PIC S9(3) TRAILING SEPARATE.
""")
    got = [(f.name, f.offset, f.size, f.sign_leading, f.sign_separate) for f in layout.elementary()]
    assert got == [("A", 0, 6, True, True), ("B", 6, 5, False, False), ("G1", 11, 3, True, False),
                   ("G2", 14, 3, False, False), ("C", 17, 4, False, True)]


def test_synchronized_binary_items_are_aligned():
    layout = compile_("""\
       01  R.
           05  A  PIC X.
           05  B  PIC S9(4) COMP SYNC.
           05  C  PIC X(3).
           05  D  PIC S9(9) BINARY SYNCHRONIZED.
           05  E  PIC X.
           05  F  COMP-2 SYNC LEFT.
           05  G  PIC X SYNC.
           05  H  PIC S9(18) COMP-5 SYNC.
""")
    assert [(f.name, f.offset) for f in layout.elementary()] == [
        ("A", 0), ("B", 2), ("C", 4), ("D", 8), ("E", 12), ("F", 16), ("G", 24), ("H", 32)]
    assert layout.record_length == 40


def test_synchronized_table_pads_each_occurrence():
    layout = compile_("""\
       01  R SYNC.
           05  T OCCURS 3.
               10  A  PIC S9(9) COMP.
               10  B  PIC X.
""")
    t = layout.find("T")
    assert (t.size, t.total_size, layout.record_length) == (8, 24, 24)


def test_redefines_larger_than_the_redefined_item_grows_the_group():
    layout = compile_("""\
       01  R.
           05  A  PIC X(4).
           05  B  REDEFINES A PIC X(10).
           05  C  REDEFINES A PIC 9(2).
           05  D  PIC X(2).
""")
    assert [(f.name, f.offset, f.size) for f in layout.fields()] == [
        ("R", 0, 12), ("A", 0, 4), ("B", 0, 10), ("C", 0, 2), ("D", 10, 2)]


def test_several_records_and_77_levels():
    layout = compile_("""\
       01  HEADER-REC.
           05  REC-TYPE  PIC X.
           05  RUN-DATE  PIC 9(8).
       01  DETAIL-REC.
           05  REC-TYPE-D PIC X.
           05  AMOUNT    PIC S9(9)V99.
           05  TEXT      PIC X(30).
       77  COUNTER PIC 9(4) COMP.
""")
    assert [(r.name, r.offset, r.size) for r in layout.records] == [
        ("HEADER-REC", 0, 9), ("DETAIL-REC", 0, 42), ("COUNTER", 0, 2)]
    assert layout.record_length == 42
    assert layout.name == "HEADER-REC"


def test_fragment_without_01_gets_an_implicit_record():
    layout = parse_copybook("""\
           05  A  PIC X(3).
           05  B  PIC 9(2).
""", filename="/some/where/PART.cpy", copy_path=[])
    assert (layout.name, layout.root.name, layout.root.size) == ("PART", "PART", 5)
    assert [f.name for f in layout.root.children] == ["A", "B"]


def test_renames():
    layout = compile_("""\
       01  R.
           05  A  PIC X(3).
           05  B  PIC X(4).
           05  C  PIC X(5).
       66  AB RENAMES A THRU B.
       66  CC RENAMES C.
""")
    assert [(r.name, r.offset, r.size) for r in layout.renames] == [("AB", 0, 7), ("CC", 7, 5)]


def test_other_clauses_kept():
    layout = compile_("""\
       01  R EXTERNAL GLOBAL.
           05  A  PIC X(5) JUSTIFIED RIGHT.
           05  B  PIC ZZ9.99 BLANK WHEN ZERO.
           05  C  PIC X(3) JUST.
           05  PIC X(2) VALUE 'AB'.
           05  FILLER PIC X.
""")
    a, b, c, unnamed, filler = layout.elementary()
    assert (a.justified, b.blank_when_zero, c.justified) == (True, True, True)
    assert (b.picture.category, b.picture.digits, b.picture.scale, b.size) == (
        Category.NUMERIC_EDITED, 5, 2, 6)
    assert (unnamed.name, unnamed.offset, unnamed.value, filler.is_filler) == ("FILLER", 14, "AB", True)


def test_clauses_in_any_order_and_lower_case():
    layout = compile_("""\
       01  r.
           05  amt  comp-3 occurs 2 times value zero pic s9(5)v99.
           05  nm   value 'x' pic x(2).
""")
    amt = layout.find("AMT")
    assert (amt.usage, amt.size, amt.occurs, amt.picture.scale) == (Usage.PACKED, 4, 2, 2)
    assert layout.find("NM").offset == 8


def test_japanese_data_names():
    layout = compile_("""\
       01  納付レコード.
           05  顧客名    PIC N(10).
           05  金額      PIC S9(9) COMP-3.
""")
    assert [(f.name, f.offset, f.size) for f in layout.elementary()] == [
        ("顧客名", 0, 20), ("金額", 20, 5)]


def test_invalid_data_name():
    import pytest
    from engine.errors import CopybookError
    with pytest.raises(CopybookError, match="<string>:2:16: invalid data name 'BAD-'"):
        compile_("       01  R.\n           05  BAD- PIC X.\n")
