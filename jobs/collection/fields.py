"""Field-level building blocks of the collection programs: zoned digits and packed
decimals as NumPy columns, calendar dates and day numbers as Polars expressions,
and the few facts about the data's code page that a program needs."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

_EBCDIC = {"cp037", "cp1047", "cp273", "cp500", "cp1140", "cp290", "cp930", "cp939",
           "cp1390", "cp1399", "ebcdic"}


@dataclass(frozen=True)
class Charset:
    """ASCII (GnuCOBOL) or EBCDIC data: the digit zone, the space, literals."""
    name: str
    ebcdic: bool

    @property
    def zone(self) -> int:
        return 0xF0 if self.ebcdic else 0x30

    @property
    def space(self) -> int:
        return 0x40 if self.ebcdic else 0x20

    def text(self, s: str) -> bytes:
        return s.encode("cp037") if self.ebcdic else s.encode("ascii")

    def show(self, b: bytes) -> str:
        return b.decode("cp037") if self.ebcdic else b.decode("latin-1")

    def digits(self, value: int, width: int) -> bytes:
        return self.text(f"{value:0{width}d}"[-width:])

    def is_digits(self, b: bytes) -> bool:
        return all(self.zone <= c <= self.zone + 9 for c in b)


def charset_for(encoding: str | None) -> Charset:
    name = (encoding or "ascii").lower()
    key = name.replace("-", "").replace("_", "").replace("ibm", "cp")
    return Charset(name, key in _EBCDIC)


# --------------------------------------------------------------------------- columns
def digits_ok(cols: np.ndarray, zone: int) -> np.ndarray:
    """The NUMERIC class test of unsigned DISPLAY fields (n, w): every byte a digit."""
    return ((cols >= zone) & (cols <= zone + 9)).all(axis=1)


def digits_value(cols: np.ndarray) -> np.ndarray:
    v = np.zeros(cols.shape[0], dtype=np.int64)
    for i in range(cols.shape[1]):
        v = v * 10 + (cols[:, i] & 15)
    return v


def zoned_digits(value: np.ndarray, width: int, zone: int) -> np.ndarray:
    """Unsigned zoned bytes (n, width) of non-negative values, high digits cut (MOVE)."""
    out = np.empty((len(value), width), dtype=np.uint8)
    v = np.asarray(value, dtype=np.int64).copy()
    for i in range(width - 1, -1, -1):
        out[:, i] = v % 10 + zone
        v //= 10
    return out


def packed_ok(cols: np.ndarray) -> np.ndarray:
    """The NUMERIC class test of signed packed fields: digit nibbles 0-9, sign C or D."""
    hi, lo = cols >> 4, cols & 15
    digits = (hi <= 9).all(axis=1) & (lo[:, :-1] <= 9).all(axis=1)
    return digits & ((lo[:, -1] == 0xC) | (lo[:, -1] == 0xD))


def packed_value(cols: np.ndarray) -> np.ndarray:
    """Signed value of packed fields (n, nb <= 9); meaningful where packed_ok."""
    v = np.zeros(cols.shape[0], dtype=np.int64)
    for i in range(cols.shape[1]):
        v = v * 10 + (cols[:, i] >> 4)
        if i < cols.shape[1] - 1:
            v = v * 10 + (cols[:, i] & 15)
    return np.where((cols[:, -1] & 15) == 0xD, -v, v)


# --------------------------------------------------------------------------- dates
def is_leap(y: pl.Expr) -> pl.Expr:
    return (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))


def last_day_of_month(y: pl.Expr, m: pl.Expr) -> pl.Expr:
    days = pl.lit(pl.Series([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0]))
    base = days.gather(m.clip(0, 13).cast(pl.Int64))
    return pl.when((m == 2) & is_leap(y)).then(29).otherwise(base)


def calendar_date_ok(ymd: pl.Expr) -> pl.Expr:
    """YYYYMMDD integers: year 0001-9999, month 01-12, day to the month's end."""
    y, m, d = ymd // 10000, ymd // 100 % 100, ymd % 100
    return (y > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last_day_of_month(y, m))


def day_number(ymd: pl.Expr) -> pl.Expr:
    """Days on the proleptic Gregorian calendar (only differences matter):
    365 y + y/4 - y/100 + y/400 + (153 (m - 3) + 2)/5 + d, March-based year."""
    y, m, d = ymd // 10000, ymd // 100 % 100, ymd % 100
    early = m <= 2
    y = pl.when(early).then(y - 1).otherwise(y)
    m = pl.when(early).then(m + 12).otherwise(m)
    return 365 * y + y // 4 - y // 100 + y // 400 + (153 * (m - 3) + 2) // 5 + d
