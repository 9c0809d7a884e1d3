"""Fixed-column print lines and record fields built for many rows at once (NumPy).

A print file of the legacy is a sequence of 132-column lines, each MOVEd together
from constants, PIC X fields and edited numbers, written LINE SEQUENTIAL (trailing
blanks removed, LF). Here a whole set of lines of one kind is one (n, width) byte
matrix: fields are placed column-wise, numbers are edited column-wise, and the
matrices are ordered and written in one pass. Nothing here knows a tax.
"""
from __future__ import annotations

import numpy as np

SPACE = 0x20


def blank(n: int, width: int) -> np.ndarray:
    return np.full((n, width), SPACE, dtype=np.uint8)


def const(n: int, width: int, text: bytes, col: int = 0) -> np.ndarray:
    """n lines holding `text` at column `col` (0-based)."""
    m = blank(n, width)
    m[:, col:col + len(text)] = np.frombuffer(text, dtype=np.uint8)
    return m


def put(m: np.ndarray, col: int, field: np.ndarray | bytes) -> None:
    """Place a byte field (n, w) or one constant at column `col` of every line."""
    if isinstance(field, (bytes, bytearray)):
        field = np.frombuffer(bytes(field), dtype=np.uint8)[None, :]
    m[:, col:col + field.shape[-1]] = field


def digits(values: np.ndarray, width: int, zone: int = 0x30) -> np.ndarray:
    """PIC 9(width) DISPLAY of non-negative integers (high-order digits cut)."""
    v = np.asarray(values, dtype=np.int64) % (10 ** width)
    pw = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((v[:, None] // pw) % 10 + zone).astype(np.uint8)


def edited(values: np.ndarray, picture: str) -> np.ndarray:
    """A numeric-edited field such as ZZ,ZZZ,ZZ9 or Z,ZZZ,ZZ9.99 for scaled integers
    (the value times 10**decimals): leading zeros and the commas among them become
    blanks; a value too long for the picture keeps its low-order digits."""
    ndig = sum(c in "Z9" for c in picture)
    d = digits(np.abs(np.asarray(values, dtype=np.int64)), ndig)
    n = d.shape[0]
    out = np.full((n, len(picture)), SPACE, dtype=np.uint8)
    significant = np.zeros(n, dtype=bool)
    k = 0
    for col, c in enumerate(picture):
        if c in "Z9":
            significant |= (d[:, k] != 0x30) | (c == "9")
            out[:, col] = np.where(significant, d[:, k], SPACE)
            k += 1
        elif c == ".":
            significant[:] = True
            out[:, col] = ord(".")
        else:                      # an insertion character: blank while suppressing
            out[:, col] = np.where(significant, ord(c), SPACE)
    return out


def edit_one(value: int, picture: str) -> str:
    return edited(np.array([value]), picture)[0].tobytes().decode("ascii")


def line_sequential(m: np.ndarray) -> bytes:
    """The lines of `m` as GnuCOBOL writes a LINE SEQUENTIAL file: each without its
    trailing blanks, ended by LF."""
    n, width = m.shape
    if n == 0:
        return b""
    nonblank = m != SPACE
    last = np.where(nonblank.any(1), width - np.argmax(nonblank[:, ::-1], axis=1), 0)
    out = np.empty((n, width + 1), dtype=np.uint8)
    out[:, :width] = m
    out[np.arange(n), last] = 0x0A
    keep = np.arange(width + 1)[None, :] <= last[:, None]
    return out[keep].tobytes()


def packed(values: np.ndarray, nbytes: int, sign: int = 0x0C) -> np.ndarray:
    """S9(2*nbytes-1) COMP-3 of non-negative integers, sign nibble `sign`, the
    high-order digits cut as a MOVE without ON SIZE ERROR does."""
    nd = nbytes * 2 - 1
    d = digits(values, nd, zone=0).astype(np.uint8)
    nib = np.concatenate([d, np.full((d.shape[0], 1), sign, dtype=np.uint8)], axis=1)
    return (nib[:, 0::2] << 4 | nib[:, 1::2]).astype(np.uint8)


def valid_dates(value: np.ndarray) -> np.ndarray:
    """YYYYMMDD integers that are Gregorian calendar dates, year 0001-9999."""
    v = np.asarray(value, dtype=np.int64)
    y, m, d = v // 10000, v // 100 % 100, v % 100
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    mdays = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)]
    last = np.where((m == 2) & leap, 29, mdays)
    return (y > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last)


def all_digits(block: np.ndarray, zone: int = 0x30) -> np.ndarray:
    return ((block >= zone) & (block <= zone + 9)).all(axis=1)


def digit_values(block: np.ndarray) -> np.ndarray:
    """The value of digit columns (only meaningful where all_digits holds)."""
    v = np.zeros(block.shape[0], dtype=np.int64)
    for j in range(block.shape[1]):
        v = v * 10 + (block[:, j].astype(np.int64) & 0x0F)
    return v


class Blocks:
    """Lines of many documents (notices) built kind by kind, then put in document
    order: each add() gives lines with their document number, a section number
    and an order within the section; lines() sorts them by those three."""

    def __init__(self, width: int):
        self.width = width
        self._parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]] = []

    def add(self, lines: np.ndarray, doc: np.ndarray, section: int, sub: np.ndarray | None = None) -> None:
        doc = np.asarray(doc)
        self._parts.append((lines, doc, section, np.zeros(len(doc), np.int64) if sub is None else np.asarray(sub)))

    def add_const(self, text: bytes, doc: np.ndarray, section: int, col: int = 0) -> None:
        self.add(const(len(doc), self.width, text, col), doc, section)

    def lines(self) -> np.ndarray:
        if not self._parts:
            return blank(0, self.width)
        m = np.concatenate([p[0] for p in self._parts])
        doc = np.concatenate([p[1] for p in self._parts])
        sec = np.concatenate([np.full(len(p[1]), p[2]) for p in self._parts])
        sub = np.concatenate([p[3] for p in self._parts])
        return m[np.lexsort((sub, sec, doc))]
