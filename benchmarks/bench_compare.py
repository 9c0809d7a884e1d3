"""`densan compare` of the city's collection master before and after a night's posting
(SHUNO01 with the benchmark's payments), keyed by SH-KEY and by position, beside NumPy
row equality on the same files in the same run: both files np.memmap'ed as (n, 100)
uint8 rows, compared a 4-byte word at a time, a million rows at a time, counting the
records that differ. Issue #14's row ("at most 2x the NumPy row equality").

    python -m pytest benchmarks/bench_compare.py -s                        # 1x the master
    DENSAN_BENCH_SCALE=4 python -m pytest benchmarks/bench_compare.py -s   # 4x
    DENSAN_BENCH_COMPARE_50M=1 python -m pytest benchmarks/bench_compare.py -s -k 50m

Times are the best of DENSAN_BENCH_ROUNDS (default 3) rounds of the call in this process
(imports done: the baseline imports nothing either), the whole `densan compare` process
is run once more for its own wall time and peak RSS (os.wait4). The report must find
exactly the records the baseline counts. The 50M run (opt-in) compares
/work/big/shunomst-50m.dat (shared with the posting benchmark; generated when absent)
with a copy in which 3% of the records were changed, as two whole processes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from benchmarks.conftest import bench_dir
from benchmarks.machine import mib, ratio, row, seconds

ROUNDS = int(os.environ.get("DENSAN_BENCH_ROUNDS", "3"))
LRECL = 100
BIG = Path(os.environ.get("DENSAN_BENCH_50M_MASTER", "/work/big/shunomst-50m.dat"))


def numpy_row_equality(path_a: Path, path_b: Path, step: int = 1 << 20) -> int:
    """The baseline: records that differ, as NumPy counts them over the mapped files."""
    a = np.memmap(path_a, dtype=np.uint8, mode="r").reshape(-1, LRECL)
    b = np.memmap(path_b, dtype=np.uint8, mode="r").reshape(-1, LRECL)
    differ = 0
    for start in range(0, min(len(a), len(b)), step):
        wa = a[start:start + step].view(np.uint32)
        wb = b[start:start + step].view(np.uint32)
        differ += int((wa != wb).any(axis=1).sum())
    return differ


# the same as a whole process that imports NumPy alone
_BASELINE_PROCESS = """
import sys, numpy as np
a = np.memmap(sys.argv[1], dtype=np.uint8, mode="r").reshape(-1, 100)
b = np.memmap(sys.argv[2], dtype=np.uint8, mode="r").reshape(-1, 100)
differ = 0
for start in range(0, min(len(a), len(b)), 1 << 20):
    differ += int((a[start:start + (1 << 20)].view(np.uint32) != b[start:start + (1 << 20)].view(np.uint32)).any(axis=1).sum())
print(differ)
"""


# A small launcher runs the measured process, so that its peak RSS is its own: Linux
# carries a parent's RSS at fork into the child's high-water mark, and this pytest
# process is large.
_LAUNCHER = """
import resource, subprocess, sys, time
t = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
elapsed = time.perf_counter() - t
sys.stdout.write(proc.stdout)
print(proc.returncode, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def whole_process(argv: list[str], env: dict | None = None) -> tuple[float, int, int, str]:
    """(wall seconds, peak RSS bytes, exit status, stdout) of one child process."""
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], env=env, capture_output=True, text=True,
                         check=True).stdout
    body, _, last = out.rstrip("\n").rpartition("\n")
    rc, elapsed, peak = last.split()
    return float(elapsed), int(peak), int(rc), body


def best(fn, rounds: int = ROUNDS):
    """(best wall seconds, best CPU seconds of this process, last result) over `rounds` calls.
    CPU time is reported beside wall time: on a loaded machine it is far steadier."""
    walls, cpus, result = [], [], None
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus), result


@pytest.fixture(scope="session")
def posted_master(collection_master, collection_transactions, bench_date) -> Path:
    """The master after SHUNO01 posted the benchmark's payments (densan's job; its output
    equals the legacy's, tests/shuno01), made once beside the master."""
    path = collection_master.with_suffix(".posted.dat")
    if not path.exists():
        work = bench_dir() / f"posting-{os.getpid()}"
        work.mkdir(exist_ok=True)
        out = work / "master-out.dat"
        cmd = [sys.executable, "-m", "engine.cli", "run", "SHUNO01", "-q", "--parm", bench_date,
               "--dd", f"MASTER-IN={collection_master}", "--dd", f"TRAN-IN={collection_transactions}",
               "--dd", f"MASTER-OUT={out}", "--dd", f"ERROR-OUT={work / 'error-out.dat'}",
               "--dd", f"REPORT={work / 'report.txt'}"]
        subprocess.run(cmd, env={**os.environ, "DENSAN_HOME": str(work / "home")}, check=False,
                       stdout=subprocess.DEVNULL)
        os.replace(out, path)
        shutil.rmtree(work, ignore_errors=True)
    return path


@pytest.mark.parametrize("mode", ["keyed", "positional"])
def test_compare_posted_master(benchmark, mode, collection_master, posted_master, tmp_path):
    from engine.migration.compare import compare_datasets
    key = ["SH-KEY"] if mode == "keyed" else None
    records = collection_master.stat().st_size // LRECL

    numpy_row_equality(collection_master, posted_master)              # both files in the page cache
    floor, floor_cpu, differ = best(lambda: numpy_row_equality(collection_master, posted_master))
    cpus, results = [], []

    def densan_compare():
        c = time.process_time()
        results.append(compare_datasets(collection_master, posted_master, "SHUNOMST", key=key))
        cpus.append(time.process_time() - c)
    benchmark.pedantic(densan_compare, rounds=ROUNDS, iterations=1)
    densan, densan_cpu = benchmark.stats.stats.min, min(cpus)
    result = results[-1]
    assert result.count_a == result.count_b == records and result.changed_count == differ
    assert not result.only_a_count and not result.only_b_count

    argv = [sys.executable, "-m", "engine.cli", "compare", str(collection_master), str(posted_master),
            "-c", "SHUNOMST"] + (["--key", "SH-KEY"] if key else [])
    env = {**os.environ, "DENSAN_HOME": str(tmp_path / "home")}
    proc_s, proc_peak, rc, out = whole_process(argv, env)
    assert rc == 1 and f"CHANGED   {differ:>14,}" in out
    base_s, base_peak, _, base_out = whole_process([sys.executable, "-c", _BASELINE_PROCESS,
                                                    str(collection_master), str(posted_master)])
    assert int(base_out) == differ

    size = 2 * collection_master.stat().st_size
    benchmark.extra_info.update({
        "records": records, "changed_records": differ, "mode": mode,
        "compare_seconds": round(densan, 3), "numpy_row_equality_seconds": round(floor, 3),
        "times_numpy_row_equality": round(densan / floor, 2),
        "compare_cpu_seconds": round(densan_cpu, 3), "numpy_cpu_seconds": round(floor_cpu, 3),
        "cpu_times_numpy": round(densan_cpu / floor_cpu, 2),
        "compare_mb_per_s": round(size / densan / 1e6), "numpy_mb_per_s": round(size / floor / 1e6),
        "process_seconds": round(proc_s, 3), "process_peak_rss_mib": round(proc_peak / 2**20),
        "numpy_process_seconds": round(base_s, 3), "numpy_process_peak_rss_mib": round(base_peak / 2**20),
    })
    row(f"`densan compare` before/after posting, {mode} ({differ:,} changed records)",
        densan=f"{seconds(densan)} ({size / densan / 1e9:.2f} GB/s), CPU {seconds(densan_cpu)}; "
               f"whole process {seconds(proc_s)}, peak {mib(proc_peak)}",
        beside=f"NumPy row equality {seconds(floor)}, CPU {seconds(floor_cpu)}; whole process {seconds(base_s)}, "
               f"peak {mib(base_peak)}",
        ratio=f"{ratio(densan, floor)}; CPU {ratio(densan_cpu, floor_cpu)}; process {ratio(proc_s, base_s)}",
        bench="bench_compare.py")
    print("\nCOMPARE " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))


def _changed_copy(src: Path, dst: Path, share: float = 0.03, seed: int = 14) -> int:
    """A copy of a SHUNOMST file with `share` of its records changed as a posting changes
    them (paid in full: SH-NOFU-GAKU = SH-CHOTEI-GAKU, SH-JOTAI '2', SH-KOSHIN-BI),
    written a million records at a time. Returns the number of records changed."""
    rng = np.random.default_rng(seed)
    master = np.memmap(src, dtype=np.uint8, mode="r").reshape(-1, LRECL)
    changed = 0
    with open(dst, "wb") as f:
        for start in range(0, len(master), 1 << 20):
            part = np.array(master[start:start + (1 << 20)])
            rows = np.flatnonzero(rng.random(len(part)) < share)
            before = part[rows].copy()
            part[rows, 42:48] = part[rows, 36:42]
            part[rows, 75] = ord("2")
            part[rows, 77:85] = np.frombuffer(b"20991231", np.uint8)
            changed += int((part[rows] != before).any(axis=1).sum())
            f.write(part.tobytes())
    return changed


@pytest.mark.skipif(not os.environ.get("DENSAN_BENCH_COMPARE_50M"), reason="opt-in: DENSAN_BENCH_COMPARE_50M=1")
def test_compare_50m(tmp_path):
    """50,000,000 records (5 GB) each side: densan compare keyed as a whole process, its
    peak RSS (windows of the mapped files included) beside NumPy row equality's."""
    from datasets.generate import generate_master
    if not BIG.exists():
        BIG.parent.mkdir(parents=True, exist_ok=True)
        tmp = BIG.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            for part in range(50):                        # 1M records at a time, keys ascending
                records, _ = generate_master(1_000_000, seed=2007 + part)
                records = np.array(records)
                records[:, 0:4] = np.frombuffer(f"{1900 + part:04d}".encode(), np.uint8)
                f.write(records.tobytes())
        os.replace(tmp, BIG)
    other = tmp_path / "shunomst-50m.changed.dat"
    changed = _changed_copy(BIG, other)
    try:
        numpy_row_equality(BIG, other)
        argv = [sys.executable, "-m", "engine.cli", "compare", str(BIG), str(other), "-c", "SHUNOMST",
                "--key", "SH-KEY"]
        proc_s, peak, rc, out = whole_process(argv, {**os.environ, "DENSAN_HOME": str(tmp_path / "home")})
        assert rc == 1 and f"CHANGED   {changed:>14,}" in out, out[-2000:]
        base_s, base_peak, _, base_out = whole_process([sys.executable, "-c", _BASELINE_PROCESS, str(BIG), str(other)])
        assert int(base_out) == changed
    finally:
        other.unlink(missing_ok=True)
    records = BIG.stat().st_size // LRECL
    row(f"`densan compare` 50M masters, keyed, {changed:,} changed records, whole process",
        densan=f"{seconds(proc_s)}, peak {mib(peak)}",
        beside=f"NumPy row equality (whole process) {seconds(base_s)}, peak {mib(base_peak)}",
        ratio=ratio(proc_s, base_s), size=f"{records:,} (5 GB each side)", bench="bench_compare.py")
    print(f"\nCOMPARE 50M records={records} changed={changed} seconds={proc_s:.1f} peak_rss_mib={peak / 2**20:.0f} "
          f"numpy_seconds={base_s:.1f} numpy_peak_rss_mib={base_peak / 2**20:.0f}")
