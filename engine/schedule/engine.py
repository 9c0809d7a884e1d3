"""What the scheduler does on each tick, shared by `densan scheduler` (every operating day)
and `densan run JOBNET` (one run in the foreground): create the day's planned runs, start a
jobnet run when its time, start conditions, connectors and exclusions allow, start each unit
whose predecessors ended as its relations ask, notice ends and dead unit processes, flag
delays. Every start is committed to the state before the unit's process exists."""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

from engine.calendar import CityCalendar, load_calendar
from engine.schedule import state as S
from engine.schedule.jobnet import Jobnet, JobnetError, format_time, load_all, load_jobnet
from engine.schedule.rules import plan_days

DAY = 24 * 60


# ==================================================================== planning

def start_instant(net: Jobnet, opday: dt.date) -> dt.datetime:
    """When a jobnet's run of an operating day may start (its start time, else the base time)."""
    minutes = net.start if net.start is not None else net.base_time
    return dt.datetime.combine(opday, dt.time()) + dt.timedelta(minutes=minutes)


def deadline_instant(net: Jobnet, opday: dt.date) -> dt.datetime | None:
    if net.deadline is None:
        return None
    return dt.datetime.combine(opday, dt.time()) + dt.timedelta(minutes=net.deadline)


def operating_day(net: Jobnet, at: dt.datetime) -> dt.date:
    """The operating day an instant belongs to: a day runs from its base time to the next."""
    return (at - dt.timedelta(minutes=net.base_time)).date()


def plan_range(start: dt.date, end: dt.date, *, jobnet: str | None = None, nets: dict[str, Jobnet] | None = None,
               calendar: CityCalendar | None = None) -> list[dict]:
    """Planned runs of every root jobnet (or one) from start to end, in date and start order."""
    cal = calendar or load_calendar()
    if nets is None:
        nets = {jobnet.upper(): load_jobnet(jobnet)} if jobnet else load_all()
    out = []
    for name, net in nets.items():
        for p in plan_days(net.schedule, start, end, cal):
            st = start_instant(net, p.date)
            dl = deadline_instant(net, p.date)
            out.append({"jobnet": name, "date": p.date.isoformat(), "start": st.isoformat(sep=" ", timespec="minutes"),
                        "deadline": dl.isoformat(sep=" ", timespec="minutes") if dl else None,
                        "rule": p.rule, "why": p.why, "units": len(net.units),
                        "unit_plan": [unit_plan(u, p.date, cal) for u in net.units]})
    out.sort(key=lambda r: (r["date"], r["start"], r["jobnet"]))
    return out


def unit_plan(u, day: dt.date, cal: CityCalendar) -> dict:
    """What a unit will do on a planned day: run, run if its inputs are there (needs:), or be
    bypassed because it is not one of its days."""
    if u.days:
        hits = plan_days(u.days, day, day, cal)
        if not hits:
            return {"unit": u.path, "job": u.job, "plan": "bypassed", "why": "not one of its days"}
        why = hits[0].why.split("): ", 1)[-1]
    else:
        why = ""
    if u.needs:
        need = "if " + ", ".join(u.needs) + " " + ("has a generation" if len(u.needs) == 1 else "have generations")
        return {"unit": u.path, "job": u.job, "plan": "runs " + need, "why": why}
    return {"unit": u.path, "job": u.job, "plan": "runs", "why": why}


def explain(jobnet: str, day: dt.date, calendar: CityCalendar | None = None) -> str:
    """`densan schedule why`: the rule that plans the run, or why none does."""
    cal = calendar or load_calendar()
    net = load_jobnet(jobnet)
    hits = [p for p in plan_days(net.schedule, day, day, cal)]
    cal_note = f"{day} is {cal.why(day)}"
    if hits:
        p = hits[0]
        return (f"{net.name} runs on operating day {day} (starts {start_instant(net, day):%Y-%m-%d %H:%M}): "
                f"{p.why}. {cal_note}.")
    if not net.schedule:
        return f"{net.name} has no schedule rules: it runs only when started (run-now, connectors). {cal_note}."
    return (f"{net.name} is not planned on {day}: none of its {len(net.schedule)} rule(s) gives that day "
            f"({'; '.join(map(str, net.schedule))}). {cal_note}.")


def plan_diff(old: CityCalendar, new: CityCalendar, year: int, nets: dict[str, Jobnet] | None = None) -> list[str]:
    """What a calendar change does to the year's plan: runs added (+) and removed (-)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    a = {(r["jobnet"], r["date"]): r for r in plan_range(start, end, nets=nets, calendar=old)}
    b = {(r["jobnet"], r["date"]): r for r in plan_range(start, end, nets=nets, calendar=new)}
    lines = [f"- {d} {n}  ({a[(n, d)]['why']})" for n, d in sorted(set(a) - set(b), key=lambda k: (k[1], k[0]))]
    lines += [f"+ {d} {n}  ({b[(n, d)]['why']})" for n, d in sorted(set(b) - set(a), key=lambda k: (k[1], k[0]))]
    return sorted(lines, key=lambda s: (s[2:12], s[0]))


# ==================================================================== creating runs

_OPDAY_RE = re.compile(r"\{(opday|nendo)(?::([^{}]+))?\}")


def _subst(value: str, opday: str, extra: dict[str, str]) -> str:
    """A jobnet or unit param for an operating day: {opday} is YYYYMMDD, {opday:%Y%m} any
    strftime form, {nendo} the fiscal year (April to March) as YYYY; {file} the arrived file."""
    day = dt.date.fromisoformat(opday)

    def one(m) -> str:
        if m.group(1) == "nendo":
            return str(day.year if day.month >= 4 else day.year - 1)
        return day.strftime(m.group(2) or "%Y%m%d")
    out = _OPDAY_RE.sub(one, value)
    for k, v in extra.items():
        out = out.replace("{" + k + "}", v)
    return out


def materialize(st: S.State, jobnet: str, opday: str, *, kind: str = "planned", who: str = "scheduler",
                why: str | None = None, params: dict[str, str] | None = None, only_if_planned: bool = False,
                net: Jobnet | None = None, calendar: CityCalendar | None = None) -> int | None:
    """Create a jobnet run for an operating day (planned: once; run-now: another each time)."""
    net = net or load_jobnet(jobnet)
    day = dt.date.fromisoformat(opday)
    if kind == "planned" or only_if_planned:
        hits = plan_days(net.schedule, day, day, calendar or load_calendar())
        if not hits:
            if only_if_planned:
                return None
            raise S.ScheduleError(f"{net.name} is not planned on {opday}")
        why = why or hits[0].why
    dl = deadline_instant(net, day)
    with st.tx() as db:
        return st.create_run(db, net, opday, kind=kind, why=why or kind,
                             start_after=None if kind == "run-now" else start_instant(net, day).isoformat(sep=" "),
                             deadline=dl.isoformat(sep=" ") if dl else None,
                             params={**net.params, **(params or {})}, who=who, calendar=calendar)


# ==================================================================== history → prediction

def predicted_seconds(st: S.State, job: str, n: int = 5) -> float | None:
    """The median run time of a job's last n normal ends (None without history)."""
    rows = st.db.execute("SELECT started, ended FROM units WHERE job = ? AND status IN (?, ?) AND started IS NOT NULL "
                         "AND ended IS NOT NULL ORDER BY ended DESC LIMIT ?", (job, S.NORMAL, S.WARNING, n)).fetchall()
    secs = sorted((dt.datetime.fromisoformat(r["ended"]) - dt.datetime.fromisoformat(r["started"])).total_seconds()
                  for r in rows)
    if not secs:
        return None
    return secs[len(secs) // 2]


def predict_end(st: S.State, run: int, at: dt.datetime) -> dt.datetime | None:
    """The run's predicted end: the longest path through its unfinished units, each taking its
    history's median (else its expected time)."""
    units = st.units_of(run)
    finish: dict[str, dt.datetime] = {}
    end = at
    for u in units:                                   # stored in dependency order
        preds = [p for p, _ in json.loads(u["after"] or "[]")]
        if u["status"] in S.FINAL:
            finish[u["unit"]] = dt.datetime.fromisoformat(u["ended"]) if u["ended"] else at
            continue
        secs = predicted_seconds(st, u["job"]) or u["expected"]
        if secs is None:
            return None
        begin = max([at] + [finish.get(p, at) for p in preds])
        if u["status"] == S.RUNNING and u["started"]:
            begin = dt.datetime.fromisoformat(u["started"])
            f = max(at, begin + dt.timedelta(seconds=secs))
        else:
            f = begin + dt.timedelta(seconds=secs)
        finish[u["unit"]] = f
        end = max(end, f)
    return end


# ==================================================================== the tick

def _sat(status: str, cond: str) -> bool:
    """Whether a relation holds. A bypassed predecessor is passed through: it satisfies the
    ordinary relations (ok, normal, end), never a recovery or warning one."""
    if status == S.BYPASSED:
        return cond in ("ok", "normal", "end")
    return {"ok": status in (S.NORMAL, S.WARNING, S.SKIPPED),
            "normal": status in (S.NORMAL, S.SKIPPED),
            "warning": status == S.WARNING,
            "abnormal": status in S.BAD,
            "end": status in S.FINAL}[cond]


def _passed_on(unit: str, status: dict, after: dict, seen: frozenset = frozenset()) -> str:
    """The status `unit` hands to the units after it. A bypassed unit (not on its days, or
    a recovery unit not needed) passes the flow on only once the units before it have
    ended, and stops it where one of them failed: a unit after it must not start
    before, or beside, what comes before the bypassed one (JP1's 未実行終了)."""
    own = status[unit]
    if own != S.BYPASSED or unit in seen:
        return own
    before = [(_passed_on(p, status, after, seen | {unit}), c) for p, c in after.get(unit, [])]
    if any(s not in S.FINAL for s, _ in before):
        return S.WAITING
    if any(s in S.BAD and not _sat(s, c) for s, c in before):
        return S.ABNORMAL
    return S.BYPASSED


class Engine:
    """One scheduler's view of the state; `tick()` moves every run as far as it can go."""

    def __init__(self, home: Path | None = None, *, log=None, virtual: bool = False, only_run: int | None = None,
                 poll: float = 1.0, echo_units: bool = False):
        self.st = S.State(home)
        self.home = self.st.home
        self.token = uuid.uuid4().hex[:12]
        self.log = log or (lambda m: None)
        self.virtual = virtual               # catch-up: every start time counts as passed
        self.only_run = only_run             # `densan run JOBNET`: this run only
        self.poll = poll
        self.children: dict[int, subprocess.Popen] = {}
        (self.home / "schedule" / "attempts").mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        self.st.close()

    def clock(self) -> dt.datetime:
        return dt.datetime.now()

    # ------------------------------------------------------------ planned runs
    def materialize_due(self, nets: dict[str, Jobnet], cal: CityCalendar, first: dt.date | None,
                        last: dt.date | None) -> None:
        """Create every planned run from each jobnet's last created day to `last` (or its current
        operating day): a scheduler that was down catches up without losing a run."""
        now = self.clock()
        for name, net in nets.items():
            if not self._base_time_ok(net):
                continue
            key = f"through:{name}"
            done = self.st.get_meta(key)
            upto = last or operating_day(net, now)
            begin = dt.date.fromisoformat(done) + dt.timedelta(days=1) if done else (first or upto)
            if begin > upto:
                continue
            for p in plan_days(net.schedule, begin, upto, cal):
                materialize(self.st, name, p.date.isoformat(), net=net, calendar=cal, why=p.why)
            with self.st.tx() as db:
                self.st.set_meta(db, key, upto.isoformat())

    def _base_time_ok(self, net: Jobnet) -> bool:
        """JP1's trap: changing a base time re-labels the night, so a jobnet runs twice (or not
        at all). densan refuses a changed base time until an operator accepts it
        (`densan schedule accept-base-time`), which keeps the days already created."""
        key = f"base_time:{net.name}"
        known = self.st.get_meta(key)
        mine = format_time(net.base_time)
        if known is None:
            with self.st.tx() as db:
                self.st.set_meta(db, key, mine)
            return True
        if known == mine:
            return True
        warned = f"base_warned:{net.name}:{mine}"
        if not self.st.get_meta(warned):
            msg = (f"REFUSED: base time of {net.name} changed {known} -> {mine}; this would run a night twice "
                   f"(JP1's base-time trap). Nothing new of {net.name} is planned until an operator runs "
                   f"`densan schedule accept-base-time {net.name}`")
            self.log(msg)
            with self.st.tx() as db:
                self.st.set_meta(db, warned, "1")
                self.st.event(db, "base-time-refused", who="scheduler", jobnet=net.name, why=msg)
        return False

    # ------------------------------------------------------------ reconcile
    def reconcile(self) -> None:
        """Notice unit processes that ended or died; never start anything here."""
        for pid, proc in list(self.children.items()):
            if proc.poll() is not None:
                del self.children[pid]
        rows = self.st.db.execute(
            "SELECT a.* FROM attempts a JOIN jobnet_runs r ON r.id = a.run WHERE a.status IN ('starting', 'running', "
            "'kill-requested') AND " + ("r.id = ?" if self.only_run is not None else "r.kind != 'foreground' AND ?"),
            (self.only_run if self.only_run is not None else 1,)).fetchall()
        for a in rows:
            lock = self.home / "schedule" / "attempts" / f"{a['id']}.lock"
            if a["status"] == "starting":
                mine = a["owner"] == self.token
                child_alive = any(p.poll() is None and getattr(p, "attempt", None) == a["id"]
                                  for p in self.children.values())
                if mine and child_alive:
                    continue
                # an earlier scheduler wrote it and died before or while starting the process: take it
                # back (a late process then finds it gone and runs nothing) and start it again. Our own
                # process that died before claiming it failed to launch: the unit ends abnormally.
                with self.st.tx() as db:
                    cur = db.execute("UPDATE attempts SET status = 'lost', ended = ? WHERE id = ? AND status = 'starting'",
                                     (S.now(), a["id"]))
                    if cur.rowcount and not mine:
                        db.execute("UPDATE units SET status = ?, attempts = attempts - 1, started = NULL "
                                   "WHERE run = ? AND unit = ? AND status = ?", (S.WAITING, a["run"], a["unit"], S.RUNNING))
                        self.st.event(db, "requeue", who="scheduler", unit=a["unit"],
                                      why="its start was written but its process never claimed it", detail=f"attempt {a['id']}")
                    elif cur.rowcount:
                        db.execute("UPDATE units SET status = ?, abend = 'LAUNCH', ended = ? WHERE run = ? AND unit = ? "
                                   "AND status = ?", (S.ABNORMAL, S.now(), a["run"], a["unit"], S.RUNNING))
                        out = self.home / "schedule" / "attempts" / f"{a['id']}.out"
                        self.st.event(db, "unit-lost", who="scheduler", unit=a["unit"],
                                      why=f"its process ended before it began; see {out}", detail=f"attempt {a['id']}")
                continue
            if _lock_held(lock):
                continue
            with self.st.tx() as db:        # running, and its process is gone without a result
                now_status = db.execute("SELECT status FROM attempts WHERE id = ?", (a["id"],)).fetchone()[0]
                cur = db.execute("UPDATE attempts SET status = 'died', ended = ? WHERE id = ? AND status IN ('running', "
                                 "'kill-requested')", (S.now(), a["id"]))
                if cur.rowcount:
                    killed = now_status == "kill-requested"
                    db.execute("UPDATE units SET status = ?, abend = ?, ended = ? WHERE run = ? AND unit = ? AND status = ?",
                               (S.KILLED if killed else S.ABNORMAL, "S222" if killed else "LOST", S.now(),
                                a["run"], a["unit"], S.RUNNING))
                    self.st.event(db, "unit-lost", who="scheduler", unit=a["unit"],
                                  why="the unit's process ended without recording its end", detail=f"attempt {a['id']}")

    # ------------------------------------------------------------ starting
    def active_runs(self) -> list:
        q = "SELECT * FROM jobnet_runs WHERE status IN (?, ?)"
        args: list = [S.WAITING, S.RUNNING]
        if self.only_run is not None:
            q += " AND id = ?"
            args.append(self.only_run)
        else:                                 # `densan run JOBNET` drives its own runs
            q += " AND kind != 'foreground'"
        return self.st.db.execute(q + " ORDER BY COALESCE(start_after, created), id", args).fetchall()

    def tick(self) -> None:
        self.reconcile()
        now = self.clock()
        for run in self.active_runs():
            if run["status"] == S.WAITING:
                if not self._may_start_run(run, now):
                    continue
            self._advance(run)
            self._refresh(run["id"], now)

    def _may_start_run(self, run, now: dt.datetime) -> bool:
        if run["held"]:
            return False
        if not self.virtual and run["start_after"] and \
                dt.datetime.fromisoformat(run["start_after"]) > now:
            return False
        for other in json.loads(run["after_jobnets"] or "[]"):       # connectors
            prev = self.st.find_run(other, run["opday"])
            if prev is not None and prev["status"] not in (S.NORMAL, S.WARNING, S.SKIPPED):
                return False
        excl = set(json.loads(run["exclusive"] or "[]"))
        for r in self.st.db.execute("SELECT jobnet, exclusive FROM jobnet_runs WHERE status = ? AND id != ?",
                                    (S.RUNNING, run["id"])).fetchall():
            if r["jobnet"] in excl or run["jobnet"] in json.loads(r["exclusive"] or "[]") or r["jobnet"] == run["jobnet"]:
                return False
        trigger = None
        if run["kind"] == "planned":
            for kind, value in json.loads(run["conditions"] or "[]"):
                t = self._condition(run, kind, value)
                if t is None:
                    return False
                trigger = (trigger + "; " if trigger else "") + t
        with self.st.tx() as db:
            cur = db.execute("UPDATE jobnet_runs SET status = ?, started = ?, trigger = ? WHERE id = ? AND status = ?",
                             (S.RUNNING, S.now(), trigger, run["id"], S.WAITING))
            if cur.rowcount:
                self.st.event(db, "start", who="scheduler", jobnet=run["jobnet"], opday=run["opday"],
                              why=trigger or run["why"], detail=f"run {run['id']}")
                self.log(f"JOBNET {run['jobnet']} {run['opday']} STARTED (run {run['id']})"
                         + (f" — {trigger}" if trigger else ""))
        return True

    def _condition(self, run, kind: str, value: str) -> str | None:
        """A start condition's trigger text when it holds, else None."""
        prev = self.st.db.execute("SELECT trigger FROM jobnet_runs WHERE jobnet = ? AND trigger IS NOT NULL AND id != ?",
                                  (run["jobnet"], run["id"])).fetchall()
        used = "; ".join(r["trigger"] for r in prev)
        if kind == "file":
            for p in sorted(self.home.glob(value)):
                if p.is_file():
                    t = f"file {p.relative_to(self.home)} ({p.stat().st_size} bytes, mtime {int(p.stat().st_mtime)})"
                    if t not in used:
                        return t
            return None
        if kind == "dataset":
            from engine.job.catalog import Catalog
            cat = Catalog(self.home)
            try:
                gens = cat.generations(value.upper())
            finally:
                cat.close()
            if not gens:
                return None
            t = f"dataset {gens[-1].dsn}"
            return None if t in used else t
        return None

    def _advance(self, run) -> None:
        """Start every unit of a started run whose relations are satisfied; bypass the others."""
        if run["held"] and run["status"] == S.WAITING:
            return
        units = self.st.units_of(run["id"])
        status = {u["unit"]: u["status"] for u in units}
        after = {u["unit"]: json.loads(u["after"] or "[]") for u in units}
        for u in units:
            if u["status"] != S.WAITING:
                continue
            flow = {p: _passed_on(p, status, after) for p, _ in after[u["unit"]]}
            rels = [(p, c, _sat(flow[p], c)) for p, c in after[u["unit"]]]
            if any(flow[p] not in S.FINAL for p, _, _ in rels):
                continue
            failed = [(p, c) for p, c, s in rels if s is False]
            if failed:
                if any(flow[p] in S.BAD for p, _ in failed):
                    continue                     # the jobnet stops here until a rerun
                self._set_unit(run, u["unit"], S.BYPASSED,
                               "; ".join(f"{p} {status[p]}, relation {c}" for p, c in failed))
                status[u["unit"]] = S.BYPASSED
                continue
            if u["held"]:
                continue
            missing = self._missing_inputs(u)
            if missing:
                self._set_unit(run, u["unit"], S.BYPASSED, missing)
                status[u["unit"]] = S.BYPASSED
                continue
            if self.start_unit(run, u):
                status[u["unit"]] = S.RUNNING

    def _missing_inputs(self, u) -> str | None:
        """Why a unit with needs: must be bypassed now (a dataset not catalogued, a GDG base
        without a generation), or None when all its inputs are there."""
        needs = json.loads(u["needs"] or "[]") if "needs" in u.keys() else []
        if not needs:
            return None
        from engine.job.catalog import Catalog
        cat = Catalog(self.home)
        try:
            missing = [f"{n} has no generation" if cat.gdg(n) is not None else f"{n} is not catalogued"
                       for n in needs if not (cat.generations(n) if cat.gdg(n) is not None else cat.get(n))]
        finally:
            cat.close()
        return ("nothing to do: " + ", ".join(missing)) if missing else None

    def _set_unit(self, run, unit: str, new: str, why: str) -> None:
        with self.st.tx() as db:
            cur = db.execute("UPDATE units SET status = ?, ended = ? WHERE run = ? AND unit = ? AND status = ?",
                             (new, S.now(), run["id"], unit, S.WAITING))
            if cur.rowcount:
                self.st.event(db, new, who="scheduler", jobnet=run["jobnet"], opday=run["opday"], unit=unit, why=why)
                self.log(f"  {run['jobnet']}/{unit} {new.upper()}: {why}")

    def start_unit(self, run, u) -> bool:
        """waiting -> running and an attempt row, in one transaction, then the process."""
        with self.st.tx() as db:
            cur = db.execute("UPDATE units SET status = ?, attempts = attempts + 1, started = ?, ended = NULL, "
                             "rc = NULL, abend = NULL WHERE run = ? AND unit = ? AND status = ? AND held = 0",
                             (S.RUNNING, S.now(), run["id"], u["unit"], S.WAITING))
            if not cur.rowcount:
                return False
            aid = db.execute("INSERT INTO attempts (run, unit, status, restart, owner, created) VALUES (?,?,?,?,?,?)",
                             (run["id"], u["unit"], "starting", u["restart"], self.token, S.now())).lastrowid
            self.st.event(db, "unit-start", who="scheduler", jobnet=run["jobnet"], opday=run["opday"], unit=u["unit"],
                          detail=f"attempt {aid}" + (f" restart {u['restart']}" if u["restart"] else ""))
        env = dict(os.environ, DENSAN_HOME=str(self.home))
        out = open(self.home / "schedule" / "attempts" / f"{aid}.out", "ab")
        with out:                 # the unit process's own messages (the job log is under logs/)
            proc = subprocess.Popen([sys.executable, "-m", "engine.schedule.launch", str(self.home), str(aid)],
                                    env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT)
        proc.attempt = aid
        self.children[proc.pid] = proc
        self.log(f"  {run['jobnet']}/{u['unit']} JOB {u['job']} STARTED (attempt {aid}"
                 + (f", restart {u['restart']}" if u["restart"] else "") + ")")
        return True

    # ------------------------------------------------------------ run status, delays
    def _refresh(self, run_id: int, now: dt.datetime) -> None:
        run = self.st.run_row(run_id)
        if run["status"] not in (S.RUNNING,):
            return
        units = self.st.units_of(run_id)
        st = {u["unit"]: u["status"] for u in units}
        blocked = self._blocked(units, st)
        if any(s == S.RUNNING for s in st.values()):
            new = S.RUNNING
        elif all(s in S.FINAL or u in blocked for u, s in st.items()):
            if any(s in S.BAD for s in st.values()):
                new = S.KILLED if any(s == S.KILLED for s in st.values()) and \
                    not any(s == S.ABNORMAL for s in st.values()) else S.ABNORMAL
            else:
                new = S.WARNING if any(s == S.WARNING for s in st.values()) else S.NORMAL
        else:
            new = S.RUNNING
        if new != run["status"]:
            with self.st.tx() as db:
                db.execute("UPDATE jobnet_runs SET status = ?, ended = ? WHERE id = ?", (new, S.now(), run_id))
                self.st.event(db, "end", who="scheduler", jobnet=run["jobnet"], opday=run["opday"], why=new,
                              detail=f"run {run_id}")
            self.log(f"JOBNET {run['jobnet']} {run['opday']} {new.upper()} (run {run_id})")
            return
        if run["deadline"] and not run["late"]:
            dl = dt.datetime.fromisoformat(run["deadline"])
            pred = predict_end(self.st, run_id, now) if not self.virtual else None
            msg = None
            if now > dl:
                msg = f"END DELAY: {run['jobnet']} {run['opday']} is still running after its deadline {dl:%H:%M}"
            elif pred is not None and pred > dl:
                msg = (f"PREDICTED END DELAY: {run['jobnet']} {run['opday']} should end about {pred:%H:%M}, "
                       f"after its deadline {dl:%H:%M}")
            if msg:
                with self.st.tx() as db:
                    db.execute("UPDATE jobnet_runs SET late = 1 WHERE id = ?", (run_id,))
                    self.st.event(db, "delay", who="scheduler", jobnet=run["jobnet"], opday=run["opday"], why=msg)
                self.log(msg)

    @staticmethod
    def _blocked(units, st: dict[str, str]) -> set[str]:
        """Waiting units that cannot start until a rerun: behind an abnormal end, or held."""
        blocked: set[str] = set()
        for u in units:                           # dependency order
            if st[u["unit"]] != S.WAITING:
                continue
            rels = json.loads(u["after"] or "[]")
            if u["held"] or any(st[p] in S.BAD and _sat(st[p], c) is False for p, c in rels) \
                    or any(p in blocked for p, _ in rels):
                blocked.add(u["unit"])
        return blocked

    def idle(self) -> bool:
        """Nothing running and nothing that could start without an operator."""
        runs = self.active_runs()
        for r in runs:
            if r["status"] == S.WAITING and not r["held"]:
                return False
            units = self.st.units_of(r["id"])
            st = {u["unit"]: u["status"] for u in units}
            if any(s == S.RUNNING for s in st.values()):
                return False
            if r["status"] == S.RUNNING and not all(s in S.FINAL or u in self._blocked(units, st)
                                                    for u, s in st.items()):
                return False
        return True


def _lock_held(path: Path) -> bool:
    """True while a unit process holds its attempt lock (an flock dies with its process)."""
    try:
        fh = open(path, "a+")
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False
