"""densan's KOTEI01 against the legacy program run by GnuCOBOL, on inputs built to
touch every rule, reason code and abnormal end, and on seeded random cases: same
return code, same REPORT bytes, and (when not RC 16) the same CHOTEI-OUT,
NOTICE-OUT and ERROR-OUT bytes."""
from __future__ import annotations

import pytest

from tests.conftest import LEGACY, requires_cobc
from tests.kotei01.cases import (DUE, Case, assert_same, generate, house, land, noki,
                                 run_densan_case, run_legacy_case, sorted_case)

pytestmark = requires_cobc

A, B, C, D = 1000000101, 1000000102, 1000000103, 1000000104


def same(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    densan = run_densan_case(case, tmp_path)
    assert_same(legacy, densan, case)
    return densan


def items(chotei: bytes) -> list[tuple[bytes, bytes, int]]:
    """(notice number, 期別, amount) of each CHOTEI-OUT record."""
    out = []
    for i in range(0, len(chotei), 100):
        r = chotei[i:i + 100]
        out.append((r[6:16], r[16:18], int(r[36:42].hex()[:-1])))
    return out


def test_the_legacy_sample(tmp_path):
    s = LEGACY / "samples" / "KOTEI01"
    lands = [s.joinpath("land-in.dat").read_bytes()[i:i + 100] for i in range(0, 1200, 100)]
    houses = [s.joinpath("house-in.dat").read_bytes()[i:i + 100] for i in range(0, 800, 100)]
    res = same(Case(lands, houses), tmp_path)
    assert res.rc == 4
    assert res["CHOTEI-OUT"] == s.joinpath("chotei-out.dat").read_bytes()
    assert res["NOTICE-OUT"] == s.joinpath("notice-out.txt").read_bytes()


@pytest.mark.parametrize("value, base, tax", [(300_000, 300_000, 4_200), (299_999, 0, 0),
                                              (300_999, 300_000, 4_200), (301_000, 301_000, 4_200)])
def test_land_menzeiten(tmp_path, value, base, tax):
    res = same(Case([land(A, hyoka=value)], []), tmp_path)
    assert sum(a for _, _, a in items(res["CHOTEI-OUT"])) == tax
    assert (b"BELOW MENZEITEN 300,000" in res["NOTICE-OUT"]) is False   # no notice when tax 0


@pytest.mark.parametrize("value, tax", [(200_000, 2_800), (199_999, 0), (200_999, 2_800)])
def test_house_menzeiten(tmp_path, value, tax):
    res = same(Case([], [house(A, hyoka=value)]), tmp_path)
    assert sum(a for _, _, a in items(res["CHOTEI-OUT"])) == tax


def test_land_under_menzeiten_with_houses_taxed(tmp_path):
    res = same(Case([land(A, hyoka=299_999)], [house(A, hyoka=8_815_000)]), tmp_path)
    assert b"BELOW MENZEITEN 300,000" in res["NOTICE-OUT"]
    assert [a for _, _, a in items(res["CHOTEI-OUT"])] == [33_400, 30_000, 30_000, 30_000]


def test_houses_under_menzeiten_with_land_taxed(tmp_path):
    res = same(Case([land(A, hyoka=5_000_000)], [house(A, "K1", hyoka=100_000), house(A, "K2", hyoka=99_999)]),
               tmp_path)
    assert b"BELOW MENZEITEN 200,000" in res["NOTICE-OUT"]


def test_land_only_houses_only_both(tmp_path):
    res = same(sorted_case([land(A, hyoka=1_000_000), land(C, hyoka=2_000_000)],
                           [house(B, hyoka=3_000_000), house(C, hyoka=4_000_000)]), tmp_path)
    notice = res["NOTICE-OUT"].split(b"=" * 100)
    assert [b"LAND (TOCHI)" in n for n in notice] == [True, False, True]
    assert [b"HOUSES (KAOKU)" in n for n in notice] == [False, True, True]


@pytest.mark.parametrize("jutaku, value, kazei", [(b"1", 1_800_005, 300_000), (b"1", 1_799_999, 299_999),
                                                  (b"2", 900_002, 300_000), (b"2", 899_999, 299_999),
                                                  (b"0", 300_000, 300_000)])
def test_ratios_truncate_per_parcel(tmp_path, jutaku, value, kazei):
    res = same(Case([land(A, "P1", hyoka=value, jutaku=jutaku), land(A, "P2", hyoka=value, jutaku=jutaku)], []),
               tmp_path)
    assert f"{kazei:,}".encode() in res["NOTICE-OUT"]


def test_single_installment_and_exact_quarters(tmp_path):
    res = same(sorted_case([land(A, hyoka=300_000)], [house(B, hyoka=285_714), house(C, hyoka=2_000_000),
                                                      house(D, hyoka=286_000)]), tmp_path)
    assert items(res["CHOTEI-OUT"]) == [
        (b"0200000001", b"01", 1_200), (b"0200000001", b"02", 1_000), (b"0200000001", b"03", 1_000),
        (b"0200000001", b"04", 1_000), (b"0200000002", b"01", 3_900),
        (b"0200000003", b"01", 7_000), (b"0200000003", b"02", 7_000), (b"0200000003", b"03", 7_000),
        (b"0200000003", b"04", 7_000), (b"0200000004", b"01", 1_000), (b"0200000004", b"02", 1_000),
        (b"0200000004", b"03", 1_000), (b"0200000004", b"04", 1_000)]


def test_non_taxable_records_and_names(tmp_path):
    """The name is that of the first accepted record, non-taxable or not."""
    lands = [land(A, "P1", name="REJECTED NAME", hyoka=b"0000000001 "),
             land(A, "P2", name="NON TAXABLE NAME", hikazei=b"1"), land(A, "P3", name="THIRD", hyoka=9_999_999)]
    houses = [house(A, name="HOUSE NAME", hyoka=1_000_000), house(B, name="ONLY HIKAZEI", hikazei=b"1")]
    res = same(Case(lands, houses), tmp_path)
    assert b"NON TAXABLE NAME" in res["NOTICE-OUT"] and b"ONLY HIKAZEI" not in res["NOTICE-OUT"]


def test_every_reason_code(tmp_path):
    lands = [land(A, "P1", chiseki=b"0000 1000"), land(A, "P2", hikazei=b"2"), land(A, "P3", jutaku=b"3"),
             land(A, "P4", jutaku=b"9", hikazei=b"1"), land(A, "P5", shozai=b"10100p"),
             land(B, "P1", chimoku=b"+3", hikazei=b"X", jutaku=b"X")]
    houses = [house(A, "H1", nen=b"H10 "), house(A, "H2", hikazei=b" "), house(A, "H3", kozo=b"A1"),
              house(B, "H1", yoto=b"0-"), house(B, "H2", yuka=b"0001.00"), house(C, "H1", hyoka=b"0000010000A")]
    res = same(Case(lands, houses), tmp_path)
    assert res.rc == 4
    err = res["ERROR-OUT"]
    assert [err[i + 100:i + 103] for i in range(0, len(err), 120)] == [
        b"TIV", b"TNT", b"TRC", b"TRC", b"TIV", b"KIV", b"KNT", b"KIV", b"TIV", b"KIV", b"KIV", b"KIV"]


def test_owner_numbers_that_are_not_digits(tmp_path):
    lands = [land(b"100000010 ", hyoka=9_000_000), land(b"10000001A1", hyoka=9_000_000), land(A, hyoka=9_000_000)]
    same(sorted_case(lands, [house(b"ZZZZZZZZZZ")]), tmp_path)


def test_empty_inputs(tmp_path):
    res = same(Case([], []), tmp_path)
    assert res.rc == 0 and res["CHOTEI-OUT"] == b"" and res["NOTICE-OUT"] == b""


@pytest.mark.parametrize("records", [noki(DUE[:3]), noki(DUE + ("20260331",)), noki(()),
                                     noki(("20250431",) + DUE[1:]), noki(DUE, ["01", "02", "04", "03"]),
                                     noki(DUE, ["01", "02", "03", "4 "]), noki(DUE)[:-1], noki(DUE) + b"05",
                                     noki(("20250229",) + DUE[1:]), noki(("20240229",) + DUE[1:]),
                                     noki(("00000430",) + DUE[1:])])
def test_due_date_files(tmp_path, records):
    same(Case([land(A)], [], noki=records), tmp_path)


@pytest.mark.parametrize("parm", [None, "", "2025", "20252025040", "000020250401", "202520250229",
                                  "202420240229", "202520250401X", "202520250401        Z",
                                  " 20252025040", "2025202504O1", "999999991231"])
def test_parm(tmp_path, parm):
    same(Case([land(A)], [], parm=parm), tmp_path)


@pytest.mark.parametrize("where", ["land", "house"])
def test_sequence_errors(tmp_path, where):
    recs = [land(A, "P2"), land(A, "P1")] if where == "land" else [house(B, "K2"), house(B, "K1")]
    case = Case(recs if where == "land" else [land(A)], recs if where == "house" else [house(A)])
    res = same(case, tmp_path)
    assert res.rc == 16


def test_the_first_abnormal_end_in_read_order(tmp_path):
    """A house sequence error of an earlier owner comes before a land one of a later owner."""
    same(Case([land(A), land(C, "P2"), land(C, "P1")], [house(B, "K2"), house(B, "K1")]), tmp_path)
    same(Case([land(B, "P2"), land(B, "P1")], [house(A), house(C, "K2"), house(C, "K1")]), tmp_path / "2")
    same(Case([land(A), land(A)], [house(A, "K2"), house(A, "K1")]), tmp_path / "3")
    same(Case([land(A), land(B)], [house(A)], house_tail=b"10"), tmp_path / "4")
    same(Case([land(A), land(B)], [house(A)], land_tail=b"10"), tmp_path / "5")
    same(Case([], [], land_tail=b"10", house_tail=b"1"), tmp_path / "6")


def test_high_values_owner_ends_a_master(tmp_path):
    hv = b"\xff" * 10
    same(Case([land(A), land(hv, "P1"), land(B)], [house(A), house(C)]), tmp_path)


def test_amounts_beyond_the_notice_pictures(tmp_path):
    lands = [land(A, f"{i:05d}-0001", hyoka=99_999_999_999) for i in range(10)] + [land(A, "99999-9999", hyoka=10)]
    lands += [land(B, f"{i:05d}-0001", hyoka=99_999_999_999) for i in range(21)]
    same(Case(lands, []), tmp_path)


def test_more_than_9999_taxable_parcels(tmp_path):
    lands = [land(A, f"{i:05d}-0001", hyoka=1_000) for i in range(10_000)]
    res = same(Case(lands, [house(A)]), tmp_path)
    assert res.rc == 16


def test_missing_dds(tmp_path):
    for i, dd in enumerate(("REPORT", "LAND-IN", "NOKI-IN", "CHOTEI-OUT", "NOTICE-OUT")):
        same(Case([land(A)], [], missing=(dd,)), tmp_path / str(i))


@pytest.mark.parametrize("seed", range(50))
def test_generated_cases(tmp_path, seed):
    same(generate(seed), tmp_path)
