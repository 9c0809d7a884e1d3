"""Signed requests slotted into the scheduler (S.run_job_now: a one-unit run-now for the
request's operating day) and run by a real `densan scheduler --exit-when-idle`; a request
for a job of an exclusive jobnet refused while that jobnet is planned or running."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from engine.schedule import state as S
from tests.conftest import ROOT
from tests.server.conftest import JOBLIB, start_console, wait_request

EXCLUSIVE_NET = """\
# ZTAXLIST also runs in this jobnet, which must never overlap ZTAXNET
jobnet: ZEXNET
schedule:
  - every: open-day
start: "21:00"
exclusive: [ZTAXNET]
units:
  - job: ZTAXLIST
"""


@pytest.fixture(scope="module")
def sconsole(tmp_path_factory):
    lib = tmp_path_factory.mktemp("exlib")
    (lib / "ZEXNET.yaml").write_text(EXCLUSIVE_NET, encoding="utf-8")
    c = start_console(tmp_path_factory.mktemp("slot") / "home", extra_jobs=lib)
    yield c
    c.proc.terminate()
    try:
        c.proc.wait(10)
    except subprocess.TimeoutExpired:
        c.proc.kill()


def _signed(c, when="now", date="", purpose="課税対象者の確認（スケジューラ経由）"):
    req, chief, op = c.api("zeimu1"), c.api("zeimu-chief"), c.api("oper1")
    r = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "R8", "district": "021"},
                                              "when": when, "date": date, "purpose": purpose})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert chief.post(f"/densan/v1/requests/{rid}/approve", json={"reason": "承認"}).status_code == 200
    return rid, op.post(f"/densan/v1/requests/{rid}/approve", json={"reason": "受付"})


def test_signed_request_is_slotted_and_run_by_the_scheduler(sconsole):
    rid, r = _signed(sconsole)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["status"] == "READY" and doc["sched_run"], doc
    today = dt.date.today().isoformat()
    runs = [x for x in S.status(today, home=sconsole.home) if x["id"] == doc["sched_run"]]
    assert len(runs) == 1
    run = runs[0]
    assert run["jobnet"] == "ZTAXLIST" and run["kind"] == "run-now" and run["opday"] == today
    assert [u["job"] for u in run["units"]] == ["ZTAXLIST"] and run["units"][0]["status"] == "waiting"
    assert f"request #{rid}" in run["why"]
    ev = S.history("ZTAXLIST", today, home=sconsole.home)[0]
    assert ev["action"] == "run-now" and ev["who"] == "oper1" and f"request #{rid}" in ev["why"]
    audit = sconsole.api("audit1").get("/densan/v1/audit", params={"action": "slot"}).json()
    assert any(f"request #{rid}" in a["what"] and a["who"] == "oper1" for a in audit)

    # the scheduler (its own job library: no planned jobnet today) runs it and stops
    env = dict(os.environ, DENSAN_HOME=str(sconsole.home), DENSAN_JOBS=str(JOBLIB))
    p = subprocess.run([sys.executable, "-m", "engine.cli", "scheduler", "--poll", "0.1", "--exit-when-idle"],
                       env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ZTAXLIST" in p.stdout
    doc = wait_request(sconsole.api("zeimu1"), rid, timeout=30)
    assert doc["status"] == "ENDED" and doc["run_id"].startswith("J"), doc
    unit = S.status(today, home=sconsole.home)
    assert any(u["job_run"] == doc["run_id"] and u["status"] == "ended-normally" for x in unit for u in x["units"])
    req = sconsole.api("zeimu1")
    run_doc = req.get(f"/densan/v1/runs/{doc['run_id']}").json()
    assert run_doc["status"] == "COMPLETED" and run_doc.get("retcode", run_doc.get("rc")) in (0, "CC 0000", "0000"), run_doc
    outs = req.get(f"/densan/v1/runs/{doc['run_id']}/outputs").json()
    assert [o["name"] for o in outs] == ["LIST.REPORT"]
    body = req.get(f"/densan/v1/runs/{doc['run_id']}/outputs/LIST.REPORT").content.decode()
    assert "地区 021" in body
    # the night shows it as the scheduler's one-unit run, and the request's page links the run
    html = sconsole.client("zeimu1").get(f"/requests/{rid}").text
    assert doc["run_id"] in html


def test_request_for_a_job_of_an_exclusive_jobnet_is_refused(sconsole, monkeypatch):
    req = sconsole.api("zeimu1")
    # the night: ZEXNET (exclusive: [ZTAXNET]) is planned on every open day
    from engine.server import calendar_check
    day = calendar_check.next_open_day(dt.date.today())
    r = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "R8", "district": "031"},
                                              "when": "date", "date": day.isoformat(), "purpose": "夜間の確認"})
    assert r.status_code == 422, r.text
    msg = r.text
    assert "exclusive jobnet ZEXNET" in msg and "exclusive: [ZTAXNET]" in msg and f"planned on {day}" in msg
    # now, while ZTAXNET (excluded by ZEXNET) is running
    monkeypatch.setenv("DENSAN_JOBS", str(JOBLIB))
    run = S.run_now("ZTAXNET", dt.date.today(), who="oper2", why="test", home=sconsole.home)
    st = S.State(sconsole.home)
    try:
        with st.tx() as db:
            db.execute("UPDATE jobnet_runs SET status = ? WHERE id = ?", (S.RUNNING, run))
        r = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "R8", "district": "032"},
                                                  "when": "now", "purpose": "至急の確認"})
        assert r.status_code == 422, r.text
        assert "jobnet ZTAXNET is running now" in r.text and "ZEXNET" in r.text
    finally:
        with st.tx() as db:
            db.execute("UPDATE jobnet_runs SET status = ? WHERE id = ?", (S.KILLED, run))
        st.close()
