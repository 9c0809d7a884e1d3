"""RecordCodec throughput on the collection master (SHUNOMST, 100 bytes, ASCII,
GnuCOBOL conventions), beside two baselines measured in the same run:
(a) reading the raw bytes, (b) a straightforward per-record Python decoder
(run on a sample and scaled).

    DENSAN_BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_codec.py -q

Size: DENSAN_BENCH_RECORDS (default 5,294,774, the host's master). Chunks of
DENSAN_BENCH_CHUNK records (default 131,072) are decoded one after another,
as read_dataset does.
"""
from __future__ import annotations

import os
import time

import numpy as np
import polars as pl
import pytest

from engine.copybook import parse_copybook
from engine.records.codec import RecordCodec
from tests.conftest import LEGACY

CHUNK = int(os.environ.get("DENSAN_BENCH_CHUNK", 131_072))
SAMPLE = 200_000


@pytest.fixture(scope="module")
def master(collection_master) -> np.ndarray:
    return np.fromfile(collection_master, dtype=np.uint8).reshape(-1, 100)


@pytest.fixture(scope="module")
def codec() -> RecordCodec:
    layout = parse_copybook((LEGACY / "copybooks" / "SHUNOMST.cpy").read_text())
    return RecordCodec(layout, "ascii", "gnucobol")


def _rates(benchmark, nbytes: int, nrecords: int, **extra) -> None:
    t = benchmark.stats.stats.min
    benchmark.extra_info.update({"MB_per_s": round(nbytes / t / 1e6, 1),
                                 "records_per_s": round(nrecords / t), **extra})


def _python_decode(data: np.ndarray) -> list[tuple]:
    """The obvious per-record decoder: what a first port would do."""
    out = []
    for rec in map(bytes, data):
        def z(a, b):
            return int(rec[a:b])

        def p(a, b):
            h = rec[a:b].hex()
            return -int(h[:-1]) if h[-1] in "bd" else int(h[:-1])
        out.append((z(0, 4), z(4, 6), z(6, 16), z(16, 18), z(18, 28), z(28, 36), p(36, 42),
                    p(42, 48), p(48, 54), p(54, 59), z(59, 67), z(67, 75),
                    rec[75:76].decode().rstrip(), rec[76:77].decode().rstrip(), z(77, 85), p(85, 87)))
    return out


def test_baseline_read_bytes(benchmark, collection_master, master):
    def read():
        return np.fromfile(collection_master, dtype=np.uint8)
    benchmark.pedantic(read, rounds=3, iterations=1)
    _rates(benchmark, master.nbytes, len(master))


def test_baseline_python_per_record(benchmark, master):
    sample = master[:SAMPLE]
    benchmark.pedantic(_python_decode, args=(sample,), rounds=1, iterations=1)
    t = benchmark.stats.stats.min
    benchmark.extra_info.update({"MB_per_s": round(sample.nbytes / t / 1e6, 1),
                                 "records_per_s": round(len(sample) / t),
                                 "scaled_seconds_for_file": round(t * len(master) / len(sample), 1)})


def test_decode(benchmark, master, codec):
    def decode():
        return [codec.decode(master[i:i + CHUNK]).frame for i in range(0, len(master), CHUNK)]
    frames = benchmark.pedantic(decode, rounds=3, iterations=1)
    assert sum(f.height for f in frames) == len(master)
    _rates(benchmark, master.nbytes, len(master), chunk=CHUNK)


def test_decode_keep_raw(benchmark, master, codec):
    def decode():
        return [codec.decode(master[i:i + CHUNK], keep_raw=True).frame
                for i in range(0, len(master), CHUNK)]
    benchmark.pedantic(decode, rounds=2, iterations=1)
    _rates(benchmark, master.nbytes, len(master), chunk=CHUNK)


def test_encode(benchmark, master, codec):
    frames = [codec.decode(master[i:i + CHUNK]).frame for i in range(0, len(master), CHUNK)]

    def encode():
        return [codec.encode(f) for f in frames]
    out = benchmark.pedantic(encode, rounds=3, iterations=1)
    assert np.array_equal(np.concatenate(out[:1]), master[:CHUNK])
    _rates(benchmark, master.nbytes, len(master), chunk=CHUNK)


def test_encode_with_raw_one_field_changed(benchmark, master, codec):
    """The SHUNO01 pattern: __record__ kept, one amount changed in every row."""
    frames = [codec.decode(master[i:i + CHUNK], keep_raw=True).frame
              .with_columns(pl.col("SH-NOFU-GAKU") + 1) for i in range(0, len(master), CHUNK)]

    def encode():
        return [codec.encode(f) for f in frames]
    benchmark.pedantic(encode, rounds=2, iterations=1)
    _rates(benchmark, master.nbytes, len(master), chunk=CHUNK)


def test_report_wall_clock(master, codec, capsys):
    """Plain timings for the README, independent of pytest-benchmark's table."""
    t = time.perf_counter()
    for i in range(0, len(master), CHUNK):
        codec.decode(master[i:i + CHUNK])
    d = time.perf_counter() - t
    with capsys.disabled():
        print(f"\nSHUNOMST decode: {len(master):,} records, {master.nbytes / d / 1e6:.0f} MB/s")
