"""`densan convert`: to JSON lines (exact text), CSV, Parquet and fixed-width
datasets, EBCDIC cp930 -> cp932 (input built by glibc iconv), errors without
tracebacks, lenient runs with a reject dataset."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal

import polars as pl
import pytest

from tests.conftest import LEGACY

pytest.importorskip("engine.records.codec")
pytest.importorskip("engine.copybook.parser")

from engine.cli import main  # noqa: E402

SAMPLES = LEGACY / "samples" / "SHUNO01"
COPY = LEGACY / "copybooks"
needs_legacy = pytest.mark.skipif(not SAMPLES.is_dir(), reason="legacy samples not available")


def run(*args) -> int:
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        return exc.code or 0
    return 0


@needs_legacy
def test_jsonl_exact_text_for_the_master(tmp_path, capsys):
    out = tmp_path / "master.jsonl"
    assert run("convert", SAMPLES / "master-in.dat", out, "--copybook", COPY / "SHUNOMST.cpy",
               "--dialect", "gnucobol") == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 40
    assert lines[0] == (
        '{"SH-KEY":{"SH-NENDO":2023,"SH-KAMOKU":1,"SH-TSUCHI-NO":123401,"SH-KIBETSU":1},'
        '"SH-KOJIN-NO":3100000001,"SH-NOKIGEN":20230630,"SH-CHOTEI-GAKU":18500,"SH-NOFU-GAKU":18500,'
        '"SH-KANPU-GAKU":0,"SH-ENTAI-GAKU":0,"SH-SHUNYU-BI":20230627,"SH-TOKUSOKU-BI":0,'
        '"SH-JOTAI":"2","SH-KOFURI-KBN":"0","SH-KOSHIN-BI":20230627,"SH-NOFU-KAISU":1}')
    # the partly paid installment: 30,000 of 61,200
    assert any('"SH-TSUCHI-NO":310005,"SH-KIBETSU":3},' in l and '"SH-NOFU-GAKU":30000,' in l
               and '"SH-CHOTEI-GAKU":61200,' in l for l in lines)
    summary = capsys.readouterr().err
    assert "records in 40, out 40, rejected 0" in summary


DEC_CPY = """
       01  REC.
           05  R-ID          PIC 9(3).
           05  R-NAME        PIC X(8).
           05  R-AMT         PIC S9(5)V99 COMP-3.
           05  R-RATE        PIC V999.
           05  R-TBL OCCURS 2 TIMES.
               10  R-CODE    PIC X(2).
               10  R-QTY     PIC S9(3).
           05  R-BIG         PIC 9(20).
"""


def dec_file(tmp_path):
    """Two records built by hand (ASCII, GnuCOBOL zoned signs: '0'-'9' +, 'p'-'y' -)."""
    cpy = tmp_path / "REC.cpy"
    cpy.write_text(DEC_CPY)
    packed1 = bytes.fromhex("0003050C")       # +30.50
    packed2 = bytes.fromhex("0000005D")       # -0.05
    r1 = b"001" + b'AB"C\\   ' + packed1 + b"125" + b"X1" + b"01p" + b"Y " + b"100" + b"12345678901234567890"
    r2 = b"002" + b"        " + packed2 + b"000" + b"  " + b"000" + b"ZZ" + b"99y" + b"00000000000000000000"
    data = tmp_path / "rec.dat"
    data.write_bytes(r1 + r2)
    return cpy, data


def test_jsonl_decimals_keep_scale_groups_and_occurs(tmp_path):
    cpy, data = dec_file(tmp_path)
    out = tmp_path / "rec.jsonl"
    assert run("convert", data, out, "--copybook", cpy, "--dialect", "gnucobol") == 0
    lines = out.read_text().splitlines()
    assert lines[0] == ('{"R-ID":1,"R-NAME":"AB\\"C\\\\","R-AMT":30.50,"R-RATE":0.125,'
                        '"R-TBL":[{"R-CODE":"X1","R-QTY":-10},{"R-CODE":"Y","R-QTY":100}],'
                        '"R-BIG":12345678901234567890}')
    assert lines[1] == ('{"R-ID":2,"R-NAME":"","R-AMT":-0.05,"R-RATE":0.000,'
                        '"R-TBL":[{"R-CODE":"","R-QTY":0},{"R-CODE":"ZZ","R-QTY":-999}],'
                        '"R-BIG":0}')
    # valid JSON, numbers exact as Decimals
    row = json.loads(lines[0], parse_float=Decimal)
    assert row["R-AMT"] == Decimal("30.50") and row["R-BIG"] == 12345678901234567890


def test_flatten_csv_and_parquet(tmp_path):
    cpy, data = dec_file(tmp_path)
    csv = tmp_path / "rec.csv"
    assert run("convert", data, csv, "--copybook", cpy, "--dialect", "gnucobol") == 0
    text = csv.read_text().splitlines()
    assert text[0] == "R-ID,R-NAME,R-AMT,R-RATE,R-CODE-1,R-CODE-2,R-QTY-1,R-QTY-2,R-BIG"
    assert text[1] == '1,"AB""C\\",30.50,0.125,X1,Y,-10,100,12345678901234567890'
    pq = tmp_path / "rec.parquet"
    assert run("convert", data, pq, "--copybook", cpy, "--dialect", "gnucobol", "--raw") == 0
    frame = pl.read_parquet(pq)
    assert frame["R-AMT"].to_list() == [Decimal("30.50"), Decimal("-0.05")]
    assert frame["R-QTY"].to_list() == [[-10, 100], [0, -999]]
    assert frame["__record__"][0] == data.read_bytes()[:48]
    flat = tmp_path / "flat.parquet"
    assert run("convert", data, flat, "--copybook", cpy, "--dialect", "gnucobol", "--flatten") == 0
    assert pl.read_parquet(flat)["R-QTY-2"].to_list() == [100, -999]


KANJI_CPY = """
       01  JUMIN.
           05  J-NO        PIC 9(4).
           05  J-NAME      PIC X(20).
           05  J-KANA      PIC X(10).
           05  J-ZEI       PIC S9(7) COMP-3.
"""


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_ebcdic_cp930_to_cp932(tmp_path):
    """Input encoded by glibc iconv (IBM930), output checked against iconv CP932."""
    def iconv(text: str, to: str) -> bytes:
        return subprocess.run(["iconv", "-f", "UTF-8", "-t", to], input=text.encode(), check=True,
                              capture_output=True).stdout

    people = [(1, "静岡市役所", "ｼｽﾞｵｶ", 123456), (2, "山田 花子", "ﾔﾏﾀﾞ", -500)]

    def packed(v: int) -> bytes:
        digits = f"{abs(v):07d}"
        return bytes.fromhex(digits + ("d" if v < 0 else "c"))

    def field(b: bytes, width: int, space: bytes) -> bytes:
        assert len(b) <= width
        return b + space * (width - len(b))

    ebcdic = b"".join(iconv(f"{no:04d}", "IBM930") + field(iconv(name, "IBM930"), 20, b"\x40")
                      + field(iconv(kana, "IBM930"), 10, b"\x40") + packed(zei)
                      for no, name, kana, zei in people)
    src = tmp_path / "jumin.ebc"
    src.write_bytes(ebcdic)
    cpy = tmp_path / "JUMIN.cpy"
    cpy.write_text(KANJI_CPY)
    out = tmp_path / "jumin.sjis"
    assert run("convert", src, out, "--copybook", cpy, "--encoding", "cp930",
               "--to-encoding", "cp932", "--to-dialect", "gnucobol") == 0
    # text re-encoded to Shift_JIS (no SO/SI, padded with ASCII spaces); COMP-3 unchanged
    want = b"".join(iconv(f"{no:04d}", "CP932") + field(iconv(name, "CP932"), 20, b" ")
                    + field(iconv(kana, "CP932"), 10, b" ") + packed(zei)
                    for no, name, kana, zei in people)
    assert out.read_bytes() == want
    # and JSON from the EBCDIC side reads the same names
    js = tmp_path / "jumin.jsonl"
    assert run("convert", src, js, "--copybook", cpy, "--encoding", "cp930") == 0
    rows = [json.loads(l) for l in js.read_text(encoding="utf-8").splitlines()]
    assert [r["J-NAME"] for r in rows] == ["静岡市役所", "山田 花子"]
    assert [r["J-ZEI"] for r in rows] == [123456, -500]


@needs_legacy
def test_fixed_to_fixed_round_trip_and_vb(tmp_path):
    vb = tmp_path / "master.vb"
    assert run("convert", SAMPLES / "master-in.dat", vb, "--copybook", COPY / "SHUNOMST.cpy",
               "--dialect", "gnucobol", "--to-recfm", "VB") == 0
    raw = vb.read_bytes()
    assert len(raw) == 40 * 104 and raw[:4] == bytes.fromhex("00680000")
    back = tmp_path / "master.dat"
    assert run("convert", vb, back, "--copybook", COPY / "SHUNOMST.cpy", "--recfm", "VB",
               "--dialect", "gnucobol", "--to-recfm", "FB") == 0
    assert back.read_bytes() == (SAMPLES / "master-in.dat").read_bytes()


@needs_legacy
def test_errors_are_messages_with_exit_codes(tmp_path, capsys):
    out = tmp_path / "t.jsonl"
    assert run("convert", SAMPLES / "tran-in.dat", out, "--copybook", COPY / "NOFUTRN.cpy",
               "--dialect", "gnucobol") == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "record 11" in err and "NT-NOFU-GAKU" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []     # no partial output
    rej = tmp_path / "t.rej"
    assert run("convert", SAMPLES / "tran-in.dat", out, "--copybook", COPY / "NOFUTRN.cpy",
               "--dialect", "gnucobol", "--errors", "lenient", "--reject", rej) == 4
    assert len(out.read_text().splitlines()) == 27 and rej.stat().st_size == 2 * 60
    assert "records in 29, out 27, rejected 2" in capsys.readouterr().err
    # wrong LRECL: a wrong-length record error, not a traceback
    assert run("convert", SAMPLES / "tran-in.dat", out, "--copybook", COPY / "SHUNOMST.cpy") == 2
    assert "wrong-length record" in capsys.readouterr().err
    assert run("convert", tmp_path / "missing.dat", out, "--copybook", COPY / "SHUNOMST.cpy") == 2
    assert "not found" in capsys.readouterr().err


@needs_legacy
def test_command_line_subprocess_has_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "convert", str(SAMPLES / "tran-in.dat"),
                           str(tmp_path / "x.csv"), "--copybook", str(COPY / "NOFUTRN.cpy"),
                           "--recfm", "VB"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "not a VB file?" in proc.stderr and "Traceback" not in proc.stderr


def test_cobrix_mode_reads_little_endian_rdws_and_trims(tmp_path):
    """Cobrix's defaults for record_format=V: RDW 00 00 LL LL (little-endian, without the header),
    text trimmed at both ends, keys with '_'."""
    cpy = tmp_path / "R.cpy"
    cpy.write_text("       01  R.\n           05  R-ID    PIC 9(2).\n           05  R-NAME  PIC X(6).\n")
    data = tmp_path / "r.dat"
    recs = [b"\xf0\xf1\x40\xc1\xc2\x40\x40\x40", b"\xf0\xf2\xc3\x40\x40\x40\x40\x40"]
    data.write_bytes(b"".join(b"\x00\x00" + bytes([len(r), 0]) + r for r in recs))
    out = tmp_path / "r.jsonl"
    assert run("convert", data, out, "--copybook", cpy, "--cobrix", "--cobrix-option", "record_format=V") == 0
    assert out.read_text().splitlines() == ['{"R_ID":1,"R_NAME":"AB"}', '{"R_ID":2,"R_NAME":"C"}']
    assert run("convert", data, out, "--copybook", cpy, "--cobrix-option", "bogus=1") == 2
