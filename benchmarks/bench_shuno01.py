"""SHUNO01 at city size (and at DENSAN_BENCH_SCALE times it): densan's job beside the
legacy program compiled with GnuCOBOL and beside the I/O floor, all in the same run.
Ratios, peak memory and the rows of issue #14's table go to extra_info.

    python -m pytest benchmarks/bench_shuno01.py -s                      # 1x the city
    DENSAN_BENCH_SCALE=4 python -m pytest benchmarks/bench_shuno01.py -s # 4x
    DENSAN_BENCH_SHUNO_50M=1 python -m pytest benchmarks/bench_shuno01.py -s -k 50m

The I/O floor is what any posting must do at least: read both inputs (`cat`) and write
a master of the same size (`cp`), then `sync`. Every timed run (floor, GnuCOBOL, densan)
starts with no dirty pages (a sync before) and ends with a sync, so that the writing of
the outputs is in each figure. Both programs run as processes (`densan run SHUNO01 --dd
...` and the compiled COBOL), so each one's time includes starting up and its peak RSS
is its own; densan's memory beyond the mapped inputs (its peak anonymous RSS, sampled)
is reported beside. The outputs are checked to be identical byte for byte.

The 50-million-record master (opt-in, DENSAN_BENCH_SHUNO_50M=1) is
/work/big/shunomst-50m.dat and its payments /work/big/shunomst-50m.payments-5m.dat
(DENSAN_BENCH_50M_MASTER / DENSAN_BENCH_50M_TRAN to use others); it reports densan's
time, peak RSS and memory beyond the mapped inputs beside the floor (GnuCOBOL too
with DENSAN_BENCH_50M_LEGACY=1: about ten minutes on a quiet machine).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import HAVE_COBC, LEGACY

ROUNDS = int(os.environ.get("DENSAN_BENCH_ROUNDS", "3"))
BIG_MASTER = Path(os.environ.get("DENSAN_BENCH_50M_MASTER", "/work/big/shunomst-50m.dat"))
BIG_TRAN = Path(os.environ.get("DENSAN_BENCH_50M_TRAN", "/work/big/shunomst-50m.payments-5m.dat"))


# A small launcher runs the measured process, so that its peak RSS is its own and
# not the high-water mark of a fork of this (large) pytest process. It samples the
# child's anonymous RSS (memory that is not a mapped file) every 20 ms, and with
# "sync" ends the timing with a sync.
_LAUNCHER = """
import os, resource, subprocess, sys, time
sync = sys.argv[1] == "sync"
t = time.perf_counter()
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
anon = 0
while p.poll() is None:
    try:
        with open(f"/proc/{p.pid}/status") as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    anon = max(anon, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.02)
if sync:
    os.sync()
elapsed = time.perf_counter() - t
print(p.returncode, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, anon / 1024)
"""


def run_measured(cmd: list[str], env: dict | None = None, *, sync: bool = False,
                 anon: bool = False) -> tuple:
    """(exit status, elapsed seconds, peak RSS in MiB) of one child process, and with
    `anon` its peak anonymous RSS in MiB too. With `sync` the time includes a sync
    after the process ends."""
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, "sync" if sync else "-", *cmd], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    rc, elapsed, peak, anon_mib = int(out[0]), float(out[1]), float(out[2]), float(out[3])
    return (rc, elapsed, peak, anon_mib) if anon else (rc, elapsed, peak)


def io_floor(master: Path, tran: Path, folder: Path, rounds: int = ROUNDS) -> float:
    """Seconds (best of `rounds`) to cat both inputs, cp the master and sync."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "floor-copy.dat"
    best = float("inf")
    for _ in range(rounds):
        os.sync()
        t = time.perf_counter()
        subprocess.run(["cat", str(master), str(tran)], stdout=subprocess.DEVNULL, check=True)
        subprocess.run(["cp", str(master), str(copy)], check=True)
        os.sync()
        best = min(best, time.perf_counter() - t)
        copy.unlink()
    return best


def outputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {"MASTER-OUT": folder / "master-out.dat", "ERROR-OUT": folder / "error-out.dat",
            "REPORT": folder / "report.txt"}


def densan_command(inputs: dict, out: dict, date: str) -> list[str]:
    cmd = [sys.executable, "-m", "engine.cli", "run", "SHUNO01", "-q", "--parm", date]
    for dd, path in {**inputs, **out}.items():
        cmd += ["--dd", f"{dd}={path}"]
    return cmd


def _size(masters: int, transactions: int) -> str:
    from datasets.generate import CITY_MASTERS
    scale = masters / CITY_MASTERS
    return (f"{scale:g}× ({masters:,} + {transactions:,})" if round(scale) >= 1 and abs(scale - round(scale)) < 0.01
            else f"{masters:,} + {transactions:,}")


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed for the baseline")
def test_shuno01_vs_gnucobol(benchmark, tmp_path, collection_master, collection_transactions, bench_date):
    from benchmarks.legacy_pair import legacy_and_densan
    from benchmarks.machine import mib, ratio, row, seconds

    inputs = {"MASTER-IN": collection_master, "TRAN-IN": collection_transactions}
    size = collection_master.stat().st_size + collection_transactions.stat().st_size
    masters, transactions = collection_master.stat().st_size // 100, collection_transactions.stat().st_size // 60

    floor = io_floor(collection_master, collection_transactions, tmp_path / "floor")
    pair = legacy_and_densan(benchmark, tmp_path, "SHUNO01", inputs,
                             {"MASTER-OUT": "master-out.dat", "ERROR-OUT": "error-out.dat",
                              "REPORT": "report.txt"}, bench_date, sync=True)
    for folder in ("legacy", "densan"):
        (tmp_path / folder / "master-out.dat").unlink()
    densan_s, legacy_s = pair.densan_seconds, pair.legacy_seconds

    benchmark.extra_info.update({
        "masters": masters,
        "transactions": transactions,
        "return_code": pair.return_code,
        "densan_seconds": round(densan_s, 3),
        "gnucobol_seconds": round(legacy_s, 3),
        "io_floor_seconds": round(floor, 3),
        "times_gnucobol": round(densan_s / legacy_s, 3),
        "times_the_io_floor": round(densan_s / floor, 2),
        "densan_mb_per_s": round(size / densan_s / 1e6, 1),
        "gnucobol_mb_per_s": round(size / legacy_s / 1e6, 1),
        "densan_peak_rss_mib": round(pair.densan_peak_mib),
        "densan_peak_anon_rss_mib": round(pair.densan_anon_mib),
        "gnucobol_peak_rss_mib": round(pair.legacy_peak_mib),
        "load_average": round(os.getloadavg()[0], 1),
    })
    print("\nSHUNO01 " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
    what = f"SHUNO01, {masters:,} masters + {transactions:,} payments, whole process"
    sz = _size(masters, transactions)
    row(what, size=sz, densan=f"{seconds(densan_s)}, {mib(pair.densan_peak_mib * 2**20)} peak "
        f"({mib(pair.densan_anon_mib * 2**20)} beyond the mapped inputs)",
        beside=f"GnuCOBOL {seconds(legacy_s)}, {mib(pair.legacy_peak_mib * 2**20)}",
        ratio=ratio(densan_s, legacy_s), bench="bench_shuno01.py")
    row("the same", size=sz, densan=seconds(densan_s),
        beside=f"I/O floor (cat both inputs, cp the master, sync) {seconds(floor)}",
        ratio=ratio(densan_s, floor), bench="bench_shuno01.py")


@pytest.mark.skipif(os.environ.get("DENSAN_BENCH_SHUNO_50M") != "1",
                    reason="opt-in: DENSAN_BENCH_SHUNO_50M=1 (a 5 GB master)")
def test_shuno01_50m_masters(tmp_path, bench_date):
    """The 50-million-record master through SHUNO01: time, peak RSS and memory beyond the
    mapped inputs beside the floor (and GnuCOBOL with DENSAN_BENCH_50M_LEGACY=1)."""
    from benchmarks.machine import mib, ratio, row, seconds
    from engine.migration.verify import prepare_home

    if not (BIG_MASTER.exists() and BIG_TRAN.exists()):
        pytest.skip(f"{BIG_MASTER} and {BIG_TRAN} are not there")
    inputs = {"MASTER-IN": BIG_MASTER, "TRAN-IN": BIG_TRAN}
    masters, transactions = BIG_MASTER.stat().st_size // 100, BIG_TRAN.stat().st_size // 60
    floor = io_floor(BIG_MASTER, BIG_TRAN, tmp_path / "floor", rounds=1)

    home = tmp_path / "home"
    prepare_home("SHUNO01", home)
    out = outputs(tmp_path / "densan")
    os.sync()
    rc, densan_s, peak_mb, anon_mb = run_measured(densan_command(inputs, out, bench_date),
                                                  dict(os.environ, DENSAN_HOME=str(home)), sync=True, anon=True)
    assert rc in (0, 4)
    assert out["MASTER-OUT"].stat().st_size == masters * 100
    info = {"masters": masters, "transactions": transactions, "return_code": rc,
            "densan_seconds": round(densan_s, 2), "io_floor_seconds": round(floor, 2),
            "times_the_io_floor": round(densan_s / floor, 2), "densan_peak_rss_mib": round(peak_mb),
            "densan_peak_anon_rss_mib": round(anon_mb), "load_average": round(os.getloadavg()[0], 1)}
    beside = f"I/O floor {seconds(floor)}"
    rat = ratio(densan_s, floor)
    if os.environ.get("DENSAN_BENCH_50M_LEGACY") == "1" and HAVE_COBC:
        from engine.migration.legacy import compile_program, program_environment
        exe = compile_program(LEGACY / "programs" / "SHUNO01.cob", [LEGACY / "copybooks"])
        legacy_out = outputs(tmp_path / "legacy")
        os.sync()
        legacy_rc, legacy_s, legacy_mb = run_measured([str(exe)], program_environment(
            {**inputs, **legacy_out}, bench_date), sync=True)
        assert legacy_rc == rc
        from benchmarks.legacy_pair import same_bytes
        for dd in ("MASTER-OUT", "ERROR-OUT", "REPORT"):
            assert same_bytes(out[dd], legacy_out[dd]), dd
        legacy_out["MASTER-OUT"].unlink()
        info.update(gnucobol_seconds=round(legacy_s, 2), times_gnucobol=round(densan_s / legacy_s, 3))
        beside += f"; GnuCOBOL {seconds(legacy_s)}"
        rat += f"; {ratio(densan_s, legacy_s)}"
    out["MASTER-OUT"].unlink()
    print("\nSHUNO01 50M " + "  ".join(f"{k}={v}" for k, v in info.items()))
    row(f"SHUNO01, {masters:,} masters + {transactions:,} payments, whole process",
        size=f"{masters:,} + {transactions:,}",
        densan=f"{seconds(densan_s)}, {mib(peak_mb * 2**20)} peak ({mib(anon_mb * 2**20)} beyond the mapped inputs)",
        beside=beside, ratio=rat, bench="bench_shuno01.py")
