"""Binary integers: BINARY / COMP / COMP-4 (big-endian), COMP-5 (byte order of
the dialect), INDEX. Sizes 1, 2, 4, 8 (and 16 for more than 18 digits).

Decoding gives the value as stored, even beyond the PICTURE's digits (the host
can hold such values in COMP-5, and in COMP under TRUNC(BIN)). An unsigned
8-byte value above 2**63 - 1 does not fit Int64 and is treated as invalid.
Encoding checks the PICTURE's digits for BINARY/COMP (IBM TRUNC(STD)) and the
byte size for COMP-5 and INDEX.
"""
from __future__ import annotations

import numpy as np

from engine.records import kernel


class BinaryCodec:
    kind = "binary"

    def __init__(self, *, size: int, signed: bool, byteorder: str = "big",
                 digits: int | None = None, check_digits: bool = True):
        if size not in (1, 2, 4, 8, 16):
            raise ValueError(f"binary size {size}")
        self.size, self.signed, self.byteorder = size, signed, byteorder
        self.digits = digits or 0
        self.check_digits = check_digits and digits is not None
        self.wide = size == 16
        e = ">" if byteorder == "big" else "<"
        self.dtype = np.dtype(f"{e}{'i' if signed else 'u'}{size}") if size < 16 else None

    def _limits(self) -> tuple[int, int, str]:
        """The values the field takes, and what to say of one it does not."""
        if self.check_digits and self.digits < 19:
            limit = 10 ** self.digits
            lo, hi = (-limit + 1 if self.signed else 0), limit - 1
            reason = f"outside the PICTURE's {self.digits} digits"
        else:
            bits = 8 * self.size
            lo, hi = ((-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if self.signed
                      else (0, min(2 ** bits - 1, 2 ** 63 - 1)))
            reason = f"outside the range of a {self.size}-byte {'signed' if self.signed else 'unsigned'} binary field"
        if not self.signed:
            reason += " (negative values cannot go into an unsigned field)"
        return lo, hi, reason

    def kernel_decode(self, offsets: np.ndarray, count: int):
        """(specification, finish) for the compiled kernel, None for 16-byte fields."""
        if self.wide:
            return None
        values, bad = kernel.empty(count, np.int64), kernel.empty(count, bool)
        spec = (kernel.BINARY, offsets, values, bad, self.size, self.signed,
                self.byteorder == "big")
        return spec, lambda _: (values, bad)

    def kernel_encode(self, offsets: np.ndarray, values):
        if self.wide or not kernel.int64_column(values):
            return None
        lo, hi, reason = self._limits()
        values = np.ascontiguousarray(values)
        error = np.empty(len(values), dtype=bool)
        spec = (kernel.BINARY, offsets, values, error, self.size, self.byteorder == "big", lo, hi)
        return spec, lambda _: (error, reason)

    def decode(self, raw: np.ndarray):
        n = raw.shape[0]
        if kernel.active() is not None and not self.wide:
            return kernel.decode_one(self, raw)
        if self.wide:
            b = raw[:, ::-1] if self.byteorder == "big" else raw
            pairs = np.ascontiguousarray(b).view("<i8").reshape(n, 2)
            bad = np.zeros(n, dtype=bool) if self.signed else pairs[:, 1] < 0
            return pairs.copy(), bad
        v = np.ascontiguousarray(raw).view(self.dtype).reshape(n)
        bad = np.zeros(n, dtype=bool)
        if not self.signed and self.size == 8:
            bad = v > np.uint64(2 ** 63 - 1)
        return v.astype(np.int64), bad

    def encode(self, values: np.ndarray):
        n = values.shape[0]
        if self.wide:
            pairs = values if values.ndim == 2 else np.stack([values, values >> 63], axis=1)
            error = np.zeros(n, dtype=bool) if self.signed else pairs[:, 1] < 0
            out = np.ascontiguousarray(pairs.astype("<i8")).view(np.uint8).reshape(n, 16)
            return (out[:, ::-1].copy() if self.byteorder == "big" else out), error, \
                "negative into an unsigned field"
        if kernel.active() is not None and values.ndim == 1:
            done = kernel.encode_one(self, values)
            if done is not None:
                return done
        if values.ndim == 2:       # a wide value into a narrow field
            fits = values[:, 1] == (values[:, 0] >> 63)
            values = values[:, 0]
        else:
            fits = np.ones(n, dtype=bool)
        lo, hi, reason = self._limits()
        error = ~fits | (values < lo) | (values > hi)
        v = np.where(error, 0, values).astype(self.dtype)
        return v.view(np.uint8).reshape(n, self.size), error, reason
