"""engine.program.arithmetic against plain-Python COBOL rules."""
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl
from hypothesis import given, settings, strategies as st

from engine.program import arithmetic as ar

ints = st.integers(-10**15, 10**15)


def ref_truncate(v, digits, signed=True):
    low = abs(v) % 10 ** digits
    return (-low if v < 0 else low) if signed else low


def ref_rescale(v, fs, ts, rounded):
    q = Decimal(v).scaleb(ts - fs).quantize(Decimal(1), rounding=ROUND_HALF_UP if rounded else ROUND_DOWN)
    return int(q)


@settings(deadline=None)
@given(st.lists(ints, min_size=1, max_size=30), st.integers(1, 15), st.booleans())
def test_truncate_numpy_and_polars_agree_with_reference(vals, digits, signed):
    arr = np.array(vals, np.int64)
    want = [ref_truncate(v, digits, signed) for v in vals]
    assert ar.truncate(arr, digits, signed=signed).tolist() == want
    got = pl.DataFrame({"v": vals}).select(ar.truncate(pl.col("v"), digits, signed=signed)).to_series()
    assert got.to_list() == want


def test_truncate_examples():
    # ADD 1 TO a PIC 9(3) holding 999 -> 000; PIC S9(3) -1000 -> -0 (0)
    assert ar.truncate(np.array([1000, -1000, 1234, -1234]), 3).tolist() == [0, 0, 234, -234]
    assert ar.truncate(np.array([-5]), 3, signed=False).tolist() == [5]
    assert ar.fits(np.array([999, 1000]), 3).tolist() == [True, False]


@settings(deadline=None)
@given(st.lists(ints, min_size=1, max_size=30), st.integers(0, 6), st.integers(0, 6), st.booleans())
def test_rescale_against_decimal(vals, fs, ts, rounded):
    arr = np.array(vals, np.int64) // 1000
    want = [ref_rescale(int(v), fs, ts, rounded) for v in arr]
    assert ar.rescale(arr, fs, ts, rounded=rounded).tolist() == want
    got = pl.DataFrame({"v": arr}).select(ar.rescale(pl.col("v"), fs, ts, rounded=rounded)).to_series()
    assert got.to_list() == want


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(-10**12, 10**12), st.integers(-10**6, 10**6).filter(bool)),
                min_size=1, max_size=30), st.integers(0, 4), st.booleans())
def test_divide_against_decimal(pairs, scale, rounded):
    a = np.array([p[0] for p in pairs], np.int64)
    b = np.array([p[1] for p in pairs], np.int64)
    mode = ROUND_HALF_UP if rounded else ROUND_DOWN
    want = [int((Decimal(int(x)) / Decimal(int(y))).scaleb(scale).quantize(Decimal(1), rounding=mode))
            for x, y in zip(a, b)]
    assert ar.divide(a, b, scale=scale, rounded=rounded).tolist() == want


def test_multiply_rounded():
    # 1,234 yen x 0.014 (rate at scale 3) = 17.276 -> 17, ROUNDED at scale 1 -> 17.3
    assert ar.multiply(np.array([1234]), np.array([14]), b_scale=3).tolist() == [17]
    assert ar.multiply(np.array([1234]), np.array([14]), b_scale=3, scale=1, rounded=True).tolist() == [173]


def test_floor_to_unit_yen():
    v = np.array([12345, 99, 1000, -1550, 0])
    assert ar.floor_to_unit(v, 100).tolist() == [12300, 0, 1000, -1500, 0]
    assert ar.floor_to_unit(v, 1000).tolist() == [12000, 0, 1000, -1000, 0]
    assert pl.select(ar.floor_to_unit(pl.lit(12345), 10)).item() == 12340
    assert ar.ceil_to_unit(np.array([1, 100, 101]), 100).tolist() == [100, 100, 200]
