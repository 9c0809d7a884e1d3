"""INREC / OUTREC / OUTFIL reformatting: BUILD (FIELDS) and OVERLAY, a column copy per item.

BUILD makes a new record from its items left to right; `c:` skips to column c filling
with blanks; `p` without a length copies from p to the end of the record (the variable
part of a V record; must be the last item). OVERLAY changes only the named columns and
extends the record (with blanks) when an item reaches past its end. Fields named in
OVERLAY items are taken from the record as it was before the overlay.
For V records the RDW (1-4) must come first in BUILD (`1,4,…`) and OVERLAY may not
touch it; the RDW length is recomputed. SEQNUM counts the records as they pass; ZD
sequence numbers are unsigned (F zone in EBCDIC), PD ones C-signed; a number that no
longer fits wraps around to zero [U].
"""
from __future__ import annotations

import numpy as np

from engine.errors import SortStatementError
from engine.sort import formats
from engine.sort.keys import field_block
from engine.sort.batch import Batch, CodePageInfo, Sources, set_rdw
from engine.sort.model import Field, Item, Reformat


def _fail(ref: Reformat, item: Item, message: str, hint: str | None = None):
    raise SortStatementError(f"{ref.where} (line {item.line} column {item.col}): {message}", hint=hint)


def _seqnum(item: Item, n: int, ebcdic: bool) -> np.ndarray:
    values = item.start + item.incr * np.arange(n, dtype=np.int64)
    if item.fmt in ("ZD", "PD"):
        values %= np.int64(10 ** min(18, formats.ndigits(item.fmt, item.length)))
    elif item.length < 8:
        values %= np.int64(1 << (8 * item.length - (1 if item.fmt == "FI" else 0)))
    return formats.encode(values, item.fmt, item.length, ebcdic,
                          positive_sign=0xF if item.fmt == "ZD" else 0xC)


def _pieces(ref: Reformat, batch: Batch, cp: CodePageInfo, sources: Sources, variable: bool):
    """[(start column, (n, w) array or bytes, tail_from or None)] in output order."""
    n = len(batch)
    pieces, cursor = [], 1
    for k, item in enumerate(ref.items):
        col = item.column if item.column is not None else (cursor if ref.mode == "build" or k else 1)
        if ref.mode == "build" and col < cursor:
            _fail(ref, item, f"column {col} is before the end of the previous item (column {cursor})",
                  hint="columns in BUILD must increase; use OVERLAY to change columns in place")
        if item.kind == "field":
            if item.length is None:
                if k != len(ref.items) - 1:
                    _fail(ref, item, f"'{item.pos}' (to the end of the record) must be the last item")
                pieces.append((col, None, item.pos))
                continue
            value = field_block(batch, Field(item.pos, item.length, "CH", item.line, item.col), sources,
                                ref.where)
        elif item.kind == "const":
            raw = cp.encode(item.value.value) if item.value.kind == "C" else item.value.value
            value = raw
        elif item.kind == "blank":
            value = bytes([cp.space]) * item.count
        elif item.kind == "zero":
            value = b"\x00" * item.count
        else:
            value = _seqnum(item, n, cp.is_ebcdic)
        width = len(value) if isinstance(value, bytes) else value.shape[1]
        if width == 0:
            _fail(ref, item, "an empty constant")
        pieces.append((col, value, None))
        cursor = col + width
    return pieces


def reformat(ref: Reformat, batch: Batch, cp: CodePageInfo, sources: Sources, variable: bool) -> Batch:
    n = len(batch)
    pieces = _pieces(ref, batch, cp, sources, variable)
    fixed_end = max((c + (len(v) if isinstance(v, bytes) else v.shape[1]) - 1
                     for c, v, _ in pieces if v is not None), default=0)
    tail = next(((c, p) for c, v, p in pieces if v is None), None)
    if variable:
        first = ref.items[0]
        if ref.mode == "build" and not (pieces[0][0] == 1 and first.kind == "field"
                                        and first.pos == 1 and (first.length or 99) >= 4):
            _fail(ref, first, "a BUILD for variable-length records must begin with 1,4 (the RDW)",
                  hint="write BUILD=(1,4,...) and count data positions from 5")
        if ref.mode == "overlay" and min(c for c, _, _ in pieces) < 5:
            _fail(ref, first, "OVERLAY may not change columns 1-4 (the RDW) of variable-length records")

    if ref.mode == "build":
        if tail is not None:
            tcol, tpos = tail
            tail_len = np.clip(batch.lengths - (tpos - 1), 0, None)
            width = max(fixed_end, tcol - 1 + (int(tail_len.max()) if n else 0))
            lengths = (tcol - 1 + tail_len).astype(np.int64)
        else:
            width = fixed_end
            lengths = np.full(n, width, np.int64)
        out = np.full((n, width), cp.space, np.uint8)
        for col, value, tpos in pieces:
            if value is None:
                seg = batch.data[:, tpos - 1:]
                out[:, col - 1:col - 1 + seg.shape[1]] = seg[:, :width - col + 1]
                continue
            w = len(value) if isinstance(value, bytes) else value.shape[1]
            out[:, col - 1:col - 1 + w] = np.frombuffer(value, np.uint8) if isinstance(value, bytes) else value
        if tail is not None and n:
            # bytes past a record's own end are not part of it; keep them blank
            beyond = np.arange(width)[None, :] >= lengths[:, None]
            out[beyond] = cp.space
    else:
        width = max(batch.width, fixed_end)
        out = np.full((n, width), cp.space, np.uint8)
        out[:, :batch.width] = batch.data
        if variable:
            # a short record keeps its own bytes; the overlay may lengthen it
            beyond = np.arange(width)[None, :] >= batch.lengths[:, None]
            out[beyond] = cp.space
            lengths = np.maximum(batch.lengths, fixed_end).astype(np.int64)
        else:
            lengths = np.full(n, width, np.int64)
        for col, value, _ in pieces:
            w = len(value) if isinstance(value, bytes) else value.shape[1]
            out[:, col - 1:col - 1 + w] = np.frombuffer(value, np.uint8) if isinstance(value, bytes) else value
    if variable:
        set_rdw(out, lengths)
    return Batch(out, lengths, batch.origin, batch.variable)
