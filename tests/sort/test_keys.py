"""SORT FIELDS by format: collation in the data's code page, signed numbers, stability."""
from __future__ import annotations

import pytest

from engine.errors import RecordError
from tests.sort.helpers import ebcdic, fixed, run, run_text


def test_ebcdic_collation_blank_lower_upper_digits():
    data = ebcdic("9x", "Ax", "ax", " x", "Zx", "zx", "0x")
    # EBCDIC: blank 40 < a 81 < z A9 < A C1 < Z E9 < 0 F0 < 9 F9
    assert run_text("  SORT FIELDS=(1,1,CH,A)", data) == [" x", "ax", "zx", "Ax", "Zx", "0x", "9x"]


def test_ascii_collation_blank_digits_upper_lower():
    data = fixed(b"9x", b"Ax", b"ax", b" x", b"Zx", b"zx", b"0x")
    assert run("  SORT FIELDS=(1,1,CH,A)", data) == [b" x", b"0x", b"9x", b"Ax", b"Zx", b"ax", b"zx"]


def test_ac_sorts_ebcdic_data_in_ascii_order():
    data = ebcdic("9", "A", "a", " ")
    assert run_text("  SORT FIELDS=(1,1,AC,A)", data) == [" ", "9", "A", "a"]


def test_descending_and_second_key():
    data = fixed(b"A2", b"B1", b"A1", b"B2")
    assert run("  SORT FIELDS=(1,1,CH,D,2,1,CH,A)", data) == [b"B1", b"B2", b"A1", b"A2"]


def test_equal_keys_keep_input_order():
    data = fixed(b"B1", b"A1", b"B2", b"A2", b"B3")
    assert run("  SORT FIELDS=(1,1,CH,A),NOEQUALS", data) == [b"A1", b"A2", b"B1", b"B2", b"B3"]


def test_zd_ebcdic_signs_negative_before_positive_and_minus_zero_equals_zero():
    # X'F0F5' +5 (F), X'F0C3' +3 (C), X'F0D4' -4 (D), X'F1B0' -10 (B), X'F0D0' -0, X'F0F0' 0
    recs = [bytes.fromhex(h) + bytes([i]) for i, h in
            enumerate(["F0F5", "F0C3", "F0D4", "F1B0", "F0D0", "F0F0"])]
    out = run("  SORT FIELDS=(1,2,ZD,A)", fixed(*recs), codepage="cp037")
    assert [r[2] for r in out] == [3, 2, 4, 5, 1, 0]   # -10 -4 (-0 0 in input order) +3 +5


def test_zd_ascii_gnucobol_and_overpunch_signs():
    # '012' +12, '01r' -12 (0x72), '00J' -1 (overpunch), '00{' +0, '00}' -0, '00A' +1
    recs = [b"012a", b"01rb", b"00Jc", b"00{d", b"00}e", b"00Af"]
    out = run("  SORT FIELDS=(1,3,ZD,A)", fixed(*recs))
    assert out == [b"01rb", b"00Jc", b"00{d", b"00}e", b"00Af", b"012a"]


def test_pd_signed_keys():
    # +123 C, -123 D, +5 F, -0 D, +0 C, -7 B
    recs = [bytes.fromhex(h) for h in ["123C", "123D", "005F", "000D", "000C", "007B"]]
    out = run("  SORT FIELDS=(1,2,PD,A)", fixed(*recs))
    assert out == [bytes.fromhex(h) for h in ["123D", "007B", "000D", "000C", "005F", "123C"]]


def test_pd_descending():
    recs = [bytes.fromhex(h) for h in ["001C", "009D", "005C"]]
    assert run("  SORT FIELDS=(1,2,PD,D)", fixed(*recs)) == [bytes.fromhex(h) for h in ["005C", "001C", "009D"]]


def test_fi_and_bi():
    recs = [bytes.fromhex(h) for h in ["0001", "FFFF", "8000", "7FFF"]]
    assert run("  SORT FIELDS=(1,2,FI,A)", fixed(*recs)) == [bytes.fromhex(h) for h in ["8000", "FFFF", "0001", "7FFF"]]
    assert run("  SORT FIELDS=(1,2,BI,A)", fixed(*recs)) == [bytes.fromhex(h) for h in ["0001", "7FFF", "8000", "FFFF"]]


def test_format_operand_supplies_missing_formats():
    recs = [b"b2", b"a9", b"a1"]
    assert run("  SORT FIELDS=(1,1,A,2,1,D),FORMAT=CH", fixed(*recs)) == [b"a9", b"a1", b"b2"]


def test_invalid_pd_key_is_a_data_error_naming_the_record():
    recs = [bytes.fromhex("001C"), bytes.fromhex("0A1C")]
    with pytest.raises(RecordError) as info:
        run("  SORT FIELDS=(1,2,PD,A)", fixed(*recs))
    msg = str(info.value)
    assert "invalid PD data" in msg and "record 2" in msg and "X'0A1C'" in msg and "S0C7" in msg


def test_invalid_zd_key_is_a_data_error():
    with pytest.raises(RecordError) as info:
        run("  SORT FIELDS=(1,3,ZD,A)", fixed(b"012", b"0 2"))
    assert "record 2" in str(info.value) and "invalid ZD data" in str(info.value)


def test_key_past_the_record_is_a_statement_error():
    from engine.errors import SortStatementError
    with pytest.raises(SortStatementError) as info:
        run("  SORT FIELDS=(3,2,CH,A)", fixed(b"abc"))
    assert "ends at byte 4" in str(info.value) and "3 bytes" in str(info.value)


def test_long_zd_and_pd_keys_beyond_18_digits():
    big = b"9" * 19 + b"8"                      # 99999999999999999998
    neg = b"9" * 19 + b"q"                      # -99999999999999999991 (GnuCOBOL sign)
    small = b"0" * 19 + b"1"
    assert run("  SORT FIELDS=(1,20,ZD,A)", fixed(big, neg, small)) == [neg, small, big]
    pd_pos = bytes.fromhex("0" * 29 + "5" + "0C")     # 16 bytes, 31 digits: +50
    pd_neg = bytes.fromhex("9" * 31 + "D")
    assert run("  SORT FIELDS=(1,16,PD,A)", fixed(pd_pos, pd_neg)) == [pd_neg, pd_pos]
