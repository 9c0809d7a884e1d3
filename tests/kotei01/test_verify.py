"""`densan verify` (the parallel run) on KOTEI01 case folders: the shared sample as
handed over, and case folders whose legacy outputs `densan verify --build-legacy`
produces with GnuCOBOL (rule cases, abnormal ends, generated cases)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import LEGACY, ROOT, requires_cobc
from tests.kotei01.cases import Case, house, land, noki, write_case_folder, generate, DUE

verify = pytest.importorskip("engine.migration.verify")

SAMPLE = LEGACY / "samples" / "KOTEI01"
A, B = 1000000101, 1000000102


def test_verify_the_sample(tmp_path):
    for f in SAMPLE.iterdir():
        shutil.copy(f, tmp_path / f.name)
    write_case_folder(Case([], []), tmp_path / "x")          # the case.yaml shape, then the sample's files
    doc = yaml.safe_load((tmp_path / "x" / "case.yaml").read_text())
    doc.pop("legacy")
    doc["rc"] = 4
    (tmp_path / "case.yaml").write_text(yaml.safe_dump(doc))
    result = verify.verify_case(tmp_path)
    assert result.rc_densan == 4
    assert result.passed, result.report()


def _build_and_verify(case: Case, folder):
    write_case_folder(case, folder)
    rc = verify.build_legacy(verify.load_case(folder))
    if rc == 16:      # a failed step keeps no dataset; the REPORT (SYSOUT) is kept
        doc = yaml.safe_load((folder / "case.yaml").read_text())
        for dd in ("CHOTEI-OUT", "NOTICE-OUT", "ERROR-OUT"):
            doc["outputs"][dd] = {"absent": True}
        (folder / "case.yaml").write_text(yaml.safe_dump(doc))
    result = verify.verify_case(folder)
    assert result.passed, result.report()
    return result


CASES = {
    "menzeiten-at-and-below": Case([land(A, "P1", hyoka=300_000), land(B, "P1", hyoka=299_999)],
                                   [house(A, hyoka=200_000), house(B, hyoka=199_999)]),
    "ratios-and-one-installment": Case([land(A, "P1", hyoka=1_800_005, jutaku=b"1"),
                                        land(A, "P2", hyoka=900_002, jutaku=b"2")], [house(B, hyoka=250_000)]),
    "every-reason": Case([land(A, "P1", hyoka=b"0000000001 "), land(A, "P2", hikazei=b"X"),
                          land(A, "P3", jutaku=b"5"), land(A, "P4")], [house(A, nen=b"H10 ")]),
    "land-sequence-error": Case([land(A, "P2"), land(A, "P1")], [house(A)]),
    "house-duplicate-key": Case([land(A)], [house(A), house(A)]),
    "bad-due-dates": Case([land(A)], [], noki=noki(("20250431",) + DUE[1:])),
    "three-due-dates": Case([land(A)], [], noki=noki(DUE[:3])),
    "bad-parm": Case([land(A)], [], parm="202520250230"),
    "empty": Case([], []),
}


@requires_cobc
@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_built_cases(tmp_path, name):
    _build_and_verify(CASES[name], tmp_path / name)


@requires_cobc
@pytest.mark.parametrize("seed", range(2))
def test_verify_generated_cases(tmp_path, seed):
    case = generate(1000 + seed)
    if case.parm is None:          # densan run always passes a PARM
        case.parm = ""
    _build_and_verify(case, tmp_path / f"gen{seed}")


@requires_cobc
def test_densan_verify_build_legacy_command(tmp_path):
    folder = write_case_folder(CASES["menzeiten-at-and-below"], tmp_path / "case")
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "verify", "--build-legacy", str(folder)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "VERIFY: 1 PASSED, 0 FAILED" in proc.stdout
    assert yaml.safe_load((folder / "case.yaml").read_text())["rc"] == 0
