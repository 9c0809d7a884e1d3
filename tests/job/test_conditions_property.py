"""Hypothesis: random when:/COND expressions, written out in the JCL spellings, parse back to
what they mean (an independent evaluator over the generated tree decides the expected value)."""
from __future__ import annotations

import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.job.conditions import Outcome, cond_bypasses, eval_when, parse_cond, parse_when

STEPS = ["S1", "S2", "STEP-3", "X#4"]
OPS = {  # spelling -> python operator
    "GT": operator.gt, ">": operator.gt, "LT": operator.lt, "<": operator.lt, "GE": operator.ge,
    ">=": operator.ge, "NL": operator.ge, "LE": operator.le, "<=": operator.le, "NG": operator.le,
    "EQ": operator.eq, "=": operator.eq, "==": operator.eq, "NE": operator.ne, "!=": operator.ne,
    "¬=": operator.ne,
}

outcomes = st.one_of(
    st.builds(lambda rc: Outcome(ran=True, rc=rc), st.sampled_from([0, 4, 8, 12, 16])),
    st.builds(lambda code: Outcome(ran=True, abend=code), st.sampled_from(["S0C7", "U4000"])),
    st.just(Outcome(ran=False)),
    st.just(Outcome(restart_skipped=True)),
)
histories = st.fixed_dictionaries({s: outcomes for s in STEPS})


def leaf():
    rc_test = st.tuples(st.sampled_from([None] + STEPS), st.sampled_from(sorted(OPS)),
                        st.sampled_from([0, 4, 8, 16])).map(lambda t: ("cmp",) + t)
    flags = st.tuples(st.sampled_from(["abend", "run"]), st.sampled_from(STEPS)).map(lambda t: t)
    return st.one_of(rc_test, flags, st.just(("abend", None)))


trees = st.recursive(leaf(), lambda kids: st.one_of(
    st.tuples(st.just("not"), kids),
    st.tuples(st.sampled_from(["AND", "OR", "&", "|"]), kids, kids)), max_leaves=8)


def render(t, case) -> str:
    kind = t[0]
    if kind == "cmp":
        _, step, op, value = t
        name = "RC" if step is None else f"{step}.RC"
        return f"{case(name)} {op} {value}"
    if kind == "abend":
        return "ABEND" if t[1] is None else f"{case(t[1])}.{case('ABEND')}"
    if kind == "run":
        return f"{case(t[1])}.RUN"
    if kind == "not":
        return f"NOT ({render(t[1], case)})"
    return f"({render(t[1], case)}) {t[0]} ({render(t[2], case)})"


def expected(t, hist) -> bool:
    """Independent of the implementation: JCL rules written out directly."""
    kind = t[0]
    if kind == "cmp":
        _, step, op, value = t
        if step is None:
            rcs = [o.rc for o in hist.values() if o.ran and o.rc is not None]
            return OPS[op](max(rcs) if rcs else 0, value)
        o = hist[step]
        return o.ran and o.rc is not None and OPS[op](o.rc, value)
    if kind == "abend":
        if t[1] is None:
            return any(o.abend for o in hist.values())
        return bool(hist[t[1]].abend)
    if kind == "run":
        return hist[t[1]].ran
    if kind == "not":
        return not expected(t[1], hist)
    a, b = expected(t[1], hist), expected(t[2], hist)
    return (a and b) if t[0] in ("AND", "&") else (a or b)


@settings(max_examples=300, deadline=None)
@given(trees, histories, st.sampled_from([str.upper, str.lower, str.title]))
def test_when_parses_to_its_meaning(tree, hist, case):
    text = render(tree, case)
    assert eval_when(parse_when(text), hist) is expected(tree, hist), text


tests = st.lists(st.tuples(st.integers(0, 4095), st.sampled_from(["GT", "GE", "EQ", "LT", "LE", "NE"]),
                           st.sampled_from([None] + STEPS)), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(tests, st.sampled_from([None, "EVEN", "ONLY"]), histories, st.booleans())
def test_cond_parses_to_its_meaning(cond_tests, mode, hist, as_text):
    parts = [f"({c},{op}{',' + s if s else ''})" for c, op, s in cond_tests] + ([mode] if mode else [])
    value = "(" + ",".join(parts) + ")" if as_text else \
        [[c, op] + ([s] if s else []) for c, op, s in cond_tests] + ([mode] if mode else [])
    cond = parse_cond(value)
    assert cond.mode == mode and len(cond.tests) == len(cond_tests)
    pyop = {"GT": operator.gt, "GE": operator.ge, "EQ": operator.eq, "LT": operator.lt, "LE": operator.le,
            "NE": operator.ne}
    want = False
    for code, op, step in cond_tests:        # bypassed if any test "code op RC" is true
        outs = [hist[step]] if step else list(hist.values())
        want |= any(pyop[op](code, o.rc) for o in outs if o.ran and o.rc is not None)
    assert cond_bypasses(cond, hist) is want
