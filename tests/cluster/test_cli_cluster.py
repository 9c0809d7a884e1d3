"""On a cluster started with the `dask scheduler` / `dask worker` commands: SHUNO01 with a
worker killed (kill -9) in the middle of the run gives the same bytes, its partition
retried; `densan sort --cluster` on variable-length records gives the local sort's bytes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from click.testing import CliRunner

from tests.cluster.helpers import SHUNO_DDS, city_files, last_log, same_files, shuno_args


def test_worker_killed_mid_run_changes_nothing(cli_cluster, tmp_path):
    master, tran, date = city_files(tmp_path / "city", masters=8_000, transactions=3_000)
    home = tmp_path / "home"
    hold = tmp_path / "hold"
    hold.write_text("the partitions wait while this file exists")
    env = dict(os.environ, DENSAN_HOME=str(home), DENSAN_PARTITION_MB="0.25", DENSAN_CLUSTER_HOLD=str(hold))
    run = subprocess.Popen([sys.executable, "-m", "engine.cli",
                            *shuno_args(master, tran, tmp_path / "dask", date), "--cluster", cli_cluster],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        victim, deadline = None, time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            for f in sorted(home.glob("cluster/*/attempts/post-*")):
                lines = f.read_text().splitlines()
                if lines:
                    victim = int(lines[0].split()[0].rsplit(":", 1)[1])
                    break
            time.sleep(0.05)
        assert victim is not None, "no partition started"
        os.kill(victim, signal.SIGKILL)           # the worker process holding a partition
        time.sleep(0.5)
        hold.unlink()
        out, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 4, err
    log = last_log(home)
    assert "RETRY" in log
    local = subprocess.run([sys.executable, "-m", "engine.cli", *shuno_args(master, tran, tmp_path / "local", date)],
                           env=dict(os.environ, DENSAN_HOME=str(tmp_path / "home-local")), capture_output=True)
    assert local.returncode == 4
    same_files(tmp_path / "local", tmp_path / "dask", SHUNO_DDS)


def test_sort_command_on_variable_records(cli_cluster, tmp_path, monkeypatch):
    import numpy as np
    from engine.commands.sort import sort
    from engine.records import RecordBlock, RecordFormat, write_records
    rng = np.random.default_rng(7)
    records = [bytes(rng.integers(65, 70, 4).astype(np.uint8)) + b"%05d" % i + b"x" * int(rng.integers(0, 30))
               for i in range(6000)]
    src = tmp_path / "in.vb"
    write_records(src, RecordBlock.from_bytes(records), RecordFormat(recfm="VB", lrecl=64))
    monkeypatch.setenv("DENSAN_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("DENSAN_PARTITION_MB", "0.02")
    text = " SORT FIELDS=(5,2,CH,D,7,1,CH,A)\n INCLUDE COND=(5,1,CH,NE,C'A')\n"
    args = ["--sysin", text, "--in", str(src), "--recfm", "VB", "--lrecl", "64"]
    local = CliRunner().invoke(sort, args + ["--out", str(tmp_path / "local.vb")])
    dist = CliRunner().invoke(sort, args + ["--out", str(tmp_path / "dask.vb"), "--cluster", cli_cluster])
    assert local.exit_code == dist.exit_code == 0, dist.output
    assert "SCATTER PARTITION" in dist.output and "RUN LOCALLY" not in dist.output
    assert (tmp_path / "dask.vb").read_bytes() == (tmp_path / "local.vb").read_bytes()
