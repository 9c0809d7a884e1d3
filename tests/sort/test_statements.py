"""Control statement syntax and the plan it compiles to (DFSORT rules, host-batch-semantics §1)."""
from __future__ import annotations

import pytest

from engine.errors import SortStatementError
from engine.sort.statements import BoolOp, Compare, compile_statements


def err(text: str) -> str:
    with pytest.raises(SortStatementError) as info:
        compile_statements(text)
    return str(info.value)


def test_sort_fields_keys_and_format():
    c = compile_statements("  SORT FIELDS=(1,18,CH,A,20,5,D),FORMAT=ZD\n")
    assert c.mode == "sort"
    assert [(k.field.pos, k.field.length, k.field.fmt, k.descending) for k in c.keys] == \
        [(1, 18, "CH", False), (20, 5, "ZD", True)]


def test_comment_label_remark_and_sequence_columns():
    text = ("* a comment line\n"
            "LAB1     SORT FIELDS=(1,4,CH,A)   remarks after the operands\n"
            + "  OPTION EQUALS".ljust(72) + "00010000\n")
    c = compile_statements(text)
    assert c.keys[0].field.length == 4 and c.equals


def test_continuation_after_comma():
    c = compile_statements("  SORT FIELDS=(1,4,CH,A,\n               9,2,BI,D)\n")
    assert [k.field.pos for k in c.keys] == [1, 9]


def test_continuation_by_column_72():
    line1 = "  INCLUDE COND=(1,2,CH,EQ,C'AB',OR,".ljust(71) + "X"
    line2 = "               3,1,CH,EQ,C'Z')"
    c = compile_statements("  OPTION COPY\n" + line1 + "\n" + line2 + "\n")
    assert isinstance(c.cond.expr, BoolOp) and c.cond.expr.op == "OR"


def test_sort_fields_copy_and_option_copy():
    assert compile_statements("  SORT FIELDS=COPY").mode == "copy"
    assert compile_statements("  OPTION COPY").mode == "copy"
    assert compile_statements("  MERGE FIELDS=(1,2,CH,A)").mode == "merge"


def test_option_wins_over_sort_operand():
    c = compile_statements("  SORT FIELDS=(1,1,CH,A),SKIPREC=5,STOPAFT=9\n  OPTION SKIPREC=2\n")
    assert (c.skiprec, c.stopaft) == (2, 9)


def test_and_binds_tighter_than_or():
    c = compile_statements("  OPTION COPY\n  INCLUDE COND=(1,1,CH,EQ,C'A',OR,2,1,CH,EQ,C'B',"
                           "AND,3,1,CH,EQ,C'C')\n")
    e = c.cond.expr
    assert e.op == "OR" and isinstance(e.terms[0], Compare)
    assert isinstance(e.terms[1], BoolOp) and e.terms[1].op == "AND"


def test_quote_inside_constant():
    c = compile_statements("  OPTION COPY\n  INCLUDE COND=(1,3,CH,EQ,C'A''B')\n")
    assert c.cond.expr.right.value == "A'B"


def test_statement_in_column_1_is_read_as_the_statement():
    # YAML block scalars (SYSIN: |) strip the leading blank DFSORT wants
    c = compile_statements("SORT FIELDS=(1,4,CH,A)\nOUTREC BUILD=(1,4)\n")
    assert [(k.field.pos, k.field.length) for k in c.keys] == [(1, 4)]


def test_label_in_column_1_is_skipped():
    c = compile_statements("LBL1 SORT FIELDS=(1,4,CH,A)\n")
    assert [(k.field.pos, k.field.length) for k in c.keys] == [(1, 4)]


def test_error_unsupported_statement():
    msg = err("  SORT FIELDS=(1,4,CH,A)\n  JOINKEYS FILE=F1,FIELDS=(1,4,A)\n")
    assert "line 2 column 3" in msg and "JOINKEYS" in msg


def test_error_unsupported_outfil_operand():
    msg = err("  OPTION COPY\n  OUTFIL FNAMES=REP,SECTIONS=(1,3)\n")
    assert "SECTIONS" in msg and "line 2" in msg


def test_error_no_sort_merge_or_copy():
    assert "no SORT, MERGE or OPTION COPY" in err("  INCLUDE COND=(1,1,CH,EQ,C'A')\n")


def test_error_two_sort_statements():
    assert "only one SORT or MERGE" in err("  SORT FIELDS=(1,1,CH,A)\n  MERGE FIELDS=(1,1,CH,A)\n")


def test_error_sort_and_option_copy():
    assert "cannot both be given" in err("  SORT FIELDS=(1,1,CH,A)\n  OPTION COPY\n")


def test_error_unknown_key_format():
    msg = err("  SORT FIELDS=(1,4,Y2T,A)\n")
    assert "Y2T is not supported" in msg and "column 20" in msg


def test_error_missing_order():
    assert "needs A or D" in err("  SORT FIELDS=(1,4,CH)\n")


def test_error_zd_compared_with_character_constant():
    msg = err("  OPTION COPY\n  INCLUDE COND=(1,4,ZD,EQ,C'12')\n")
    assert "cannot be compared with C'..'" in msg


def test_error_unclosed_parenthesis():
    assert "')' is missing" in err("  SORT FIELDS=(1,4,CH,A\n")


def test_error_bad_hex_constant():
    assert "hexadecimal" in err("  OPTION COPY\n  INCLUDE COND=(1,1,CH,EQ,X'C')\n")


def test_error_constant_past_column_71():
    line = "  OPTION COPY\n  INCLUDE COND=(1,1,CH,EQ," + "C'" + "A" * 60 + "')\n"
    assert "column 71" in err(line)


def test_error_sum_with_copy():
    assert "SUM" in err("  OPTION COPY\n  SUM FIELDS=NONE\n")


def test_error_build_conversion_not_supported():
    assert "conversions" in err("  OPTION COPY\n  OUTREC BUILD=(1,4,ZD,EDIT=(TTT))\n")


def test_error_unknown_option():
    assert "OPTION VLSHRT" in err("  OPTION COPY,VLSHRT\n")


def test_end_stops_reading():
    c = compile_statements("  OPTION COPY\n  END\n  JOINKEYS FILE=F1\n")
    assert c.mode == "copy"


def test_error_continuation_without_a_next_line():
    line = "  INCLUDE COND=(1,1,CH,EQ,C'A')".ljust(71) + ")"
    msg = err("  OPTION COPY\n" + line + "\n")
    assert "line 2 column 72" in msg and "no line follows" in msg
    assert "no line follows" in err("  SORT FIELDS=(1,1,CH,A),\n")


def test_error_sum_field_longer_than_18_digits():
    assert "PD 9" in err("  SORT FIELDS=(1,1,CH,A)\n  SUM FIELDS=(2,10,PD)\n")
