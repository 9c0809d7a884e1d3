"""A dataset read front to back a chunk of records at a time, with look-ahead:
`peek(k)` shows the next k records (fewer only at the end of the file) as one
(k, width) matrix, `consume(m)` moves past the first m of them.

Fixed-length files are mapped a window (WINDOW bytes) at a time, so a peek is
a view of the file's pages and nothing is copied, and pages already read are
unmapped with their window (they do not pile up in the process's memory);
variable-length and line-sequential files come through
engine.records.iter_records and only the records not yet consumed are held.
Either way memory is bounded by the look-ahead, whatever the file's size.
"""
from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np

from engine.records.recfm import RecordFormat, iter_records

WINDOW = 64 << 20                     # bytes of a fixed-length file mapped at a time


class RecordCursor:
    def __init__(self, path, fmt: RecordFormat, width: int, chunk: int):
        self.path, self.fmt, self.width, self.chunk = Path(path), fmt, width, max(1, chunk)
        self.pos = 0                          # 0-based index of the next record
        self.pad = fmt.pad_byte()
        size = self.path.stat().st_size
        self.fixed = bool(fmt.fixed and size)
        self._whole = None                    # the whole file mapped, for rows() only
        if self.fixed:
            if size % (fmt.lrecl or 1) or not fmt.lrecl:
                next(iter_records(self.path, fmt, chunk_records=1))    # raises the reader's own error
            self.count = size // fmt.lrecl    # known up front
            self._window, self._first = np.zeros((0, fmt.lrecl), np.uint8), 0
        else:
            self._blocks = iter_records(self.path, fmt, chunk_records=self.chunk)
            self._data = np.zeros((0, width), np.uint8)
            self._lengths = np.zeros(0, np.int32)
            self._eof = False
            self.count = None

    # ------------------------------------------------------------------
    def peek(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(data (m, width) uint8, lengths (m,) int32) of the next m = k records (fewer at the end)."""
        if self.fixed:
            k = max(0, min(k, self.count - self.pos))
            if self.pos + k > self._first + len(self._window) or self.pos < self._first:
                self._map_window(k)
            data = self._window[self.pos - self._first:self.pos - self._first + k]
            return self._widen(data), np.full(len(data), self.fmt.lrecl, np.int32)
        while len(self._data) < k and not self._eof:
            block = next(self._blocks, None)
            if block is None:
                self._eof = True
                break
            if len(block):
                data = self._widen(block.data)
                self._data = np.concatenate([self._widen(self._data), data]) if len(self._data) else data
                self._lengths = np.concatenate([self._lengths, block.lengths])
        return self._data[:k], self._lengths[:k]

    def consume(self, m: int) -> None:
        self.pos += m
        if not self.fixed:
            self._data, self._lengths = self._data[m:], self._lengths[m:]

    def _map_window(self, k: int) -> None:
        """Map the records from self.pos on: at least k of them, about WINDOW bytes."""
        lrecl = self.fmt.lrecl
        rows = min(self.count - self.pos, max(k, WINDOW // lrecl))
        start = self.pos * lrecl
        page = start - start % mmap.ALLOCATIONGRANULARITY
        self._window = np.zeros((0, lrecl), np.uint8)       # the old window goes with its last view
        if rows:
            with open(self.path, "rb") as fh:
                mm = mmap.mmap(fh.fileno(), start - page + rows * lrecl, access=mmap.ACCESS_READ, offset=page)
            self._window = np.frombuffer(mm, dtype=np.uint8, offset=start - page).reshape(rows, lrecl)
        self._first = self.pos

    def rows(self, index: np.ndarray) -> np.ndarray:
        """Records by 0-based index (fixed-length files only: they are mapped)."""
        if self._whole is None:
            with open(self.path, "rb") as fh:
                mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            self._whole = np.frombuffer(mm, dtype=np.uint8).reshape(-1, self.fmt.lrecl)
        return self._widen(self._whole[index])

    @property
    def random_access(self) -> bool:
        return self.fixed or self.path.stat().st_size == 0

    def _widen(self, data: np.ndarray) -> np.ndarray:
        """Pad records to the compare width (files wider than the layout widen it)."""
        if data.shape[1] > self.width:
            self.width = data.shape[1]
        if data.shape[1] == self.width:
            return data
        out = np.full((len(data), self.width), self.pad, np.uint8)
        out[:, :data.shape[1]] = data
        return out
