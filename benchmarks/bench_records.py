"""Record formats, the dataset API and `densan convert` on the collection master
(SHUNOMST, 100 bytes, ASCII, GnuCOBOL), beside baselines measured in the same run:
reading the raw bytes, a per-record Python RDW walk (struct), and json.dumps per
record (both on a sample, scaled to the file).

    DENSAN_BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_records.py -q -s

Size: DENSAN_BENCH_RECORDS (default 5,294,774, the host's master); the VB copy of
the master (record lengths 60-100) is made once beside it.
"""
from __future__ import annotations

import json
import os
import struct
import time
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from engine.records import RecordFormat, read_records, scan_dataset, write_records
from engine.records.dataset import read_dataset
from tests.conftest import LEGACY

COPYBOOK = LEGACY / "copybooks" / "SHUNOMST.cpy"
SAMPLE = 200_000


@pytest.fixture(scope="module")
def master_vb(collection_master) -> Path:
    """The master as VB: z/OS RDWs, each record cut to 60-100 bytes (seeded)."""
    path = collection_master.with_suffix(".vb")
    if not path.exists():
        block = read_records(collection_master, RecordFormat("FB", lrecl=100))
        rng = np.random.default_rng(7)
        block.lengths = rng.integers(60, 101, len(block)).astype(np.int32)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        write_records(tmp, block, RecordFormat("VB"))
        os.replace(tmp, path)
    return path


def _rates(benchmark, nbytes: int, nrecords: int, **extra) -> None:
    t = benchmark.stats.stats.min
    benchmark.extra_info.update({"MB_per_s": round(nbytes / t / 1e6, 1),
                                 "records_per_s": round(nrecords / t), **extra})


def _records(path: Path) -> int:
    return path.stat().st_size // 100


def test_baseline_read_bytes(benchmark, collection_master):
    benchmark.pedantic(np.fromfile, args=(collection_master,), kwargs={"dtype": np.uint8},
                       rounds=3, iterations=1)
    _rates(benchmark, collection_master.stat().st_size, _records(collection_master))


def test_read_fixed(benchmark, collection_master):
    block = benchmark.pedantic(read_records, args=(collection_master, RecordFormat("FB", lrecl=100)),
                               rounds=3, iterations=1)
    _rates(benchmark, collection_master.stat().st_size, len(block))


def _python_rdw_walk(raw: bytes, limit: int) -> list[bytes]:
    """The obvious reader: struct per RDW, a bytes slice per record."""
    out, pos = [], 0
    while pos < len(raw) and len(out) < limit:
        length, zero = struct.unpack_from(">HH", raw, pos)
        out.append(raw[pos + 4:pos + length])
        pos += length
    return out


def test_baseline_python_rdw_walk(benchmark, master_vb, collection_master):
    raw = master_vb.read_bytes()
    got = benchmark.pedantic(_python_rdw_walk, args=(raw, SAMPLE), rounds=1, iterations=1)
    t = benchmark.stats.stats.min
    total = _records(collection_master)
    benchmark.extra_info.update({"records_per_s": round(len(got) / t),
                                 "scaled_seconds_for_file": round(t * total / len(got), 2)})


def test_read_vb(benchmark, master_vb, collection_master):
    block = benchmark.pedantic(read_records, args=(master_vb, RecordFormat("VB")), rounds=2,
                               iterations=1)
    assert len(block) == _records(collection_master)
    _rates(benchmark, master_vb.stat().st_size, len(block))


def test_write_vb(benchmark, collection_master, tmp_path):
    block = read_records(collection_master, RecordFormat("FB", lrecl=100))
    benchmark.pedantic(write_records, args=(tmp_path / "out.vb", block, RecordFormat("VB", bdw=True)),
                       rounds=2, iterations=1)
    _rates(benchmark, collection_master.stat().st_size, len(block))


def test_read_dataset(benchmark, collection_master):
    frame = benchmark.pedantic(read_dataset, args=(collection_master, COPYBOOK),
                               kwargs={"dialect": "gnucobol", "keep_raw": False}, rounds=1, iterations=1)
    _rates(benchmark, collection_master.stat().st_size, frame.height)


def test_scan_dataset_streaming_sum(benchmark, collection_master):
    def total():
        lf = scan_dataset(collection_master, COPYBOOK, dialect="gnucobol")
        return lf.select(pl.col("SH-CHOTEI-GAKU").sum()).collect(engine="streaming").item()
    benchmark.pedantic(total, rounds=1, iterations=1)
    _rates(benchmark, collection_master.stat().st_size, _records(collection_master))


def test_baseline_json_dumps_per_record(benchmark, collection_master):
    frame = read_dataset(collection_master, COPYBOOK, dialect="gnucobol", keep_raw=False).head(SAMPLE)
    rows = frame.to_dicts()

    def dumps():
        return "\n".join(json.dumps(r, default=str) for r in rows)
    benchmark.pedantic(dumps, rounds=1, iterations=1)
    t = benchmark.stats.stats.min
    benchmark.extra_info.update({"records_per_s": round(len(rows) / t),
                                 "scaled_seconds_for_file":
                                     round(t * _records(collection_master) / len(rows), 2),
                                 "note": "serialising only; decoding not included"})


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet", ".csv", ".ebc"])
def test_convert(benchmark, collection_master, tmp_path, suffix):
    from engine.commands.convert import run_convert
    out = tmp_path / f"master{suffix}"
    extra = {"to_encoding": "cp930", "to_dialect": "ibm"} if suffix == ".ebc" else {}

    def convert():
        return run_convert(collection_master, out, copybook=COPYBOOK, dialect="gnucobol",
                           progress=False, **extra)
    result = benchmark.pedantic(convert, rounds=1, iterations=1)
    _rates(benchmark, collection_master.stat().st_size, result["in"])


def test_report_wall_clock(collection_master, master_vb, tmp_path, capsys):
    """Plain timings for the README."""
    from engine.commands.convert import run_convert
    n = _records(collection_master)
    lines = []
    t = time.perf_counter()
    read_records(master_vb, RecordFormat("VB"))
    lines.append(f"VB read: {n:,} records in {time.perf_counter() - t:.2f}s")
    for suffix in (".jsonl", ".parquet"):
        t = time.perf_counter()
        run_convert(collection_master, tmp_path / f"m{suffix}", copybook=COPYBOOK, dialect="gnucobol",
                    progress=False)
        lines.append(f"convert -> {suffix}: {n:,} records in {time.perf_counter() - t:.2f}s")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
