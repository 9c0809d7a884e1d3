"""Start-up of the `densan` command, beside the interpreter's own, in the same run:

- `python -c pass` (the interpreter alone), `python -c "import engine.cli"` (the command
  line's module and click);
- `densan --help` (the command list, read from the commands' sources);
- a trivial `densan run`: one SORT FIELDS=COPY step copying a two-record dataset, with the
  catalog and job log in a fresh DENSAN_HOME (the job runner, SQLite and the sort load).

Each is a whole process, started ROUNDS times (default 15), medians compared, in wall
time and in CPU time (user + system of that process: on a loaded machine the wall time is
mostly the wait for a core). Bytecode is
written on the first round (PYTHONDONTWRITEBYTECODE is removed from the environment), as
an installed densan has it.

    python -m pytest benchmarks/bench_startup.py -s
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from benchmarks.machine import row, seconds
from tests.cli.test_startup import COPY_JOB      # the same one-step copy job the start-up tests run

ROUNDS = int(os.environ.get("DENSAN_BENCH_STARTUP_ROUNDS", 15))
MEDIANS: dict[str, float] = {}
CPU: dict[str, float] = {}


def _densan() -> list[str]:
    script = shutil.which("densan", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "engine.cli"]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    home = tmp_path_factory.mktemp("startup-home")
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "DENSAN_HOME": str(home)}


def _measure(benchmark, name: str, argv: list[str], env: dict, setup=None) -> float:
    cpu = []

    def once():
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        assert proc.returncode == 0, (argv, proc.returncode)
        cpu.append(usage.ru_utime + usage.ru_stime)
    if setup:
        setup()
    once()                                   # warm: bytecode written, files in the page cache
    cpu.clear()
    benchmark.pedantic(once, setup=setup, rounds=ROUNDS, iterations=1)
    MEDIANS[name] = benchmark.stats.stats.median
    CPU[name] = statistics.median(cpu)
    benchmark.extra_info["median_s"] = round(MEDIANS[name], 4)
    benchmark.extra_info["median_cpu_s"] = round(CPU[name], 4)
    return MEDIANS[name]


def _beyond(name: str) -> str:
    """How far beyond the interpreter's own start, in wall time and in CPU time (user +
    system: on a loaded machine the wall time mostly measures the wait for a core)."""
    wall, cpu = MEDIANS[name] - MEDIANS["pass"], CPU[name] - CPU["pass"]
    return (f"{MEDIANS[name] / MEDIANS['pass']:.1f}×; beyond the interpreter {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU (goal ≤ 0.25 s)")


def test_python_pass(benchmark, env):
    _measure(benchmark, "pass", [sys.executable, "-c", "pass"], env)


def test_import_engine_cli(benchmark, env):
    _measure(benchmark, "import", [sys.executable, "-c", "import engine.cli"], env)


def test_densan_help(benchmark, env):
    t = _measure(benchmark, "help", [*_densan(), "--help"], env)
    base, imp = MEDIANS.get("pass"), MEDIANS.get("import")
    if base and imp:
        benchmark.extra_info["beyond_python_s"] = round(t - base, 4)
        row("`densan --help`", size="–", densan=f"{seconds(t)} (CPU {seconds(CPU['help'])})",
            beside=f"`python -c pass` {seconds(base)} (CPU {seconds(CPU['pass'])}); "
                   f"`import engine.cli` {seconds(imp)} (CPU {seconds(CPU['import'])})",
            ratio=_beyond("help"), bench="bench_startup.py")


SHM = Path("/dev/shm")


@pytest.mark.parametrize("where", ["disk", "tmpfs"])
def test_trivial_run(benchmark, env, tmp_path, where):
    """On disk the catalog's and the output's syncs (SQLite synchronous=FULL, fsync of the
    output's folder) are part of the time, and on a busy disk most of it; on tmpfs
    (/dev/shm: home, job and files) they cost nothing, which leaves the start-up itself."""
    if where == "tmpfs":
        if not SHM.is_dir():
            pytest.skip("no /dev/shm")
        tmp_path = Path(tempfile.mkdtemp(prefix="densan-bench-startup-", dir=SHM))
        env = {**env, "DENSAN_HOME": str(tmp_path / "home")}
    src, dst = tmp_path / "in.dat", tmp_path / "out.dat"
    src.write_bytes(b"BBBB\nAAAA\n")
    job = tmp_path / "COPY1.yaml"
    job.write_text(COPY_JOB.format(src=src, dst=dst))

    def fresh_output():
        dst.unlink(missing_ok=True)          # a NEW output must not exist
    try:
        t = _measure(benchmark, f"run-{where}", [*_densan(), "run", "-q", str(job)], env, setup=fresh_output)
        assert dst.read_bytes() == src.read_bytes()
    finally:
        if where == "tmpfs":
            shutil.rmtree(tmp_path, ignore_errors=True)
    base = MEDIANS.get("pass")
    if base:
        benchmark.extra_info["beyond_python_s"] = round(t - base, 4)
        on = ("on disk: catalog, job log and output synced" if where == "disk"
              else "on tmpfs: the same without the cost of syncs")
        row(f"trivial `densan run`: one SORT FIELDS=COPY step, {on}", size="–",
            densan=f"{seconds(t)} (CPU {seconds(CPU[f'run-{where}'])})",
            beside=f"`python -c pass` {seconds(base)} (CPU {seconds(CPU['pass'])})",
            ratio=_beyond(f"run-{where}"), bench="bench_startup.py")
