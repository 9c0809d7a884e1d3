"""The night at a glance: every run of an operating day (from the site's base time to the same
time the next morning, as the scheduler counts it),
with its JP1-like status, expected end (the job's usual elapsed time) and, for a failure,
the step, RC or abend and the first error line of its log; plus the requests still
waiting for that day."""
from __future__ import annotations

import datetime as _dt
import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from engine.job.catalog import Catalog

FMT = "%Y-%m-%d %H:%M:%S"

# status -> (label, JP1 colour): waiting sky blue, held yellow, running green,
# ended normally light green, warning orange, abnormal light red
COLOURS = {
    "WAITING": ("待機", "#87ceeb"),
    "HELD": ("保留", "#ffeb3b"),
    "RUNNING": ("実行中", "#43a047"),
    "ENDED": ("正常終了", "#b9f6ca"),
    "WARNING": ("警告検出終了", "#ffd180"),
    "ABNORMAL": ("異常終了", "#ff8a80"),
    "SKIPPED": ("計画未実行", "#cfd8dc"),
}
ERROR_RE = re.compile(r"\bABEND\b|\bJCL ERROR\b|\bERROR\b|\bFAILED\b|\bCANCELLED\b")


@dataclass
class Failure:
    step: str
    code: str               # RC 0016, ABEND S0C7, JCL ERROR
    first_error: str


@dataclass
class NightItem:
    job: str
    run_id: str | None
    status: str             # one of COLOURS
    raw_status: str
    start: _dt.datetime | None = None
    end: _dt.datetime | None = None
    expected_end: _dt.datetime | None = None
    deadline: _dt.datetime | None = None
    rc: str = ""
    failure: Failure | None = None
    request_id: int | None = None
    jobnet: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def colour(self) -> str:
        return COLOURS[self.status][1]

    @property
    def label(self) -> str:
        return COLOURS[self.status][0]


def day_start() -> _dt.timedelta:
    """When an operating day begins, after its midnight: the jobnets' base time (midnight
    without the scheduler)."""
    try:
        from engine.schedule.jobnet import day_start as minutes
    except ImportError:                  # the scheduler is not on this installation
        return _dt.timedelta(0)
    return _dt.timedelta(minutes=minutes())


def window(day: _dt.date) -> tuple[_dt.datetime, _dt.datetime]:
    start = _dt.datetime.combine(day, _dt.time()) + day_start()
    return start, start + _dt.timedelta(days=1)


def operating_day(at: _dt.datetime | None = None) -> _dt.date:
    """The operating day an instant belongs to (the scheduler's rule: a day runs from its base
    time to the next)."""
    return ((at or _dt.datetime.now()) - day_start()).date()


def run_status(row) -> str:
    s = row["status"]
    if s == "RUNNING":
        return "RUNNING"
    if s == "COMPLETED":
        return "WARNING" if (row["rc"] or 0) >= 8 else "ENDED"
    return "ABNORMAL"


def retcode(row) -> str:
    if row["status"] == "RUNNING":
        return ""
    if row["status"] == "JCLERR":
        return "JCL ERROR"
    if row["abend"]:
        return "CANCELED" if row["abend"] == "S222" else f"ABEND {row['abend']}"
    if row["rc"] is None:
        return row["status"] or ""
    return f"CC {row['rc']:04d}"


def failure_of(cat: Catalog, row) -> Failure | None:
    if row["status"] in ("RUNNING", "COMPLETED"):
        return None
    steps = cat.steps(row["run_id"])
    bad = next((s for s in steps if s["status"] in ("ABEND", "FAILED", "JCLERR")), None)
    step = bad["step"] if bad else (steps[-1]["step"] if steps else "-")
    code = retcode(row)
    if bad is not None and bad["abend"]:
        code = f"ABEND {bad['abend']}"
    elif bad is not None and bad["rc"] is not None:
        code = f"RC {bad['rc']:04d}"
    first = ""
    path = Path(row["log_path"] or "")
    if path.is_file():
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                text = line.rstrip("\n")
                body = text[9:] if re.match(r"\d\d:\d\d:\d\d ", text) else text
                if ERROR_RE.search(body) and not body.startswith("JOB "):
                    first = body.strip()
                    break
    return Failure(step, code, first or (row["status"] or ""))


def typical_elapsed(cat: Catalog, job: str) -> float | None:
    rows = cat.db.execute("SELECT start, end FROM runs WHERE job = ? AND status = 'COMPLETED' AND end IS NOT NULL "
                          "ORDER BY run_no DESC LIMIT 5", (job,)).fetchall()
    secs = [(_p(r["end"]) - _p(r["start"])).total_seconds() for r in rows if r["start"] and r["end"]]
    return statistics.median(secs) if secs else None


def _p(text: str | None) -> _dt.datetime | None:
    return _dt.datetime.strptime(text, FMT) if text else None


def night_runs(home: Path, day: _dt.date, jobs: set[str] | None = None) -> list[NightItem]:
    """Runs that started in the operating day (jobs=None: all; else only those jobs)."""
    lo, hi = window(day)
    cat = Catalog(home)
    try:
        rows = cat.db.execute("SELECT * FROM runs WHERE start >= ? AND start < ? ORDER BY start, run_no",
                              (lo.strftime(FMT), hi.strftime(FMT))).fetchall()
        typical: dict[str, float | None] = {}
        out = []
        for r in rows:
            if jobs is not None and r["job"] not in jobs:
                continue
            if r["job"] not in typical:
                typical[r["job"]] = typical_elapsed(cat, r["job"])
            start, end = _p(r["start"]), _p(r["end"])
            t = typical[r["job"]]
            out.append(NightItem(r["job"], r["run_id"], run_status(r), r["status"], start, end,
                                 start + _dt.timedelta(seconds=t) if (t is not None and start) else None,
                                 rc=retcode(r), failure=failure_of(cat, r),
                                 extra={"params": json.loads(r["params"] or "{}")}))
        return out
    finally:
        cat.close()
