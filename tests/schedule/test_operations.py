"""Operators' actions and monitoring on the state (no processes): rerun modes, relations on
how a predecessor ended, end delay and predicted end delay, the calendar change diff."""
from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import time

import pytest

from engine.calendar import CityCalendar, parse_calendar
from engine.schedule import state as S
from engine.schedule.engine import Engine, plan_diff
from engine.schedule.jobnet import parse_jobnet
from tests.schedule.helpers import densan, env, make_library, seed_home

NET = """jobnet: OPS
schedule: [{every: open-day}]
base_time: "08:00"
start: "20:00"
deadline: "23:00"
units:
  - job: A
  - job: B
  - {job: R, after: {B: abnormal}}
  - {job: C, after: [B]}
  - {job: W, after: {C: warning}}
  - job: D
"""


@pytest.fixture
def ops(tmp_path, monkeypatch):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "OPS.yaml").write_text(NET)
    monkeypatch.setenv("DENSAN_JOBS", str(lib))
    monkeypatch.setenv("DENSAN_HOME", str(tmp_path / "home"))
    st = S.State()
    S.hold("OPS", "2026-01-05", why="test", home=st.home)        # makes the planned run
    S.release("OPS", "2026-01-05", home=st.home)
    yield st
    st.close()


def _set(st, **statuses):
    run = st.find_run("OPS", "2026-01-05")
    with st.tx() as db:
        db.execute("UPDATE jobnet_runs SET status = ?, started = ? WHERE id = ?", (S.RUNNING, S.now(), run["id"]))
        for unit, status in statuses.items():
            db.execute("UPDATE units SET status = ?, started = ?, ended = ?, job_run = 'J0000001' "
                       "WHERE run = ? AND unit = ?", (status, S.now(), S.now(), run["id"], unit))
    return run["id"]


def _statuses(st) -> dict[str, str]:
    return {u["unit"]: u["status"] for u in S.jobnet_run("OPS", "2026-01-05", home=st.home)["units"]}


class NoStart(Engine):
    """An engine that records what it would start instead of starting processes."""
    started: list

    def start_unit(self, run, u) -> bool:
        self.started.append(u["unit"])
        return True


def _advance(st) -> list[str]:
    eng = NoStart(st.home, virtual=True)
    eng.started = []
    eng._advance(st.find_run("OPS", "2026-01-05"))
    eng.close()
    return eng.started


def test_relations_follow_how_the_predecessor_ended(ops):
    _set(ops, A=S.NORMAL, B=S.NORMAL)
    assert _advance(ops) == ["C"]                      # R (recovery on abnormal) bypassed
    assert _statuses(ops)["R"] == S.BYPASSED
    _set(ops, C=S.NORMAL)
    assert _advance(ops) == ["D"]                      # W (on warning) bypassed; D passes through it
    assert _statuses(ops)["W"] == S.BYPASSED


def test_abnormal_end_stops_the_line_and_runs_recovery(ops):
    _set(ops, A=S.NORMAL, B=S.ABNORMAL)
    assert _advance(ops) == ["R"]
    st = _statuses(ops)
    assert st["C"] == S.WAITING and st["D"] == S.WAITING


def test_rerun_modes(ops):
    rid = _set(ops, A=S.NORMAL, B=S.ABNORMAL, R=S.NORMAL)
    assert S.rerun("OPS", "2026-01-05", "failed", who="ito", why="disk full fixed", home=ops.home) == ["B"]
    u = {r["unit"]: r for r in ops.units_of(rid)}
    assert u["B"]["status"] == S.WAITING and u["B"]["restart"] == "*"      # restarted at its failed step
    _set(ops, B=S.ABNORMAL)
    assert S.rerun("OPS", "2026-01-05", "after", home=ops.home) == ["B"]
    assert _statuses(ops)["B"] == S.SKIPPED and _advance(ops) == ["C"]
    _set(ops, A=S.NORMAL, B=S.NORMAL, R=S.BYPASSED, C=S.WARNING, W=S.NORMAL, D=S.NORMAL)
    assert S.rerun("OPS", "2026-01-05", "warnings", home=ops.home) == ["C"]
    _set(ops, C=S.NORMAL)
    assert S.rerun("OPS", "2026-01-05", "top", unit="C", home=ops.home) == ["C", "D", "W"]
    u = {r["unit"]: r for r in ops.units_of(rid)}
    assert (u["C"]["restart"], u["A"]["status"], u["D"]["status"]) == (None, S.NORMAL, S.WAITING)
    acts = [(h["who"], h["action"]) for h in S.history("OPS", home=ops.home)]
    assert ("ito", "rerun-failed") in acts and acts[0][1] == "rerun-top"


class Clock(Engine):
    at: dt.datetime

    def clock(self):
        return self.at


def test_end_delay_and_predicted_delay(ops):
    rid = _set(ops, A=S.RUNNING)
    with ops.tx() as db:                      # history: A took 3 hours on each of the last nights
        for d in range(3):
            db.execute("INSERT INTO units (run, seq, unit, job, status, started, ended) VALUES (?,?,?,?,?,?,?)",
                       (1000 + d, 1, "A", "A", S.NORMAL, f"2025-12-0{d + 1} 20:00:00", f"2025-12-0{d + 1} 23:00:00"))
        db.execute("UPDATE units SET started = '2026-01-05 20:00:00' WHERE run = ? AND unit = 'A'", (rid,))
        db.execute("UPDATE units SET expected = 60 WHERE run = ?", (rid,))
    eng = Clock(ops.home)
    eng.at = dt.datetime(2026, 1, 5, 20, 30)
    eng._refresh(rid, eng.at)
    ev = S.history("OPS", home=ops.home)[0]
    assert ev["action"] == "delay" and ev["why"].startswith("PREDICTED END DELAY: OPS 2026-01-05 should end about")
    assert S.jobnet_run("OPS", "2026-01-05", home=ops.home)["late"] is True
    with ops.tx() as db:
        db.execute("UPDATE jobnet_runs SET late = 0 WHERE id = ?", (rid,))
    eng.at = dt.datetime(2026, 1, 5, 23, 5)
    eng._refresh(rid, eng.at)
    assert S.history("OPS", home=ops.home)[0]["why"] == \
        "END DELAY: OPS 2026-01-05 is still running after its deadline 23:00"
    eng.close()


def test_calendar_change_shows_the_year_plan_diff(tmp_path, monkeypatch):
    net = parse_jobnet("jobnet: MONTHEND\nschedule: [{open_day: -1}]\nunits: [{job: A}]\n")
    new = parse_calendar("closed:\n  - {date: 2026-03-31, why: 決算 system stop}\n"
                         "open:\n  - {date: 2026-05-06, why: counter open}\n")
    lines = plan_diff(CityCalendar(), new, 2026, nets={"MONTHEND": net})
    assert lines[0].startswith("+ 2026-03-30 MONTHEND") and lines[1].startswith("- 2026-03-31 MONTHEND")
    assert len(lines) == 2
    # the command shows it before installing the file
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "MONTHEND.yaml").write_text("jobnet: MONTHEND\nschedule: [{open_day: -1}]\nunits: [{job: A}]\n")
    f = tmp_path / "new.yaml"
    f.write_text("closed:\n  - {date: 2026-03-31, why: 決算}\n", encoding="utf-8")
    home = tmp_path / "home"
    e = {"DENSAN_JOBS": str(lib), "DENSAN_HOME": str(home)}
    r = densan(["schedule", "calendar", "--year", "2026", "--diff", str(f), "--install"], env(home, lib, **e))
    assert r.returncode == 0, r.stderr
    assert "+ 2026-03-30 MONTHEND" in r.stdout and "- 2026-03-31 MONTHEND" in r.stdout
    assert "1 run(s) removed, 1 added" in r.stdout
    assert (home / "calendar.yaml").read_text(encoding="utf-8") == f.read_text(encoding="utf-8")


def test_kill_a_running_unit(tmp_path, monkeypatch):
    jobs = make_library(tmp_path / "lib")
    monkeypatch.setenv("DENSAN_JOBS", str(jobs))
    home = tmp_path / "home"
    seed_home(home)
    e = env(home, jobs, CHAIN_SLEEP=60)
    p = subprocess.Popen([sys.executable, "-m", "engine.cli", "scheduler", "--poll", "0.1", "--from", "2026-01-05",
                          "--until", "2026-01-05"], env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 120
        while time.monotonic() < end:
            r = S.jobnet_run("TESTNET", "2026-01-05", home=home)
            if r and r["units"][0]["status"] == S.RUNNING and _claimed(home):
                break
            time.sleep(0.1)
        assert S.kill("TESTNET", "2026-01-05", "A", who="ops", why="runaway", home=home) == ["A"]
        end = time.monotonic() + 120
        while time.monotonic() < end and S.jobnet_run("TESTNET", "2026-01-05", home=home)["units"][0]["status"] \
                == S.RUNNING:
            time.sleep(0.1)
        r = S.jobnet_run("TESTNET", "2026-01-05", home=home)
        assert r["units"][0]["status"] == S.KILLED and r["units"][0]["abend"] == "S222"
        assert [u["status"] for u in r["units"][1:]] == [S.WAITING] * 3
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)


def _claimed(home) -> bool:
    st = S.State(home)
    try:
        return st.db.execute("SELECT COUNT(*) FROM attempts WHERE status = 'running'").fetchone()[0] > 0
    finally:
        st.close()


def test_connectors_exclusion_and_new_generation(tmp_path, monkeypatch):
    jobs = make_library(tmp_path / "lib")
    monkeypatch.setenv("DENSAN_JOBS", str(jobs))
    home = tmp_path / "home"
    seed_home(home)
    (jobs / "FIRST.yaml").write_text("jobnet: FIRST\nschedule: [{every: open-day}]\nunits: [{job: A}]\n")
    (jobs / "SECOND.yaml").write_text("jobnet: SECOND\nschedule: [{every: open-day}]\nafter_jobnets: [FIRST]\n"
                                      "units: [{job: C}]\n")
    (jobs / "ALONE.yaml").write_text("jobnet: ALONE\nschedule: [{every: open-day}]\nexclusive: [FIRST]\n"
                                     "when: [{dataset: T.A}]\nunits: [{job: D}]\n")
    eng = NoStart(home, virtual=True)
    eng.started = []
    from engine.schedule.jobnet import load_all
    eng.materialize_due(load_all(), CityCalendar(), dt.date(2026, 1, 5), dt.date(2026, 1, 5))
    runs = {r["jobnet"]: r for r in eng.st.runs_of_day("2026-01-05")}
    now = dt.datetime(2026, 1, 5, 21)
    assert eng._may_start_run(runs["SECOND"], now) is False          # its connector: FIRST has not ended
    assert eng._may_start_run(runs["FIRST"], now) is True
    assert eng._may_start_run(runs["ALONE"], now) is False           # exclusive with the running FIRST
    with eng.st.tx() as db:
        db.execute("UPDATE jobnet_runs SET status = ? WHERE jobnet = 'FIRST'", (S.NORMAL,))
    assert eng._may_start_run(eng.st.run_row(runs["SECOND"]["id"]), now) is True
    assert eng._may_start_run(eng.st.run_row(runs["ALONE"]["id"]), now) is True
    assert eng.st.run_row(runs["ALONE"]["id"])["trigger"] == "dataset T.A.G0001V00"
    # the next day's ALONE waits for a generation newer than the one it ran on
    eng.materialize_due(load_all(), CityCalendar(), None, dt.date(2026, 1, 6))
    nxt = eng.st.find_run("ALONE", "2026-01-06")
    assert eng._may_start_run(nxt, now) is False
    eng.close()
