"""engine.program.matching: two-file match, control breaks, group totals."""
import numpy as np
import polars as pl
from hypothesis import given, settings, strategies as st

from engine.program.matching import group_starts, group_totals, match, rank_in_group


def _keys(ks):
    return np.frombuffer(b"".join(b"%03d" % k for k in ks), np.uint8).reshape(len(ks), 3)


@settings(deadline=None)
@given(st.lists(st.integers(0, 20), max_size=30), st.lists(st.integers(0, 20), max_size=30))
def test_match_against_a_loop(left, right):
    left, right = sorted(left), sorted(right)
    m = match(_keys(left), _keys(right))
    for j, k in enumerate(right):
        idx = left.index(k) if k in left else -1
        assert m.left_index[j] == idx
        assert m.left_count[j] == left.count(k)
    assert m.right_count.tolist() == [right.count(k) for k in left]


def test_control_breaks_and_totals():
    keys = _keys([1, 1, 2, 5, 5, 5])
    assert group_starts(keys).tolist() == [True, False, True, True, False, False]
    assert rank_in_group(keys).tolist() == [0, 1, 0, 0, 1, 2]
    f = pl.DataFrame({"district": ["B", "B", "A", "B"], "amount": [1, 2, 3, 4]})
    t = group_totals(f, ["district"], ["amount"], grand_total=True)
    assert t.rows() == [("B", 7, 3), ("A", 3, 1), (None, 10, 4)]
