"""Due dates (納期限) of the tax section's assessments, from the city calendar.

Each tax has a schedule by ordinance: the installments' months in the fiscal year
(April to March) and the day, or the month's last day; a date that falls on a day
the city hall is closed moves to the next open day (`engine.calendar`). The
schedules are parameters: a city whose ordinance differs passes its own.
"""
from __future__ import annotations

import calendar as _cal
import datetime as dt

from engine.calendar import load_calendar

END = 0          # "the last day of the month"

# (month, day) of each installment, fiscal year N: April N .. March N+1
FIXED_ASSET = ((4, END), (7, END), (12, 25), (2, END))      # 固定資産税: April, July, December, February
LIGHT_VEHICLE = ((5, END),)                                  # 軽自動車税 種別割: end of May
RESIDENT = ((6, END), (8, END), (10, END), (1, END))         # 個人住民税 普通徴収: June, August, October, January


def parse_schedule(text: str) -> tuple[tuple[int, int], ...]:
    """'04-END,07-END,12-25,02-END' -> ((4, 0), (7, 0), (12, 25), (2, 0))."""
    out = []
    for part in text.split(","):
        try:
            m, d = part.strip().upper().split("-")
            out.append((int(m), END if d == "END" else int(d)))
        except ValueError:
            raise ValueError(f"due-date schedule {text!r}: {part!r} is not MM-DD or MM-END") from None
        if not 1 <= out[-1][0] <= 12:
            raise ValueError(f"due-date schedule {text!r}: month {out[-1][0]} is not 1-12")
    return tuple(out)


def due_dates(nendo: int, schedule=FIXED_ASSET, calendar=None) -> list[dt.date]:
    """The schedule's dates in fiscal year `nendo`, each moved to an open day."""
    cal = calendar or load_calendar()
    out = []
    for month, day in schedule:
        year = nendo if month >= 4 else nendo + 1
        last = _cal.monthrange(year, month)[1]
        out.append(cal.roll_forward(dt.date(year, month, last if day == END else min(day, last))))
    return out
