"""Starting a job from the console: `densan run JOB --param …` in a child process, exactly as
an operator would from the shell (same catalog, same locks, same job log), so that the
server never blocks on a job and a job never dies with the server. The child's run id is
found in the run history by its pid."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from engine.job.catalog import Catalog


def start_job(job: str, params: dict[str, str], *, home: Path, restart: str | None = None,
              on_start: Callable[[str], None] | None = None,
              on_end: Callable[[str | None, int], None] | None = None) -> subprocess.Popen:
    """Start the job; on_start(run_id) once it is in the history, on_end(run_id, exit code) after."""
    cmd = [sys.executable, "-m", "engine.cli", "run", job, "-q"]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    if restart:
        cmd += ["--restart", restart]
    env = dict(os.environ, DENSAN_HOME=str(home))
    logs = Path(home) / "console-launch"
    logs.mkdir(parents=True, exist_ok=True)
    out = open(logs / f"{time.strftime('%Y%m%d%H%M%S')}-{job}-{os.getpid()}.txt", "ab")
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    out.close()
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 1))

    def follow() -> None:
        run_id = None
        while run_id is None and proc.poll() is None:
            run_id = find_run(home, proc.pid, since)
            if run_id is None:
                time.sleep(0.1)
        if run_id is None:
            run_id = find_run(home, proc.pid, since)
        if run_id and on_start:
            on_start(run_id)
        code = proc.wait()
        if on_end:
            on_end(run_id, code)

    threading.Thread(target=follow, name=f"follow-{job}", daemon=True).start()
    return proc


def find_run(home: Path, pid: int, since: str = "") -> str | None:
    cat = Catalog(home)
    try:
        row = cat.db.execute("SELECT run_id FROM runs WHERE pid = ? AND start >= ? ORDER BY run_no DESC LIMIT 1",
                             (pid, since)).fetchone()
        return row["run_id"] if row else None
    finally:
        cat.close()


def cancel_run(home: Path, run_id: str) -> bool:
    """Interrupt a running job (its step abends S222, as a host cancel). True when signalled."""
    cat = Catalog(home)
    try:
        row = cat.run(run_id)
    finally:
        cat.close()
    if row is None or row["status"] != "RUNNING" or not row["pid"]:
        return False
    try:
        os.kill(int(row["pid"]), signal.SIGINT)
    except ProcessLookupError:
        return False
    return True
