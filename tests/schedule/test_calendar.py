"""The city calendar against dates checked by hand on a printed 2025–2027 calendar."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from engine.calendar import CalendarError, CityCalendar, load_calendar, parse_calendar

D = dt.date
CAL = CityCalendar()


@pytest.mark.parametrize("day, is_open", [
    # Golden Week 2025: 4/29 Tue 昭和の日, 5/3 Sat, 5/4 Sun, 5/5 Mon, 5/6 Tue 振替休日
    (D(2025, 4, 28), True), (D(2025, 4, 29), False), (D(2025, 5, 2), True),
    (D(2025, 5, 5), False), (D(2025, 5, 6), False), (D(2025, 5, 7), True),
    # Golden Week 2026: 5/3 is a Sunday, so 5/6 Wed is the 振替休日
    (D(2026, 5, 1), True), (D(2026, 5, 4), False), (D(2026, 5, 6), False), (D(2026, 5, 7), True),
    # Silver Week 2026: 9/21 敬老の日, 9/22 国民の休日 (between two holidays), 9/23 秋分の日
    (D(2026, 9, 18), True), (D(2026, 9, 21), False), (D(2026, 9, 22), False),
    (D(2026, 9, 23), False), (D(2026, 9, 24), True),
    # 振替休日: 2025-02-24, 2025-11-24, 2027-03-22
    (D(2025, 2, 24), False), (D(2025, 2, 25), True), (D(2025, 11, 24), False),
    (D(2027, 3, 22), False), (D(2027, 3, 23), True),
    # year end: the city hall closes 12/29–1/3 even on weekdays
    (D(2025, 12, 26), True), (D(2025, 12, 29), False), (D(2025, 12, 30), False),
    (D(2026, 1, 2), False), (D(2026, 1, 5), True),
    (D(2026, 12, 28), True), (D(2026, 12, 29), False), (D(2027, 1, 4), True),
    (D(2027, 12, 28), True), (D(2027, 12, 29), False), (D(2028, 1, 3), False), (D(2028, 1, 4), True),
    # 成人の日 (2nd Monday of January), plain weekend
    (D(2026, 1, 12), False), (D(2027, 1, 11), False), (D(2026, 1, 10), False),
])
def test_open_and_closed_days(day, is_open):
    assert CAL.is_open(day) is is_open


@pytest.mark.parametrize("day, forward, back", [
    (D(2025, 5, 3), D(2025, 5, 7), D(2025, 5, 2)),
    (D(2026, 5, 2), D(2026, 5, 7), D(2026, 5, 1)),
    (D(2026, 9, 19), D(2026, 9, 24), D(2026, 9, 18)),
    (D(2025, 12, 27), D(2026, 1, 5), D(2025, 12, 26)),
    (D(2026, 12, 31), D(2027, 1, 4), D(2026, 12, 28)),
    (D(2026, 3, 4), D(2026, 3, 4), D(2026, 3, 4)),           # an open day stays
])
def test_roll_forward_and_back(day, forward, back):
    assert CAL.roll_forward(day) == forward
    assert CAL.roll_back(day) == back


def test_next_previous_and_counted_open_days():
    assert CAL.next_open_day(D(2025, 12, 26)) == D(2026, 1, 5)
    assert CAL.previous_open_day(D(2026, 1, 5)) == D(2025, 12, 26)
    assert CAL.next_open_day(D(2026, 5, 1)) == D(2026, 5, 7)
    assert CAL.add_open_days(D(2026, 5, 1), 1) == D(2026, 5, 7)
    assert CAL.add_open_days(D(2026, 5, 1), 3) == D(2026, 5, 11)       # 7 Thu, 8 Fri, 11 Mon
    assert CAL.add_open_days(D(2026, 5, 7), -1) == D(2026, 5, 1)
    assert CAL.add_open_days(D(2026, 5, 2), 1) == D(2026, 5, 7)        # from a closed day
    assert CAL.add_open_days(D(2026, 5, 2), -1) == D(2026, 5, 1)
    # "2 open days before the 15th": Jan 2026 -> 13 Tue (12 is 成人の日), 14 Wed, 15 Thu
    assert CAL.add_open_days(D(2026, 1, 15), -2) == D(2026, 1, 13)
    assert CAL.count_open_days(D(2026, 5, 1), D(2026, 5, 7)) == 2


@pytest.mark.parametrize("year, month, n, expected", [
    (2026, 1, 1, D(2026, 1, 5)), (2026, 1, 5, D(2026, 1, 9)), (2026, 1, 6, D(2026, 1, 13)),
    (2026, 1, -1, D(2026, 1, 30)), (2026, 5, 1, D(2026, 5, 1)), (2026, 5, 2, D(2026, 5, 7)),
    (2026, 5, -1, D(2026, 5, 29)), (2026, 2, -1, D(2026, 2, 27)), (2026, 12, -1, D(2026, 12, 28)),
    (2027, 1, 1, D(2027, 1, 4)), (2027, 1, 6, D(2027, 1, 12)), (2025, 5, 1, D(2025, 5, 1)),
    (2025, 5, 2, D(2025, 5, 2)), (2025, 5, 3, D(2025, 5, 7)), (2026, 9, -1, D(2026, 9, 30)),
    (2026, 1, 40, None),
])
def test_nth_open_day_of_a_month(year, month, n, expected):
    assert CAL.nth_open_day(year, month, n) == expected


def test_month_open_day_counts():
    assert len(CAL.month_open_days(2026, 5)) == 18      # 21 weekdays less 4, 5, 6
    assert len(CAL.month_open_days(2026, 1)) == 19      # 22 weekdays less 1, 2, 12 成人の日
    assert CAL.last_open_day(2025, 12) == D(2025, 12, 26)
    assert CAL.first_open_day(2026, 1) == D(2026, 1, 5)


def test_site_days_from_the_file(tmp_path):
    f = tmp_path / "calendar.yaml"
    f.write_text("closed:\n  - {date: 2026-03-31, why: 決算 system stop}\n"
                 "open:\n  - {date: 2027-01-03, why: election counting}\n  - 2026-05-02\n",
                 encoding="utf-8")
    cal = load_calendar(f)
    assert cal.is_closed(D(2026, 3, 31)) and cal.last_open_day(2026, 3) == D(2026, 3, 30)
    assert cal.is_open(D(2027, 1, 3)) and cal.roll_forward(D(2027, 1, 2)) == D(2027, 1, 3)
    assert cal.is_open(D(2026, 5, 2))
    assert cal.why(D(2026, 3, 31)) == "closed (site day: 決算 system stop)"
    assert CAL.why(D(2026, 9, 22)) == "closed (public holiday: 国民の休日)"
    assert CAL.why(D(2026, 12, 30)) == "closed (year-end closure 12/29-1/3)"
    assert cal.fingerprint() != CAL.fingerprint()


def test_no_site_file_is_the_national_calendar(densan_home):
    assert load_calendar().closed_days == {} and load_calendar().is_closed(D(2026, 1, 1))


@pytest.mark.parametrize("text, words", [
    ("closed: [2026-02-30]\n", "closed entry 1"),
    ("closed:\n  - 2026-03-31\nopen:\n  - 2026-03-31\n", "both open and closed"),
    ("closed: [2026-03-31\n", "not valid YAML"),
    ("holidays: []\n", "unknown key"),
    ("closed: 2026-03-31\n", "must be a list"),
])
def test_bad_calendar_file_says_where(text, words):
    with pytest.raises(CalendarError, match=words) as err:
        parse_calendar(text, "site/calendar.yaml")
    assert "site/calendar.yaml" in str(err.value)


def test_vectorised_forms_agree_with_numpy_polars_and_ints():
    days = np.arange(np.datetime64("2025-01-01"), np.datetime64("2028-01-01"))
    fwd = CAL.roll_forward_array(days)
    assert fwd.dtype == np.dtype("datetime64[D]")
    expected = np.array([CAL.roll_forward(d) for d in days.tolist()], dtype="datetime64[D]")
    assert (fwd == expected).all()
    assert (CAL.roll_back_array(days) ==
            np.array([CAL.roll_back(d) for d in days.tolist()], dtype="datetime64[D]")).all()
    assert (CAL.is_open_array(days) == np.array([CAL.is_open(d) for d in days.tolist()])).all()
    s = pl.Series("due", days).cast(pl.Date)
    out = CAL.roll_forward_array(s)
    assert out.dtype == pl.Date and out.name == "due" and out.to_list() == expected.tolist()
    ints = np.array([20251227, 20260503, 20260304], dtype=np.int64)
    assert CAL.roll_forward_array(ints).tolist() == [20260105, 20260507, 20260304]


@settings(max_examples=60, deadline=None)
@given(st.dates(D(2025, 1, 1), D(2027, 12, 31)), st.integers(-25, 25))
def test_add_open_days_vectorised_is_the_scalar(day, n):
    got = CAL.add_open_days_array(np.array([day], dtype="datetime64[D]"), n)[0]
    assert got.item() == CAL.add_open_days(day, n)
    if n:
        assert CAL.count_open_days(min(day, got.item()), max(day, got.item())) - \
            (1 if CAL.is_open(day) else 0) == abs(n)
