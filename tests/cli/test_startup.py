"""Start-up: `densan --help` and a trivial `densan run` import only what they use.

What a short command costs is mostly its imports, so these tests look at `sys.modules`
in a fresh interpreter after the command (never at a clock): the heavy libraries are
imported by the commands and steps that need them, not by the command line itself.
benchmarks/bench_startup.py measures the times.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

# libraries that cost tens to hundreds of milliseconds to import and that neither the
# command list nor a copy step needs
HEAVY = ("polars", "pyarrow", "pandas", "matplotlib", "fpdf", "fastapi", "starlette", "uvicorn", "jinja2",
         "pydantic", "distributed", "dask", "argon2", "reportlab", "tqdm", "fixedwidth", "jpholiday", "PIL")

COPY_JOB = """\
job: COPY1
steps:
  - name: COPY
    program: SORT
    dd:
      SORTIN:  {{path: {src}, recfm: FB, lrecl: 5}}
      SORTOUT: {{path: {dst}, recfm: FB, lrecl: 5}}
      SYSIN: |
        SORT FIELDS=COPY
"""


def _modules_after(argv: list[str], env_home, forbid_scans: bool = False) -> tuple[int, set[str], str]:
    """Run `densan ARGV` in a fresh interpreter; (exit code, top-level modules loaded, stdout)."""
    code = textwrap.dedent(f"""
        import json, sys
        if {forbid_scans!r}:
            import importlib.metadata as md
            def refuse(*a, **k):
                raise AssertionError("scanned every installed distribution")
            md.entry_points = md.distributions = refuse
        from engine import cli
        try:
            cli.main({argv!r})
            rc = 0
        except SystemExit as exc:
            rc = exc.code or 0
        print(json.dumps([rc, sorted(sys.modules)]))
    """)
    env = {**os.environ, "DENSAN_HOME": str(env_home)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    *text, last = out.stdout.strip().splitlines()
    rc, modules = json.loads(last)
    return rc, set(modules), "\n".join(text)


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_help_imports_no_heavy_library_and_scans_no_distribution(tmp_path):
    rc, modules, text = _modules_after(["--help"], tmp_path, forbid_scans=True)
    assert rc == 0
    assert "Commands:" in text and "  run " in text and "  city " in text   # city: the application's entry point
    assert _heavy(modules) == []
    assert "numpy" not in modules
    assert not [m for m in modules if m.startswith(("engine.commands.", "datasets.", "jobs."))]


def test_a_trivial_run_imports_no_heavy_library(tmp_path):
    """A one-step SORT FIELDS=COPY job: the job runner, the catalog and the sort (NumPy)
    load; pyarrow, Polars, the server, the PDF and chart libraries do not, and no entry
    point of the installed distributions is read (the command is a built-in)."""
    src, dst = tmp_path / "in.txt", tmp_path / "out.txt"
    src.write_bytes(b"BBBB\nAAAA\n")
    job = tmp_path / "COPY1.yaml"
    job.write_text(COPY_JOB.format(src=src, dst=dst))
    rc, modules, _ = _modules_after(["run", "-q", str(job)], tmp_path / "home")
    assert rc == 0
    assert dst.read_bytes() == b"BBBB\nAAAA\n"
    assert "engine.job.runner" in modules and "engine.sort.program" in modules   # it did run the job
    assert _heavy(modules) == []
    assert "importlib.metadata" not in modules


def test_run_help_imports_no_heavy_library(tmp_path):
    rc, modules, text = _modules_after(["run", "--help"], tmp_path)
    assert rc == 0 and "Run job JOB" in text
    assert _heavy(modules) == [] and "numpy" not in modules
