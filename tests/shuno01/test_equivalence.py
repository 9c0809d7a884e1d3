"""densan's SHUNO01 against the legacy program run by GnuCOBOL, on inputs built to
touch every rule, reason code and abnormal end, and on seeded random cases:
same return code, same REPORT bytes, and (when not RC 16) the same MASTER-OUT and
ERROR-OUT bytes."""
from __future__ import annotations

import os

import pytest

from tests.conftest import requires_cobc
from tests.shuno01.cases import (BAD_AMOUNTS, BAD_DATES, GOOD_DATES, Case, assert_same, generate,
                                 key, master, run_densan_case, run_legacy_case, sort_key,
                                 tran)

pytestmark = requires_cobc


def same(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    densan = run_densan_case(case, tmp_path)
    assert_same(legacy, densan, case)
    return legacy


K1, K2, K3, K4 = (key(2024, 2, n, 1) for n in (10, 20, 30, 40))


def test_empty_inputs(tmp_path):
    res = same(Case([], []), tmp_path)
    assert res.rc == 0 and res.master_out == b"" and res.error_out == b""


def test_masters_without_transactions_are_copied_as_read(tmp_path):
    odd = master(K1, nofu=5)[:42] + bytes.fromhex("0000000A0B0B") + master(K1)[48:]
    res = same(Case([master(K1, filler=b"NOT-SPACES!!!"), odd], []), tmp_path)
    assert res.master_out == master(K1, filler=b"NOT-SPACES!!!") + odd


def test_every_reason_code(tmp_path):
    masters = [master(K1), master(K2, jotai=b"9")]
    trans = [tran(K1, nofu=b"000000200O0", renban=1),       # IV
             tran(K1, date=b"20250201", renban=2),          # DT
             tran(K1, ch=b"7", renban=3),                   # CH
             tran(K1, renban=4),                            # posted
             tran(K2, renban=1),                            # CX
             tran(K3, renban=1)]                            # NF
    res = same(Case(masters, sorted(trans, key=sort_key)), tmp_path)
    assert res.rc == 4
    assert [res.error_out[i + 60:i + 62] for i in range(0, len(res.error_out), 80)] == \
        [b"IV", b"CH", b"DT", b"CX", b"NF"]


@pytest.mark.parametrize("date", BAD_DATES + GOOD_DATES)
def test_receipt_dates(tmp_path, date):
    same(Case([master(K1)], [tran(K1, date=date)]), tmp_path)


@pytest.mark.parametrize("amount", BAD_AMOUNTS + [b"0000000000p", b"9999999999y"])
def test_amount_class_test(tmp_path, amount):
    same(Case([master(K1)], [tran(K1, nofu=amount)]), tmp_path)


def test_numeric_class_test_on_every_last_byte(tmp_path):
    trans = [tran(K1, nofu=b"0000000001" + bytes([b]), renban=b) for b in range(256)]
    trans += [tran(K1, entai=b"00000001" + bytes([b]), renban=256 + b) for b in range(256)]
    same(Case([master(K1, chotei=10**9)], trans), tmp_path)


def test_kaisu_held_at_999_and_0(tmp_path):
    masters = [master(K1, kaisu=998), master(K2, kaisu=1), master(K3, kaisu=0, nofu=100)]
    trans = [tran(K1, nofu=10, renban=i) for i in range(4)] + [tran(K1, nofu=-10, renban=9)]
    trans += [tran(K2, nofu=-10, renban=i) for i in range(3)] + [tran(K2, nofu=10, renban=5)]
    trans += [tran(K3, nofu=-1, renban=1), tran(K3, nofu=0, entai=5, renban=2)]
    res = same(Case(masters, trans), tmp_path)
    assert res.master_out[85:87] == bytes.fromhex("998F")     # 999 after three, then one back
    assert res.master_out[185:187] == bytes.fromhex("001F")   # 0, held, then one payment


def test_kaisu_odd_packed_bytes(tmp_path):
    """GnuCOBOL adds 1 in place (A-F nibbles carried, sign C kept, D -> F)."""
    raws = ["001C", "001D", "0A5F", "00FF", "8F9F", "9A0F", "000D", "998C"]
    masters, trans = [], []
    for i, raw in enumerate(raws):
        k = key(2024, 3, i, 1)
        masters.append(master(k, kaisu_raw=bytes.fromhex(raw)))
        trans += [tran(k, nofu=5, renban=1), tran(k, nofu=-5, renban=2), tran(k, nofu=5, renban=3)]
    same(Case(masters, trans), tmp_path)


def test_sums_beyond_the_picture_are_truncated_with_sign(tmp_path):
    masters = [master(K1, nofu=99_999_999_990, entai=999_999_990),
               master(K2, nofu=-99_999_999_990, entai=-999_999_990),
               master(K3, nofu=-5, chotei=-99_999_999_999)]
    trans = [tran(K1, nofu=10, entai=10, renban=1), tran(K1, nofu=99_999_999_999, renban=2),
             tran(K2, nofu=-10, entai=-10, renban=1),
             tran(K3, nofu=5, renban=1), tran(K3, nofu=99_999_999_999, renban=2)]
    res = same(Case(masters, trans), tmp_path)
    assert res.master_out[142:148] == bytes.fromhex("00000000000D")   # -0 kept as the host does


def test_control_totals_overflow(tmp_path):
    masters = [master(key(2024, 1, i, 1), chotei=99_999_999_999, nofu=-99_999_999_999)
               for i in range(12_000)]
    trans = [tran(key(2024, 1, i, 1), nofu=99_999_999_999, renban=i) for i in range(0, 12_000, 2)]
    same(Case(masters, trans), tmp_path)


def test_many_transactions_on_one_key(tmp_path):
    trans = [tran(K2, nofu=(1 if i % 7 else -1) * 40_000_000_000 + i, entai=i, renban=i)
             for i in range(3000)]
    same(Case([master(K1), master(K2, kaisu=990)], trans), tmp_path)


def test_unsorted_and_duplicate_master_keys(tmp_path):
    masters = [master(K3), master(K1), master(K2), master(K3, nofu=7), master(K4), master(K4, nofu=1)]
    trans = [tran(k, renban=i) for i, k in enumerate([K1, K2, K3, K3, K4])]
    res = same(Case(masters, trans), tmp_path)
    assert res.error_out[60:62] == b"NF"


@pytest.mark.parametrize("parm", [None, "", "2025013", "20250230", "20240229", "00000101",
                                  "20250131        X", "2025013100000000", "2025-01-31"])
def test_parm(tmp_path, parm):
    same(Case([master(K1)], [tran(K1, date=b"20240101")], parm=parm), tmp_path)


@pytest.mark.parametrize("dd", ["MASTER-IN", "TRAN-IN", "MASTER-OUT", "ERROR-OUT", "REPORT"])
def test_dd_not_allocated(tmp_path, dd):
    res = same(Case([master(K1)], [tran(K1)], missing=(dd,)), tmp_path)
    assert res.rc == 16


def test_sequence_error(tmp_path):
    trans = [tran(K1, renban=2), tran(K1, renban=1)]
    res = same(Case([master(K1)], trans), tmp_path)
    assert b"SEQUENCE ERROR ON TRAN-IN AT RECORD 2" in res.report


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_wrong_length_master(tmp_path, where):
    masters = [master(key(2024, 1, i, 1)) for i in range(6)]
    trans = [tran(key(2024, 1, i, 1), renban=i) for i in range(6)]
    case = Case(masters[:{"first": 0, "middle": 3, "last": 6}[where]], trans, master_tail=b"20240")
    same(case, tmp_path)


def test_wrong_length_transactions_and_which_comes_first(tmp_path):
    masters = [master(key(2024, 1, i, 1)) for i in range(4)]
    trans = [tran(key(2024, 1, i, 1), renban=i) for i in range(4)]
    same(Case(masters, trans, tran_tail=b"2024"), tmp_path / "a")
    same(Case(masters[:2], trans, master_tail=b"9", tran_tail=b"2024"), tmp_path / "b")
    same(Case(masters, [trans[1], trans[0]] + trans[2:], master_tail=b"9"), tmp_path / "c")


def test_high_values_keys(tmp_path):
    hv = b"\xff" * 18
    masters = [master(K1), master(hv), master(K2)]
    same(Case(masters, [tran(K1), tran(K2, renban=2)]), tmp_path / "m")
    same(Case([master(K1), master(K2)], [tran(K1), tran(hv), tran(K2)]), tmp_path / "t")


@pytest.mark.parametrize("seed", range(120))
def test_generated_cases(tmp_path, seed):
    same(generate(seed), tmp_path)


@pytest.mark.parametrize("which", ["MASTER-IN", "TRAN-IN", "both"])
def test_input_that_is_a_directory(tmp_path, which):
    from engine.migration.legacy import run_legacy
    from jobs.collection.shuno01 import post
    from tests.conftest import LEGACY
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "m").write_bytes(master(K1))
    (folder / "t").write_bytes(tran(K1))
    dds = {"MASTER-IN": folder if which != "TRAN-IN" else folder / "m",
           "TRAN-IN": folder if which != "MASTER-IN" else folder / "t"}
    reports = []
    for side in ("legacy", "densan"):
        out = tmp_path / side
        out.mkdir()
        outs = {"MASTER-OUT": out / "mo", "ERROR-OUT": out / "eo", "REPORT": out / "r"}
        if side == "legacy":
            rc = run_legacy("SHUNO01", {**dds, **outs}, "20250131", legacy_dir=LEGACY).rc
        else:
            rc = post(master_in=dds["MASTER-IN"], tran_in=dds["TRAN-IN"], master_out=outs["MASTER-OUT"],
                      error_out=outs["ERROR-OUT"], report=outs["REPORT"], parm="20250131").rc
        reports.append((rc, outs["REPORT"].read_bytes()))
    assert reports[0] == reports[1]
    assert reports[0][0] == 16


@pytest.mark.parametrize("encoding", ["ascii", "cp930"])
def test_generated_city(tmp_path, encoding):
    """A small generated city (its own key spread, states and faults) against GnuCOBOL;
    for cp930 the generator's EBCDIC files against the legacy's ASCII outputs converted."""
    import numpy as np
    from datasets.generate import ebcdic_transactions, generate_city, write_city
    from engine.migration.legacy import run_legacy
    from jobs.collection.shuno01 import post
    from tests.conftest import LEGACY
    from tests.shuno01.cases import convert_file, ebcdic_master, ebcdic_text
    city = generate_city(30_000, 6_000, seed=11, date="20250131")
    a_m, a_t = tmp_path / "m.dat", tmp_path / "t.dat"
    write_city(city, a_m, a_t, encoding="ascii")
    leg = {k: tmp_path / f"legacy.{k}" for k in ("MASTER-OUT", "ERROR-OUT", "REPORT")}
    rc = run_legacy("SHUNO01", {"MASTER-IN": a_m, "TRAN-IN": a_t, **leg}, "20250131", legacy_dir=LEGACY).rc
    m, t = a_m, a_t
    if encoding != "ascii":
        m, t = tmp_path / "m.ebc", tmp_path / "t.ebc"
        write_city(city, m, t, encoding=encoding)
    out = {k: tmp_path / f"densan.{k}" for k in leg}
    res = post(master_in=m, tran_in=t, master_out=out["MASTER-OUT"], error_out=out["ERROR-OUT"],
               report=out["REPORT"], parm="20250131", encoding=encoding)
    assert res.rc == rc == 4
    assert out["REPORT"].read_bytes() == leg["REPORT"].read_bytes()
    expect_m, expect_e = leg["MASTER-OUT"].read_bytes(), leg["ERROR-OUT"].read_bytes()
    if encoding != "ascii":
        expect_m = convert_file(expect_m, 100, ebcdic_master)
        errors = np.frombuffer(expect_e, np.uint8).reshape(-1, 80)   # the generator's own
        converted = np.concatenate([ebcdic_transactions(errors[:, :60].copy()),
                                    np.frombuffer(ebcdic_text(errors[:, 60:].tobytes()),
                                                  np.uint8).reshape(-1, 20)], axis=1)
        expect_e = converted.tobytes()
    assert out["MASTER-OUT"].read_bytes() == expect_m
    assert out["ERROR-OUT"].read_bytes() == expect_e


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("dd", ["MASTER-OUT", "ERROR-OUT"])
def test_write_error_when_the_disk_is_full(tmp_path, dd):
    from engine.migration.legacy import run_legacy
    from jobs.collection.shuno01 import post
    from tests.conftest import LEGACY
    sample = LEGACY / "samples" / "SHUNO01"
    results = []
    for side in ("legacy", "densan"):
        folder = tmp_path / side
        folder.mkdir()
        dds = {"MASTER-IN": sample / "master-in.dat", "TRAN-IN": sample / "tran-in.dat",
               "MASTER-OUT": folder / "mo", "ERROR-OUT": folder / "eo", "REPORT": folder / "r"}
        dds[dd] = "/dev/full"
        if side == "legacy":
            rc = run_legacy("SHUNO01", dds, "20250131", legacy_dir=LEGACY).rc
        else:
            rc = post(master_in=dds["MASTER-IN"], tran_in=dds["TRAN-IN"], master_out=dds["MASTER-OUT"],
                      error_out=dds["ERROR-OUT"], report=dds["REPORT"], parm="20250131").rc
        results.append((rc, (folder / "r").read_bytes()))
    assert results[0] == results[1]
    assert results[0][0] == 16


@pytest.mark.parametrize("raw", ["0A5F", "001D", "9A0F", "998C", "000D", "001C", "00FF", "000F"])
def test_long_keys_with_odd_counters(tmp_path, raw):
    """Hundreds of postings on a few keys (finished key by key, vectorised along the
    key): counters starting from odd packed bytes, held at 0 and 999, amounts
    overflowing now and then."""
    import random
    rnd = random.Random(raw)
    masters, trans = [], []
    for i in range(3):
        k = key(2024, 4, i, 1)
        masters.append(master(k, nofu=rnd.choice([0, 99_999_999_000]), kaisu_raw=bytes.fromhex(raw)))
        pattern = rnd.choice([[-1] * 5 + [1] * 3, [1] * 9 + [-1], [-1, 0, 1, 1], [1] * 3])
        for r in range(700 + 50 * i):
            sign = pattern[r % len(pattern)]
            amount = sign * rnd.choice([7, 50_000_000_000, 1]) if sign else 0
            trans.append(tran(k, nofu=amount, entai=rnd.choice([0, 400_000_000]), renban=r))
    same(Case(masters, trans), tmp_path)
