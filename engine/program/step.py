"""The step API of a record program: its DDs as records in, bytes out.

A program module's `run(step)` gets the job layer's StepContext
(engine/job/step.py); `ProgramStep` wraps it with what a migrated COBOL
program needs:

    def run(ctx) -> int:
        step = ProgramStep(ctx)
        master = step.records("RES-IN", "JUKIMST")       # Records over the DD (a concatenation read as one)
        ...
        step.write("RES-OUT", out_matrix)                # fixed-length records
        step.write_lines("LIST-OUT", lines)              # line sequential, as GnuCOBOL writes it
        return rc

Outputs go to the DD's temporary beside its final place; the job layer renames
and catalogues them only when the step ends normally (RC below the step's
abend RC), so an abend leaves nothing half-written catalogued. Records read
and written are counted on the DDs for the job log.

A file whose size is not a multiple of LRECL is not an error here: `records`
gives the whole records and `short_tail` says a wrong-length record followed
(GnuCOBOL's file status 04 on the READ after the last whole record), so the
program can end as the legacy does.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.program.records import Records


@dataclass
class FixedFile:
    """A fixed-length file mapped as a (n, lrecl) matrix."""
    data: np.ndarray
    short_tail: bool          # bytes after the last whole record (a wrong-length record)


def map_fixed(paths, lrecl: int) -> FixedFile:
    """Whole records of a file (memory-mapped, read-only) or of a concatenation
    (read into one matrix). A concatenation stops at the first file with a
    wrong-length tail, as a program reading it would."""
    paths = [Path(p) for p in paths]
    parts, short = [], False
    for p in paths:
        size = os.path.getsize(p)
        n = size // lrecl
        if n:
            parts.append(np.memmap(p, dtype=np.uint8, mode="r", shape=(n, lrecl)))
        if size % lrecl:
            short = True
            break
    if not parts:
        data = np.zeros((0, lrecl), np.uint8)
    elif len(parts) == 1:
        data = parts[0]
    else:
        data = np.concatenate(parts)
    return FixedFile(data, short)


def line_sequential(lines, *, newline: bytes = b"\n") -> bytes:
    """Print lines as GnuCOBOL writes a LINE SEQUENTIAL file: each line with its
    trailing spaces removed and a LF (the bytes otherwise as they are)."""
    if isinstance(lines, np.ndarray) and lines.ndim == 2 and newline == b"\n":
        return _line_sequential_matrix(lines)
    return b"".join(bytes(line).rstrip(b" ") + newline for line in lines)


def _line_sequential_matrix(m: np.ndarray, chunk: int = 65536) -> bytes:
    """The same for a (n, width) matrix of lines, without a Python loop per line
    (notices of a whole city are millions of lines): each line's length from the
    last 8-byte word that is not all blanks, then that word's last non-blank byte;
    the kept bytes and the LF gathered row by row, a chunk of lines at a time."""
    n, width = m.shape
    parts = []
    pad = (-width) % 8
    for start in range(0, n, chunk):
        c = m[start:start + chunk]
        if pad:
            c = np.concatenate([c, np.full((len(c), pad), 0x20, np.uint8)], axis=1)
        c = np.ascontiguousarray(c)
        rows = np.arange(len(c))
        nonblank = c.view("<u8") != 0x2020202020202020
        word = nonblank.shape[1] - 1 - np.argmax(nonblank[:, ::-1], axis=1)
        last = c.reshape(len(c), -1, 8)[rows, word] != 0x20
        length = np.where(nonblank.any(axis=1), word * 8 + 8 - np.argmax(last[:, ::-1], axis=1), 0)
        out = np.empty((len(c), c.shape[1] + 1), np.uint8)
        out[:, :c.shape[1]] = c
        out[rows, length] = 0x0A
        parts.append(out[np.arange(c.shape[1] + 1)[None, :] <= length[:, None]].tobytes())
    return b"".join(parts)


class ProgramStep:
    """A StepContext seen by a record program."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.parm = ctx.parm or ""

    def has(self, name: str) -> bool:
        return self.ctx.has_dd(name)

    def dd(self, name: str):
        return self.ctx.dd(name)

    def encoding(self, *names: str) -> str:
        """The data's code page: the first of the DDs that says one."""
        for n in names:
            if self.has(n) and self.dd(n).encoding:
                return self.dd(n).encoding
        return "ascii"

    def dialect(self, *names: str) -> str | None:
        for n in names:
            if self.has(n) and self.dd(n).dialect:
                return self.dd(n).dialect
        return None

    def fixed(self, name: str, lrecl: int) -> FixedFile:
        """The DD's whole records (a DUMMY DD has none)."""
        dd = self.dd(name)
        paths = [] if dd.dummy else dd._inputs()
        f = map_fixed(paths, lrecl)
        dd.count(read=len(f.data))
        return f

    def records(self, name: str, copybook=None) -> Records:
        """The DD's records seen through its copybook (or `copybook`)."""
        from engine.records.dataset import resolve_layout
        dd = self.dd(name)
        cb = copybook or dd.copybook
        layout = resolve_layout(cb, dialect=dd.dialect)
        f = self.fixed(name, layout.record_length)
        return Records(f.data, layout, encoding=dd.encoding or "ascii", dialect=dd.dialect)

    def frame(self, name: str, columns=None, *, copybook=None, keep_raw: bool = True):
        """The DD decoded through its copybook as a Polars frame (the engine's codecs;
        a value that does not decode is null; `__record__` holds the raw bytes)."""
        return self.records(name, copybook).frame(columns, keep_raw=keep_raw)

    def write_frame(self, name: str, frame) -> int:
        """A Polars frame encoded through the DD's copybook (fields, or `__record__`)."""
        return self.dd(name).write(frame)

    def open(self, name: str, count: int):
        """A binary file for the DD's output, to stream `count` records into."""
        dd = self.dd(name)
        dd.written = True
        dd.count(written=count)
        return open(os.devnull if dd.dummy else dd.path, "wb")

    def write(self, name: str, data) -> int:
        """Fixed-length records ((n, lrecl) uint8, or Records) to the DD."""
        if isinstance(data, Records):
            data = data.data
        return self.write_bytes(name, np.ascontiguousarray(data).tobytes(), count=len(data))

    def write_bytes(self, name: str, payload: bytes, *, count: int) -> int:
        dd = self.dd(name)
        path = Path(os.devnull) if dd.dummy else dd.path
        mode = "ab" if (dd.written or dd.append) and not dd.dummy else "wb"
        with open(path, mode) as f:
            f.write(payload)
        dd.written = True
        dd.count(written=count)
        return count

    def write_lines(self, name: str, lines) -> int:
        """Print lines (bytes) to a line-sequential DD (a report, a list)."""
        lines = list(lines)
        return self.write_bytes(name, line_sequential(lines), count=len(lines))

    def log(self, message: str) -> None:
        self.ctx.log(message)
