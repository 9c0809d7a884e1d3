"""The city calendar as the console needs it: is a day open, which is the next open day.
It defers to engine.calendar (the scheduler's calendar, with the city's own closed days);
until that is installed it falls back to weekends, national holidays and 12/29-1/3."""
from __future__ import annotations

import datetime as _dt


def is_open_day(day: _dt.date) -> bool:
    try:
        from engine import calendar as city
        return bool(city.is_open_day(day))
    except (ImportError, AttributeError):
        import jpholiday
        closed = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
        return day.weekday() < 5 and not jpholiday.is_holiday(day) and not closed


def next_open_day(day: _dt.date) -> _dt.date:
    """The first open day after `day` (the night after today's closing runs into it)."""
    d = day + _dt.timedelta(days=1)
    while not is_open_day(d):
        d += _dt.timedelta(days=1)
    return d
