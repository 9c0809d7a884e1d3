"""`densan layout`: the field map as text and as JSON; errors without traceback."""
from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import LEGACY

COPYLIB = str(LEGACY / "copybooks")


def run(*args: str):
    return CliRunner().invoke(cli, ["layout", *args])


def test_text_listing_of_shunomst():
    result = run("SHUNOMST", "--copy-path", COPYLIB)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("LAYOUT SHUNOMST") and lines[0].endswith("RECORD LENGTH 100")
    assert lines[1].split() == ["LVL", "NAME", "START", "END", "LENGTH", "USAGE", "PICTURE", "DIG",
                                "SCL", "OCCURS", "NOTES"]
    rows = {line.split()[1]: line.split() for line in lines[3:] if not line.strip().startswith("88")}
    assert rows["SHUNOMST-REC"][:6] == ["01", "SHUNOMST-REC", "1", "100", "100", "GROUP"]
    assert rows["SH-KEY"][:6] == ["05", "SH-KEY", "1", "18", "18", "GROUP"]
    assert rows["SH-CHOTEI-GAKU"] == ["05", "SH-CHOTEI-GAKU", "37", "42", "6", "COMP-3", "S9(11)",
                                      "11", "0"]
    assert rows["SH-NOFU-KAISU"][:7] == ["05", "SH-NOFU-KAISU", "86", "87", "2", "COMP-3", "9(3)"]
    assert rows["FILLER"][:7] == ["05", "FILLER", "88", "100", "13", "DISPLAY", "X(13)"]
    assert "    88 SH-JOTAI-PAID  VALUE '2'" in lines
    # columns are aligned: every START ends in the same column
    header_end = lines[1].index("START") + len("START")
    for line in lines[3:]:
        if not line.strip().startswith("88"):
            assert line[header_end - 1].isdigit() and line[header_end] == " ", line


def test_json_listing_of_shunomst():
    result = run("SHUNOMST", "--copy-path", COPYLIB, "--json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert len(items) == 19  # the 01, SH-KEY and its 4 keys, 13 more items
    by_name = {item["name"]: item for item in items if item["name"] != "FILLER"}
    jotai = by_name["SH-JOTAI"]
    assert {k: jotai[k] for k in ("level", "start", "end", "length", "usage", "digits", "scale",
                                  "occurs", "redefines", "depending_on", "sign")} == {
        "level": 5, "start": 76, "end": 76, "length": 1, "usage": "DISPLAY", "digits": None,
        "scale": None, "occurs": None, "redefines": None, "depending_on": None, "sign": None}
    assert [c["name"] for c in jotai["conditions"]] == [
        "SH-JOTAI-UNPAID", "SH-JOTAI-PARTLY-PAID", "SH-JOTAI-PAID", "SH-JOTAI-OVERPAID",
        "SH-JOTAI-CANCELLED"]
    assert jotai["conditions"][2]["values"] == ["2"]
    gaku = by_name["SH-NOFU-GAKU"]
    assert (gaku["start"], gaku["length"], gaku["usage"], gaku["digits"], gaku["scale"]) == (
        43, 6, "COMP-3", 11, 0)


def test_json_shows_odo_redefines_and_sign(tmp_path):
    cpy = tmp_path / "ODO.cpy"
    cpy.write_text("""\
       01  R.
           05  N      PIC 9(2).
           05  AMT    PIC S9(3) SIGN LEADING SEPARATE.
           05  AMT-X  REDEFINES AMT PIC X(4).
           05  T      PIC X(2) OCCURS 1 TO 5 DEPENDING ON N.
""")
    result = run(str(cpy), "--json")
    assert result.exit_code == 0, result.output
    items = {i["name"]: i for i in json.loads(result.output)}
    assert (items["AMT"]["sign"], items["AMT"]["length"]) == ("leading separate", 4)
    assert (items["AMT-X"]["redefines"], items["AMT-X"]["start"]) == ("AMT", 3)
    assert {k: items["T"][k] for k in ("start", "end", "length", "occurs", "occurs_min",
                                       "depending_on")} == {
        "start": 7, "end": 16, "length": 2, "occurs": 5, "occurs_min": 1, "depending_on": "N"}
    text = run(str(cpy)).output
    assert "DEPENDING ON N" in text and "REDEFINES AMT" in text and "1:5" in text


def test_dialect_option_changes_binary_sizes(tmp_path):
    cpy = tmp_path / "BIN.cpy"
    cpy.write_text("       01  R.\n           05  A PIC 9(2) COMP.\n           05  B PIC X.\n")
    ibm = {i["name"]: i for i in json.loads(run(str(cpy), "--json").output)}
    gnu = {i["name"]: i for i in json.loads(run(str(cpy), "--json", "--dialect", "gnucobol").output)}
    assert (ibm["A"]["length"], ibm["B"]["start"]) == (2, 3)
    assert (gnu["A"]["length"], gnu["B"]["start"]) == (1, 2)


def test_format_option(tmp_path):
    cpy = tmp_path / "FREE.cpy"
    cpy.write_text("01 R.\n  05 A PIC X(3). *> comment\n")
    result = run(str(cpy), "--format", "free", "--json")
    assert [i["name"] for i in json.loads(result.output)] == ["R", "A"]


def test_error_exits_non_zero_without_traceback(tmp_path):
    cpy = tmp_path / "BAD.cpy"
    cpy.write_text("       01  R.\n           05  A  PIC.\n")
    result = run(str(cpy))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"densan layout: {cpy}:2:22: expected a PICTURE string after PIC" in result.output
    missing = run("NOSUCH", "--copy-path", str(tmp_path))
    assert missing.exit_code == 2
    assert f"copybook NOSUCH not found in {tmp_path}" in missing.output
