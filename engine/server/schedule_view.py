"""The scheduler as the console shows it: jobnets of a night, the month's planned runs,
and the operators' actions on them. Until the scheduler (engine.sched) is installed, the
night has no jobnets and the month shows the departments' requests only."""
from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from pathlib import Path

from engine.server import dept_requests as dr
from engine.server.access import can_see_job
from engine.server.night import NightItem


def jobnet_items(home: Path, day: _dt.date) -> list[NightItem]:
    return []


def month_plan(sv, year: int, month: int, user) -> dict[str, list[str]]:
    """ISO date -> labels of what is planned that day (requests; scheduler runs when present)."""
    out: dict[str, list[str]] = defaultdict(list)
    prefix = f"{year:04d}-{month:02d}"
    for r in dr.list_for(sv.store, user, limit=1000):
        if r.run_date.startswith(prefix) and r.status not in ("REJECTED", "CANCELLED"):
            out[r.run_date].append(f"{r.job} #{r.id}")
    return out


def scheduled_counts(sv, fy: int) -> dict[tuple[str, str], int]:
    return {}


def act(sv, a, date: str, jobnet: str, job: str | None, action: str, reason: str) -> str:
    raise dr.RequestError("the scheduler is not installed: no jobnet actions")
