"""Packed decimal (COMP-3 / PACKED-DECIMAL), whole columns at a time.

Two digits a byte, big-endian, the last nibble the sign: C (+), D (-), F
(unsigned); A and E are read as +, B as -. A field of d digits takes d // 2 + 1
bytes; with an even digit count the first nibble is padding and must be 0.
Unsigned fields accept F and C. Encoding writes C/D, or F when unsigned.

A job whose legacy program judges signs otherwise (GnuCOBOL's NUMERIC test takes only C
and D in a signed field; a program may test for D alone as negative) says so:
PackedCodec(..., valid_signs="CD", negative_signs="D"). Digit nibbles A-F always mark
the field invalid, and its value counts each nibble as it is (A-F as 10-15), as
GnuCOBOL's arithmetic on such bytes does. GnuCOBOL's NUMERIC test does not require
the pad nibble of an even digit count to be 0 (only to be a digit): check_pad=False.

encode(values, negative=mask) writes the signs of `mask` (a -0 as the legacy writes
one: X'000D'); encode(values, truncate=True) keeps the low-order digits as a COBOL
MOVE to a shorter PICTURE does, instead of flagging the value (see
digits.values_to_digits). Both kernels take these options.
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


def _nibbles(letters: str) -> np.ndarray:
    """"CD" -> a 16-entry mask with nibbles C and D set."""
    mask = np.zeros(16, dtype=bool)
    mask[[int(c, 16) for c in letters]] = True
    return mask


class PackedCodec:
    kind = "packed decimal"

    def __init__(self, *, digits: int, signed: bool, size: int | None = None,
                 valid_signs: str | None = None, negative_signs: str | None = None,
                 check_pad: bool = True):
        self.digits = digits
        self.signed = signed
        self.size = size or digits // 2 + 1
        self.nibbles = 2 * self.size - 1          # digit nibbles, padding included
        self.pad = self.nibbles - digits
        self.check_pad = check_pad
        self.wide = digits > dg.MAX_INT64_DIGITS
        self.sign_ok = _nibbles(valid_signs) if valid_signs is not None else \
            (_SIGNED_OK if signed else _UNSIGNED_OK)
        self.sign_neg = _nibbles(negative_signs) if negative_signs is not None else _SIGN_NEG
        if not signed:
            self.sign_neg = np.zeros(16, dtype=bool)
        self._sign_ok = self.sign_ok.astype(np.uint8).tobytes()
        self._sign_neg = self.sign_neg.astype(np.uint8).tobytes()

    def kernel_decode(self, offsets: np.ndarray, count: int):
        """(specification, finish) for the compiled kernel, None when it does not
        take this field (more than 18 digits, or more than 10 bytes)."""
        if self.wide or self.size > 10:
            return None
        values, bad = kernel.empty(count, np.int64), kernel.empty(count, bool)
        spec = (kernel.PACKED, offsets, values, bad, self.size, self.pad if self.check_pad else 0,
                self._sign_ok,
                self._sign_neg)
        return spec, lambda _: (values, bad)

    def kernel_encode(self, offsets: np.ndarray, values, negative=None, truncate: bool = False):
        if self.wide or self.pad < 0 or not kernel.int64_column(values):
            return None
        values = np.ascontiguousarray(values)
        error = np.empty(len(values), dtype=bool)
        spec = (kernel.PACKED, offsets, values, error, self.digits, self.size, self.signed,
                kernel.flags(negative, len(values)), truncate)
        return spec, lambda negatives: (error, dg.encode_reason(self.digits, self.signed,
                                                                negatives))

    def decode(self, raw: np.ndarray):
        n = raw.shape[0]
        if kernel.active() is not None and not self.wide and self.size <= 10:
            return kernel.decode_one(self, raw)
        if not self.wide and self.size <= 10:
            return self._decode_swar(raw)
        nib = np.empty((n, 2 * self.size), dtype=np.uint8)
        nib[:, 0::2] = raw >> 4
        nib[:, 1::2] = raw & np.uint8(0x0F)
        sign = nib[:, -1]
        digs = nib[:, self.pad:-1]
        bad = (digs > 9).any(axis=1)
        if self.pad and self.check_pad:
            bad |= nib[:, :self.pad].any(axis=1)
        bad |= ~self.sign_ok[sign]
        negative = self.sign_neg[sign] if self.signed else None
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
            if self.pad and self.check_pad:
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
            if self.pad and self.check_pad and self.digits >= 16:
                bad |= (hi >> np.uint64(4 * (self.digits - 16))) != 0
            elif self.pad and self.check_pad:          # a field wider than its digits: lo holds padding too
                bad |= (hi != 0) | ((lo >> np.uint64(4 * self.digits)) != 0)
            v = vhi * np.uint64(10 ** 16) + vlo
        bad |= ~self.sign_ok[sign]
        v = v.view(np.int64)
        if self.signed:
            v = np.where(self.sign_neg[sign], -v, v)
        return v, bad

    def encode(self, values: np.ndarray, *, negative=None, truncate: bool = False):
        """values -> ((n, size) uint8, error (n,) bool, reason); `negative`: the signs
        to write (bool per value, -0 included), `truncate`: MOVE's dropping of
        high-order digits instead of an error."""
        k = self.digits
        if kernel.active() is not None:
            done = kernel.encode_one(self, values, negative=negative, truncate=truncate)
            if done is not None:
                return done
        digs, negative, error, reason = dg.values_to_digits(values, k, signed=self.signed,
                                                            negative=negative, truncate=truncate)
        n = len(digs)
        nib = np.zeros((n, 2 * self.size), dtype=np.uint8)
        nib[:, self.pad:-1] = digs
        if self.signed:
            nib[:, -1] = np.where(negative, 0xD, 0xC)
        else:
            nib[:, -1] = 0xF
        out = (nib[:, 0::2] << 4) | nib[:, 1::2]
        return out, error, reason
