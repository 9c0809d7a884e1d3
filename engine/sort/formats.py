"""DFSORT numeric formats ZD, PD, BI, FI: decode to digits / integers and encode back,
whole columns at a time.

ZD sign (zone of the last byte), EBCDIC data, as DFSORT reads it: F E C A 8 6 4 2 0
positive, D B 9 7 5 3 1 negative; the zones of the other bytes are ignored (DFSORT packs
them away), only their digit nibbles must be 0-9.
ZD sign, ASCII data: the last byte may be a plain digit 0x30-0x39 (positive), a
GnuCOBOL / Micro Focus negative 0x70-0x79 ('p'-'y'), or an overpunch letter:
'{' 'A'-'I' positive, '}' 'J'-'R' negative. Both conventions are accepted, whichever
dialect wrote the file; the other bytes must be digits 0x30-0x39.
PD: two digits a byte, the last nibble the sign: C A E F positive, D B negative.
A negative zero compares equal to zero.
"""
from __future__ import annotations

import numpy as np

_POS_ZONES = {0xF, 0xE, 0xC, 0xA, 0x8, 0x6, 0x4, 0x2, 0x0}


def _zd_last_tables(ebcdic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(digit, negative, valid) lookup tables for the last byte of a ZD field."""
    digit = np.zeros(256, np.uint8)
    neg = np.zeros(256, bool)
    valid = np.zeros(256, bool)
    for b in range(256):
        if ebcdic:
            if (b & 0xF) <= 9:
                digit[b], neg[b], valid[b] = b & 0xF, (b >> 4) not in _POS_ZONES, True
        elif 0x30 <= b <= 0x39:
            digit[b], valid[b] = b - 0x30, True
        elif 0x70 <= b <= 0x79:
            digit[b], neg[b], valid[b] = b - 0x70, True, True
        elif b == 0x7B:                       # '{' +0
            valid[b] = True
        elif b == 0x7D:                       # '}' -0
            neg[b], valid[b] = True, True
        elif 0x41 <= b <= 0x49:               # 'A'-'I' +1..+9
            digit[b], valid[b] = b - 0x40, True
        elif 0x4A <= b <= 0x52:               # 'J'-'R' -1..-9
            digit[b], neg[b], valid[b] = b - 0x49, True, True
    return digit, neg, valid


_ZD_LAST = {True: _zd_last_tables(True), False: _zd_last_tables(False)}


def ndigits(fmt: str, length: int) -> int:
    """Decimal digits a field can hold (BI/FI: enough for any value of that size)."""
    if fmt == "ZD":
        return length
    if fmt == "PD":
        return 2 * length - 1
    return len(str(2 ** (8 * length)))


def decimal_digits(block: np.ndarray, fmt: str, ebcdic: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(negative (n,), digits (n, D) uint8, bad (n,)) for a ZD / PD / BI / FI column.

    `bad` marks rows whose bytes are not a valid number of that format; their digits are
    zero. Negative zero comes back as positive.
    """
    n, m = block.shape
    if fmt == "ZD":
        if ebcdic:
            digits = (block & 0x0F).astype(np.uint8)
            bad = (digits[:, :-1] > 9).any(axis=1)
        else:
            digits = block - np.uint8(0x30)
            bad = (digits[:, :-1] > 9).any(axis=1)
        dtab, ntab, vtab = _ZD_LAST[ebcdic]
        last = block[:, -1]
        digits[:, -1] = dtab[last]
        neg = ntab[last]
        bad |= ~vtab[last]
    elif fmt == "PD":
        digits = np.empty((n, 2 * m), np.uint8)
        digits[:, 0::2] = block >> 4
        digits[:, 1::2] = block & 0x0F
        sign = digits[:, -1]
        digits = digits[:, :-1]
        bad = (digits > 9).any(axis=1) | (sign <= 9)
        neg = (sign == 0xB) | (sign == 0xD)
    elif fmt in ("BI", "FI"):
        neg, magnitude = binary_magnitude(block, signed=(fmt == "FI"))
        digits = int_digits(magnitude, ndigits(fmt, m))
        bad = np.zeros(n, bool)
    else:  # pragma: no cover - the parser admits no other format
        raise ValueError(fmt)
    if bad.any():
        digits = digits.copy()
        digits[bad] = 0
    neg = neg & ~bad & digits.any(axis=1)
    return neg, digits, bad


def binary_magnitude(block: np.ndarray, *, signed: bool) -> tuple[np.ndarray, np.ndarray]:
    """(negative, |value| as uint64) of big-endian binary fields of up to 8 bytes."""
    n, m = block.shape
    if m > 8:
        raise ValueError("binary fields longer than 8 bytes have no integer value here")
    padded = np.zeros((n, 8), np.uint8)
    if signed:
        padded[:] = np.where(block[:, :1] >= 0x80, 0xFF, 0x00).astype(np.uint8)
    padded[:, 8 - m:] = block
    value = padded.view(">u8").reshape(n).astype(np.uint64)
    if not signed:
        return np.zeros(n, bool), value
    neg = (value >> np.uint64(63)).astype(bool)
    magnitude = np.where(neg, (~value) + np.uint64(1), value)
    return neg, magnitude


def int_digits(magnitude: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers (uint64/int64) -> (n, width) decimal digits, most significant first."""
    out = np.zeros((len(magnitude), width), np.uint8)
    v = magnitude.astype(np.uint64, copy=True)
    ten = np.uint64(10)
    for k in range(width - 1, -1, -1):
        out[:, k] = (v % ten).astype(np.uint8)
        v //= ten
        if not v.any():
            break
    return out


def digits_value(neg: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """int64 values of up to 18 digits."""
    d = digits.shape[1]
    if d > 18:
        raise ValueError("more than 18 digits")
    weights = 10 ** np.arange(d - 1, -1, -1, dtype=np.int64)
    value = digits.astype(np.int64) @ weights
    return np.where(neg, -value, value)


def field_values(block: np.ndarray, fmt: str, ebcdic: bool) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, bad) of a ZD/PD (<= 18 digits) or BI/FI (<= 8 bytes) column."""
    if fmt in ("BI", "FI"):
        neg, magnitude = binary_magnitude(block, signed=fmt == "FI")
        if fmt == "BI" and block.shape[1] == 8 and (magnitude >> np.uint64(63)).any():
            raise OverflowError("unsigned 8-byte value above 2**63-1")
        value = magnitude.astype(np.int64)
        return np.where(neg, -value, value), np.zeros(len(block), bool)
    neg, digits, bad = decimal_digits(block, fmt, ebcdic)
    return digits_value(neg, digits), bad


def fits(values: np.ndarray, fmt: str, length: int) -> np.ndarray:
    """Rows whose value can be stored in a field of that format and length."""
    if fmt in ("ZD", "PD"):
        d = ndigits(fmt, length)
        if d >= 19:
            return np.ones(len(values), bool)
        limit = np.int64(10 ** d)
        return (values < limit) & (values > -limit)
    if fmt == "BI":
        return (values >= 0) if length >= 8 else (values >= 0) & (values < np.int64(1 << (8 * length)))
    if length >= 8:
        return np.ones(len(values), bool)
    half = np.int64(1 << (8 * length - 1))
    return (values >= -half) & (values < half)


def encode(values: np.ndarray, fmt: str, length: int, ebcdic: bool, *,
           template: np.ndarray | None = None, negative_style: str = "gnucobol",
           positive_sign: int | None = None) -> np.ndarray:
    """int64 values -> (n, length) field bytes. Values must fit (see `fits`).

    `template` (the field's old bytes, (n, length)) keeps each row's sign style: an
    EBCDIC ZD/PD field stays F-signed if it was F and the result is not negative, an
    ASCII ZD field written with overpunch letters stays overpunched. Without a template
    positive signs are `positive_sign` (default C for PD and signed EBCDIC ZD) and
    negative ASCII ZD bytes follow `negative_style` ("gnucobol" 0x70+d or "overpunch").
    """
    n = len(values)
    neg = values < 0
    magnitude = np.where(neg, -values, values).astype(np.uint64)
    if fmt in ("BI", "FI"):
        raw = np.where(neg, (~magnitude) + np.uint64(1), magnitude).astype(">u8")
        return raw.view(np.uint8).reshape(n, 8)[:, 8 - length:].copy()
    if fmt == "ZD":
        digits = int_digits(magnitude, length)
        if ebcdic:
            out = digits | np.uint8(0xF0)
            pos_zone = np.full(n, 0xC if positive_sign is None else positive_sign, np.uint8)
            if template is not None:
                old = template[:, -1] >> 4
                pos_zone = np.where(np.isin(old, [0xF, 0xC, 0xA, 0xE]), old, 0xC).astype(np.uint8)
            zone = np.where(neg, np.uint8(0xD), pos_zone).astype(np.uint8)
            out[:, -1] = (zone << 4) | digits[:, -1]
            return out
        out = digits + np.uint8(0x30)
        last = digits[:, -1]
        overpunch = np.full(n, negative_style == "overpunch")
        if template is not None:
            t = template[:, -1]
            overpunch = (t == 0x7B) | (t == 0x7D) | ((t >= 0x41) & (t <= 0x52))
        pos_over = np.where(last == 0, 0x7B, 0x40 + last)
        neg_over = np.where(last == 0, 0x7D, 0x49 + last)
        out[:, -1] = np.where(neg, np.where(overpunch, neg_over, 0x70 + last),
                              np.where(overpunch & (template is not None), pos_over, 0x30 + last))
        return out
    # PD
    digits = int_digits(magnitude, 2 * length - 1)
    pos_sign = np.full(n, 0xC if positive_sign is None else positive_sign, np.uint8)
    if template is not None:
        old = template[:, -1] & 0x0F
        pos_sign = np.where(np.isin(old, [0xF, 0xC, 0xA, 0xE]), old, 0xC).astype(np.uint8)
    nibbles = np.empty((n, 2 * length), np.uint8)
    nibbles[:, :-1] = digits
    nibbles[:, -1] = np.where(neg, np.uint8(0xD), pos_sign)
    return (nibbles[:, 0::2] << 4) | nibbles[:, 1::2]
