"""The scheduler as a real process: killed with -9 at random moments and started again, it
runs every unit exactly once per operating day and the outputs equal an uninterrupted night's;
one scheduler per home; a file dropped into the inbox starts its jobnet; a held jobnet waits."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from engine.schedule import state as S
from tests.schedule.helpers import NET, datasets, densan, env, make_library, seed_home

NIGHTS = ["--from", "2026-01-05", "--until", "2026-01-07"]        # Monday to Wednesday


def _scheduler(e, *args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "scheduler", "--poll", "0.1", *args],
                            env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


@pytest.fixture
def lib(tmp_path, monkeypatch):
    jobs = make_library(tmp_path / "lib")
    monkeypatch.setenv("DENSAN_JOBS", str(jobs))

    def make(name: str):
        home = tmp_path / name
        monkeypatch.setenv("DENSAN_HOME", str(home))
        seed_home(home)
        return home, env(home, jobs)
    return make


def _until(check, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not check():
        if time.monotonic() > end:
            return
        time.sleep(0.1)


def _wait_units_done(home) -> None:
    """The last scheduler may exit while a unit started by a killed one is still ending."""
    for _ in range(1200):
        st = S.State(home)
        busy = st.db.execute("SELECT COUNT(*) FROM attempts WHERE status IN ('starting', 'running')").fetchone()[0]
        st.close()
        if not busy:
            return
        time.sleep(0.1)


def _night_killed_at_random_moments(lib, name: str, rng: random.Random, most: int, clean: dict) -> int:
    """Run the nights in a new home, killing the scheduler with -9 at random moments (at most
    `most` times) and starting it again; then check that every unit ran exactly once a day and
    the outputs equal the clean night's. Returns how many kills landed."""
    home, e = lib(name)
    e["CHAIN_SLEEP"] = "0.3"
    kills = 0

    def starts() -> int:
        st = S.State(home)
        try:
            return st.db.execute("SELECT COUNT(*) FROM events WHERE action = 'scheduler-start'").fetchone()[0]
        finally:
            st.close()

    while kills < most:
        before = starts()
        p = _scheduler(e, *NIGHTS, "--exit-when-idle")
        _until(lambda: starts() > before or p.poll() is not None, 120)     # up and working, then
        time.sleep(rng.uniform(0.0, 0.6))                                   # a random moment
        if p.poll() is not None:           # it finished the nights before the kill
            break
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        kills += 1
    _wait_units_done(home)
    p = _scheduler(e, *NIGHTS, "--exit-when-idle")
    out, _ = p.communicate(timeout=240)
    assert p.returncode == 0, out
    _wait_units_done(home)

    assert datasets(home) == clean
    st = S.State(home)
    try:
        rows = st.db.execute("SELECT r.opday, a.unit, COUNT(*) n FROM attempts a JOIN jobnet_runs r ON r.id = a.run "
                             "WHERE a.status = 'ended' GROUP BY r.opday, a.unit").fetchall()
        assert {(r["opday"], r["unit"]): r["n"] for r in rows} == \
            {(d, u): 1 for d in ("2026-01-05", "2026-01-06", "2026-01-07") for u in "ABCD"}
        assert st.db.execute("SELECT COUNT(*) FROM attempts WHERE status IN ('died')").fetchone()[0] == 0
        assert starts() >= kills + 1
        statuses = {(r["opday"], r["status"]) for r in st.db.execute("SELECT opday, status FROM jobnet_runs")}
        assert statuses == {(d, S.NORMAL) for d in ("2026-01-05", "2026-01-06", "2026-01-07")}
    finally:
        st.close()
    return kills


def test_kill_9_at_random_moments_runs_each_unit_once(lib):
    home1, e1 = lib("clean")
    e1["CHAIN_SLEEP"] = "0.3"
    p = _scheduler(e1, *NIGHTS, "--exit-when-idle")
    out, _ = p.communicate(timeout=240)
    assert p.returncode == 0, out
    clean = datasets(home1)
    assert clean["T.D.G0004V00"].count(b"\n") == 4          # start + three nights

    # How many kills fit in three nights depends on the machine's speed: when the nights
    # end first, another three nights in a new home take the remaining kills.
    rng = random.Random(20261204)
    kills = rounds = 0
    while kills < 20 and rounds < 6:
        kills += _night_killed_at_random_moments(lib, f"killed{rounds}", rng, 22 - kills, clean)
        rounds += 1
    assert kills >= 20


def test_one_scheduler_per_home(lib):
    home, e = lib("one")
    first = _scheduler(e)
    try:
        for _ in range(100):
            if (home / "scheduler.lock").exists() and (home / "scheduler.lock").read_text().strip():
                break
            time.sleep(0.1)
        r = densan(["scheduler"], e, timeout=60)
        assert r.returncode != 0
        assert f"a scheduler is already running for {home} (pid {first.pid})" in r.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        out, _ = first.communicate(timeout=60)
    assert "SCHEDULER STOPPED (signal)" in out


INBOX_NET = NET.replace("jobnet: TESTNET", "jobnet: BANKNET").replace(
    "units:", "when:\n  - file: inbox/BANK*.DAT\nunits:").replace("  - job: B\n  - {job: C, after: [A]}\n"
                                                                  "  - {job: D, after: [B, C]}\n", "")


def test_inbox_file_starts_its_jobnet_and_a_hold_waits(lib, tmp_path):
    home, e = lib("inbox")
    (tmp_path / "lib" / "jobs" / "BANKNET.yaml").write_text(INBOX_NET)
    S.hold("TESTNET", "2026-01-05", who="ops", why="wait for the vendor", home=home)
    p = _scheduler(e, "--from", "2026-01-05", "--until", "2026-01-05")
    try:
        _until(lambda: S.jobnet_run("BANKNET", "2026-01-05", home=home) is not None, 120)
        time.sleep(2)                       # several polls: nothing may start without the file
        runs = {r["jobnet"]: r for r in S.status("2026-01-05", home=home)}
        assert runs["BANKNET"]["status"] == S.WAITING and runs["BANKNET"]["units"][0]["status"] == S.WAITING
        assert runs["TESTNET"]["status"] == S.HELD
        (home / "inbox").mkdir()
        (home / "inbox" / "BANK0105.DAT").write_text("result\n")
        _until(lambda: S.jobnet_run("BANKNET", "2026-01-05", home=home)["status"] == S.NORMAL, 120)
        r = S.jobnet_run("BANKNET", "2026-01-05", home=home)
        assert r["status"] == S.NORMAL and r["trigger"].startswith("file inbox/BANK0105.DAT")
        assert S.jobnet_run("TESTNET", "2026-01-05", home=home)["status"] == S.HELD
        S.release("TESTNET", "2026-01-05", who="ops", why="vendor done", home=home)
        _until(lambda: S.jobnet_run("TESTNET", "2026-01-05", home=home)["status"] == S.NORMAL, 180)
        assert S.jobnet_run("TESTNET", "2026-01-05", home=home)["status"] == S.NORMAL
    finally:
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=60)
