"""COBOL fixed-point arithmetic on whole columns.

A numeric item is held as an integer of its smallest unit: PIC S9(7)V99 holding
1,234.50 is the integer 123450 at scale 2. Every function here takes and
returns such integers and works the same on Polars expressions, Polars series
and NumPy int64 arrays (only + - * // % and comparisons are used), so a program
writes its COMPUTE once for either.

COBOL's rules, as GnuCOBOL and IBM Enterprise COBOL apply them:

* storing a result into a PICTURE without ON SIZE ERROR keeps the low-order
  digits and the sign of the true result (`truncate`); an unsigned PICTURE
  stores the absolute value;
* a result with more decimal places than the receiver is truncated toward zero,
  or with ROUNDED rounded half away from zero (`rescale`);
* yen amounts cut to 10 / 100 / 1,000 yen (端数切捨て, 地方税法 20条の4の2) are
  truncated toward zero (`floor_to_unit`).
"""
from __future__ import annotations

import numpy as np
import polars as pl


def _abs(x):
    if isinstance(x, (pl.Expr, pl.Series)):
        return x.abs()
    return np.abs(x)


def _where(cond, a, b):
    if isinstance(cond, pl.Expr) or isinstance(a, pl.Expr) or isinstance(b, pl.Expr):
        return pl.when(cond).then(a).otherwise(b)
    if isinstance(cond, pl.Series):
        return pl.select(pl.when(cond).then(a).otherwise(b)).to_series()
    return np.where(cond, a, b)


def truncate(value, digits: int, *, signed: bool = True):
    """Store `value` (integer at the receiver's scale) into a PICTURE of `digits`
    digits without ON SIZE ERROR: the low-order digits, with the true sign
    (signed) or without a sign (unsigned). ADD 1 TO a PIC 9(3) at 999 gives 0."""
    mod = 10 ** digits
    low = _abs(value) % mod
    return _where(value < 0, -low, low) if signed else low


def fits(value, digits: int):
    """True where `value` fits `digits` digits (what ON SIZE ERROR tests)."""
    return _abs(value) < 10 ** digits


def rescale(value, from_scale: int, to_scale: int, *, rounded: bool = False):
    """Move an integer at `from_scale` decimals to `to_scale` decimals: extra
    decimals truncated toward zero, or with ROUNDED half away from zero."""
    if to_scale >= from_scale:
        return value * 10 ** (to_scale - from_scale)
    div = 10 ** (from_scale - to_scale)
    mag = _abs(value)
    q = (mag + div // 2) // div if rounded else mag // div
    return _where(value < 0, -q, q)


def divide(numerator, denominator, *, scale: int = 0, rounded: bool = False):
    """COMPUTE r = a / b for integers a and b into a receiver with `scale`
    decimals (truncated toward zero, or ROUNDED half away from zero)."""
    num = _abs(numerator) * 10 ** scale
    den = _abs(denominator)
    q = (2 * num + den) // (2 * den) if rounded else num // den
    negative = (numerator < 0) != (denominator < 0)
    return _where(negative, -q, q)


def multiply(a, b, *, a_scale: int = 0, b_scale: int = 0, scale: int = 0, rounded: bool = False):
    """COMPUTE r = a * b with the product brought to the receiver's `scale`."""
    return rescale(a * b, a_scale + b_scale, scale, rounded=rounded)


def floor_to_unit(value, unit: int):
    """Truncate a yen amount to a multiple of `unit` (10, 100, 1,000 yen),
    toward zero: 12,345 -> 12,300 at 100 yen."""
    q = (_abs(value) // unit) * unit
    return _where(value < 0, -q, q)


def ceil_to_unit(value, unit: int):
    """Raise a non-negative amount to the next multiple of `unit` (切上げ)."""
    return (value + unit - 1) // unit * unit
