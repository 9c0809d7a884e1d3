"""The SORT job step (`program: SORT`, also ICEMAN, DFSORT, SYNCSORT) and the file-level
driver shared with `densan sort`.

DDs: SYSIN (the control statements, inline or a file); SORTIN (a concatenation) for SORT
and COPY, SORTIN01…SORTIN99 for MERGE; SORTOUT and every OUTFIL FNAMES name as outputs.
The code page and RECFM/LRECL come from the input DD; SORTOUT defaults to the input's.
A fixed output whose LRECL differs from the records is padded with X'00' or truncated
(OPTION PAD=/TRUNC= give the return code, RC0 by default as IBM ships DFSORT).
Return codes: 0, 4 (SUM overflow, PAD/TRUNC/NULLOUT=RC4), 16 (statement or data error;
the message goes to the job log like DFSORT's ICE…A messages).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from engine.errors import DensanError, RecordError, SortStatementError
from engine.records import RecordBlock, RecordFormat, read_records
from engine.sort.plan import SortResult, run_control
from engine.sort.model import Control
from engine.sort.statements import compile_statements

VARIABLE = ("V", "VB")


def fit_lrecl(block: RecordBlock, lrecl: int | None, recfm: str, control: Control, name: str,
              log: Callable[[str], None]) -> tuple[RecordBlock, int]:
    """Pad (X'00') or truncate records to an output DD's LRECL; returns the block and an RC."""
    if lrecl is None:
        return block, 0
    variable = recfm.upper() in VARIABLE
    limit = lrecl - 4 if variable else lrecl
    longest = int(block.lengths.max()) if len(block) else 0
    if variable:
        if longest <= limit:
            return block, 0
        return _truncate(block, limit, control, name, log, variable=True)
    if block.width == limit:
        return block, 0
    if block.width > limit:
        return _truncate(block, limit, control, name, log, variable=False)
    data = np.zeros((len(block), limit), np.uint8)
    data[:, :block.width] = block.data
    log(f"ICE171I 0 {name} LRECL OF {limit} IS LONGER THAN THE RECORDS ({block.width}) - "
        f"PADDED WITH X'00', RC={control.pad_rc}")
    if control.pad_rc == 16:
        raise SortStatementError(f"{name}: LRECL {limit} is longer than the records ({block.width}) "
                                 "and OPTION PAD=RC16 was given")
    return RecordBlock.from_array(data, source=block.source), control.pad_rc


def _truncate(block, limit, control, name, log, *, variable):
    if control.trunc_rc == 16:
        raise SortStatementError(f"{name}: the records are longer than its LRECL allows ({limit} data bytes) "
                                 "and OPTION TRUNC=RC16 was given",
                                 hint="raise the LRECL of the output, or shorten the records with OUTREC")
    log(f"ICE196I 0 {name} RECORDS TRUNCATED TO {limit} DATA BYTES, RC={control.trunc_rc}")
    lengths = np.minimum(block.lengths, limit)
    data = np.ascontiguousarray(block.data[:, :limit])
    if variable:
        return RecordBlock(data, lengths, block.file_offsets, 1, block.source), control.trunc_rc
    return RecordBlock.from_array(data, source=block.source), control.trunc_rc


def read_inputs(paths: list[Path], fmt: RecordFormat) -> list[RecordBlock]:
    return [read_records(p, fmt) for p in paths]


def execute(text: str, inputs: list[tuple[str, list[Path]]], *, encoding: str, recfm: str,
            lrecl: int | None, write: Callable[[str, RecordBlock], int],
            outputs: Callable[[str], bool], log: Callable[[str], None],
            out_lrecl: Callable[[str], tuple[int | None, str]],
            phase: Callable[[str], None] = lambda what: None) -> tuple[SortResult, int]:
    """Statements + input files -> written outputs; returns the result and the RC.

    inputs: (DD name, paths) — one entry (SORTIN) for SORT/COPY, SORTINnn for MERGE.
    write(name, block) writes an output; outputs(name) says whether that DD exists;
    out_lrecl(name) gives its (LRECL, RECFM); phase(what) is told as each input is
    read, when the sort is done and when the outputs are written (a progress bar).
    """
    control = compile_statements(text)
    if control.mode == "merge" and control.stopaft is not None:
        raise SortStatementError("STOPAFT cannot be used with MERGE",
                                 hint="use OUTFIL ENDREC= to limit the merged output")
    fmt = RecordFormat(recfm=recfm, lrecl=lrecl)
    blocks, names, read_counts = [], [], {}
    for name, paths in inputs:
        read_counts[name] = 0
        for p in paths:
            blocks.append(read_records(p, fmt))
            names.append(f"{name} {p}")
            read_counts[name] += len(blocks[-1])
            phase(f"read {name}")
    if not blocks:   # DUMMY input
        width = fmt.max_data_length or 0
        blocks, names = [np.zeros((0, width), np.uint8)], [inputs[0][0] if inputs else "SORTIN"]
        if recfm.upper() in VARIABLE:
            blocks = [RecordBlock(np.zeros((0, width), np.uint8), np.zeros(0, np.int32), np.zeros(0, np.int64))]
    result = run_control(control, blocks, codepage=encoding, recfm=fmt.recfm, names=names)
    phase(control.mode)
    result.counts["read"] = read_counts
    rc = result.rc
    for line in result.messages[2:]:
        log(line)
    outfil_names = {n for o in control.outfils for n in o.fnames}
    for name, block in result.outputs.items():
        if name == "SORTOUT" and "SORTOUT" not in outfil_names and not outputs("SORTOUT"):
            if control.outfils:
                continue
            raise SortStatementError("the SORTOUT DD is missing",
                                     hint="add a SORTOUT DD, or write the output with OUTFIL FNAMES=")
        if not outputs(name):
            raise SortStatementError(f"OUTFIL FNAMES={name}: there is no {name} DD",
                                     hint=f"add a {name} DD to the step")
        dd_lrecl, dd_recfm = out_lrecl(name)
        block, fit_rc = fit_lrecl(block, dd_lrecl, dd_recfm, control, name, log)
        rc = max(rc, fit_rc)
        write(name, block)
        if name == "SORTOUT" and len(block) == 0 and control.nullout_rc:
            log(f"ICE173I 0 SORTOUT IS EMPTY, RC={control.nullout_rc}")
            if control.nullout_rc == 16:
                raise SortStatementError("SORTOUT is empty and OPTION NULLOUT=RC16 was given")
            rc = max(rc, control.nullout_rc)
    phase("write")
    log(result.messages[0])
    log(result.messages[1])
    return result, rc


def _sysin_text(step) -> str:
    dd = step.dd("SYSIN")
    if dd.inline is not None:
        return dd.inline
    parts = []
    for p in dd.paths:
        try:
            parts.append(Path(p).read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise SortStatementError(f"SYSIN {p} is not text (UTF-8)",
                                     hint="control statements are text files") from None
    return "\n".join(parts)


def _input_dds(step, control_mode: str) -> list:
    if control_mode == "merge":
        dds = sorted((name for name in step.dds if len(name) == 8 and name.startswith("SORTIN")
                      and name[6:].isdigit()), key=lambda n: int(n[6:]))
        if not dds:
            raise SortStatementError("MERGE needs input DDs SORTIN01, SORTIN02, ...",
                                     hint="name the pre-sorted inputs SORTIN01 to SORTIN99")
        return [step.dd(n) for n in dds]
    return [step.dd("SORTIN")]


def run(step) -> int:
    """The job step: returns 0, 4 or 16 and logs ICE-style messages."""
    log = step.log
    try:
        text = _sysin_text(step)
        for line in text.splitlines():
            if line.strip():
                log(line.rstrip())
        mode = compile_statements(text).mode
        in_dds = _input_dds(step, mode)
        first = in_dds[0]
        recfm, lrecl, encoding = first.recfm, first.lrecl, first.encoding
        if lrecl is None and first.copybook and recfm in ("F", "FB"):
            from engine.records.dataset import resolve_layout
            lrecl = resolve_layout(first.copybook, dialect=first.dialect, encoding=encoding).record_length
        inputs = [(dd.name, [] if dd.dummy else list(dd.paths)) for dd in in_dds]

        def outputs(name: str) -> bool:
            return step.has_dd(name)

        def out_lrecl(name: str):
            dd = step.dd(name)
            _inherit(dd, first, recfm, lrecl)
            return dd.lrecl, dd.recfm

        def write(name: str, block: RecordBlock) -> int:
            return step.dd(name).write_raw(block)

        phases = sum(len(paths) for _, paths in inputs) + 2      # each input, the sort, the writes
        with step.progress(phases, desc=f"{step.step_name} SORT") as bar:
            def phase(what: str) -> None:
                if hasattr(bar, "set_postfix_str"):
                    bar.set_postfix_str(what)
                bar.update(1)

            result, rc = execute(text, inputs, encoding=encoding, recfm=recfm, lrecl=lrecl, write=write,
                                 outputs=outputs, log=log, out_lrecl=out_lrecl, phase=phase)
        for dd in in_dds:
            dd.count(read=result.counts["read"].get(dd.name, 0))
        log(f"ICE052I 0 END OF DFSORT, RC={rc}")
        return rc
    except DensanError as exc:
        kind = "ICE007A" if isinstance(exc, SortStatementError) else \
            "ICE141A" if isinstance(exc, RecordError) else "ICE099A"
        lines = str(exc).splitlines()
        log(f"{kind} {lines[0]}")
        for line in lines[1:]:
            log(f"        {line.strip()}")
        log("ICE052I 3 END OF DFSORT, RC=16")
        return 16


def run_partitioned(step, executor) -> int:
    """The step on a cluster: a sample sort (engine.cluster.sortstep), same outputs."""
    from engine.cluster.sortstep import run_sort_step
    return run_sort_step(step, executor)


def _inherit(dd, source, recfm: str, lrecl: int | None) -> None:
    """SORTOUT and OUTFIL DDs without their own RECFM/LRECL take the input's RECFM.
    (A DD says FB when nothing was given, so FB without an LRECL on an output of a
    V input is taken as 'not given'.)"""
    if recfm in VARIABLE and dd.recfm in ("F", "FB") and dd.lrecl is None:
        dd.recfm = recfm
