"""A small job library and jobnet for the scheduler tests: real densan jobs (YAML + a Python
program), chained through GDGs so that a unit run twice, skipped or out of order changes the
bytes of the outputs."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from engine.job.catalog import Catalog, import_dataset

ROOT = Path(__file__).resolve().parents[2]

# OUT = PREV (the job's own newest generation) + one line: job, date, and a digest of IN
# (the predecessors' newest generations). Fails with RC 16 while HOME/FAIL-<JOB>-<STEP> exists.
PROGRAM = '''
import hashlib, os, time
from pathlib import Path

def run(step):
    prev = b"".join(p.read_bytes() for p in step.dd("PREV").paths) if step.has_dd("PREV") else b""
    data = b"".join(p.read_bytes() for p in step.dd("IN").paths) if step.has_dd("IN") else b""
    time.sleep(float(os.environ.get("CHAIN_SLEEP", "0")))
    home = Path(os.environ["DENSAN_HOME"])
    if (home / f"FAIL-{step.job_name}-{step.step_name}").exists():
        return 16
    line = f"{step.job_name} {step.step_name} {step.parm} {hashlib.sha256(data).hexdigest()[:16]}\\n"
    with open(step.dd("OUT").path, "wb") as f:
        f.write(prev + line.encode())
    step.dd("OUT").count(written=prev.count(b"\\n") + 1)
    return int(os.environ.get(f"CHAIN_RC_{step.job_name}", "0"))
'''


def job_yaml(name: str, preds: list[str], steps: int = 1) -> str:
    lines = [f"job: {name}", "params: {date: today}", "steps:"]
    for i in range(1, steps + 1):
        gdg = f"T.{name}" if i == steps else f"T.{name}.S{i}"
        lines += [f"  - name: S{i}", f"    program: {PROGRAM_MODULE}", "    parm: '{date}'", "    dd:",
                  f"      PREV: {{dsn: {gdg}(0), disp: SHR}}",
                  f"      OUT: {{dsn: {gdg}(+1), disp: [NEW, CATLG, DELETE]}}"]
        ins = [f"T.{p}(0)" for p in preds] + ([f"T.{name}.S{i - 1}(0)"] if i > 1 else [])
        if ins:
            lines.append("      IN: [" + ", ".join(f"{{dsn: {d}}}" for d in ins) + "]")
    return "\n".join(lines) + "\n"


PROGRAM_MODULE = "schedtest_chain"

# A -> (B, C) -> D; B has two steps (so a rerun restarts at its failed second step)
NET = """\
jobnet: TESTNET
schedule:
  - every: open-day
base_time: "08:00"
start: "20:00"
params: {date: "{opday}"}
units:
  - job: A
  - job: B
  - {job: C, after: [A]}
  - {job: D, after: [B, C]}
"""
JOBS = {"A": ([], 1), "B": (["A"], 2), "C": (["A"], 1), "D": (["B", "C"], 1)}


def make_library(root: Path, net: str = NET) -> Path:
    jobs = root / "jobs"
    jobs.mkdir(parents=True, exist_ok=True)
    (jobs / f"{PROGRAM_MODULE}.py").write_text(textwrap.dedent(PROGRAM))
    for name, (preds, steps) in JOBS.items():
        (jobs / f"{name}.yaml").write_text(job_yaml(name, preds, steps))
    (jobs / "TESTNET.yaml").write_text(net)
    return jobs


def seed_home(home: Path) -> None:
    """Every job's GDGs with a first generation."""
    os.environ["DENSAN_HOME"] = str(home)
    cat = Catalog(home)
    seed = home / "seed.txt"
    seed.write_text("start\n")
    for name, (_, steps) in JOBS.items():
        for gdg in [f"T.{name}"] + [f"T.{name}.S{i}" for i in range(1, steps)]:
            cat.define_gdg(gdg, 10)
            import_dataset(f"{gdg}(+1)", seed, home=home)
    cat.close()


def datasets(home: Path) -> dict[str, bytes]:
    cat = Catalog(home)
    try:
        return {d.dsn: d.path.read_bytes() for d in cat.list()}
    finally:
        cat.close()


def env(home: Path, jobs: Path, **extra) -> dict[str, str]:
    e = dict(os.environ, DENSAN_HOME=str(home), DENSAN_JOBS=str(jobs), PYTHONPATH=str(ROOT))
    e.pop("DENSAN_CALENDAR", None)
    e.update({k: str(v) for k, v in extra.items()})
    return e


def densan(args: list[str], e: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=e, capture_output=True, text=True, **kw)
