"""Reference format (fixed / free / auto), continuation lines, comments, tabs,
and COPY ... REPLACING with a search path."""
from __future__ import annotations

from decimal import Decimal

import pytest

from engine.copybook import Figurative, parse_copybook
from engine.copybook.source import detect_format
from engine.errors import CopybookError


def fixed(*lines: str) -> str:
    """Lines written from column 8 (area A) with a sequence number and a blank indicator."""
    return "\n".join(f"{i:06d} {line}" for i, line in enumerate(lines, start=1)) + "\n"


def names_offsets(layout):
    return [(f.name, f.offset, f.size) for f in layout.fields()]


def test_fixed_format_ignores_sequence_area_and_columns_73_80():
    text = (
        "000100 01  REC.                                                          IGNORED1\n"
        "000200     05  A  PIC X(3).                                              IGNORED2\n"
        "000300*    05  COMMENTED PIC X(99).\n"
        "000400/    PAGE EJECT COMMENT\n"
        "000500D    05  DEBUG-ONLY PIC X(7).\n"
        "000600     05  B  PIC 9(4).\n"
    )
    assert detect_format(text) == "fixed"
    layout = parse_copybook(text, copy_path=[])
    assert names_offsets(layout) == [("REC", 0, 7), ("A", 0, 3), ("B", 3, 4)]


def test_debug_lines_included_on_request():
    text = "       01  REC.\n      D    05  A  PIC X.\n           05  B  PIC X.\n"
    assert [f.name for f in parse_copybook(text, copy_path=[]).fields()] == ["REC", "B"]
    assert [f.name for f in parse_copybook(text, copy_path=[], debug_lines=True).fields()] == [
        "REC", "A", "B"]


def test_code_past_column_72_is_cut():
    line = "       01  REC.\n" + "           05  A  PIC X(5)." + " " * 45 + "X(9)."
    layout = parse_copybook(line, copy_path=[])
    assert layout.find("A").size == 5


def test_tabs_expand_to_eight_columns():
    text = "       01  REC.\n\t   05 A\tPIC X(2).\n\t\t\t   REDEFINES\n"
    # the third line continues no entry: REDEFINES without a level number is an error
    with pytest.raises(CopybookError):
        parse_copybook(text, copy_path=[])
    text = "       01  REC.\n\t   05 A\tPIC X(2).\n\t   05 B\n\t\t\t REDEFINES A PIC 9(2).\n"
    layout = parse_copybook(text, copy_path=[])
    assert (layout.find("B").offset, layout.find("B").redefines) == (0, "A")


def test_continued_word_and_continued_literal():
    first = "      -        ME       PIC X(40) VALUE 'ABCDEFGHIJ                           "
    text = "       01  REC.\n           05  LONG-NA\n" + first + "\n      -    'KLM'.\n"
    layout = parse_copybook(text, copy_path=[])
    f = layout.find("LONG-NAME")
    # the first part of the literal runs through column 72 (the quote is in column 41),
    # the rest follows the quote on the continuation line
    assert first.index("'") + 1 == 41
    assert f.value == "ABCDEFGHIJ" + " " * (72 - 41 - 10) + "KLM"
    assert f.size == 40


def test_free_format_with_inline_comments():
    text = (
        "*> a free-format copybook\n"
        "01 REC. *> the record\n"
        "   05 A PIC X(2).   *> two bytes\n"
        "   05 B PIC S9(5)V99 COMP-3.\n"
    )
    assert detect_format(text) == "free"
    layout = parse_copybook(text, copy_path=[])
    assert names_offsets(layout) == [("REC", 0, 6), ("A", 0, 2), ("B", 2, 4)]


def test_auto_detects_level_in_column_7_as_free():
    text = "      01 RECORD.\n          02 X PIC X(3).\n          02 N PIC N(3).\n"
    assert detect_format(text) == "free"
    layout = parse_copybook(text, copy_path=[])
    assert names_offsets(layout) == [("RECORD", 0, 9), ("X", 0, 3), ("N", 3, 6)]


def test_dos_end_of_file_and_crlf():
    text = "       01  REC.\r\n           05  A  PIC X(2).\r\n\x1a garbage"
    assert names_offsets(parse_copybook(text, copy_path=[])) == [("REC", 0, 2), ("A", 0, 2)]


def test_values_and_figuratives():
    text = fixed(
        "01  REC.",
        "    05  A  PIC X(3) VALUE SPACES.",
        "    05  B  PIC S9(3)V9 VALUE -12.5.",
        "    05  C  PIC X(4) VALUE ALL '*'.",
        "    05  D  PIC X(2) VALUE X'C1C2'.",
        "    05  E  PIC X(4) VALUE 'IT''S'.",
        "    05  F  PIC X(2) VALUE \"AB\".",
        "    05  G  PIC 9 VALUE ZERO.",
    )
    layout = parse_copybook(text, copy_path=[])
    got = [layout.find(n).value for n in "ABCDEFG"]
    assert got == [Figurative("SPACES"), Decimal("-12.5"), Figurative("ALL:*"), b"\xc1\xc2",
                   "IT'S", "AB", Figurative("ZEROS")]


@pytest.fixture
def copylib(tmp_path):
    lib = tmp_path / "copylib"
    lib.mkdir()
    (lib / "ADDR.cpy").write_text(fixed(
        "05  :P:-STREET      PIC X(20).",
        "05  :P:-CITY        PIC X(10).",
        "05  :P:-ZIP         PIC 9(7).",
    ))
    (lib / "amount.CBL").write_text(fixed("05  AMT-FIELD  PIC S9(7)V99 COMP-3."))
    (lib / "NESTED").write_text(fixed("05  N-HEAD PIC X.", "COPY ADDR REPLACING ==:P:== BY ==N==."))
    (lib / "LOOPA.cpy").write_text(fixed("05 A1 PIC X.", "COPY LOOPB."))
    (lib / "LOOPB.cpy").write_text(fixed("05 B1 PIC X.", "COPY LOOPA."))
    sub = lib / "MYLIB"
    sub.mkdir()
    (sub / "LIBMEM.cpy").write_text(fixed("05  FROM-LIB PIC X(3)."))
    return lib


def test_copy_replacing_partial_words(copylib):
    text = fixed("01  CUST.", "    COPY ADDR REPLACING ==:P:== BY ==HOME==.",
                 "    COPY ADDR REPLACING ==:P:== BY ==WORK==.")
    layout = parse_copybook(text, copy_path=[copylib])
    assert names_offsets(layout) == [
        ("CUST", 0, 74), ("HOME-STREET", 0, 20), ("HOME-CITY", 20, 10), ("HOME-ZIP", 30, 7),
        ("WORK-STREET", 37, 20), ("WORK-CITY", 57, 10), ("WORK-ZIP", 67, 7)]
    assert layout.find("WORK-ZIP").location.file.endswith("ADDR.cpy")
    assert layout.find("WORK-ZIP").location.line == 3


def test_copy_member_lookup_case_and_extension(copylib):
    text = fixed("01  R.", "    COPY AMOUNT.", "    COPY 'NESTED'.", "    COPY LIBMEM OF MYLIB.")
    layout = parse_copybook(text, copy_path=[copylib])
    assert [f.name for f in layout.elementary()] == [
        "AMT-FIELD", "N-HEAD", "N-STREET", "N-CITY", "N-ZIP", "FROM-LIB"]
    assert layout.record_length == 5 + 1 + 37 + 3


def test_copy_replacing_words_and_literals(copylib):
    (copylib / "W.cpy").write_text(fixed("05  OLD-NAME PIC X(3) VALUE 'OLD'."))
    text = fixed("01  R.", "    COPY W REPLACING OLD-NAME BY NEW-NAME 'OLD' BY 'NEW'.")
    f = parse_copybook(text, copy_path=[copylib]).find("NEW-NAME")
    assert (f.value, f.size) == ("NEW", 3)


def test_copy_replacing_leading(copylib):
    (copylib / "L.cpy").write_text(fixed("05  XX-A PIC X.", "05  XX-B PIC X."))
    text = fixed("01  R.", "    COPY L REPLACING LEADING ==XX== BY ==YY==.")
    assert [f.name for f in parse_copybook(text, copy_path=[copylib]).elementary()] == ["YY-A", "YY-B"]


def test_copy_recursion_is_an_error(copylib):
    text = fixed("01  R.", "    COPY LOOPA.")
    with pytest.raises(CopybookError) as err:
        parse_copybook(text, filename="MAIN.cpy", copy_path=[copylib])
    message = str(err.value)
    assert "recursive" in message and "LOOPA.cpy -> LOOPB.cpy -> LOOPA.cpy" in message
    assert "LOOPB.cpy:2:" in message


def test_default_copy_path_from_environment(copylib, monkeypatch):
    monkeypatch.setenv("DENSAN_COPYLIB", str(copylib))
    layout = parse_copybook(fixed("01 R.", "   COPY AMOUNT."))
    assert layout.find("AMT-FIELD").size == 5
