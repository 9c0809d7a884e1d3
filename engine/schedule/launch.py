"""The process that runs one unit: `python -m engine.schedule.launch HOME ATTEMPT`.

It holds the attempt's lock for its whole life (the scheduler knows it is alive while the
lock is held), claims the attempt `starting -> running` in one transaction (if a restarted
scheduler took the attempt back first, it runs nothing), runs the job with the ordinary job
runner (a rerun passes `--restart *`), and records the end and the job's run id in one
transaction. SIGTERM (`densan schedule kill`) cancels the job step: ABEND S222, ended killed.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import sys
from pathlib import Path

from engine.schedule import state as S


def unit_status(job_status: str, max_rc: int, abend: str | None, warning_rc: int) -> str:
    """JP1's end status from the job's result: RC 0 normal, 1..warning_rc warning, else abnormal."""
    if abend == "S222":
        return S.KILLED
    if abend or job_status in ("ABENDED", "FAILED", "JCLERR"):
        return S.ABNORMAL
    if max_rc == 0:
        return S.NORMAL
    return S.WARNING if max_rc <= warning_rc else S.ABNORMAL


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(home: str, attempt: int) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    home_p = Path(home)
    lock_path = home_p / "schedule" / "attempts" / f"{attempt}.lock"
    try:
        lock = open(lock_path, "a+")
        fcntl.flock(lock, fcntl.LOCK_EX)
        st = S.State(home_p)
        with st.tx() as db:
            cur = db.execute("UPDATE attempts SET status = 'running', pid = ?, started = ? WHERE id = ? "
                             "AND status = 'starting'", (os.getpid(), S.now(), attempt))
            if not cur.rowcount:
                return 0                          # taken back by a restarted scheduler, or killed: run nothing
    except KeyboardInterrupt:                     # killed before it began: the scheduler records it
        return 0
    try:
        return _run(st, attempt, home_p)
    except KeyboardInterrupt:
        _record(st, attempt, S.KILLED, None, "S222", None, None)
        return 0


def _run(st: S.State, attempt: int, home_p: Path) -> int:
    a = st.db.execute("SELECT * FROM attempts WHERE id = ?", (attempt,)).fetchone()
    run = st.run_row(a["run"])
    u = st.db.execute("SELECT * FROM units WHERE run = ? AND unit = ?", (a["run"], a["unit"])).fetchone()
    from engine.schedule.engine import _subst
    extra = {"file": ""}
    trig = run["trigger"] or ""
    if trig.startswith("file "):
        extra["file"] = str(home_p / trig.split(" ")[1])
    params = {k: _subst(v, run["opday"], extra) for k, v in json.loads(run["params"] or "{}").items()}
    params.update({k: _subst(v, run["opday"], extra) for k, v in json.loads(u["params"] or "{}").items()})
    job_run, rc, abend, status, message = None, None, None, S.ABNORMAL, None
    try:
        from engine.errors import DensanError, JobDefinitionError
        from engine.job.runner import run_job
        try:
            result = run_job(u["job"], params=params, restart=a["restart"], home=home_p)
        except JobDefinitionError as exc:
            if a["restart"] and "nothing to restart" in str(exc):
                result = run_job(u["job"], params=params, home=home_p)     # every step had ended: from the top
            else:
                raise
        job_run, rc, abend = result.run_id, result.max_rc, result.abend
        status = unit_status(result.status, result.max_rc, result.abend, u["warning_rc"])
    except KeyboardInterrupt:
        abend, status = "S222", S.KILLED
    except DensanError as exc:
        abend, status, message = "JCL", S.ABNORMAL, str(exc)
        print(f"densan: unit {a['unit']}: {exc}", file=sys.stderr)
    _record(st, attempt, status, rc, abend, job_run, message)
    st.close()
    return 0


def _record(st: S.State, attempt: int, status: str, rc, abend, job_run, message) -> None:
    """The unit's end, in one transaction with its attempt's."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)          # a late kill must not cut the record short
    a = st.db.execute("SELECT * FROM attempts WHERE id = ?", (attempt,)).fetchone()
    run = st.run_row(a["run"])
    u = st.db.execute("SELECT * FROM units WHERE run = ? AND unit = ?", (a["run"], a["unit"])).fetchone()
    with st.tx() as db:
        db.execute("UPDATE attempts SET status = 'ended', rc = ?, abend = ?, job_run = ?, ended = ? WHERE id = ?",
                   (rc, abend, job_run, S.now(), attempt))
        db.execute("UPDATE units SET status = ?, rc = ?, abend = ?, job_run = ?, ended = ?, restart = NULL "
                   "WHERE run = ? AND unit = ? AND status = ?",
                   (status, rc, abend, job_run, S.now(), a["run"], a["unit"], S.RUNNING))
        if status in S.BAD and u["hold_on_abnormal"]:
            for f in st.units_of(a["run"]):
                if any(p == a["unit"] for p, _ in json.loads(f["after"] or "[]")):
                    db.execute("UPDATE units SET held = 1 WHERE run = ? AND unit = ?", (a["run"], f["unit"]))
        st.event(db, "unit-end", who="scheduler", jobnet=run["jobnet"], opday=run["opday"], unit=a["unit"],
                 why=status + (f": {message}" if message else ""),
                 detail=f"job {u['job']} run {job_run} rc {rc} abend {abend} attempt {attempt}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
