"""Whole-column decimal arithmetic shared by the zoned and packed codecs.

A column of k-digit numbers arrives as an (n, k) uint8 array of digit values
0-9 (most significant first). Up to 18 digits the value fits an int64 and is
computed eight digits at a time with SWAR on uint64 words (three multiply-and-
mask steps per word instead of eight multiply-adds). Longer numbers (up to 38
digits, COBOL's ARITH(EXTEND) limit) become 128-bit two's complement values
held as four 32-bit limbs, which is what Arrow's decimal128 buffers hold.
"""
from __future__ import annotations

import numpy as np

POW10 = [10 ** i for i in range(39)]
POW10_U64 = np.array([10 ** i for i in range(20)], dtype=np.uint64)
MAX_INT64_DIGITS = 18

_M8 = np.uint64(0x00FF00FF00FF00FF)
_M16 = np.uint64(0x0000FFFF0000FFFF)
_M32 = np.uint64(0x00000000FFFFFFFF)


def _swar8(words: np.ndarray) -> np.ndarray:
    """uint64 words each holding 8 digit bytes (first byte most significant,
    little-endian load) -> their value 0..99,999,999."""
    x = words
    x = (x * np.uint64(10) + (x >> np.uint64(8))) & _M8
    x = (x * np.uint64(100) + (x >> np.uint64(16))) & _M16
    x = (x * np.uint64(10000) + (x >> np.uint64(32))) & _M32
    return x


def digits_to_uint64(d: np.ndarray) -> np.ndarray:
    """(n, k) digit values (k <= 19) -> uint64 values."""
    n, k = d.shape
    if k == 0:
        return np.zeros(n, dtype=np.uint64)
    groups = -(-k // 8)
    buf = np.zeros((n, groups * 8), dtype=np.uint8)
    buf[:, groups * 8 - k:] = d
    words = _swar8(buf.view("<u8"))        # (n, groups)
    out = words[:, 0].copy()
    for g in range(1, groups):
        out *= np.uint64(100_000_000)
        out += words[:, g]
    return out


_LOW = np.uint64(0x0F0F0F0F0F0F0F0F)
_HIGH = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIX = np.uint64(0x0606060606060606)


def zoned_words_to_uint64(buf: np.ndarray, zone: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, 8g) uint8 of digit characters with zone nibble `zone` (3 for ASCII,
    F for EBCDIC), left-padded with zero characters -> (uint64 values, bad).
    Validation and conversion run on whole 8-byte words."""
    words = buf.view("<u8")
    zones = np.uint64(int.from_bytes(bytes([zone << 4]) * 8, "little"))
    bad = None
    out = None
    for g in range(words.shape[1]):
        x = words[:, g]
        low = x & _LOW
        wrong = ((x & _HIGH) != zones) | (((low + _SIX) & _HIGH) != 0)
        bad = wrong if bad is None else (bad | wrong)
        v = _swar8(low)
        out = v if out is None else out * np.uint64(100_000_000) + v
    return out, bad


_N_LOW = np.uint64(0x0F0F0F0F0F0F0F0F)


def bcd_to_uint64(x: np.ndarray, ndigits: int) -> tuple[np.ndarray, np.ndarray]:
    """uint64 words of up to 16 BCD nibbles (most significant nibble highest)
    -> (values, bad) where bad marks a nibble above 9."""
    # a nibble d > 9 carries when 6 is added to it
    six = np.uint64(int("6" * ndigits, 16))
    carry = ((x + six) ^ x ^ six) & np.uint64(int("1" * ndigits + "0", 16) & 0xFFFFFFFFFFFFFFFF)
    hi_carry = (x + six) < x if ndigits == 16 else None
    bad = carry != 0
    if hi_carry is not None:
        bad |= hi_carry
    x = (x & _N_LOW) + ((x >> np.uint64(4)) & _N_LOW) * np.uint64(10)
    x = (x & np.uint64(0x00FF00FF00FF00FF)) + ((x >> np.uint64(8)) & np.uint64(0x00FF00FF00FF00FF)) * np.uint64(100)
    x = (x & np.uint64(0x0000FFFF0000FFFF)) + ((x >> np.uint64(16)) & np.uint64(0x0000FFFF0000FFFF)) * np.uint64(10000)
    x = (x & np.uint64(0xFFFFFFFF)) + (x >> np.uint64(32)) * np.uint64(100_000_000)
    return x, bad


def _swar_digits8(g: np.ndarray) -> np.ndarray:
    """uint64 values < 10**8 -> uint64 words whose 8 bytes (little-endian) are
    the decimal digits, most significant first."""
    hi = (g * np.uint64(109951163)) >> np.uint64(40)     # g // 10000, exact below 10**8
    x = hi | ((g - hi * np.uint64(10000)) << np.uint64(32))
    q = ((x * np.uint64(5243)) >> np.uint64(19)) & np.uint64(0x0000007F0000007F)
    x = q | ((x - q * np.uint64(100)) << np.uint64(16))
    q = ((x * np.uint64(103)) >> np.uint64(10)) & np.uint64(0x000F000F000F000F)
    return q | ((x - q * np.uint64(10)) << np.uint64(8))


def uint64_to_digits(v: np.ndarray, k: int) -> np.ndarray:
    """uint64 values (< 10**k, k <= 20) -> (n, k) uint8 digit values."""
    n = v.shape[0]
    groups = max(1, -(-k // 8))
    words = np.empty((n, groups), dtype=np.uint64)
    rest = v
    for g in range(groups - 1, 0, -1):
        q = rest // np.uint64(100_000_000)
        words[:, g] = _swar_digits8(rest - q * np.uint64(100_000_000))
        rest = q
    words[:, 0] = _swar_digits8(rest if k <= 8 or groups > 1 else rest % np.uint64(100_000_000))
    return words.view(np.uint8).reshape(n, groups * 8)[:, groups * 8 - k:]


# ---- 128-bit values as four uint32 limbs in uint64 arrays (least significant first)

def digits_to_int128(d: np.ndarray, negative: np.ndarray | None) -> np.ndarray:
    """(n, k) digits (k <= 38) -> (n, 2) int64 [low, high] two's complement."""
    n, k = d.shape
    chunks = -(-k // 9)
    buf = np.zeros((n, chunks * 9), dtype=np.uint8)
    buf[:, chunks * 9 - k:] = d
    limbs = [np.zeros(n, dtype=np.uint64) for _ in range(4)]
    mask32 = np.uint64(0xFFFFFFFF)
    for c in range(chunks):
        part = digits_to_uint64(buf[:, c * 9:(c + 1) * 9])
        carry = part
        for i in range(4):
            t = limbs[i] * np.uint64(1_000_000_000) + carry
            limbs[i] = t & mask32
            carry = t >> np.uint64(32)
    return _limbs_to_pairs(limbs, negative)


def _limbs_to_pairs(limbs, negative) -> np.ndarray:
    lo = limbs[0] | (limbs[1] << np.uint64(32))
    hi = limbs[2] | (limbs[3] << np.uint64(32))
    if negative is not None and negative.any():
        # two's complement negate: invert and add one
        nlo = ~lo + np.uint64(1)
        nhi = ~hi + (nlo == 0).astype(np.uint64)
        lo = np.where(negative, nlo, lo)
        hi = np.where(negative, nhi, hi)
    out = np.empty((lo.shape[0], 2), dtype=np.uint64)
    out[:, 0] = lo
    out[:, 1] = hi
    return out.view(np.int64)


def int128_to_digits(pairs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, 2) int64 [low, high] -> (digits (n, k) uint8, negative bool, overflow bool)."""
    p = pairs.view(np.uint64)
    lo, hi = p[:, 0].copy(), p[:, 1].copy()
    negative = (hi >> np.uint64(63)).astype(bool)
    if negative.any():
        nlo = ~lo + np.uint64(1)
        nhi = ~hi + (nlo == 0).astype(np.uint64)
        lo = np.where(negative, nlo, lo)
        hi = np.where(negative, nhi, hi)
    mask32 = np.uint64(0xFFFFFFFF)
    limbs = [lo & mask32, lo >> np.uint64(32), hi & mask32, hi >> np.uint64(32)]
    chunks = -(-k // 9)
    out = np.zeros((lo.shape[0], chunks * 9), dtype=np.uint8)
    billion = np.uint64(1_000_000_000)
    for c in range(chunks - 1, -1, -1):
        rem = np.zeros_like(lo)
        for i in range(3, -1, -1):
            cur = (rem << np.uint64(32)) | limbs[i]
            limbs[i] = cur // billion
            rem = cur % billion
        out[:, c * 9:(c + 1) * 9] = uint64_to_digits(rem, 9)
    overflow = (limbs[0] | limbs[1] | limbs[2] | limbs[3]) != 0
    overflow |= out[:, :chunks * 9 - k].any(axis=1)
    return out[:, chunks * 9 - k:], negative, overflow


def int64_to_int128(v: np.ndarray) -> np.ndarray:
    out = np.empty((v.shape[0], 2), dtype=np.int64)
    out[:, 0] = v
    out[:, 1] = v >> 63
    return out


def int128_fits_int64(pairs: np.ndarray) -> np.ndarray:
    return pairs[:, 1] == (pairs[:, 0] >> 63)


def values_to_digits(values: np.ndarray, k: int, *, signed: bool, negative=None,
                     truncate: bool = False):
    """int64 (n,) or int128 [low, high] (n, 2) values -> (digits (n, k) uint8, negative,
    error, reason): the digit rows of a decimal field of k digits, which values do not
    fit (too many digits, or negative into an unsigned field), and why. -0 is not negative,
    unless `negative` (a bool per value) gives the signs: then |value| is written with
    that sign, zero included. `truncate`: nothing is an error, the low-order k digits
    are kept as a COBOL MOVE keeps them; a signed field keeps the sign (a -0 where only
    zeros are left), an unsigned field drops it."""
    if values.ndim == 2:
        digs, is_neg, overflow = int128_to_digits(values, k)
    else:
        is_neg = values < 0
        mag = np.abs(values).view(np.uint64)
        if truncate and k < 20:
            mag = mag % np.uint64(10 ** k)
        overflow = mag >= np.uint64(10 ** k) if k < 20 else np.zeros(len(values), bool)
        digs = uint64_to_digits(np.where(overflow, np.uint64(0), mag) if overflow.any() else mag, k)
    want = is_neg
    if negative is not None:
        want = np.asarray(negative, dtype=bool).reshape(-1)
        if len(want) != len(is_neg):
            raise ValueError(f"{len(want)} flags for {len(is_neg)} values")
    if truncate:
        negative = want if signed else np.zeros(len(want), bool)
        error = np.zeros(len(want), bool)
        return digs, negative, error, encode_reason(k, signed, 0)
    if negative is None:
        negative = is_neg & digs.any(axis=1) if is_neg.any() else is_neg
    else:
        negative = want & ~overflow
    error = overflow
    if not signed and negative.any():
        error = error | negative
    return digs, negative, error, encode_reason(k, signed, int(negative.any()))


def encode_reason(k: int, signed: bool, negatives: int) -> str:
    """Why values did not fit a decimal field of k digits (for EncodeError)."""
    if not signed and negatives:
        return f"more than {k} digits, or negative into an unsigned field"
    return f"more than {k} digits"
