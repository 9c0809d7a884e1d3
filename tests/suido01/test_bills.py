"""The bill writer (jobs/water/bills.line_sequential) against the plain rule it
implements: each line of each bill without its trailing blanks, then LF, bill by
bill. Random lines of constant text, raw columns with blanks anywhere, choices,
a MOVE SPACES from a position, in any number (more varying lines than fit one
shape key too)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from engine.program.charset import charset_for
from jobs.water.bills import Line, line_sequential

CS = charset_for("ascii")
TEXT = st.text(alphabet=" AB,9", max_size=8)


@st.composite
def bills(draw):
    n = draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        line = Line(n, CS)
        for _ in range(draw(st.integers(0, 5))):
            kind = draw(st.sampled_from(["text", "raw", "choose"]))
            if kind == "text":
                line.text(draw(TEXT))
            elif kind == "raw":
                w = draw(st.integers(1, 40))
                line.raw(rng.choice(np.frombuffer(b"  A\x00\xff", np.uint8), size=(n, w)))
            else:
                yes, no = draw(TEXT), draw(TEXT)
                line.choose(rng.random(n) < 0.5, yes, no, max(len(yes), len(no)) + draw(st.integers(0, 3)))
        if draw(st.booleans()):
            line.blank_from(rng.random(n) < 0.5, draw(st.integers(0, 140)))
        lines.append(line)
    return lines


def plain(lines: list[Line]) -> bytes:
    rows = [[bytes(r).rstrip(b" ") + b"\n" for r in m.matrix()] for m in lines]
    return b"".join(b"".join(bill) for bill in zip(*rows))


@settings(max_examples=150, deadline=None)
@given(bills())
def test_bills_as_the_plain_rule(lines):
    assert bytes(line_sequential(lines, CS)) == plain(lines)


def test_long_lines_are_cut_at_132_positions():
    line = Line(2, CS).text("X" * 100).raw(np.full((2, 50), ord("Y"), np.uint8))
    assert bytes(line_sequential([line], CS)) == (b"X" * 100 + b"Y" * 32 + b"\n") * 2
