"""The scheduler at a city's scale: planning a year of 700 root jobnets with about 10,000 runs
(the seed city: 670 job types, 10,234 runs a year), and the scheduler's overhead per started
unit beside running the same jobs by hand with `densan run`.

    python -m pytest benchmarks/bench_schedule.py --benchmark-only -s
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

from engine.calendar import CityCalendar
from engine.schedule.engine import plan_range
from engine.schedule.jobnet import parse_jobnet

ROOT = Path(__file__).resolve().parent.parent
UNITS = int(os.environ.get("DENSAN_BENCH_UNITS", "8"))


def city_jobnets() -> dict:
    """700 root jobnets: 15 every open day, 60 weekly, 200 monthly (a mix of N-th open day,
    the 15th moved before with an offset, the month end, 下旬), 125 quarterly, 300 yearly."""
    kinds = ([{"every": "open-day"}] * 15
             + [{"weekdays": [["mon", "tue", "wed", "thu", "fri"][i % 5]], "closed": "after"} for i in range(60)]
             + [[{"open_day": 1 + i % 5}, {"day": 15, "closed": "before", "offset": -2},
                 {"day": "end", "closed": "before"}, {"period": "下旬"}][i % 4] for i in range(200)]
             + [{"day": "end", "months": [3, 6, 9, 12], "closed": "before"}] * 125
             + [{"open_day": 1 + i % 10, "months": [1 + i % 12]} for i in range(300)])
    nets = {}
    for i, rule in enumerate(kinds):
        text = (f"jobnet: N{i:04d}\nschedule: [{_flow(rule)}]\nbase_time: '08:00'\nstart: '20:00'\n"
                f"units:\n  - job: J{i:04d}A\n  - job: J{i:04d}B\n")
        nets[f"N{i:04d}"] = parse_jobnet(text)
    return nets


def _flow(rule: dict) -> str:
    import json
    return json.dumps(rule, ensure_ascii=False)


def test_plan_a_year_of_700_jobnets(benchmark):
    nets = city_jobnets()
    cal = CityCalendar()
    cal.is_open(dt.date(2026, 6, 1))
    # baseline: the calendar alone, asked once per jobnet per day of the year
    t = time.perf_counter()
    days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    for _ in nets:
        for d in days:
            cal.is_open(d)
    floor = time.perf_counter() - t
    plan = benchmark.pedantic(plan_range, args=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                              kwargs={"nets": nets, "calendar": cal}, rounds=3, iterations=1)
    runs = len(plan)
    assert 9_500 <= runs <= 10_500
    mean = benchmark.stats.stats.mean
    benchmark.extra_info.update({"jobnets": len(nets), "runs": runs, "seconds": round(mean, 3),
                                 "runs_per_second": round(runs / mean),
                                 "calendar_lookups_seconds (baseline)": round(floor, 3)})
    print(f"\nplan 2026: {len(nets)} jobnets, {runs} runs in {mean:.2f} s ({runs / mean:,.0f} runs/s); "
          f"baseline {len(nets) * 365:,} calendar look-ups {floor:.2f} s")


def _library(root: Path) -> Path:
    jobs = root / "jobs"
    jobs.mkdir(parents=True)
    (jobs / "benchnop.py").write_text("def run(step):\n    return 0\n")
    for i in range(UNITS):
        (jobs / f"NOP{i}.yaml").write_text(f"job: NOP{i}\nsteps:\n  - name: S1\n    program: benchnop\n")
    units = "".join(f"  - job: NOP{i}\n" for i in range(UNITS))
    (jobs / "NOPNET.yaml").write_text(f"jobnet: NOPNET\nparams: {{date: '{{opday}}'}}\nunits:\n{units}")
    return jobs


def test_scheduler_overhead_per_unit(benchmark, tmp_path):
    jobs = _library(tmp_path / "lib")
    env = dict(os.environ, DENSAN_JOBS=str(jobs), PYTHONPATH=str(ROOT))
    densan = [sys.executable, "-m", "engine.cli"]

    def by_hand() -> float:
        env["DENSAN_HOME"] = str(tmp_path / f"hand{time.monotonic_ns()}")
        t = time.perf_counter()
        for i in range(UNITS):
            subprocess.run(densan + ["run", f"NOP{i}", "-q"], env=env, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t

    homes = []

    def through_jobnet() -> None:
        env["DENSAN_HOME"] = str(tmp_path / f"net{time.monotonic_ns()}")
        homes.append(Path(env["DENSAN_HOME"]))
        subprocess.run(densan + ["run", "NOPNET", "--param", "date=20260105", "-q"], env=env, check=True,
                       stdout=subprocess.DEVNULL)

    hand = min(by_hand() for _ in range(2))
    benchmark.pedantic(through_jobnet, rounds=2, iterations=1)
    net = benchmark.stats.stats.min
    per_unit = (net - hand) / UNITS
    # the scheduler's own share, from its state: a unit's predecessor ended -> the unit's process
    # claimed it (state writes, poll, process start), and the claim -> the job runner's start
    from engine.schedule.state import State
    st = State(homes[-1])
    ts = dt.datetime.fromisoformat
    units = st.db.execute("SELECT unit, started, ended FROM units ORDER BY seq").fetchall()
    gaps = [(ts(b["started"]) - ts(a["ended"])).total_seconds() for a, b in zip(units, units[1:])]
    claims = [(ts(r["started"]) - ts(r["created"])).total_seconds()
              for r in st.db.execute("SELECT created, started FROM attempts")]
    st.close()
    gap, claim = sum(gaps) / len(gaps), sum(claims) / len(claims)
    benchmark.extra_info.update({"units": UNITS, "jobnet_seconds": round(net, 2),
                                 "by_hand_seconds (baseline)": round(hand, 2),
                                 "difference_per_unit_seconds": round(per_unit, 3),
                                 "predecessor_end_to_next_start_seconds": round(gap, 3),
                                 "start_written_to_process_claimed_seconds": round(claim, 3)})
    print(f"\n{UNITS} one-step jobs: through the jobnet {net:.2f} s, by hand {hand:.2f} s "
          f"({per_unit * 1000:+.0f} ms per unit); a predecessor's end -> the next unit's start written {gap * 1000:.0f} ms, "
          f"then -> its process running {claim * 1000:.0f} ms")
