"""Packed decimal (COMP-3 / PACKED-DECIMAL), whole columns at a time.

Two digits a byte, big-endian, the last nibble the sign: C (+), D (-), F
(unsigned); A and E are read as +, B as -. A field of d digits takes d // 2 + 1
bytes; with an even digit count the first nibble is padding and must be 0.
Unsigned fields accept F and C. Encoding writes C/D, or F when unsigned.
"""
from __future__ import annotations

import numpy as np

from engine.records import digits as dg
from engine.records import kernel

_SIGN_NEG = np.zeros(16, dtype=bool)
_SIGN_NEG[[0xB, 0xD]] = True
_SIGNED_OK = np.zeros(16, dtype=bool)
_SIGNED_OK[0xA:] = True
_UNSIGNED_OK = np.zeros(16, dtype=bool)
_UNSIGNED_OK[[0xC, 0xF]] = True


class PackedCodec:
    kind = "packed decimal"

    def __init__(self, *, digits: int, signed: bool, size: int | None = None):
        self.digits = digits
        self.signed = signed
        self.size = size or digits // 2 + 1
        self.nibbles = 2 * self.size - 1          # digit nibbles, padding included
        self.pad = self.nibbles - digits
        self.wide = digits > dg.MAX_INT64_DIGITS
        self._sign_ok = (_SIGNED_OK if signed else _UNSIGNED_OK).astype(np.uint8).tobytes()
        self._sign_neg = (_SIGN_NEG if signed else np.zeros(16, bool)).astype(np.uint8).tobytes()

    def decode(self, raw: np.ndarray):
        n = raw.shape[0]
        ck = kernel.active()
        if ck is not None and not self.wide and self.size <= 10:
            values, bad = np.empty(n, dtype=np.int64), np.empty(n, dtype=bool)
            ck.packed_decode(kernel.block(raw), values, bad, self.pad, self._sign_ok, self._sign_neg)
            return values, bad
        if not self.wide and self.size <= 10:
            return self._decode_swar(raw)
        nib = np.empty((n, 2 * self.size), dtype=np.uint8)
        nib[:, 0::2] = raw >> 4
        nib[:, 1::2] = raw & np.uint8(0x0F)
        sign = nib[:, -1]
        digs = nib[:, self.pad:-1]
        bad = (digs > 9).any(axis=1)
        if self.pad:
            bad |= nib[:, :self.pad].any(axis=1)
        bad |= ~(_SIGNED_OK if self.signed else _UNSIGNED_OK)[sign]
        negative = _SIGN_NEG[sign] if self.signed else None
        if bad.any():
            digs = np.where(digs > 9, 0, digs).astype(np.uint8)
        if self.wide:
            return dg.digits_to_int128(digs, negative), bad
        v = dg.digits_to_uint64(digs).view(np.int64)
        if negative is not None:
            v = np.where(negative, -v, v)
        return v, bad

    def _decode_swar(self, raw: np.ndarray):
        """Up to 18 digits: the field as one or two big-endian words, BCD to
        binary with SWAR."""
        n, w = raw.shape
        if w <= 8:
            buf = np.zeros((n, 8), dtype=np.uint8)
            buf[:, 8 - w:] = raw
            x = buf.view(">u8").ravel().astype(np.uint64)
            sign = (x & np.uint64(0xF)).astype(np.uint8)
            x >>= np.uint64(4)
            v, bad = dg.bcd_to_uint64(x, self.nibbles)
            if self.pad:
                bad |= (x >> np.uint64(4 * self.digits)) != 0
        else:
            buf = np.zeros((n, 16), dtype=np.uint8)
            buf[:, 16 - w:] = raw
            words = buf.view(">u8").astype(np.uint64)
            hi, lo = words[:, 0], words[:, 1]
            sign = (lo & np.uint64(0xF)).astype(np.uint8)
            lo = (lo >> np.uint64(4)) | ((hi & np.uint64(0xF)) << np.uint64(60))
            hi = hi >> np.uint64(4)
            vlo, bad = dg.bcd_to_uint64(lo, 16)
            vhi, bad_hi = dg.bcd_to_uint64(hi, self.nibbles - 16)
            bad |= bad_hi
            if self.pad and self.digits >= 16:
                bad |= (hi >> np.uint64(4 * (self.digits - 16))) != 0
            elif self.pad:          # a field wider than its digits: lo holds padding too
                bad |= (hi != 0) | ((lo >> np.uint64(4 * self.digits)) != 0)
            v = vhi * np.uint64(10 ** 16) + vlo
        bad |= ~(_SIGNED_OK if self.signed else _UNSIGNED_OK)[sign]
        v = v.view(np.int64)
        if self.signed:
            v = np.where(_SIGN_NEG[sign], -v, v)
        return v, bad

    def encode(self, values: np.ndarray):
        k = self.digits
        ck = kernel.active()
        if (ck is not None and kernel.int64_column(values) and k <= dg.MAX_INT64_DIGITS
                and self.pad >= 0):
            values = np.ascontiguousarray(values)
            out = np.empty((len(values), self.size), dtype=np.uint8)
            error = np.empty(len(values), dtype=bool)
            negatives = ck.packed_encode(values, out, error, k, self.size, self.signed)
            return out, error, dg.encode_reason(k, self.signed, negatives)
        digs, negative, error, reason = dg.values_to_digits(values, k, signed=self.signed)
        n = len(digs)
        nib = np.zeros((n, 2 * self.size), dtype=np.uint8)
        nib[:, self.pad:-1] = digs
        if self.signed:
            nib[:, -1] = np.where(negative, 0xD, 0xC)
        else:
            nib[:, -1] = 0xF
        out = (nib[:, 0::2] << 4) | nib[:, 1::2]
        return out, error, reason
