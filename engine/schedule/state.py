"""The scheduler's state and the operators' API (the console calls these functions).

State is SQLite beside the catalog: `$DENSAN_HOME/schedule.db` (WAL; every change one short
`BEGIN IMMEDIATE` transaction, so commands work while the scheduler runs).

- `jobnet_runs`: one row per root jobnet per operating day (kind `planned`) or per unplanned
  run (`run-now`), with its hold flag, earliest start, deadline and the flattened unit list
  it was created with (a change of the YAML does not change a night already under way).
- `units`: one row per job unit of a jobnet run: JP1's status, hold flag, RC, the densan job
  run (J0000042) that ran it, attempts, start and end.
- `attempts`: every start of a unit. It is written *before* the unit's process is started
  (status `starting`); the unit process claims it (`running`) and records its end. A unit
  is started only by moving it from `waiting` to `running` in one transaction, so a
  scheduler killed at any moment and started again never starts it twice.
- `events`: the history: who did what to which run, when and why (operators and scheduler).

Statuses (JP1/AJS3's, in English): see STATUSES. `held` is shown for a waiting unit or
jobnet run whose hold flag is set.

Python API (all take `home=None` for DENSAN_HOME; `who` defaults to the login name):

    from engine.schedule import state as S
    S.status(date)                        -> list[dict]: jobnet runs of an operating day, each with "units"
                                             (and "predicted_end" while running)
    S.jobnet_run(jobnet, date)            -> dict | None
    S.hold(jobnet, date, unit=None, who=, why=)     hold a unit, or the whole jobnet run
    S.release(jobnet, date, unit=None, who=, why=)
    S.rerun(jobnet, date, mode="failed"|"after"|"top"|"warnings", who=, why=)
    S.kill(jobnet, date, unit=None, who=, why=)     end a running unit (or all of a run) as killed
    S.skip(jobnet, date, unit, who=, why=)          mark ended normally without running
    S.run_now(jobnet, date, who=, why=)             an unplanned run (kind run-now)
    S.run_job_now(job, date, params=, who=, why=, exclusive=, start_after=)
                                          a run-now of one job unit (the console's signed requests)
    S.history(jobnet=None, date=None, limit=100)    -> list[dict] events, newest first
    S.gantt(date)                         -> list[dict]: unit bars (start, end, expected, predicted end)
    S.plan(month="2026-01") / S.plan_year(2026)  -> list[dict] planned runs with their rule's reason
    S.why(jobnet, date)                   -> str
Errors are ScheduleError (a DensanError: a message and what to do).
"""
from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from engine.config import densan_home
from engine.errors import DensanError

# JP1/AJS3 statuses
WAITING = "waiting"                   # 先行終了待ち / 開始時刻待ち / 起動条件待ち
HELD = "held"                         # 保留中 (shown; stored as the hold flag)
RUNNING = "running"                   # 実行中
NORMAL = "ended-normally"             # 正常終了
WARNING = "ended-with-warning"        # 警告検出終了
ABNORMAL = "ended-abnormally"         # 異常検出終了
BYPASSED = "bypassed"                 # 未実行終了 (a condition was not met)
KILLED = "killed"                     # 強制終了
SKIPPED = "skipped"                   # 計画未実行 / marked ended normally by an operator
STATUSES = (WAITING, HELD, RUNNING, NORMAL, WARNING, ABNORMAL, BYPASSED, KILLED, SKIPPED)
FINAL = (NORMAL, WARNING, ABNORMAL, BYPASSED, KILLED, SKIPPED)
GOOD = (NORMAL, WARNING, SKIPPED)
BAD = (ABNORMAL, KILLED)
RERUN_MODES = ("failed", "after", "top", "warnings")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS jobnet_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, jobnet TEXT NOT NULL, opday TEXT NOT NULL,
    kind TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 1, status TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0, start_after TEXT, deadline TEXT, why TEXT, params TEXT,
    conditions TEXT, trigger TEXT, exclusive TEXT, after_jobnets TEXT,
    created TEXT, started TEXT, ended TEXT, late INTEGER NOT NULL DEFAULT 0,
    UNIQUE (jobnet, opday, kind, seq));
CREATE TABLE IF NOT EXISTS units (
    run INTEGER NOT NULL, seq INTEGER NOT NULL, unit TEXT NOT NULL, job TEXT NOT NULL,
    params TEXT, after TEXT, warning_rc INTEGER NOT NULL DEFAULT 4, expected REAL,
    hold_on_abnormal INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL, held INTEGER NOT NULL DEFAULT 0, restart TEXT, rc INTEGER, abend TEXT,
    job_run TEXT, attempts INTEGER NOT NULL DEFAULT 0, started TEXT, ended TEXT,
    PRIMARY KEY (run, unit));
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, unit TEXT NOT NULL,
    status TEXT NOT NULL, restart TEXT, owner TEXT, pid INTEGER, job_run TEXT, rc INTEGER, abend TEXT,
    created TEXT, started TEXT, ended TEXT);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT, action TEXT NOT NULL,
    jobnet TEXT, opday TEXT, unit TEXT, why TEXT, detail TEXT);
CREATE INDEX IF NOT EXISTS units_status ON units (status);
CREATE INDEX IF NOT EXISTS runs_opday ON jobnet_runs (opday);
"""


class ScheduleError(DensanError):
    """An operator request that cannot be done as asked."""


def now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="milliseconds")


def whoami() -> str:
    try:
        return os.environ.get("DENSAN_USER") or getpass.getuser()
    except Exception:        # noqa: BLE001 — no login name in a container
        return "unknown"


def opday_text(date) -> str:
    """An operating day as YYYY-MM-DD (accepts a date, YYYY-MM-DD or YYYYMMDD)."""
    if isinstance(date, dt.date):
        return date.isoformat()
    s = str(date).strip()
    try:
        if len(s) == 8 and s.isdigit():
            return dt.date(int(s[:4]), int(s[4:6]), int(s[6:])).isoformat()
        return dt.date.fromisoformat(s).isoformat()
    except ValueError:
        raise ScheduleError(f"{date!r} is not a date", hint="write YYYY-MM-DD or YYYYMMDD") from None


class State:
    """A connection to home/schedule.db."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home is not None else densan_home()
        self.home.mkdir(parents=True, exist_ok=True)
        path = self.home / "schedule.db"
        try:
            self.db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
            if "needs" not in {r[1] for r in self.db.execute("PRAGMA table_info(units)")}:
                self.db.execute("ALTER TABLE units ADD COLUMN needs TEXT")     # a state from before needs:
        except sqlite3.DatabaseError as exc:
            raise DensanError(f"schedule state {path} cannot be opened: {exc}",
                              hint="check DENSAN_HOME; restore schedule.db from backup if it is damaged") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def tx(self):
        """BEGIN IMMEDIATE … COMMIT: one all-or-nothing change."""
        for i in range(200):
            try:
                self.db.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as exc:      # busy beyond the timeout: try again
                if "locked" not in str(exc) or i == 199:
                    raise
                time.sleep(0.05)
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ meta
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_meta(self, db, key: str, value: str) -> None:
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   (key, value))

    # ------------------------------------------------------------ events
    def event(self, db, action: str, *, who: str | None = None, jobnet: str | None = None, opday: str | None = None,
              unit: str | None = None, why: str | None = None, detail: str | None = None) -> None:
        db.execute("INSERT INTO events (at, who, action, jobnet, opday, unit, why, detail) VALUES (?,?,?,?,?,?,?,?)",
                   (now(), who or whoami(), action, jobnet, opday, unit, why, detail))

    # ------------------------------------------------------------ creating runs
    def find_run(self, jobnet: str, opday, kind: str | None = None) -> sqlite3.Row | None:
        """The jobnet's latest run for an operating day (planned, run-now or foreground)."""
        q = "SELECT * FROM jobnet_runs WHERE jobnet = ? AND opday = ?"
        args: list = [jobnet.upper(), opday_text(opday)]
        if kind:
            q += " AND kind = ?"
            args.append(kind)
        return self.db.execute(q + " ORDER BY id DESC LIMIT 1", args).fetchone()

    def create_run(self, db, net, opday: str, *, kind: str, why: str, start_after: str | None,
                   deadline: str | None, params: dict[str, str], who: str = "scheduler",
                   calendar=None) -> int | None:
        """Insert a jobnet run with its units (inside the caller's transaction). A planned run
        that exists already is not created again: returns None."""
        if kind == "planned":
            if db.execute("SELECT 1 FROM jobnet_runs WHERE jobnet = ? AND opday = ? AND kind = 'planned'",
                          (net.name, opday)).fetchone():
                return None
            seq = 1
        else:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM jobnet_runs WHERE jobnet = ? AND opday = ? "
                             "AND kind = ?", (net.name, opday, kind)).fetchone()[0]
        cur = db.execute(
            "INSERT INTO jobnet_runs (jobnet, opday, kind, seq, status, held, start_after, deadline, why, params, "
            "conditions, exclusive, after_jobnets, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (net.name, opday, kind, seq, WAITING, int(net.hold), start_after, deadline, why, json.dumps(params),
             json.dumps([[c.kind, c.value] for c in net.when]), json.dumps(net.exclusive),
             json.dumps(net.after_jobnets), now()))
        run = cur.lastrowid
        day = dt.date.fromisoformat(opday)
        for i, u in enumerate(net.units, 1):
            status = WAITING
            if u.days:                  # a unit with its own days is bypassed on the others
                from engine.calendar import load_calendar
                from engine.schedule.rules import plan_days
                calendar = calendar or load_calendar()
                if not plan_days(u.days, day, day, calendar):
                    status = BYPASSED
            db.execute("INSERT INTO units (run, seq, unit, job, params, after, warning_rc, expected, hold_on_abnormal, "
                       "status, held, needs) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (run, i, u.path, u.job, json.dumps(u.params), json.dumps(u.after), u.warning_rc, u.expected,
                        int(u.hold_on_abnormal), status, int(u.hold), json.dumps(u.needs) if u.needs else None))
        self.event(db, "create" if kind == "planned" else "run-now", who=who, jobnet=net.name, opday=opday,
                   why=why, detail=f"run {run}")
        return run

    # ------------------------------------------------------------ reading
    def runs_of_day(self, opday) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM jobnet_runs WHERE opday = ? ORDER BY COALESCE(start_after, ''), jobnet, "
                               "kind, seq", (opday_text(opday),)).fetchall()

    def units_of(self, run: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM units WHERE run = ? ORDER BY seq", (run,)).fetchall()

    def run_row(self, run: int) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM jobnet_runs WHERE id = ?", (run,)).fetchone()


# ==================================================================== the operators' API

def _open(home) -> State:
    return State(home)


def _require_run(st: State, jobnet: str, date, *, create: bool = True, run_id: int | None = None) -> sqlite3.Row:
    if run_id is not None:
        row = st.run_row(run_id)
        if row is None or row["jobnet"] != jobnet.upper():
            raise ScheduleError(f"jobnet {jobnet.upper()} has no run {run_id}")
        return row
    row = st.find_run(jobnet, date)
    if row is None and create:
        # an operator may hold or skip tomorrow's planned run before the scheduler makes it
        from engine.schedule.engine import materialize
        materialize(st, jobnet.upper(), opday_text(date), only_if_planned=True)
        row = st.find_run(jobnet, date)
    if row is None:
        raise ScheduleError(f"jobnet {jobnet.upper()} has no run for {opday_text(date)}",
                            hint=f"see `densan schedule plan`; start one with `densan schedule run-now {jobnet} "
                                 f"--date {opday_text(date)}`")
    return row


def _require_unit(st: State, run: sqlite3.Row, unit: str) -> sqlite3.Row:
    rows = st.units_of(run["id"])
    for r in rows:
        if r["unit"].upper() == unit.upper():
            return r
    matches = [r for r in rows if r["unit"].upper().split("/")[-1] == unit.upper()]
    if len(matches) == 1:
        return matches[0]
    raise ScheduleError(f"jobnet {run['jobnet']} has no unit {unit!r}",
                        hint="units are: " + ", ".join(r["unit"] for r in rows))


def _targets(st: State, run: sqlite3.Row, unit: str | None) -> list[sqlite3.Row]:
    """A unit, every unit of a nested jobnet (its path prefix), or None = the whole run."""
    if unit is None:
        return st.units_of(run["id"])
    prefix = unit.upper().rstrip("/") + "/"
    nested = [r for r in st.units_of(run["id"]) if r["unit"].upper().startswith(prefix)]
    return nested or [_require_unit(st, run, unit)]


def run_status(run: sqlite3.Row, units: list[sqlite3.Row]) -> str:
    """A jobnet run's status from its units (held shown for a held run not yet started)."""
    if run["status"] in FINAL and not any(u["status"] in (RUNNING,) for u in units):
        return run["status"]
    if run["held"] and not any(u["status"] != WAITING for u in units):
        return HELD
    return run["status"]


def _unit_dict(u: sqlite3.Row) -> dict:
    status = HELD if (u["held"] and u["status"] == WAITING) else u["status"]
    return {"unit": u["unit"], "job": u["job"], "status": status, "held": bool(u["held"]), "rc": u["rc"],
            "abend": u["abend"], "job_run": u["job_run"], "attempts": u["attempts"], "started": u["started"],
            "ended": u["ended"], "expected": u["expected"],
            "after": [tuple(x) for x in json.loads(u["after"] or "[]")]}


def _run_dict(st: State, r: sqlite3.Row) -> dict:
    units = st.units_of(r["id"])
    predicted = None
    if r["status"] == RUNNING:
        from engine.schedule.engine import predict_end
        p = predict_end(st, r["id"], dt.datetime.now())
        predicted = p.isoformat(sep=" ", timespec="seconds") if p else None
    return {"id": r["id"], "jobnet": r["jobnet"], "opday": r["opday"], "kind": r["kind"], "seq": r["seq"],
            "predicted_end": predicted, "status": run_status(r, units), "held": bool(r["held"]), "start_after": r["start_after"],
            "deadline": r["deadline"], "late": bool(r["late"]), "why": r["why"], "started": r["started"],
            "ended": r["ended"], "trigger": r["trigger"], "units": [_unit_dict(u) for u in units]}


def status(date=None, *, jobnet: str | None = None, home: Path | None = None) -> list[dict]:
    """Every jobnet run of an operating day (default: today's), each with its units."""
    with _open(home) as st:
        opday = opday_text(date or dt.date.today())
        rows = st.runs_of_day(opday)
        return [_run_dict(st, r) for r in rows if jobnet is None or r["jobnet"] == jobnet.upper()]


def jobnet_run(jobnet: str, date, *, home: Path | None = None) -> dict | None:
    with _open(home) as st:
        r = st.find_run(jobnet, date)
        return None if r is None else _run_dict(st, r)


def hold(jobnet: str, date, unit: str | None = None, *, who: str | None = None, why: str = "",
         home: Path | None = None, run_id: int | None = None) -> list[str]:
    """Hold a unit (or every unit of a nested jobnet), or the whole jobnet run: it does not
    start until released. A running unit is not stopped (use kill)."""
    with _open(home) as st:
        run = _require_run(st, jobnet, date, run_id=run_id)
        with st.tx() as db:
            if unit is None:
                db.execute("UPDATE jobnet_runs SET held = 1 WHERE id = ?", (run["id"],))
                done = [run["jobnet"]]
            else:
                done = [u["unit"] for u in _targets(st, run, unit)]
                db.executemany("UPDATE units SET held = 1 WHERE run = ? AND unit = ?", [(run["id"], u) for u in done])
            st.event(db, "hold", who=who, jobnet=run["jobnet"], opday=run["opday"], unit=unit, why=why)
        return done


def release(jobnet: str, date, unit: str | None = None, *, who: str | None = None, why: str = "",
            home: Path | None = None, run_id: int | None = None) -> list[str]:
    """Release a hold (a unit, a nested jobnet's units, or the jobnet run and all its units)."""
    with _open(home) as st:
        run = _require_run(st, jobnet, date, create=False, run_id=run_id)
        with st.tx() as db:
            if unit is None:
                db.execute("UPDATE jobnet_runs SET held = 0 WHERE id = ?", (run["id"],))
                db.execute("UPDATE units SET held = 0 WHERE run = ?", (run["id"],))
                done = [run["jobnet"]]
            else:
                done = [u["unit"] for u in _targets(st, run, unit)]
                db.executemany("UPDATE units SET held = 0 WHERE run = ? AND unit = ?", [(run["id"], u) for u in done])
            st.event(db, "release", who=who, jobnet=run["jobnet"], opday=run["opday"], unit=unit, why=why)
        return done


def skip(jobnet: str, date, unit: str, *, who: str | None = None, why: str = "",
         home: Path | None = None, run_id: int | None = None) -> list[str]:
    """Mark a waiting (or failed) unit ended normally without running it; logged with who and why."""
    if not why:
        raise ScheduleError("skip needs a reason", hint="add --why '…' (it is kept in the history)")
    with _open(home) as st:
        run = _require_run(st, jobnet, date, run_id=run_id)
        done = []
        with st.tx() as db:
            for u in _targets(st, run, unit):
                cur = db.execute("SELECT status FROM units WHERE run = ? AND unit = ?", (run["id"], u["unit"])).fetchone()
                if cur["status"] == RUNNING:
                    raise ScheduleError(f"unit {u['unit']} is running; kill it first or let it end")
                if cur["status"] in (NORMAL, WARNING, SKIPPED):
                    continue
                db.execute("UPDATE units SET status = ?, ended = ?, held = 0 WHERE run = ? AND unit = ?",
                           (SKIPPED, now(), run["id"], u["unit"]))
                done.append(u["unit"])
            db.execute("UPDATE jobnet_runs SET status = ? WHERE id = ? AND status IN (?, ?)",
                       (RUNNING, run["id"], ABNORMAL, KILLED))
            st.event(db, "skip", who=who, jobnet=run["jobnet"], opday=run["opday"], unit=unit, why=why,
                     detail=", ".join(done))
        return done


def rerun(jobnet: str, date, mode: str = "failed", *, unit: str | None = None, who: str | None = None,
          why: str = "", home: Path | None = None, run_id: int | None = None) -> list[str]:
    """Rerun (再実行) a jobnet run: `failed` reruns the units that ended abnormally or were
    killed, each restarted at its failed step (`densan run --restart *`); `after` marks the failed
    units skipped and goes on with the ones after them; `top` runs every unit again from the
    first step; `warnings` reruns the units that ended with a warning. `unit` limits it to one
    unit (and, for `top`, the units after it). The scheduler (or `densan run JOBNET`) starts them."""
    if mode not in RERUN_MODES:
        raise ScheduleError(f"rerun mode {mode!r}: write one of {', '.join(RERUN_MODES)}")
    with _open(home) as st:
        run = _require_run(st, jobnet, date, create=False, run_id=run_id)
        units = st.units_of(run["id"])
        if any(u["status"] == RUNNING for u in units):
            raise ScheduleError(f"jobnet {run['jobnet']} {run['opday']} is still running",
                                hint="wait for it to stop, or kill the running unit first")
        chosen: list[sqlite3.Row]
        if mode in ("failed", "after"):
            chosen = [u for u in units if u["status"] in BAD]
        elif mode == "warnings":
            chosen = [u for u in units if u["status"] == WARNING]
        else:
            chosen = list(units)
        if unit is not None:
            target = _require_unit(st, run, unit)
            if mode == "top":
                chosen = [target] + _followers(units, target["unit"])
            else:
                chosen = [u for u in chosen if u["unit"] == target["unit"]] or [target]
        off = _not_their_day(run)           # bypassed for the day: a rerun does not make it their day
        chosen = [u for u in chosen if u["unit"] not in off]
        if not chosen:
            raise ScheduleError(f"jobnet {run['jobnet']} {run['opday']}: nothing to rerun in mode {mode}",
                                hint="statuses: " + ", ".join(f"{u['unit']}={u['status']}" for u in units))
        names = {u["unit"] for u in chosen}
        with st.tx() as db:
            for u in chosen:
                if mode == "after":
                    db.execute("UPDATE units SET status = ?, ended = ? WHERE run = ? AND unit = ?",
                               (SKIPPED, now(), run["id"], u["unit"]))
                else:
                    restart = "*" if (mode == "failed" and u["status"] in BAD and u["job_run"]) else None
                    db.execute("UPDATE units SET status = ?, restart = ?, rc = NULL, abend = NULL, started = NULL, "
                               "ended = NULL WHERE run = ? AND unit = ?", (WAITING, restart, run["id"], u["unit"]))
            if mode == "top":       # units after a rerun unit wait again, bypassed ones included
                for u in units:
                    if u["unit"] not in names and u["status"] == BYPASSED and u["unit"] not in off:
                        db.execute("UPDATE units SET status = ? WHERE run = ? AND unit = ?", (WAITING, run["id"], u["unit"]))
            for u in units:         # followers bypassed because of the failure are reconsidered
                if u["status"] == BYPASSED and u["unit"] not in off \
                        and any(p in names for p, _ in json.loads(u["after"] or "[]")):
                    db.execute("UPDATE units SET status = ? WHERE run = ? AND unit = ?", (WAITING, run["id"], u["unit"]))
            db.execute("UPDATE jobnet_runs SET status = ?, ended = NULL, late = 0 WHERE id = ?", (RUNNING if run["started"]
                                                                                               else WAITING, run["id"]))
            st.event(db, f"rerun-{mode}", who=who, jobnet=run["jobnet"], opday=run["opday"], unit=unit, why=why,
                     detail=", ".join(sorted(names)))
        return sorted(names)


def _not_their_day(run) -> set[str]:
    """Units of the run whose `days:` do not include its operating day (bypassed when the run
    was created). A rerun from the top must leave them bypassed: KOTEIY is not run on a
    night in January because the night was rerun. Empty when the jobnet cannot be loaded."""
    from engine.schedule.jobnet import JobnetError, load_jobnet
    try:
        net = load_jobnet(run["jobnet"])
    except (JobnetError, OSError):
        return set()
    from engine.calendar import load_calendar
    from engine.schedule.rules import plan_days
    day = dt.date.fromisoformat(run["opday"])
    cal = load_calendar()
    return {u.path for u in net.units if u.days and not plan_days(u.days, day, day, cal)}


def _followers(units: list[sqlite3.Row], path: str) -> list[sqlite3.Row]:
    after = {u["unit"]: [p for p, _ in json.loads(u["after"] or "[]")] for u in units}
    reach = {path}
    changed = True
    while changed:
        changed = False
        for u, preds in after.items():
            if u not in reach and any(p in reach for p in preds):
                reach.add(u)
                changed = True
    return [u for u in units if u["unit"] in reach and u["unit"] != path]


def kill(jobnet: str, date, unit: str | None = None, *, who: str | None = None, why: str = "",
         home: Path | None = None, run_id: int | None = None) -> list[str]:
    """Kill (強制終了) a running unit, or every running unit of the run: its process gets
    SIGTERM (the job step ends with ABEND S222, its outputs are not catalogued) and the unit
    ends `killed`. Waiting units of a killed jobnet run stay waiting until a rerun."""
    import signal

    with _open(home) as st:
        run = _require_run(st, jobnet, date, create=False, run_id=run_id)
        targets = [u for u in _targets(st, run, unit) if u["status"] == RUNNING]
        if not targets:
            raise ScheduleError(f"nothing is running in jobnet {run['jobnet']} {run['opday']}"
                                + (f" unit {unit}" if unit else ""))
        done = []
        with st.tx() as db:
            st.event(db, "kill", who=who, jobnet=run["jobnet"], opday=run["opday"], unit=unit, why=why,
                     detail=", ".join(u["unit"] for u in targets))
            for u in targets:
                a = db.execute("SELECT * FROM attempts WHERE run = ? AND unit = ? ORDER BY id DESC LIMIT 1",
                               (run["id"], u["unit"])).fetchone()
                db.execute("UPDATE attempts SET status = 'kill-requested' WHERE id = ? AND status IN ('starting', "
                           "'running')", (a["id"],))
                if a and a["pid"]:
                    try:
                        os.kill(a["pid"], signal.SIGTERM)
                    except ProcessLookupError:
                        pass
                done.append(u["unit"])
        return done


def run_now(jobnet: str, date, *, who: str | None = None, why: str = "", params: dict[str, str] | None = None,
            home: Path | None = None) -> int:
    """An unplanned run (臨時) of a jobnet for an operating day; the scheduler starts it at once
    (its start time and start conditions are not waited for). Returns the jobnet run id."""
    from engine.schedule.engine import materialize

    with _open(home) as st:
        return materialize(st, jobnet.upper(), opday_text(date), kind="run-now", who=who or whoami(),
                           why=why or "run-now", params=params)


def run_job_now(job: str, date, *, params: dict[str, str] | None = None, who: str | None = None, why: str = "",
                exclusive: list[str] | None = None, start_after: str | None = None,
                home: Path | None = None) -> int:
    """A run-now of a single job (a jobnet run named after the job, with one unit): the
    running scheduler starts it (not before `start_after`, 'YYYY-MM-DD HH:MM:SS', if given;
    not while a jobnet of `exclusive` runs), with the same history as run_now. Returns the
    jobnet run id; the unit's `job_run` is the densan run once started."""
    from engine.schedule.jobnet import NAME_RE, Jobnet, Unit

    name = job.upper()
    if not NAME_RE.match(name):
        raise ScheduleError(f"{job!r} is not a job name")
    net = Jobnet(name=name, units=[Unit(path=name, job=name)],
                 exclusive=sorted({str(x).upper() for x in exclusive or []} - {name}))
    if start_after is not None:
        dt.datetime.fromisoformat(start_after)
    with _open(home) as st:
        opday = opday_text(date)
        with st.tx() as db:
            return st.create_run(db, net, opday, kind="run-now", why=why or f"run-now of job {name}",
                                 start_after=start_after, deadline=None, params=dict(params or {}),
                                 who=who or whoami())


def history(jobnet: str | None = None, date=None, *, limit: int = 100, home: Path | None = None) -> list[dict]:
    """The events (who, what, why), newest first."""
    q, args = "SELECT * FROM events WHERE 1=1", []
    if jobnet:
        q += " AND jobnet = ?"
        args.append(jobnet.upper())
    if date:
        q += " AND opday = ?"
        args.append(opday_text(date))
    with _open(home) as st:
        return [dict(r) for r in st.db.execute(q + " ORDER BY id DESC LIMIT ?", args + [limit]).fetchall()]


def gantt(date=None, *, home: Path | None = None) -> list[dict]:
    """One bar per unit of an operating day's runs: start, end (or now), expected and predicted
    end, status — the night on one chart."""
    from engine.schedule.engine import predicted_seconds

    out = []
    with _open(home) as st:
        opday = opday_text(date or dt.date.today())
        for r in st.runs_of_day(opday):
            for u in st.units_of(r["id"]):
                pred = predicted_seconds(st, u["job"]) or u["expected"]
                out.append({"jobnet": r["jobnet"], "run": r["id"], "unit": u["unit"], "job": u["job"],
                            "status": HELD if (u["held"] and u["status"] == WAITING) else u["status"],
                            "start": u["started"], "end": u["ended"], "expected_seconds": u["expected"],
                            "predicted_seconds": pred, "deadline": r["deadline"]})
    return out


def plan(month: str, *, jobnet: str | None = None, home: Path | None = None) -> list[dict]:
    """Planned runs of a month ('2026-01'): jobnet, operating day, start, deadline, why."""
    from engine.schedule.engine import plan_range

    y, m = (int(x) for x in str(month).split("-")[:2])
    start = dt.date(y, m, 1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return plan_range(start, end, jobnet=jobnet)


def plan_year(year: int, *, jobnet: str | None = None, home: Path | None = None) -> list[dict]:
    from engine.schedule.engine import plan_range
    return plan_range(dt.date(year, 1, 1), dt.date(year, 12, 31), jobnet=jobnet)


def why(jobnet: str, date, *, home: Path | None = None) -> str:
    """Which rule puts a jobnet on a day (or why it does not run then)."""
    from engine.schedule.engine import explain
    return explain(jobnet.upper(), dt.date.fromisoformat(opday_text(date)))
