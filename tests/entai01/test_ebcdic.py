"""ENTAI01 on EBCDIC (cp930): the legacy's ASCII cases converted field by field (text
translated, packed decimals as they are) give the legacy's outputs converted the
same way, and the same REPORT."""
from __future__ import annotations

import pytest

from tests.conftest import LEGACY, requires_cobc
from tests.entai01.cases import (Case, ebcdic_outputs, generate, run_densan_ebcdic,
                                 run_legacy_case)

SAMPLE = LEGACY / "samples" / "ENTAI01"


def _same(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    ebcdic = run_densan_ebcdic(case, tmp_path)
    assert ebcdic.rc == legacy.rc
    expected = ebcdic_outputs(legacy) if legacy.rc < 16 else {"REPORT": legacy.files["REPORT"]}
    report = expected["REPORT"]
    if report is not None:          # messages naming an input path name the EBCDIC copy
        expected["REPORT"] = report.replace(str(tmp_path / "in").encode(), str(tmp_path / "in-ebcdic").encode())
    for dd, data in expected.items():
        assert ebcdic.files[dd] == data, dd
    return ebcdic


@pytest.mark.parametrize("block_records", [1 << 20, 3])
def test_sample_in_ebcdic(tmp_path, block_records):
    """The shared sample converted: outputs equal the sample's outputs converted (read
    whole, and three records at a time)."""
    from tests.entai01.cases import Outcome
    data = SAMPLE.joinpath("master-in.dat").read_bytes()
    rates = SAMPLE.joinpath("rate-in.dat").read_bytes()
    case = Case([data[i:i + 100] for i in range(0, len(data), 100)],
                [rates[i:i + 20] for i in range(0, len(rates), 20)])
    out = run_densan_ebcdic(case, tmp_path, block_records=block_records)
    legacy = Outcome(4, {dd: SAMPLE.joinpath(f).read_bytes() for dd, f in
                         (("MASTER-OUT", "master-out.dat"), ("NOTICE-OUT", "notice-out.dat"),
                          ("ENTAI-OUT", "entai-out.dat"), ("ERROR-OUT", "error-out.dat"),
                          ("REPORT", "report.txt"))})
    assert out.rc == 4
    assert out.files == ebcdic_outputs(legacy)
    assert out.files["NOTICE-OUT"][48:52] == "0100".encode("cp037")


@requires_cobc
@pytest.mark.parametrize("seed", range(25))
def test_generated_cases_in_ebcdic(tmp_path, seed):
    _same(generate(seed), tmp_path)
