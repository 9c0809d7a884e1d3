"""`densan verify` on ENTAI01 case folders: the shared sample, and cases whose legacy
outputs are built here with GnuCOBOL (`--build-legacy`): the Toyohashi example and
an abnormal end (a bad PARM) whose datasets must not be kept."""
from __future__ import annotations

import shutil

import pytest
import yaml

from tests.conftest import LEGACY, requires_cobc
from tests.entai01.cases import Case, key, master, write_inputs

verify = pytest.importorskip("engine.migration.verify")
SAMPLE = LEGACY / "samples" / "ENTAI01"
DATA = {"MASTER-OUT": "master-out.dat", "NOTICE-OUT": "notice-out.dat",
        "ENTAI-OUT": "entai-out.dat", "ERROR-OUT": "error-out.dat"}


def _case(folder, parm, rc=None, *, build=False, absent=False):
    outputs = {dd: ({"absent": True} if absent else {"file": f, "compare": "bytes"})
               for dd, f in DATA.items()}
    outputs["REPORT"] = {"file": "report.txt", "compare": "bytes"}
    doc = {"job": "ENTAI01", "parm": parm,
           "inputs": {"MASTER-IN": "master-in.dat", "RATE-IN": "rate-in.dat"}, "outputs": outputs}
    if rc is not None:
        doc["rc"] = rc
    if build:
        doc["legacy"] = {"program": str(LEGACY / "programs" / "ENTAI01.cob"),
                         "copybooks": [str(LEGACY / "copybooks")]}
    (folder / "case.yaml").write_text(yaml.safe_dump(doc))


def test_verify_the_sample(tmp_path):
    for name in ("master-in.dat", "rate-in.dat", "report.txt", *DATA.values()):
        shutil.copy(SAMPLE / name, tmp_path / name)
    _case(tmp_path, "20260131,0100", 4)
    result = verify.verify_case(tmp_path)
    assert result.rc_densan == 4
    assert result.passed, result.report()


@requires_cobc
@pytest.mark.parametrize("parm, rc", [("20220131,0100", 0), ("20220231,0100", 16)])
def test_build_legacy_then_verify(tmp_path, parm, rc):
    write_inputs(Case([master(key(1), due=b"20210531", chotei=65_000),
                       master(key(2), due=b"20220115", chotei=3_000)]), tmp_path)
    _case(tmp_path, parm, build=True, absent=rc == 16)
    result = verify.verify_case(tmp_path, build=True)
    assert result.rc_legacy == rc
    assert result.passed, result.report()
