"""DFSORT across partitions: a sample sort built on engine.sort (no second sort).

1. The inputs are cut into record ranges (engine.cluster.partitioning).
2. A sample of records is taken from every range, run through INCLUDE/OMIT and INREC
   and keyed exactly as the sort keys them (engine.sort.keys.normalised_keys); the
   sorted sample gives B-1 range boundaries.
3. Scatter, one task per input range: INCLUDE/OMIT and INREC over the range, then each
   record to the bucket of its key, one bucket file per (range, bucket). With SUM, equal
   keys share a bucket (a key equal to a boundary always goes the same way); without it,
   the key is followed by the record's place in the input, so a heavy key is spread over
   buckets and still comes out in input order (EQUALS).
4. One task per bucket: its files in input order, run through the rest of the control
   statements (SORT — stable, so EQUALS order holds — SUM, OUTREC, OUTFIL) by
   engine.sort's run_control; each output written in its final format.
5. The outputs of the buckets concatenated in key order.

What depends on a record's position in the whole input or output (SKIPREC, STOPAFT,
SEQNUM, OUTFIL STARTREC/ENDREC) and MERGE are run locally instead (`why_local`).
"""
from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import numpy as np

from engine.cluster.executor import Executor, Task
from engine.cluster.partitioning import ByteRange, record_ranges, read_range
from engine.errors import DensanError
from engine.records import RecordBlock, RecordFormat, write_records

SAMPLE_PER_RANGE = 512


def why_local(control) -> str | None:
    """Why these statements cannot be split across partitions (None: they can)."""
    if control.mode == "merge":
        return "MERGE (the inputs are merged as they are)"
    if control.skiprec:
        return "SKIPREC counts records of the whole input"
    if control.stopaft is not None:
        return "STOPAFT counts records of the whole input"
    reformats = [control.inrec, control.outrec] + [o.reformat for o in control.outfils]
    if any(r is not None and any(i.kind == "seqnum" for i in r.items) for r in reformats):
        return "SEQNUM numbers records of the whole output"
    if any(o.startrec is not None or o.endrec is not None for o in control.outfils):
        return "OUTFIL STARTREC/ENDREC count records of the whole output"
    return None


def _pre(control):
    """INCLUDE/OMIT and INREC only: what the scatter does to each range."""
    return dataclasses.replace(control, mode="copy", keys=[], sum=None, outrec=None, outfils=[],
                               skiprec=0, stopaft=None, nullout_rc=0)


def _post(control):
    """Everything after INREC: what each bucket does."""
    return dataclasses.replace(control, cond=None, inrec=None, skiprec=0, stopaft=None)


def _keys_of(control, block: RecordBlock, encoding: str, recfm: str) -> np.ndarray:
    from engine.sort.batch import CodePageInfo
    from engine.sort.keys import normalised_keys
    from engine.sort.plan import gather
    variable = recfm.upper() in ("V", "VB")
    batch, sources, _ = gather([block], variable, [block.source or "SORTIN"],
                               fixed=recfm.upper() in ("F", "FB"))
    return normalised_keys(batch, control.keys, CodePageInfo(encoding), sources)


def _as_strings(keys: np.ndarray) -> np.ndarray:
    k = keys.shape[1]
    return np.ascontiguousarray(keys).view(f"S{k}").ravel() if k else np.zeros(len(keys), "S1")


def _pre_block(text: str, block: RecordBlock, encoding: str, recfm: str) -> tuple[RecordBlock, int]:
    from engine.sort.plan import run_control
    from engine.sort.statements import compile_statements
    control = compile_statements(text)
    result = run_control(_pre(control), [block], codepage=encoding, recfm=recfm,
                         names=[block.source or "SORTIN"])
    return result.outputs["SORTOUT"], result.counts["deleted"]


# ------------------------------------------------------------------ tasks (run on workers)
def _with_position(keys: np.ndarray, control, positions: np.ndarray) -> np.ndarray:
    """Without SUM, equal keys may fall into two buckets: the record's place in the input
    (8 bytes, big-endian) after its key keeps EQUALS order across the cut, so one heavy
    key cannot make one bucket hold most of the file."""
    if control.sum is not None:
        return keys
    pos = np.asarray(positions, ">u8").view(np.uint8).reshape(-1, 8)
    return np.ascontiguousarray(np.concatenate([keys, pos], axis=1))


def sample_task(text: str, r: ByteRange, fmt: RecordFormat, encoding: str, base: int = 0) -> np.ndarray:
    """Sorted-key bytes of up to SAMPLE_PER_RANGE records of the range, evenly spaced;
    base: the records of the inputs before this range."""
    from engine.sort.statements import compile_statements
    if fmt.fixed and r.records > SAMPLE_PER_RANGE:       # only the sampled records are read
        rows = np.linspace(0, r.records - 1, SAMPLE_PER_RANGE).astype(np.int64)
        mapped = np.memmap(r.path, np.uint8, "r", offset=r.start, shape=(r.records, fmt.lrecl))
        block = RecordBlock(np.array(mapped[rows]), np.full(len(rows), fmt.lrecl, np.int32),
                            r.start + rows * fmt.lrecl, r.first_record, r.path)
        del mapped
    else:
        block = read_range(r, fmt)
        if len(block) > SAMPLE_PER_RANGE:
            rows = np.linspace(0, len(block) - 1, SAMPLE_PER_RANGE).astype(np.int64)
            block = block.take(rows)
    kept, _ = _pre_block(text, block, encoding, fmt.recfm)
    control = compile_statements(text)
    spread = np.linspace(0, max(r.records - 1, 0), len(kept)).astype(np.int64)
    return _with_position(_keys_of(control, kept, encoding, fmt.recfm), control, base + spread)


def scatter_task(text: str, r: ByteRange, fmt: RecordFormat, encoding: str, bounds: np.ndarray,
                 work: str, index: int, base: int = 0) -> dict:
    """INCLUDE/OMIT + INREC over the range, each record to its bucket's file."""
    from engine.sort.statements import compile_statements
    block = read_range(r, fmt)
    n_in = len(block)
    try:
        kept, deleted = _pre_block(text, block, encoding, fmt.recfm)
        control = compile_statements(text)
        keys = _as_strings(_with_position(_keys_of(control, kept, encoding, fmt.recfm), control,
                                          base + np.arange(len(kept))))
    except DensanError as exc:
        return {"error": exc}
    bucket = np.searchsorted(bounds, keys, side="right") if len(bounds) else np.zeros(len(keys), np.int64)
    files = []
    for b in range(len(bounds) + 1):
        rows = np.flatnonzero(bucket == b)
        path = Path(work) / f"scatter-{index:05d}-bucket-{b:05d}.npz"
        _save(path, kept.data[rows], kept.lengths[rows])
        files.append(str(path))
    return {"in": n_in, "deleted": deleted, "files": files}


def bucket_task(text: str, pieces: list[str], encoding: str, recfm: str, outputs: dict,
                work: str, index: int, whole: ByteRange | None = None, fmt: RecordFormat | None = None
                ) -> dict:
    """The rest of the statements over one bucket (or, for COPY, all of them over one range);
    each output written to its part file in its final format."""
    from engine.sort.plan import run_control
    from engine.sort.program import fit_lrecl
    from engine.sort.statements import compile_statements
    control = compile_statements(text)
    if whole is not None:                         # COPY: the range itself, every statement
        block = read_range(whole, fmt)
        todo = control
    else:
        parts = [_load(p) for p in pieces]
        data = _stack([p[0] for p in parts])
        lengths = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.int32)
        block = RecordBlock(data, lengths.astype(np.int32),
                            np.zeros(len(lengths), np.int64), 1, f"bucket {index + 1}")
        todo = _post(control)
    messages: list[str] = []
    try:
        result = run_control(todo, [block], codepage=encoding, recfm=recfm,
                             names=[block.source or "SORTIN"])
        rc = result.rc
        written = {}
        for name, out in result.outputs.items():
            if name not in outputs:
                continue
            lrecl, out_recfm = outputs[name]
            out, fit_rc = fit_lrecl(out, lrecl, out_recfm, control, name, messages.append)
            rc = max(rc, fit_rc)
            path = Path(work) / f"out-{index:05d}-{name}.part"
            tmp = path.with_suffix(".tmp")
            write_records(tmp, out, RecordFormat(recfm=out_recfm, lrecl=lrecl))
            os.replace(tmp, path)
            written[name] = (str(path), len(out))
    except DensanError as exc:
        return {"error": exc}
    return {"rc": rc, "counts": result.counts, "messages": result.messages[2:] + messages,
            "written": written}


def _save(path: Path, data: np.ndarray, lengths: np.ndarray) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, np.ascontiguousarray(data))
        np.save(fh, np.asarray(lengths, np.int32))
    os.replace(tmp, path)


def _load(path: str) -> tuple[np.ndarray, np.ndarray]:
    with open(path, "rb") as fh:
        return np.load(fh), np.load(fh)


def _stack(arrays: list[np.ndarray]) -> np.ndarray:
    arrays = [a for a in arrays if a.ndim == 2]
    if not arrays:
        return np.zeros((0, 0), np.uint8)
    width = max(a.shape[1] for a in arrays)
    if all(a.shape[1] == width for a in arrays):
        return np.concatenate(arrays) if len(arrays) > 1 else arrays[0]
    out = np.zeros((sum(len(a) for a in arrays), width), np.uint8)
    row = 0
    for a in arrays:
        out[row:row + len(a), :a.shape[1]] = a
        row += len(a)
    return out


# ------------------------------------------------------------------ the driver
def boundaries(samples: list[np.ndarray], buckets: int) -> np.ndarray:
    """B-1 distinct boundary keys from the pooled sample (as fixed-width byte strings)."""
    keys = [s for s in samples if len(s)]
    if not keys or buckets <= 1 or keys[0].shape[1] == 0:
        return np.zeros(0, "S1")
    pooled = np.sort(_as_strings(np.concatenate(keys)))
    picks = pooled[(np.arange(1, buckets) * len(pooled)) // buckets]
    return np.unique(picks)


def distributed_sort(text: str, inputs: list, fmt: RecordFormat, encoding: str, outputs: dict,
                     executor: Executor, work: Path, target_bytes: int, run_tasks) -> dict:
    """Sort/copy `inputs` (paths, concatenated) on the executor. outputs: name -> (lrecl,
    recfm) of each output DD. run_tasks(phase, tasks) runs a list of Tasks (the caller's
    ledger, log and progress) and returns their values. Returns {"files": name -> part
    files in order, "counts", "rc", "messages"}, or {"error": exc} for the first data
    error (in input order)."""
    from engine.sort.statements import compile_statements
    control = compile_statements(text)
    ranges = [r for p in inputs for r in record_ranges(p, fmt, target_bytes)]
    work = Path(work)
    if control.mode == "copy":
        tasks = [Task(i, f"copy-{i:05d}", bucket_task,
                      (text, [], encoding, fmt.recfm, outputs, str(work), i, r, fmt), r.describe())
                 for i, r in enumerate(ranges)]
        results = run_tasks("COPY", tasks)
        scattered = {"in": sum(int(x.get("counts", {}).get("in", 0)) for x in results), "deleted": 0}
    else:
        bases = np.cumsum([0] + [r.records for r in ranges])       # records before each range
        samples = run_tasks("SAMPLE", [Task(i, f"sample-{i:05d}", sample_task,
                                            (text, r, fmt, encoding, int(bases[i])), r.describe())
                                       for i, r in enumerate(ranges)])
        bounds = boundaries(samples, len(ranges))
        scatters = run_tasks("SCATTER", [Task(i, f"scatter-{i:05d}", scatter_task,
                                              (text, r, fmt, encoding, bounds, str(work), i, int(bases[i])),
                                              r.describe())
                                         for i, r in enumerate(ranges)])
        errors = [s["error"] for s in scatters if "error" in s]
        if errors:
            return {"error": errors[0]}
        buckets = len(bounds) + 1
        tasks = [Task(b, f"bucket-{b:05d}", bucket_task,
                      (text, [s["files"][b] for s in scatters], encoding, fmt.recfm, outputs, str(work), b),
                      f"KEY RANGE {b + 1} OF {buckets}") for b in range(buckets)]
        results = run_tasks("SORT", tasks)
        scattered = {"in": sum(s["in"] for s in scatters), "deleted": sum(s["deleted"] for s in scatters)}
    errors = [x["error"] for x in results if "error" in x]
    if errors:
        return {"error": errors[0]}
    return _combine(control, results, scattered)


_OVERFLOW = re.compile(r"ICE152I 0 OVERFLOW DURING SUMMATION - (\d+) KEY")
_OUTFIL = re.compile(r"ICE227I 0 (\S+)\s*: DELETED = (\d+), REPORT = 0, DATA = (\d+)")


def _combine(control, results: list[dict], scattered: dict) -> dict:
    """The messages and counts the local run gives, from the buckets' own."""
    files: dict[str, list[str]] = {}
    written: dict[str, int] = {}
    overflow, outfil, other = 0, {}, []
    rc = 0
    out = deleted = 0
    for x in results:
        rc = max(rc, x["rc"])
        out += x["counts"]["out"]
        deleted += x["counts"]["deleted"]
        for name, (path, n) in x["written"].items():
            files.setdefault(name, []).append(path)
            written[name] = written.get(name, 0) + n
        for m in x["messages"]:
            if (g := _OVERFLOW.match(m)):
                overflow += int(g.group(1))
            elif (g := _OUTFIL.match(m)):
                d = outfil.setdefault(g.group(1), [0, 0])
                d[0] += int(g.group(2))
                d[1] += int(g.group(3))
            elif m not in other:
                other.append(m)
    messages = []
    if overflow:
        messages.append(f"ICE152I 0 OVERFLOW DURING SUMMATION - {overflow} KEY(S) LEFT UNSUMMED, RC=4")
    for name, (d, n) in outfil.items():
        messages.append(f"ICE227I 0 {name:<8} : DELETED = {d}, REPORT = 0, DATA = {n}")
    messages += other
    n_in = scattered["in"]
    deleted += scattered["deleted"]
    if control.nullout_rc and written.get("SORTOUT", 0) == 0 and "SORTOUT" in files:
        messages.append(f"ICE173I 0 SORTOUT IS EMPTY, RC={control.nullout_rc}")
        rc = max(rc, control.nullout_rc)
    messages.append(f"ICE054I 0 RECORDS - IN: {n_in}, OUT: {out}")
    messages.append(f"ICE055I 0 INSERT: 0, DELETE: {deleted}")
    return {"files": files, "written": written, "rc": rc, "messages": messages, "in": n_in}
