"""The console under load: 50 concurrent users (console pages with sessions, and API
clients with tokens) against `densan serve` on loopback, while the scheduler (`densan
scheduler`) runs nights of a test jobnet (run-now every few seconds) and operators submit
jobs through the z/OSMF API beside them. Reports p50/p95/
max page time, requests served and errors (expected 0) in extra_info; the baseline in the
same run is a single user alone on the same pages.

    python -m pytest benchmarks/bench_console.py --benchmark-only -s
    DENSAN_BENCH_USERS=50 DENSAN_BENCH_ROUNDS_PER_USER=20 …

Bounded: every client makes a fixed number of requests, only to 127.0.0.1."""
from __future__ import annotations

import os
import statistics
import threading
import time

import httpx

import datetime as dt
import subprocess
import sys

from tests.server.conftest import env_for, start_console

USERS = int(os.environ.get("DENSAN_BENCH_USERS", "50"))
PER_USER = int(os.environ.get("DENSAN_BENCH_ROUNDS_PER_USER", "20"))
PAGES = {"operator": ["/night", "/requests", "/calendar", "/jobs", "/plan"],
         "requester": ["/jobs", "/requests", "/jobs/ZTAXLIST/request", "/plan"],
         "api": ["/zosmf/restjobs/jobs?owner=*", "/densan/v1/runs?limit=50", "/densan/v1/requests",
                 "/densan/v1/night"]}


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def _unit_runs(home) -> int:
    from engine.schedule import state as S
    return sum(1 for r in S.status(dt.date.today(), home=home) for u in r["units"] if u["job_run"])


def test_console_under_load(benchmark, tmp_path, monkeypatch):
    console = start_console(tmp_path / "home")
    monkeypatch.setenv("DENSAN_JOBS", env_for(console.home)["DENSAN_JOBS"])       # run_now finds the jobnet
    scheduler = subprocess.Popen([sys.executable, "-m", "engine.cli", "scheduler", "--poll", "1"],
                                 env=env_for(console.home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        op_api = console.api("oper1")
        from engine.server.store import Store
        from engine.server.users import new_token
        st = Store(console.home)
        token = new_token(st, "oper2", "bench")
        st.close()
        op_api.put("/zosmf/restjobs/jobs", content="//ZTAXLIST JOB\n", headers={"Content-Type": "text/plain"})
        time.sleep(3)
        clients = []
        for n in range(USERS):
            kind = ("operator", "requester", "api")[n % 3]
            if kind == "operator":
                clients.append((kind, console.client("oper1" if n % 2 else "oper2")))
            elif kind == "requester":
                clients.append((kind, console.client("zeimu1" if n % 2 else "zeimu-chief")))
            else:
                clients.append((kind, httpx.Client(base_url=console.url, timeout=60,
                                                   headers={"Authorization": f"Bearer {token}"})))
        # the baseline: one user alone
        alone = []
        c = clients[0][1]
        for path in PAGES["operator"] * 4:
            t = time.perf_counter()
            c.get(path).raise_for_status()
            alone.append(time.perf_counter() - t)

        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def user(kind: str, client: httpx.Client) -> None:
            mine, errs = [], []
            paths = PAGES[kind]
            for i in range(PER_USER):
                path = paths[i % len(paths)]
                t = time.perf_counter()
                try:
                    r = client.get(path)
                    if r.status_code != 200:
                        errs.append(f"{path} {r.status_code}")
                except httpx.HTTPError as exc:
                    errs.append(f"{path} {exc!r}")
                mine.append(time.perf_counter() - t)
            with lock:
                times.extend(mine)
                errors.extend(errs)

        def jobs() -> None:          # the night goes on beside the users
            from engine.schedule import state as S
            n = 0
            while not stop.is_set() and n < 20:
                if n % 4 == 0:
                    S.run_now("ZTAXNET", dt.date.today(), who="bench", why="load test", home=console.home)
                r = op_api.put("/zosmf/restjobs/jobs", content=f"//ZTAXLIST JOB\n// SET DISTRICT={n % 900 + 100:03d}\n",
                               headers={"Content-Type": "text/plain"})
                if r.status_code != 201:
                    errors.append(f"submit {r.status_code}")
                n += 1
                stop.wait(1.0)
            jobs.count = n

        def load() -> None:
            times.clear()
            errors.clear()
            stop.clear()
            runner = threading.Thread(target=jobs)
            runner.start()
            threads = [threading.Thread(target=user, args=kc) for kc in clients]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            load.wall = time.perf_counter() - t0
            stop.set()
            runner.join()

        benchmark.pedantic(load, rounds=1, iterations=1)
        expected = USERS * PER_USER
        benchmark.extra_info.update({
            "users": USERS, "requests": len(times), "expected": expected, "errors": len(errors),
            "jobs_submitted_during_load": getattr(jobs, "count", 0),
            "scheduler_unit_runs": _unit_runs(console.home),
            "p50_ms": round(_p(times, 0.50), 1), "p95_ms": round(_p(times, 0.95), 1),
            "max_ms": round(max(times) * 1000, 1), "throughput_rps": round(len(times) / load.wall, 1),
            "alone_p50_ms": round(_p(alone, 0.5), 1), "alone_p95_ms": round(_p(alone, 0.95), 1)})
        print("\nconsole load:", benchmark.extra_info)
        assert len(times) == expected and not errors, errors[:5]     # no lost request, no error
    finally:
        scheduler.terminate()
        scheduler.wait(30)
        console.proc.terminate()
        console.proc.wait(10)
