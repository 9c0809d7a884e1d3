"""Partitions of a record dataset: byte ranges that hold whole records.

* Fixed records (F/FB): ranges whose bounds are multiples of LRECL.
* Variable records (V/VB without BDW): bounds found by walking the RDWs (the
  engine's walker, in rounds, keeping only the bounds).
* Key ranges of files sorted on a key: the lead file is cut at evenly spaced
  records, each cut moved back to the first record of its key (a key never spans two
  partitions), and every other file is cut at the same keys by binary search
  (a few reads per cut, never a scan).

A partition is read back as a RecordBlock (`read_range`) or as raw bytes.
"""
from __future__ import annotations

import mmap
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import RecordError
from engine.records import RecordBlock, RecordFormat


@dataclass(frozen=True)
class ByteRange:
    """Bytes start..stop-1 of a file: records first_record.. (1-based) of it."""
    path: str
    start: int
    stop: int
    first_record: int = 1
    records: int = 0

    @property
    def size(self) -> int:
        return self.stop - self.start

    def read_bytes(self) -> np.ndarray:
        if self.size == 0:
            return np.zeros(0, np.uint8)
        return np.fromfile(self.path, dtype=np.uint8, count=self.size, offset=self.start)

    def describe(self) -> str:
        last = self.first_record + self.records - 1
        return f"RECORDS {self.first_record:,}-{last:,} (BYTES {self.start:,}-{self.stop:,})" \
            if self.records else f"NO RECORDS (BYTE {self.start:,})"


def fixed_ranges(path, lrecl: int, target_bytes: int) -> list[ByteRange]:
    """Ranges of about target_bytes, each a whole number of LRECL-byte records."""
    size = os.path.getsize(path)
    n, rest = divmod(size, lrecl)
    if rest:
        raise RecordError(f"wrong-length record: the file is {size} bytes, not a multiple of LRECL {lrecl}",
                          file=str(path), record=n + 1, offset=n * lrecl,
                          hint="check the LRECL and RECFM")
    per = max(1, target_bytes // lrecl)
    parts = max(1, -(-n // per))
    cuts = [round(k * n / parts) for k in range(parts + 1)]
    return [ByteRange(str(path), a * lrecl, b * lrecl, a + 1, b - a) for a, b in zip(cuts, cuts[1:])]


def variable_ranges(path, fmt: RecordFormat, target_bytes: int) -> list[ByteRange]:
    """Ranges of about target_bytes of V/VB records, bounds on record starts (RDW walk)."""
    from engine.records.recfm import _walk_rdws, _rdw_error
    if fmt.bdw:
        size = os.path.getsize(path)       # blocked with BDWs: one partition (not split here)
        return [ByteRange(str(path), 0, size, 1, _count_variable(path, fmt))]
    size = os.path.getsize(path)
    if size == 0:
        return [ByteRange(str(path), 0, 0, 1, 0)]
    little = fmt.rdw_byteorder == "little"
    ranges, start, first, base, pos = [], 0, 1, 0, 0     # base: records before this round
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            while pos < size:
                starts, pos, problem = _walk_rdws(mm, pos, size, little, fmt.rdw_delta, 65_536)
                if problem is not None:
                    raise _rdw_error(problem, mm, fmt, str(path), base + len(starts) + 1)
                if len(starts) == 0:
                    break
                ends = np.r_[starts[1:], pos]           # where each record ends
                while True:
                    j = int(np.searchsorted(ends, start + target_bytes, side="left"))
                    if j >= len(ends):
                        break
                    last = base + j + 1                 # the range's last record (1-based)
                    ranges.append(ByteRange(str(path), start, int(ends[j]), first, last - first + 1))
                    start, first = int(ends[j]), last + 1
                base += len(starts)
        finally:
            mm.close()
    if pos > start or not ranges:
        ranges.append(ByteRange(str(path), start, pos, first, base - first + 1))
    return ranges


def _count_variable(path, fmt: RecordFormat) -> int:
    from engine.records.recfm import iter_records
    return sum(len(b) for b in iter_records(path, fmt))


def record_ranges(path, fmt: RecordFormat, target_bytes: int) -> list[ByteRange]:
    if fmt.fixed:
        if fmt.lrecl is None:
            raise RecordError(f"RECFM={fmt.recfm} needs an LRECL to be split", file=str(path))
        return fixed_ranges(path, fmt.lrecl, target_bytes)
    if fmt.variable:
        return variable_ranges(path, fmt, target_bytes)
    raise RecordError(f"RECFM={fmt.recfm} datasets are not split into partitions", file=str(path),
                      hint="run without --cluster, or convert the file to F/FB or V/VB first")


def read_range(r: ByteRange, fmt: RecordFormat) -> RecordBlock:
    """The records of one partition (what read_records gives for the whole file)."""
    if fmt.fixed:
        data = r.read_bytes().reshape(-1, fmt.lrecl)
        offsets = r.start + np.arange(len(data), dtype=np.int64) * fmt.lrecl
        return RecordBlock(data, np.full(len(data), fmt.lrecl, np.int32), offsets, r.first_record, r.path)
    from engine.records.recfm import _rdw_error, _variable_block, _walk_rdws, iter_records
    if fmt.bdw:
        blocks = list(iter_records(r.path, fmt, chunk_records=None))
        return blocks[0] if len(blocks) == 1 else RecordBlock.concat(blocks, fmt.pad_byte())
    width = fmt.max_data_length or 0
    if r.size == 0:
        return RecordBlock(np.zeros((0, width), np.uint8), np.zeros(0, np.int32), np.zeros(0, np.int64),
                           r.first_record, r.path)
    with open(r.path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        buf = np.frombuffer(mm, dtype=np.uint8)
        starts, _, problem = _walk_rdws(mm, r.start, r.stop, fmt.rdw_byteorder == "little",
                                        fmt.rdw_delta, None)
        if problem is not None:
            raise _rdw_error(problem, mm, fmt, r.path, r.first_record + len(starts))
        block = _variable_block(buf, starts, fmt, fmt.rdw_byteorder == "little", fmt.rdw_delta,
                                fmt.max_data_length, r.path, r.first_record)
        del buf
    return block


def iter_range(r: ByteRange, fmt: RecordFormat, chunk_records: int | None):
    """The partition's records in blocks of about chunk_records (fixed records are sliced)."""
    if not fmt.fixed or not chunk_records or r.records <= chunk_records:
        yield read_range(r, fmt)
        return
    for a in range(0, r.records, chunk_records):
        b = min(r.records, a + chunk_records)
        yield read_range(ByteRange(r.path, r.start + a * fmt.lrecl, r.start + b * fmt.lrecl,
                                   r.first_record + a, b - a), fmt)


# ------------------------------------------------------------------ key ranges
@dataclass(frozen=True)
class KeyedFile:
    """A fixed-record file sorted on the bytes key_start..key_start+key_len-1."""
    path: str
    lrecl: int
    key_start: int
    key_len: int

    @property
    def records(self) -> int:
        return os.path.getsize(self.path) // self.lrecl

    def key(self, fh, i: int) -> bytes:
        fh.seek(i * self.lrecl + self.key_start)
        return fh.read(self.key_len)

    def lower_bound(self, fh, key: bytes, lo: int = 0, hi: int | None = None) -> int:
        """The first record whose key is not below `key` (binary search, a read per step)."""
        hi = self.records if hi is None else hi
        while lo < hi:
            mid = (lo + hi) // 2
            if self.key(fh, mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo


def key_ranges(lead: KeyedFile, others: list[KeyedFile], target_bytes: int
               ) -> tuple[list[bytes], list[list[ByteRange]]]:
    """Cut `lead` into about size/target_bytes partitions at key boundaries and every other
    file at the same keys. Returns the boundary keys (the first key of partitions 2..)
    and, per partition, one ByteRange per file (lead first). The files are assumed sorted
    on their keys; a caller that cannot trust that checks the records at each cut."""
    files = [lead] + list(others)
    n = lead.records
    parts = max(1, -(-n * lead.lrecl // max(1, target_bytes)))
    handles = [open(f.path, "rb") for f in files]
    try:
        bounds: list[bytes] = []
        for k in range(1, parts):
            i = round(k * n / parts)
            if 0 < i < n:
                key = lead.key(handles[0], i)
                if not bounds or key > bounds[-1]:
                    bounds.append(key)
        cuts = []
        for f, fh in zip(files, handles):
            m = f.records
            cuts.append([0] + [f.lower_bound(fh, b) for b in bounds] + [m])
    finally:
        for fh in handles:
            fh.close()
    ranges = []
    for p in range(len(bounds) + 1):
        row = []
        for f, c in zip(files, cuts):
            a, b = c[p], max(c[p], c[p + 1])
            row.append(ByteRange(f.path, a * f.lrecl, b * f.lrecl, a + 1, b - a))
        ranges.append(row)
    return bounds, ranges


def concatenate(parts: list[Path], target: Path) -> int:
    """Append the part files to target in order (kernel copies where possible); bytes written."""
    total = 0
    copy = getattr(os, "copy_file_range", None)
    with open(target, "r+b" if os.path.exists(target) else "wb", buffering=0) as out:
        out.seek(0, os.SEEK_END)
        for p in parts:
            size = os.path.getsize(p)
            with open(p, "rb", buffering=0) as src:
                done = 0
                while done < size and copy is not None:
                    try:
                        n = copy(src.fileno(), out.fileno(), size - done)
                    except OSError:
                        copy = None                  # not across these file systems: plain reads
                        break
                    if n == 0:
                        break
                    done += n
                src.seek(done)
                out.seek(0, os.SEEK_END)
                while done < size:
                    chunk = src.read(min(1 << 22, size - done))
                    if not chunk:
                        raise OSError(f"{p} became shorter while it was copied")
                    out.write(chunk)
                    done += len(chunk)
            total += size
    return total
