"""when: (IF/THEN) and cond: (COND=) decision tables, after JCL §2 of host-batch-semantics.md."""
from __future__ import annotations

import pytest

from engine.errors import JobDefinitionError
from engine.job.conditions import Outcome, cond_bypasses, eval_when, parse_cond, parse_when, should_run

# S1 RC 4, S2 RC 8, S3 bypassed (never ran), S4 skipped by a restart
HIST = {"S1": Outcome(ran=True, rc=4), "S2": Outcome(ran=True, rc=8), "S3": Outcome(ran=False),
        "S4": Outcome(restart_skipped=True)}
ABENDED = {"S1": Outcome(ran=True, rc=0), "S2": Outcome(ran=True, abend="S0C7")}


@pytest.mark.parametrize("expr, expected", [
    ("RC = 8", True), ("RC > 4", True), ("RC GT 8", False), ("RC LE 8", True), ("RC NE 8", False),
    ("S1.RC = 4", True), ("s1.rc <= 4", True), ("S1.RC EQ 4 AND S2.RC GE 8", True),
    ("S1.RC = 0 OR S2.RC = 8", True), ("NOT S1.RC = 4", False), ("¬(S1.RC = 4)", False),
    ("S3.RC = 0", False), ("S3.RC NE 0", False),              # a test on a step that did not run is false
    ("S4.RC = 0", False), ("S4.RUN", False), ("NOT S4.RUN", True),   # restart-skipped: IF tests false
    ("S1.RUN", True), ("S3.RUN", False), ("ABEND", False), ("NOT ABEND", True), ("S1.ABEND", False),
    ("RC < 4 OR RC = 8 AND S1.RC = 0", False),                # AND/OR left to right, like IBM JCL
    ("RC < 4 OR (RC = 8 AND S1.RC = 4)", True),
    ("(S1.RC = 4 & S2.RC = 8) | ABEND", True), ("S1.RC ¬= 4", False), ("S1.RC NG 4", True), ("S1.RC NL 5", False),
])
def test_when_table(expr, expected):
    assert eval_when(parse_when(expr), HIST) is expected


@pytest.mark.parametrize("expr, expected", [
    ("ABEND", True), ("S2.ABEND", True), ("S1.ABEND", False), ("ABENDCC = S0C7", True),
    ("ABENDCC = U4000", False), ("S2.ABENDCC NE S0C7", False), ("RC = 0", True),   # RC: steps without abend
    ("S2.RC = 0", False),
])
def test_when_after_abend(expr, expected):
    assert eval_when(parse_when(expr), ABENDED) is expected


@pytest.mark.parametrize("text, column", [
    ("S1.RC <", 8), ("RC = x", 6), ("(RC = 4", 8), ("FOO = 1", 1), ("RC = 4 AND", 11), ("RC = 4 )", 8),
    ("ABENDCC = X12", 11), ("S1.RC % 4", 7),
])
def test_when_syntax_errors_name_the_column(text, column):
    with pytest.raises(JobDefinitionError, match=f"at column {column} "):
        parse_when(text, where="J.yaml: step S9: key when")


@pytest.mark.parametrize("cond, bypass", [
    ("(4,LT)", True),            # 4 < 8 (S2)
    ("(8,LT)", False), ("(8,LE)", True), ("(4,EQ,S1)", True), ("(4,NE,S1)", False),
    ("((12,LT),(0,EQ,S2))", False), ("((12,LT),(8,EQ,S2))", True),
    ("(0,LE,S3)", False),        # a test on a bypassed step is ignored
    ("(0,LE,S4)", False),        # … and on a restart-skipped one
    ([[9, "GT"]], True), ([0, "EQ", "S1"], False),
])
def test_cond_table(cond, bypass):
    assert cond_bypasses(parse_cond(cond), HIST) is bypass


def test_cond_parse_forms():
    c = parse_cond("((4,LT),(8,GT,STEPA),EVEN)")
    assert c.tests == [(4, "<", None), (8, ">", "STEPA")] and c.mode == "EVEN"
    assert parse_cond("ONLY").mode == "ONLY" and parse_cond("ONLY").tests == []
    assert parse_cond([[4, "lt"], "even"]).mode == "EVEN"
    for bad, msg in [("(4,XX)", "not GT"), ("(4)", "a COND test is"), ("(99999,LT)", "outside"),
                     ("((4,LT)", "missing"), ("FOO", "a COND test is"), ("((4,LT),SOMETIMES)", "not a test")]:
        with pytest.raises(JobDefinitionError, match=msg):
            parse_cond(bad)


@pytest.mark.parametrize("when, cond, hist, run", [
    (None, None, HIST, True),
    (None, None, ABENDED, False),                 # after an abend only EVEN/ONLY/ABEND tests run
    (None, "EVEN", ABENDED, True), (None, "ONLY", ABENDED, True), (None, "ONLY", HIST, False),
    (None, "((0,LE),EVEN)", ABENDED, False),     # EVEN, but a test is true
    ("ABEND", None, ABENDED, True), ("NOT ABEND", None, ABENDED, False), ("RC <= 4", None, ABENDED, False),
    ("RC <= 8", "(4,GT)", HIST, True), ("RC <= 8", "(8,EQ)", HIST, False), ("RC < 8", None, HIST, False),
])
def test_should_run(when, cond, hist, run):
    ok, _ = should_run(parse_when(when) if when else None, parse_cond(cond) if cond else None, hist)
    assert ok is run
