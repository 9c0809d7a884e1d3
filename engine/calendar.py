"""The city calendar: which days the city hall is open (運用日) and which closed (休業日).

A day is closed when it is a Saturday or Sunday, a Japanese public holiday (from
`jpholiday`, which also gives 振替休日 and 国民の休日 — never a hand-written table), or
in the city's year-end closure 12/29–1/3. The site overrides single days as data in
a small YAML file it keeps (`$DENSAN_HOME/calendar.yaml`, or `DENSAN_CALENDAR`)::

    # days the city is closed although the national calendar says open
    closed:
      - {date: 2026-03-31, why: 決算 system stop}
    # days the city is open although it would be closed
    open:
      - {date: 2027-01-04, why: 年始 counter open}

Scalar questions (`is_open`, `next_open_day`, `add_open_days`, `nth_open_day`,
`last_open_day`…) take and return `datetime.date`. The vectorised forms
(`is_open_array`, `roll_forward_array`, `roll_back_array`, `add_open_days_array`)
take a NumPy datetime64 array or a Polars Date series and give back the same kind,
with no Python loop per value: the calendar is a boolean array over a span of
years, and "the next open day" is an index array computed once per span.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import yaml

from engine.errors import DensanError

__all__ = ["CalendarError", "CityCalendar", "load_calendar", "calendar_path",
           "YEAR_END_CLOSED"]

Date = dt.date
YEAR_END_CLOSED = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
_EPOCH = dt.date(1970, 1, 1)


class CalendarError(DensanError):
    """A site calendar file that cannot be read, or a question it cannot answer."""


_HOLIDAYS: dict[int, tuple[Date, ...]] = {}


def _holidays(year: int) -> tuple[Date, ...]:
    """A year's public holidays from jpholiday, once per process (it takes a good part of a
    second per year)."""
    if year not in _HOLIDAYS:
        import jpholiday
        _HOLIDAYS[year] = tuple(d for d, _name in jpholiday.year_holidays(year))
    return _HOLIDAYS[year]


def _day(d: Date) -> int:
    return (d - _EPOCH).days


def _date(n: int) -> Date:
    return _EPOCH + dt.timedelta(days=int(n))


def _as_date(value) -> Date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").item()
    if isinstance(value, str):
        s = value.strip()
        try:
            if len(s) == 8 and s.isdigit():
                return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
            return dt.date.fromisoformat(s.replace("/", "-"))
        except ValueError:
            raise CalendarError(f"not a date: {value!r}", hint="write dates as YYYY-MM-DD") from None
    raise CalendarError(f"not a date: {value!r}", hint="write dates as YYYY-MM-DD") from None


@dataclass
class CityCalendar:
    """Open and closed days of one city. `closed_days` / `open_days` are the site's
    overrides (date -> why); they win over the weekend, holiday and year-end rules."""

    closed_days: dict[Date, str] = field(default_factory=dict)
    open_days: dict[Date, str] = field(default_factory=dict)
    year_end: tuple[tuple[int, int], ...] = YEAR_END_CLOSED
    source: str | None = None          # the file it was read from, for messages

    def __post_init__(self) -> None:
        self.closed_days = {_as_date(k): v for k, v in self.closed_days.items()}
        self.open_days = {_as_date(k): v for k, v in self.open_days.items()}
        both = sorted(set(self.closed_days) & set(self.open_days))
        if both:
            raise CalendarError(f"{self.source or 'calendar'}: {both[0]} is listed both open and closed",
                                hint="keep each site day in one list")
        self._lo = self._hi = None      # table span, day numbers [lo, hi)
        self._open: np.ndarray | None = None
        self._next: np.ndarray | None = None    # index of the first open day at or after i
        self._prev: np.ndarray | None = None    # index of the last open day at or before i
        self._rank: np.ndarray | None = None    # open days before i (cumulative count)

    # ----------------------------------------------------------------- the table
    def _ensure(self, lo_day: int, hi_day: int) -> None:
        """Cover day numbers [lo_day, hi_day], in whole years."""
        if self._open is not None and self._lo <= lo_day and hi_day < self._hi:
            return
        y0 = _date(min(lo_day, self._lo if self._lo is not None else lo_day)).year
        y1 = _date(max(hi_day, self._hi - 1 if self._hi is not None else hi_day)).year
        self._build(y0, y1)

    def _build(self, y0: int, y1: int) -> None:
        lo, hi = _day(dt.date(y0, 1, 1)), _day(dt.date(y1 + 1, 1, 1))
        days = np.arange(lo, hi, dtype=np.int64)
        weekday = (days + 3) % 7                       # 1970-01-01 was a Thursday (3)
        is_open = weekday < 5
        dates = days.astype("datetime64[D]")
        md = (dates.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100 + \
            (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
        is_open &= ~np.isin(md, [m * 100 + d for m, d in self.year_end])
        for y in range(y0, y1 + 1):
            for d in _holidays(y):
                is_open[_day(d) - lo] = False
        for d in self.closed_days:
            if lo <= _day(d) < hi:
                is_open[_day(d) - lo] = False
        for d in self.open_days:
            if lo <= _day(d) < hi:
                is_open[_day(d) - lo] = True
        n = len(days)
        idx = np.arange(n)
        big = np.where(is_open, idx, n)
        nxt = np.minimum.accumulate(big[::-1])[::-1]
        prv = np.maximum.accumulate(np.where(is_open, idx, -1))
        self._lo, self._hi, self._open = lo, hi, is_open
        self._next, self._prev = nxt, prv
        self._rank = np.concatenate([[0], np.cumsum(is_open)])

    def _index(self, d: Date) -> int:
        n = _day(d)
        self._ensure(n - 10, n + 10)
        return n - self._lo

    # ----------------------------------------------------------------- scalar
    def is_open(self, d) -> bool:
        """True on an open day (運用日)."""
        i = self._index(_as_date(d))
        return bool(self._open[i])

    def is_closed(self, d) -> bool:
        return not self.is_open(d)

    def why(self, d) -> str:
        """Why a day is open or closed, in words (for `densan schedule why`)."""
        import jpholiday

        d = _as_date(d)
        if d in self.open_days:
            return f"open (site day: {self.open_days[d]})"
        if d in self.closed_days:
            return f"closed (site day: {self.closed_days[d]})"
        name = jpholiday.is_holiday_name(d)
        if name:
            return f"closed (public holiday: {name})"
        if (d.month, d.day) in self.year_end:
            return "closed (year-end closure 12/29-1/3)"
        if d.weekday() >= 5:
            return f"closed ({d.strftime('%A')})"
        return "open"

    def roll_forward(self, d) -> Date:
        """`d` if open, else the next open day (a due date on a closed day moves here)."""
        d = _as_date(d)
        i = self._index(d)
        j = self._next[i]
        if j >= len(self._open):
            self._ensure(_day(d), _day(d) + 400)
            return self.roll_forward(d)
        return _date(self._lo + j)

    def roll_back(self, d) -> Date:
        """`d` if open, else the previous open day."""
        d = _as_date(d)
        i = self._index(d)
        j = self._prev[i]
        if j < 0:
            self._ensure(_day(d) - 400, _day(d))
            return self.roll_back(d)
        return _date(self._lo + j)

    def next_open_day(self, d) -> Date:
        """The first open day strictly after `d`."""
        return self.roll_forward(_as_date(d) + dt.timedelta(days=1))

    def previous_open_day(self, d) -> Date:
        """The last open day strictly before `d`."""
        return self.roll_back(_as_date(d) - dt.timedelta(days=1))

    def add_open_days(self, d, n: int) -> Date:
        """`n` open days after `d` (n > 0) or before it (n < 0), `d` itself not counted:
        add_open_days(Fri, 1) is the next Monday if that is open. n == 0 gives `d`."""
        d = _as_date(d)
        if n == 0:
            return d
        step = self.next_open_day if n > 0 else self.previous_open_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def open_days_between(self, start, end) -> list[Date]:
        """Open days from `start` to `end`, both included."""
        start, end = _as_date(start), _as_date(end)
        self._ensure(_day(start), _day(end))
        lo = _day(start) - self._lo
        sel = np.flatnonzero(self._open[lo:_day(end) - self._lo + 1])
        return [_date(self._lo + lo + int(i)) for i in sel]

    def count_open_days(self, start, end) -> int:
        """How many open days from `start` to `end`, both included."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return 0
        self._ensure(_day(start), _day(end))
        return int(self._rank[_day(end) - self._lo + 1] - self._rank[_day(start) - self._lo])

    def month_open_days(self, year: int, month: int) -> list[Date]:
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return self.open_days_between(first, last)

    def nth_open_day(self, year: int, month: int, n: int) -> Date | None:
        """The n-th open day of a month (1 = first; -1 = last, -2 the one before);
        None when the month has fewer open days."""
        days = self.month_open_days(year, month)
        if n == 0 or abs(n) > len(days):
            return None
        return days[n - 1] if n > 0 else days[n]

    def first_open_day(self, year: int, month: int) -> Date | None:
        return self.nth_open_day(year, month, 1)

    def last_open_day(self, year: int, month: int) -> Date | None:
        return self.nth_open_day(year, month, -1)

    def closed_days_of_year(self, year: int) -> list[tuple[Date, str]]:
        """Every closed day of a year with its reason (for `densan schedule calendar`)."""
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self._ensure(_day(start), _day(end))
        lo = _day(start) - self._lo
        sel = np.flatnonzero(~self._open[lo:lo + _day(end) - _day(start) + 1])
        return [(d, self.why(d)) for d in (_date(self._lo + lo + int(i)) for i in sel)]

    # ----------------------------------------------------------------- vectorised
    def _days_of(self, values):
        """-> (day numbers int64, a function turning day numbers back into the input's kind)."""
        try:
            import polars as pl
        except ImportError:           # pragma: no cover - polars is a dependency
            pl = None
        if pl is not None and isinstance(values, pl.Series):
            name = values.name
            arr = values.cast(pl.Date).to_numpy().astype("datetime64[D]").astype(np.int64)
            return arr, lambda out, dtype=pl.Date: pl.Series(
                name, out.astype("datetime64[D]")).cast(dtype) if out.dtype != bool else pl.Series(name, out)
        arr = np.asarray(values)
        if arr.dtype.kind in "iu":      # YYYYMMDD integers, as records carry them
            y, md = np.divmod(arr.astype(np.int64), 10_000)
            m, d = np.divmod(md, 100)
            months = ((y - 1970) * 12 + m - 1).astype("datetime64[M]")
            days = (months.astype("datetime64[D]") + (d - 1)).astype(np.int64)

            def back(out):
                if out.dtype == bool:
                    return out
                dd = out.astype("datetime64[D]")
                mm = dd.astype("datetime64[M]")
                yy = mm.astype("datetime64[Y]").astype(np.int64) + 1970
                return (yy * 10_000 + (mm.astype(np.int64) % 12 + 1) * 100
                        + (dd - mm.astype("datetime64[D]")).astype(np.int64) + 1).astype(arr.dtype)
            return days, back
        days = arr.astype("datetime64[D]").astype(np.int64)
        return days, lambda out: out if out.dtype == bool else out.astype("datetime64[D]")

    def _cover(self, days: np.ndarray) -> None:
        if len(days):
            self._ensure(int(days.min()) - 10, int(days.max()) + 10)

    def is_open_array(self, values):
        """Vectorised `is_open` (NumPy datetime64 / YYYYMMDD ints / Polars Date)."""
        days, back = self._days_of(values)
        self._cover(days)
        return back(self._open[days - self._lo])

    def roll_forward_array(self, values):
        """Vectorised `roll_forward`: each date, or the next open day when closed."""
        days, back = self._days_of(values)
        self._cover(days)
        while len(days) and self._next[days - self._lo].max() >= len(self._open):   # no open day left in the table
            self._ensure(int(days.min()), self._hi + 366)
        return back(self._lo + self._next[days - self._lo])

    def roll_back_array(self, values):
        """Vectorised `roll_back`: each date, or the previous open day when closed."""
        days, back = self._days_of(values)
        self._cover(days)
        while len(days) and self._prev[days - self._lo].min() < 0:
            self._ensure(self._lo - 366, int(days.max()))
        return back(self._lo + self._prev[days - self._lo])

    def add_open_days_array(self, values, n: int):
        """Vectorised `add_open_days` by the open-day rank (cumulative count)."""
        days, back = self._days_of(values)
        if not len(days):
            return back(days)
        margin = 40 + 2 * abs(n)
        self._ensure(int(days.min()) - margin, int(days.max()) + margin)
        open_idx = np.flatnonzero(self._open)
        i = days - self._lo
        if n > 0:    # rank of the last open day at or before i, plus n
            pos = np.searchsorted(open_idx, i, side="right") - 1 + n
        elif n < 0:  # rank of the first open day at or after i, minus |n|
            pos = np.searchsorted(open_idx, i, side="left") + n
        else:
            return back(days)
        return back(self._lo + open_idx[pos])

    # ----------------------------------------------------------------- identity
    def fingerprint(self) -> str:
        """A short digest of the site days (a calendar change changes it)."""
        import hashlib

        text = repr((sorted(self.closed_days.items()), sorted(self.open_days.items()), self.year_end))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


# --------------------------------------------------------------------- the site file

def calendar_path() -> Path:
    """DENSAN_CALENDAR, else $DENSAN_HOME/calendar.yaml."""
    from engine.config import densan_home

    env = os.environ.get("DENSAN_CALENDAR")
    return Path(env) if env else densan_home() / "calendar.yaml"


def _entries(doc, key: str, path: Path) -> dict[Date, str]:
    items = doc.get(key) or []
    if not isinstance(items, list):
        raise CalendarError(f"{path}: '{key}' must be a list of dates",
                            hint=f"write e.g. {key}:\\n  - {{date: 2026-03-31, why: 決算}}")
    out: dict[Date, str] = {}
    for i, item in enumerate(items, 1):
        if isinstance(item, dict):
            raw, why = item.get("date"), str(item.get("why") or item.get("reason") or "site day")
        else:
            raw, why = item, "site day"
        try:
            d = _as_date(raw)
        except CalendarError:
            raise CalendarError(f"{path}: {key} entry {i}: {raw!r} is not a date",
                                hint="write dates as YYYY-MM-DD") from None
        if d in out:
            raise CalendarError(f"{path}: {key} entry {i}: {d} is listed twice")
        out[d] = why
    return out


class _DatesAsText(yaml.SafeLoader):
    """YAML without implicit timestamps: a bad date reaches our checks as text."""


_DatesAsText.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"]
    for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def parse_calendar(text: str, path: Path | str = "<calendar>") -> CityCalendar:
    """A calendar from the text of a site calendar file (see the module docstring)."""

    path = Path(path)
    try:
        doc = yaml.load(text, Loader=_DatesAsText) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise CalendarError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})",
                            hint="fix the calendar file; see README 'The city calendar'") from None
    if not isinstance(doc, dict):
        raise CalendarError(f"{path}: expected a mapping with 'open:' and 'closed:' lists")
    unknown = set(doc) - {"open", "closed", "year_end"}
    if unknown:
        raise CalendarError(f"{path}: unknown key(s) {sorted(unknown)}",
                            hint="a calendar file has 'closed:', 'open:' and optionally 'year_end:'")
    year_end = YEAR_END_CLOSED
    if "year_end" in doc:
        ye = doc["year_end"]
        if ye is False or ye == []:
            year_end = ()
        elif isinstance(ye, list):
            try:
                year_end = tuple((int(s.split("-")[0]), int(s.split("-")[1])) for s in map(str, ye))
            except (ValueError, IndexError):
                raise CalendarError(f"{path}: year_end must list days as MM-DD, e.g. [12-29, 1-3]") from None
    return CityCalendar(closed_days=_entries(doc, "closed", path),
                        open_days=_entries(doc, "open", path), year_end=year_end, source=str(path))


def load_calendar(path: Path | str | None = None) -> CityCalendar:
    """The site's calendar: `path`, else DENSAN_CALENDAR / $DENSAN_HOME/calendar.yaml;
    no file means the national calendar plus the year-end closure."""
    p = Path(path) if path is not None else calendar_path()
    if not p.exists():
        if path is not None:
            raise CalendarError(f"calendar file {p} not found")
        return CityCalendar(source=None)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CalendarError(f"cannot read calendar file {p}: {exc}") from None
    return parse_calendar(text, p)


_DEFAULT: CityCalendar | None = None


def default_calendar() -> CityCalendar:
    """The national calendar plus the year-end closure, no site days (shared, cached)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = CityCalendar()
    return _DEFAULT


def roll_forward_array(values, calendar: CityCalendar | None = None):
    """Move each date on a closed day to the next open day (a deadline's rule)."""
    return (calendar or default_calendar()).roll_forward_array(values)


def is_open_array(values, calendar: CityCalendar | None = None):
    return (calendar or default_calendar()).is_open_array(values)
