"""`densan verify` (the parallel run) on SUIDO01 case folders: the shared sample as
handed over, and case folders whose legacy outputs `densan verify --build-legacy`
produces here with GnuCOBOL (the rules, an abend, random cases)."""
from __future__ import annotations

import shutil
import subprocess
import sys

import yaml

from tests.conftest import LEGACY, ROOT, requires_cobc
from tests.suido01.cases import (DDS_IN, FILES, OTHER_TOWN, Case, customer, generate, reading, tap,
                                 write_inputs)
from engine.migration import verify

SAMPLE = LEGACY / "samples" / "SUIDO01"
SAMPLE_PARM = "20252025062025061020250630"


def write_case(folder, *, parm, rc=None, absent=False, legacy=False):
    outputs = {dd: {"file": FILES[dd], "compare": "bytes"}
               for dd in ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT")}
    if absent:          # a failed step keeps no dataset; the REPORT (SYSOUT) is kept
        outputs = {dd: {"absent": True} for dd in outputs}
    outputs["REPORT"] = {"file": FILES["REPORT"], "compare": "bytes"}
    doc = {"job": "SUIDO01", "parm": parm, "inputs": {dd: FILES[dd] for dd in DDS_IN},
           "outputs": outputs}
    if rc is not None:
        doc["rc"] = rc
    if legacy:
        doc["legacy"] = {"program": str(LEGACY / "programs" / "SUIDO01.cob"),
                         "copybooks": [str(LEGACY / "copybooks")]}
    (folder / "case.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def test_verify_the_sample(tmp_path):
    for name in FILES.values():
        shutil.copy(SAMPLE / name, tmp_path / name)
    write_case(tmp_path, parm=SAMPLE_PARM, rc=4)
    result = verify.verify_case(tmp_path)
    assert result.rc_densan == 4
    assert result.passed, result.report()


@requires_cobc
def test_verify_build_legacy_cases(tmp_path):
    """Cases built by the legacy under `densan verify --build-legacy`, in one run."""
    cases = {
        "every-reason": Case([customer(tap(1), jotai=b"9"), customer(tap(2), kokei=999), customer(tap(3))],
                             [reading(tap(0)), reading(tap(1)), reading(tap(2)), reading(tap(3)),
                              reading(tap(3)), reading(tap(3), date=20250230)]),
        "other-town": Case([customer(tap(i), kokei=k) for i, k in enumerate((13, 20, 25, 40))],
                           [reading(tap(i), konkai=1200 + 9 * i) for i in range(4)], tariff=list(OTHER_TOWN)),
    }
    clean = (s for s in range(100) if not generate(s).notes)      # those that end normally
    cases.update({f"random-{s}": generate(s) for s in [next(clean) for _ in range(3)]})
    folders = []
    for name, case in cases.items():
        folder = tmp_path / name
        write_inputs(case, folder)
        write_case(folder, parm=case.parm, legacy=True)
        folders.append(str(folder))
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "verify", "--build-legacy", *folders],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"VERIFY: {len(cases)} PASSED, 0 FAILED" in proc.stdout
    assert "rc: 4" in (tmp_path / "every-reason" / "case.yaml").read_text()


@requires_cobc
def test_verify_an_abend_keeps_no_dataset(tmp_path):
    """A sequence error: RC 16, the REPORT as the legacy's, no output catalogued."""
    case = Case([customer(tap(2)), customer(tap(1))], [reading(tap(1))])
    write_inputs(case, tmp_path)
    write_case(tmp_path, parm=SAMPLE_PARM, legacy=True)
    verify.build_legacy(verify.load_case(tmp_path))
    write_case(tmp_path, parm=SAMPLE_PARM, rc=16, absent=True)
    result = verify.verify_case(tmp_path)
    assert result.passed, result.report()
    assert b"SEQUENCE ERROR ON CUST-IN AT RECORD 2" in (tmp_path / "report.txt").read_bytes()
