"""Zoned decimal (USAGE DISPLAY numeric), whole columns at a time.

Every byte but the sign position holds one digit in the code page's digit
characters ('0'-'9': 0x30-0x39 in ASCII, 0xF0-0xF9 in EBCDIC). The sign is either
embedded in the last byte (first with SIGN LEADING) or, with SIGN ... SEPARATE,
a '+' or '-' character of its own. Embedded signs follow one of three
conventions (engine.compat.dialect.ZonedSign):

  ebcdic           zone nibble C (+), D (-), F (unsigned); A, E read as +, B as -
  ascii-overpunch  '{' 'A'-'I' for +0..+9, '}' 'J'-'R' for -0..-9 (characters of the
                   page, so on EBCDIC pages these are the C and D zones); plain
                   digits are read as positive
  gnucobol         plain digits for +, 'p'-'y' (0x70+d in ASCII) for -

Unsigned fields hold digits only; under the ebcdic convention a C zone in the
last byte is accepted too (it is what a signed MOVE leaves), a D zone is not.
A job whose legacy program accepts fewer sign zones (GnuCOBOL's NUMERIC test on an
EBCDIC signed field takes only C, D and F) says so: ZonedCodec(..., zones="CDF").
Encoding writes the first spelling of each convention (C/D zones, '{'/'A'-'I'
and '}'/'J'-'R', digits and 'p'-'y'); an unsigned field gets plain digits.
encode(values, negative=mask) writes the signs of `mask` (a -0 as the legacy writes
one); encode(values, truncate=True) keeps the low-order digits as a COBOL MOVE to a
shorter PICTURE does (see digits.values_to_digits). Both kernels take these options.
"""
from __future__ import annotations

import numpy as np

from engine.records import digits as dg
from engine.records import kernel

OVERPUNCH_POS = "{ABCDEFGHI"
OVERPUNCH_NEG = "}JKLMNOPQR"
GNUCOBOL_NEG = "pqrstuvwxy"


class ZonedCodec:
    kind = "zoned decimal"

    def __init__(self, *, digits: int, signed: bool, convention: str, codepage,
                 sign_leading: bool = False, sign_separate: bool = False, zones: str = "CAEFDB"):
        self.digits = digits
        self.signed = signed
        self.leading = sign_leading
        self.separate = signed and sign_separate
        self.size = digits + (1 if self.separate else 0)
        self.wide = digits > dg.MAX_INT64_DIGITS
        self.convention = convention
        zero = self.zero = np.uint8(codepage.digit_zero)
        enc = codepage.encode

        self.digit_ok = np.zeros(256, dtype=bool)
        self.digit_ok[zero:zero + 10] = True

        # sign position: value of the digit (-1 invalid) and whether negative
        sdig = np.full(256, -1, dtype=np.int16)
        sneg = np.zeros(256, dtype=bool)
        self.enc_pos = np.array([zero + d for d in range(10)], dtype=np.uint8)
        self.enc_neg = self.enc_pos.copy()
        if not signed:
            sdig[zero:zero + 10] = np.arange(10)
            if convention == "ebcdic":
                sdig[0xC0:0xCA] = np.arange(10)
        elif self.separate:
            self.plus, self.minus = enc("+")[0], enc("-")[0]
        elif convention == "ebcdic":
            for zone, neg in ((0xC, False), (0xA, False), (0xE, False), (0xF, False),
                              (0xD, True), (0xB, True)):
                if f"{zone:X}" not in zones.upper():
                    continue
                sdig[zone << 4: (zone << 4) + 10] = np.arange(10)
                sneg[zone << 4: (zone << 4) + 10] = neg
            self.enc_pos = np.arange(0xC0, 0xCA, dtype=np.uint8)
            self.enc_neg = np.arange(0xD0, 0xDA, dtype=np.uint8)
        elif convention == "ascii-overpunch":
            sdig[zero:zero + 10] = np.arange(10)
            self.enc_pos = np.frombuffer(enc(OVERPUNCH_POS), dtype=np.uint8).copy()
            self.enc_neg = np.frombuffer(enc(OVERPUNCH_NEG), dtype=np.uint8).copy()
            sdig[self.enc_pos] = np.arange(10)
            sdig[self.enc_neg] = np.arange(10)
            sneg[self.enc_neg] = True
        elif convention == "gnucobol":
            sdig[zero:zero + 10] = np.arange(10)
            self.enc_neg = np.frombuffer(enc(GNUCOBOL_NEG), dtype=np.uint8).copy()
            sdig[self.enc_neg] = np.arange(10)
            sneg[self.enc_neg] = True
        else:
            raise ValueError(f"unknown zoned sign convention {convention!r}")
        self.sign_digit, self.sign_neg = sdig, sneg
        self._compiled_tables()

    def _compiled_tables(self) -> None:
        """The same rules as tables for the compiled kernel: where the digits and
        the sign byte are, which bytes are digits, what a sign byte means."""
        k = self.digits
        self._body_start = 1 if self.separate and self.leading else 0
        self._dtab = (~self.digit_ok).astype(np.uint8).tobytes()
        stab = np.full(256, 0xFF, dtype=np.uint8)
        ntab = np.zeros(256, dtype=np.uint8)
        if self.separate:
            self._sign_at = 0 if self.leading else k
            stab[[self.plus, self.minus]] = 0
            ntab[self.minus] = 1
        elif self.signed or self.convention == "ebcdic":
            self._sign_at = 0 if self.leading else k - 1
            ok = self.sign_digit >= 0
            stab[ok] = self.sign_digit[ok]
            if self.signed:
                ntab[self.sign_neg] = 1
        else:                       # unsigned: every byte a plain digit
            self._sign_at = -1
        self._stab, self._ntab = stab.tobytes(), ntab.tobytes()
        self._enc_pos, self._enc_neg = self.enc_pos.tobytes(), self.enc_neg.tobytes()
        self._plus = int(self.plus) if self.separate else 0
        self._minus = int(self.minus) if self.separate else 0

    # ---------------------------------------------------------------- kernel
    def kernel_decode(self, offsets: np.ndarray, count: int):
        """(specification, finish) for the compiled kernel, None when it does not
        take this field (more than 18 digits)."""
        if self.wide:
            return None
        values, bad = kernel.empty(count, np.int64), kernel.empty(count, bool)
        spec = (kernel.ZONED, offsets, values, bad, self._dtab, self._stab, self._ntab,
                self._body_start, self.digits, self._sign_at, self.separate)
        return spec, lambda _: (values, bad)

    def kernel_encode(self, offsets: np.ndarray, values, negative=None, truncate: bool = False):
        if self.wide or not kernel.int64_column(values):
            return None
        values = np.ascontiguousarray(values)
        error = np.empty(len(values), dtype=bool)
        spec = (kernel.ZONED, offsets, values, error, self.digits, self.size, self._body_start,
                int(self.zero), self.signed, self._sign_at, self.separate, self._plus,
                self._minus, self._enc_pos, self._enc_neg, kernel.flags(negative, len(values)),
                truncate)
        return spec, lambda negatives: (error, dg.encode_reason(self.digits, self.signed,
                                                                negatives))

    # ---------------------------------------------------------------- decode
    def decode(self, raw: np.ndarray):
        """(n, size) uint8 -> (int64 (n,) or int128 (n, 2) values, bad (n,) bool)."""
        k = self.digits
        n = raw.shape[0]
        if kernel.active() is not None and not self.wide:
            return kernel.decode_one(self, raw)
        if self.separate:
            sign_byte = raw[:, 0] if self.leading else raw[:, -1]
            body = raw[:, 1:] if self.leading else raw[:, :-1]
            sign_bad = (sign_byte != self.plus) & (sign_byte != self.minus)
            negative = sign_byte == self.minus
            spos = None
        else:
            body = raw
            spos = 0 if self.leading else k - 1
            sign_byte = raw[:, spos]
            if self.signed or self.convention == "ebcdic":
                sd = self.sign_digit[sign_byte]
                sign_bad = sd < 0
            else:       # unsigned digits: the word check covers the last byte
                sd = sign_bad = False
            negative = self.sign_neg[sign_byte] if self.signed else None
        if self.wide or int(self.zero) not in (0x30, 0xF0):
            if spos is None:
                bad = sign_bad | ~self.digit_ok[body].all(axis=1)
            else:
                sd = self.sign_digit[sign_byte]
                bad = sd < 0
            if spos is not None and k > 1:
                others = raw[:, 1:] if self.leading else raw[:, :-1]
                bad = bad | ~self.digit_ok[others].all(axis=1)
            digs = body & np.uint8(0x0F)
            if spos is not None:
                digs[:, spos] = np.maximum(sd, 0).astype(np.uint8)
            if self.wide:
                return dg.digits_to_int128(digs, negative), bad
            v = dg.digits_to_uint64(digs).view(np.int64)
        else:
            width = -(-k // 8) * 8
            buf = np.empty((n, width), dtype=np.uint8)
            buf[:, :width - k] = self.zero
            buf[:, width - k:] = body
            if spos is not None and (self.signed or self.convention == "ebcdic"):
                buf[:, width - k + spos] = self.zero | np.maximum(sd, 0).astype(np.uint8)
            v, bad = dg.zoned_words_to_uint64(buf, int(self.zero) >> 4)
            if sign_bad is not False:
                bad |= sign_bad
            v = v.view(np.int64)
        if negative is not None:
            v = np.where(negative, -v, v)
        return v, bad

    # ---------------------------------------------------------------- encode
    def encode(self, values: np.ndarray, *, negative=None, truncate: bool = False):
        """int64 (n,) or int128 (n, 2) -> ((n, size) uint8, error (n,) bool, reason);
        `negative`: the signs to write (bool per value, -0 included), `truncate`:
        MOVE's dropping of high-order digits instead of an error."""
        k = self.digits
        if kernel.active() is not None:
            done = kernel.encode_one(self, values, negative=negative, truncate=truncate)
            if done is not None:
                return done
        digs, negative, error, reason = dg.values_to_digits(values, k, signed=self.signed,
                                                            negative=negative, truncate=truncate)
        out = np.empty((len(digs), self.size), dtype=np.uint8)
        body = self.zero + digs  # digit characters
        if self.separate:
            sign = np.where(negative, self.minus, self.plus).astype(np.uint8)
            if self.leading:
                out[:, 0], out[:, 1:] = sign, body
            else:
                out[:, :-1], out[:, -1] = body, sign
            return out, error, reason
        out[:] = body
        if self.signed:
            spos = 0 if self.leading else k - 1
            d = digs[:, spos]
            out[:, spos] = np.where(negative, self.enc_neg[d], self.enc_pos[d])
        return out, error, reason
