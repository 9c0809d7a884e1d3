"""SHUNO01 and SORT on a local Dask cluster of two worker processes, beside the local
run and the I/O floor (copying the master), on a large generated master.

    DENSAN_BENCH_CLUSTER_RECORDS=10000000 python -m pytest benchmarks/bench_cluster.py -s

Each run is a process (`densan run SHUNO01 …`, `densan sort …`, with and without
--cluster), timed whole; the workers' peak RSS comes from each worker process
(getrusage), the local run's from its own process. The outputs are compared byte for
byte. The per-partition times (from the catalog) give a projection for N machines:
planning + the longest chain of partitions over N workers + the concatenation, where
each machine has its own disks (the measured run shares one disk and two cores).
"""
from __future__ import annotations

import filecmp
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.bench_shuno01 import run_measured

pytest.importorskip("distributed")

RECORDS = int(os.environ.get("DENSAN_BENCH_CLUSTER_RECORDS", "2000000"))
TRANSACTIONS = int(os.environ.get("DENSAN_BENCH_CLUSTER_TRANSACTIONS", str(max(1000, RECORDS // 10))))
PARTITION_MB = os.environ.get("DENSAN_PARTITION_MB", "64")
SORT_TEXT = " SORT FIELDS=(60,8,CH,A,1,18,CH,A)\n"


@pytest.fixture(scope="module")
def big_city():
    from datasets.generate import DEFAULT_DATE, GENERATOR_VERSION
    folder = Path(os.environ.get("DENSAN_BENCH_DIR", "/tmp/densan-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"city-v{GENERATOR_VERSION}-{RECORDS}-{TRANSACTIONS}-s2007-{DEFAULT_DATE}"
    master, tran = folder / f"{stem}.SHUNOMST.dat", folder / f"{stem}.NOFUTRN.dat"
    if not (master.exists() and tran.exists()):
        # In a child process: Linux carries a process's RSS at fork into the high-water mark
        # (getrusage) of the workers started from it, so a city generated here would show as
        # every worker's peak memory.
        child = multiprocessing.get_context("spawn").Process(target=_generate, args=(master, tran))
        child.start()
        child.join()
        assert child.exitcode == 0, f"generating the city failed (exit {child.exitcode})"
    return master, tran, DEFAULT_DATE


def _generate(master: Path, tran: Path) -> None:
    from datasets.generate import DEFAULT_DATE, generate_city, write_city
    city = generate_city(RECORDS, TRANSACTIONS, seed=2007, date=DEFAULT_DATE)
    write_city(city, master.with_suffix(".tmp"), tran.with_suffix(".tmp"))
    os.replace(master.with_suffix(".tmp"), master)
    os.replace(tran.with_suffix(".tmp"), tran)


@pytest.fixture
def two_workers():
    """A fresh cluster per benchmark: each worker's peak RSS is that benchmark's."""
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, resources={"densan": 1})
    client = Client(cluster, set_as_default=False)
    client.wait_for_workers(2, timeout=300)
    try:
        yield cluster.scheduler_address, client
    finally:
        client.close()
        cluster.close(timeout=30)


def _same_bytes(a: Path, b: Path) -> bool:
    """Byte equality read a block at a time: reading two 5 GB outputs whole would raise this
    process's peak RSS, which the workers of the next benchmark inherit in their getrusage."""
    return filecmp.cmp(a, b, shallow=False)


def _worker_peaks(client) -> list[float]:
    def peak():
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [round(v) for v in client.run(peak).values()]


def _partition_times(home: Path) -> list[float]:
    db = sqlite3.connect(home / "catalog.db")
    run = db.execute("SELECT run_id FROM runs ORDER BY run_no DESC LIMIT 1").fetchone()
    rows = db.execute("SELECT elapsed FROM step_partitions WHERE run_id = ? OR run_id LIKE 'SORT-%'",
                      (run[0] if run else "",)).fetchall()
    return [r[0] or 0.0 for r in rows]


def _projection(total: float, parts: list[float], workers: int = 2) -> dict:
    """Seconds on N machines: what is not partition work stays, partition work divides."""
    work = sum(parts)
    fixed = max(0.0, total - work / workers)
    longest = max(parts) if parts else 0.0
    return {f"projected_seconds_{n}_machines": round(fixed + max(longest, work / n), 1) for n in (2, 4, 8, 16)}


def _floor(master: Path, tmp: Path) -> float:
    os.sync()
    t = time.perf_counter()
    shutil.copyfile(master, tmp / "floor.dat")
    os.sync()
    floor = time.perf_counter() - t
    (tmp / "floor.dat").unlink()
    return floor


def _shuno_cmd(master, tran, out: Path, date: str, extra=()) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "engine.cli", "run", "SHUNO01", "-q", "--parm", date, *extra]
    for dd, p in {"MASTER-IN": master, "TRAN-IN": tran, "MASTER-OUT": out / "MASTER-OUT",
                  "ERROR-OUT": out / "ERROR-OUT", "REPORT": out / "REPORT"}.items():
        cmd.append(f"--dd={dd}={p}")
    return cmd


def _report(name: str, benchmark, info: dict) -> None:
    benchmark.extra_info.update(info)
    print(f"\n{name} " + json.dumps(info))


def test_shuno01_on_two_workers(benchmark, big_city, two_workers, tmp_path):
    master, tran, date = big_city
    address, client = two_workers
    floor = _floor(master, tmp_path)
    env = dict(os.environ, DENSAN_HOME=str(tmp_path / "home-local"))
    os.sync()
    local_rc, local_s, local_mb = run_measured(_shuno_cmd(master, tran, tmp_path / "local", date), env)
    home = tmp_path / "home-dask"
    denv = dict(os.environ, DENSAN_HOME=str(home), DENSAN_PARTITION_MB=PARTITION_MB)
    runs = []

    def cluster_run():
        os.sync()
        runs.append(run_measured(_shuno_cmd(master, tran, tmp_path / "dask", date,
                                            ["--cluster", address]), denv))

    benchmark.pedantic(cluster_run, rounds=1, iterations=1)
    rc, seconds, driver_mb = runs[-1]
    assert rc == local_rc
    for dd in ("MASTER-OUT", "ERROR-OUT", "REPORT"):
        assert _same_bytes(tmp_path / "dask" / dd, tmp_path / "local" / dd), dd
    parts = _partition_times(home)
    _report("SHUNO01-CLUSTER", benchmark, {
        "masters": RECORDS, "transactions": TRANSACTIONS, "master_mb": round(master.stat().st_size / 1e6),
        "partitions": len(parts), "partition_mb": PARTITION_MB,
        "local_seconds": round(local_s, 2), "cluster_seconds": round(seconds, 2),
        "copy_floor_seconds": round(floor, 2),
        "local_peak_rss_mib": round(local_mb), "driver_peak_rss_mib": round(driver_mb),
        "worker_peak_rss_mib": _worker_peaks(client),
        "partition_seconds_mean": round(sum(parts) / max(1, len(parts)), 2),
        "partition_seconds_max": round(max(parts, default=0), 2),
        **_projection(seconds, parts)})


def test_sort_on_two_workers(benchmark, big_city, two_workers, tmp_path):
    master = big_city[0]
    address, client = two_workers
    floor = _floor(master, tmp_path)
    base = [sys.executable, "-m", "engine.cli", "sort", "--sysin", SORT_TEXT, "--in", str(master),
            "--lrecl", "100"]
    env = dict(os.environ, DENSAN_HOME=str(tmp_path / "home-local"))
    env.pop("DENSAN_CLUSTER", None)
    os.sync()
    local_rc, local_s, local_mb = run_measured(base + ["--out", str(tmp_path / "local.dat")], env)
    home = tmp_path / "home-dask"
    denv = dict(os.environ, DENSAN_HOME=str(home), DENSAN_PARTITION_MB=PARTITION_MB)
    runs = []

    def cluster_run():
        os.sync()
        runs.append(run_measured(base + ["--out", str(tmp_path / "dask.dat"), "--cluster", address], denv))

    benchmark.pedantic(cluster_run, rounds=1, iterations=1)
    rc, seconds, driver_mb = runs[-1]
    assert rc == local_rc == 0
    assert _same_bytes(tmp_path / "dask.dat", tmp_path / "local.dat")
    parts = _partition_times(home)
    _report("SORT-CLUSTER", benchmark, {
        "records": RECORDS, "master_mb": round(master.stat().st_size / 1e6), "partition_tasks": len(parts),
        "local_seconds": round(local_s, 2), "cluster_seconds": round(seconds, 2),
        "copy_floor_seconds": round(floor, 2),
        "local_peak_rss_mib": round(local_mb), "driver_peak_rss_mib": round(driver_mb),
        "worker_peak_rss_mib": _worker_peaks(client),
        "partition_seconds_mean": round(sum(parts) / max(1, len(parts)), 2),
        **_projection(seconds, parts)})
