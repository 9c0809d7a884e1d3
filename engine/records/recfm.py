"""Record formats: how a dataset's bytes split into records.

F / FB   fixed length, no delimiters (the file is n * LRECL bytes)
V / VB   variable length, each record led by a 4-byte RDW; with `bdw=True` records
         are grouped in blocks led by a 4-byte BDW (z/OS form: big-endian lengths
         that include the 4 header bytes; transferred files also come with
         little-endian RDWs — the whole 4-byte word reversed — or lengths that
         exclude the header)
LS       line sequential text: records ended by LF or CRLF, short lines padded
         with spaces

A `RecordBlock` holds many records as one (n, width) uint8 matrix, so codecs
work on columns of bytes. Variable records are padded (zeros for V, spaces for
LS) to the block's width; `lengths` gives each record's real length.

LRECL for V/VB follows the host: the maximum record length *including* the
4-byte RDW (data is at most LRECL - 4 bytes). For LS it is the line length
without the line end.

Splitting fixed and line-sequential files is vectorised. Walking RDWs is
inherently sequential (each length says where the next record starts): it is a
tight loop of plain integer operations per record with no NumPy calls inside;
everything after the walk (checks, gathering the bytes) is vectorised.
"""
from __future__ import annotations

import mmap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Literal

import numpy as np

from engine.errors import RecordError

RDW = 4  # bytes of an RDW or a BDW
FORMATS = ("F", "FB", "V", "VB", "LS")
_ALIASES = {"FBA": "FB", "FA": "F", "VBA": "VB", "VA": "V", "LINE": "LS", "TEXT": "LS",
            "LINE-SEQUENTIAL": "LS", "L": "LS"}
DEFAULT_CHUNK = 262_144
CHUNK_BYTES = 64 << 20      # a chunk holds at most this many bytes of records, whatever the LRECL
MAX_LRECL = 1 << 20         # densan's record limit (copybooks and job DDs too); the host's is 32,760


@dataclass(frozen=True)
class RecordFormat:
    """How a dataset is split into records (RECFM, LRECL and the RDW/BDW variant)."""
    recfm: str = "FB"
    lrecl: int | None = None
    rdw_byteorder: Literal["big", "little"] = "big"
    rdw_includes_header: bool = True
    bdw: bool = False
    # extras (not needed by most callers)
    blksize: int = 32760              # V with BDW: maximum block size when writing
    line_ending: str | None = None    # LS: "lf" / "crlf" when writing; None: as read, else LF
    pad: int | None = None            # pad byte for short records (None: 0x00 for V, 0x20 for LS)
    ls_trim: bool = True              # LS: encoded lines lose trailing spaces (GnuCOBOL); False: full LRECL
    rdw_adjust: int = 0               # added to every RDW length (files written by odd tools)
    bdw_byteorder: str | None = None  # None: as rdw_byteorder
    bdw_includes_header: bool = True
    bdw_adjust: int = 0

    @property
    def rdw_delta(self) -> int:
        """What to add to an RDW's value to get the record's size with its RDW."""
        return (0 if self.rdw_includes_header else RDW) + self.rdw_adjust

    @property
    def bdw_delta(self) -> int:
        return (0 if self.bdw_includes_header else RDW) + self.bdw_adjust

    def __post_init__(self):
        recfm = str(self.recfm).upper().strip()
        recfm = _ALIASES.get(recfm, recfm)
        if recfm not in FORMATS:
            raise RecordError(f"unknown RECFM {self.recfm!r}",
                              hint="use one of F, FB, V, VB, LS")
        object.__setattr__(self, "recfm", recfm)
        if self.lrecl is not None:
            lrecl = int(self.lrecl)
            low = RDW if self.variable else 1
            if lrecl < low:
                raise RecordError(f"LRECL {lrecl} is too small for RECFM={recfm}")
            if lrecl > MAX_LRECL:
                raise RecordError(f"LRECL {lrecl:,} is beyond densan's record limit of {MAX_LRECL:,} bytes",
                                  hint="check the record length (the host's LRECL is at most 32,760)")
            object.__setattr__(self, "lrecl", lrecl)
        if self.bdw_byteorder not in (None, "big", "little"):
            raise RecordError(f"BDW byte order must be 'big' or 'little', not {self.bdw_byteorder!r}")
        if self.rdw_byteorder not in ("big", "little"):
            raise RecordError(f"RDW byte order must be 'big' or 'little', not {self.rdw_byteorder!r}")
        if self.line_ending not in (None, "lf", "crlf"):
            raise RecordError(f"line ending must be 'lf' or 'crlf', not {self.line_ending!r}")

    @property
    def fixed(self) -> bool:
        return self.recfm in ("F", "FB")

    @property
    def variable(self) -> bool:
        return self.recfm in ("V", "VB")

    @property
    def line_sequential(self) -> bool:
        return self.recfm == "LS"

    @property
    def max_data_length(self) -> int | None:
        """Most data bytes a record may hold (LRECL less the RDW for V/VB)."""
        if self.lrecl is None:
            return None
        return self.lrecl - RDW if self.variable else self.lrecl

    def pad_byte(self) -> int:
        if self.pad is not None:
            return self.pad
        return 0x20 if self.line_sequential else 0x00

    def describe(self) -> str:
        text = f"RECFM={self.recfm}"
        if self.lrecl is not None:
            text += f",LRECL={self.lrecl}"
        if self.variable:
            if self.rdw_byteorder == "little":
                text += ",RDW=LITTLE-ENDIAN"
            if not self.rdw_includes_header:
                text += ",RDW=EXCLUDES-HEADER"
            if self.bdw:
                text += ",BDW"
        return text


@dataclass
class RecordBlock:
    """Records as one matrix: row i holds record i, `lengths[i]` bytes of it real."""
    data: np.ndarray                 # uint8 (n, width), C-contiguous
    lengths: np.ndarray              # int32 (n,)
    file_offsets: np.ndarray         # int64 (n,): byte offset of each record (of its RDW for V)
    first_record: int = 1            # 1-based number of row 0 in its file
    source: str | None = None        # file the records came from
    line_ending: str | None = field(default=None, compare=False)  # LS: "lf"/"crlf" as read

    def __post_init__(self):
        data = np.asarray(self.data, dtype=np.uint8)
        if data.ndim == 1:
            data = data.reshape(1 if data.size else 0, data.size)
        if data.ndim != 2:
            raise ValueError("RecordBlock data must be a 2-D uint8 array (records x bytes)")
        self.data = np.ascontiguousarray(data)
        self.lengths = np.asarray(self.lengths, dtype=np.int32)
        self.file_offsets = np.asarray(self.file_offsets, dtype=np.int64)
        if self.lengths.shape != (len(self.data),) or self.file_offsets.shape != (len(self.data),):
            raise ValueError("RecordBlock lengths and file_offsets need one entry per record")

    @classmethod
    def from_array(cls, data: np.ndarray, *, first_record: int = 1, source: str | None = None,
                   lengths: np.ndarray | None = None) -> "RecordBlock":
        """A block of fixed records (every record the full width) from a matrix."""
        data = np.ascontiguousarray(np.asarray(data, dtype=np.uint8))
        if data.ndim == 1:
            data = data.reshape(1 if data.size else 0, data.size)
        n, width = data.shape
        if lengths is None:
            lengths = np.full(n, width, dtype=np.int32)
        offsets = np.cumsum(np.concatenate([[0], lengths[:-1]]), dtype=np.int64) if n else \
            np.zeros(0, np.int64)
        return cls(data, lengths, offsets, first_record, source)

    @classmethod
    def from_bytes(cls, records: Iterable[bytes], *, pad: int = 0x00) -> "RecordBlock":
        """A block from a few byte strings (tests and small tools; not for bulk data)."""
        records = [bytes(r) for r in records]
        lengths = np.array([len(r) for r in records], dtype=np.int32)
        width = int(lengths.max()) if len(records) else 0
        data = np.full((len(records), width), pad, dtype=np.uint8)
        for i, r in enumerate(records):
            data[i, :len(r)] = np.frombuffer(r, dtype=np.uint8)
        return cls.from_array(data, lengths=lengths)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def width(self) -> int:
        return self.data.shape[1]

    @property
    def uniform(self) -> bool:
        """Every record fills the whole width."""
        return bool((self.lengths == self.width).all())

    def record(self, i: int) -> bytes:
        """The bytes of row i (its real length)."""
        return self.data[i, :self.lengths[i]].tobytes()

    def record_number(self, i: int) -> int:
        return self.first_record + int(i)

    def take(self, rows) -> "RecordBlock":
        """The rows selected by an index array or boolean mask (record numbers follow
        the first selected row; file_offsets keep pointing at the originals)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        first = self.first_record + int(rows[0]) if len(rows) else self.first_record
        return RecordBlock(self.data[rows], self.lengths[rows], self.file_offsets[rows],
                           first, self.source, self.line_ending)

    def __getitem__(self, key) -> "RecordBlock":
        if isinstance(key, slice):
            start = range(len(self))[key].start if len(self) else 0
            return RecordBlock(self.data[key], self.lengths[key], self.file_offsets[key],
                               self.first_record + (start or 0), self.source, self.line_ending)
        return self.take(key)

    def with_width(self, width: int, pad: int = 0x00) -> "RecordBlock":
        """The same records in a matrix `width` bytes wide (padding or cutting the
        padding; never cuts real record bytes)."""
        if width == self.width:
            return self
        if width < self.width:
            if len(self) and int(self.lengths.max()) > width:
                raise ValueError(f"records up to {int(self.lengths.max())} bytes do not fit width {width}")
            data = np.ascontiguousarray(self.data[:, :width])
        else:
            data = np.full((len(self), width), pad, dtype=np.uint8)
            data[:, :self.width] = self.data
        return RecordBlock(data, self.lengths, self.file_offsets, self.first_record, self.source,
                           self.line_ending)

    @staticmethod
    def concat(blocks: list["RecordBlock"], pad: int = 0x00) -> "RecordBlock":
        """Blocks one after another (widths padded to the widest)."""
        if not blocks:
            return RecordBlock(np.zeros((0, 0), np.uint8), np.zeros(0, np.int32), np.zeros(0, np.int64))
        width = max(b.width for b in blocks)
        parts = [b.with_width(width, pad) for b in blocks]
        return RecordBlock(np.concatenate([b.data for b in parts]) if parts else np.zeros((0, width), np.uint8),
                           np.concatenate([b.lengths for b in parts]),
                           np.concatenate([b.file_offsets for b in parts]),
                           blocks[0].first_record, blocks[0].source, blocks[0].line_ending)


# ---------------------------------------------------------------------------------------------
# reading

def read_records(path, fmt: RecordFormat) -> RecordBlock:
    """Every record of a dataset, as one block."""
    blocks = list(iter_records(path, fmt, chunk_records=None))
    if len(blocks) == 1:
        return blocks[0]
    block = RecordBlock.concat(blocks, fmt.pad_byte())
    block.source = str(path)
    return block


def iter_records(path, fmt: RecordFormat, chunk_records: int | None = DEFAULT_CHUNK
                 ) -> Iterator[RecordBlock]:
    """The dataset's records in blocks of about `chunk_records` (None: one block)."""
    path = Path(path)
    if not isinstance(fmt, RecordFormat):
        raise TypeError("fmt must be a RecordFormat")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise RecordError(f"dataset not found: {path}", hint="check the path / DSN") from None
    except OSError as exc:
        raise RecordError(f"cannot open dataset {path}: {exc.strerror}") from None
    if size == 0:
        width = fmt.max_data_length or 0
        yield RecordBlock(np.zeros((0, width), np.uint8), np.zeros(0, np.int32), np.zeros(0, np.int64),
                          1, str(path))
        return
    # The map is not closed explicitly: the record blocks are copies, and an error's
    # traceback may still reference views of it; it is unmapped when collected.
    try:
        with open(path, "rb") as fh:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise RecordError(f"cannot read dataset {path}: {exc.strerror}") from None
    buf = np.frombuffer(mm, dtype=np.uint8)
    if fmt.fixed:
        yield from _iter_fixed(buf, fmt, str(path), chunk_records)
    elif fmt.variable:
        yield from _iter_variable(mm, buf, fmt, str(path), chunk_records)
    else:
        yield from _iter_lines(buf, fmt, str(path), chunk_records)


def _iter_fixed(buf, fmt, source, chunk):
    lrecl = fmt.lrecl
    if lrecl is None:
        raise RecordError(f"RECFM={fmt.recfm} needs an LRECL", file=source,
                          hint="give the record length (--lrecl), or a copybook to take it from")
    size = len(buf)
    n, rest = divmod(size, lrecl)
    if rest:
        raise RecordError(
            f"wrong-length record: the file is {size} bytes, not a multiple of LRECL {lrecl}; "
            f"the last record has only {rest} bytes",
            file=source, record=n + 1, offset=n * lrecl,
            hint="check the LRECL and RECFM (a variable-length file needs RECFM=V/VB, "
                 "a text file RECFM=LS)")
    step = _records_per_chunk(chunk, lrecl, n)
    for start in range(0, n, step):
        stop = min(n, start + step)
        data = np.array(buf[start * lrecl:stop * lrecl]).reshape(stop - start, lrecl)
        offsets = np.arange(start, stop, dtype=np.int64) * lrecl
        yield RecordBlock(data, np.full(stop - start, lrecl, np.int32), offsets, start + 1, source)


def _records_per_chunk(chunk, width: int, n: int) -> int:
    """Records per block: `chunk`, but never more than CHUNK_BYTES of them (None: all)."""
    if not chunk:
        return max(1, n)
    return max(1, min(int(chunk), CHUNK_BYTES // max(1, width)))


def _gather(buf: np.ndarray, starts: np.ndarray, lengths: np.ndarray, width: int, pad: int) -> np.ndarray:
    """Rows buf[starts[i] : starts[i] + lengths[i]], padded with `pad` to `width`.

    Evenly spaced full-width records are one strided copy; otherwise, a slice of
    records at a time (small enough to stay in cache), their bytes are picked from
    the buffer in one pass (a mask of the byte ranges made with a cumulative sum)
    and scattered into the padded matrix."""
    n = len(starts)
    if n > 1 and (lengths == width).all():
        step = int(starts[1] - starts[0])
        if step >= width and (np.diff(starts) == step).all():
            lo = int(starts[0])
            return np.lib.stride_tricks.as_strided(buf[lo:], (n, width), (step, 1)).copy()
    out = np.full((n, width), pad, dtype=np.uint8)
    columns = np.arange(width)[None, :]
    for a in range(0, n, _SLICE):
        s, ln = starts[a:a + _SLICE], lengths[a:a + _SLICE]
        lo, hi = int(s[0]), int(s[-1] + ln[-1])
        edges = np.zeros(hi - lo + 1, dtype=np.int8)
        edges[s - lo] += 1               # starts increase and ranges never overlap: no repeats
        edges[s + ln - lo] -= 1
        inside = np.cumsum(edges[:-1], dtype=np.int8).view(bool)
        out[a:a + len(s)][columns < ln[:, None]] = buf[lo:hi][inside]
    return out


_SLICE = 16_384
gather_records = _gather


def _walk_rdws(mm, pos: int, end: int, little: bool, adjust: int, limit: int | None):
    """Start offsets of the records from `pos` up to `end`: the sequential walk, a
    few integer operations per record, in rounds of 32 records; when a round ends
    on 8 records of one length, the following RDWs are checked at once with NumPy
    (fixed-length data written as VB walks in large steps). The RDWs found are
    checked afterwards with NumPy. Stops after `limit` records. Returns (starts,
    stop_position, problem): problem is None or (offset, reason) for the first bad RDW."""
    starts = []
    append = starts.append
    hi, lo = (3, 2) if little else (0, 1)        # where the length's high and low bytes are
    buf = np.frombuffer(mm, dtype=np.uint8)
    remaining = limit or (end - pos) // RDW + 1
    problem = None
    try:
        while remaining > 0 and pos < end and problem is None:
            before = len(starts)
            for _ in range(min(32, remaining)):
                if pos >= end:
                    break
                total = (mm[pos + hi] << 8 | mm[pos + lo]) + adjust
                if total < RDW:
                    problem = (pos, "short")
                    break
                append(pos)
                pos += total
            remaining -= len(starts) - before
            if problem is not None or len(starts) < 9 or remaining <= 0:
                continue
            total = pos - starts[-1]
            if any(starts[-i] - starts[-i - 1] != total for i in range(1, 9)):
                continue
            k = min(remaining, (end - pos) // total, 65536)
            if k < 2:
                continue
            at = pos + np.arange(k, dtype=np.int64) * total
            same = ((buf[at + hi].astype(np.int32) << 8) | buf[at + lo]) + adjust == total
            m = k if same.all() else int(np.argmin(same))
            starts.extend(range(pos, pos + m * total, total))
            pos += m * total
            remaining -= m
    except IndexError:
        problem = (pos, "truncated")
    found = np.array(starts, dtype=np.int64)
    if len(found) and int(found[-1]) + RDW > end:      # a header cut off by the end
        problem = (int(found[-1]), "truncated")
        pos = int(found[-1])
        found = found[:-1]
    if len(found):
        buf = np.frombuffer(mm, dtype=np.uint8)
        zero_at = (0, 1) if little else (2, 3)
        bad = (buf[found + zero_at[0]] != 0) | (buf[found + zero_at[1]] != 0)
        if bad.any():                      # the first bad RDW explains what follows it
            k = int(np.argmax(bad))
            return found[:k], int(found[k]), (int(found[k]), "zeros")
        last = int(found[-1])
        if problem is None and pos > end:
            return found[:-1], last, (last, "overrun")
    if problem is None and pos < end and pos + RDW > end and not limit:
        problem = (pos, "truncated")
    return found, pos, problem


def _rdw_error(problem, mm, fmt: RecordFormat, source: str, record: int | None, what: str = "RDW",
               block: int | None = None):
    offset, reason = problem
    if block is not None:
        what = f"{what} of block {block}"
    header = bytes(mm[offset:offset + RDW])
    order = (fmt.bdw_byteorder or fmt.rdw_byteorder) if what.startswith("BDW") else fmt.rdw_byteorder
    swap = "little" if order == "big" else "big"
    if reason == "zeros":
        zeros = "3-4" if order == "big" else "1-2"
        return RecordError(
            f"invalid {what}: bytes {zeros} are not zero — not a VB file?",
            file=source, record=record, offset=offset, data=header,
            hint=f"check RECFM (fixed data needs RECFM=F/FB) and the byte order "
                 f"(try the {swap}-endian form)")
    if reason == "truncated":
        return RecordError(f"truncated {what}: only {len(header)} bytes left at the end of the file",
                           file=source, record=record, offset=offset, data=header,
                           hint="the file was cut short, or is not a VB file")
    if reason == "short":
        return RecordError(f"invalid {what}: length less than the 4 header bytes",
                           file=source, record=record, offset=offset, data=header,
                           hint="check whether the length includes the header "
                                "(--rdw-excludes-header) and the byte order")
    return RecordError(f"invalid {what}: the length runs past the end of the "
                       f"{'block' if what == 'RDW' and fmt.bdw else 'file'}",
                       file=source, record=record, offset=offset, data=header,
                       hint="the file was cut short, or the length does not include the "
                            "header (--rdw-excludes-header), or the byte order is swapped")


def _walk_blocks(mm, size: int, fmt: RecordFormat, source: str):
    """(start, end) of every block's record area (BDW walk; one step per block)."""
    little = (fmt.bdw_byteorder or fmt.rdw_byteorder) == "little"
    delta = fmt.bdw_delta
    pos, areas, block_no = 0, [], 0
    while pos < size:
        block_no += 1
        if pos + RDW > size:
            raise _rdw_error((pos, "truncated"), mm, fmt, source, None, "BDW", block_no)
        b0, b1, b2, b3 = mm[pos], mm[pos + 1], mm[pos + 2], mm[pos + 3]
        if little:
            b0, b1, b2, b3 = b3, b2, b1, b0
        if b0 & 0x80:  # extended BDW: 31-bit length in all four bytes
            length = ((b0 & 0x7F) << 24) | (b1 << 16) | (b2 << 8) | b3
        else:
            if b2 or b3:
                raise _rdw_error((pos, "zeros"), mm, fmt, source, None, "BDW", block_no)
            length = ((b0 << 8) | b1) + delta
        if length < RDW or pos + length > size:
            reason = "short" if length < RDW else "overrun"
            raise _rdw_error((pos, reason), mm, fmt, source, None, "BDW", block_no)
        areas.append((pos + RDW, pos + length))
        pos += length
    return areas


def _iter_variable(mm, buf, fmt: RecordFormat, source: str, chunk):
    size = len(buf)
    little = fmt.rdw_byteorder == "little"
    adjust = fmt.rdw_delta
    areas = _walk_blocks(mm, size, fmt, source) if fmt.bdw else [(0, size)]
    limit = fmt.max_data_length
    record_no = 1
    pending: list[np.ndarray] = []
    pending_count = 0

    def flush():
        nonlocal record_no, pending, pending_count
        starts = np.concatenate(pending) if len(pending) > 1 else pending[0]
        pending, pending_count = [], 0
        block = _variable_block(buf, starts, fmt, little, adjust, limit, source, record_no)
        record_no += len(block)
        return block

    for area_start, area_end in areas:
        pos = area_start
        while pos < area_end:
            want = (_records_per_chunk(chunk, limit or 32_760, 0) - pending_count) if chunk else None
            starts, pos, problem = _walk_rdws(mm, pos, area_end, little, adjust, want)
            if problem is not None:
                raise _rdw_error(problem, mm, fmt, source, record_no + pending_count + len(starts))
            if len(starts):
                pending.append(starts)
                pending_count += len(starts)
            if chunk and pending_count >= _records_per_chunk(chunk, limit or 32_760, 0):
                yield flush()
    if pending_count:
        yield flush()
    elif record_no == 1:
        yield RecordBlock(np.zeros((0, limit or 0), np.uint8), np.zeros(0, np.int32),
                          np.zeros(0, np.int64), 1, source)


def _variable_block(buf, starts, fmt, little, adjust, limit, source, first) -> RecordBlock:
    hi = buf[starts + (3 if little else 0)].astype(np.int32)
    lo = buf[starts + (2 if little else 1)].astype(np.int32)
    lengths = ((hi << 8) | lo) + adjust - RDW
    if limit is not None and len(lengths) and int(lengths.max()) > limit:
        bad = int(np.argmax(lengths > limit))
        raise RecordError(
            f"record of {int(lengths[bad])} data bytes is longer than LRECL {fmt.lrecl} allows "
            f"({limit} after the 4-byte RDW)",
            file=source, record=first + bad, offset=int(starts[bad]),
            hint="raise the LRECL (for V/VB it includes the RDW)")
    width = limit if limit is not None else (int(lengths.max()) if len(lengths) else 0)
    data = _gather(buf, starts + RDW, lengths, width, fmt.pad_byte())
    return RecordBlock(data, lengths, starts, first, source)


def _iter_lines(buf, fmt: RecordFormat, source: str, chunk):
    """Lines ended by LF (CR LF), read window by window: memory is bounded by a window of the
    file and a chunk of records, never by the file."""
    size = len(buf)
    limit = fmt.lrecl
    window = CHUNK_BYTES if chunk else size
    pos, record_no, ending, yielded = 0, 1, "unknown", False
    while pos < size:
        end = min(size, pos + window)
        part = buf[pos:end]
        newlines = np.flatnonzero(part == 0x0A)
        if end < size and not len(newlines):
            if limit is not None and end - pos > limit + 1:
                raise RecordError(f"line {record_no} is longer than LRECL {limit}", file=source,
                                  record=record_no, offset=pos,
                                  hint="raise the LRECL, or check the file is line sequential text")
            window *= 2                 # one line longer than the window: widen it
            continue
        if end < size:                  # complete lines only; the rest starts the next window
            end = pos + int(newlines[-1]) + 1
        block_starts, block_lengths, block_ending = _lines(buf, pos, end, size)
        if len(block_lengths) and limit is not None and int(block_lengths.max()) > limit:
            bad = int(np.argmax(block_lengths > limit))
            raise RecordError(
                f"line {record_no + bad} is {int(block_lengths[bad])} bytes, longer than LRECL {limit}",
                file=source, record=record_no + bad, offset=int(block_starts[bad]),
                hint="raise the LRECL, or check the file is line sequential text")
        if block_ending == "mixed":
            ending = None
        elif block_ending is not None:
            ending = block_ending if ending in ("unknown", block_ending) else None
        n = len(block_starts)
        width = limit if limit is not None else (int(block_lengths.max()) if n else 0)
        step = _records_per_chunk(chunk, width, n)
        for a in range(0, n, step):
            b = min(n, a + step)
            data = _gather(buf, block_starts[a:b], block_lengths[a:b], width, fmt.pad_byte())
            yield RecordBlock(data, block_lengths[a:b], block_starts[a:b], record_no + a, source,
                              None if ending == "unknown" else ending)
            yielded = True
        record_no += n
        pos = end
    if not yielded:
        width = limit or 0
        yield RecordBlock(np.zeros((0, width), np.uint8), np.zeros(0, np.int32), np.zeros(0, np.int64),
                          1, source, None)


def _lines(buf, pos: int, end: int, size: int):
    """(starts, lengths, ending) of the lines in buf[pos:end]; ending "lf"/"crlf" when every
    ended line has that ending, "mixed" when not, None when no line is ended."""
    newlines = np.flatnonzero(buf[pos:end] == 0x0A).astype(np.int64) + pos
    starts = np.concatenate([[pos], newlines + 1]).astype(np.int64)
    ends = np.concatenate([newlines, [end]]).astype(np.int64)
    if starts[-1] >= end:           # the window ends with a line end: no empty last record
        starts, ends = starts[:-1], ends[:-1]
    has_nl = ends < size
    has_nl &= buf[np.minimum(ends, size - 1)] == 0x0A
    cr = np.zeros(len(ends), dtype=bool)
    cr[has_nl] = (ends[has_nl] > starts[has_nl]) & (buf[np.maximum(ends[has_nl] - 1, 0)] == 0x0D)
    ends = ends - cr
    ending = None
    terminated = int(has_nl.sum())
    if terminated:
        crs = int(cr[has_nl].sum())
        ending = "crlf" if crs == terminated else ("lf" if crs == 0 else "mixed")
    return starts, (ends - starts).astype(np.int32), ending


# ---------------------------------------------------------------------------------------------
# writing

def write_records(path, records, fmt: RecordFormat) -> int:
    """Write records (a RecordBlock, a uint8 matrix, or an iterable of either) to `path`
    in format `fmt`; returns the number of records written."""
    if isinstance(records, (RecordBlock, np.ndarray)):
        records = [records]
    total = 0
    record_no = 1
    with open(path, "wb") as fh:
        writer = _BlockWriter(fh, fmt) if fmt.variable and fmt.bdw else None
        for item in records:
            block = item if isinstance(item, RecordBlock) else RecordBlock.from_array(item)
            payload = _encode_block(block, fmt, str(path), record_no)
            if writer is not None:
                writer.add(payload, block)
            else:
                fh.write(memoryview(payload))
            total += len(block)
            record_no += len(block)
        if writer is not None:
            writer.close()
    return total


def _encode_block(block: RecordBlock, fmt: RecordFormat, target: str, first: int) -> np.ndarray:
    n = len(block)
    if n == 0:
        return np.zeros(0, np.uint8)
    lengths = block.lengths.astype(np.int64)
    if fmt.fixed:
        lrecl = fmt.lrecl if fmt.lrecl is not None else block.width
        wrong = lengths != lrecl
        if wrong.any():
            bad = int(np.argmax(wrong))
            raise RecordError(f"record of {int(lengths[bad])} bytes cannot be written to a fixed "
                              f"file with LRECL {lrecl}", file=target, record=first + bad,
                              hint="pad or cut the records to the LRECL, or write RECFM=V/VB")
        return np.ascontiguousarray(block.data[:, :lrecl]).reshape(-1)
    limit = fmt.max_data_length
    if limit is not None and int(lengths.max()) > limit:
        bad = int(np.argmax(lengths > limit))
        raise RecordError(f"record of {int(lengths[bad])} bytes is longer than LRECL {fmt.lrecl} allows",
                          file=target, record=first + bad, hint="raise the LRECL")
    width = block.width
    if fmt.variable:
        if int(lengths.max()) + RDW - fmt.rdw_delta > 0xFFFF or int(lengths.min()) + RDW - fmt.rdw_delta < 0:
            raise RecordError("record too long for a 2-byte RDW length", file=target)
        header = np.zeros((n, RDW), np.uint8)
        value = lengths + RDW - fmt.rdw_delta
        if fmt.rdw_byteorder == "big":
            header[:, 0], header[:, 1] = value >> 8, value & 0xFF
        else:
            header[:, 3], header[:, 2] = value >> 8, value & 0xFF
        matrix = np.concatenate([header, block.data], axis=1)
        keep = np.arange(width + RDW)[None, :] < (lengths + RDW)[:, None]
        return matrix[keep]
    # line sequential
    ending = fmt.line_ending or block.line_ending or "lf"
    tail = np.array([0x0D, 0x0A] if ending == "crlf" else [0x0A], np.uint8)
    body = np.asarray(block.data)
    real = np.arange(width)[None, :] < lengths[:, None]
    feeds = ((body == 0x0A) & real).any(axis=1)
    if feeds.any():
        raise RecordError("a record holds a line-feed byte (X'0A'), which would split the line",
                          file=target, record=first + int(np.argmax(feeds)),
                          hint="write this data as RECFM=F/FB or V/VB")
    carriage = np.zeros(n, dtype=bool)
    if width:
        carriage = (body[np.arange(n), np.maximum(lengths - 1, 0)] == 0x0D) & (lengths > 0)
    if carriage.any():
        bad = int(np.argmax(carriage))
        raise RecordError(f"a record ends with X'0D' (byte {int(lengths[bad])} of the record: a packed sign or a "
                          f"binary byte); read back it would be taken for the CR of a CR LF line end",
                          file=target, record=first + bad,
                          hint="write data with binary or packed fields as RECFM=F/FB or V/VB")
    matrix = np.concatenate([body, np.broadcast_to(tail, (n, len(tail)))], axis=1)
    col = np.arange(width + len(tail))[None, :]
    keep = (col < lengths[:, None]) | (col >= width)
    return matrix[keep]


class _BlockWriter:
    """Groups variable records (RDW included) into BDW blocks of at most `blksize`."""

    def __init__(self, fh, fmt: RecordFormat):
        self.fh, self.fmt = fh, fmt
        self.buffer = np.zeros(0, np.uint8)
        self.sizes = np.zeros(0, np.int64)

    def add(self, payload: np.ndarray, block: RecordBlock):
        sizes = block.lengths.astype(np.int64) + RDW
        if len(sizes) and int(sizes.max()) + RDW > self.fmt.blksize:
            raise RecordError(f"a record of {int(sizes.max())} bytes does not fit BLKSIZE {self.fmt.blksize}")
        self.buffer = np.concatenate([self.buffer, payload])
        self.sizes = np.concatenate([self.sizes, sizes])
        self._emit(final=False)

    def _emit(self, final: bool):
        ends = np.cumsum(self.sizes)
        room = self.fmt.blksize - RDW
        pos, done, consumed = 0, 0, 0
        out = []
        while done < len(self.sizes):       # one step per block
            stop = int(np.searchsorted(ends, consumed + room, side="right"))
            if stop == len(self.sizes) and not final:
                break
            nbytes = int(ends[stop - 1]) - consumed
            out.append(self._bdw(nbytes + RDW))
            out.append(self.buffer[pos:pos + nbytes].tobytes())
            pos += nbytes
            consumed += nbytes
            done = stop
        if out:
            self.fh.write(b"".join(out))
        self.buffer = self.buffer[pos:]
        self.sizes = self.sizes[done:]

    def _bdw(self, length: int) -> bytes:
        length -= self.fmt.bdw_delta
        word = bytes([length >> 8, length & 0xFF, 0, 0])
        return word if (self.fmt.bdw_byteorder or self.fmt.rdw_byteorder) == "big" else word[::-1]

    def close(self):
        self._emit(final=True)
