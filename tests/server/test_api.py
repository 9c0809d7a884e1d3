"""The jobs REST API against a real server: densan's /densan/v1 and the z/OSMF subset with
z/OSMF's field names; no credentials is 401, another section is 403, never data."""
from __future__ import annotations

import time

import pytest

from tests.server.conftest import wait_request, wait_run

JOB_FIELDS = {"jobid", "jobname", "owner", "status", "type", "class", "retcode", "url", "files-url",
              "job-correlator", "phase", "phase-name", "subsystem"}
FILE_FIELDS = {"jobname", "jobid", "recfm", "lrecl", "byte-count", "record-count", "class", "ddname", "stepname",
               "id", "records-url"}


def approved_run(console, job="ZTAXLIST", params=None, purpose="年度当初の課税対象者の確認") -> dict:
    """A 税務課 request, signed by the section head and an operator, run: its final request document."""
    req, chief, op = console.api("zeimu1"), console.api("zeimu-chief"), console.api("oper1")
    r = req.post("/densan/v1/requests", json={"job": job, "params": params or {"fy": "R8", "district": "012"},
                                              "when": "now", "purpose": purpose})
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    if r.json()["status"] == "PENDING":
        assert chief.post(f"/densan/v1/requests/{rid}/approve", json={"reason": "承認"}).json()["next_signer"] == "operator"
        assert op.post(f"/densan/v1/requests/{rid}/approve", json={}).json()["status"] == "READY"
    assert op.post(f"/densan/v1/requests/{rid}/run", json={"reason": "依頼により"}).status_code == 200
    return wait_request(op, rid)


def test_request_lifecycle_and_outputs(console):
    doc = approved_run(console)
    assert doc["status"] == "ENDED" and doc["run_id"].startswith("J")
    assert doc["params"] == {"fy": "2026", "district": "012", "kind": "本算定"}
    assert [s["role"] for s in doc["signatures"]] == ["approver", "operator"]
    req = console.api("zeimu1")
    outs = req.get(f"/densan/v1/runs/{doc['run_id']}/outputs").json()
    assert [o["name"] for o in outs] == ["LIST.REPORT"]
    body = req.get(f"/densan/v1/runs/{doc['run_id']}/outputs/LIST.REPORT").content.decode()
    assert "課税対象者一覧  年度 2026  地区 012  本算定" in body and "1234567890" in body
    receipts = console.api("audit1").get("/densan/v1/audit", params={"action": "download"}).json()
    assert any(doc["run_id"] in a["what"] and a["who"] == "zeimu1" for a in receipts)


def test_request_form_values_are_checked(console):
    req = console.api("zeimu1")
    bad = [({"fy": "R8", "district": "12"}, "district"), ({"fy": "1900", "district": "012"}, "fy"),
           ({"fy": "R8", "district": "012", "kind": "臨時"}, "kind"), ({"district": "012"}, "fy")]
    for params, field in bad:
        r = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": params, "when": "now",
                                                  "purpose": "確認のため"})
        assert r.status_code == 422 and field in r.json()["message"], r.text
    r = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "2026", "district": "001"},
                                              "when": "now", "purpose": ""})
    assert r.status_code == 422 and "purpose" in r.json()["message"]
    r = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "2026", "district": "001"},
                                              "when": "date", "date": "2027-01-01", "purpose": "確認のため"})
    assert r.status_code == 422 and "not an open day" in r.json()["message"]      # 元日: the city is closed


def test_four_eyes(console):
    req, chief = console.api("zeimu1"), console.api("zeimu-chief")
    rid = req.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "2026", "district": "077"},
                                                "when": "date", "date": "2027-02-01", "purpose": "試算"}).json()["id"]
    assert req.post(f"/densan/v1/requests/{rid}/approve", json={}).status_code == 403        # not an approver
    assert console.api("oper1").post(f"/densan/v1/requests/{rid}/approve", json={}).status_code == 403  # not yet
    assert console.api("suido-chief").post(f"/densan/v1/requests/{rid}/approve", json={}).status_code == 403
    assert chief.post(f"/densan/v1/requests/{rid}/approve", json={}).status_code == 200
    assert chief.post(f"/densan/v1/requests/{rid}/approve", json={}).status_code == 403        # signed already
    assert console.api("oper1").post(f"/densan/v1/requests/{rid}/reject", json={}).status_code == 422  # no reason
    r = console.api("oper1").post(f"/densan/v1/requests/{rid}/reject", json={"reason": "地区コード誤り"})
    assert r.json()["status"] == "REJECTED"


def test_unauthenticated_is_401_and_wrong_section_403(console):
    import httpx
    for path in ("/zosmf/restjobs/jobs", "/densan/v1/jobs", "/densan/v1/requests", "/densan/v1/runs",
                 "/densan/v1/audit", "/zosmf/restjobs/jobs/SHUNOD/J0000001/files/1/records"):
        r = httpx.get(console.url + path)
        assert r.status_code == 401 and set(r.json()) == {"status", "message"}, path
        assert r.headers["www-authenticate"].startswith("Basic")
    assert console.api("zeimu1", "wrong password").get("/densan/v1/jobs").status_code == 401
    assert httpx.get(console.url + "/densan/v1/jobs", headers={"Authorization": "Bearer dsn_nope"}).status_code == 401
    doc = approved_run(console, params={"fy": "2026", "district": "003"})
    water = console.api("suido1")
    water_jobs = {j["name"] for j in water.get("/densan/v1/jobs").json()}
    assert "SUIDOB" in water_jobs and not water_jobs & {"ZTAXLIST", "KOTEIY", "SHUNOD", "JUKID"}
    for path in (f"/densan/v1/runs/{doc['run_id']}", f"/densan/v1/runs/{doc['run_id']}/outputs",
                 f"/densan/v1/runs/{doc['run_id']}/outputs/LIST.REPORT", f"/densan/v1/requests/{doc['id']}",
                 f"/zosmf/restjobs/jobs/ZTAXLIST/{doc['run_id']}",
                 f"/zosmf/restjobs/jobs/ZTAXLIST/{doc['run_id']}/files/3/records", "/densan/v1/jobs/ZTAXLIST"):
        r = water.get(path)
        assert r.status_code == 403 and "課税" not in r.text and "1234567890" not in r.text, path
    assert doc["run_id"] not in water.get("/zosmf/restjobs/jobs?owner=*").text
    r = water.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "2026", "district": "001"},
                                                "when": "now", "purpose": "x" * 8})
    assert r.status_code == 404
    # operators see the run but not its outputs, and the report's person numbers masked
    op = console.api("oper1")
    assert op.get(f"/densan/v1/runs/{doc['run_id']}/outputs/LIST.REPORT").status_code == 403
    text = op.get(f"/zosmf/restjobs/jobs/ZTAXLIST/{doc['run_id']}/files/3/records").text
    assert "12********" in text and "1234567890" not in text and "掛＊＊" in text


def test_zosmf_list_status_files_records(console):
    doc = approved_run(console, params={"fy": "2026", "district": "004"})
    run_id = doc["run_id"]
    op = console.api("oper1")
    jobs = op.get("/zosmf/restjobs/jobs", params={"owner": "*", "prefix": "ZTAX*"}).json()
    mine = [j for j in jobs if j["jobid"] == run_id]
    assert len(mine) == 1 and JOB_FIELDS <= set(mine[0])
    job = mine[0]
    assert (job["jobname"], job["owner"], job["status"], job["retcode"], job["type"]) == \
        ("ZTAXLIST", "ZEIMU1", "OUTPUT", "CC 0000", "JOB")
    assert op.get("/zosmf/restjobs/jobs", params={"owner": "*", "jobid": run_id, "max-jobs": "1"}).json()[0]["jobid"] == run_id
    st = op.get(f"/zosmf/restjobs/jobs/ZTAXLIST/{run_id}", params={"step-data": "Y"}).json()
    assert st["step-data"][0]["step-name"] == "LIST" and st["step-data"][0]["completion"] == "CC 0000"
    files = op.get(job["files-url"]).json()
    assert [f["ddname"] for f in files] == ["JESMSGLG", "JESJCL", "REPORT"] and FILE_FIELDS <= set(files[0])
    assert files[2]["stepname"] == "LIST" and files[2]["record-count"] == 4
    log = op.get(files[0]["records-url"]).text
    assert f"JOB ZTAXLIST {run_id} STARTED" in log
    assert "job: ZTAXLIST" in op.get(f"/zosmf/restjobs/jobs/ZTAXLIST/{run_id}/files/JCL/records").text
    assert op.get(f"/zosmf/restjobs/jobs/ZTAXLIST/{run_id}/files/99/records").status_code == 404
    assert op.get(f"/zosmf/restjobs/jobs/SHUNOD/{run_id}").status_code == 404           # name and id must agree


def test_zosmf_submit_hold_release_cancel(console):
    op = console.api("oper1")
    jcl = "//ZTAXLIST JOB (ACCT),'OPER',CLASS=A,TYPRUN=HOLD\n// SET FY=2026,DISTRICT=005\n"
    r = op.put("/zosmf/restjobs/jobs", content=jcl, headers={"Content-Type": "text/plain"})
    assert r.status_code == 201, r.text
    held = r.json()
    assert held["status"] == "INPUT" and held["jobid"].startswith("R") and held["phase-name"] == "Job is held"
    url = f"/zosmf/restjobs/jobs/ZTAXLIST/{held['jobid']}"
    r = op.put(url, json={"request": "release"})
    assert r.status_code == 200 and r.json()["status"] == "0" and r.json()["jobid"] == held["jobid"]
    rid = int(held["jobid"][1:])
    done = wait_request(op, rid)
    assert done["status"] == "ENDED"
    # direct submit (JSON naming a member) with a symbol header: runs at once
    r = op.put("/zosmf/restjobs/jobs", json={"file": "//'DENSAN.JOBLIB(ZTAXLIST)'"},
               headers={"X-IBM-JCL-Symbol-DISTRICT": "006"})
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["jobid"].startswith("J") and job["owner"] == "OPER1" and job["status"] in ("ACTIVE", "OUTPUT")
    assert wait_run(op, job["jobid"])["params"]["district"] == "006"
    # cancel a held one
    r = op.put("/zosmf/restjobs/jobs", content=jcl.replace("005", "008"), headers={"Content-Type": "text/plain"})
    jid = r.json()["jobid"]
    assert op.put(f"/zosmf/restjobs/jobs/ZTAXLIST/{jid}", json={"request": "cancel"}).json()["status"] == "0"
    assert op.get(f"/densan/v1/requests/{int(jid[1:])}").json()["status"] == "CANCELLED"
    assert op.put(f"/zosmf/restjobs/jobs/ZTAXLIST/{job['jobid']}", json={"request": "hold"}).status_code == 422
    assert op.delete(f"/zosmf/restjobs/jobs/ZTAXLIST/{job['jobid']}").json()["jobid"] == job["jobid"]
    # a section's requester may not submit a job that needs approval
    r = console.api("zeimu1").put("/zosmf/restjobs/jobs", content="//ZTAXLIST JOB\n",
                                   headers={"Content-Type": "text/plain"})
    assert r.status_code == 403 and "approval" in r.json()["message"]
    assert op.put("/zosmf/restjobs/jobs", content="no job card", headers={"Content-Type": "text/plain"}).status_code == 422


def test_zosmf_cancel_active_job(console, tmp_path):
    op = console.api("oper1")
    r = op.put("/zosmf/restjobs/jobs", content="//ZSLEEP JOB\n// SET SECONDS=30\n", headers={"Content-Type": "text/plain"})
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["status"] == "ACTIVE"
    time.sleep(0.5)
    r = op.put(f"/zosmf/restjobs/jobs/ZSLEEP/{job['jobid']}", json={"request": "cancel"})
    assert r.status_code == 200
    done = wait_run(op, job["jobid"])
    assert done["retcode"] == "CANCELED" and done["failure"]["step"] == "NAP"
    kills = console.api("audit1").get("/densan/v1/audit", params={"action": "kill"}).json()
    assert any(job["jobid"] in k["what"] and k["who"] == "oper1" for k in kills)


def test_failure_visible_without_the_log(console):
    req = console.api("zeimu1")
    r = req.post("/densan/v1/requests", json={"job": "ZTAXFAIL", "params": {"fy": "2026"}, "when": "now"})
    assert r.status_code == 201 and r.json()["status"] == "READY"            # approval: [] on this job
    rid = r.json()["id"]
    op = console.api("oper1")
    op.post(f"/densan/v1/requests/{rid}/run", json={})
    doc = wait_request(op, rid)
    assert doc["status"] == "FAILED"
    run = op.get(f"/densan/v1/runs/{doc['run_id']}").json()
    assert run["failure"]["step"] == "CALC" and run["failure"]["code"] == "ABEND U4000"
    assert "division by zero in tax rate table" in run["failure"]["first_error"]
    night = op.get("/densan/v1/night").json()
    item = next(i for i in night["items"] if i["run_id"] == doc["run_id"])
    assert item["status"] == "ABNORMAL" and item["colour"] == "#ff8a80"


def test_openapi_and_token(console):
    import httpx
    schema = httpx.get(console.url + "/densan/v1/openapi.json").json()
    for path in ("/densan/v1/requests", "/densan/v1/runs/{run_id}/outputs/{name}", "/zosmf/restjobs/jobs",
                 "/densan/v1/night", "/densan/v1/calendar", "/densan/v1/plan"):
        assert path in schema["paths"], path
    from engine.server.store import Store
    from engine.server.users import new_token
    store = Store(console.home)
    token = new_token(store, "zeimu1", "test")
    store.close()
    r = httpx.get(console.url + "/densan/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["username"] == "zeimu1" and r.json()["via"] == "token"
    cal = httpx.get(console.url + "/densan/v1/calendar?month=2026-12", headers={"Authorization": f"Bearer {token}"}).json()
    closed = [d["date"] for d in cal["days"] if not d["open"]]
    assert "2026-12-29" in closed and "2026-12-05" in closed and "2026-12-04" not in closed


def test_operator_holds_and_releases_a_request_in_the_console(console):
    req = console.api("zeimu1")
    rid = req.post("/densan/v1/requests", json={"job": "ZTAXFAIL", "params": {"fy": "2025"}, "when": "night"}).json()["id"]
    op = console.client("oper1")
    from tests.server.conftest import csrf_of
    token = csrf_of(op.get(f"/requests/{rid}").text)
    assert op.post(f"/requests/{rid}/hold", data={"csrf": token, "action": "hold", "reason": ""}).status_code == 422
    r = op.post(f"/requests/{rid}/hold", data={"csrf": token, "action": "hold", "reason": "月次締め待ち",
                                               "confirm": "yes"})
    assert r.status_code == 303 and req.get(f"/densan/v1/requests/{rid}").json()["status"] == "HELD"
    assert op.post(f"/requests/{rid}/run", data={"csrf": token, "confirm": "yes"}).status_code == 422
    op.post(f"/requests/{rid}/hold", data={"csrf": token, "action": "release", "reason": "締め完了", "confirm": "yes"})
    assert req.get(f"/densan/v1/requests/{rid}").json()["status"] == "READY"
    holds = console.api("audit1").get("/densan/v1/audit", params={"action": "hold"}).json()
    assert any(f"request #{rid} " in h["what"] and h["why"] == "月次締め待ち" for h in holds)
