"""The sort on the legacy sample files (read in place from ../shared, never copied)."""
from __future__ import annotations

import numpy as np
import pytest

from engine.records import RecordFormat, read_records
from engine.sort import sort_records
from tests.conftest import LEGACY
from tests.sort.helpers import rows

SAMPLES = LEGACY / "samples" / "SHUNO01"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="legacy samples not available")


def load(name: str, lrecl: int) -> np.ndarray:
    return read_records(SAMPLES / name, RecordFormat("FB", lrecl)).data


def test_master_sorted_back_into_sh_key_order():
    master = load("master-in.dat", 100)        # the file is in ascending SH-KEY (1-18) order
    out = rows(sort_records("  SORT FIELDS=(1,18,CH,A)", [master[::-1].copy()]).outputs["SORTOUT"])
    assert b"".join(out) == (SAMPLES / "master-in.dat").read_bytes()


def test_transactions_in_the_order_shuno01_checks():
    # NT-KEY 1-18, NT-SHUNYU-BI 20-27, NT-RENBAN 48-55: the sequence SHUNO01 requires
    tran = load("tran-in.dat", 60)
    out = rows(sort_records("  SORT FIELDS=(1,18,CH,A,20,8,CH,A,48,8,CH,A)", [tran[::-1].copy()])
               .outputs["SORTOUT"])
    keys = [r[0:18] + r[19:27] + r[47:55] for r in out]
    assert keys == sorted(keys) and len(out) == len(tran)


def test_sum_of_assessed_amounts_per_fiscal_year():
    # SH-CHOTEI-GAKU: 37-42, S9(11) COMP-3. Reference totals by a scalar decode of the sample.
    master = load("master-in.dat", 100)
    expected: dict[bytes, int] = {}
    for r in map(bytes, master):
        h = r[36:42].hex()
        expected[r[0:4]] = expected.get(r[0:4], 0) + (-int(h[:-1]) if h[-1] in "bd" else int(h[:-1]))
    out = rows(sort_records("  SORT FIELDS=(1,4,CH,A)\n  SUM FIELDS=(37,6,PD)\n"
                            "  OUTREC BUILD=(1,4,37,6)", [master]).outputs["SORTOUT"])
    got = {}
    for r in out:
        h = r[4:10].hex()
        got[r[0:4]] = -int(h[:-1]) if h[-1] in "bd" else int(h[:-1])
    assert got == expected
