"""Annual and monthly processing plans per section (年間/月間処理計画), plan against actual.

Planned: the section's requests for the month (signed or waiting; not rejected or
cancelled) plus the scheduled runs the scheduler plans for its jobs. Actual: runs of the
section's jobs that started in the month, and how many ended abnormally."""
from __future__ import annotations

import csv
import datetime as _dt
import io
from collections import defaultdict
from pathlib import Path

from engine.job.catalog import Catalog
from engine.server.store import Store

FISCAL_MONTHS = [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]      # a fiscal year runs April to March


def fiscal_year_of(day: _dt.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _month_key(fy: int, m: int) -> str:
    return f"{fy if m >= 4 else fy + 1:04d}-{m:02d}"


def plan_vs_actual(store: Store, home: Path, fy: int, job_sections: dict[str, str],
                   sections: list[str], scheduled: dict[tuple[str, str], int] | None = None) -> list[dict]:
    """Rows (section, month, planned, actual, abnormal) for every section asked and month of fiscal year fy.
    job_sections: job -> owning section; scheduled: (job, YYYY-MM) -> planned scheduler runs."""
    lo, hi = f"{fy:04d}-04-01", f"{fy + 1:04d}-04-01"
    planned: dict[tuple[str, str], int] = defaultdict(int)
    for r in store.db.execute("SELECT section, substr(run_date, 1, 7) AS m, COUNT(*) AS n FROM requests "
                              "WHERE run_date >= ? AND run_date < ? AND status NOT IN ('REJECTED','CANCELLED') "
                              "GROUP BY section, m", (lo, hi)):
        planned[(r["section"], r["m"])] += r["n"]
    for (job, month), n in (scheduled or {}).items():
        if job in job_sections:
            planned[(job_sections[job], month)] += n
    actual: dict[tuple[str, str], int] = defaultdict(int)
    abnormal: dict[tuple[str, str], int] = defaultdict(int)
    cat = Catalog(home)
    try:
        for r in cat.db.execute("SELECT job, substr(start, 1, 7) AS m, status, COUNT(*) AS n FROM runs "
                                "WHERE start >= ? AND start < ? GROUP BY job, m, status", (lo, hi)):
            sec = job_sections.get(r["job"])
            if sec is None:
                continue
            actual[(sec, r["m"])] += r["n"]
            if r["status"] not in ("COMPLETED", "RUNNING"):
                abnormal[(sec, r["m"])] += r["n"]
    finally:
        cat.close()
    rows = []
    for sec in sections:
        for m in FISCAL_MONTHS:
            key = (sec, _month_key(fy, m))
            rows.append({"section": sec, "month": key[1], "planned": planned.get(key, 0),
                         "actual": actual.get(key, 0), "abnormal": abnormal.get(key, 0)})
    return rows


def to_csv(rows: list[dict], section_names: dict[str, str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["section", "section_name", "month", "planned", "actual", "abnormal"])
    for r in rows:
        w.writerow([r["section"], section_names.get(r["section"], r["section"]), r["month"], r["planned"],
                    r["actual"], r["abnormal"]])
    return buf.getvalue()
