"""INCLUDE / OMIT: precedence, parentheses, constants, SS, field-to-field, and SKIPREC/STOPAFT order."""
from __future__ import annotations

from tests.sort.helpers import ebcdic, fixed, run, run_text

DATA = fixed(b"A1X", b"A2Y", b"B1X", b"B2Y", b"C1Z")


def test_include_and_binds_tighter_than_or():
    # A or (B and 2)  ->  A1X A2Y B2Y
    out = run("  OPTION COPY\n  INCLUDE COND=(1,1,CH,EQ,C'A',OR,1,1,CH,EQ,C'B',AND,2,1,CH,EQ,C'2')", DATA)
    assert out == [b"A1X", b"A2Y", b"B2Y"]


def test_parentheses_override_precedence():
    # (A or B) and 2  ->  A2Y B2Y
    out = run("  OPTION COPY\n  INCLUDE COND=((1,1,CH,EQ,C'A',OR,1,1,CH,EQ,C'B'),AND,2,1,CH,EQ,C'2')", DATA)
    assert out == [b"A2Y", b"B2Y"]


def test_ampersand_and_bar():
    out = run("  OPTION COPY\n  INCLUDE COND=(1,1,CH,EQ,C'C',|,(1,1,CH,EQ,C'A',&,3,1,CH,EQ,C'Y'))", DATA)
    assert out == [b"A2Y", b"C1Z"]


def test_omit_removes_matches():
    assert run("  OPTION COPY\n  OMIT COND=(2,1,CH,EQ,C'1')", DATA) == [b"A2Y", b"B2Y"]


def test_cond_all_and_none():
    assert run("  OPTION COPY\n  INCLUDE COND=NONE", DATA) == []
    assert len(run("  OPTION COPY\n  OMIT COND=NONE", DATA)) == 5


def test_ss_list_matches_any_position():
    data = fixed(b"J69", b"L92", b"X00", b"J82")
    assert run("  OPTION COPY\n  INCLUDE COND=(1,3,SS,EQ,C'J69,L92,J82')", data) == [b"J69", b"L92", b"J82"]
    assert run("  OPTION COPY\n  INCLUDE COND=(1,3,SS,NE,C'J69,L92,J82')", data) == [b"X00"]


def test_ss_searches_a_longer_field():
    data = fixed(b"ABCDEF", b"XXCDXX", b"CXDXXX")
    assert run("  OPTION COPY\n  INCLUDE COND=(1,6,SS,EQ,C'CD')", data) == [b"ABCDEF", b"XXCDXX"]


def test_gt_compares_ebcdic_bytes_not_unicode():
    # in EBCDIC '1' (F1) is greater than 'Z' (E9) and 'a' (81) is less than 'A' (C1)
    data = ebcdic("1", "Z", "a", "A")
    assert run_text("  OPTION COPY\n  INCLUDE COND=(1,1,CH,GT,C'Z')", data) == ["1"]
    assert run_text("  OPTION COPY\n  INCLUDE COND=(1,1,CH,LT,C'A')", data) == ["a"]


def test_short_character_constant_is_padded_with_blanks():
    data = fixed(b"AB ", b"ABC")
    assert run("  OPTION COPY\n  INCLUDE COND=(1,3,CH,EQ,C'AB')", data) == [b"AB "]


def test_hex_constant():
    data = fixed(b"\x00\x01", b"\x00\x02")
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,CH,EQ,X'0002')", data) == [b"\x00\x02"]


def test_zd_against_negative_decimal_constant():
    # EBCDIC ZD: F0F5 +5, F0D3 -3, F1D0 -10, F0D0 -0
    recs = [bytes.fromhex(h) for h in ["F0F5", "F0D3", "F1D0", "F0D0"]]
    out = run("  OPTION COPY\n  INCLUDE COND=(1,2,ZD,LT,-3)", fixed(*recs), codepage="cp037")
    assert out == [bytes.fromhex("F1D0")]
    out = run("  OPTION COPY\n  INCLUDE COND=(1,2,ZD,EQ,0)", fixed(*recs), codepage="cp037")
    assert out == [bytes.fromhex("F0D0")]


def test_pd_against_constant_longer_than_the_field():
    recs = [bytes.fromhex(h) for h in ["999C", "999D"]]
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,PD,GT,-1000)", fixed(*recs)) == recs
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,PD,GE,1000)", fixed(*recs)) == []


def test_bi_against_decimal_and_hex():
    recs = [bytes.fromhex(h) for h in ["0100", "00FF"]]
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,BI,GT,255)", fixed(*recs)) == [bytes.fromhex("0100")]
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,BI,EQ,X'00FF')", fixed(*recs)) == [bytes.fromhex("00FF")]


def test_field_to_field_character_and_numeric():
    data = fixed(b"AB", b"AA", b"BA")
    assert run("  OPTION COPY\n  INCLUDE COND=(1,1,CH,EQ,2,1,CH)", data) == [b"AA"]
    # ZD 2 bytes vs PD 2 bytes (3 digits): 12 vs +12, 12 vs -12
    recs = [b"12" + bytes.fromhex("012C"), b"12" + bytes.fromhex("012D")]
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,ZD,EQ,3,2,PD)", fixed(*recs)) == [recs[0]]
    assert run("  OPTION COPY\n  INCLUDE COND=(1,2,ZD,GT,3,2,PD)", fixed(*recs)) == [recs[1]]


def test_format_operand_on_include():
    data = fixed(b"A1", b"B2")
    assert run("  OPTION COPY\n  INCLUDE COND=(1,1,EQ,C'B'),FORMAT=CH", data) == [b"B2"]


def test_skiprec_then_include_then_stopaft():
    data = fixed(b"A1", b"B2", b"A3", b"B4", b"A5", b"A6")
    out = run("  OPTION COPY,SKIPREC=1,STOPAFT=2\n  INCLUDE COND=(1,1,CH,EQ,C'A')", data)
    assert out == [b"A3", b"A5"]
