"""INREC / OUTREC BUILD and OVERLAY, SEQNUM, OUTFIL outputs, V records and MERGE."""
from __future__ import annotations

import pytest

from engine.errors import RecordError, SortStatementError
from engine.sort import sort_records
from tests.sort.helpers import ebcdic, fixed, rows, run, run_text, variable


def test_outrec_build_items():
    data = fixed(b"ABCDEFGH")
    out = run("  OPTION COPY\n  OUTREC BUILD=(3,2,2X,C'x',2C'-',X'00FF',10:1,1,2Z)", data)
    assert out == [b"CD  x--\x00\xff" + b"A\x00\x00"]


def test_blanks_and_constants_in_the_data_code_page():
    out = run_text("  OPTION COPY\n  OUTREC BUILD=(1,2,3X,C'ok',9:C'!')", ebcdic("AB"))
    assert out == ["AB   ok !"]


def test_outrec_fields_is_build():
    assert run("  OPTION COPY\n  OUTREC FIELDS=(2,1,1,1)", fixed(b"ab")) == [b"ba"]


def test_overlay_changes_only_named_columns_and_can_extend():
    data = fixed(b"ABCDEF")
    assert run("  OPTION COPY\n  OUTREC OVERLAY=(2:C'xy',5:1,1)", data) == [b"AxyDAF"]
    assert run("  OPTION COPY\n  OUTREC OVERLAY=(8:C'Z')", data) == [b"ABCDEF Z"]


def test_seqnum_zd_pd_bi():
    data = fixed(b"c", b"a", b"b")
    out = run("  SORT FIELDS=(1,1,CH,A)\n  OUTREC BUILD=(1,1,SEQNUM,3,ZD)", data)
    assert out == [b"a001", b"b002", b"c003"]
    out = run("  OPTION COPY\n  OUTREC BUILD=(SEQNUM,2,PD,START=10,INCR=5,SEQNUM,2,BI)", data)
    assert out == [bytes.fromhex("010C0001"), bytes.fromhex("015C0002"), bytes.fromhex("020C0003")]


def test_seqnum_zd_ebcdic_is_f_zoned():
    out = run("  OPTION COPY\n  OUTREC BUILD=(SEQNUM,2,ZD)", ebcdic("a"), codepage="cp037")
    assert out == [bytes.fromhex("F0F1")]


def test_inrec_changes_what_sort_sees():
    # INREC moves the key to the front; SORT FIELDS refer to the new record
    data = fixed(b"1z", b"2a", b"3m")
    out = run("  INREC BUILD=(2,1,1,1)\n  SORT FIELDS=(1,1,CH,A)", data)
    assert out == [b"a2", b"m3", b"z1"]


def test_include_sees_the_original_record_before_inrec():
    data = fixed(b"1z", b"2a")
    out = run("  INREC BUILD=(2,1)\n  INCLUDE COND=(1,1,CH,EQ,C'2')\n  OPTION COPY", data)
    assert out == [b"a"]


def test_build_columns_must_increase():
    with pytest.raises(SortStatementError) as info:
        run("  OPTION COPY\n  OUTREC BUILD=(1,4,2:C'x')", fixed(b"abcd"))
    assert "column 2 is before the end" in str(info.value)


# ------------------------------------------------------------------ OUTFIL

def test_outfil_several_outputs_and_save():
    data = fixed(b"A1", b"B2", b"C3", b"A4")
    r = sort_records("  OPTION COPY\n"
                     "  OUTFIL FNAMES=(OUTA,OUTA2),INCLUDE=(1,1,CH,EQ,C'A')\n"
                     "  OUTFIL FNAMES=OUTB,INCLUDE=(1,1,CH,EQ,C'B'),BUILD=(2,1,C'b')\n"
                     "  OUTFIL FNAMES=REST,SAVE\n", [data])
    assert rows(r.outputs["OUTA"]) == [b"A1", b"A4"]
    assert rows(r.outputs["OUTA2"]) == [b"A1", b"A4"]
    assert rows(r.outputs["OUTB"]) == [b"2b"]
    assert rows(r.outputs["REST"]) == [b"C3"]
    assert rows(r.outputs["SORTOUT"]) == [b"A1", b"B2", b"C3", b"A4"]
    assert r.counts["OUTA"] == 2 and any(m.startswith("ICE227I 0 REST") for m in r.messages)


def test_outfil_sees_the_outrec_record_and_every_record_goes_to_every_outfil():
    data = fixed(b"x1", b"y2")
    r = sort_records("  OPTION COPY\n  OUTREC BUILD=(2,1)\n"
                     "  OUTFIL FNAMES=ONE,INCLUDE=(1,1,CH,EQ,C'1')\n"
                     "  OUTFIL FNAMES=ALL\n", [data])
    assert rows(r.outputs["ONE"]) == [b"1"]
    assert rows(r.outputs["ALL"]) == [b"1", b"2"]


def test_outfil_startrec_endrec_and_omit():
    data = fixed(b"a", b"b", b"c", b"d", b"e")
    r = sort_records("  OPTION COPY\n  OUTFIL FNAMES=MID,STARTREC=2,ENDREC=4,OMIT=(1,1,CH,EQ,C'c')\n"
                     "  OUTFIL FNAMES=OTHER,SAVE\n", [data])
    assert rows(r.outputs["MID"]) == [b"b", b"d"]
    assert rows(r.outputs["OTHER"]) == [b"a", b"c", b"e"]


# ------------------------------------------------------------------ V records

def test_v_records_positions_count_the_rdw():
    block = variable(b"bb-long", b"a", b"cc")
    r = sort_records("  SORT FIELDS=(5,1,CH,A)", [block], recfm="VB")
    assert rows(r.outputs["SORTOUT"]) == [b"a", b"bb-long", b"cc"]


def test_v_build_keeps_the_variable_part_and_recomputes_the_length():
    block = variable(b"12345", b"ab")
    r = sort_records("  OPTION COPY\n  OUTREC BUILD=(1,4,C'>',6)", [block], recfm="VB")
    assert rows(r.outputs["SORTOUT"]) == [b">2345", b">b"]
    assert list(r.outputs["SORTOUT"].lengths) == [5, 2]


def test_v_include_on_the_rdw_length():
    block = variable(b"abc", b"abcdef")
    # RDW of a 6-byte record is X'000A0000': length 10 in bytes 1-2
    r = sort_records("  OPTION COPY\n  INCLUDE COND=(1,2,BI,GT,8)", [block], recfm="VB")
    assert rows(r.outputs["SORTOUT"]) == [b"abcdef"]


def test_v_build_must_start_with_the_rdw():
    with pytest.raises(SortStatementError) as info:
        sort_records("  OPTION COPY\n  OUTREC BUILD=(5,2)", [variable(b"abc")], recfm="VB")
    assert "1,4" in str(info.value)


def test_v_key_beyond_a_short_record_is_a_record_error():
    with pytest.raises(RecordError) as info:
        sort_records("  SORT FIELDS=(5,3,CH,A)", [variable(b"abc", b"a")], recfm="VB")
    assert "record 2" in str(info.value) and "too short" in str(info.value)


# ------------------------------------------------------------------ MERGE

def test_merge_of_presorted_inputs_takes_earlier_inputs_first_on_ties():
    one = fixed(b"a1", b"c1", b"e1")
    two = fixed(b"b2", b"c2", b"f2")
    r = sort_records("  MERGE FIELDS=(1,1,CH,A)", [one, two])
    assert rows(r.outputs["SORTOUT"]) == [b"a1", b"b2", b"c1", b"c2", b"e1", b"f2"]


def test_merge_input_out_of_sequence_is_an_error():
    with pytest.raises(RecordError) as info:
        sort_records("  MERGE FIELDS=(1,1,CH,A)", [fixed(b"a", b"b"), fixed(b"c", b"b")],
                     names=["SORTIN01", "SORTIN02"])
    msg = str(info.value)
    assert "ICE068A" in msg and "SORTIN02" in msg and "record 2" in msg


def test_merge_with_sum():
    r = sort_records("  MERGE FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,1,ZD)", [fixed(b"a1", b"b2"), fixed(b"a3")])
    assert rows(r.outputs["SORTOUT"]) == [b"a4", b"b2"]


def test_concatenated_fixed_inputs_must_share_the_lrecl():
    with pytest.raises(RecordError) as info:
        sort_records("  OPTION COPY", [fixed(b"ab"), fixed(b"abc")], names=["SORTIN a", "SORTIN b"])
    assert "SORTIN b" in str(info.value) and "same LRECL" in str(info.value)


def test_empty_input_gives_empty_outputs():
    import numpy as np
    r = sort_records("  SORT FIELDS=(1,2,CH,A)\n  SUM FIELDS=(3,1,ZD)\n  OUTFIL FNAMES=A,SAVE",
                     [np.zeros((0, 3), np.uint8)])
    assert len(r.outputs["SORTOUT"].lengths) == 0 and len(r.outputs["A"].lengths) == 0
    assert r.messages[0] == "ICE054I 0 RECORDS - IN: 0, OUT: 0"
