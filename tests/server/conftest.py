"""A real densan console for the tests: `densan serve` (uvicorn) on 127.0.0.1 and a free
port, over its own densan home, with the test job library (tests/server/joblib: 税務課's
ZTAXLIST and ZTAXFAIL) beside the project's jobs (出納室's SHUNOD), and one user per role."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

JOBLIB = Path(__file__).parent / "joblib"
PASSWORD = "correct-horse-9"
USERS = [  # user, section, role
    ("zeimu1", "ZEIMU", "requester"), ("zeimu-chief", "ZEIMU", "approver"),
    ("suido1", "SUIDO", "requester"), ("suido-chief", "SUIDO", "approver"),
    ("suito1", "SUITO", "requester"), ("oper1", "IT", "operator"), ("oper2", "IT", "operator"),
    ("admin1", "IT", "administrator"), ("audit1", "IT", "auditor"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    def __init__(self, home: Path, port: int, proc: subprocess.Popen):
        self.home, self.port, self.proc = home, port, proc
        self.url = f"http://127.0.0.1:{port}"

    def client(self, user: str | None = None, password: str = PASSWORD) -> httpx.Client:
        """A browser-like client (cookies), logged in as `user` through the login form."""
        c = httpx.Client(base_url=self.url, timeout=30)
        if user:
            r = c.post("/login", data={"username": user, "password": password, "csrf": self.login_csrf(c),
                                       "next": "/"})
            assert r.status_code == 303 and not r.headers["location"].startswith("/login"), r.text
        return c

    @staticmethod
    def login_csrf(c: httpx.Client) -> str:
        return csrf_of(c.get("/login").text)

    def api(self, user: str, password: str = PASSWORD) -> httpx.Client:
        """A script's client: HTTP Basic, as the Zowe CLI sends."""
        return httpx.Client(base_url=self.url, auth=(user, password), timeout=30)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def env_for(home: Path, extra_jobs: Path | None = None) -> dict:
    libs = [str(JOBLIB)] + ([str(extra_jobs)] if extra_jobs else []) + [str(ROOT / "jobs")]
    return dict(os.environ, DENSAN_HOME=str(home), DENSAN_JOBS=os.pathsep.join(libs))


def start_console(home: Path, extra_jobs: Path | None = None) -> Console:
    from engine.server.store import Store
    from engine.server.users import add_user

    home.mkdir(parents=True, exist_ok=True)
    store = Store(home)
    try:
        for user, section, role in USERS:
            add_user(store, user, section, role, PASSWORD)
    finally:
        store.close()
    port = free_port()
    log = open(home / "serve.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--port", str(port)], env=env_for(home, extra_jobs),
                            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return Console(home, port, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("densan serve did not start: " + (home / "serve.log").read_text())


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    c = start_console(tmp_path_factory.mktemp("console") / "home")
    yield c
    c.proc.terminate()
    try:
        c.proc.wait(10)
    except subprocess.TimeoutExpired:
        c.proc.kill()


def wait_request(c: httpx.Client, rid: int, states=("ENDED", "FAILED"), timeout: float = 60) -> dict:
    """Poll the API until the request reaches one of `states`."""
    deadline = time.monotonic() + timeout
    while True:
        doc = c.get(f"/densan/v1/requests/{rid}").json()
        if doc["status"] in states or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)


def wait_run(c: httpx.Client, run_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        doc = c.get(f"/densan/v1/runs/{run_id}").json()
        if doc["status"] != "RUNNING" or time.monotonic() > deadline:
            return doc
        time.sleep(0.2)
