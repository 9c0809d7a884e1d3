"""The worked examples of water-billing.md (the 七ヶ浜町 tariff), each its own test,
checked on densan's outputs alone: the amounts the spec computes by hand."""
from __future__ import annotations

import pytest

from tests.suido01.cases import Case, SHICHIGAHAMA, customer, reading, run_densan_case, tap


def run(tmp_path, cust, read):
    out = run_densan_case(Case([cust], [read]), tmp_path)
    return out


def amounts(out) -> dict[bytes, int]:
    """SH-KAMOKU -> SH-CHOTEI-GAKU of each CHOTEI-OUT record."""
    ch = out["CHOTEI-OUT"]
    res = {}
    for i in range(0, len(ch), 100):
        res[ch[i + 4:i + 6]] = int(ch[i + 36:i + 42].hex()[:-1])
    return res


def month_lines(out) -> list[str]:
    lines = out["BILL-OUT"].decode().splitlines()
    return [line for line in lines if line.startswith("  MONTH") or line.startswith("  TOTAL")]


def test_municipal_rules_example_20mm_20m3_a_month(tmp_path):
    """A: 20 mm, 1200 -> 1240: 20 + 20 m3; each month water 4,350 -> 4,780 and sewer
    2,300 -> 2,530 (municipal-rules.md: 'water ... → 4,780; sewer 2,300 → 2,530')."""
    out = run(tmp_path, customer(tap(1), kokei=20, zenkai=1200), reading(tap(1), konkai=1240))
    assert out.rc == 0
    assert month_lines(out)[0].split()[-4:] == ["20", "4,780", "2,530", "7,310"]
    assert month_lines(out)[1].split()[-4:] == ["20", "4,780", "2,530", "7,310"]
    assert amounts(out) == {b"11": 9_560, b"12": 5_060}
    assert "AMOUNT DUE      14,620 YEN" in out["BILL-OUT"].decode()


def test_b_odd_usage_goes_to_month_2(tmp_path):
    out = run(tmp_path, customer(tap(1), kokei=13, zenkai=530), reading(tap(1), konkai=551))
    assert [line.split()[-4:] for line in month_lines(out)] == [
        ["10", "1,980", "1,100", "3,080"], ["11", "2,220", "1,240", "3,460"], ["21", "4,200", "2,340", "6,540"]]
    assert amounts(out) == {b"11": 4_200, b"12": 2_340}


def test_c_wrap_around(tmp_path):
    out = run(tmp_path, customer(tap(1), kokei=20, zenkai=9990), reading(tap(1), konkai=15))
    assert amounts(out) == {b"11": 5_930, b"12": 2_900}
    assert out["CUST-OUT"][62:66] == b"0015"


def test_d_meter_exchange(tmp_path):
    out = run(tmp_path, customer(tap(1), kokei=30, zenkai=1200),
              reading(tap(1), konkai=20, kokan=b"1", kyu=1234, shin=0))
    assert amounts(out) == {b"11": 19_180, b"12": 7_060}
    assert out["CUST-OUT"][62:66] == b"0020"
    assert "METER EXCHANGE YES   OLD FINAL 1234   NEW START    0" in out["BILL-OUT"].decode()


def test_e_zero_usage_without_sewer(tmp_path):
    out = run(tmp_path, customer(tap(1), kokei=25, gesui=b"0", zenkai=40), reading(tap(1), konkai=40))
    assert amounts(out) == {b"11": 6_520}
    assert month_lines(out)[0].split()[-4:] == ["0", "3,260", "0", "3,260"]


@pytest.mark.parametrize("usage, billed", [(2000, True), (2001, False)])
def test_f_the_hv_limit(tmp_path, usage, billed):
    out = run(tmp_path, customer(tap(1), kokei=25, zenkai=700), reading(tap(1), konkai=700 + usage))
    assert (out.rc, bool(out["CHOTEI-OUT"])) == ((0, True) if billed else (4, False))
    if not billed:
        assert out["ERROR-OUT"][40:42] == b"HV"


def test_tax_truncated_to_10_yen(tmp_path):
    """Sample customer 17: 2 m3 = 1 + 1, 13 mm: water 1,440 x 1.1 = 1,584 -> 1,580."""
    out = run(tmp_path, customer(tap(1), kokei=13, zenkai=1000), reading(tap(1), konkai=1002))
    assert amounts(out) == {b"11": 3_160, b"12": 2_200}


def test_sample_tariff_is_the_spec_table():
    assert len(SHICHIGAHAMA) == 19


def test_bills_print_as_a_pdf_too(tmp_path):
    """The sample's twelve bills as the line file (byte for byte the legacy's) and
    as a PDF for people: one A4 sheet a bill, the font embedded."""
    from jobs.water.suido01 import bill
    from tests.conftest import LEGACY
    sample = LEGACY / "samples" / "SUIDO01"
    dds = {dd: sample / name for dd, name in (("CUST-IN", "cust-in.dat"), ("READ-IN", "read-in.dat"),
                                              ("TARIFF-IN", "tariff-in.dat"))}
    dds.update({dd: tmp_path / dd for dd in ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT", "REPORT")})
    res = bill(dds, "20252025062025061020250630", pdf=tmp_path / "bills.pdf")
    assert res.rc == 4
    assert (tmp_path / "BILL-OUT").read_bytes() == (sample / "bill-out.txt").read_bytes()
    pdf = (tmp_path / "bills.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Count 12" in pdf and b"/FontFile2" in pdf
