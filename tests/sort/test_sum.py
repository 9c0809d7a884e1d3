"""SUM FIELDS: first record kept, totals written back in the field's own sign style, overflow."""
from __future__ import annotations

import pytest

from engine.errors import RecordError
from engine.sort import sort_records
from tests.sort.helpers import fixed, rows


def result(statements, *inputs, **kw):
    r = sort_records(statements, list(inputs), **kw)
    return rows(r.outputs["SORTOUT"]), r


def test_sum_fields_none_keeps_the_first_record_of_each_key():
    data = fixed(b"B1", b"A1", b"B2", b"A2", b"C1")
    out, r = result("  SORT FIELDS=(1,1,CH,A),EQUALS\n  SUM FIELDS=NONE", data)
    assert out == [b"A1", b"B1", b"C1"]
    assert r.counts["deleted"] == 2 and "ICE055I 0 INSERT: 0, DELETE: 2" in r.messages


def test_sum_pd_totals_in_the_first_record():
    # key A: +10 (C) + -3 (D) + 5 (C) = +12; key B: one record, left untouched (F sign)
    recs = [b"A1" + bytes.fromhex("010C"), b"B9" + bytes.fromhex("007F"),
            b"A2" + bytes.fromhex("003D"), b"A3" + bytes.fromhex("005C")]
    out, r = result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(3,2,PD)", fixed(*recs))
    assert out == [b"A1" + bytes.fromhex("012C"), b"B9" + bytes.fromhex("007F")]
    assert r.rc == 0


def test_sum_pd_keeps_unsigned_f_and_goes_negative_with_d():
    recs = [b"A" + bytes.fromhex("001F"), b"A" + bytes.fromhex("002F"),
            b"B" + bytes.fromhex("001C"), b"B" + bytes.fromhex("004D")]
    out, _ = result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,2,PD)", fixed(*recs))
    assert out == [b"A" + bytes.fromhex("003F"), b"B" + bytes.fromhex("003D")]


def test_sum_zd_ebcdic():
    # F0F0F5 (+5, F zone) + F0F1D0 (-10) = -5 -> F0F0D5 ; F0F1C2 (+12) + F0F0F3 = +15 -> C zone kept
    recs = [b"\xc1" + bytes.fromhex("F0F0F5"), b"\xc1" + bytes.fromhex("F0F1D0"),
            b"\xc2" + bytes.fromhex("F0F1C2"), b"\xc2" + bytes.fromhex("F0F0F3")]
    out, _ = result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,3,ZD)", fixed(*recs), codepage="cp037")
    assert out == [b"\xc1" + bytes.fromhex("F0F0D5"), b"\xc2" + bytes.fromhex("F0F1C5")]


def test_sum_zd_ascii_gnucobol_sign():
    # '005' + '01p' (-10) = -5 -> '00u' (0x75)
    out, _ = result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,3,ZD)", fixed(b"A005", b"A01p"))
    assert out == [b"A00u"]


def test_sum_bi_and_fi():
    recs = [b"K" + bytes.fromhex("00FF") + bytes.fromhex("FFFE"),
            b"K" + bytes.fromhex("0001") + bytes.fromhex("0001")]
    out, _ = result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,2,BI,4,2,FI)", fixed(*recs))
    assert out == [b"K" + bytes.fromhex("0100") + bytes.fromhex("FFFF")]


def test_sum_overflow_leaves_the_key_unsummed_with_rc4():
    # 2-byte PD holds 3 digits: 600 + 500 = 1100 overflows; key B sums fine
    recs = [b"A" + bytes.fromhex("600C"), b"A" + bytes.fromhex("500C"),
            b"B" + bytes.fromhex("001C"), b"B" + bytes.fromhex("002C")]
    out, r = result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,2,PD)", fixed(*recs))
    assert out == [b"A" + bytes.fromhex("600C"), b"A" + bytes.fromhex("500C"), b"B" + bytes.fromhex("003C")]
    assert r.rc == 4 and any("ICE152I" in m for m in r.messages)


def test_sum_invalid_packed_data_is_an_error():
    recs = [b"A" + bytes.fromhex("001C"), b"A" + bytes.fromhex("00AC")]
    with pytest.raises(RecordError) as info:
        result("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,2,PD)", fixed(*recs))
    assert "record 2" in str(info.value) and "SUM FIELDS" in str(info.value)


def test_sum_on_signed_zd_key_merges_minus_zero_and_zero():
    recs = [bytes.fromhex("F0D0") + b"1", bytes.fromhex("F0F0") + b"2"]
    out, _ = result("  SORT FIELDS=(1,2,ZD,A)\n  SUM FIELDS=NONE", fixed(*recs), codepage="cp037")
    assert out == [bytes.fromhex("F0D0") + b"1"]
