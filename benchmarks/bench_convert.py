"""`densan convert` of the collection master (SHUNOMST, ASCII, FB 100) to Parquet, as a
whole process, beside what the machine does with the same bytes in the same run:

(a) reading the raw bytes (the page cache holds the master: every run reads it first);
(b) pyarrow writing the same bytes to Parquet as one fixed-width binary column
    (FixedSizeBinary(100), zstd, row groups of 262,144 records like densan's): the cost of
    Parquet and compression without decoding a single field;
(c) Cobrix on Spark local[2], issue #14's peer, cannot run here: Spark and the Cobrix jars
    come from Maven Central, which this machine cannot reach. The issue measured 69.6 s
    for it beside densan's 6.0 s on its machine.

    python -m pytest benchmarks/bench_convert.py -s          # DENSAN_BENCH_SCALE=4 for 4×

densan's output is checked: as many rows as records, every field a column, and the
decoded key fields of the first and last record equal to their bytes.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from benchmarks.machine import mib, ratio, read_rate, row, run_process, seconds

LRECL = 100
ROW_GROUP = 262_144
RESULTS: dict[str, float] = {}


def test_baseline_raw_read(benchmark, collection_master):
    read_rate(collection_master)                 # into the page cache, as for everyone below
    rate = benchmark.pedantic(read_rate, args=(collection_master,), rounds=3, iterations=1)
    RESULTS["raw"] = benchmark.stats.stats.median
    benchmark.extra_info["GB_per_s"] = round(rate / 1e9, 2)


def test_baseline_pyarrow_binary_column(benchmark, collection_master, tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = tmp_path / "binary.parquet"

    def write():
        data = np.fromfile(collection_master, np.uint8)
        n = len(data) // LRECL
        schema = pa.schema([("record", pa.binary(LRECL))])
        with pq.ParquetWriter(out, schema, compression="zstd") as writer:
            for start in range(0, n, ROW_GROUP):
                part = data[start * LRECL:min(n, start + ROW_GROUP) * LRECL]
                column = pa.FixedSizeBinaryArray.from_buffers(pa.binary(LRECL), len(part) // LRECL,
                                                              [None, pa.py_buffer(part)])
                writer.write_table(pa.table([column], schema=schema))
        return n
    n = benchmark.pedantic(write, rounds=1, iterations=1)
    assert pq.ParquetFile(out).metadata.num_rows == n
    RESULTS["pyarrow"] = benchmark.stats.stats.median
    benchmark.extra_info["MB_per_s"] = round(n * LRECL / RESULTS["pyarrow"] / 1e6, 1)


def test_densan_convert(benchmark, collection_master, tmp_path):
    import pyarrow.parquet as pq
    out = tmp_path / "master.parquet"
    argv = [sys.executable, "-m", "engine.cli", "convert", str(collection_master), str(out),
            "--copybook", "SHUNOMST", "--encoding", "ascii", "--recfm", "FB", "--lrecl", str(LRECL)]
    env = {**os.environ, "DENSAN_HOME": str(tmp_path / "home")}
    peaks = []

    def convert():
        out.unlink(missing_ok=True)
        seconds_, peak = run_process(argv, env)
        peaks.append(peak)
    benchmark.pedantic(convert, rounds=1, iterations=1)
    t = benchmark.stats.stats.median
    n = collection_master.stat().st_size // LRECL
    meta = pq.ParquetFile(out)
    assert meta.metadata.num_rows == n
    assert "SH-TSUCHI-NO" in meta.schema_arrow.names
    _check_ends(out, collection_master, n)
    figures = {"seconds": round(t, 2), "MB_per_s": round(n * LRECL / t / 1e6, 1), "peak_rss": max(peaks)}
    benchmark.extra_info.update(figures)
    beside, ratios = [], []
    if "pyarrow" in RESULTS:
        beside.append(f"pyarrow writing the bytes as a binary column {seconds(RESULTS['pyarrow'])}")
        ratios.append(ratio(t, RESULTS["pyarrow"]))
    if "raw" in RESULTS:
        beside.append(f"raw read {seconds(RESULTS['raw'])}")
        ratios.append(ratio(t, RESULTS["raw"]))
    row("`densan convert` master → Parquet (zstd), whole process",
        densan=f"{seconds(t)} ({figures['MB_per_s']:.0f} MB/s), peak {mib(max(peaks))}",
        beside="; ".join(beside + ["Cobrix on Spark: not runnable here (no Maven Central)"]),
        ratio="; ".join(ratios), bench="bench_convert.py")


def _check_ends(parquet: Path, master: Path, n: int) -> None:
    """The key fields of the first and last record, as converted, equal their bytes."""
    import pyarrow.parquet as pq
    table = pq.read_table(parquet, columns=["SH-TSUCHI-NO"])
    with open(master, "rb") as f:
        first = f.read(LRECL)
        f.seek((n - 1) * LRECL)
        last = f.read(LRECL)
    column = table.column("SH-TSUCHI-NO")
    for record, value in ((first, column[0].as_py()), (last, column[n - 1].as_py())):
        assert record[6:16] == b"%010d" % value, (value, record)     # SH-TSUCHI-NO, bytes 7-16
