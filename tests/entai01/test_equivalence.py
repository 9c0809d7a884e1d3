"""densan's ENTAI01 against the legacy program run by GnuCOBOL: inputs built to touch
every rule, boundary, reason code and abnormal end, and seeded random cases. Same
return code, same REPORT bytes and (unless RC 16) the same four data outputs."""
from __future__ import annotations

import pytest

from tests.conftest import requires_cobc
from tests.entai01.cases import (BAD_DATES, CITY_TABLE, MONTH_ENDS, Case, assert_same, generate,
                                 key, master, packed, rate, run_densan_case, run_legacy_case)

pytestmark = requires_cobc


def same(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    densan = run_densan_case(case, tmp_path)
    assert_same(legacy, densan, case)
    return legacy


def entai_records(out) -> list[bytes]:
    data = out.files["ENTAI-OUT"]
    return [data[i:i + 100] for i in range(0, len(data), 100)]


def test_toyohashi_published_example(tmp_path):
    """65,000 yen due 2021-05-31, to 2022-01-31: 133 + 2,883 + 480 = 3,496 -> 3,400."""
    res = same(Case([master(key(1), due=b"20210531", chotei=65_000)], parm="20220131,0100"), tmp_path)
    rec = entai_records(res)[0]
    assert rec[48:60] == b"000000065000" and rec[60:67] == b"0000030" and rec[67:74] == b"0000215"
    assert rec[74:86] == b"000000003400"
    assert res.files["NOTICE-OUT"][52:64] == b"000000003400"


@pytest.mark.parametrize("parm, due, chotei, fee, days", [
    ("20260205,0100", b"20250901", 152_500, 4_900, (30, 127)),
    ("20260301,0100", b"20251215", 987_654, 13_200, (31, 45)),
    ("20240305,0100", b"20240131", 500_000, 1_500, (29, 5)),
])
def test_spec_worked_examples(tmp_path, parm, due, chotei, fee, days):
    res = same(Case([master(key(1), due=due, chotei=chotei)], parm=parm), tmp_path)
    rec = entai_records(res)[0]
    assert int(rec[74:86]) == fee and (int(rec[60:67]), int(rec[67:74])) == days


@pytest.mark.parametrize("unpaid", [999, 1_000, 1_999, 2_000, 2_001, 2_999, 3_000, 13_999, 14_000,
                                    15_999, 16_000, 99_999_999_999])
def test_base_and_fee_boundaries(tmp_path, unpaid):
    masters = [master(key(i), due=due, chotei=unpaid)
               for i, due in enumerate([b"20250331", b"20210131", b"20251130", b"20240229"])]
    same(Case(masters), tmp_path)


def test_fee_sums_999_and_1099(tmp_path):
    """Pieces summing to under 1,000 -> 0, and just over -> truncated to 100 yen."""
    masters = [master(key(i), due=b"20250331", chotei=c, toku=b"20250421")
               for i, c in enumerate(range(13_000, 17_000, 1_000))]
    res = same(Case(masters), tmp_path)
    fees = [int(r[74:86]) for r in entai_records(res)]
    assert 0 in fees and 1_000 in fees


@pytest.mark.parametrize("days_before", [0, 1, 19, 20, 21, 22])
def test_reminder_day(tmp_path, days_before):
    import datetime as dt
    due = (dt.date(2026, 1, 31) - dt.timedelta(days=days_before)).strftime("%Y%m%d").encode()
    res = same(Case([master(key(1), due=due)]), tmp_path)
    assert len(res.files["NOTICE-OUT"]) == (80 if days_before >= 21 else 0)
    assert len(res.files["ENTAI-OUT"]) == (100 if days_before >= 1 else 0)


@pytest.mark.parametrize("parm", ["20260131,0100", "20250301,0100", "20240301,0100", "20250101,0100",
                                  "20241231,0100", "20240229,0100", "20250228,0100"])
def test_month_end_due_dates_and_1_january(tmp_path, parm):
    masters = [master(key(i), due=str(d).encode(), chotei=1_234_567) for i, d in enumerate(MONTH_ENDS)]
    masters += [master(key(100 + i), due=f"2025{m:02d}{d:02d}".encode(), chotei=800_000)
                for i, (m, d) in enumerate([(12, 15), (12, 31), (11, 30), (11, 29), (1, 28), (1, 29),
                                             (1, 30), (1, 31), (2, 28), (12, 1)])]
    same(Case(masters, parm=parm), tmp_path)


def test_partly_paid_and_already_reminded(tmp_path):
    masters = [master(key(1), due=b"20251031", chotei=100_000, nofu=35_500, jotai=b"1"),
               master(key(2), due=b"20250531", chotei=65_000, toku=b"20250620"),
               master(key(3), due=b"20250531", chotei=65_000, toku=b"00000001", jotai=b"1", nofu=1),
               master(key(4), due=b"20251031", chotei=100_000, nofu=-5, jotai=b"1")]
    res = same(Case(masters), tmp_path)
    assert len(res.files["NOTICE-OUT"]) == 160


def test_every_state_and_reason(tmp_path):
    masters = [
        master(key(1), jotai=b"2"), master(key(2), jotai=b"3"), master(key(3), jotai=b"9"),
        master(key(4), jotai=b" ", chotei=b"\xff" * 6),
        master(key(5), chotei=packed(5000, sign="F")),                     # IV
        master(key(6), kojin=b"30000 0001"),                               # IV
        master(b"20250100000000070A"),                                     # IV key
        master(key(8), nofu=bytes.fromhex("0000000000AC")),                # IV nibble
        master(key(9), due=b"20250229"),                                   # DT
        master(key(10), toku=b"        "),                                 # DT
        master(key(11), chotei=5000, nofu=5000, jotai=b"1"),               # AM
        master(key(12), chotei=0),                                         # AM
        master(key(13), due=b"20201230"),                                  # RT
        master(key(14), due=b"20201231"),                                  # first period
        master(key(15), due=b"20201230", toku=b"        "),                # DT before RT
        master(key(16), due=b"20991230"),                                  # future: no RT
    ]
    res = same(Case(masters), tmp_path)
    reasons = [res.files["ERROR-OUT"][i + 100:i + 102] for i in range(0, len(res.files["ERROR-OUT"]), 120)]
    assert reasons == [b"IV", b"IV", b"IV", b"IV", b"DT", b"DT", b"AM", b"AM", b"RT", b"DT"]
    assert res.rc == 4


@pytest.mark.parametrize("sign", ["A", "B", "C", "D", "E", "F"])
def test_packed_sign_nibbles(tmp_path, sign):
    same(Case([master(key(1), chotei=packed(70_000, sign=sign)),
               master(key(2), nofu=packed(1_000, sign=sign))]), tmp_path)


@pytest.mark.parametrize("due", BAD_DATES + [b"00010101", b"99991231", b"99991215"])
def test_due_dates(tmp_path, due):
    same(Case([master(key(1), due=due)], rates=[rate(10101, 2500, 8800)]), tmp_path)


def test_due_before_parm_far_future(tmp_path):
    masters = [master(key(1), due=b"99991130"), master(key(2), due=b"99991231")]
    same(Case(masters, rates=[rate(10101, 2500, 8800)], parm="99991231,0100"), tmp_path)


@pytest.mark.parametrize("rates, tail", [
    ([], b""),                                                          # empty
    ([rate(20220101, 2400, 8700), rate(20210101, 2500, 8800)], b""),    # unordered
    ([rate(20210101, 2500, 8800), rate(20210101, 2500, 8800)], b""),    # duplicate
    ([rate(20210229, 2500, 8800)], b""),                                # not a date
    ([rate(b"2021010 ", 2500, 8800)], b""),
    ([rate(20210101, b"0250 ", 8800)], b""),
    ([rate(20210101, 2500, b"-8800")], b""),
    ([rate(b"00000101", 2500, 8800)], b""),
    (list(CITY_TABLE), b"20270101"),                                    # wrong length
    ([rate(20210101, 2500, 8800), rate(b"ABCDEFGH", 1, 1)], b"2027"),   # invalid before short
    ([rate(19000101 + i * 10000, 1000 + i, 2000 + i) for i in range(100)], b""),
    ([rate(19000101 + i * 10000, 1000 + i, 2000 + i) for i in range(101)], b""),
    ([rate(20210101, 2500, 8800, filler=b"XY")], b""),                  # filler not checked
    ([rate(20210101, 0, 0)], b""),
])
def test_rate_tables(tmp_path, rates, tail):
    masters = [master(key(1), due=b"20250531"), master(key(2), due=b"20211015", chotei=2_000_000)]
    case = Case(masters, rates=rates)
    case.rate_tail = tail
    same(case, tmp_path)


def test_processing_date_before_the_first_period(tmp_path):
    masters = [master(key(1), due=b"20200101"), master(key(2), due=b"20200301")]
    same(Case(masters, parm="20200201,0100"), tmp_path)


@pytest.mark.parametrize("where", [1, 2, 5])
def test_sequence_errors(tmp_path, where):
    masters = [master(key(i)) for i in range(6)]
    masters.insert(where, masters[where - 1])
    res = same(Case(masters), tmp_path)
    assert res.rc == 16 and b"SEQUENCE ERROR ON MASTER-IN" in res.files["REPORT"]


def test_sequence_error_on_an_unconsidered_record(tmp_path):
    masters = [master(key(2), jotai=b"9"), master(key(1), jotai=b"2")]
    same(Case(masters), tmp_path)


def test_empty_master(tmp_path):
    res = same(Case([]), tmp_path)
    assert res.rc == 0 and res.files["MASTER-OUT"] == b""


@pytest.mark.parametrize("count", [0, 1, 3])
def test_wrong_length_master(tmp_path, count):
    same(Case([master(key(i)) for i in range(count)], master_tail=b"20250"), tmp_path)


def test_sequence_error_before_the_short_record(tmp_path):
    masters = [master(key(2)), master(key(1))]
    same(Case(masters, master_tail=b"2025"), tmp_path)


@pytest.mark.parametrize("parm", [None, "", "20260131", "20260131,100", "20260131,01000",
                                  "20260131 0100", "20260230,0100", "00000131,0100", "20260131,01O0",
                                  "20260131,0100   ", "20260131,0100 X", "2026-01-31,0100",
                                  "20240229,0000", "20260131,-100", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"])
def test_parm(tmp_path, parm):
    same(Case([master(key(1), due=b"20251130")], parm=parm), tmp_path)


@pytest.mark.parametrize("dd", ["MASTER-IN", "RATE-IN", "MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT",
                                "ERROR-OUT", "REPORT"])
def test_dd_not_allocated(tmp_path, dd):
    res = same(Case([master(key(1))], missing=(dd,)), tmp_path)
    assert res.rc == 16


def test_missing_input_files(tmp_path):
    from engine.migration.legacy import run_legacy
    from jobs.collection.entai01 import entai01
    from tests.conftest import LEGACY
    reports = []
    for side in ("legacy", "densan"):
        out = tmp_path / side
        out.mkdir()
        for missing in ("MASTER-IN", "RATE-IN"):
            dds = {"MASTER-IN": LEGACY / "samples/ENTAI01/master-in.dat",
                   "RATE-IN": LEGACY / "samples/ENTAI01/rate-in.dat",
                   **{dd: out / f"{missing}.{dd}" for dd in ("MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT",
                                                             "ERROR-OUT", "REPORT")}}
            dds[missing] = tmp_path / "no-such-file"
            if side == "legacy":
                rc = run_legacy("ENTAI01", dds, "20260131,0100", legacy_dir=LEGACY).rc
            else:
                rc = entai01(**{k.lower().replace("-", "_"): v for k, v in dds.items()},
                             parm="20260131,0100").rc
            reports.append((missing, rc, dds["REPORT"].read_bytes()))
    assert reports[:2] == reports[2:]
    assert all(r[1] == 16 for r in reports)


@pytest.mark.parametrize("seed", range(60))
def test_generated_cases(tmp_path, seed):
    same(generate(seed), tmp_path)


def test_many_items_one_run(tmp_path):
    """A few thousand generated items in one run (all the figures of the report)."""
    import random
    rnd = random.Random(7)
    masters = []
    for n in range(4000):
        due = f"{rnd.randint(2021, 2026)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}".encode()
        masters.append(master(key(n), due=due, chotei=rnd.randint(1, 3_000_000),
                              nofu=rnd.choice([0, 0, rnd.randint(0, 1_000_000)]),
                              jotai=rnd.choice([b"0", b"1", b"2"]),
                              toku=rnd.choice([b"00000000", b"20250101"])))
    same(Case(masters), tmp_path)
