"""JUKI01 as the host ran it: `densan run JUKI01` with the legacy's DDs and PARM,
`densan verify` on the legacy's sample, and the daily job JUKID (SORT, then
JUKI01) on catalogued generations."""
from __future__ import annotations

import random
import shutil

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import LEGACY, requires_cobc
from tests.juki01.cases import Case, master, move, run_legacy_case, write_case_folder

SAMPLE = LEGACY / "samples" / "JUKI01"
OUTS = {"RES-OUT": "res-out.dat", "ERROR-OUT": "error-out.dat", "LIST-OUT": "list-out.txt", "REPORT": "report.txt"}


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def test_run_with_the_legacy_dds_and_parm(tmp_path, densan_home):
    args = ["run", "JUKI01", "--quiet", "--parm", "20250131",
            "--dd", f"RES-IN={SAMPLE / 'res-in.dat'}", "--dd", f"MOVE-IN={SAMPLE / 'move-in.dat'}"]
    for dd, f in OUTS.items():
        args += ["--dd", f"{dd}={tmp_path / f}"]
    rc, out = _densan(*args)
    assert rc == 4, out
    for f in OUTS.values():
        assert (tmp_path / f).read_bytes() == (SAMPLE / f).read_bytes(), f


def _case_yaml(folder, rc, *, absent=False, parm="20250131"):
    outputs = {dd: {"file": f, "compare": "bytes"} for dd, f in OUTS.items()}
    outputs["REPORT"] = {"file": "report.txt", "report": "text"}
    if absent:
        for dd in ("RES-OUT", "ERROR-OUT"):
            outputs[dd] = {"absent": True}
        outputs.pop("LIST-OUT")
    (folder / "case.yaml").write_text(yaml.safe_dump(
        {"job": "JUKI01", "parm": parm, "rc": rc,
         "inputs": {"RES-IN": "res-in.dat", "MOVE-IN": "move-in.dat"}, "outputs": outputs}))


def test_verify_the_sample(tmp_path):
    from engine.migration.verify import verify_case
    for f in ["res-in.dat", "move-in.dat", *OUTS.values()]:
        shutil.copy(SAMPLE / f, tmp_path / f)
    _case_yaml(tmp_path, 4)
    result = verify_case(tmp_path)
    assert result.rc_densan == 4
    assert result.passed, result.report()


@requires_cobc
def test_verify_a_sequence_error_built_with_gnucobol(tmp_path):
    from engine.migration.verify import verify_case
    case = Case([master(1_000_000_100)], [move(1_000_000_100, b"21", renban=2), move(1_000_000_100, b"22", renban=1)])
    legacy = run_legacy_case(case, tmp_path / "build")
    assert legacy.rc == 16
    folder = tmp_path / "case"
    folder.mkdir()
    for f in ("res-in.dat", "move-in.dat"):
        shutil.copy(tmp_path / "build" / "in" / f, folder)
    (folder / "report.txt").write_bytes(legacy.files["REPORT"])
    _case_yaml(folder, 16, absent=True)
    result = verify_case(folder)
    assert result.passed, result.report()


def test_daily_job_sorts_then_updates(tmp_path, densan_home):
    moves = (SAMPLE / "move-in.dat").read_bytes()
    records = [moves[i:i + 160] for i in range(0, len(moves), 160)]
    random.Random(8).shuffle(records)                     # keyed at the counter in arrival order
    day = tmp_path / "move-day.dat"
    day.write_bytes(b"".join(records))
    for base in ("CITY.JUKI.MASTER", "CITY.JUKI.MOVE", "CITY.JUKI.ERROR"):
        assert _densan("catalog", "define-gdg", base, "--limit", "5")[0] == 0
    assert _densan("catalog", "import", "CITY.JUKI.MASTER(+1)", str(SAMPLE / "res-in.dat"),
                   "--copybook", "JUKIMST")[0] == 0
    assert _densan("catalog", "import", "CITY.JUKI.MOVE(+1)", str(day), "--copybook", "IDOTRN")[0] == 0
    rc, out = _densan("run", "JUKID", "--param", "date=20250131", "--quiet")
    assert rc == 4, out

    from engine.job.catalog import Catalog
    cat = Catalog(densan_home)
    try:
        newest = {base: max(cat.generations(base), key=lambda d: d.generation)
                  for base in ("CITY.JUKI.MASTER", "CITY.JUKI.ERROR")}
        assert len(list(cat.generations("CITY.JUKI.MASTER"))) == 2
        from pathlib import Path
        assert Path(newest["CITY.JUKI.MASTER"].path).read_bytes() == (SAMPLE / "res-out.dat").read_bytes()
        assert Path(newest["CITY.JUKI.ERROR"].path).read_bytes() == (SAMPLE / "error-out.dat").read_bytes()
    finally:
        cat.close()


def test_a_sequence_error_catalogues_nothing(tmp_path, densan_home):
    bad = tmp_path / "bad.dat"
    bad.write_bytes(move(1_000_000_100, b"21", renban=2) + move(1_000_000_100, b"22", renban=1))
    for base in ("CITY.JUKI.MASTER", "CITY.JUKI.MOVE", "CITY.JUKI.ERROR"):
        _densan("catalog", "define-gdg", base, "--limit", "5")
    _densan("catalog", "import", "CITY.JUKI.MASTER(+1)", str(SAMPLE / "res-in.dat"), "--copybook", "JUKIMST")
    _densan("catalog", "import", "CITY.JUKI.MOVE(+1)", str(bad), "--copybook", "IDOTRN")
    rc, out = _densan("run", "JUKI01", "--param", "date=20250131", "--quiet")
    assert rc == 16, out
    from engine.job.catalog import Catalog
    cat = Catalog(densan_home)
    try:
        assert len(list(cat.generations("CITY.JUKI.MASTER"))) == 1
        assert not list(cat.generations("CITY.JUKI.ERROR"))
    finally:
        cat.close()


def _build_and_verify(case: Case, folder):
    from engine.migration.verify import build_legacy, load_case, verify_case
    write_case_folder(case, folder)
    rc = build_legacy(load_case(folder))
    if rc == 16:             # a failed step keeps no dataset; the REPORT (SYSOUT) is kept
        doc = yaml.safe_load((folder / "case.yaml").read_text())
        for dd in ("RES-OUT", "ERROR-OUT", "LIST-OUT"):
            doc["outputs"][dd] = {"absent": True}
        (folder / "case.yaml").write_text(yaml.safe_dump(doc))
    result = verify_case(folder)
    assert result.passed, result.report()
    return rc


@requires_cobc
@pytest.mark.parametrize("seed", [3, 11, 2024])
def test_verify_build_legacy_on_generated_days(tmp_path, seed):
    from tests.juki01.cases import generate
    case = generate(seed)
    if case.parm is None:          # densan run always passes a PARM
        case.parm = ""
    _build_and_verify(case, tmp_path / f"gen{seed}")


@requires_cobc
def test_densan_verify_build_legacy_command(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.juki01.cases import person
    folder = write_case_folder(Case([master(1_000_000_100)], [person(1_000_000_050, b"12"),
                                                             move(1_000_000_100, b"31", jusho=b"950101")]),
                               tmp_path / "case")
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "verify", "--build-legacy", str(folder)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "VERIFY: 1 PASSED, 0 FAILED" in proc.stdout
    assert yaml.safe_load((folder / "case.yaml").read_text())["rc"] == 4
