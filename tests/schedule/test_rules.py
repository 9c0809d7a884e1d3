"""Schedule rules on the city calendar, against dates checked by hand (2025–2027)."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.calendar import CityCalendar
from engine.schedule.engine import Engine, operating_day, plan_range, start_instant
from engine.schedule.jobnet import parse_jobnet
from engine.schedule.rules import plan_days

CAL = CityCalendar()
D = dt.date


def days(rule: dict, start: D, end: D) -> list[D]:
    return [p.date for p in plan_days([rule], start, end, CAL)]


JAN26 = (D(2026, 1, 1), D(2026, 1, 31))


@pytest.mark.parametrize("rule, start_end, expected", [
    # Mondays of January 2026; the 12th is 成人の日
    ({"weekdays": ["mon"], "closed": "after"}, JAN26, [D(2026, 1, 5), D(2026, 1, 13), D(2026, 1, 19), D(2026, 1, 26)]),
    ({"weekdays": ["mon"], "closed": "before"}, JAN26, [D(2026, 1, 5), D(2026, 1, 9), D(2026, 1, 19), D(2026, 1, 26)]),
    ({"weekdays": ["mon"], "closed": "cancel"}, JAN26, [D(2026, 1, 5), D(2026, 1, 19), D(2026, 1, 26)]),
    ({"weekdays": ["mon"], "closed": "run"}, JAN26, [D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19), D(2026, 1, 26)]),
    # Saturdays moved after by at most 2 days: 1/10 would move 3 days (to 1/13) -> cancelled
    ({"weekdays": ["sat"], "closed": "after", "max_shift": 2}, JAN26, [D(2026, 1, 5), D(2026, 1, 19), D(2026, 1, 26)]),
    ({"every": "day", "closed": "run"}, JAN26, [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(31)]),
    # the 15th of February 2026 is a Sunday
    ({"day": 15}, (D(2026, 2, 1), D(2026, 2, 28)), [D(2026, 2, 16)]),
    ({"day": 15, "closed": "before"}, (D(2026, 2, 1), D(2026, 2, 28)), [D(2026, 2, 13)]),
    ({"day": 15, "closed": "cancel"}, (D(2026, 2, 1), D(2026, 2, 28)), []),
    # 起算: pay day the 15th, earlier if closed; payroll 2 open days before (2/11 is a holiday)
    ({"day": 15, "closed": "before", "offset": -2}, (D(2026, 2, 1), D(2026, 2, 28)), [D(2026, 2, 10)]),
    ({"day": 15, "closed": "before", "offset": -2}, JAN26, [D(2026, 1, 13)]),
    # month end: 2026-05-31 is a Sunday; moved after it falls in June
    ({"day": "end", "closed": "before"}, (D(2026, 5, 1), D(2026, 5, 31)), [D(2026, 5, 29)]),
    ({"day": "end"}, (D(2026, 5, 1), D(2026, 6, 30)), [D(2026, 6, 1), D(2026, 6, 30)]),
    ({"day": -2, "closed": "run"}, (D(2026, 2, 1), D(2026, 2, 28)), [D(2026, 2, 27)]),
    # N-th open day and the last open day: May 2026 opens on 5/1, then 5/7 after Golden Week
    ({"open_day": 3}, (D(2026, 5, 1), D(2026, 5, 31)), [D(2026, 5, 8)]),
    ({"open_day": -1}, (D(2026, 5, 1), D(2026, 5, 31)), [D(2026, 5, 29)]),
    ({"open_day": -2}, (D(2026, 5, 1), D(2026, 5, 31)), [D(2026, 5, 28)]),
    ({"open_day": 1, "offset": 2}, JAN26, [D(2026, 1, 7)]),
    ({"open_day": "last", "months": [12]}, (D(2025, 1, 1), D(2027, 12, 31)),
     [D(2025, 12, 26), D(2026, 12, 28), D(2027, 12, 28)]),
    # 上旬/中旬/下旬: September 2026 has 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日
    ({"period": "中旬"}, (D(2026, 9, 1), D(2026, 9, 30)), [D(2026, 9, 11)]),
    ({"period": "下旬"}, (D(2026, 9, 1), D(2026, 9, 30)), [D(2026, 9, 24)]),
    ({"period": "上旬"}, JAN26, [D(2026, 1, 5)]),
    ({"period": "late", "open_day": -1}, (D(2026, 12, 1), D(2026, 12, 31)), [D(2026, 12, 28)]),
    # one date: 2027-03-21 is 春分の日 on a Sunday, 3/22 its 振替休日
    ({"date": "2027-03-21"}, (D(2027, 3, 1), D(2027, 3, 31)), [D(2027, 3, 23)]),
    ({"date": "2027-03-21", "closed": "before"}, (D(2027, 3, 1), D(2027, 3, 31)), [D(2027, 3, 19)]),
    # quarterly month ends: 2025-08-31 Sunday -> only the listed months
    ({"day": "end", "months": [3, 6, 9, 12], "closed": "before"}, (D(2025, 1, 1), D(2025, 12, 31)),
     [D(2025, 3, 31), D(2025, 6, 30), D(2025, 9, 30), D(2025, 12, 26)]),
    # 2025: Golden Week (5/6 振替休日), the year end
    ({"every": "open-day"}, (D(2025, 4, 28), D(2025, 5, 9)),
     [D(2025, 4, 28), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2), D(2025, 5, 7), D(2025, 5, 8), D(2025, 5, 9)]),
])
def test_rule_kinds_and_substitutions(rule, start_end, expected):
    assert days(rule, *start_end) == expected


def test_why_names_the_rule_and_the_move():
    [p] = plan_days([{"weekdays": ["mon"], "closed": "cancel"}, {"day": 15, "closed": "before", "offset": -2}],
                    D(2026, 2, 10), D(2026, 2, 10), CAL)
    assert p.rule == 2
    assert p.why == ("rule 2 (day: 15, closed: before, offset: -2): day 15 (closed (Sunday); moved before to "
                     "2026-02-13); 2 open days before -> 2026-02-10")


NIGHTLY = parse_jobnet('jobnet: NIGHTLY\nschedule: [{every: open-day}]\nbase_time: "08:00"\nstart: "20:00"\n'
                       'deadline: "08:30"\nunits:\n  - job: SHUNOD\n')


def test_nightly_year_plan_golden_week_and_year_end():
    """A year of the city's NIGHTLY against a hand-written expectation."""
    plan = plan_range(D(2026, 1, 1), D(2026, 12, 31), nets={"NIGHTLY": NIGHTLY}, calendar=CAL)
    dates = [D.fromisoformat(r["date"]) for r in plan]
    # 261 weekdays, less 17 holidays on weekdays and 1/2, 12/29, 12/30, 12/31
    assert len(dates) == 240
    assert dates[0] == D(2026, 1, 5)
    gw = [d for d in dates if D(2026, 4, 27) <= d <= D(2026, 5, 10)]
    assert gw == [D(2026, 4, 27), D(2026, 4, 28), D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 7), D(2026, 5, 8)]
    sw = [d for d in dates if D(2026, 9, 17) <= d <= D(2026, 9, 25)]
    assert sw == [D(2026, 9, 17), D(2026, 9, 18), D(2026, 9, 24), D(2026, 9, 25)]
    assert [d for d in dates if d >= D(2026, 12, 24)] == [D(2026, 12, 24), D(2026, 12, 25), D(2026, 12, 28)]
    first = plan[0]
    assert (first["start"], first["deadline"]) == ("2026-01-05 20:00", "2026-01-06 08:30")


def test_base_time_decides_the_operating_day():
    net = parse_jobnet('jobnet: N\nbase_time: "08:00"\nstart: "25:00"\nunits: [{job: A}]\n')
    assert start_instant(net, D(2026, 8, 3)) == dt.datetime(2026, 8, 4, 1, 0)
    assert operating_day(net, dt.datetime(2026, 8, 4, 1, 0)) == D(2026, 8, 3)     # the 8/3 calendar decides
    assert operating_day(net, dt.datetime(2026, 8, 4, 8, 0)) == D(2026, 8, 4)


def test_base_time_change_is_refused_jp1_trap(tmp_path, monkeypatch):
    """JP1 runs a jobnet twice when its base time changes; densan refuses the change until an
    operator accepts it, and days already planned are never planned again."""
    monkeypatch.setenv("DENSAN_HOME", str(tmp_path / "home"))
    lib = tmp_path / "lib"
    lib.mkdir()
    monkeypatch.setenv("DENSAN_JOBS", str(lib))
    text = 'jobnet: N\nschedule: [{every: open-day}]\nbase_time: "{b}"\nstart: "03:00"\nunits: [{job: A}]\n'
    (lib / "N.yaml").write_text(text.replace("{b}", "08:00"))
    eng = Engine(tmp_path / "home", virtual=True)
    from engine.schedule.jobnet import load_all
    eng.materialize_due(load_all(), CAL, D(2026, 1, 5), D(2026, 1, 6))
    assert [r["opday"] for r in eng.st.db.execute("SELECT opday FROM jobnet_runs ORDER BY opday")] == \
        ["2026-01-05", "2026-01-06"]
    (lib / "N.yaml").write_text(text.replace("{b}", "00:00"))
    eng.materialize_due(load_all(), CAL, None, D(2026, 1, 8))
    assert eng.st.db.execute("SELECT COUNT(*) FROM jobnet_runs").fetchone()[0] == 2
    ev = eng.st.db.execute("SELECT why FROM events WHERE action = 'base-time-refused'").fetchone()
    assert "base time of N changed 08:00 -> 00:00" in ev["why"] and "run a night twice" in ev["why"]
    with eng.st.tx() as db:                 # what `densan schedule accept-base-time N` does
        eng.st.set_meta(db, "base_time:N", "00:00")
    eng.materialize_due(load_all(), CAL, None, D(2026, 1, 8))
    assert [r["opday"] for r in eng.st.db.execute("SELECT opday FROM jobnet_runs ORDER BY opday")] == \
        ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"]
    eng.close()
