"""Field codec throughput on the collection master (SHUNOMST, 100 bytes, ASCII, GnuCOBOL
conventions), one core, with the compiled kernel and with the NumPy fallback, beside what
the machine does with the same bytes in the same run: reading them (raw read, page cache
and disk) and copying them (memcpy), from benchmarks/machine.py.

    python3 -m pytest benchmarks/bench_codec.py -q -s                      # 1× the city's master
    DENSAN_BENCH_SCALE=4 python3 -m pytest benchmarks/bench_codec.py -q -s  # 4× (21,179,096)

Rows: the whole record (16 fields) decoded into a Polars frame and encoded back, and each
kind of field alone: zoned (9 fields, 58 bytes of each record), packed (5 fields, 25
bytes), text (the same records read through a text layout: key, person number, the two
flags and the filler as PIC X, 5 fields, 43 bytes) and binary (the 5 packed amounts re-encoded as COMP:
8, 8, 8, 4, 2 bytes; SHUNOMST has no binary field). MB/s count the bytes of the fields
decoded or encoded; the whole-record rows count the records' 100 bytes, so they compare
with the raw-read rate directly. Chunks of DENSAN_BENCH_CHUNK records (default 131,072)
one after another, as read_dataset does; the master is memory-mapped (its pages cached by
the first pass). Each timing is the best of DENSAN_BENCH_ROUNDS (default 2) passes.
"""
from __future__ import annotations

import os
import time

import numpy as np
import polars as pl
import pytest

from benchmarks.machine import machine_rates, row
from engine.copybook import parse_copybook
from engine.records import kernel
from engine.records.codec import RecordCodec
from tests.conftest import LEGACY

CHUNK = int(os.environ.get("DENSAN_BENCH_CHUNK", 131_072))
ROUNDS = int(os.environ.get("DENSAN_BENCH_ROUNDS", 2))
KERNELS = kernel.available()
KINDS = {"zoned": ["SH-NENDO", "SH-KAMOKU", "SH-TSUCHI-NO", "SH-KIBETSU", "SH-KOJIN-NO",
                   "SH-NOKIGEN", "SH-SHUNYU-BI", "SH-TOKUSOKU-BI", "SH-KOSHIN-BI"],
         "packed": ["SH-CHOTEI-GAKU", "SH-NOFU-GAKU", "SH-KANPU-GAKU", "SH-ENTAI-GAKU",
                    "SH-NOFU-KAISU"],
         "text": ["T-KEY", "T-KOJIN", "T-JOTAI", "T-KOFURI", "T-TAIL"],
         "binary": ["B-CHOTEI", "B-NOFU", "B-KANPU", "B-ENTAI", "B-KAISU"]}
BINARY_COPYBOOK = """\
       01  SHUNOBIN-REC.
           05  B-CHOTEI   PIC S9(11) COMP.
           05  B-NOFU     PIC S9(11) COMP.
           05  B-KANPU    PIC S9(11) COMP.
           05  B-ENTAI    PIC S9(9)  COMP.
           05  B-KAISU    PIC 9(3)   COMP.
"""
TEXT_COPYBOOK = """\
       01  SHUNOTXT-REC.
           05  T-KEY      PIC X(18).
           05  T-KOJIN    PIC X(10).
           05  FILLER     PIC X(47).
           05  T-JOTAI    PIC X(1).
           05  T-KOFURI   PIC X(1).
           05  FILLER     PIC X(10).
           05  T-TAIL     PIC X(13).
"""
RESULTS: dict[tuple[str, str, str], float] = {}      # (kind, kernel, decode|encode) -> MB/s


@pytest.fixture(scope="module")
def master(collection_master) -> np.ndarray:
    m = np.memmap(collection_master, dtype=np.uint8, mode="r").reshape(-1, 100)
    for i in range(0, len(m), 1 << 20):         # pages into the cache before any timing
        m[i:i + (1 << 20)].sum()
    return m


@pytest.fixture(scope="module")
def codec() -> RecordCodec:
    return RecordCodec(parse_copybook((LEGACY / "copybooks" / "SHUNOMST.cpy").read_text()),
                       "ascii", "gnucobol")


@pytest.fixture(scope="module")
def binary_master(master, codec) -> tuple[np.ndarray, RecordCodec]:
    """The master's amounts as binary (COMP) records, built once (not timed)."""
    bcodec = RecordCodec(parse_copybook(BINARY_COPYBOOK), "ascii", "gnucobol")
    out = np.empty((len(master), bcodec.record_length), dtype=np.uint8)
    for i in range(0, len(master), CHUNK):
        f = codec.decode(master[i:i + CHUNK], columns=KINDS["packed"]).frame
        out[i:i + CHUNK] = bcodec.encode(f.rename(dict(zip(KINDS["packed"], KINDS["binary"]))))
    return out, bcodec


def _source(kind, request):
    if kind == "binary":
        return request.getfixturevalue("binary_master")
    if kind == "text":      # the master's key, person number, flags and filler read as text
        return (request.getfixturevalue("master"),
                RecordCodec(parse_copybook(TEXT_COPYBOOK), "ascii", "gnucobol"))
    return request.getfixturevalue("master"), request.getfixturevalue("codec")


def _field_bytes(kind: str, codec: RecordCodec) -> int:
    if kind == "record":
        return codec.record_length
    return sum(codec._by_name[c].codec.size for c in KINDS[kind])


def _best(fn) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


@pytest.mark.parametrize("which", KERNELS)
@pytest.mark.parametrize("kind", ["record", "zoned", "packed", "binary", "text"])
def test_decode(benchmark, kind, which, request):
    data, rc = _source(kind, request)
    cols = None if kind == "record" else KINDS[kind]

    def decode():
        for i in range(0, len(data), CHUNK):
            rc.decode(data[i:i + CHUNK], columns=cols)
    with kernel.use(which):
        benchmark.pedantic(decode, rounds=ROUNDS, iterations=1)
    t = benchmark.stats.stats.min
    RESULTS[(kind, which, "decode")] = len(data) * _field_bytes(kind, rc) / t / 1e6
    benchmark.extra_info.update({"MB_per_s": round(RESULTS[(kind, which, "decode")], 1),
                                 "records_per_s": round(len(data) / t)})


@pytest.mark.parametrize("which", KERNELS)
@pytest.mark.parametrize("kind", ["record", "zoned", "packed", "binary", "text"])
def test_encode(benchmark, kind, which, request):
    """Each chunk is decoded (not timed), then encoded (timed); the bytes are checked."""
    data, rc = _source(kind, request)
    cols = None if kind == "record" else KINDS[kind]
    spent = []

    def encode():
        total = 0.0
        for i in range(0, len(data), CHUNK):
            frame = rc.decode(data[i:i + CHUNK], columns=cols).frame
            t = time.perf_counter()
            out = rc.encode(frame)
            total += time.perf_counter() - t
            if i == 0 and kind == "record":
                assert np.array_equal(out, data[:CHUNK])
        spent.append(total)
    with kernel.use(which):
        benchmark.pedantic(encode, rounds=ROUNDS, iterations=1)
    t = min(spent)
    RESULTS[(kind, which, "encode")] = len(data) * _field_bytes(kind, rc) / t / 1e6
    benchmark.extra_info.update({"MB_per_s": round(RESULTS[(kind, which, "encode")], 1),
                                 "records_per_s": round(len(data) / t), "encode_seconds": round(t, 3)})


def test_encode_with_raw_one_field_changed(benchmark, master, codec):
    """The SHUNO01 pattern: __record__ kept, one amount changed in every row (compiled
    kernel when built)."""
    def encode():
        for i in range(0, len(master), CHUNK):
            f = codec.decode(master[i:i + CHUNK], keep_raw=True).frame
            codec.encode(f.with_columns(pl.col("SH-NOFU-GAKU") + 1))
    benchmark.pedantic(encode, rounds=1, iterations=1)


def test_report(master, collection_master, capsys):
    """The figures beside the machine's: a table on the terminal, rows for the issue's table."""
    rates = machine_rates(str(collection_master))
    raw_mbs = rates.cached_read_gbs * 1e3
    with capsys.disabled():
        print(f"\nSHUNOMST codecs, {len(master):,} records, one core; machine: {rates.line()}")
        print("| kind | bytes/record | kernel | decode MB/s | encode MB/s | decode / raw read |")
        print("|---|---|---|---|---|---|")
        for kind in ("record", "zoned", "packed", "binary", "text"):
            size = {"record": 100, "zoned": 58, "packed": 25, "binary": 30, "text": 43}[kind]
            for which in KERNELS:
                d, e = RESULTS.get((kind, which, "decode")), RESULTS.get((kind, which, "encode"))
                if d is None or e is None:
                    continue
                print(f"| {kind} | {size} | {which} | {d:,.0f} | {e:,.0f} | {d / raw_mbs:.0%} |")
        for kind in ("record", "zoned", "packed", "binary", "text"):
            c, p = (RESULTS.get((kind, w, "decode")) for w in ("compiled", "python"))
            ce, pe = (RESULTS.get((kind, w, "encode")) for w in ("compiled", "python"))
            if None not in (c, p, ce, pe):
                print(f"{kind}: compiled / fallback = {c / p:.1f}× decode, {ce / pe:.1f}× encode")
    for what, op in (("decode SHUNOMST, one core", "decode"), ("encode SHUNOMST, one core", "encode")):
        for which in KERNELS:
            v = RESULTS.get(("record", which, op))
            if v is None:
                continue
            row(f"{what} ({which} kernel)", densan=f"{v:,.0f} MB/s",
                beside=f"raw read {raw_mbs:,.0f} MB/s (page cache), memcpy {rates.memcpy_gbs * 1e3:,.0f} MB/s",
                ratio=f"{v / raw_mbs:.0%} of the raw read", bench="bench_codec.py")
