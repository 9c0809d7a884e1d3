"""`densan scheduler` (the service) and `densan run JOBNET` (one run in the foreground).

The service holds `$DENSAN_HOME/scheduler.lock` (one scheduler per home), logs like a
console log to stdout (systemd's journal takes it), and on SIGTERM/SIGINT stops starting
units and exits; units already running finish on their own and are picked up by the next
start. Killed with -9 it loses nothing: every start was committed before the unit's process
existed, so the next scheduler finds each unit either claimed (running or ended) or not, and
starts only those that never ran.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import signal
import time
from pathlib import Path

from engine.calendar import load_calendar
from engine.config import densan_home
from engine.schedule import state as S
from engine.schedule.engine import Engine
from engine.schedule.jobnet import jobnet_files, load_all, load_jobnet


class AlreadyRunning(S.ScheduleError):
    pass


def _single_instance(home: Path):
    home.mkdir(parents=True, exist_ok=True)
    fh = open(home / "scheduler.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        pid = fh.read().strip() or "?"
        raise AlreadyRunning(f"a scheduler is already running for {home} (pid {pid})",
                             hint="one scheduler per DENSAN_HOME; stop it first (systemctl stop, or kill -TERM)") from None
    fh.seek(0)
    fh.truncate()
    fh.write(str(os.getpid()))
    fh.flush()
    return fh


def _library_stamp() -> tuple:
    files = jobnet_files()
    return tuple(sorted((n, p.stat().st_mtime_ns) for n, p in files.items()))


def serve(home: Path | None = None, *, poll: float = 1.0, first: dt.date | None = None, until: dt.date | None = None,
          exit_when_idle: bool = False, log=print) -> int:
    """Run the scheduler until SIGTERM (or, with exit_when_idle, until nothing is left to do).
    `first`: the first operating day to plan when this home has never been scheduled (default:
    the current one); `until`: catch-up mode, plan up to that day with every start time passed."""
    home = Path(home) if home is not None else densan_home()
    lock = _single_instance(home)
    stop = {"flag": False}

    def _stop(signum, frame):
        stop["flag"] = True
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def say(msg: str) -> None:
        log(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {msg}")

    eng = Engine(home, log=say, virtual=until is not None, poll=poll)
    try:
        cal = load_calendar()
        nets = load_all()
        stamp = _library_stamp()
        say(f"SCHEDULER STARTED pid {os.getpid()} home {home}: {len(nets)} root jobnet(s)"
            + (f", catch-up to {until}" if until else ""))
        with eng.st.tx() as db:
            eng.st.event(db, "scheduler-start", who="scheduler", detail=f"pid {os.getpid()}")
        n = 0
        while not stop["flag"]:
            n += 1
            if n % 30 == 0 and _library_stamp() != stamp:       # a jobnet YAML changed: reload it
                nets, stamp = load_all(), _library_stamp()
                say(f"JOBNET LIBRARY RELOADED: {len(nets)} root jobnet(s)")
            eng.materialize_due(nets, cal, first, until)
            eng.tick()
            if exit_when_idle and eng.idle():
                break
            time.sleep(poll)
        say("SCHEDULER STOPPED" + (" (signal)" if stop["flag"] else " (nothing left to do)"))
        return 0
    finally:
        eng.close()
        lock.close()


def run_jobnet(name: str, date, *, params: dict[str, str] | None = None, restart: bool = False,
               home: Path | None = None, poll: float = 0.2, echo=print) -> tuple[str, int]:
    """`densan run NIGHTLY --param date=…`: one run of a jobnet for an operating day, in the
    foreground (not planned: its start time and conditions are not waited for). With
    restart, the latest foreground run of that day continues from its failed units instead.
    Returns (status, run id)."""
    net = load_jobnet(name)
    opday = S.opday_text(date)
    st = S.State(home)
    try:
        rid = None
        if restart:
            prev = st.find_run(net.name, opday, kind="foreground")
            if prev is None:
                raise S.ScheduleError(f"--restart: {net.name} has no foreground run for {opday}")
            rid = prev["id"]
            if prev["status"] in (S.ABNORMAL, S.KILLED):
                S.rerun(net.name, opday, "failed", why="densan run --restart", home=st.home, run_id=rid)
        if rid is None:
            with st.tx() as db:
                rid = st.create_run(db, net, opday, kind="foreground", why="densan run (foreground)", start_after=None,
                                    deadline=None, params={**net.params, **(params or {})}, who=S.whoami())
    finally:
        st.close()
    eng = Engine(home, log=echo, virtual=True, only_run=rid, poll=poll)
    try:
        while True:
            eng.tick()
            row = eng.st.run_row(rid)
            if row["status"] in S.FINAL or eng.idle():
                break
            time.sleep(poll)
        row = eng.st.run_row(rid)
        for u in eng.st.units_of(rid):
            rc = "" if u["rc"] is None else f"RC={u['rc']:04d}"
            echo(f"  {u['unit']:<20} {u['job']:<10} {u['status']:<20} {rc} {u['abend'] or ''} {u['job_run'] or ''}")
        return row["status"], rid
    finally:
        eng.close()
