"""The records a sort works on: one (n, width) uint8 array for all inputs, with each
record's length and where it came from (for error messages).

Variable-length records keep their 4-byte RDW in front of the data while they are
sorted, so DFSORT positions (1-4 the RDW, data from 5) index the array directly; the
RDW is rebuilt from the lengths when a record is reformatted and dropped again on output.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass

import numpy as np

from engine.errors import CodePageError, RecordError

from engine.records import RecordBlock


# ------------------------------------------------------------------ code page facts

_PY_EBCDIC = {"cp037": "cp037", "ibm037": "cp037", "cp500": "cp500", "cp1140": "cp1140",
              "cp273": "cp273", "cp1026": "cp1026", "cp875": "cp875"}


class CodePageInfo:
    """What the sort needs of a code page: EBCDIC or not, the blank, C'..' encoding and
    an ASCII-order rank of each byte (for AC keys)."""

    def __init__(self, name: str):
        self.name = name
        self._cp = None
        try:
            from engine.codepages import get_codepage
            self._cp = get_codepage(name)
        except ImportError:
            pass
        if self._cp is not None:
            self.is_ebcdic = bool(self._cp.is_ebcdic)
            self.space = int(self._cp.space)
            points = np.asarray(self._cp.sbcs_table, np.int64)
        else:
            low = name.lower().replace("-", "").replace("_", "")
            ascii_like = {"ascii": "ascii", "usascii": "ascii", "utf8": "utf-8", "latin1": "latin-1",
                          "iso88591": "latin-1", "cp932": "cp932", "sjis": "cp932", "shiftjis": "cp932"}
            if low in ascii_like:
                pycodec, self.is_ebcdic = ascii_like[low], False
            elif low in _PY_EBCDIC:
                pycodec, self.is_ebcdic = _PY_EBCDIC[low], True
            else:
                raise CodePageError(f"code page {name!r} is not known to the sort",
                                    hint="use ascii or cp037 (more pages come with engine.codepages)")
            self._pycodec = pycodec
            self.space = self.encode(" ")[0]
            if self.is_ebcdic:
                points = np.array([ord(bytes([b]).decode(pycodec)) for b in range(256)], np.int64)
            else:
                points = np.arange(256, dtype=np.int64)
        points = np.where(points < 0, 0x110000 + np.arange(256), points)
        self.ascii_rank = np.argsort(np.argsort(points, kind="stable"), kind="stable").astype(np.uint8)

    def encode(self, text: str) -> bytes:
        try:
            if self._cp is not None:
                return self._cp.encode(text)
            return codecs.encode(text, self._pycodec)
        except (UnicodeError, ValueError) as exc:
            raise CodePageError(f"C'{text}' cannot be written in code page {self.name}: {exc}") from None


# ------------------------------------------------------------------ the working set

@dataclass
class Batch:
    data: np.ndarray        # (n, width) uint8, C-contiguous; V: RDW included
    lengths: np.ndarray     # (n,) int64, record lengths (V: including the RDW)
    origin: np.ndarray      # (n,) int64 index into Sources
    variable: bool = False  # V records: lengths vary, the RDW is in front

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def width(self) -> int:
        return self.data.shape[1]

    def take(self, rows: np.ndarray) -> "Batch":
        return Batch(np.take(self.data, rows, axis=0), self.lengths[rows], self.origin[rows], self.variable)


class Sources:
    """Maps a global input index back to (dataset, record number, byte offset)."""

    def __init__(self):
        self.names: list[str] = []
        self.starts: list[int] = []
        self.first_records: list[int] = []
        self.offsets: list[np.ndarray | None] = []

    def add(self, name: str, start: int, first_record: int, offsets) -> None:
        self.names.append(name)
        self.starts.append(start)
        self.first_records.append(first_record)
        self.offsets.append(offsets)

    def where(self, origin: int) -> dict:
        k = int(np.searchsorted(np.asarray(self.starts), origin, side="right") - 1)
        i = origin - self.starts[k]
        offs = self.offsets[k]
        return {"file": self.names[k], "record": self.first_records[k] + i,
                "offset": None if offs is None else int(offs[i])}

    def error(self, message: str, batch: Batch, row: int, *, field: str | None = None,
              data: bytes | None = None, hint: str | None = None) -> RecordError:
        w = self.where(int(batch.origin[row]))
        return RecordError(message, file=w["file"], record=w["record"], offset=w["offset"],
                           field=field, data=data, hint=hint)


def with_rdw(data: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Prefix each record with its RDW (big-endian length including the RDW, then X'0000')."""
    n, w = data.shape
    out = np.zeros((n, w + 4), np.uint8)
    out[:, 4:] = data
    total = (lengths + 4).astype(">u2")
    out[:, 0:2] = total.view(np.uint8).reshape(n, 2)
    return out


def set_rdw(data: np.ndarray, lengths: np.ndarray) -> None:
    n = len(lengths)
    data[:, 0:2] = lengths.astype(">u2").view(np.uint8).reshape(n, 2)
    data[:, 2:4] = 0


def to_block(batch: Batch, variable: bool, name: str) -> RecordBlock:
    """The batch as an output RecordBlock (RDW removed for V records)."""
    data, lengths = batch.data, batch.lengths
    if variable:
        data, lengths = data[:, 4:], lengths - 4
    if not variable and len(lengths) == 0:
        data = data.reshape(0, batch.width)
    lengths = lengths.astype(np.int32)
    data = np.ascontiguousarray(data)
    if len(lengths):
        offsets = np.zeros(len(lengths), np.int64)
        rec = lengths.astype(np.int64) + (4 if variable else 0)
        np.cumsum(rec[:-1], out=offsets[1:])
    else:
        offsets = np.zeros(0, np.int64)
    return RecordBlock(data=data, lengths=lengths, file_offsets=offsets, first_record=1, source=name)
