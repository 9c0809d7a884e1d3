"""Dates as the legacy holds them: YYYYMMDD integers (PIC 9(8)).

Works on Polars expressions, Polars series and NumPy int64 arrays alike, for
calendar checks; the day arithmetic converts to day numbers (days since
1970-01-01) and back with integer formulas, so no Python date objects are made
per row.

Calendar validity is GnuCOBOL's rule as the legacy programs code it (see
../shared/legacy/README.md "DT"): year 0001-9999, month 01-12, day 01 to the
last day of the month, 29 February in Gregorian leap years (divisible by 4, and
not by 100 unless by 400). Open days (開庁日) come from `engine.calendar`.
"""
from __future__ import annotations

import numpy as np
import polars as pl


def _split(d):
    return d // 10_000, d // 100 % 100, d % 100


def is_leap(year):
    """Gregorian leap year."""
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def days_in_month(year, month):
    """Last day of the month (month 1..12; other months give nonsense, check first)."""
    m = _clip(month, 1, 12)           # 2 % m and 1 // m need m != 0; other months are invalid anyway
    base = 28 + (m + m // 8) % 2 + 2 % m + 2 * (1 // m)
    return base + ((m == 2) & is_leap(year)) * 1


def is_valid_date(d):
    """True where `d` (YYYYMMDD) is a calendar date, year 0001-9999."""
    y, m, day = _split(d)
    return (y >= 1) & (y <= 9999) & (m >= 1) & (m <= 12) & (day >= 1) & (day <= days_in_month(y, m))


def _clip(x, lo, hi):
    if isinstance(x, (pl.Expr, pl.Series)):
        return x.clip(lo, hi)
    return np.clip(x, lo, hi)


def day_number(d):
    """YYYYMMDD -> days since 1970-01-01 (proleptic Gregorian; valid dates only)."""
    y, m, day = _split(d)
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def from_day_number(n):
    """Days since 1970-01-01 -> YYYYMMDD."""
    z = n + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 - 12 * (mp >= 10)
    return (yoe + era * 400 + (month <= 2)) * 10_000 + month * 100 + day


def days_between(a, b):
    """b - a in days (COBOL FUNCTION INTEGER-OF-DATE(b) - INTEGER-OF-DATE(a))."""
    return day_number(b) - day_number(a)


def add_days(d, n):
    return from_day_number(day_number(d) + n)


def month_end(d):
    """The last day of d's month (月末)."""
    y, m, _ = _split(d)
    return y * 10_000 + m * 100 + days_in_month(y, m)


def add_months(d, n):
    """The same day `n` months later (or earlier); a day the month does not
    have becomes its last day (1/31 + 1 month = 2/28 or 2/29; 応当日の前日 rules
    are the caller's)."""
    y, m, day = _split(d)
    total = y * 12 + (m - 1) + n
    ny, nm = total // 12, total % 12 + 1
    last = days_in_month(ny, nm)
    return ny * 10_000 + nm * 100 + _minimum(day, last)


def _minimum(a, b):
    if isinstance(a, pl.Expr) or isinstance(b, pl.Expr):
        return pl.min_horizontal(a, b)
    if isinstance(a, pl.Series) or isinstance(b, pl.Series):
        return pl.select(pl.min_horizontal(a, b)).to_series()
    return np.minimum(a, b)


def age_on(birth, d):
    """Completed years of age on date `d` by the calendar (満年齢 counted on the
    birthday; the 年齢計算ニ関スル法律 age, which is reached the day before, is
    `age_on(birth, add_days(d, 1))`)."""
    by, bmd = birth // 10_000, birth % 10_000
    dy, dmd = d // 10_000, d % 10_000
    return dy - by - (dmd < bmd)


def to_polars_date(d: pl.Expr) -> pl.Expr:
    """A YYYYMMDD integer expression as a Polars Date (valid dates only)."""
    return pl.from_epoch(day_number(d), time_unit="d")
