"""ENTAI01 reads the master a block at a time: any cut into blocks gives the
legacy's bytes. Each case runs once under GnuCOBOL and under densan with blocks of
1, 2, 3 and 7 records, so that sequence errors, short last records, reminders,
errors and every control total fall on and across block boundaries. Where the
legacy ends abnormally on a sequence error, the records before it were processed
and written, and densan's outputs hold the same records."""
from __future__ import annotations

import random

import pytest

from tests.conftest import requires_cobc
from tests.entai01.cases import Case, assert_same, generate, key, master, run_densan_case, run_legacy_case

pytestmark = requires_cobc
BLOCKS = (1, 2, 3, 7)
DATA = ("MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT")


def same_in_blocks(case: Case, tmp_path, blocks=BLOCKS):
    legacy = run_legacy_case(case, tmp_path)
    for b in blocks:
        densan = run_densan_case(case, tmp_path, block_records=b)     # same paths: PATH lines
        assert_same(legacy, densan, case)
        for dd in DATA:                      # also what was written before an abnormal end
            assert densan.files[dd] == legacy.files[dd], f"{dd} with blocks of {b}"
    return legacy


def mixed_masters(n: int, seed: int) -> list[bytes]:
    """Items of every kind: reminded now, overdue, already reminded, paid, invalid."""
    rnd = random.Random(seed)
    return [master(key(i), due=rnd.choice([b"20251130", b"20260120", b"20250531", b"20251301", b"20240229"]),
                   chotei=rnd.choice([65_000, 1_999, 500_000]), nofu=rnd.choice([0, 0, 70_000]),
                   toku=rnd.choice([b"00000000", b"20251220"]), jotai=rnd.choice([b"0", b"1", b"2"]))
            for i in range(n)]


@pytest.mark.parametrize("where", range(1, 9))
def test_sequence_error_on_and_across_block_boundaries(tmp_path, where):
    masters = mixed_masters(9, where)
    masters.insert(where, masters[where - 1])            # a duplicate key at record where + 1
    res = same_in_blocks(Case(masters), tmp_path)
    assert res.rc == 16 and f"AT RECORD {where + 1}".encode() in res.files["REPORT"]
    assert len(res.files["MASTER-OUT"]) == where * 100


@pytest.mark.parametrize("count", [2, 3, 6, 7, 14])
def test_short_last_record_after_whole_blocks(tmp_path, count):
    res = same_in_blocks(Case(mixed_masters(count, count), master_tail=b"2025"), tmp_path)
    assert res.rc == 16 and b"WRONG LENGTH RECORD" in res.files["REPORT"]


def test_totals_summed_over_blocks(tmp_path):
    res = same_in_blocks(Case(mixed_masters(23, 5)), tmp_path)
    assert res.rc == 4 and res.files["NOTICE-OUT"] and res.files["ERROR-OUT"]


@pytest.mark.parametrize("seed", [3, 5, 8, 10, 11, 17, 23, 31])
def test_generated_cases_in_blocks(tmp_path, seed):
    same_in_blocks(generate(seed), tmp_path, blocks=(1, 3))


def test_a_few_thousand_items_in_odd_blocks(tmp_path):
    same_in_blocks(Case(mixed_masters(3000, 1)), tmp_path, blocks=(333, 1024))
