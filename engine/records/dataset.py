"""The dataset API jobs use: a dataset (file + copybook + code page + RECFM) as a
Polars frame, and a frame written back as a dataset.

    read_dataset(path, copybook, ...)  -> pl.DataFrame
    scan_dataset(path, copybook, ...)  -> pl.LazyFrame   (decodes chunk by chunk while collected)
    write_dataset(frame, path, copybook, ...) -> records written (temp file, then rename)

A lenient read (`errors="lenient"`) keeps going past records that do not decode,
writes their raw bytes to `reject_path` (same RECFM) and logs how many there were.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import polars as pl

from engine.errors import DensanError, RecordError
from engine.records.recfm import DEFAULT_CHUNK, RecordBlock, RecordFormat, iter_records, write_records

log = logging.getLogger("densan.records")


def resolve_layout(copybook, *, dialect=None, encoding=None):
    """A Layout from a Layout, a copybook path, or a copybook name in the copy library.
    Storage sizes follow the dialect the codec will use: the one given, else the default
    for the data's code page (GnuCOBOL for ASCII data: PIC 9(2) COMP is 1 byte there)."""
    from engine.copybook.model import Layout
    if isinstance(copybook, Layout):
        return copybook
    from engine.copybook import load_copybook
    if dialect is None and encoding is not None:
        from engine.codepages import get_codepage
        from engine.compat.dialect import get_dialect
        dialect = get_dialect(None, is_ebcdic=get_codepage(encoding).is_ebcdic)
    return load_copybook(str(copybook), dialect=dialect)


def record_format(layout, recfm="F", lrecl=None, **options) -> RecordFormat:
    """The RecordFormat for a layout: LRECL defaults to the copybook's record length
    (for F/FB and LS; V/VB records may be any length up to their RDW's)."""
    if isinstance(recfm, RecordFormat):
        return recfm
    fmt = RecordFormat(recfm, lrecl, **options)
    if fmt.lrecl is None and not fmt.variable:
        fmt = RecordFormat(fmt.recfm, layout.record_length, **options)
    return fmt


def make_codec(layout, encoding="ascii", dialect=None):
    from engine.records.codec import RecordCodec
    return RecordCodec(layout, codepage=encoding, dialect=dialect)


@dataclass
class ReadStats:
    """What a read did, for job logs and the convert summary."""
    records_in: int = 0
    rejected: int = 0
    messages: list[str] = field(default_factory=list)
    reject_path: str | None = None


def fit_block(block: RecordBlock, record_length: int, pad: int) -> RecordBlock:
    """A block at least as wide as the layout (short variable records padded; the
    codec sees the real lengths)."""
    if block.width < record_length:
        return block.with_width(record_length, pad)
    return block


def decode_block(block: RecordBlock, codec, *, columns=None, errors="strict", keep_raw=True,
                 file=None, line_sequential=False, pad: int = 0x00):
    """One block through the codec (a DecodeResult). Line-sequential records are
    decoded padded with spaces to the layout (a short line is the record with
    trailing spaces), while "__record__" keeps the line as it was, so it is
    written back unchanged."""
    block = fit_block(block, codec.layout.record_length, pad)
    if not line_sequential:
        return codec.decode(block, columns=columns, errors=errors, keep_raw=keep_raw, file=file)
    full = RecordBlock(block.data, np.full(len(block), block.width, np.int32),
                       block.file_offsets, block.first_record, block.source)
    result = codec.decode(full, columns=columns, errors=errors, keep_raw=False, file=file)
    if keep_raw:
        result.frame = result.frame.with_columns(raw_series(block))
    return result


def decode_blocks(blocks, codec, *, errors="strict", columns=None, keep_raw=True, file=None,
                  stats: ReadStats | None = None, rejects: list | None = None,
                  pad: int = 0x00, line_sequential: bool = False) -> Iterator[pl.DataFrame]:
    """Decode record blocks one by one; rejected records go to `rejects` (blocks)
    and are left out of the frames."""
    for block in blocks:
        result = decode_block(block, codec, columns=columns, errors=errors, keep_raw=keep_raw,
                              file=file, line_sequential=line_sequential, pad=pad)
        if stats is not None:
            stats.records_in += len(block)
            stats.messages.extend(result.messages[:100 - len(stats.messages)]
                                  if len(stats.messages) < 100 else [])
        if len(result.rejected):
            if errors == "strict":  # a codec that reports instead of raising
                i = int(result.rejected[0])
                raise RecordError("record does not match its layout", file=file,
                                  record=block.record_number(i), offset=int(block.file_offsets[i]))
            if stats is not None:
                stats.rejected += len(result.rejected)
            if rejects is not None:
                rejects.append(block.take(np.asarray(result.rejected)))
            keep = np.ones(len(block), dtype=bool)
            keep[np.asarray(result.rejected)] = False
            yield result.frame.filter(pl.Series(keep))
            continue
        yield result.frame


def raw_series(block: RecordBlock) -> pl.Series:
    """The records' own bytes (their real lengths) as a Binary column "__record__"."""
    import pyarrow as pa
    n, width = block.data.shape
    lengths = np.minimum(block.lengths.astype(np.int64), width)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    body = block.data[np.arange(width)[None, :] < lengths[:, None]] if n else np.zeros(0, np.uint8)
    arr = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n,
                                           [None, pa.py_buffer(offsets), pa.py_buffer(body)])
    return pl.Series(RAW, arr)


RAW = "__record__"


def restore_lengths(block: RecordBlock, frame: pl.DataFrame, fmt: RecordFormat, space: int = 0x20
                    ) -> RecordBlock:
    """Record lengths for encoded records written as V/VB or LS.

    With "__record__" a record keeps the length it was read with (extended when a
    changed field now reaches further); without it, V records are full length and
    LS lines lose their trailing spaces, as GnuCOBOL writes them."""
    if fmt.fixed or len(block) == 0:
        return block
    width = block.width
    lengths = np.full(len(block), width, dtype=np.int32)
    if fmt.line_sequential and fmt.ls_trim:
        nonspace = block.data != space
        last = width - np.argmax(nonspace[:, ::-1], axis=1)
        lengths = np.where(nonspace.any(axis=1), last, 0).astype(np.int32)
    trimmed = lengths
    if RAW in frame.columns:
        sizes = frame[RAW].bin.size().fill_null(width).to_numpy().astype(np.int32)
        lengths = np.minimum(sizes, width)
        if fmt.line_sequential and fmt.ls_trim:
            lengths = np.maximum(lengths, trimmed)
    return RecordBlock(block.data, lengths, block.file_offsets, block.first_record, block.source,
                       block.line_ending)


def read_dataset_stats(path, copybook, *, encoding="ascii", recfm="F", lrecl=None, dialect=None,
                       errors="strict", reject_path=None, columns=None, keep_raw=True,
                       chunk_records=DEFAULT_CHUNK, **fmt_options) -> tuple[pl.DataFrame, ReadStats]:
    """read_dataset, also returning what happened (records in, rejected, messages)."""
    if errors not in ("strict", "lenient"):
        raise DensanError(f"errors must be 'strict' or 'lenient', not {errors!r}")
    layout = resolve_layout(copybook, dialect=dialect, encoding=encoding)
    fmt = record_format(layout, recfm, lrecl, **fmt_options)
    codec = make_codec(layout, encoding, dialect)
    stats, rejects = ReadStats(), []
    frames = list(decode_blocks(iter_records(path, fmt, chunk_records), codec, errors=errors,
                                columns=columns, keep_raw=keep_raw, file=str(path), stats=stats,
                                rejects=rejects, pad=fmt.pad_byte(),
                                line_sequential=fmt.line_sequential))
    frame = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
    _finish_rejects(path, fmt, stats, rejects, reject_path)
    return frame, stats


def read_dataset(path, copybook, *, encoding="ascii", recfm="F", lrecl=None, dialect=None,
                 errors="strict", reject_path=None, columns=None, keep_raw=True,
                 **fmt_options) -> pl.DataFrame:
    """A whole dataset decoded through its copybook, one column per elementary field
    (plus "__record__", the raw bytes, when keep_raw)."""
    frame, _ = read_dataset_stats(path, copybook, encoding=encoding, recfm=recfm, lrecl=lrecl,
                                  dialect=dialect, errors=errors, reject_path=reject_path,
                                  columns=columns, keep_raw=keep_raw, **fmt_options)
    return frame


def _finish_rejects(path, fmt, stats: ReadStats, rejects: list, reject_path):
    if not stats.rejected:
        if reject_path is not None:
            write_records(reject_path, [], fmt)  # an empty reject dataset, as the host leaves one
        return
    if reject_path is not None:
        write_records(reject_path, rejects, fmt)
        stats.reject_path = str(reject_path)
        log.warning("%s: %d record(s) rejected, written to %s", path, stats.rejected, reject_path)
    else:
        log.warning("%s: %d record(s) rejected (no reject dataset given)", path, stats.rejected)


def scan_dataset(path, copybook, *, encoding="ascii", recfm="F", lrecl=None, dialect=None,
                 errors="strict", reject_path=None, columns=None, keep_raw=True,
                 chunk_records=DEFAULT_CHUNK, **fmt_options) -> pl.LazyFrame:
    """A LazyFrame that decodes the dataset chunk by chunk as Polars pulls batches
    (a Polars IO-source plugin), so files larger than memory can be filtered,
    aggregated or sunk. Column projection is pushed down to the codec (a strict scan
    checks the fields it reads; a lenient one decodes all, so the rows it keeps and
    rejects never depend on the columns asked for)."""
    from polars.io.plugins import register_io_source

    if errors not in ("strict", "lenient"):
        raise DensanError(f"errors must be 'strict' or 'lenient', not {errors!r}")
    layout = resolve_layout(copybook, dialect=dialect, encoding=encoding)
    fmt = record_format(layout, recfm, lrecl, **fmt_options)
    codec = make_codec(layout, encoding, dialect)
    empty = np.zeros((0, layout.record_length), np.uint8)
    schema = codec.decode(RecordBlock.from_array(empty), columns=columns, keep_raw=keep_raw,
                          errors=errors).frame.schema
    path = Path(path)
    if not path.exists():
        raise RecordError(f"dataset not found: {path}", hint="check the path / DSN")

    def source(with_columns, predicate, n_rows, batch_size) -> Iterator[pl.DataFrame]:
        wanted = list(with_columns) if with_columns is not None else columns
        raw = keep_raw and (wanted is None or "__record__" in wanted)
        # lenient reads decode every field, so the rows kept never depend on the projection
        fields = None if wanted is None or errors == "lenient" else [c for c in wanted if c != RAW]
        chunk = chunk_records
        if n_rows is not None:
            chunk = max(1, min(chunk, n_rows))
        stats, rejects = ReadStats(), []
        remaining = n_rows
        for frame in decode_blocks(iter_records(path, fmt, chunk), codec, errors=errors,
                                   columns=fields, keep_raw=raw, file=str(path), stats=stats,
                                   rejects=rejects, pad=fmt.pad_byte(),
                                   line_sequential=fmt.line_sequential):
            if wanted is not None:
                frame = frame.select([c for c in wanted if c in frame.columns or c != RAW])
            if predicate is not None:
                frame = frame.filter(predicate)
            if remaining is not None:
                frame = frame.head(remaining)
                remaining -= len(frame)
            yield frame
            if remaining is not None and remaining <= 0:
                return
        _finish_rejects(path, fmt, stats, rejects, reject_path)

    return register_io_source(io_source=source, schema=schema, explain_name="densan",
                              explain_detail=f"{path} {fmt.describe()} {layout.name}")


def iter_dataset(path, copybook, *, encoding="ascii", recfm="F", lrecl=None, dialect=None,
                 errors="strict", columns=None, keep_raw=True, chunk_records=DEFAULT_CHUNK,
                 stats: ReadStats | None = None, rejects: list | None = None,
                 **fmt_options) -> Iterator[pl.DataFrame]:
    """The dataset as decoded frames of about `chunk_records` rows each."""
    layout = resolve_layout(copybook, dialect=dialect, encoding=encoding)
    fmt = record_format(layout, recfm, lrecl, **fmt_options)
    codec = make_codec(layout, encoding, dialect)
    yield from decode_blocks(iter_records(path, fmt, chunk_records), codec, errors=errors,
                             columns=columns, keep_raw=keep_raw, file=str(path), stats=stats,
                             rejects=rejects, pad=fmt.pad_byte(),
                             line_sequential=fmt.line_sequential)


def encode_frames(frames, codec, *, chunk_rows=DEFAULT_CHUNK, fmt: RecordFormat | None = None) -> Iterator[RecordBlock]:
    """Encode frames (or one big frame, in slices) to record blocks."""
    if isinstance(frames, pl.DataFrame):
        frames = [frames]
    for frame in frames:
        for start in range(0, max(len(frame), 1), chunk_rows):
            part = frame.slice(start, chunk_rows)
            data = codec.encode(part)
            block = data if isinstance(data, RecordBlock) else RecordBlock.from_array(data)
            if fmt is not None:
                block = restore_lengths(block, part, fmt, _space(codec))
            yield block


def _space(codec) -> int:
    cp = getattr(codec, "cp", None)
    return getattr(cp, "space", 0x20)


class AtomicOutput:
    """A temporary file beside `path`, renamed over it on success and removed on failure."""

    def __init__(self, path):
        self.path = Path(path)

    def __enter__(self) -> Path:
        import stat
        self.direct = False
        try:
            mode = self.path.stat().st_mode
        except OSError:
            mode = None
        if mode is not None and stat.S_ISDIR(mode):
            raise DensanError(f"cannot write dataset {self.path}: it is a directory", hint="name a file")
        if mode is not None and not stat.S_ISREG(mode):
            # a device or a pipe (/dev/null …): written as it is, never replaced by a rename
            self.direct = True
            self.temp = self.path
            return self.path
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        except OSError as exc:
            raise DensanError(f"cannot write dataset {self.path}: {exc.strerror}",
                              hint="check the directory exists and may be written") from None
        os.close(fd)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(name, 0o666 & ~mask)   # mkstemp makes 0600; give the usual permissions
        self.temp = Path(name)
        return self.temp

    def __exit__(self, exc_type, exc, tb):
        if self.direct:
            return False
        if exc_type is None:
            os.replace(self.temp, self.path)
        else:
            self.temp.unlink(missing_ok=True)
        return False


def write_dataset(frame, path, copybook, *, encoding="ascii", recfm="F", lrecl=None, dialect=None,
                  **fmt_options) -> int:
    """Encode `frame` (a DataFrame, or an iterable of them) through the copybook and write
    it atomically. Returns the number of records written."""
    layout = resolve_layout(copybook, dialect=dialect, encoding=encoding)
    fmt = record_format(layout, recfm, lrecl, **fmt_options)
    codec = make_codec(layout, encoding, dialect)
    started = time.monotonic()
    with AtomicOutput(path) as temp:
        count = write_records(temp, encode_frames(frame, codec, fmt=fmt), fmt)
    log.info("%s: %d record(s) written (%s) in %.2fs", path, count, fmt.describe(),
             time.monotonic() - started)
    return count
