"""SORT throughput on the collection master (SHUNOMST, 100-byte records, key 1-18 CH),
beside baselines measured in the same run:
(a) GNU sort (`LC_ALL=C sort -s -k1.1,1.18`) on the same records as text lines, file to file
    (a whole process, its peak RSS measured);
(b) a Polars binary sort, file to file: the records read into a Binary column beside their
    18-byte key, sorted by the key (maintain_order), written back;
(c) a Polars sort (maintain_order) of an already-decoded frame (key columns plus the raw
    record as Binary), in memory — decoding not timed.
densan is timed file to file like GNU sort: read, sort, write — in this process
(`engine.sort.program.execute`) and as a whole `densan sort` process (issue #14's row).

    python -m pytest benchmarks/bench_sort.py -s        # DENSAN_BENCH_SCALE=4 for 4× the master
    DENSAN_BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_sort.py -q

Size: DENSAN_BENCH_RECORDS (default 5,294,774, the host's master). The master is
generated in key order, so it is first shuffled (fixed seed) into a cached copy beside it.
Run the file in order (no -n): the densan tests put the baselines beside their own figures.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.machine import mib, ratio, row, run_process, seconds
from engine.records import RecordFormat, write_records
from engine.sort.program import execute

LRECL = 100
RESULTS: dict[str, dict] = {}


def _cached(target: Path, make) -> Path:
    if not target.exists():
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        make(tmp)
        os.replace(tmp, target)
    return target


@pytest.fixture(scope="module")
def shuffled(collection_master) -> Path:
    def make(path):
        data = np.fromfile(collection_master, np.uint8).reshape(-1, LRECL)
        np.take(data, np.random.default_rng(3).permutation(len(data)), axis=0).tofile(path)
    return _cached(collection_master.with_name(collection_master.stem + ".shuffled.dat"), make)


@pytest.fixture(scope="module")
def as_lines(shuffled) -> Path:
    def make(path):
        data = np.fromfile(shuffled, np.uint8).reshape(-1, LRECL)
        assert not (data == 0x0A).any(), "records hold a newline byte; GNU sort would split them"
        lines = np.empty((len(data), LRECL + 1), np.uint8)
        lines[:, :LRECL], lines[:, LRECL] = data, 0x0A
        lines.tofile(path)
    return _cached(shuffled.with_suffix(".lines.txt"), make)


def _rates(benchmark, name: str, nrecords: int) -> dict:
    t = benchmark.stats.stats.min
    figures = {"seconds": round(t, 2), "records_per_s": round(nrecords / t),
               "MB_per_s": round(nrecords * LRECL / t / 1e6, 1)}
    RESULTS[name] = figures
    benchmark.extra_info.update(figures)
    return figures


@pytest.mark.skipif(shutil.which("sort") is None, reason="GNU sort not installed")
def test_baseline_gnu_sort(benchmark, as_lines, tmp_path):
    out = tmp_path / "gnu.txt"
    env = {**os.environ, "LC_ALL": "C"}

    peaks = []

    def gnu():
        peaks.append(run_process(["sort", "-s", "-k1.1,1.18", "-o", str(out), str(as_lines)], env)[1])
    benchmark.pedantic(gnu, rounds=1, iterations=1)
    _rates(benchmark, "gnu_sort", as_lines.stat().st_size // (LRECL + 1))["peak_rss"] = max(peaks)
    out.unlink()


def test_baseline_polars_binary_sort(benchmark, shuffled, collection_master, tmp_path):
    """File to file: each record's first 18 bytes as a Binary column, sorted by Polars
    (stable), the records written in that order (NumPy gathers them)."""
    import polars as pl
    import pyarrow as pa
    out = tmp_path / "polars.dat"

    def polars_sort():
        data = np.fromfile(shuffled, np.uint8).reshape(-1, LRECL)
        n = len(data)
        key = pa.FixedSizeBinaryArray.from_buffers(pa.binary(18), n, [None, pa.py_buffer(np.ascontiguousarray(data[:, :18]))])
        frame = pl.from_arrow(pa.table({"key": key})).with_row_index("row")
        order = frame.sort("key", maintain_order=True)["row"].to_numpy()
        np.take(data, order, axis=0).tofile(out)
        return n
    n = benchmark.pedantic(polars_sort, rounds=1, iterations=1)
    assert np.array_equal(np.fromfile(out, np.uint8), np.fromfile(collection_master, np.uint8))
    _rates(benchmark, "polars_binary", n)
    out.unlink()


IN_PROCESS_ONLY_AT_1X = pytest.mark.skipif(
    float(os.environ.get("DENSAN_BENCH_SCALE", 1)) > 1,
    reason="above 1x only the whole-process rows run: the in-process ones would hold the master "
           "several times over in this one pytest process")


@IN_PROCESS_ONLY_AT_1X
def test_baseline_polars_decoded_frame(benchmark, shuffled):
    from engine.records import read_dataset
    key = ["SH-NENDO", "SH-KAMOKU", "SH-TSUCHI-NO", "SH-KIBETSU"]
    frame = read_dataset(shuffled, "SHUNOMST", encoding="ascii", recfm="FB", columns=key, keep_raw=True)
    result = benchmark.pedantic(lambda: frame.sort(key, maintain_order=True), rounds=1, iterations=1)
    assert result.height == frame.height
    _rates(benchmark, "polars_decoded", frame.height)


@IN_PROCESS_ONLY_AT_1X
def test_densan_sort(benchmark, shuffled, collection_master, tmp_path):
    out = tmp_path / "sorted.dat"

    def densan():
        def write(name, block):
            return write_records(out, block, RecordFormat(recfm="FB", lrecl=LRECL))
        return execute("  SORT FIELDS=(1,18,CH,A)", [("SORTIN", [shuffled])], encoding="ascii", recfm="FB",
                       lrecl=LRECL, write=write, outputs=lambda name: name == "SORTOUT", log=lambda line: None,
                       out_lrecl=lambda name: (LRECL, "FB"))
    result, rc = benchmark.pedantic(densan, rounds=1, iterations=1)
    assert rc == 0
    # the generated master is in key order with unique keys: sorting the shuffle restores it
    assert out.stat().st_size == collection_master.stat().st_size
    assert np.array_equal(np.fromfile(out, np.uint8), np.fromfile(collection_master, np.uint8))
    mine = _rates(benchmark, "densan", result.counts["in"])
    for name, figures in RESULTS.items():
        if name != "densan":
            benchmark.extra_info[f"{name}_records_per_s"] = figures["records_per_s"]
            benchmark.extra_info[f"speedup_vs_{name}"] = round(figures["seconds"] / mine["seconds"], 2)
    out.unlink()


def test_densan_sort_process(benchmark, shuffled, collection_master, tmp_path):
    """Issue #14's row: a whole `densan sort` process, file to file, with its peak RSS."""
    out = tmp_path / "sorted.dat"
    argv = [sys.executable, "-m", "engine.cli", "sort", "--sysin", "SORT FIELDS=(1,18,CH,A)", "--in", str(shuffled),
            "--out", str(out), "--recfm", "FB", "--lrecl", str(LRECL)]
    env = {**os.environ, "DENSAN_HOME": str(tmp_path / "home")}
    peaks = []

    def densan():
        out.unlink(missing_ok=True)
        peaks.append(run_process(argv, env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)[1])
    benchmark.pedantic(densan, rounds=1, iterations=1)
    assert np.array_equal(np.fromfile(out, np.uint8), np.fromfile(collection_master, np.uint8))
    out.unlink()
    t = _rates(benchmark, "densan_process", shuffled.stat().st_size // LRECL)["seconds"]
    beside, ratios = [], []
    if "gnu_sort" in RESULTS:
        gnu = RESULTS["gnu_sort"]
        beside.append(f"GNU sort (LC_ALL=C, 2 threads) {seconds(gnu['seconds'])}, peak {mib(gnu['peak_rss'])}")
        ratios.append(ratio(t, gnu["seconds"]))
    if "polars_binary" in RESULTS:
        beside.append(f"Polars binary sort, file to file {seconds(RESULTS['polars_binary']['seconds'])}")
        ratios.append(ratio(t, RESULTS["polars_binary"]["seconds"]))
    row("SORT 1,18,CH of the shuffled master, whole `densan sort` process, file to file",
        densan=f"{seconds(t)}, peak {mib(max(peaks))}", beside="; ".join(beside), ratio="; ".join(ratios),
        bench="bench_sort.py")
