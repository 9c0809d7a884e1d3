"""COMP-1 / COMP-2 floating point: IBM hexadecimal (System/360) or IEEE 754.

IBM hex float: sign bit, 7-bit exponent of 16 biased by 64, then a 24-bit
(COMP-1) or 56-bit (COMP-2) fraction f with value (-1)**s * f * 16**(e-64),
0 <= f < 1. Every COMP-1 value is exact in a float32 (at most 24 significant
bits); COMP-2 has up to 56 and is rounded to float64's 53. Values beyond the
IBM range on encode (about 7.2e75) are an error; values too small become 0.
"""
from __future__ import annotations

import numpy as np


class FloatCodec:
    kind = "floating point"
    wide = False

    def __init__(self, *, size: int, fmt: str = "ibm", byteorder: str = "big"):
        self.size, self.fmt, self.byteorder = size, fmt, byteorder
        self.frac_bits = 24 if size == 4 else 56
        e = ">" if byteorder == "big" else "<"
        self.int_dtype = np.dtype(f"{e}u{size}")
        self.ieee_dtype = np.dtype(f"{e}f{size}")
        self.out_dtype = np.float32 if size == 4 else np.float64

    def decode(self, raw: np.ndarray):
        n = raw.shape[0]
        buf = np.ascontiguousarray(raw)
        bad = np.zeros(n, dtype=bool)
        if self.fmt == "ieee":
            return buf.view(self.ieee_dtype).reshape(n).astype(self.out_dtype), bad
        word = buf.view(self.int_dtype).reshape(n).astype(np.uint64)
        shift = np.uint64(8 * self.size - 1)
        sign = (word >> shift).astype(bool)
        exp = ((word >> np.uint64(self.frac_bits)) & np.uint64(0x7F)).astype(np.int64)
        frac = word & np.uint64((1 << self.frac_bits) - 1)
        value = np.ldexp(frac.astype(np.float64), 4 * (exp - 64) - self.frac_bits)
        value = np.where(sign, -value, value)
        with np.errstate(over="ignore"):        # beyond float32: inf
            return value.astype(self.out_dtype), bad

    def encode(self, values: np.ndarray):
        v = np.asarray(values, dtype=np.float64)
        n = v.shape[0]
        if self.fmt == "ieee":
            with np.errstate(over="ignore", invalid="ignore"):
                out = v.astype(self.ieee_dtype)
            error = ~np.isfinite(out) & np.isfinite(v)
            return out.view(np.uint8).reshape(n, self.size), error, "out of the float range"
        error = ~np.isfinite(v)
        sign = np.signbit(v) & (v != 0)
        mag = np.where(error, 0.0, np.abs(v))
        m, e = np.frexp(mag)                           # mag = m * 2**e, 0.5 <= m < 1
        e16 = -((-e) // 4)                             # ceil(e / 4)
        frac = np.ldexp(m, e - 4 * e16)                # in [1/16, 1)
        fi = np.rint(np.ldexp(frac, self.frac_bits)).astype(np.uint64)
        carry = fi >> np.uint64(self.frac_bits) > 0    # rounding reached 1.0
        fi = np.where(carry, fi >> np.uint64(4), fi)
        e16 = np.where(carry, e16 + 1, e16)
        exp = e16 + 64
        error |= exp > 127
        tiny = (exp < 0) | (mag == 0)
        exp = np.clip(exp, 0, 127).astype(np.uint64)
        word = (sign.astype(np.uint64) << np.uint64(8 * self.size - 1)) | \
            (exp << np.uint64(self.frac_bits)) | fi
        word = np.where(tiny | error, 0, word).astype(np.uint64)
        out = word.astype(self.int_dtype)
        return out.view(np.uint8).reshape(n, self.size), error, "beyond the IBM floating-point range"
