"""SUIDO01 on EBCDIC (cp930, IBM dialect): the legacy's ASCII cases converted field
by field give the legacy's outputs converted the same way (packed money as it is);
the bills and the report are the same text."""
from __future__ import annotations

import pytest

from tests.conftest import requires_cobc
from tests.suido01.cases import (SHUNOMST_PACKED, Case, customer, ebcdic, ebcdic_records, generate,
                                 reading, run_densan_case, run_legacy_case, tap)

pytestmark = requires_cobc


def same_converted(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    out = run_densan_case(case, tmp_path, ebcdic_data=True)
    assert out.rc == legacy.rc
    report = legacy["REPORT"]
    if report is not None:      # messages name the (EBCDIC) input path
        report = report.replace(str(tmp_path / "in").encode(), str(tmp_path / "in-ebcdic").encode())
    assert out["REPORT"] == report
    if legacy.rc < 16:
        assert out["CUST-OUT"] == ebcdic(legacy["CUST-OUT"])
        assert out["ERROR-OUT"] == ebcdic(legacy["ERROR-OUT"])
        assert out["CHOTEI-OUT"] == ebcdic_records(legacy["CHOTEI-OUT"], 100, SHUNOMST_PACKED)
        assert out["BILL-OUT"] == legacy["BILL-OUT"]
    return out


def test_every_reason_code_in_ebcdic(tmp_path):
    cs = [customer(tap(1), jotai=b"9"), customer(tap(2), kokei=999), customer(tap(3), kofuri=b"1"),
          customer(tap(4), gesui=b"0")]
    rs = [reading(tap(0)), reading(tap(1)), reading(tap(2)), reading(tap(3), konkai=20, kokan=b"1",
                                                                          kyu=1234, shin=0),
          reading(tap(3)), reading(tap(4), konkai=b"1 34"), reading(tap(4), date=20250230)]
    out = same_converted(Case(cs, rs), tmp_path)
    assert out.rc == 4
    assert out["ERROR-OUT"][40:42] == "NF".encode("cp037")
    assert out["CHOTEI-OUT"][:6] == "202511".encode("cp037")
    assert out["CHOTEI-OUT"][85:87] == b"\x00\x0f"


@pytest.mark.parametrize("seed", range(40))
def test_generated_cases_in_ebcdic(tmp_path, seed):
    same_converted(generate(seed, ascii_only=False), tmp_path)
