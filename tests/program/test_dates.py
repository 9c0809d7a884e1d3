"""engine.program.dates against Python's datetime (a reference nobody here wrote)."""
import calendar
import datetime as dt

import numpy as np
import polars as pl
from hypothesis import given, settings, strategies as st

from engine.program import dates as D


def ref_valid(v: int) -> bool:
    y, m, d = v // 10000, v // 100 % 100, v % 100
    if not (1 <= y <= 9999 and 1 <= m <= 12):
        return False
    return 1 <= d <= calendar.monthrange(y, m)[1]


yyyymmdd = st.one_of(st.integers(0, 99_999_999),
                     st.builds(lambda y, m, d: y * 10000 + m * 100 + d,
                               st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)))
real_dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))


def num(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


@settings(deadline=None)
@given(st.lists(yyyymmdd, min_size=1, max_size=50))
def test_validity_matches_the_calendar(vals):
    want = [ref_valid(v) for v in vals]
    assert D.is_valid_date(np.array(vals, np.int64)).tolist() == want
    assert pl.DataFrame({"d": vals}).select(D.is_valid_date(pl.col("d"))).to_series().to_list() == want


def test_leap_days():
    v = np.array([20240229, 20230229, 19000229, 20000229, 21000229, 20240230, 1229, 229])
    assert D.is_valid_date(v).tolist() == [True, False, False, True, False, False, False, False]


@settings(deadline=None)
@given(real_dates, real_dates)
def test_day_counts(a, b):
    assert D.days_between(np.array([num(a)]), np.array([num(b)])).tolist() == [(b - a).days]
    assert D.from_day_number(D.day_number(np.array([num(a)]))).tolist() == [num(a)]


@settings(deadline=None)
@given(real_dates, st.integers(-1200, 1200))
def test_add_months_clamps_to_the_month_end(d, n):
    total = d.year * 12 + d.month - 1 + n
    y, m = divmod(total, 12)
    if not 1 <= y <= 9999:
        return
    want = dt.date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))
    assert D.add_months(np.array([num(d)]), n).tolist() == [num(want)]
    assert pl.select(D.add_months(pl.lit(num(d)), n)).item() == num(want)


@settings(deadline=None)
@given(real_dates)
def test_month_end(d):
    assert D.month_end(np.array([num(d)])).tolist() == [num(d.replace(day=calendar.monthrange(d.year, d.month)[1]))]


def test_ages():
    birth = np.array([20070402, 20070403, 20080229, 20080229])
    on = np.array([20250402, 20250402, 20260228, 20260301])
    assert D.age_on(birth, on).tolist() == [18, 17, 17, 18]
    # the legal age is reached the day before the birthday (年齢計算ニ関スル法律)
    assert D.age_on(birth, D.add_days(on, 1)).tolist() == [18, 18, 18, 18]


def test_polars_date_conversion():
    out = pl.DataFrame({"d": [20250131]}).select(D.to_polars_date(pl.col("d"))).item()
    assert out == dt.date(2025, 1, 31)
