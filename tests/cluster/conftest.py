"""Real Dask clusters on loopback for the cluster tests: a LocalCluster with worker
processes (one per test module that asks), and one started with the `dask scheduler`
and `dask worker` commands as subprocesses. Both are torn down however the tests end."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

DASK = str(Path(sys.executable).with_name("dask"))


@pytest.fixture(scope="module")
def local_cluster():
    from distributed import LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, resources={"densan": 1}, memory_limit="1GiB")
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close(timeout=20)


@pytest.fixture(scope="module")
def cli_cluster(tmp_path_factory):
    """`dask scheduler` and `dask worker --nworkers 2` (nannies restart a killed worker)."""
    folder = tmp_path_factory.mktemp("dask-cli")
    sched_file = folder / "scheduler.json"
    procs = []

    def start(args, name):
        log = open(folder / f"{name}.log", "wb")
        procs.append(subprocess.Popen([DASK, *args], stdout=log, stderr=subprocess.STDOUT,
                                      cwd=folder, start_new_session=True))

    try:
        start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
               "--scheduler-file", str(sched_file)], "scheduler")
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        import json
        address = json.loads(sched_file.read_text())["address"]
        start(["worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
               "--no-dashboard", "--resources", "densan=1", "--memory-limit", "1GiB"], "worker")
        from distributed import Client
        with Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in reversed(procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
