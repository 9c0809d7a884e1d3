"""The way back from open formats (point 15): host file -> Parquet / CSV / JSON lines ->
host file, byte for byte, through `densan convert ... --copybook C`."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import LEGACY

SAMPLES = LEGACY / "samples" / "SHUNO01"
COPY = LEGACY / "copybooks"

TABLES = """       01 R.
          05 K    PIC X(3).
          05 AMT  PIC S9(5)V99 COMP-3.
          05 N    PIC 9.
          05 G.
             10 A PIC 9(2).
          05 T    OCCURS 2.
             10 V PIC X(2).
             10 W PIC S9(3).
             10 U OCCURS 2 PIC 9.
          05 FILLER PIC X(2).
"""
TABLE_DATA = (b"abc\x00\x12\x34\x5d7" b"12" b"xx12q" b"12" b"aa001" b"34  "
              b"xyz\x00\x00\x00\x0c0" b"00" b"  000" b"00" b"zz999" b"99  ")


def _convert(*args):
    r = CliRunner().invoke(cli, ["convert", *map(str, args)])
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    return r


@pytest.mark.parametrize("ext", ["parquet", "csv", "jsonl"])
@pytest.mark.parametrize("name, cpy", [("master-in.dat", "SHUNOMST.cpy"), ("master-out.dat", "SHUNOMST.cpy"),
                                       ("error-out.dat", "NOFUERR.cpy")])
def test_legacy_sample_round_trips_byte_for_byte(tmp_path, ext, name, cpy):
    src = SAMPLES / name
    mid, back = tmp_path / f"mid.{ext}", tmp_path / "back.dat"
    _convert(src, mid, "--copybook", COPY / cpy, "--dialect", "gnucobol")
    r = _convert(mid, back, "--copybook", COPY / cpy, "--dialect", "gnucobol")
    assert back.read_bytes() == src.read_bytes()
    size = 100 if cpy == "SHUNOMST.cpy" else 80
    assert f"records in {src.stat().st_size // size:,}" in r.output


@pytest.mark.parametrize("ext", ["parquet", "csv", "jsonl"])
def test_tables_packed_and_groups_round_trip(tmp_path, ext):
    cpy = tmp_path / "t.cpy"
    cpy.write_text(TABLES)
    src = tmp_path / "in.dat"
    src.write_bytes(TABLE_DATA)
    _convert(src, tmp_path / f"mid.{ext}", "--copybook", cpy, "--dialect", "gnucobol")
    _convert(tmp_path / f"mid.{ext}", tmp_path / "back.dat", "--copybook", cpy, "--dialect", "gnucobol")
    assert (tmp_path / "back.dat").read_bytes() == TABLE_DATA


def test_ebcdic_records_through_jsonl_to_another_code_page(tmp_path):
    cpy = tmp_path / "t.cpy"
    cpy.write_text("       01 R.\n          05 K PIC X(4).\n          05 N PIC S9(4)V99.\n")
    src = tmp_path / "in.dat"
    src.write_bytes("ABCD".encode("cp037") + b"\xf0\xf0\xf1\xf2\xf3\xd4")      # -0012.34
    _convert(src, tmp_path / "m.jsonl", "--copybook", cpy, "--encoding", "cp037")
    assert (tmp_path / "m.jsonl").read_text() == '{"K":"ABCD","N":-12.34}\n'
    _convert(tmp_path / "m.jsonl", tmp_path / "back.dat", "--copybook", cpy, "--encoding", "cp037")
    assert (tmp_path / "back.dat").read_bytes() == src.read_bytes()
    _convert(tmp_path / "m.jsonl", tmp_path / "ascii.dat", "--copybook", cpy, "--encoding", "ascii")
    assert (tmp_path / "ascii.dat").read_bytes() == b"ABCD00123t"


def test_raw_column_keeps_filler_bytes(tmp_path):
    cpy = tmp_path / "t.cpy"
    cpy.write_text("       01 R.\n          05 K PIC X(2).\n          05 FILLER PIC X(2).\n")
    src = tmp_path / "in.dat"
    src.write_bytes(b"ab\x01\x02cd\xff\xfe")
    _convert(src, tmp_path / "m.parquet", "--copybook", cpy, "--raw")
    _convert(tmp_path / "m.parquet", tmp_path / "back.dat", "--copybook", cpy)
    assert (tmp_path / "back.dat").read_bytes() == src.read_bytes()


@pytest.mark.parametrize("content, ext, says", [
    (b'{"K":1}\n', "jsonl", "is not jsonl data"),
    (b"garbage", "parquet", "is not parquet data"),
    (b"X,Y\n1,2\n", "csv", "no column for field K"),
])
def test_open_format_that_does_not_fit_the_copybook(tmp_path, content, ext, says):
    cpy = tmp_path / "t.cpy"
    cpy.write_text("       01 R.\n          05 K PIC X(4).\n          05 N PIC 9(2).\n")
    src = tmp_path / f"in.{ext}"
    src.write_bytes(content)
    r = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "o.dat"), "--copybook", str(cpy)])
    assert r.exit_code == 2 and says in r.output and "Traceback" not in r.output, r.output
    assert not (tmp_path / "o.dat").exists()
