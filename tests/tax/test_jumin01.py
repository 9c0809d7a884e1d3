"""JUMIN01, the resident tax (普通徴収): hand-computed amounts for the 非課税 limits,
the truncations, the per-capita levy by year and the installment remainder."""
from __future__ import annotations

import pytest

from jobs.tax.jumin01 import Rules, assess
from tests.tax.records import items, noki, taxpayer

A, B = 1000000201, 1000000202
DUE = ("20250630", "20250901", "20251031", "20260202")


def run(tmp_path, payers, parm="202520250601", noki_in=None, **kw):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "p.dat").write_bytes(b"".join(payers))
    (tmp_path / "n.dat").write_bytes(noki_in if noki_in is not None else noki(*DUE))
    out = {k: tmp_path / f"{k}.out" for k in ("chotei", "notice", "error", "report")}
    rc, t, _ = assess(taxpayer_in=tmp_path / "p.dat", noki_in=tmp_path / "n.dat", chotei_out=out["chotei"],
                      notice_out=out["notice"], error_out=out["error"], report=out["report"], parm=parm, **kw)
    return rc, t, {k: p.read_bytes() if p.exists() else None for k, p in out.items()}


def amounts(tmp_path, payer, parm="202520250601", **kw):
    rc, _, out = run(tmp_path, [payer], parm, **kw)
    assert rc == 0
    return [i[3] for i in items(out["chotei"])]


@pytest.mark.parametrize("income, expected", [
    (450_000, []),                                   # single: both 非課税 at 450,000
    (450_001, [4_000, 1_000, 1_000, 1_000]),         # 20,001 -> 20,000 x 10 % = 2,000 + 5,000
])
def test_single_limits(tmp_path, income, expected):
    assert amounts(tmp_path, taxpayer(A, income=income, kojo=430_000)) == expected


@pytest.mark.parametrize("income, kojo, expected", [
    (1_010_000, 0, []),                              # 350,000 x 2 + 100,000 + 210,000
    (1_010_001, 0, [2_000, 1_000, 1_000, 1_000]),    # 均等割 5,000 only: 所得割 limit 1,120,000
    (1_120_000, 0, [2_000, 1_000, 1_000, 1_000]),
    (1_120_001, 1_100_000, [4_000, 1_000, 1_000, 1_000]),
])
def test_limits_with_a_dependant(tmp_path, income, kojo, expected):
    assert amounts(tmp_path, taxpayer(A, income=income, kojo=kojo, fuyo=1)) == expected


def test_non_taxable_person_limit(tmp_path):
    assert amounts(tmp_path / "a", taxpayer(A, income=1_350_000, kojo=430_000, hikazei=b"1")) == []
    # 920,001 -> 920,000: 55,200 + 36,800 = 92,000; + 5,000 = 97,000 = 25,000 + 24,000 x 3
    assert amounts(tmp_path / "b", taxpayer(A, income=1_350_001, kojo=430_000, hikazei=b"1")) == \
        [25_000, 24_000, 24_000, 24_000]


def test_truncations_and_credits(tmp_path):
    # 1,234,567 -> 1,234,000: 74,040 + 49,360 - 55 = 123,345 -> 123,300; + 5,000 = 128,300
    assert amounts(tmp_path, taxpayer(A, income=1_664_567, kojo=430_000, credit=55)) == \
        [32_300, 32_000, 32_000, 32_000]


def test_per_capita_levy_before_the_forest_tax_and_the_prefecture_addition(tmp_path):
    assert amounts(tmp_path / "a", taxpayer(A, income=460_000, kojo=460_000), "202320230601") == \
        [1_000, 1_000, 1_000, 1_000]
    assert amounts(tmp_path / "b", taxpayer(A, income=460_000, kojo=460_000),
                   rules=Rules(kinto_extra=1_400)) == [3_400, 1_000, 1_000, 1_000]


def test_small_installments_in_100_yen_units_or_one(tmp_path):
    p = taxpayer(A, income=463_000, kojo=460_000)                 # 3,000 -> 300; 均等割 2,000
    cheap = Rules(kinto_city=1_000, forest_tax=0)
    assert amounts(tmp_path / "a", p, rules=cheap) == [800, 500, 500, 500]
    assert amounts(tmp_path / "b", p, rules=Rules(kinto_city=1_000, forest_tax=0, small_unit=None)) == [2_300]


def test_the_u_rule_is_a_parameter(tmp_path):
    p = taxpayer(A, income=600_000, kojo=430_000)      # single, 所得割 limit 450,000 or 770,000
    assert amounts(tmp_path / "a", p) == [7_000, 5_000, 5_000, 5_000]       # 170,000 -> 17,000 + 5,000 = 22,000
    assert amounts(tmp_path / "b", p, rules=Rules(shotoku_single_add=320_000)) == [2_000, 1_000, 1_000, 1_000]


def test_items_notices_and_special_collection(tmp_path):
    rc, t, out = run(tmp_path, [taxpayer(A, income=5_000_000, kojo=1_500_000, credit=2_500),
                                taxpayer(B, income=5_000_000, choshu=b"2")], first_notice=7)
    # 3,500,000: 210,000 + 140,000 - 2,500 = 347,500; + 5,000 = 352,500 = 88,500 + 88,000 x 3
    assert items(out["chotei"]) == [(b"0100000007", f"{k:02d}".encode(), b"1000000201", a)
                                    for k, a in zip(range(1, 5), (88_500, 88_000, 88_000, 88_000))]
    assert [out["chotei"][i + 28:i + 36] for i in range(0, 400, 100)] == [d.encode() for d in DUE]
    assert t.special == 1 and b"NOTICE NO. 0100000007" in out["notice"]


def test_every_reason_and_abnormal_ends(tmp_path):
    rc, t, out = run(tmp_path / "a", [taxpayer(A, income=b"0000000100 "), taxpayer(A + 1, choshu=b"3"),
                                      taxpayer(A + 2, hikazei=b"X")])
    assert rc == 4 and [out["error"][i + 100:i + 102] for i in (0, 120, 240)] == [b"IV", b"CK", b"FL"]
    assert run(tmp_path / "b", [taxpayer(B), taxpayer(A)])[0] == 16
    assert run(tmp_path / "c", [taxpayer(A)], noki_in=noki(*DUE[:3]))[0] == 16
