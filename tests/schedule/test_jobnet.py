"""Jobnet YAML: relations, nesting, cycles refused with their path, bad input said clearly."""
from __future__ import annotations

import pytest

from engine.schedule.jobnet import JobnetError, load_jobnet, parse_jobnet


def _net(units: str, extra: str = "") -> str:
    return f"jobnet: NET\n{extra}units:\n{units}"


def test_units_chain_in_order_unless_told():
    net = parse_jobnet(_net("  - job: A\n  - job: B\n  - {job: C, after: []}\n"
                            "  - {job: R, after: {B: abnormal}}\n  - {job: D, after: [B, C]}\n"))
    rel = {u.path: u.after for u in net.units}
    assert rel == {"A": [], "B": [("A", "ok")], "C": [], "R": [("B", "abnormal")], "D": [("B", "ok"), ("C", "ok")]}


def test_cycle_refused_with_its_path():
    with pytest.raises(JobnetError, match="cycle: A waits for C waits for B waits for A"):
        parse_jobnet(_net("  - {job: A, after: [C]}\n  - job: B\n  - job: C\n"), source="net.yaml")


def test_nested_jobnet_is_flattened(tmp_path, monkeypatch):
    monkeypatch.setenv("DENSAN_JOBS", str(tmp_path))
    (tmp_path / "INNER.yaml").write_text("jobnet: INNER\nparams: {mode: x}\nunits:\n  - job: X\n  - {job: Y, after: []}\n")
    (tmp_path / "OUTER.yaml").write_text("jobnet: OUTER\nunits:\n  - job: A\n  - {name: IN, jobnet: INNER}\n"
                                         "  - job: Z\n")
    net = load_jobnet("OUTER")
    rel = {u.path: u.after for u in net.units}
    assert rel == {"A": [], "IN/X": [("A", "ok")], "IN/Y": [("A", "ok")],
                   "Z": [("IN/X", "ok"), ("IN/Y", "ok")]}
    assert net.unit("IN/X").params == {"mode": "x"}


def test_a_jobnet_containing_itself_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DENSAN_JOBS", str(tmp_path))
    (tmp_path / "LOOP.yaml").write_text("jobnet: LOOP\nunits:\n  - job: A\n  - {jobnet: LOOP}\n")
    with pytest.raises(JobnetError, match="contains itself: LOOP -> LOOP"):
        load_jobnet("LOOP")


def test_times_relative_to_the_base_time():
    net = parse_jobnet(_net("  - job: A\n", 'base_time: "08:00"\nstart: "01:30"\ndeadline: "08:30"\n'))
    assert net.start == 25 * 60 + 30          # 01:30 is the next morning of the operating day
    assert net.deadline == 32 * 60 + 30


@pytest.mark.parametrize("text, words", [
    (_net("  - {job: A, after: [Q]}\n"), "after Q: no such unit"),
    (_net("  - {job: A, after: {B: sometimes}}\n  - job: B\n"), "condition 'sometimes'"),
    (_net("  - job: A\n  - job: A\n"), "unit name A is used twice"),
    (_net("  - {job: A, jobnet: B}\n"), "exactly one of job: or jobnet:"),
    (_net("  - job: A\n", "schedule: [{day: 40}]\n"), "day: 40"),
    (_net("  - job: A\n", "schedule: [{open_day: 2, closed: later}]\n"), "closed: 'later'"),
    (_net("  - job: A\n", 'start: "26:99"\n'), "not a time"),
    ("jobnet: NET\nunits: []\n", "units: must be a list"),
    (_net("  - job: A\n", "colour: red\n"), "unknown key"),
])
def test_bad_jobnets_say_what_and_where(text, words):
    with pytest.raises(JobnetError, match=words) as err:
        parse_jobnet(text, source="lib/NET.yaml")
    assert "lib/NET.yaml" in str(err.value)


def test_params_of_the_operating_day():
    from engine.schedule.engine import _subst
    assert _subst("{opday}", "2026-03-31", {}) == "20260331"
    assert _subst("{opday:%Y%m}-{nendo}", "2026-03-31", {}) == "202603-2025"
    assert _subst("{nendo}", "2026-04-01", {}) == "2026"
    assert _subst("{file}", "2026-04-01", {"file": "/h/inbox/B.DAT"}) == "/h/inbox/B.DAT"
