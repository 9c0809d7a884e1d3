"""densan's SUIDO01 against the legacy program run by GnuCOBOL, on inputs built to
touch every rule, reason code, tariff fault and abnormal end, and on seeded
random cases: same return code, same REPORT bytes, and (when not RC 16) the same
CUST-OUT, CHOTEI-OUT, BILL-OUT and ERROR-OUT bytes."""
from __future__ import annotations

import pytest

from tests.conftest import requires_cobc
from tests.suido01.cases import (BAD_DATES, BAD_DIGITS, BAD_PARMS, DIAMETERS, GOOD_DATES,
                                 MALFORMED_TARIFFS, OTHER_TOWN, SHICHIGAHAMA, Case, assert_same,
                                 customer, generate, reading, run_densan_case, run_legacy_case,
                                 t_band, tap)

pytestmark = requires_cobc


def same(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    densan = run_densan_case(case, tmp_path)
    assert_same(legacy, densan, case)
    return legacy


def reasons(out) -> list[bytes]:
    e = out["ERROR-OUT"]
    return [e[i + 40:i + 42] for i in range(0, len(e), 60)]


def test_empty_inputs(tmp_path):
    res = same(Case([], []), tmp_path)
    assert res.rc == 0 and res["CUST-OUT"] == b"" and res["BILL-OUT"] == b""


def test_customers_without_readings_are_written_as_read(tmp_path):
    cs = [customer(tap(1), filler=b"X" * 26), customer(tap(2), jotai=b"9"), customer(tap(3), gesui=b"7")]
    res = same(Case(cs, []), tmp_path)
    assert res["CUST-OUT"] == b"".join(cs)


@pytest.mark.parametrize("tariff", ["shichigahama", "other-town"])
def test_band_boundaries(tmp_path, tariff):
    """Each month's usage on both sides of every band edge (10/11, 20/21, 50/51, the
    sewer's 30/31, 60/61, 100/101, 500/501) and odd totals (the odd m3 in month 2)."""
    months = [0, 1, 8, 9, 10, 11, 12, 20, 21, 22, 30, 31, 40, 41, 50, 51, 60, 61, 100, 101, 500, 501, 999, 1000]
    usages = sorted({2 * m for m in months} | {2 * m + 1 for m in months if 2 * m + 1 <= 2000})
    cs, rs = [], []
    for i, u in enumerate(usages):
        cs.append(customer(tap(i), kokei=DIAMETERS[i % 6], gesui=b"01"[i % 2:i % 2 + 1] if i % 5 else b"1",
                           zenkai=1000))
        rs.append(reading(tap(i), konkai=(1000 + u) % 10000))
    res = same(Case(cs, rs, tariff=list(SHICHIGAHAMA if tariff == "shichigahama" else OTHER_TOWN)), tmp_path)
    assert res.rc == (0 if tariff == "shichigahama" else 4)      # the other town has no 30 mm


def test_every_diameter_and_an_unknown_one(tmp_path):
    cs = [customer(tap(i), kokei=k, zenkai=500) for i, k in enumerate(DIAMETERS + (0, 999, 14))]
    rs = [reading(tap(i), konkai=540) for i in range(len(cs))]
    res = same(Case(cs, rs), tmp_path)
    assert reasons(res) == [b"TF"] * 4


def test_wrap_exchange_and_zero_usage(tmp_path):
    cs = [customer(tap(i), zenkai=z) for i, z in enumerate([9990, 9999, 0, 1200, 1200, 1200, 40, 9000, 5])]
    rs = [reading(tap(0), konkai=15), reading(tap(1), konkai=0), reading(tap(2), konkai=9999),
          reading(tap(3), konkai=20, kokan=b"1", kyu=1234, shin=0),
          reading(tap(4), konkai=3, kokan=b"1", kyu=1100, shin=9998),       # both segments wrap
          reading(tap(5), konkai=1200, kokan=b"1", kyu=1200, shin=1200),    # exchange, zero usage
          reading(tap(6), konkai=40),
          reading(tap(7), konkai=8000, kokan=b"0", kyu=b"ABCD", shin=b"    "),  # fields not looked at
          reading(tap(8), konkai=4, kokan=b"1", kyu=5, shin=0)]
    res = same(Case(cs, rs), tmp_path)
    assert reasons(res) == [b"HV", b"HV", b"HV"]         # taps 2, 4 and 7


def test_every_reason_code_and_their_order(tmp_path):
    """NF < CL < DU < IV < DT < HV < TF: each reading fails the later checks too, and
    reports the first."""
    cs = [customer(tap(1), jotai=b"9", kokei=999), customer(tap(2), kokei=999),
          customer(tap(3), kokei=999), customer(tap(4), kokei=999), customer(tap(5), kokei=999),
          customer(tap(6), kokei=999)]
    bad = dict(date=20250230, konkai=b"12X4")
    rs = [reading(tap(0), **bad),                                    # NF
          reading(tap(1), **bad),                                    # CL
          reading(tap(2), konkai=1300), reading(tap(2), **bad),      # TF, then DU
          reading(tap(3), date=20250230, konkai=9999, kokan=b"1", kyu=b"1 34", shin=0),   # IV
          reading(tap(4), date=20250230, konkai=9999),               # DT
          reading(tap(5), date=20250521, konkai=9999),               # HV
          reading(tap(6), konkai=1300)]                              # TF
    res = same(Case(cs, rs), tmp_path)
    assert reasons(res) == [b"NF", b"CL", b"TF", b"DU", b"IV", b"DT", b"HV", b"TF"]
    assert res["CHOTEI-OUT"] == b""


@pytest.mark.parametrize("date", BAD_DATES + GOOD_DATES)
def test_reading_dates(tmp_path, date):
    cs = [customer(tap(1), zenkai_bi=20250320), customer(tap(2), zenkai_bi=0)]
    same(Case(cs, [reading(tap(1), date=date), reading(tap(2), date=date)]), tmp_path)


@pytest.mark.parametrize("field", ["konkai", "kyu", "shin"])
@pytest.mark.parametrize("bad", BAD_DIGITS)
def test_invalid_reading_fields(tmp_path, field, bad):
    kw = {"kokan": b"1", "kyu": 1200, "shin": 0, "konkai": 10, field: bad}
    same(Case([customer(tap(1))], [reading(tap(1), **kw)]), tmp_path)


@pytest.mark.parametrize("flag", [b"0", b"1", b"2", b" ", b"Y", b"\x00"])
def test_exchange_flag(tmp_path, flag):
    same(Case([customer(tap(1))], [reading(tap(1), kokan=flag, kyu=1230, shin=0, konkai=7)]), tmp_path)


def test_duplicates_whatever_became_of_the_first(tmp_path):
    cs = [customer(tap(i)) for i in range(4)]
    rs = [reading(tap(0)), reading(tap(0)), reading(tap(0), konkai=1250),
          reading(tap(1), konkai=b"    "), reading(tap(1)),
          reading(tap(2), date=20250101), reading(tap(2)), reading(tap(2)),
          reading(tap(9)), reading(tap(9))]
    res = same(Case(cs, rs), tmp_path)
    assert reasons(res) == [b"DU", b"DU", b"IV", b"DU", b"DT", b"DU", b"DU", b"NF", b"NF"]


def test_closed_tap_stays_as_read(tmp_path):
    cs = [customer(tap(1), jotai=b"9"), customer(tap(2), jotai=b"1")]
    res = same(Case(cs, [reading(tap(1)), reading(tap(2))]), tmp_path)
    assert res["CUST-OUT"][:100] == cs[0] and reasons(res) == [b"CL"]


def test_no_sewer_and_odd_flags(tmp_path):
    cs = [customer(tap(i), gesui=g, kofuri=k) for i, (g, k) in
          enumerate([(b"0", b"0"), (b"1", b"1"), (b"2", b"X"), (b" ", b" "), (b"1", b"9")])]
    same(Case(cs, [reading(tap(i)) for i in range(5)]), tmp_path)


def test_names_and_fillers_carried(tmp_path):
    cs = [customer(tap(1), name=b"O'BRIEN-SMITH, J.R. #7 & CO.  ", filler=b"0123456789ABCDEFGHIJKLMNOP"),
          customer(tap(2), name=b" " * 30), customer(tap(3), name=b"abc def")]
    same(Case(cs, [reading(tap(i)) for i in (1, 2, 3)]), tmp_path)


@pytest.mark.parametrize("name", sorted(MALFORMED_TARIFFS))
def test_tariff_faults(tmp_path, name):
    tariff = MALFORMED_TARIFFS[name](list(SHICHIGAHAMA))
    res = same(Case([customer(tap(1))], [reading(tap(1), konkai=1320)], tariff=tariff), tmp_path)
    ok = name.endswith("-ok") or name in ("unused-fields-not-checked", "first-band-from-5")
    assert (res.rc < 16) == ok


def test_second_tariff(tmp_path):
    """Another town's table (basic charge covering the first 8 m3, sewer from 1 m3,
    record types interleaved): the tariff is data."""
    cs = [customer(tap(i), kokei=k, gesui=b"1", zenkai=100) for i, k in enumerate((13, 20, 25, 40, 50, 200))]
    rs = [reading(tap(i), konkai=100 + u) for i, u in enumerate((16, 17, 40, 81, 250, 7))]
    res = same(Case(cs, rs, tariff=list(OTHER_TOWN)), tmp_path)
    assert res.rc == 0


@pytest.mark.parametrize("parm", BAD_PARMS + ["20252025062025061020250630" + " " * 14 + "X",
                                              "20252026032026033120260331", "20262027012027011020270111"])
def test_parm(tmp_path, parm):
    same(Case([customer(tap(1))], [reading(tap(1))], parm=parm), tmp_path)


@pytest.mark.parametrize("dd", ["CUST-IN", "READ-IN", "TARIFF-IN", "CUST-OUT", "CHOTEI-OUT",
                                "BILL-OUT", "ERROR-OUT", "REPORT"])
def test_dd_not_allocated(tmp_path, dd):
    res = same(Case([customer(tap(1))], [reading(tap(1))], missing=(dd,)), tmp_path)
    assert res.rc == 16


def test_sequence_errors(tmp_path):
    c = [customer(tap(i)) for i in range(5)]
    r = [reading(tap(i)) for i in range(5)]
    res = same(Case([c[0], c[2], c[1]], r), tmp_path / "c")
    assert b"SEQUENCE ERROR ON CUST-IN AT RECORD 3" in res["REPORT"]
    res = same(Case([c[0], c[1], c[1]], r), tmp_path / "dup")
    assert b"SEQUENCE ERROR ON CUST-IN AT RECORD 3" in res["REPORT"]
    res = same(Case(c, [r[0], r[2], r[1]]), tmp_path / "r")
    assert b"SEQUENCE ERROR ON READ-IN AT RECORD 3" in res["REPORT"]
    # both out of order: the one the balance line reads first
    same(Case([c[0], c[3], c[1]], [r[0], r[2], r[1]]), tmp_path / "both1")
    same(Case([c[0], c[1], c[0]], [r[0], r[3], r[1]]), tmp_path / "both2")
    same(Case([c[0], c[2], c[1]], [r[2], r[1]]), tmp_path / "both3")


@pytest.mark.parametrize("where", ["CUST-IN", "READ-IN", "TARIFF-IN", "CUST-IN+READ-IN"])
@pytest.mark.parametrize("n", [0, 1, 3])
def test_wrong_length(tmp_path, where, n):
    c = [customer(tap(i)) for i in range(n)]
    r = [reading(tap(i)) for i in range(n)]
    tails = {dd: b"30000" for dd in where.split("+")}
    same(Case(c, r, tails=tails), tmp_path)


def test_wrong_length_against_a_sequence_error(tmp_path):
    c = [customer(tap(i)) for i in range(4)]
    r = [reading(tap(i)) for i in range(4)]
    same(Case(c, [r[0], r[3], r[1]], tails={"CUST-IN": b"3"}), tmp_path / "a")
    same(Case([c[0], c[2], c[1]], r, tails={"READ-IN": b"3"}), tmp_path / "b")
    same(Case(c[:1], [r[2], r[3], r[1]], tails={"CUST-IN": b"3"}), tmp_path / "c")


def test_high_values_keys(tmp_path):
    hv = b"\xff" * 10
    c = [customer(tap(i)) for i in range(4)]
    r = [reading(tap(i)) for i in range(4)]
    same(Case([c[0], c[1], hv + c[2][10:], c[3]], r), tmp_path / "c")
    same(Case(c, [r[0], r[1], hv + r[2][10:], r[3]]), tmp_path / "r")


def test_letters_in_reading_keys(tmp_path):
    c = [customer(tap(i)) for i in range(3)]
    r = sorted([reading(tap(0)), reading(b"30000000A0"), reading(b"          "), reading(tap(2))],
               key=lambda x: x[:10])
    res = same(Case(c, r), tmp_path)
    assert reasons(res).count(b"NF") == 2


def test_usage_sum_beyond_the_report_picture(tmp_path):
    """ZZZ,ZZZ,ZZ9 for the usage total: more than 9 digits would be cut; not reached
    by the data, but the tariff's highest rates reach a 12-digit amount line."""
    big = [(b"B", 20, 9_999_999)]
    tariff = [r for r in SHICHIGAHAMA if r[:1] != b"W" and r[:1] != b"S"] + [
        t_band(b"W", 1, 99999, 99999), t_band(b"S", 1, 99999, 99999)]
    cs = [customer(tap(i), zenkai=0, kokei=150) for i in range(300)]
    rs = [reading(tap(i), konkai=2000) for i in range(300)]
    assert big
    same(Case(cs, rs, tariff=tariff), tmp_path)


@pytest.mark.parametrize("seed", range(80))
def test_generated_cases(tmp_path, seed):
    same(generate(seed), tmp_path)
