"""`densan run JOBNET` runs a night in the foreground through the same engine as the scheduler;
a rerun from the failed job gives the bytes of an uninterrupted night."""
from __future__ import annotations

import pytest

from engine.job.catalog import Catalog
from engine.schedule import state as S
from tests.schedule.helpers import datasets, densan, env, make_library, seed_home


@pytest.fixture
def night(tmp_path, monkeypatch):
    jobs = make_library(tmp_path / "lib")
    monkeypatch.setenv("DENSAN_JOBS", str(jobs))

    def make(name: str):
        home = tmp_path / name
        monkeypatch.setenv("DENSAN_HOME", str(home))
        seed_home(home)
        return home, env(home, jobs)
    return make


def test_rerun_from_the_failed_job_is_byte_identical(night):
    home1, e1 = night("clean")
    r = densan(["run", "TESTNET", "--param", "date=20260105"], e1)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "JOBNET TESTNET 2026-01-05 run 1: ENDED-NORMALLY" in r.stdout
    clean = datasets(home1)
    assert clean["T.D.G0002V00"].startswith(b"start\nD S1 20260105 ")
    chart = densan(["schedule", "gantt", "--date", "2026-01-05"], e1).stdout.splitlines()
    assert chart[-1].startswith("TESTNET/D") and chart[-1].endswith("= ended-normally")

    home2, e2 = night("failed")
    (home2 / "FAIL-B-S2").write_text("")
    r = densan(["run", "TESTNET", "--param", "date=20260105"], e2)
    assert r.returncode == 8 and "ENDED-ABNORMALLY" in r.stdout
    st = {u["unit"]: u["status"] for u in S.status("2026-01-05", home=home2)[0]["units"]}
    assert st == {"A": S.NORMAL, "B": S.ABNORMAL, "C": S.NORMAL, "D": S.WAITING}
    (home2 / "FAIL-B-S2").unlink()
    r = densan(["run", "TESTNET", "--param", "date=20260105", "--restart", "*"], e2)
    assert r.returncode == 0, r.stdout + r.stderr
    assert datasets(home2) == clean
    cat = Catalog(home2)
    try:
        b_runs = cat.runs("B")
        assert b_runs[0]["restart_step"] == "S2" and b_runs[0]["status"] == "COMPLETED"
        assert [r["job"] for r in cat.runs()].count("A") == 1           # A was not run again
    finally:
        cat.close()
    hist = [h["action"] for h in S.history("TESTNET", "2026-01-05", home=home2)]
    assert "rerun-failed" in hist


def test_api_hold_skip_and_history(night):
    home, e = night("api")
    S.hold("TESTNET", "2026-01-06", who="tanaka", why="bank file late", home=home)
    runs = S.status("2026-01-06", home=home)
    assert runs[0]["status"] == S.HELD and runs[0]["kind"] == "planned"
    S.hold("TESTNET", "2026-01-06", "C", who="tanaka", why="check", home=home)
    assert S.jobnet_run("TESTNET", "2026-01-06", home=home)["units"][2]["status"] == S.HELD
    S.release("TESTNET", "2026-01-06", who="tanaka", home=home)
    assert S.status("2026-01-06", home=home)[0]["status"] == S.WAITING
    with pytest.raises(S.ScheduleError, match="needs a reason"):
        S.skip("TESTNET", "2026-01-06", "D", home=home)
    assert S.skip("TESTNET", "2026-01-06", "D", who="suzuki", why="no data today", home=home) == ["D"]
    h = S.history("TESTNET", "2026-01-06", home=home)
    assert (h[0]["who"], h[0]["action"], h[0]["why"]) == ("suzuki", "skip", "no data today")
    with pytest.raises(S.ScheduleError, match="no run for 2026-01-10"):
        S.release("TESTNET", "2026-01-10", home=home)       # a Saturday: not planned
    with pytest.raises(S.ScheduleError, match="nothing to rerun"):
        S.rerun("TESTNET", "2026-01-06", "failed", home=home)


def test_nightly_on_the_sample_city(tmp_path):
    """A newcomer's night: `densan city`, then `densan run NIGHTLY` and its plan."""
    import json
    import os
    import subprocess
    import sys

    from tests.schedule.helpers import ROOT
    home = tmp_path / "city"
    e = dict(os.environ, DENSAN_HOME=str(home), PYTHONPATH=str(ROOT))
    for k in ("DENSAN_JOBS", "DENSAN_CALENDAR"):
        e.pop(k, None)
    cmd = [sys.executable, "-m", "engine.cli"]
    r = subprocess.run(cmd + ["city", "--no-run", "--masters", "300", "--transactions", "40"], env=e,
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(cmd + ["run", "NIGHTLY", "--param", "date=20250131"], env=e, capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode in (0, 4), r.stdout + r.stderr
    assert "NIGHTLY/SHUNOD JOB SHUNOD STARTED" in r.stdout
    [run] = S.status("2025-01-31", home=home)
    units = {u["job"]: u for u in run["units"]}
    assert run["jobnet"] == "NIGHTLY" and run["units"][0]["job"] == "JUKID"      # resident movements first
    # the agents' files into the day's payments, the posting, reminders after it, the transfer request last
    assert [u["unit"] for u in run["units"]][-6:] == ["KONBINIA", "KONBINIB", "KOFURI2", "SHUNOD", "ENTAI01",
                                                      "KOFURI1"]
    for job in ("JUKID", "KONBINI1", "SHUNOD", "ENTAI01"):
        assert units[job]["status"] in (S.NORMAL, S.WARNING)
    # one after the other (J0000001... unless a start is retried on a loaded machine)
    assert units["JUKID"]["job_run"] < units["KONBINI1"]["job_run"] < units["SHUNOD"]["job_run"] \
        < units["ENTAI01"]["job_run"]
    assert units["KOFURI2"]["status"] == units["KOFURI1"]["status"] == S.BYPASSED     # not their days
    assert units["KOTEIY"]["status"] == S.BYPASSED        # the yearly assessment runs in April only
    assert units["SUIDOB"]["status"] == S.BYPASSED        # water bills on the 10th of even months
    r = subprocess.run(cmd + ["schedule", "plan", "--month", "2025-01", "--json"], env=e, capture_output=True,
                       text=True, cwd=tmp_path)
    plan = json.loads(r.stdout)
    assert [p["date"] for p in plan if p["jobnet"] == "NIGHTLY"][-3:] == ["2025-01-29", "2025-01-30", "2025-01-31"]
    assert plan[0]["date"] == "2025-01-06"          # 1/1-1/3 closed, 1/4-5 a weekend

    # a billing night: SUIDOB before the posting, its PARM from the date alone (fiscal year,
    # billing month, due at the end of March), the new items loaded into the collection master;
    # no payments have come since 1/31 (those were posted once and deleted): SHUNOD is bypassed
    r = subprocess.run(cmd + ["run", "NIGHTLY", "--param", "date=20250210"], env=e, capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode in (0, 4), r.stdout + r.stderr
    [feb] = S.status("2025-02-10", home=home)
    units = {u["job"]: u for u in feb["units"]}
    assert units["SUIDOB"]["status"] in (S.NORMAL, S.WARNING) and units["SHUNOD"]["status"] == S.BYPASSED
    assert units["SUIDOB"]["job_run"] < units["ENTAI01"]["job_run"]
    log = (home / "logs" / f"{units['SUIDOB']['job_run']}-SUIDOB.log").read_text(encoding="utf-8")
    assert "PARAMS date=20250210 nendo=2024 month=202502 due=20250331" in log
    cat = Catalog(home)
    assert [d.generation for d in cat.generations("CITY.SUIDO.MASTER")][-1] == 2
    cat.close()


def test_nightly_on_an_ebcdic_city(tmp_path):
    """The night in cp930: the late-fee rate table is catalogued in the city's code page,
    so ENTAI01 reads it beside the cp930 master SHUNOD wrote (it was only catalogued for an
    ASCII city, and the night's ENTAI01 failed)."""
    import os
    import subprocess
    import sys

    from engine.job.catalog import Catalog as Cat
    from tests.schedule.helpers import ROOT
    home = tmp_path / "city"
    e = dict(os.environ, DENSAN_HOME=str(home), PYTHONPATH=str(ROOT))
    for k in ("DENSAN_JOBS", "DENSAN_CALENDAR"):
        e.pop(k, None)
    cmd = [sys.executable, "-m", "engine.cli"]
    r = subprocess.run(cmd + ["city", "--no-run", "--masters", "300", "--transactions", "40",
                              "--encoding", "cp930"], env=e, capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    cat = Cat(home)
    assert cat.get("CITY.ENTAI.RATE").encoding == "cp930"
    cat.close()
    r = subprocess.run(cmd + ["run", "NIGHTLY", "--param", "date=20250131"], env=e, capture_output=True, text=True,
                       cwd=tmp_path)
    assert r.returncode in (0, 4), r.stdout + r.stderr
    [run] = S.status("2025-01-31", home=home)
    units = {u["job"]: u for u in run["units"]}
    assert units["ENTAI01"]["status"] in (S.NORMAL, S.WARNING), r.stdout[-3000:]
