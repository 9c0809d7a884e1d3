"""Kill the runner (SIGKILL) at many points of a multi-step job: the catalog stays consistent,
nothing partial is catalogued, and a restart ends with exactly what a clean run makes.
Two jobs contending for one GDG: the second waits, and no generation is lost."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from engine.job.catalog import Catalog, import_dataset
from tests.job.helpers import densan

CRASH_JOB = """
job: CRASHJ
steps:
  - name: S1
    program: {prog:bump}
    dd:
      IN:  {dsn: CITY.C(0), disp: SHR}
      OUT: {dsn: CITY.C(+1), disp: [NEW, CATLG, DELETE]}
  - name: S2
    program: {prog:bump}
    dd:
      IN:  {dsn: CITY.C(+1)}
      OUT: {dsn: CITY.D(+1), disp: [NEW, CATLG, DELETE]}
  - name: S3
    program: {prog:upcase}
    dd:
      IN:  [{dsn: CITY.C(0)}, {dsn: CITY.D(+1)}]
      OUT: {dsn: CITY.LOG, disp: [MOD, KEEP]}
"""

POINTS = ["job-start", "before-program:S1", "after-program:S1", "after-commit:S1", "mid-rename:S1",
          "before-program:S2", "before-commit:S2", "after-commit:S2", "after-step:S2",
          "after-program:S3", "after-commit:S3", "mid-rename:S3", "job-end", "in-program:S1", "in-program:S3"]


def _setup(home, tmp_path, monkeypatch):
    monkeypatch.setenv("DENSAN_HOME", str(home))
    cat = Catalog()
    cat.define_gdg("CITY.C", 2)
    cat.define_gdg("CITY.D", 2)
    seed = tmp_path / "seed"
    seed.write_text("0\n")
    import_dataset("CITY.C(+1)", seed)
    import_dataset("CITY.C(+1)", seed)      # two generations, so roll-off happens in S1
    import_dataset("CITY.LOG", seed)
    cat.close()


def _state(home) -> dict[str, bytes]:
    cat = Catalog(home)
    try:
        return {d.dsn: d.path.read_bytes() for d in cat.list()}
    finally:
        cat.close()


def _check_consistent(home) -> None:
    cat = Catalog(home)
    try:
        cat.recover()
        listed = cat.list()
        for d in listed:
            assert d.path.is_file(), f"{d.dsn} catalogued but {d.path} missing"
            assert d.path.stat().st_size == d.size, f"{d.dsn}: size differs from the catalog"
        on_disk = {p.name for p in cat.datasets_dir.iterdir()}
        assert on_disk == {d.dsn for d in listed}, "uncatalogued or temporary files left behind"
        assert cat.db.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 0
        assert cat.db.execute("SELECT COUNT(*) FROM fileops").fetchone()[0] == 0
        assert cat.db.execute("SELECT COUNT(*) FROM runs WHERE status = 'RUNNING'").fetchone()[0] == 0
        assert list(cat.temp_dir.iterdir()) == []
    finally:
        cat.close()


def test_crash_anywhere_then_restart(lib, tmp_path, monkeypatch):
    lib.job("CRASHJ", CRASH_JOB)
    clean_home = tmp_path / "clean"
    _setup(clean_home, tmp_path, monkeypatch)
    r = densan("run", "CRASHJ", "-q", env={**lib.env, "DENSAN_HOME": str(clean_home)})
    assert r.returncode == 0, r.stderr + r.stdout
    want = _state(clean_home)
    # S3 reads C(0) as frozen at job start (the seed), not the generation S1 made
    assert want["CITY.LOG"] == b"0\n" + b"0\n" + b"0\n1\n2\n"
    assert set(want) == {"CITY.C.G0002V00", "CITY.C.G0003V00", "CITY.D.G0001V00", "CITY.LOG"}

    for i, point in enumerate(POINTS):
        home = tmp_path / f"h{i}"
        _setup(home, tmp_path, monkeypatch)
        env = {**lib.env, "DENSAN_HOME": str(home)}
        if point.startswith("in-program"):
            env["BUMP_DIE"] = point.split(":")[1]
            if point.endswith("S3"):          # upcase does not die by itself: kill in its commit instead
                env.pop("BUMP_DIE")
                env["DENSAN_CRASH_AT"] = "before-commit:S3"
        else:
            env["DENSAN_CRASH_AT"] = point
        r = densan("run", "CRASHJ", "-q", env=env)
        assert r.returncode == -9, f"{point}: not killed ({r.returncode}) {r.stderr}"
        _check_consistent(home)
        env.pop("DENSAN_CRASH_AT", None)
        env.pop("BUMP_DIE", None)
        r = densan("run", "CRASHJ", "--restart", "*", env=env)
        if point in ("after-commit:S3", "mid-rename:S3", "job-end"):
            assert r.returncode == 251 and "nothing to restart" in r.stderr, f"{point}: {r.stderr}"
        else:
            assert r.returncode == 0, f"{point}: {r.stdout} {r.stderr}"
        _check_consistent(home)
        assert _state(home) == want, f"after a crash at {point} and a restart the datasets differ"


def test_recovery_is_logged(lib, tmp_path, monkeypatch):
    lib.job("CRASHJ", CRASH_JOB)
    home = tmp_path / "h"
    _setup(home, tmp_path, monkeypatch)
    env = {**lib.env, "DENSAN_HOME": str(home), "DENSAN_CRASH_AT": "after-program:S2"}
    assert densan("run", "CRASHJ", "-q", env=env).returncode == -9
    env.pop("DENSAN_CRASH_AT")
    r = densan("run", "CRASHJ", "--restart", "S2", env=env)
    assert r.returncode == 0
    assert "RECOVERY J0000001: swept leftover temporary file" in r.stdout
    assert "CITY.D.G0001V00.densan-tmp.J0000001.S2" in r.stdout
    assert "RESTART AT STEP S2" in r.stdout and "NOT RUN: RESTART AT S2" in r.stdout
    runs = densan("runs", env=env).stdout
    assert "CRASHED" in runs.splitlines()[2] and "COMPLETED" in runs.splitlines()[1]


def test_two_jobs_contending_for_a_gdg(lib, tmp_path, monkeypatch):
    lib.job("BUMPJ", """
        job: BUMPJ
        steps:
          - name: BUMP
            program: {prog:bump}
            dd:
              IN:  {dsn: CITY.C(0)}
              OUT: {dsn: CITY.C(+1), disp: [NEW, CATLG, DELETE]}
    """)
    home = tmp_path / "h"
    monkeypatch.setenv("DENSAN_HOME", str(home))
    Catalog().define_gdg("CITY.C", 5)
    (tmp_path / "seed").write_text("0\n")
    import_dataset("CITY.C(+1)", tmp_path / "seed")
    env = {**os.environ, **lib.env, "DENSAN_HOME": str(home)}
    gate = tmp_path / "gate"                   # A holds CITY.C until B has said it waits
    cmd = [sys.executable, "-m", "engine.cli", "run", "BUMPJ"]
    a = subprocess.Popen(cmd, env={**env, "BUMP_GATE": str(gate)}, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    logs = home / "logs"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:         # start B once A is inside its step
        if any("STEP BUMP PGM" in p.read_text() for p in logs.glob("*.log")):
            break
        time.sleep(0.05)
    b = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    head = ""
    while "WAITING FOR" not in head and b.poll() is None:      # however slow the machine is
        head += b.stdout.readline()
    gate.touch()
    out_a, _ = a.communicate(timeout=120)
    rest, _ = b.communicate(timeout=120)
    out_b = head + rest
    assert a.returncode == 0 and b.returncode == 0, out_a + out_b
    assert "WAITING FOR CITY.C (EXCLUSIVE) HELD BY job BUMPJ run J0000001" in out_b
    assert "CITY.C ALLOCATED AFTER WAITING" in out_b
    cat = Catalog()
    gens = cat.generations("CITY.C")
    assert [g.path.read_text() for g in gens] == ["0\n", "0\n1\n", "0\n1\n2\n"]   # no lost update


def test_killed_run_leaves_no_partial_plain_file(lib, tmp_path):
    (tmp_path / "in.txt").write_text("1\n")
    (tmp_path / "log.txt").write_text("old\n")
    lib.job("PLAINK", f"""
        job: PLAINK
        steps:
          - name: S1
            program: {{prog:bump}}
            dd:
              IN:  {{path: '{tmp_path}/in.txt'}}
              OUT: {{path: '{tmp_path}/out.txt', disp: NEW}}
          - name: S2
            program: {{prog:stamp}}
            dd:
              OUT: {{path: '{tmp_path}/log.txt', disp: MOD}}
    """)
    for point in ("in-program:S1", "before-commit:S2"):
        env = {**lib.env}
        if point.startswith("in-program"):
            env["BUMP_DIE"] = "S1"
        else:
            env["DENSAN_CRASH_AT"] = point
        assert densan("run", "PLAINK", "-q", env=env).returncode == -9
        Catalog(lib.home).recover()
        assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == \
            (["in.txt", "log.txt"] if point.startswith("in-program") else ["in.txt", "log.txt", "out.txt"])
        assert (tmp_path / "log.txt").read_text() == "old\n"            # MOD not half-applied
    r = densan("run", "PLAINK", "-q", "--restart", "S2", env=lib.env)
    assert r.returncode == 0
    assert (tmp_path / "log.txt").read_text().startswith("old\nS2,,")
