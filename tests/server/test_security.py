"""Security of the console and APIs: CSRF on every form, sessions that expire, output
names that cannot walk out of the catalog, filters that cannot inject SQL, disabled users,
and an audit trail whose tampering `densan audit verify` finds."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from tests.server.conftest import csrf_of, env_for
from tests.server.test_api import approved_run

INJECTIONS = ["' OR '1'='1", "x' OR 1=1 --", "1; DROP TABLE requests; --", "\" OR \"\"=\"", "%' OR 1=1 --",
              "ZTAXLIST' UNION SELECT * FROM users --"]


@pytest.fixture(scope="module")
def done_run(console):
    return approved_run(console, params={"fy": "2026", "district": "031"})


def test_forms_need_the_session_csrf_token(console, done_run):
    c = console.client("zeimu1")
    form = {"p_fy": "2026", "p_district": "032", "when": "now", "purpose": "確認"}
    assert c.post("/jobs/ZTAXLIST/request", data=form).status_code == 403
    assert c.post("/jobs/ZTAXLIST/request", data=dict(form, csrf="forged")).status_code == 403
    other = console.client("zeimu1")                 # another session's token does not do either
    token_b = csrf_of(other.get("/jobs/ZTAXLIST/request").text)
    assert c.post("/jobs/ZTAXLIST/request", data=dict(form, csrf=token_b)).status_code == 403
    ok = c.post("/jobs/ZTAXLIST/request", data=dict(form, csrf=csrf_of(c.get("/jobs/ZTAXLIST/request").text)))
    assert ok.status_code == 303 and ok.headers["location"].startswith("/requests/")
    # the other forms too
    chief = console.client("zeimu-chief")
    rid = ok.headers["location"].split("/")[2].split("?")[0]
    assert chief.post(f"/requests/{rid}/sign", data={"decision": "approve"}).status_code == 403
    assert chief.post("/logout", data={}).status_code == 403
    op = console.client("oper1")
    assert op.post(f"/runs/{done_run['run_id']}/rerun", data={"reason": "x", "confirm": "yes"}).status_code == 403
    # the API with a session cookie needs X-CSRF-Token for anything that changes
    r = c.post("/densan/v1/requests", json={"job": "ZTAXLIST", "params": {"fy": "2026", "district": "033"},
                                            "when": "now", "purpose": "確認"})
    assert r.status_code == 403
    # login itself: the login form's token must come back with the login cookie
    fresh = httpx.Client(base_url=console.url)
    assert fresh.post("/login", data={"username": "zeimu1", "password": "correct-horse-9", "csrf": "x"}).status_code == 403


def test_session_expires_when_idle_and_at_max_age(console):
    c = console.client("zeimu1")
    assert c.get("/requests").status_code == 200
    db = sqlite3.connect(console.home / "console.db")
    db.execute("UPDATE sessions SET last_seen = last_seen - 7200 WHERE username = 'zeimu1'")
    db.commit()
    r = c.get("/requests")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get("/densan/v1/requests").status_code == 401
    c2 = console.client("zeimu1")
    db.execute("UPDATE sessions SET created = created - 11 * 3600 WHERE username = 'zeimu1'")   # past a working day
    db.commit()
    db.close()
    assert c2.get("/requests").headers["location"].startswith("/login")


def test_logout_ends_the_session(console):
    c = console.client("suido1")
    token = csrf_of(c.get("/requests").text)
    assert c.post("/logout", data={"csrf": token}).status_code == 303
    assert c.get("/requests").status_code == 303


@pytest.mark.parametrize("name", ["../../catalog.db", "..%2F..%2Fcatalog.db", "%2e%2e/%2e%2e/console.db",
                                  "LIST.REPORT/../../../catalog.db", "LIST..REPORT", "/etc/passwd",
                                  "LIST.REPORT%00.txt", "LIST.REPORT\\..\\..\\catalog.db"])
def test_output_names_cannot_leave_the_run(console, done_run, name):
    c = console.api("zeimu1")
    for url in (f"/densan/v1/runs/{done_run['run_id']}/outputs/{name}", f"/runs/{done_run['run_id']}/outputs/{name}"):
        r = c.get(url)
        assert r.status_code in (403, 404), (url, r.status_code)
        assert b"SQLite format" not in r.content and b"root:" not in r.content


@pytest.mark.parametrize("run_id", ["..%2F..%2Fcatalog.db", "J0000001' OR '1'='1", "../../etc/passwd"])
def test_run_ids_are_looked_up_not_joined(console, run_id):
    r = console.api("oper1").get(f"/densan/v1/runs/{run_id}/outputs/LIST.REPORT")
    assert r.status_code in (403, 404) and b"SQLite" not in r.content


def test_sql_injection_through_every_filter(console, done_run):
    op, req = console.api("oper1"), console.api("zeimu1")
    baseline = len(op.get("/densan/v1/requests").json())
    assert baseline >= 1
    for s in INJECTIONS:
        for client, path, params in (
                (op, "/densan/v1/requests", {"status": s}), (op, "/densan/v1/requests", {"job": s}),
                (op, "/densan/v1/requests", {"section": s}), (req, "/densan/v1/requests", {"section": s}),
                (op, "/densan/v1/runs", {"job": s}), (op, "/densan/v1/runs", {"status": s}),
                (op, "/densan/v1/runs", {"date": s}), (op, "/zosmf/restjobs/jobs", {"owner": s}),
                (op, "/zosmf/restjobs/jobs", {"prefix": s}), (op, "/zosmf/restjobs/jobs", {"jobid": s}),
                (console.api("audit1"), "/densan/v1/audit", {"action": s}),
                (console.api("audit1"), "/densan/v1/audit", {"who": s})):
            r = client.get(path, params=params)
            assert r.status_code == 200 and r.json() == [], (path, params, r.text[:200])
        for path, params in (("/requests", {"status": s, "job": s, "section": s}), ("/audit", {"action": s})):
            c = console.client("oper1") if path == "/requests" else console.client("audit1")
            r = c.get(path, params=params)
            assert r.status_code == 200 and "依頼はありません" in r.text or "記録はありません" in r.text
        r = op.get("/densan/v1/night", params={"date": s})
        assert r.status_code == 422
    assert len(op.get("/densan/v1/requests").json()) == baseline          # nothing dropped or altered
    assert console.api("zeimu1", "' OR '1'='1").get("/densan/v1/jobs").status_code == 401


def test_disabled_user_is_locked_out(console):
    c = console.client("suito1")
    assert c.get("/requests").status_code == 200
    r = subprocess.run([sys.executable, "-m", "engine.cli", "users", "disable", "suito1"], env=env_for(console.home),
                       capture_output=True, text=True)
    assert r.returncode == 0 and "DISABLED" in r.stdout
    assert c.get("/requests").status_code == 303                       # the live session is gone
    assert console.api("suito1").get("/densan/v1/jobs").status_code == 401
    fresh = httpx.Client(base_url=console.url)
    r = fresh.post("/login", data={"username": "suito1", "password": "correct-horse-9",
                                   "csrf": console.login_csrf(fresh)})
    assert r.headers["location"].startswith("/login?error")


def test_security_headers(console):
    r = console.client("zeimu1").get("/requests")
    assert r.headers["x-frame-options"] == "DENY" and "script-src 'none'" in r.headers["content-security-policy"]
    login = httpx.get(console.url + "/login")
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_audit_chain_detects_a_tampered_line(console, done_run):
    env = env_for(console.home)
    ok = subprocess.run([sys.executable, "-m", "engine.cli", "audit", "verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "chain intact" in ok.stdout
    path = console.home / "audit" / "audit.log"
    original = path.read_bytes()
    lines = original.decode().splitlines()
    n = next(i for i, l in enumerate(lines) if json.loads(l)["action"] == "approve")
    doc = json.loads(lines[n])
    doc["who"] = "someone-else"                                        # edit who signed
    lines[n] = json.dumps(doc, ensure_ascii=False)
    try:
        path.write_text("\n".join(lines) + "\n")
        bad = subprocess.run([sys.executable, "-m", "engine.cli", "audit", "verify"], env=env, capture_output=True,
                             text=True)
        assert bad.returncode == 3 and f"line {n + 1} (seq {n + 1}): content does not match its hash" in bad.stderr
        del lines[n]                                                   # or remove the line altogether
        path.write_text("\n".join(lines) + "\n")
        bad = subprocess.run([sys.executable, "-m", "engine.cli", "audit", "verify"], env=env, capture_output=True,
                             text=True)
        assert bad.returncode == 3 and f"line {n + 1}" in bad.stderr and "does not follow" in bad.stderr
    finally:
        path.write_bytes(original)


def test_every_step_is_audited_with_who_what_why_where(console, done_run):
    lines = console.api("audit1").get("/densan/v1/audit", params={"limit": 5000}).json()
    mine = [a for a in lines if f"request #{done_run['id']} " in a["what"]]
    acts = sorted({(a["action"], a["who"]) for a in mine})
    assert acts == [("approve", "oper1"), ("approve", "zeimu-chief"), ("request", "zeimu1"), ("run", "oper1"),
                    ("slot", "oper1")]
    req = next(a for a in mine if a["action"] == "request")
    assert req["why"] == "年度当初の課税対象者の確認" and req["from"] == "127.0.0.1" and req["owner"] == "ZEIMU"
    # a section reads its own part only
    zeimu = console.api("zeimu-chief").get("/densan/v1/audit", params={"limit": 5000}).json()
    assert zeimu and all("ZEIMU" in (a["owner"], a["section"]) for a in zeimu)
    assert console.api("oper1").get("/densan/v1/audit").status_code == 403
