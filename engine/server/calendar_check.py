"""The city calendar as the console asks it: is a day open, which is the next open day.
It is engine.calendar's CityCalendar (national holidays, 12/29-1/3, the site's own days
in $DENSAN_HOME/calendar.yaml), re-read when the site file changes."""
from __future__ import annotations

import datetime as _dt
import threading

from engine.calendar import CityCalendar, calendar_path, load_calendar

_lock = threading.Lock()
_cached: tuple[object, CityCalendar] | None = None


def city_calendar() -> CityCalendar:
    global _cached
    path = calendar_path()
    try:
        key = (str(path), path.stat().st_mtime)
    except OSError:
        key = (str(path), None)
    with _lock:
        if _cached is None or _cached[0] != key:
            _cached = (key, load_calendar())
        return _cached[1]


def is_open_day(day: _dt.date) -> bool:
    return city_calendar().is_open(day)


def next_open_day(day: _dt.date) -> _dt.date:
    """The first open day after `day`."""
    return city_calendar().next_open_day(day)
