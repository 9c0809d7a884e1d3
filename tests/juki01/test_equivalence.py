"""JUKI01 against the legacy program under GnuCOBOL, byte for byte: every rule,
every reason, every movement kind, the odd cases, and seeded random days."""
from __future__ import annotations

import pytest

from tests.conftest import requires_cobc
from tests.juki01.cases import (Case, assert_same, generate, master, move, person, run_densan_case,
                                run_legacy_case)

pytestmark = requires_cobc


def _same(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    densan = run_densan_case(case, tmp_path)
    assert_same(legacy, densan, case)
    return legacy


def test_every_reason_and_kind_with_a_rejection_in_the_middle(tmp_path):
    K = 1_000_000_100
    masters = [master(K), master(K + 10, jotai=b"1", shojo=b"20230331"), master(K + 20, koshin=b"20250129"),
               master(K + 30, jotai=b"2", shojo=b"20240817"), master(K + 40), master(K + 50, sex=b"2"),
               master(K + 60, zoku=b"02", filler=b"FILLER KEPT".ljust(47))]
    moves = [
        person(K - 50, b"11", ido=b"20250128", renban=1),                  # new person before the first key
        move(K, b"31", ido=b"20250120", renban=2, jusho=b"950101"),        # IV: outside the city's codes
        move(K, b"41", ido=b"20250121", renban=3, shimei="高橋　結衣", kana="SATO"),   # IV: ASCII kana
        move(K, b"41", ido=b"20250122", renban=4, shimei="高橋　結衣", kana="ﾀｶﾊｼ ﾕｲ"),  # applied
        move(K, b"31", ido=b"20250122", renban=5, jusho=b"340105", banchi=b"2-14-7"),   # applied, same day
        move(K, b"21", ido=b"20250123", renban=7),                         # applied: moved out
        move(K, b"22", ido=b"20250124", renban=8),                         # ST: no longer resident
        person(K, b"11", ido=b"20250125", renban=9),                       # applied: revival the same day
        person(K + 10, b"12", ido=b"20250125", renban=10),                 # DU: birth on a used key
        person(K + 10, b"11", ido=b"20250126", renban=11, seinen=b"20250127"),   # IV: born after moving in
        person(K + 10, b"11", ido=b"20250127", renban=12, seinen=b"20240229"),   # applied: revival, born 29 Feb
        move(K + 20, b"31", ido=b"20250128", renban=13, jusho=b"120405"),  # DT: before 更新日 20250129
        move(K + 20, b"51", ido=b"20250129", renban=14, setai=b"1000000300", zoku=b"03"),   # equal: applied
        move(K + 25, b"23", ido=b"20250130", renban=15),                   # NF
        move(K + 30, b"21", ido=b"20250130", renban=16),                   # ST: deceased
        move(K + 40, b"99", ido=b"20250130", renban=17),                   # IV: unknown reason
        move(K + 40, b"23", ido=b"20250131", renban=18),                   # applied: PARM day
        move(K + 40, b"23", ido=b"20250201", renban=19),                   # DT: after PARM (before ST)
        move(K + 50, b"31", ido=b"20240229", renban=20, jusho=b"890101"),  # applied on 29 February
        move(K + 50, b"51", ido=b"20250130", renban=20, setai=b"0000000000", zoku=b"01"),   # IV: zero household
        person(K + 55, b"12", ido=b"20250131", renban=21, seinen=b"        "),   # 出生 ignores the birth date
        move(K + 55, b"22", ido=b"20250131", renban=22),                   # applied to the new record
        move(K + 60, b"41", ido=b"20250130", renban=23, shimei="", kana="ﾔﾏﾀﾞ"),   # IV: blank name
        person(9_999_999_999, b"11", ido=b"20250131", renban=24),          # the last key
    ]
    assert moves == sorted(moves, key=lambda t: t[:24])
    legacy = _same(Case(masters, moves), tmp_path)
    assert legacy.rc == 4
    assert legacy.files["ERROR-OUT"].count(b"IV") >= 5


@pytest.mark.parametrize("name,case", [
    ("empty inputs", Case([], [])),
    ("empty master", Case([], [person(1_000_000_001, b"12"), person(1_000_000_002, b"11")])),
    ("no movements", Case([master(1_000_000_100), master(1_000_000_200, jotai=b"1")], [])),
    ("master out of order", Case([master(1_000_000_200), master(1_000_000_100)], [move(1_000_000_100, b"21")])),
    ("duplicate master key", Case([master(1_000_000_100), master(1_000_000_100)], [])),
    ("movements out of order", Case([master(1_000_000_100)],
                                    [move(1_000_000_100, b"21", renban=2), move(1_000_000_100, b"22", renban=1)])),
    ("equal movement keys", Case([master(1_000_000_100)],
                                 [move(1_000_000_100, b"41", renban=1, shimei="林　誠", kana="ﾊﾔｼ ﾏｺﾄ")] * 2)),
    ("movement error before master error", Case(
        [master(1_000_000_100), master(1_000_000_300), master(1_000_000_200)],
        [move(1_000_000_100, b"21", renban=2), move(1_000_000_100, b"21", renban=1)])),
    ("master error before movement error", Case(
        [master(1_000_000_100), master(1_000_000_050)],
        [move(1_000_000_500, b"21", renban=2), move(1_000_000_500, b"21", renban=1)])),
    ("short master record", Case([master(1_000_000_100)], [], master_tail=b"1000000200")),
    ("short movement record", Case([master(1_000_000_100)], [move(1_000_000_100, b"21")], move_tail=b"100")),
    ("PARM missing", Case([], [], parm=None)),
    ("PARM not a date", Case([], [], parm="20250230")),
    ("PARM with text after it", Case([], [], parm="20250131 X")),
    ("PARM longer than 16", Case([], [], parm="20250131" + " " * 8 + "X")),
    ("PARM not ASCII", Case([], [], parm="２０２５０１３１")),
    ("first master key LOW-VALUES", Case([master(b"\x00" * 10), master(1_000_000_100)], [])),
    ("keys of spaces", Case([master(b" " * 10), master(1_000_000_100)], [move(b" " * 10, b"21")])),
    ("control bytes in the list", Case([master(1_000_000_100, banchi=b"1\n2\x00")], [move(1_000_000_100, b"21")])),
    ("PARM 29 February", Case([master(1_000_000_100)], [move(1_000_000_100, b"21", ido=b"20240229")],
                              parm="20240229")),
    ("DD not allocated", Case([], [], missing=("LIST-OUT",))),
    ("REPORT not allocated", Case([], [], missing=("REPORT",))),
])
def test_odd_cases(name, case, tmp_path):
    _same(case, tmp_path)


def test_a_long_list_breaks_pages(tmp_path):
    moves = [person(1_000_000_000 + i, b"12", renban=i) for i in range(1, 121)]
    legacy = _same(Case([], moves), tmp_path)
    assert legacy.files["LIST-OUT"].count(b"PAGE ") == 3


@pytest.mark.parametrize("seed", range(40))
def test_random_days(seed, tmp_path):
    _same(generate(seed), tmp_path)
