"""The scheduler (engine.schedule.state, issue #12) as the console shows it: the jobnets of a
night with their units, the month's planned runs, and the operators' actions on them (hold,
release, rerun from the failed job, kill, skip), each audited here with who, why and from
where, and kept in the scheduler's own history. Without the scheduler installed the night
has no jobnets and the month shows the departments' requests only."""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from pathlib import Path

from engine.errors import DensanError
from engine.server import dept_requests as dr
from engine.server.access import Forbidden
from engine.server.night import NightItem

try:
    from engine.schedule import state as S
except ImportError:                      # the scheduler is not on this installation
    S = None

STATUS = {"waiting": "WAITING", "held": "HELD", "running": "RUNNING", "ended-normally": "ENDED",
          "ended-with-warning": "WARNING", "ended-abnormally": "ABNORMAL", "killed": "ABNORMAL",
          "bypassed": "SKIPPED", "skipped": "SKIPPED"}
ACTIONS = {"WAITING": ["hold", "skip"], "HELD": ["release", "skip"], "RUNNING": ["kill"],
           "ABNORMAL": ["rerun", "skip"], "WARNING": ["rerun-warnings"], "ENDED": [], "SKIPPED": []}


def _t(text: str | None) -> _dt.datetime | None:
    if not text:
        return None
    try:
        return _dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None


def jobnet_items(home: Path, day: _dt.date) -> list[NightItem]:
    """One item per unit of every jobnet run of the operating day."""
    if S is None:
        return []
    out = []
    for run in S.status(day, home=home):
        deadline = _t(run.get("deadline"))
        for u in run["units"]:
            st = STATUS.get(u["status"], "WAITING")
            start, end = _t(u["started"]), _t(u["ended"])
            expected = start + _dt.timedelta(seconds=u["expected"]) if (start and u.get("expected")) else None
            rc = f"ABEND {u['abend']}" if u.get("abend") else (f"CC {u['rc']:04d}" if u.get("rc") is not None else "")
            out.append(NightItem(u["job"], u["job_run"], st, u["status"], start, end, expected, deadline, rc=rc,
                                 jobnet=run["jobnet"], extra={"unit": u["unit"], "actions": ACTIONS.get(st, []),
                                                              "kind": run["kind"], "late": run.get("late")}))
    return out


def act(sv, a, date: str, jobnet: str, unit: str | None, action: str, reason: str) -> str:
    """An operator's action on a jobnet run (or one of its units), audited."""
    if S is None:
        raise dr.RequestError("the scheduler is not installed: no jobnet actions")
    if a.user.role != "operator":
        raise Forbidden("only an operator acts on the schedule")
    if not reason.strip():
        raise dr.RequestError("an action on the schedule needs a reason")
    kw = dict(who=a.user.username, why=reason, home=sv.home)
    try:
        if action == "hold":
            done = S.hold(jobnet, date, unit, **kw)
        elif action == "release":
            done = S.release(jobnet, date, unit, **kw)
        elif action == "skip":
            if not unit:
                raise dr.RequestError("skip names a unit")
            done = S.skip(jobnet, date, unit, **kw)
        elif action == "kill":
            done = S.kill(jobnet, date, unit, **kw)
        elif action in ("rerun", "rerun-warnings", "rerun-after", "rerun-top"):
            mode = {"rerun": "failed", "rerun-warnings": "warnings", "rerun-after": "after", "rerun-top": "top"}[action]
            done = S.rerun(jobnet, date, mode, unit=unit, **kw)
        else:
            raise dr.RequestError(f"action {action!r} is not hold, release, skip, kill or rerun")
    except dr.RequestError:
        raise
    except DensanError as exc:
        raise dr.RequestError(str(exc)) from None
    job = next((u["job"] for r in S.status(date, jobnet=jobnet, home=sv.home) for u in r["units"]
                if u["unit"] == unit), None)
    entry = sv.job(job) if job else None
    sv.audit(a.user, action, what=f"jobnet {jobnet} {date}" + (f" unit {unit}" if unit else "") + f": {', '.join(done)}",
             why=reason, owner=entry.section if entry and entry.section else "IT", ip=a.ip)
    return f"{action}: {jobnet} " + ", ".join(done)


def month_plan(sv, year: int, month: int, user) -> dict[str, list[str]]:
    """ISO date -> what is planned that day: the scheduler's jobnets (IT section) and requests."""
    out: dict[str, list[str]] = defaultdict(list)
    if S is not None and user.is_staff:
        try:
            for p in S.plan(f"{year:04d}-{month:02d}", home=sv.home):
                out[p["date"]].append(f"{p['jobnet']} {str(p['start'])[11:16]}")
        except DensanError:
            pass                          # a broken jobnet is the scheduler's to report
    prefix = f"{year:04d}-{month:02d}"
    for r in dr.list_for(sv.store, user, limit=1000):
        if r.run_date.startswith(prefix) and r.status not in ("REJECTED", "CANCELLED"):
            out[r.run_date].append(f"{r.job} #{r.id}")
    return out


def scheduled_counts(sv, fy: int) -> dict[tuple[str, str], int]:
    """(job, YYYY-MM) -> planned scheduler runs in fiscal year fy, counted for each job of each
    planned jobnet (a jobnet's units are the jobs the sections own)."""
    if S is None:
        return {}
    try:
        from engine.schedule.jobnet import load_all
        nets = load_all()
        rows = S.plan_year(fy, home=sv.home) + S.plan_year(fy + 1, home=sv.home)
    except DensanError:
        return {}
    lo, hi = f"{fy:04d}-04", f"{fy + 1:04d}-03"
    out: dict[tuple[str, str], int] = defaultdict(int)
    for p in rows:
        m = p["date"][:7]
        if not lo <= m <= hi or p["jobnet"] not in nets:
            continue
        for u in nets[p["jobnet"]].units:
            out[(u.job, m)] += 1
    return dict(out)
