"""NOKIGEN — the due-date file (NOKIKGN) of a fiscal year, from the city calendar.

PARM: the fiscal year YYYY, optionally followed by ',' and the schedule
(default the fixed-asset tax's 04-END,07-END,12-25,02-END). DD NOKI-OUT gets one
20-byte record per installment: 期別 01.., the due date moved to an open day.
"""
from __future__ import annotations

from jobs.tax.duedates import FIXED_ASSET, due_dates, parse_schedule


def records(nendo: int, schedule=FIXED_ASSET, calendar=None) -> bytes:
    return b"".join(f"{i:02d}{d:%Y%m%d}".encode() + b" " * 10
                    for i, d in enumerate(due_dates(nendo, schedule, calendar), 1))


def run(step) -> int:
    head, _, rest = (step.parm or "").partition(",")
    if not (len(head) == 4 and head.isdigit() and int(head) > 0):
        step.log(f"NOKIGEN PARM {step.parm!r}: the fiscal year YYYY expected (then ,MM-DD,... optionally)")
        return 16
    try:
        schedule = parse_schedule(rest) if rest.strip() else FIXED_ASSET
    except ValueError as exc:
        step.log(f"NOKIGEN {exc}")
        return 16
    data = records(int(head), schedule)
    out = step.dd("NOKI-OUT")
    with open(out.path, "wb") as fh:
        fh.write(data)
    out.count(written=len(data) // 20)
    step.log(f"NOKIGEN FISCAL YEAR {head}: " + ", ".join(data[i + 2:i + 10].decode() for i in range(0, len(data), 20)))
    return 0
