"""Fixed-length records read a block at a time, as a COBOL program reads them one
at a time: memory stays bounded whatever the file's size, and a short last record
(FILE STATUS 04 on the host) is reported after every full record was given out.

    blocks = FixedBlocks(fh, lrecl=100, records=1 << 20)
    for block in blocks:          # (n, lrecl) uint8, the same buffer reused
        ...
    if blocks.rest:               # bytes of a short record at the end
        ...                       # record number blocks.records + 1
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

import numpy as np


class FixedBlocks:
    """The full records of an open binary file, `records` at a time. Each block is
    a view of one reused buffer: use (or copy) it before taking the next."""

    def __init__(self, fh: BinaryIO, lrecl: int, records: int):
        if lrecl < 1 or records < 1:
            raise ValueError("lrecl and records must be at least 1")
        self.fh = fh
        self.lrecl = lrecl
        self.buffer = np.empty(records * lrecl, np.uint8)
        self.records = 0          # full records given out so far
        self.rest = 0             # bytes after the last full record (at end of file)

    def _fill(self) -> int:
        view = memoryview(self.buffer)
        got = 0
        while got < len(view):
            n = self.fh.readinto(view[got:])
            if not n:
                break
            got += n
        return got

    def __iter__(self) -> Iterator[np.ndarray]:
        while True:
            got = self._fill()
            full, rest = divmod(got, self.lrecl)
            if full:
                self.records += full
                yield self.buffer[:full * self.lrecl].reshape(full, self.lrecl)
            if got < len(self.buffer):
                self.rest = rest
                return
            # a full buffer ends on a record boundary (its size is a multiple of lrecl)
