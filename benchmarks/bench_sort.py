"""SORT throughput on the collection master (SHUNOMST, 100-byte records, key 1-18 CH),
beside two baselines measured in the same run:
(a) GNU sort (`LC_ALL=C sort -s -k1.1,1.18`) on the same records as text lines, file to file;
(b) a Polars sort (maintain_order) of an already-decoded frame (key columns plus the raw
    record as Binary), in memory — decoding not timed.
densan is timed file to file like GNU sort: read, sort, write.

    DENSAN_BENCH_RECORDS=1000000 python -m pytest benchmarks/bench_sort.py -q

Size: DENSAN_BENCH_RECORDS (default 5,294,774, the host's master). The master is
generated in key order, so it is first shuffled (fixed seed) into a cached copy beside it.
Run the file in order (no -n): the densan test puts the baselines beside its own figures.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

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

    def gnu():
        subprocess.run(["sort", "-s", "-k1.1,1.18", "-o", str(out), str(as_lines)], env=env, check=True)
    benchmark.pedantic(gnu, rounds=1, iterations=1)
    _rates(benchmark, "gnu_sort", as_lines.stat().st_size // (LRECL + 1))


def test_baseline_polars_decoded_frame(benchmark, shuffled):
    from engine.records import read_dataset
    key = ["SH-NENDO", "SH-KAMOKU", "SH-TSUCHI-NO", "SH-KIBETSU"]
    frame = read_dataset(shuffled, "SHUNOMST", encoding="ascii", recfm="FB", columns=key, keep_raw=True)
    result = benchmark.pedantic(lambda: frame.sort(key, maintain_order=True), rounds=1, iterations=1)
    assert result.height == frame.height
    _rates(benchmark, "polars_decoded", frame.height)


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
