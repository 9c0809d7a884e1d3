"""KEIJI01, the light-vehicle tax: hand-computed amounts for every class and boundary
(13th year, 2015-03 / 2015-04 first registrations, owner on 1 April, 減免)."""
from __future__ import annotations

import pytest

from jobs.tax.keiji01 import assess
from tests.tax.records import items, noki, vehicle

A, B, C = 1000000101, 1000000102, 1000000103
DUE = "20250602"


def run(tmp_path, vehicles, parm="202520250401", noki_in=None, **kw):
    (tmp_path / "v.dat").write_bytes(b"".join(vehicles))
    (tmp_path / "n.dat").write_bytes(noki_in if noki_in is not None else noki(DUE))
    out = {k: tmp_path / f"{k}.out" for k in ("chotei", "notice", "error", "report")}
    rc, t, _ = assess(vehicle_in=tmp_path / "v.dat", noki_in=tmp_path / "n.dat", chotei_out=out["chotei"],
                      notice_out=out["notice"], error_out=out["error"], report=out["report"], parm=parm, **kw)
    return rc, t, {k: p.read_bytes() if p.exists() else None for k, p in out.items()}


def tax_of(tmp_path, rec, parm="202520250401"):
    rc, _, out = run(tmp_path, [rec], parm)
    assert rc == 0
    return sum(i[3] for i in items(out["chotei"]))


@pytest.mark.parametrize("cls, rate", [(1, 2_000), (2, 2_000), (3, 2_400), (4, 3_700), (5, 2_400),
                                       (6, 5_900), (7, 3_600), (8, 6_000)])
def test_one_rate_classes(tmp_path, cls, rate):
    assert tax_of(tmp_path, vehicle(A, cls=cls)) == rate


# FY2025: first registration up to 2012-03 is in its 13th year (heavier), 2012-04 not yet
@pytest.mark.parametrize("cls, old, new, heavy", [(11, 3_100, 3_900, 4_600), (12, 7_200, 10_800, 12_900),
                                                  (13, 5_500, 6_900, 8_200), (14, 4_000, 5_000, 6_000),
                                                  (15, 3_000, 3_800, 4_500)])
def test_three_and_four_wheelers_by_first_registration(tmp_path, cls, old, new, heavy):
    assert tax_of(tmp_path / "a", vehicle(A, cls=cls, reg=201503)) == old
    assert tax_of(tmp_path / "b", vehicle(A, cls=cls, reg=201504)) == new
    assert tax_of(tmp_path / "c", vehicle(A, cls=cls, reg=201203)) == heavy
    assert tax_of(tmp_path / "d", vehicle(A, cls=cls, reg=201204)) == old
    assert tax_of(tmp_path / "e", vehicle(A, cls=cls, reg=201203, nenryo=b"1")) == old    # electric: no 重課


@pytest.fixture(autouse=True)
def _dirs(tmp_path):
    for d in "abcde":
        (tmp_path / d).mkdir()


def test_the_13th_year_moves_with_the_fiscal_year(tmp_path):
    assert tax_of(tmp_path / "a", vehicle(A, reg=201303), "202620260401") == 12_900
    assert tax_of(tmp_path / "b", vehicle(A, reg=201304), "202620260401") == 7_200


def test_owner_on_1_april(tmp_path):
    vs = [vehicle(A, "A1", 1, shutoku=20250401), vehicle(A, "A2", 1, shutoku=20250402),
          vehicle(A, "A3", 1, haisha=20250401), vehicle(A, "A4", 1, haisha=20250402),
          vehicle(B, "B1", 1, shutoku=20250402)]
    rc, t, out = run(tmp_path, vs)
    assert items(out["chotei"]) == [(b"0300000001", b"01", b"1000000101", 4_000)]
    assert t.not_owned == 3


def test_exempt_vehicle_listed_with_tax_0(tmp_path):
    rc, t, out = run(tmp_path, [vehicle(A, "A1", 12, reg=201504, genmen=b"1"), vehicle(A, "A2", 3),
                                vehicle(B, "B1", 12, reg=201504, genmen=b"1")])
    assert items(out["chotei"]) == [(b"0300000001", b"01", b"1000000101", 2_400)]
    assert b"GENMEN" in out["notice"] and t.genmen == 2


def test_one_item_per_owner_due_end_of_may_numbers_from_first(tmp_path):
    vs = [vehicle(A, "A1", 12, reg=201504), vehicle(A, "A2", 7), vehicle(C, "C1", 14, reg=200001)]
    rc, t, out = run(tmp_path, vs, first_notice=41)
    assert items(out["chotei"]) == [(b"0300000041", b"01", b"1000000101", 14_400),
                                    (b"0300000042", b"01", b"1000000103", 6_000)]
    assert out["chotei"][28:36] == DUE.encode()
    assert out["chotei"][:6] == b"202503"
    assert out["notice"].count(b"=" * 100) == 1 and b"NOTICE NO. 0300000042" in out["notice"]


def test_every_reason(tmp_path):
    vs = [vehicle(A, "A1", b"1A"), vehicle(A, "A2", 9), vehicle(A, "A3", 12, reg=201513),
          vehicle(A, "A4", 1, shutoku=20250230), vehicle(A, "A5", 1, haisha=20251301),
          vehicle(A, "A6", 1, genmen=b"2"), vehicle(A, "A7", 1, nenryo=b" ")]
    rc, t, out = run(tmp_path, vs)
    assert rc == 4
    e = out["error"]
    assert [e[i + 100:i + 102] for i in range(0, len(e), 120)] == [b"IV", b"CL", b"DT", b"DT", b"DT", b"FL", b"FL"]
    assert out["chotei"] == b""


def test_abnormal_ends(tmp_path):
    assert run(tmp_path / "a", [vehicle(B), vehicle(A)])[0] == 16
    assert run(tmp_path / "b", [vehicle(A)], noki_in=noki(DUE, DUE))[0] == 16
    rc, _, out = run(tmp_path / "c", [vehicle(A)], parm="2025")
    assert rc == 16 and b"*** ABNORMAL END ***" in out["report"]


def test_file_abends_in_the_legacy_shell_s_words(tmp_path):
    """The engine's legacy shell: not allocated, READ 30 on a directory, OPEN 37 on an
    output that is one, a wrong-length record (04) with the file's size; RC 16."""
    (tmp_path / "dir").mkdir()
    rc, _, log = assess(vehicle_in=tmp_path / "dir", noki_in=None, chotei_out=tmp_path / "chotei",
                        notice_out=tmp_path / "notice", error_out=tmp_path / "error", report=tmp_path / "r",
                        parm="202520250401")
    assert rc == 16 and log == ["KEIJI01  READ ERROR ON DD VEHICLE-IN AT RECORD 1, FILE STATUS 30",
                                f"KEIJI01    PATH: {tmp_path}/dir", "KEIJI01  ABNORMAL END, RETURN CODE 16"]
    report = (tmp_path / "r").read_bytes().splitlines()
    assert report[3:] == [b"", b"*** ABNORMAL END ***", b"READ ERROR ON DD VEHICLE-IN AT RECORD 1, FILE STATUS 30",
                          f"  PATH: {tmp_path}/dir".encode(), b"",
                          b"KEIJI01 ENDED RETURN CODE  16   (ABNORMAL END - OUTPUTS MUST NOT BE CATALOGED)",
                          b"*** END OF REPORT ***"]
    (tmp_path / "v.dat").write_bytes(vehicle(A) + b"X")
    _, _, log = assess(vehicle_in=tmp_path / "v.dat", noki_in=None, chotei_out=tmp_path / "chotei",
                       notice_out=tmp_path / "notice", error_out=tmp_path / "error", report=tmp_path / "r", parm="202520250401")
    assert log[:3] == ["KEIJI01  WRONG LENGTH RECORD ON DD VEHICLE-IN AT RECORD 2, FILE STATUS 04",
                       f"KEIJI01    PATH: {tmp_path}/v.dat",
                       "KEIJI01    THE FILE SIZE 101 IS NOT A MULTIPLE OF THE RECORD LENGTH 100"]
    (tmp_path / "v.dat").write_bytes(vehicle(A))
    (tmp_path / "n.dat").write_bytes(noki(DUE))
    _, _, log = assess(vehicle_in=tmp_path / "v.dat", noki_in=None, chotei_out=tmp_path / "chotei",
                       notice_out=tmp_path / "notice", error_out=tmp_path / "error", report=tmp_path / "r", parm="202520250401")
    assert log[0] == "KEIJI01  DD NOKI-IN NOT ALLOCATED: ENVIRONMENT VARIABLE NOKI_IN IS NOT SET"
    _, _, log = assess(vehicle_in=tmp_path / "v.dat", noki_in=tmp_path / "n.dat", chotei_out=tmp_path / "chotei",
                       notice_out=tmp_path / "dir", error_out=tmp_path / "error", report=tmp_path / "r",
                       parm="202520250401")
    assert log[:2] == ["KEIJI01  OPEN ERROR ON DD NOTICE-OUT, FILE STATUS 37", f"KEIJI01    PATH: {tmp_path}/dir"]
