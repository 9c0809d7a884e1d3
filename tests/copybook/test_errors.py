"""Each kind of malformed copybook gets a CopybookError naming file, line and
column and saying what was expected."""
from __future__ import annotations

import pytest

from engine.copybook import load_copybook, parse_copybook
from engine.errors import CopybookError, DensanError


def compile_file(tmp_path, body: str, name: str = "BAD.cpy", copy_path=None):
    path = tmp_path / name
    path.write_text(body)
    return load_copybook(path, copy_path=copy_path if copy_path is not None else [])


def error_of(tmp_path, body: str, **kw) -> CopybookError:
    with pytest.raises(CopybookError) as err:
        compile_file(tmp_path, body, **kw)
    assert isinstance(err.value, DensanError)
    return err.value


CASES = [
    # (id, source, line, text the column points at, words the message must contain)
    ("pic-missing-string",
     "       01  R.\n           05  A  PIC.\n", 2, ".", ["expected a PICTURE string after PIC"]),
    ("pic-and-children",
     "       01  R.\n           05  FOO  PIC X(4).\n               10  BAR PIC X(2).\n", 2, "05",
     ["level 05 FOO has both PICTURE and children", "level 10 BAR at line 3"]),
    ("redefines-unknown",
     "       01  R.\n           05  A  PIC X(4).\n           05  B  REDEFINES BAR PIC X(4).\n",
     3, "BAR", ["REDEFINES names BAR, which is not a preceding item at the same level"]),
    ("redefines-other-level",
     "       01  R.\n           05  G.\n               10  A  PIC X(4).\n"
     "           05  B  REDEFINES A PIC X(4).\n", 4, "A P", ["REDEFINES names A"]),
    ("unknown-usage",
     "       01  R.\n           05  A  PIC 9(4) USAGE COMP-7.\n", 2, "COMP-7", ["unknown USAGE COMP-7"]),
    ("unknown-usage-bare",
     "       01  R.\n           05  A  PIC 9(4) COMP-8.\n", 2, "COMP-8", ["unknown USAGE COMP-8"]),
    ("unterminated-literal",
     "       01  R.\n           05  A  PIC X(4) VALUE 'ABC.\n           05  B  PIC X.\n", 2, "'",
     ["unterminated literal"]),
    ("level-out-of-range",
     "       01  R.\n           55  A  PIC X(4).\n", 2, "55", ["level number 55 out of range"]),
    ("odo-unknown-counter",
     "       01  R.\n           05  N  PIC 9.\n           05  T  PIC X OCCURS 1 TO 9\n"
     "                  DEPENDING ON NUM-ITEMS.\n", 4, "NUM-ITEMS",
     ["OCCURS DEPENDING ON names an unknown field NUM-ITEMS"]),
    ("bad-picture-char",
     "       01  R.\n           05  A  PIC 9(4)Q.\n", 2, "Q", ["invalid character 'Q'"]),
    ("no-picture",
     "       01  R.\n           05  A  VALUE 'X'.\n", 2, "05", ["level 05 A has no PICTURE clause"]),
    ("missing-period",
     "       01  R.\n           05  A  PIC X(4)\n           05  B  PIC X(4).\n", 3, "05",
     ["unexpected 05 in the entry for A", "missing period"]),
    ("packed-text",
     "       01  R.\n           05  A  PIC X(4) COMP-3.\n", 2, "COMP-3",
     ["USAGE COMP-3 needs a numeric PICTURE"]),
    ("cobrix-comp9",
     "       01  R.\n           05  A  PIC 9(4) COMP-9.\n", 2, "COMP-9", ["COMP-9 is a Cobrix extension"]),
    ("occurs-to-without-depending",
     "       01  R.\n           05  A  PIC X OCCURS 1 TO 5.\n", 2, "5.", ["needs DEPENDING ON"]),
]


@pytest.mark.parametrize("source, line, marker, words", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_error_names_file_line_column(tmp_path, source, line, marker, words):
    column = source.splitlines()[line - 1].index(marker) + 1
    err = error_of(tmp_path, source, name="BAD.cpy")
    message = str(err)
    assert (err.file.endswith("BAD.cpy"), err.line, err.column) == (True, line, column), message
    assert message.startswith(f"{tmp_path / 'BAD.cpy'}:{line}:{column}: ")
    for w in words:
        assert w in message


def test_copy_member_not_found_lists_the_path(tmp_path):
    lib1, lib2 = tmp_path / "lib1", tmp_path / "lib2"
    lib1.mkdir()
    lib2.mkdir()
    err = error_of(tmp_path, "       01  R.\n           COPY NOSUCH.\n", copy_path=[lib1, lib2])
    assert (err.line, err.column) == (2, 17)
    assert f"COPY member NOSUCH not found in {tmp_path}, {lib1}, {lib2}" in str(err)


def test_string_source_is_named_string():
    with pytest.raises(CopybookError) as err:
        parse_copybook("       01  R.\n           05  A  PIC.\n", copy_path=[])
    assert str(err.value).startswith("<string>:2:22: ")


def test_empty_copybook(tmp_path):
    err = error_of(tmp_path, "      * only a comment\n")
    assert "describes no data items" in str(err)


def test_copybook_not_found_by_name(tmp_path):
    with pytest.raises(CopybookError) as err:
        load_copybook("NOPE", copy_path=[tmp_path])
    assert f"copybook NOPE not found in {tmp_path}" in str(err.value)


def test_invalid_indicator_in_fixed_format():
    text = "       01  R.\n      X    05  A  PIC X.\n           05  B  PIC X.\n"
    with pytest.raises(CopybookError) as err:
        parse_copybook(text, filename="IND.cpy", source_format="fixed", copy_path=[])
    assert str(err.value).startswith("IND.cpy:2:7: invalid indicator 'X' in column 7")
    # in auto mode the same text is taken as free format, where X is not a level number
    with pytest.raises(CopybookError) as err:
        parse_copybook(text, filename="IND.cpy", copy_path=[])
    assert str(err.value).startswith("IND.cpy:2:7: expected a level number")
