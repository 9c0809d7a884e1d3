"""engine.program.validation and engine.program.sequence, against plain-Python loops."""
import numpy as np
import polars as pl
from hypothesis import given, settings, strategies as st

from engine.program.sequence import first_out_of_order
from engine.program.validation import first_failure, reason_counts, reject_records

CODES = ["IV", "DT", "NF", "DU"]


@settings(deadline=None)
@given(st.lists(st.tuples(*[st.booleans()] * 4), min_size=1, max_size=40))
def test_first_failure_is_the_first_failing_check(rows):
    cols = [np.array([r[i] for r in rows]) for i in range(4)]
    want = [next((c for c, f in zip(CODES, r) if f), "") for r in rows]
    assert first_failure(list(zip(CODES, cols))).tolist() == want
    frame = pl.DataFrame({c: col for c, col in zip(CODES, cols)})
    got = frame.select(first_failure([(c, pl.col(c)) for c in CODES])).to_series().to_list()
    assert got == [w or None for w in want]


def test_reason_counts_by_group():
    reasons = np.array(["IV", "", "NF", "IV", "DT"])
    groups = np.array([0, 0, 1, 1, 1])
    assert reason_counts(reasons, ["NF", "DT", "IV"], groups, 2).tolist() == [[0, 0, 1], [1, 1, 1]]


def test_reject_records_carry_the_record_and_the_reason():
    recs = np.frombuffer(b"AAAABBBB", np.uint8).reshape(2, 4)
    out = reject_records(recs, np.array(["IV", "NF"]), 8)
    assert out.tobytes() == b"AAAAIV  BBBBNF  "


keys = st.lists(st.binary(min_size=3, max_size=3), max_size=30)


def ref_first_break(ks, strict):
    prev = b"\x00" * 3
    for i, k in enumerate(ks):
        if k < prev or (strict and k == prev):
            return i + 1, prev, k
        prev = k
    return None


@settings(deadline=None)
@given(keys, st.booleans())
def test_first_out_of_order_matches_a_record_loop(ks, strict):
    arr = np.frombuffer(b"".join(ks), np.uint8).reshape(len(ks), 3)
    got = first_out_of_order(arr, strict=strict)
    want = ref_first_break(ks, strict)
    assert (None if got is None else (got.record, got.previous, got.current)) == want


def test_sorted_keys_with_trailing_nul_bytes_compare_as_bytes():
    # b"A\x00" > b"A" as bytes; NumPy's S dtype would call them equal
    arr = np.frombuffer(b"A\x00\x00A\x00\x01A\x00\x00", np.uint8).reshape(3, 3)
    brk = first_out_of_order(arr, strict=False)
    assert brk.record == 3
