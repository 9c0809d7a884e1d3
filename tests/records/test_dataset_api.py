"""The dataset API: read_dataset / scan_dataset / write_dataset on the legacy
samples (byte-exact round trips, GnuCOBOL dialect), lenient reads with a reject
dataset, streaming scans, and a cross-check against the `fixedwidth` package."""
from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from tests.conftest import LEGACY

pytest.importorskip("engine.records.codec")
pytest.importorskip("engine.copybook.parser")

from engine.copybook import parse_copybook  # noqa: E402
from engine.errors import RecordError  # noqa: E402
from engine.records import RecordFormat, read_dataset, read_records, scan_dataset, write_dataset  # noqa: E402
from engine.records.dataset import read_dataset_stats  # noqa: E402

pytestmark = pytest.mark.usefixtures("both_kernels")   # compiled kernel and NumPy fallback

SAMPLES = LEGACY / "samples" / "SHUNO01"
COPY = LEGACY / "copybooks"

needs_legacy = pytest.mark.skipif(not SAMPLES.is_dir(), reason="legacy samples not available")


@needs_legacy
@pytest.mark.parametrize("name, copybook", [("master-in.dat", "SHUNOMST"), ("master-out.dat", "SHUNOMST"),
                                            ("error-out.dat", "NOFUERR")])
def test_legacy_samples_round_trip_byte_exact(tmp_path, name, copybook):
    src = SAMPLES / name
    frame = read_dataset(src, COPY / f"{copybook}.cpy", dialect="gnucobol")
    out = tmp_path / name
    assert write_dataset(frame, out, COPY / f"{copybook}.cpy", dialect="gnucobol") == len(frame)
    assert out.read_bytes() == src.read_bytes()
    # and without the raw bytes: every field re-encoded from its value
    canon = tmp_path / ("canon-" + name)
    write_dataset(frame.drop("__record__"), canon, COPY / f"{copybook}.cpy", dialect="gnucobol")
    assert canon.read_bytes() == src.read_bytes()


@needs_legacy
def test_master_values_match_the_sample_readme():
    frame = read_dataset(SAMPLES / "master-in.dat", COPY / "SHUNOMST.cpy", dialect="gnucobol",
                         keep_raw=False)
    assert frame.height == 40
    # 2024 02 0000310005 installment 03: partly paid, 30,000 of 61,200
    row = frame.filter((pl.col("SH-KAMOKU") == 2) & (pl.col("SH-TSUCHI-NO") == 310005)
                       & (pl.col("SH-KIBETSU") == 3)).row(0, named=True)
    assert (row["SH-CHOTEI-GAKU"], row["SH-NOFU-GAKU"], row["SH-JOTAI"]) == (61200, 30000, "1")
    assert "__record__" not in frame.columns


@needs_legacy
def test_lenient_read_writes_rejects_same_recfm(tmp_path):
    rejects = tmp_path / "tran.rej"
    frame, stats = read_dataset_stats(SAMPLES / "tran-in.dat", COPY / "NOFUTRN.cpy", dialect="gnucobol",
                                      errors="lenient", reject_path=rejects)
    raw = (SAMPLES / "tran-in.dat").read_bytes()
    lrecl = len(raw) // 29
    assert stats.records_in == 29 and stats.rejected == 2
    assert frame.height == 27
    # the rejected records are records 11 and 28, byte for byte
    assert rejects.read_bytes() == raw[10 * lrecl:11 * lrecl] + raw[27 * lrecl:28 * lrecl]
    assert any("record 11" in m for m in stats.messages)


@needs_legacy
def test_strict_read_names_record_offset_and_field():
    with pytest.raises(RecordError) as err:
        read_dataset(SAMPLES / "tran-in.dat", COPY / "NOFUTRN.cpy", dialect="gnucobol")
    assert err.value.record == 11 and err.value.field == "NT-NOFU-GAKU"


@needs_legacy
def test_scan_dataset_streams_in_chunks_with_projection_and_filter():
    lf = scan_dataset(SAMPLES / "master-in.dat", COPY / "SHUNOMST.cpy", dialect="gnucobol",
                      chunk_records=7)
    assert isinstance(lf, pl.LazyFrame)
    eager = read_dataset(SAMPLES / "master-in.dat", COPY / "SHUNOMST.cpy", dialect="gnucobol")
    got = lf.filter(pl.col("SH-KAMOKU") == 1).select("SH-TSUCHI-NO", "SH-CHOTEI-GAKU").collect()
    want = eager.filter(pl.col("SH-KAMOKU") == 1).select("SH-TSUCHI-NO", "SH-CHOTEI-GAKU")
    assert got.equals(want) and got.height == 10
    total = lf.select(pl.col("SH-CHOTEI-GAKU").sum()).collect(engine="streaming").item()
    assert total == eager["SH-CHOTEI-GAKU"].sum()
    assert lf.head(3).collect().height == 3
    assert lf.collect().equals(eager)


TEXT_CPY = """
       01  PERSON.
           05  P-ID        PIC 9(5).
           05  P-NAME      PIC X(12).
           05  P-AMOUNT    PIC 9(5)V99.
           05  FILLER      PIC X(2).
           05  P-CITY      PIC X(6).
"""


def _text_file(tmp_path, rows):
    path = tmp_path / "people.dat"
    path.write_bytes("".join(rows).encode("ascii"))
    return path


ROWS = [f"{i:05d}{name:<12}{amount:07d}  {city:<6}" for i, name, amount, city in
        [(1, "ALICE", 12345, "TOKYO"), (42, "BOB", 9999999, "NAGOYA"), (300, "", 0, "")]]


def test_fixedwidth_package_cross_checks_text_path(tmp_path):
    """`fixedwidth` (an independent implementation) reads the same text fields."""
    from fixedwidth.fixedwidth import FixedWidth

    layout = parse_copybook(TEXT_CPY)
    path = _text_file(tmp_path, ROWS)
    frame = read_dataset(path, layout, keep_raw=False)
    config = {
        "P-ID": dict(type="integer", start_pos=1, length=5),
        "P-NAME": dict(type="string", start_pos=6, length=12),
        "P-AMOUNT": dict(type="integer", start_pos=18, length=7),
        "FILL": dict(type="string", start_pos=25, length=2),
        "P-CITY": dict(type="string", start_pos=27, length=6),
    }
    for spec in config.values():
        spec.update(required=False, alignment="left", padding=" ")
    for i, line in enumerate(ROWS):
        fw = FixedWidth(config)
        fw.line = line
        ref = fw.data
        got = frame.row(i, named=True)
        assert got["P-ID"] == ref["P-ID"]
        assert got["P-NAME"] == (ref["P-NAME"] or "").rstrip()
        assert got["P-AMOUNT"] == Decimal(ref["P-AMOUNT"]).scaleb(-2)
        assert got["P-CITY"] == (ref["P-CITY"] or "").rstrip()


def test_write_is_atomic_and_leaves_no_temp_on_error(tmp_path):
    layout = parse_copybook(TEXT_CPY)
    frame = read_dataset(_text_file(tmp_path, ROWS), layout)
    out = tmp_path / "out" / "people.dat"
    write_dataset(frame, out, layout)
    assert out.read_bytes() == "".join(ROWS).encode()
    before = out.read_bytes()
    bad = frame.drop("__record__").with_columns(pl.lit(10**9).alias("P-ID"))
    with pytest.raises(Exception):
        write_dataset(bad, out, layout)
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["people.dat"]


def test_line_sequential_dataset_short_lines(tmp_path):
    layout = parse_copybook(TEXT_CPY)
    path = tmp_path / "people.txt"
    path.write_bytes(b"00001ALICE       0012345  TOKYO\r\n00002BOB         0000007\r\n")
    frame = read_dataset(path, layout, recfm="LS", keep_raw=False)
    assert frame["P-NAME"].to_list() == ["ALICE", "BOB"]
    assert frame["P-CITY"].to_list() == ["TOKYO", ""]
    assert frame["P-AMOUNT"].to_list() == [Decimal("123.45"), Decimal("0.07")]


def test_variable_dataset_round_trip(tmp_path):
    layout = parse_copybook(TEXT_CPY)
    fixed = read_records(_text_file(tmp_path, ROWS), RecordFormat("F", lrecl=32))
    from engine.records import write_records
    vb = tmp_path / "people.vb"
    write_records(vb, fixed, RecordFormat("VB"))
    frame = read_dataset(vb, layout, recfm="VB")
    assert frame["P-ID"].to_list() == [1, 42, 300]
    out = tmp_path / "again.vb"
    write_dataset(frame, out, layout, recfm="VB")
    assert out.read_bytes() == vb.read_bytes()
    assert out.read_bytes()[:4] == bytes.fromhex("00240000")   # 32 + 4, z/OS RDW


def test_empty_dataset(tmp_path):
    layout = parse_copybook(TEXT_CPY)
    empty = tmp_path / "empty.dat"
    empty.write_bytes(b"")
    frame = read_dataset(empty, layout)
    assert frame.height == 0 and "P-ID" in frame.columns
    assert write_dataset(frame, tmp_path / "e2.dat", layout) == 0
    assert (tmp_path / "e2.dat").read_bytes() == b""


def test_line_sequential_round_trip_keeps_lines_and_strips_new_ones(tmp_path):
    layout = parse_copybook(TEXT_CPY)
    raw = b"00001ALICE       0012345  TOKYO \n00002BOB         0000000\n"
    path = tmp_path / "p.txt"
    path.write_bytes(raw)
    frame = read_dataset(path, layout, recfm="LS")
    out = tmp_path / "o.txt"
    write_dataset(frame, out, layout, recfm="LS")
    assert out.read_bytes() == raw                          # lines as they were
    write_dataset(frame.drop("__record__"), out, layout, recfm="LS")
    assert out.read_bytes() == (b"00001ALICE       0012345  TOKYO\n"
                                b"00002BOB         0000000\n")  # trailing spaces dropped


@needs_legacy
def test_scan_dataset_errors_surface_as_record_errors_and_lenient_rejects(tmp_path):
    lf = scan_dataset(SAMPLES / "tran-in.dat", COPY / "NOFUTRN.cpy", dialect="gnucobol")
    with pytest.raises(RecordError) as err:
        lf.collect()
    assert err.value.record == 11
    rejects = tmp_path / "scan.rej"
    lf = scan_dataset(SAMPLES / "tran-in.dat", COPY / "NOFUTRN.cpy", dialect="gnucobol",
                      errors="lenient", reject_path=rejects, chunk_records=10)
    assert lf.select(pl.len()).collect().item() == 27
    assert rejects.stat().st_size == 2 * 60


def test_copybook_sizes_follow_the_data_dialect(tmp_path):
    """ASCII data defaults to the GnuCOBOL dialect, where PIC 9(2) COMP is one byte; the
    copybook must be laid out with the same dialect the codec decodes with."""
    from engine.records.dataset import read_dataset, write_dataset

    cpy = tmp_path / "SMALL.cpy"
    cpy.write_text("       01 R.\n           05 A PIC 9(2) COMP.\n           05 B PIC X(3).\n")
    data = tmp_path / "small.dat"
    data.write_bytes(b"\x07abc\x2axyz")           # 4-byte records under GnuCOBOL sizes
    frame = read_dataset(data, cpy, encoding="ascii")
    assert frame["A"].to_list() == [7, 42] and frame["B"].to_list() == ["abc", "xyz"]
    out = tmp_path / "out.dat"
    write_dataset(frame, out, cpy, encoding="ascii")
    assert out.read_bytes() == data.read_bytes()
    ibm = read_dataset(tmp_path / "small.dat", cpy, encoding="ascii", dialect="ibm", recfm="F", lrecl=4)
    assert ibm.height == 2   # explicit dialect still wins (IBM: 2-byte binary)
