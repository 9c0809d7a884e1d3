"""Files whose records have several layouts, chosen by a field: the Zengin
account-transfer file (header "1" / data "2" / trailer "8" / end "9" in byte 1),
or any header/detail/trailer file.

    spec = MultiLayout.by_value({"1": hdr, "2": dat, "8": trl, "9": end},
                                offset=0, length=1, encoding="cp932")
    frames = read_multilayout(path, spec, recfm="F")     # {"ZENGIN-HEADER": df, ...}
    write_multilayout(frames, path2, spec, recfm="F")     # byte-exact when unchanged

Each frame carries "__record_no__" (1-based position in the file), which is how
the writer puts the records back in their original order. The selection is
vectorised: one comparison over the selector bytes per layout, not per record.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from engine.errors import DensanError, RecordError
from engine.records.dataset import (AtomicOutput, ReadStats, decode_block, make_codec, record_format,
                                    resolve_layout, restore_lengths)
from engine.records.recfm import DEFAULT_CHUNK, RecordBlock, RecordFormat, iter_records, write_records

RECORD_NO = "__record_no__"


def _encode_key(value, encoding: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    try:
        from engine.codepages import get_codepage
        return get_codepage(encoding).encode(str(value))
    except ImportError:  # before the code page module exists: Python's codecs
        return str(value).encode(encoding)


@dataclass
class MultiLayout:
    """Which layout each record has: the bytes at [offset, offset+length) select it."""
    layouts: dict[str, object]                 # name -> Layout
    offset: int
    length: int
    keys: dict[bytes, str] = field(default_factory=dict)   # selector bytes -> layout name
    default: str | None = None                 # layout for any other selector value

    @classmethod
    def by_value(cls, layouts: dict, *, offset: int, length: int, encoding: str = "ascii",
                 default=None, dialect=None) -> "MultiLayout":
        """`layouts` maps a selector value (text in the file's code page, or bytes) to a
        Layout or copybook; the layout's name names its frame."""
        named, keys = {}, {}
        for value, copybook in layouts.items():
            layout = resolve_layout(copybook, dialect=dialect, encoding=encoding)
            key = _encode_key(value, encoding)
            if len(key) != length:
                raise DensanError(f"selector value {value!r} is {len(key)} bytes, not {length}")
            named.setdefault(layout.name, layout)
            keys[key] = layout.name
        if default is not None:
            default = resolve_layout(default, dialect=dialect, encoding=encoding)
            named.setdefault(default.name, default)
            default = default.name
        return cls(named, offset, length, keys, default)

    @property
    def record_length(self) -> int:
        return max(layout.record_length for layout in self.layouts.values())

    def classify(self, block: RecordBlock) -> np.ndarray:
        """Index into `names` for every record, -1 where no layout matches."""
        names = list(self.layouts)
        out = np.full(len(block), -1, dtype=np.int32)
        if len(block) == 0:
            return out
        end = self.offset + self.length
        selector = np.ascontiguousarray(block.with_width(max(block.width, end)).data[:, self.offset:end])
        short = block.lengths < end
        for key, name in self.keys.items():
            match = (selector == np.frombuffer(key, np.uint8)[None, :]).all(axis=1) & ~short
            out[match & (out < 0)] = names.index(name)
        if self.default is not None:
            out[out < 0] = names.index(self.default)
        return out


def read_multilayout(path, spec: MultiLayout, *, encoding="ascii", recfm="F", lrecl=None,
                     dialect=None, errors="strict", keep_raw=True, reject_path=None,
                     chunk_records=DEFAULT_CHUNK, stats: ReadStats | None = None,
                     **fmt_options) -> dict[str, pl.DataFrame]:
    """One frame per layout (empty frames for layouts with no records), each with the
    "__record_no__" of its rows."""
    fmt = record_format(spec, recfm, lrecl, **fmt_options)      # LRECL: the longest layout
    names = list(spec.layouts)
    codecs = {name: make_codec(layout, encoding, dialect) for name, layout in spec.layouts.items()}
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in names}
    stats = stats if stats is not None else ReadStats()
    rejects: list[RecordBlock] = []
    pad = fmt.pad_byte()
    for block in iter_records(path, fmt, chunk_records):
        stats.records_in += len(block)
        kind = spec.classify(block)
        unknown = kind < 0
        if unknown.any():
            i = int(np.argmax(unknown))
            if errors == "strict":
                sel = block.data[i, spec.offset:spec.offset + spec.length].tobytes()
                raise RecordError(f"no layout for record type X'{sel.hex().upper()}'", file=str(path),
                                  record=block.record_number(i), offset=int(block.file_offsets[i]),
                                  hint=f"known types: {', '.join(k.hex().upper() for k in spec.keys)}")
            rejects.append(block.take(unknown))
            stats.rejected += int(unknown.sum())
        numbers = block.first_record + np.arange(len(block), dtype=np.int64)
        for index, name in enumerate(names):
            rows = np.flatnonzero(kind == index)
            if len(rows) == 0:
                continue
            layout = spec.layouts[name]
            sub = block.take(rows)
            if sub.width > layout.record_length and fmt.fixed:   # a shorter layout of the file
                sub = RecordBlock(np.ascontiguousarray(sub.data[:, :layout.record_length]),
                                  np.minimum(sub.lengths, layout.record_length), sub.file_offsets,
                                  sub.first_record, sub.source)
            result = decode_block(sub, codecs[name], errors=errors, keep_raw=keep_raw, file=str(path),
                                  line_sequential=fmt.line_sequential, pad=pad)
            frame = result.frame.with_columns(pl.Series(RECORD_NO, numbers[rows]))
            if len(result.rejected):
                stats.rejected += len(result.rejected)
                rejects.append(sub.take(np.asarray(result.rejected)))
                keep = np.ones(len(rows), bool)
                keep[np.asarray(result.rejected)] = False
                if len(frame) == len(rows):
                    frame = frame.filter(pl.Series(keep))
            parts[name].append(frame)
    if reject_path is not None:
        write_records(reject_path, rejects, fmt)
    out = {}
    for name in names:
        if parts[name]:
            out[name] = pl.concat(parts[name], how="vertical")
        else:
            empty = codecs[name].decode(RecordBlock.from_array(
                np.zeros((0, spec.layouts[name].record_length), np.uint8)), keep_raw=keep_raw).frame
            out[name] = empty.with_columns(pl.Series(RECORD_NO, [], dtype=pl.Int64))
    return out


def encode_multilayout(frames: dict[str, pl.DataFrame], spec: MultiLayout, *, encoding="ascii",
                       dialect=None, fmt: RecordFormat | None = None) -> RecordBlock:
    """All records, in "__record_no__" order (frames without it follow in spec order)."""
    blocks, numbers = [], []
    base = 0
    for name, frame in frames.items():
        if name not in spec.layouts:
            raise DensanError(f"no layout called {name!r} in this multi-layout file",
                              hint=f"layouts: {', '.join(spec.layouts)}")
        codec = make_codec(spec.layouts[name], encoding, dialect)
        frame_raw = frame
        if RECORD_NO in frame.columns:
            no = frame[RECORD_NO].to_numpy().astype(np.int64)
            frame = frame.drop(RECORD_NO)
        else:
            no = np.arange(len(frame), dtype=np.int64) + 10**15 + base
        base += len(frame)
        data = codec.encode(frame)
        block = data if isinstance(data, RecordBlock) else RecordBlock.from_array(data)
        if fmt is not None:
            block = restore_lengths(block, frame_raw, fmt, codec.cp.space)
        blocks.append(block)
        numbers.append(no)
    merged = RecordBlock.concat(blocks)
    order = np.argsort(np.concatenate(numbers) if numbers else np.zeros(0, np.int64), kind="stable")
    merged = merged.take(order)
    merged.first_record = 1
    return merged


def write_multilayout(frames: dict[str, pl.DataFrame], path, spec: MultiLayout, *, encoding="ascii",
                      recfm="F", lrecl=None, dialect=None, **fmt_options) -> int:
    """Write the frames of a multi-layout file back as one dataset (atomically)."""
    fmt = record_format(spec, recfm, lrecl, **fmt_options)      # LRECL: the longest layout
    block = encode_multilayout(frames, spec, encoding=encoding, dialect=dialect, fmt=fmt)
    if fmt.fixed and len(block) and not (block.lengths == fmt.lrecl).all():
        raise RecordError(f"the layouts are not all {fmt.lrecl} bytes long; write RECFM=V/VB",
                          file=str(path))
    with AtomicOutput(Path(path)) as temp:
        return write_records(temp, block, fmt)
