"""SHUNO01 at city size: densan's job beside the legacy program compiled with
GnuCOBOL, on the same files in the same run, and beside the I/O floor (copying
the input files). Ratios and peak memory go to extra_info.

    python -m pytest benchmarks/bench_shuno01.py --benchmark-only -s
    DENSAN_BENCH_RECORDS=500000 DENSAN_BENCH_TRANSACTIONS=100000 python -m pytest benchmarks/bench_shuno01.py

Both programs run as processes (`densan run SHUNO01 --dd ...` and the compiled
COBOL), so each one's time includes starting up and its peak RSS is its own. The outputs are checked to be identical byte for byte.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import HAVE_COBC, LEGACY

ROUNDS = int(os.environ.get("DENSAN_BENCH_ROUNDS", "3"))


# A small launcher runs the measured process, so that its peak RSS is its own and
# not the high-water mark of a fork of this (large) pytest process.
_LAUNCHER = """
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - t
print(rc, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[int, float, float]:
    """(exit status, elapsed seconds, peak RSS in MiB) of one child process."""
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


def outputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {"MASTER-OUT": folder / "master-out.dat", "ERROR-OUT": folder / "error-out.dat",
            "REPORT": folder / "report.txt"}


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed for the baseline")
def test_shuno01_vs_gnucobol(benchmark, tmp_path, collection_master, collection_transactions, bench_date):
    from engine.migration.legacy import compile_program, program_environment
    from engine.migration.verify import prepare_home

    inputs = {"MASTER-IN": collection_master, "TRAN-IN": collection_transactions}
    size = collection_master.stat().st_size + collection_transactions.stat().st_size

    # the I/O floor: copy both inputs
    floor_out = tmp_path / "floor"
    floor_out.mkdir()
    t = time.perf_counter()
    shutil.copyfile(collection_master, floor_out / "m")
    shutil.copyfile(collection_transactions, floor_out / "t")
    os.sync()
    floor = time.perf_counter() - t
    shutil.rmtree(floor_out)

    # the legacy program, compiled once (outside the timing)
    exe = compile_program(LEGACY / "programs" / "SHUNO01.cob", [LEGACY / "copybooks"])
    legacy_out = outputs(tmp_path / "legacy")
    env = program_environment({**inputs, **legacy_out}, bench_date)
    os.sync()      # every timed run starts with no dirty pages left by the one before
    legacy_rc, legacy_s, legacy_mb = run_measured([str(exe)], env)

    # densan: the job with every DD on a plain file
    home = tmp_path / "home"
    prepare_home("SHUNO01", home)
    densan_out = outputs(tmp_path / "densan")
    cmd = [sys.executable, "-m", "engine.cli", "run", "SHUNO01", "-q", "--parm", bench_date]
    for dd, path in {**inputs, **densan_out}.items():
        cmd += ["--dd", f"{dd}={path}"]
    denv = dict(os.environ, DENSAN_HOME=str(home))
    runs = []

    def densan_run():
        for p in densan_out.values():
            p.unlink(missing_ok=True)
        os.sync()
        runs.append(run_measured(cmd, denv))

    benchmark.pedantic(densan_run, rounds=ROUNDS, iterations=1)
    densan_rc, densan_s, densan_mb = min(runs, key=lambda r: r[1])

    assert densan_rc == legacy_rc
    for dd in ("MASTER-OUT", "ERROR-OUT"):
        assert densan_out[dd].read_bytes() == legacy_out[dd].read_bytes(), dd

    benchmark.extra_info.update({
        "masters": collection_master.stat().st_size // 100,
        "transactions": collection_transactions.stat().st_size // 60,
        "return_code": densan_rc,
        "densan_seconds": round(densan_s, 3),
        "gnucobol_seconds": round(legacy_s, 3),
        "copy_floor_seconds": round(floor, 3),
        "speedup_vs_gnucobol": round(legacy_s / densan_s, 2),
        "times_the_copy_floor": round(densan_s / floor, 2),
        "densan_mb_per_s": round(size / densan_s / 1e6, 1),
        "gnucobol_mb_per_s": round(size / legacy_s / 1e6, 1),
        "densan_peak_rss_mib": round(densan_mb),
        "gnucobol_peak_rss_mib": round(legacy_mb),
    })
    print("\nSHUNO01 " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed to make the legacy output")
def test_compare_posted_master(benchmark, tmp_path, collection_master, collection_transactions, bench_date):
    """`densan compare` of the master before and after the legacy posting (keyed by
    SH-KEY, every field, control totals), beside the floor of reading both files and
    counting the records that differ as bytes (NumPy, a word at a time)."""
    import numpy as np
    from engine.migration.compare import compare_datasets
    from engine.migration.legacy import compile_program, program_environment

    exe = compile_program(LEGACY / "programs" / "SHUNO01.cob", [LEGACY / "copybooks"])
    out = outputs(tmp_path / "legacy")
    env = program_environment({"MASTER-IN": collection_master, "TRAN-IN": collection_transactions, **out},
                              bench_date)
    subprocess.run([str(exe)], env=env, stdout=subprocess.DEVNULL, check=False)

    t = time.perf_counter()
    a = np.fromfile(collection_master, dtype=np.uint32).reshape(-1, 25)
    b = np.fromfile(out["MASTER-OUT"], dtype=np.uint32).reshape(-1, 25)
    raw_changed = int((a != b).any(axis=1).sum())
    floor = time.perf_counter() - t
    del a, b

    results = []
    benchmark.pedantic(lambda: results.append(compare_datasets(collection_master, out["MASTER-OUT"], "SHUNOMST",
                                                               key=["SH-KEY"])),
                       rounds=ROUNDS, iterations=1)
    result = results[-1]
    seconds = benchmark.stats.stats.min
    assert result.count_a == result.count_b and result.changed_count == raw_changed
    benchmark.extra_info.update({
        "records": result.count_a,
        "changed_records": result.changed_count,
        "compare_seconds": round(seconds, 3),
        "raw_floor_seconds": round(floor, 3),
        "times_the_raw_floor": round(seconds / floor, 2),
        "records_per_s": round(result.count_a / seconds),
    })
    print("\nCOMPARE " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
