"""Cobrix's mixed SBCS/DBCS cases (n14, Japanese cp300 = the DBCS half of CCSID 930) decoded
with cp930. One known, documented difference: Cobrix drops a lone byte left in shift-out
state; densan decodes it as U+FFFD and flags the row, so bad data is never silently lost."""
from __future__ import annotations

import json

import pytest

from engine.codepages import get_codepage
from tests.conftest import CONFORMANCE

CASE = CONFORMANCE / "n14_dbcs_mixed_code_pages"
pytestmark = pytest.mark.skipif(not CASE.is_dir(), reason="../shared/conformance/cobrix not present")


@pytest.mark.parametrize("variant", ["cp300_dbcs_only", "cp300_sbcs_only", "cp300_mixed", "cp300_odd_length"])
def test_cobrix_cp300_cases(variant):
    data = (CASE / f"data_{variant}.bin").read_bytes()
    expected = json.loads((CASE / f"expected_{variant}.jsonl").read_text(encoding="utf-8").splitlines()[0])["S"]
    cp = get_codepage("cp930")
    text = cp.decode(data, strip="both")       # Cobrix trims both ends by default
    if variant == "cp300_odd_length":
        assert text == expected + "\ufffd"
    else:
        assert text == expected
