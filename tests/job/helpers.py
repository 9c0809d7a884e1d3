"""Tiny job libraries for the job-layer tests: YAML + Python program modules in a tmp dir."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

_counter = itertools.count()

# Programs used by the tests. Each reads/writes raw bytes only, so the job layer is tested
# without the record codec.
PROGRAMS = {
    # IN (any concatenation) -> OUT, bytes upper-cased; PARM "rc=N" sets the return code;
    # "abend" raises Abend U0100; "crash" raises a ValueError; "baddata" a RecordError.
    "upcase": '''
        from engine.errors import RecordError
        from engine.job import Abend
        def run(step):
            data = b"".join(p.read_bytes() for p in step.dd("IN").paths) if step.has_dd("IN") else b""
            if step.has_dd("OUT"):
                with open(step.dd("OUT").path, "ab") as f:
                    f.write(data.upper())
                step.dd("OUT").count(written=data.count(b"\\n"))
            step.dd("IN").count(read=data.count(b"\\n")) if step.has_dd("IN") else None
            parm = step.parm
            if parm == "abend":
                raise Abend("U0100", "test abend")
            if parm == "crash":
                raise ValueError("boom")
            if parm == "baddata":
                raise RecordError("invalid packed decimal", file="x", record=3, offset=20, field="F")
            if parm.startswith("rc="):
                return int(parm[3:])
            return 0
    ''',
    # appends one line "step,parm,params" to OUT (which may be MOD)
    "stamp": '''
        def run(step):
            with step.dd("OUT").open_text("a") as f:
                f.write(f"{step.step_name},{step.parm},{sorted(step.params.items())}\\n")
            step.dd("OUT").count(written=1)
            return 0
    ''',
    # OUT = IN + 1 line "n+1" where IN's last line is a number (a "generation counter")
    "bump": '''
        import time, os
        def run(step):
            data = step.dd("IN").path.read_text() if step.has_dd("IN") else "0\\n"
            n = int(data.strip().splitlines()[-1])
            time.sleep(float(os.environ.get("BUMP_SLEEP", "0")))
            gate = os.environ.get("BUMP_GATE")          # hold the step until the test opens the gate
            for _ in range(1200 if gate else 0):
                if os.path.exists(gate):
                    break
                time.sleep(0.1)
            if os.environ.get("BUMP_DIE") == step.step_name:     # killed half-way through writing
                with open(step.dd("OUT").path, "w") as f:
                    f.write(data[: len(data) // 2])
                    f.flush()
                    import signal
                    os.kill(os.getpid(), signal.SIGKILL)
            step.dd("OUT").path.write_text(data + f"{n + 1}\\n")
            return 0
    ''',
}


class JobLib:
    """A job library in a tmp dir; programs get unique module names per test."""

    def __init__(self, root: Path):
        self.root = root
        self.jobs = root / "jobs"
        self.jobs.mkdir(parents=True, exist_ok=True)
        self.tag = f"t{os.getpid()}_{next(_counter)}"
        self.names = {}
        for name, src in PROGRAMS.items():
            mod = f"jprog_{name}_{self.tag}"
            (self.jobs / f"{mod}.py").write_text(textwrap.dedent(src))
            self.names[name] = mod

    def prog(self, name: str) -> str:
        return self.names[name]

    def job(self, name: str, yaml_text: str) -> Path:
        text = textwrap.dedent(yaml_text)
        for k, v in self.names.items():
            text = text.replace("{prog:" + k + "}", v)
        p = self.jobs / f"{name}.yaml"
        p.write_text(text)
        return p


def densan(*args: str, env: dict[str, str], check: bool = False) -> subprocess.CompletedProcess:
    """Run the densan CLI in a subprocess (for crash and contention tests)."""
    full = dict(os.environ)
    full.update(env)
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=full, capture_output=True,
                          text=True, check=check, timeout=120)
