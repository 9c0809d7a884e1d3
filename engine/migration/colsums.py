"""Sums of zoned and packed decimal fields over many records without decoding them.

A decimal field's value is a weighted sum of its digits, so the sum of a field
over n records is the same weighted sum of its digit *columns*' sums: add up
each byte column of the (n, width) record matrix once (one NumPy reduction over
all fields at a time) and weight the columns by their place (10**k for zoned
digits, 10 and 1 for a packed byte's two nibbles). Signs and validity come from
small per-column counts:

- zoned digit bytes are valid when every byte XOR the zero character is at most
  9 (one max per column);
- packed digit bytes need both nibbles at most 9: the high nibble through the
  byte's max, the low one through the max (and sum) of `byte & 0x0F`;
- sign bytes (a zoned field's signed position, a packed field's last byte) are
  counted by value (256 bins), which gives their digit sum, whether any is
  invalid and whether any record is negative.

A field with a negative record in the chunk has those records decoded by its
field codec (their values are subtracted twice); a field with any invalid byte
in the chunk is decoded whole by its codec, invalid values counting nothing, as
when decoded. The sums are exact integers in units of the field's last decimal
place. The field codecs are the reference (tests check both give the same sums).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.records.packed import PackedCodec, _SIGN_NEG, _SIGNED_OK, _UNSIGNED_OK
from engine.records.zoned import ZonedCodec

from engine.native import load, python_only

# built at install by setup.py; NumPy alone where it was not built, is stale or not wanted
_kernel = None if python_only() else load("engine.migration._colsums",
                                          Path(__file__).with_name("_colsums.c"))


class _Zoned:
    def __init__(self, codec: ZonedCodec, offset: int):
        k = codec.digits
        self.codec, self.offset, self.size = codec, offset, codec.size
        self.spos = None
        if codec.signed or codec.convention == "ebcdic":
            self.spos = offset + (0 if codec.leading else k - 1)
        self.plain = [(offset + j, 10 ** (k - 1 - j)) for j in range(k) if offset + j != self.spos]
        if self.spos is not None:
            j = self.spos - offset
            self.sign_weight = 10 ** (k - 1 - j)
            self.sign_digit = codec.sign_digit.astype(np.int64)
            self.sign_bad = codec.sign_digit < 0
            self.sign_neg = codec.sign_neg if codec.signed else np.zeros(256, bool)


class _Packed:
    def __init__(self, codec: PackedCodec, offset: int):
        b = codec.size
        self.codec, self.offset, self.size = codec, offset, b
        # nibble j (0 = the first byte's high nibble) weighs 10**(nibbles - 1 - j)
        nib = codec.nibbles
        self.bytes = [(offset + i, 10 ** (nib - 1 - 2 * i), 10 ** (nib - 2 - 2 * i)) for i in range(b - 1)]
        self.last, self.last_weight = offset + b - 1, 1
        self.pad = codec.pad                      # leading nibbles that must be 0
        byte = np.arange(256)
        ok = getattr(codec, "sign_ok", _SIGNED_OK if codec.signed else _UNSIGNED_OK)   # the codec's own signs
        self.last_bad = ((byte >> 4) > 9) | ~ok[byte & 0xF]
        self.last_digit = (byte >> 4).astype(np.int64)
        self.last_neg = getattr(codec, "sign_neg", _SIGN_NEG)[byte & 0xF] if codec.signed else np.zeros(256, bool)


def supported(codec) -> bool:
    if isinstance(codec, ZonedCodec):
        return not codec.separate and not codec.wide and int(codec.zero) in (0x30, 0xF0)
    return isinstance(codec, PackedCodec) and not codec.wide


class ColumnSums:
    """Exact sums of zoned/packed fields (added with `take`) over chunks of records."""

    def __init__(self, width: int):
        self.fields = []
        self.width = width
        self.xor = np.zeros(width, np.uint8)
        self.roles: dict[int, str] = {}           # column -> 'z' (zoned digit) or 'p' (packed digits)
        self.ranges: list[list[int]] = []
        self._span = None                         # columns the compiled kernel scans

    def take(self, name: str, codec, offsets: list[int]) -> bool:
        """Sum field `name` here if it can be (False: the caller decodes it)."""
        if not supported(codec):
            return False
        parts = [(_Zoned if isinstance(codec, ZonedCodec) else _Packed)(codec, off) for off in offsets]
        claims = {}
        for z in parts:
            if z.offset + z.size > self.width:
                return False
            for pos in ([p for p, _ in z.plain] if isinstance(z, _Zoned) else [p for p, _, _ in z.bytes]):
                claims[pos] = "z%d" % codec.zero if isinstance(z, _Zoned) else "p"
        if any(self.roles.get(pos, role) != role for pos, role in claims.items()):
            return False                          # bytes another field reads differently (REDEFINES)
        self.roles.update(claims)
        for pos, role in claims.items():
            if role != "p":
                self.xor[pos] = codec.zero
        self.fields.append((name, parts))
        self._ranges()
        self._span = None
        return True

    def _ranges(self) -> None:
        """Packed digit bytes (all but each field's last) as contiguous column ranges."""
        self.ranges = []
        for c in sorted(pos for pos, role in self.roles.items() if role == "p"):
            if self.ranges and self.ranges[-1][1] == c:
                self.ranges[-1][1] = c + 1
            else:
                self.ranges.append([c, c + 1])

    def _sign_columns(self) -> list[int]:
        cols = []
        for _, parts in self.fields:
            for z in parts:
                cols.append(z.spos if isinstance(z, _Zoned) else z.last)
        return sorted({c for c in cols if c is not None})

    def _prepare(self) -> None:
        """Per-column limits and the field-by-column matrices that flag, with a few
        array operations per chunk, the fields that need decoding."""
        w = self.width
        self._hist_cols = np.array(self._sign_columns(), dtype=np.int64)
        row = {int(c): j for j, c in enumerate(self._hist_cols)}
        k = len(self._hist_cols)
        self._col_limit = np.full(w, 255, np.uint8)
        self._low_limit = np.full(w, 255, np.uint8)
        self._sign_bad = np.zeros((k, 256), bool)
        self._sign_neg = np.zeros((k, 256), bool)
        self._parts = [(name, z) for name, parts in self.fields for z in parts]
        self._part_cols = np.zeros((len(self._parts), w), np.uint8)
        self._part_sign = np.zeros((len(self._parts), max(k, 1)), np.uint8)
        for p, (_, z) in enumerate(self._parts):
            if isinstance(z, _Zoned):
                for pos, _ in z.plain:
                    self._col_limit[pos] = 9
                    self._part_cols[p, pos] = 1
                if z.spos is not None:
                    z.row = row[z.spos]
                    self._sign_bad[z.row] = z.sign_bad
                    self._sign_neg[z.row] = z.sign_neg
                    self._part_sign[p, z.row] = 1
            else:
                for i, (pos, _, _) in enumerate(z.bytes):
                    self._col_limit[pos] = 0x0F if 2 * i < z.pad else 0x9F
                    self._low_limit[pos] = 0 if 2 * i + 1 < z.pad else 9
                    self._part_cols[p, pos] = 1
                z.row = row[z.last]
                bad = z.last_bad.copy()
                if 2 * (z.size - 1) < z.pad:
                    bad[0x10:] = True
                self._sign_bad[z.row] = bad
                self._sign_neg[z.row] = z.last_neg
                self._part_sign[p, z.row] = 1
        claimed = list(self.roles) + list(self._hist_cols)
        self._span = (min(claimed), max(claimed) + 1)
        # one span over every packed digit column: a wide loop vectorises, narrow ones do not
        self._low_span = np.array([[self.ranges[0][0], self.ranges[-1][1]]] if self.ranges else [],
                                  np.int64).reshape(-1, 2)

    def add(self, data: np.ndarray, into: dict) -> None:
        """Add the records of `data` ((n, >= width) uint8) to the running sums kept in `into`
        (read them with `result`)."""
        n = len(data)
        if not n or not self.fields:
            return
        if self._span is None:
            self._prepare()
        data = data[:, :self.width] if data.shape[1] > self.width else data
        colsum, colmax, lowsum, lowmax, hist = (_compiled_stats if _kernel is not None else _numpy_stats)(self, data)
        run = into.get(_RUNNING)
        if run is None:
            run = into[_RUNNING] = _Running(self.width, len(self._hist_cols))
        run.rows += n
        run.colsum += colsum
        run.lowsum += lowsum
        run.hist += hist
        # the fields this chunk cannot sum from its columns: an invalid byte, or a negative value
        seen = hist > 0
        bad_cols = ((colmax > self._col_limit) | (lowmax > self._low_limit)).astype(np.uint8)
        bad = (self._part_cols @ bad_cols > 0) | (self._part_sign @ (seen & self._sign_bad).any(axis=1) > 0)
        negative = self._part_sign @ (seen & self._sign_neg).any(axis=1) > 0
        for p in np.flatnonzero(bad | negative):
            name, z = self._parts[p]
            if bad[p]:      # replace the chunk's column-derived sum by the decoded one
                fix = _decoded_sum(z, data) - _from_columns(z, colsum, lowsum, hist, n)
            else:           # the column sums counted the negative values' magnitudes
                fix = 2 * _negative_sum(z, data, self._sign_neg[z.row][data[:, z.spos if isinstance(z, _Zoned)
                                                                               else z.last]])
            run.fix[name] = run.fix.get(name, 0) + fix

    def result(self, into: dict) -> dict:
        """Field -> exact sum (units of its last decimal place) of every record added to `into`."""
        run = into.get(_RUNNING)
        out = {name: 0 for name, _ in self.fields}
        if run is None:
            return out
        for name, z in self._parts:
            out[name] += _from_columns(z, run.colsum, run.lowsum, run.hist, run.rows)
        for name, fix in run.fix.items():
            out[name] += fix
        return out


_RUNNING = "\0column sums"


class _Running:
    """Statistics summed over every chunk added to one total (A, or the changed records)."""

    def __init__(self, width: int, k: int):
        self.rows = 0
        self.colsum = np.zeros(width, np.uint64)
        self.lowsum = np.zeros(width, np.uint64)
        self.hist = np.zeros((k, 256), np.uint64)
        self.fix: dict[str, int] = {}


def _from_columns(z, colsum, lowsum, hist, n: int) -> int:
    """A field occurrence's sum over n records from column statistics, reading every
    sign byte as positive (exact when all its bytes are valid and no value is negative;
    linear in the statistics, so sums of chunks add up)."""
    if isinstance(z, _Zoned):
        zero = int(z.codec.zero)
        total = sum(w * (int(colsum[pos]) - zero * n) for pos, w in z.plain)
        if z.spos is not None:
            total += z.sign_weight * int(hist[z.row].astype(np.int64) @ np.where(z.sign_bad, 0, z.sign_digit))
        return total
    total = 0
    for pos, w_hi, w_lo in z.bytes:
        high = (int(colsum[pos]) - int(lowsum[pos])) >> 4
        total += w_hi * high + w_lo * int(lowsum[pos])
    return total + z.last_weight * int(hist[z.row].astype(np.int64) @ z.last_digit)


def _numpy_stats(cs: ColumnSums, data: np.ndarray):
    """(column sums, max of byte ^ xor, low-nibble sums and maxima, byte counts of the sign
    columns) with NumPy."""
    n, w = data.shape
    colsum = np.einsum("ij->j", data, dtype=np.uint64 if n >= 1 << 24 else np.uint32).astype(np.uint64)
    colmax = (np.bitwise_xor(data, cs.xor) if cs.xor.any() else data).max(axis=0)
    lowsum, lowmax = np.zeros(w, np.uint64), np.zeros(w, np.uint8)
    for lo, hi in cs.ranges:
        low = np.bitwise_and(data[:, lo:hi], np.uint8(0x0F))
        lowsum[lo:hi] = np.einsum("ij->j", low, dtype=np.uint64 if n >= 1 << 24 else np.uint32)
        lowmax[lo:hi] = low.max(axis=0)
    hist = np.zeros((len(cs._hist_cols), 256), np.uint64)
    for j, col in enumerate(cs._hist_cols):
        hist[j] = np.bincount(data[:, col], minlength=256)
    return colsum, colmax, lowsum, lowmax, hist


def _compiled_stats(cs: ColumnSums, data: np.ndarray):
    """The same statistics in one pass of the compiled kernel."""
    w = data.shape[1]
    lo, hi = cs._span
    sums, lsum = np.zeros(w, np.uint64), np.zeros(w, np.uint64)
    xmax, lmax = np.zeros(w, np.uint8), np.zeros(w, np.uint8)
    hist = np.zeros((len(cs._hist_cols), 256), np.uint64)
    _kernel.column_stats(data, cs.xor, lo, hi, cs._low_span, cs._hist_cols, sums, xmax, lmax, lsum, hist)
    return sums, xmax, lsum, lmax, hist


def _decoded_sum(z, data) -> int:
    values, bad = z.codec.decode(data[:, z.offset:z.offset + z.size])
    if bad.any():
        values = values[~bad]
    return sum_int64(values, z.size * 2)


def _negative_sum(z, data, negative: np.ndarray) -> int:
    """Sum of the (negative) values of the records flagged negative."""
    rows = np.flatnonzero(negative)
    values, _ = z.codec.decode(data[rows, z.offset:z.offset + z.size])
    return sum_int64(values, z.size * 2)


def sum_int64(values: np.ndarray, digits: int) -> int:
    """Sum of int64 values of at most `digits` digits, without overflow."""
    if len(values) * 10 ** min(digits, 19) < 2 ** 63:
        return int(values.sum())
    return (int((values >> 32).sum()) << 32) + int((values & 0xFFFFFFFF).sum())
