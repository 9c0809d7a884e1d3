"""Run a compiled Control over records, in DFSORT's order:
SKIPREC -> INCLUDE/OMIT -> STOPAFT -> INREC -> SORT/MERGE/COPY -> SUM -> OUTREC -> OUTFIL.

Every step works on whole columns. SORT normalises the control fields into one byte key
per record (keys.py) and sorts it stably (keys.sort_order: NumPy, measured faster than
Polars here), so the result is the one DFSORT gives under EQUALS and one it may give
under NOEQUALS.
MERGE checks that each input is in order (the host's ICE068A otherwise) and merges by
the same stable sort, earlier inputs first among equal keys.

SUM keeps the first record of each run of equal keys (as under EQUALS) and writes the
totals into its summary fields, keeping each field's sign style. When a total does not
fit its field, the host keeps the two records whose addition overflowed and carries on;
densan leaves every record of that key unsummed instead [U], says so and ends with RC 4.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.errors import RecordError, SortStatementError
from engine.sort import formats
from engine.sort.conditions import condition_mask
from engine.sort.keys import compare_rows, field_block, check_numeric, group_starts, normalised_keys, sort_order
from engine.sort.batch import Batch, CodePageInfo, RecordBlock, Sources, to_block, with_rdw
from engine.sort.reformat import reformat
from engine.sort.model import Control
from engine.sort.statements import compile_statements


@dataclass
class SortResult:
    outputs: dict[str, RecordBlock]
    rc: int = 0
    counts: dict = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def _as_block(item, variable: bool) -> tuple[np.ndarray, np.ndarray, int, np.ndarray | None, str | None]:
    if isinstance(item, np.ndarray):
        data = item
        if data.ndim != 2 or data.dtype != np.uint8:
            raise TypeError("an input array must be 2-D uint8 (records x record length)")
        return data, np.full(len(data), data.shape[1], np.int64), 1, None, None
    return (np.asarray(item.data, np.uint8), np.asarray(item.lengths, np.int64),
            int(getattr(item, "first_record", 1)), getattr(item, "file_offsets", None),
            getattr(item, "source", None))


def gather(inputs: list, variable: bool, names: list[str] | None = None, fixed: bool = True) -> tuple[Batch, Sources, np.ndarray]:
    """All inputs as one Batch (V: with RDWs), their sources, and the start row of each input."""
    sources = Sources()
    parts, start, starts = [], 0, []
    for k, item in enumerate(inputs):
        data, lengths, first, offsets, source = _as_block(item, variable)
        name = (names[k] if names and k < len(names) else None) or source or f"input {k + 1}"
        sources.add(name, start, first, offsets)
        if variable:
            data = with_rdw(data, lengths)
            lengths = lengths + 4
        elif fixed and len(data) and (lengths != data.shape[1]).any():
            row = int(np.argmax(lengths != data.shape[1]))
            raise RecordError(f"a fixed-length input has a record of {int(lengths[row])} bytes, "
                              f"not {data.shape[1]}", file=name, record=first + row,
                              hint="use RECFM V for variable-length records")
        parts.append((data, lengths))
        starts.append(start)
        start += len(data)
    if not parts:
        raise SortStatementError("no input datasets", hint="give SORTIN (or SORTIN01... for MERGE)")
    widths = {p[0].shape[1] for p in parts}
    if fixed and len(widths) > 1:
        w0 = parts[0][0].shape[1]
        k = next(i for i, p in enumerate(parts) if p[0].shape[1] != w0)
        raise RecordError(f"the record length {parts[k][0].shape[1]} differs from the first input's {w0}",
                          file=sources.names[k],
                          hint="concatenated fixed-length inputs must have the same LRECL")
    if len(parts) == 1:
        data, lengths = parts[0]
        data = np.ascontiguousarray(data)
    else:
        width = max(widths)
        data = np.zeros((start, width), np.uint8)
        for (d, _), s in zip(parts, starts):
            data[s:s + len(d), :d.shape[1]] = d
        lengths = np.concatenate([p[1] for p in parts])
    batch = Batch(data, lengths.astype(np.int64), np.arange(start, dtype=np.int64), variable)
    return batch, sources, np.asarray(starts)


def _check_merge_order(keys: np.ndarray, batch: Batch, starts: np.ndarray, sources: Sources) -> None:
    if len(keys) < 2:
        return
    which = np.searchsorted(starts, batch.origin, side="right") - 1
    down = compare_rows(keys[1:], keys[:-1]) < 0
    down &= which[1:] == which[:-1]
    if down.any():
        row = int(np.argmax(down)) + 1
        raise sources.error("ICE068A OUT OF SEQUENCE: MERGE input is not in the order of the MERGE "
                            "FIELDS", batch, row,
                            hint="sort each input first, or use SORT instead of MERGE")


def _sum(control: Control, batch: Batch, keys: np.ndarray, cp: CodePageInfo, sources: Sources,
         messages: list[str]) -> tuple[Batch, int]:
    starts = group_starts(keys)
    n = len(batch)
    if not control.sum or n == 0:
        return batch.take(starts), 0
    group_of = np.zeros(n, np.int64)
    group_of[starts[1:]] = 1
    group_of = np.cumsum(group_of)
    overflow = np.zeros(len(starts), bool)
    totals = []
    for f in control.sum:
        block = field_block(batch, f, sources, "SUM FIELDS")
        if f.fmt == "BI" and f.length == 8 and (block[:, 0] >= 0x80).any():
            row = int(np.argmax(block[:, 0] >= 0x80))
            raise sources.error("SUM FIELDS: an 8-byte BI value above 2**63-1 cannot be summed here",
                                batch, row, field=str(f))
        values, bad = formats.field_values(block, f.fmt, cp.is_ebcdic)
        check_numeric(batch, block, bad, f, sources, "SUM FIELDS")
        hi = values // np.int64(10 ** 9)
        lo = values - hi * np.int64(10 ** 9)
        hi_sum = np.add.reduceat(hi, starts)
        lo_sum = np.add.reduceat(lo, starts)
        hi_sum += lo_sum // np.int64(10 ** 9)
        lo_sum %= np.int64(10 ** 9)
        big = (hi_sum >= 9 * 10 ** 9) | (hi_sum < -9 * 10 ** 9)
        total = np.where(big, 0, hi_sum) * np.int64(10 ** 9) + lo_sum
        overflow |= big | ~formats.fits(total, f.fmt, f.length)
        totals.append(total)
    keep = np.zeros(n, bool)
    keep[starts] = True
    keep |= overflow[group_of]
    rows = np.flatnonzero(keep)
    out = batch.take(rows)
    sizes = np.diff(np.append(starts, n))
    summed_groups = ~overflow & (sizes > 1)     # a lone record is left as it is
    target = np.flatnonzero(summed_groups[group_of[rows]] & np.isin(rows, starts))
    groups = group_of[rows[target]]
    for f, total in zip(control.sum, totals):
        cols = slice(f.pos - 1, f.pos - 1 + f.length)
        old = out.data[target, cols]
        out.data[target, cols] = formats.encode(total[groups], f.fmt, f.length, cp.is_ebcdic, template=old)
    if overflow.any():
        messages.append(f"ICE152I 0 OVERFLOW DURING SUMMATION - {int(overflow.sum())} KEY(S) LEFT "
                        "UNSUMMED, RC=4")
    return out, int(overflow.sum())


def _outfils(control: Control, batch: Batch, cp: CodePageInfo, sources: Sources, variable: bool,
             outputs: dict, counts: dict, messages: list[str]) -> None:
    n = len(batch)
    chosen_any = np.zeros(n, bool)
    masks = []
    for of in control.outfils:
        if of.save:
            masks.append(None)
            continue
        mask = np.ones(n, bool)
        position = np.arange(1, n + 1)
        if of.startrec is not None:
            mask &= position >= of.startrec
        if of.endrec is not None:
            mask &= position <= of.endrec
        if of.cond is not None:
            mask &= condition_mask(of.cond, batch, cp, sources, f"OUTFIL {of.fnames[0]}")
        chosen_any |= mask
        masks.append(mask)
    for of, mask in zip(control.outfils, masks):
        if mask is None:
            mask = ~chosen_any
        part = batch if mask.all() else batch.take(np.flatnonzero(mask))
        if of.reformat is not None:
            part = reformat(of.reformat, part, cp, sources, variable)
        for name in of.fnames:
            outputs[name] = to_block(part, variable, name)
            counts[name] = len(part)
            messages.append(f"ICE227I 0 {name:<8} : DELETED = {n - len(part)}, REPORT = 0, "
                            f"DATA = {len(part)}")


def run_control(control: Control, inputs: list, *, codepage: str = "ascii", recfm: str = "F",
                names: list[str] | None = None) -> SortResult:
    cp = CodePageInfo(codepage)
    variable = recfm.upper() in ("V", "VB")
    batch, sources, starts = gather(inputs, variable, names, fixed=recfm.upper() in ("F", "FB"))
    messages: list[str] = []
    counts = {"in": len(batch)}
    rc = 0

    if control.skiprec:
        z = min(control.skiprec, len(batch))
        batch = Batch(batch.data[z:], batch.lengths[z:], batch.origin[z:], variable)
    counts["skipped"] = counts["in"] - len(batch)
    if control.cond is not None:
        what = "OMIT COND" if control.cond.omit else "INCLUDE COND"
        mask = condition_mask(control.cond, batch, cp, sources, what)
        if not mask.all():
            batch = batch.take(np.flatnonzero(mask))
    counts["deleted"] = counts["in"] - counts["skipped"] - len(batch)
    if control.stopaft is not None and control.stopaft < len(batch):
        batch = Batch(batch.data[:control.stopaft], batch.lengths[:control.stopaft],
                      batch.origin[:control.stopaft], variable)
    counts["accepted"] = len(batch)
    if control.inrec is not None:
        batch = reformat(control.inrec, batch, cp, sources, variable)

    keys = None
    if control.mode in ("sort", "merge"):
        keys = normalised_keys(batch, control.keys, cp, sources,
                               "SORT FIELDS" if control.mode == "sort" else "MERGE FIELDS")
        if control.mode == "merge":
            _check_merge_order(keys, batch, starts, sources)
        order = sort_order(keys)
        batch = batch.take(order)
        if control.sum is not None:
            keys = np.take(keys, order, axis=0)
    if control.sum is not None:
        before = len(batch)
        batch, overflowed = _sum(control, batch, keys, cp, sources, messages)
        counts["deleted"] += before - len(batch)
        if overflowed:
            rc = 4
    if control.outrec is not None:
        batch = reformat(control.outrec, batch, cp, sources, variable)

    outputs: dict[str, RecordBlock] = {}
    if control.outfils:
        _outfils(control, batch, cp, sources, variable, outputs, counts, messages)
    if "SORTOUT" not in outputs:
        outputs["SORTOUT"] = to_block(batch, variable, "SORTOUT")
    counts["out"] = len(batch)
    messages.insert(0, f"ICE054I 0 RECORDS - IN: {counts['in']}, OUT: {counts['out']}")
    messages.insert(1, f"ICE055I 0 INSERT: 0, DELETE: {counts['deleted']}")
    return SortResult(outputs, rc, counts, messages)


def sort_records(statements: str, inputs: list, *, codepage: str = "ascii", recfm: str = "F",
                 dialect=None, names: list[str] | None = None) -> SortResult:
    """Run DFSORT control statements over records in memory.

    inputs: RecordBlocks or (n, width) uint8 arrays — concatenated for SORT/COPY, the
    pre-sorted SORTINnn inputs for MERGE. V records: RecordBlock data without the RDW
    (positions still count it: data starts at 5). Raises SortStatementError for bad
    statements and RecordError for bad data (invalid ZD/PD: the host's S0C7); the job
    step turns both into RC 16. `dialect` is accepted for symmetry with the codec: ZD
    signs of both ASCII conventions are read, whichever wrote the data.
    """
    control = compile_statements(statements)
    if control.mode == "merge" and control.stopaft is not None:
        raise SortStatementError("STOPAFT cannot be used with MERGE",
                                 hint="use OUTFIL ENDREC= to limit the merged output")
    return run_control(control, inputs, codepage=codepage, recfm=recfm, names=names)
