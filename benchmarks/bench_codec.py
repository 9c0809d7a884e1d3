"""Field codec throughput on the collection master (SHUNOMST, 100 bytes, ASCII, GnuCOBOL
conventions), one core, with the compiled kernel and with the NumPy fallback, beside what
the machine does with the same bytes in the same run: reading them (from the page cache)
and copying them (memcpy).

    python3 -m pytest benchmarks/bench_codec.py -q -s                      # 1× the city's master
    DENSAN_BENCH_SCALE=4 python3 -m pytest benchmarks/bench_codec.py -q -s  # 4× (21,179,096)

Rows: the whole record (16 fields) decoded into a Polars frame and encoded back, and each
kind of field alone: zoned (9 fields, 58 bytes of each record), packed (5 fields, 25
bytes), text (the same records read through a text layout: key, person number, the two
flags and the filler as PIC X, 5 fields, 43 bytes) and binary (the 5 packed amounts
re-encoded as COMP: 8, 8, 8, 4, 2 bytes; SHUNOMST has no binary field). MB/s count the
bytes of the fields decoded or encoded, so the whole-record rows compare with the
raw-read and memcpy rates directly.

Paired and in CPU time: the file is taken a chunk (DENSAN_BENCH_CHUNK records, default
131,072, as read_dataset does) at a time, and each chunk is read from the page cache
(pread into a buffer), copied (memcpy), then decoded (or encoded) by each kernel in turn,
each step timed in the process's CPU seconds. On a shared machine the load then weighs on
every figure alike, and the ratios hold; the machine's wall-clock rates are printed at the
end (benchmarks/machine.py). Best of DENSAN_BENCH_ROUNDS (default 2) passes.
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
# (kind, op) -> {"compiled"/"python"/"read"/"memcpy": MB per CPU second}
RESULTS: dict[tuple[str, str], dict[str, float]] = {}


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


def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def _paired(kind, op, data, rc, collection_master) -> dict[str, float]:
    """One pass: every chunk read, copied, then decoded (or encoded) by each kernel."""
    cols = None if kind == "record" else KINDS[kind]
    spent = dict.fromkeys(["read", "memcpy", *KERNELS], 0.0)
    width = data.shape[1]
    buf = np.empty((CHUNK, width), dtype=np.uint8)
    with open(collection_master, "rb", buffering=0) as f:
        for i in range(0, len(data), CHUNK):
            chunk = data[i:i + CHUNK]
            k = len(chunk)
            view = memoryview(buf)[:k * width].cast("B")
            spent["read"] += _cpu(lambda: os.preadv(f.fileno(), [view], i * width))
            spent["memcpy"] += _cpu(lambda: np.copyto(buf[:k], chunk))
            if op == "encode":
                frame = rc.decode(chunk, columns=cols).frame
            for which in KERNELS:
                with kernel.use(which):
                    if op == "decode":
                        spent[which] += _cpu(lambda: rc.decode(chunk, columns=cols))
                    else:
                        out = []
                        spent[which] += _cpu(lambda: out.append(rc.encode(frame)))
                        if kind == "record":
                            assert np.array_equal(out[0], chunk)
    nbytes = len(data) * _field_bytes(kind, rc)
    base = len(data) * width
    return {w: (base if w in ("read", "memcpy") else nbytes) / max(t, 1e-9) / 1e6
            for w, t in spent.items()}


@pytest.mark.parametrize("op", ["decode", "encode"])
@pytest.mark.parametrize("kind", ["record", "zoned", "packed", "binary", "text"])
def test_codec(benchmark, kind, op, request, collection_master):
    data, rc = _source(kind, request)
    passes = []
    benchmark.pedantic(lambda: passes.append(_paired(kind, op, data, rc, collection_master)),
                       rounds=ROUNDS, iterations=1)
    best = {w: max(p[w] for p in passes) for w in passes[0]}
    RESULTS[(kind, op)] = best
    benchmark.extra_info.update({f"{w}_MB_per_cpu_s": round(v, 1) for w, v in best.items()})


def test_encode_with_raw_one_field_changed(benchmark, master, codec):
    """The SHUNO01 pattern: __record__ kept, one amount changed in every row (compiled
    kernel when built; wall clock)."""
    def encode():
        for i in range(0, len(master), CHUNK):
            f = codec.decode(master[i:i + CHUNK], keep_raw=True).frame
            codec.encode(f.with_columns(pl.col("SH-NOFU-GAKU") + 1))
    benchmark.pedantic(encode, rounds=1, iterations=1)


def test_report(master, collection_master, capsys):
    """The figures beside the machine's: a table on the terminal, rows for the issue's table."""
    rates = machine_rates(str(collection_master))
    sizes = {"record": 100, "zoned": 58, "packed": 25, "binary": 30, "text": 43}
    with capsys.disabled():
        print(f"\nSHUNOMST codecs, {len(master):,} records, MB per CPU second (one core), paired "
              f"chunk by chunk; machine (wall clock): {rates.line()}")
        print("| kind | bytes/record | op | compiled | NumPy fallback | compiled / fallback "
              "| read (page cache) | memcpy | compiled / read |")
        print("|---|---|---|---|---|---|---|---|---|")
        for (kind, op), r in RESULTS.items():
            c, p = r.get("compiled"), r.get("python")
            print(f"| {kind} | {sizes[kind]} | {op} | {c or 0:,.0f} | {p:,.0f} | "
                  f"{(c or 0) / p:.1f}× | {r['read']:,.0f} | {r['memcpy']:,.0f} | "
                  f"{(c or p) / r['read']:.0%} |")
    for op in ("decode", "encode"):
        r = RESULTS.get(("record", op))
        if r is None:
            continue
        c, p = r.get("compiled"), r["python"]
        row(f"{op} SHUNOMST, one core (MB per CPU second)",
            densan=(f"{c:,.0f} MB/s compiled kernel; " if c else "") + f"{p:,.0f} MB/s NumPy fallback",
            beside=f"reading the raw bytes {r['read']:,.0f} MB/s; memcpy {r['memcpy']:,.0f} MB/s",
            ratio=f"{(c or p) / r['read']:.0%} of the raw read" + (f"; {c / p:.1f}× the fallback" if c else ""),
            bench="bench_codec.py")
