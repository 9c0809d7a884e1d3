"""`densan verify` (MIGRATE's parallel run) on SHUNO01 case folders: the shared sample,
and an abend case whose legacy outputs GnuCOBOL produces here."""
from __future__ import annotations

import shutil

import pytest
import yaml

from tests.conftest import LEGACY, requires_cobc
from tests.shuno01.cases import Case, key, master, run_legacy_case, tran

verify = pytest.importorskip("engine.migration.verify")

SAMPLE = LEGACY / "samples" / "SHUNO01"


def _case(folder, rc, *, absent=False, parm="20250131"):
    outputs = {"MASTER-OUT": {"file": "master-out.dat", "compare": "bytes"},
               "ERROR-OUT": {"file": "error-out.dat", "compare": "bytes"},
               "REPORT": {"file": "report.txt", "report": "text"}}
    if absent:     # a failed step keeps no dataset; the REPORT (SYSOUT) is kept
        outputs["MASTER-OUT"] = {"absent": True}
        outputs["ERROR-OUT"] = {"absent": True}
    (folder / "case.yaml").write_text(yaml.safe_dump(
        {"job": "SHUNO01", "parm": parm, "rc": rc,
         "inputs": {"MASTER-IN": "master-in.dat", "TRAN-IN": "tran-in.dat"}, "outputs": outputs}))


def test_verify_the_sample(tmp_path):
    for name in ("master-in.dat", "tran-in.dat", "master-out.dat", "error-out.dat", "report.txt"):
        shutil.copy(SAMPLE / name, tmp_path / name)
    _case(tmp_path, 4)
    result = verify.verify_case(tmp_path)
    assert result.rc_densan == 4
    assert result.passed, result.report()


@requires_cobc
def test_verify_a_sequence_error_case(tmp_path):
    k = key(2024, 1, 5, 1)
    case = Case([master(k)], [tran(k, renban=2), tran(k, renban=1)])
    legacy = run_legacy_case(case, tmp_path / "build")
    assert legacy.rc == 16
    folder = tmp_path / "case"
    folder.mkdir()
    shutil.copy(tmp_path / "build" / "in" / "master-in.dat", folder)
    shutil.copy(tmp_path / "build" / "in" / "tran-in.dat", folder)
    (folder / "report.txt").write_bytes(legacy.report)
    _case(folder, 16, absent=True)
    result = verify.verify_case(folder)
    assert result.passed, result.report()
