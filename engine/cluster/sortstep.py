"""The SORT step (and `densan sort`) on a cluster: the sample sort of
engine.cluster.samplesort, with the step's DDs, ledger, job log and return code.

Whatever the sample sort does not split (MERGE, SKIPREC, STOPAFT, SEQNUM, OUTFIL
STARTREC/ENDREC, blocked V input, LS), and every run that ends with RC 16 (a statement
or data error), runs locally: the local run's messages and RC, byte for byte the same
outputs."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from engine.cluster import partition_bytes
from engine.cluster.executor import Executor
from engine.cluster.ledger import Ledger, signature
from engine.cluster.partitioning import concatenate
from engine.cluster.phases import PhaseRunner
from engine.cluster.samplesort import distributed_sort, why_local
from engine.errors import DensanError
from engine.records import RecordFormat


def sort_files(text: str, inputs: list[Path], *, encoding: str, fmt: RecordFormat, outputs: dict,
               executor: Executor, ledger: Ledger, log: Callable[[str], None]) -> dict | None:
    """Run the statements over the inputs on the executor; outputs: name -> (lrecl, recfm).
    Returns the combined result (files per output, rc, messages, in) or None when the run
    must be made locally (the reason is logged)."""
    from engine.sort.statements import compile_statements
    try:
        control = compile_statements(text)
    except DensanError:
        return _local(log, "the control statements have an error")
    reason = why_local(control)
    if reason is None and not (fmt.fixed or (fmt.variable and not fmt.bdw)):
        reason = f"RECFM={fmt.recfm}{' with BDW' if fmt.bdw else ''} input is not split"
    wanted = {n for o in control.outfils for n in o.fnames} | (set() if control.outfils else {"SORTOUT"})
    if reason is None and not wanted <= set(outputs):
        reason = "an output has no DD"
    if reason is None and (not inputs or any(not Path(p).is_file() for p in inputs)):
        reason = "SORTIN is DUMMY or not a file"
    if reason is not None:
        return _local(log, reason)
    for line in executor.describe():
        log("  " + line)
    runner = PhaseRunner(executor, ledger, log)
    try:
        result = distributed_sort(text, [Path(p) for p in inputs], fmt, encoding, outputs, executor,
                                  ledger.work, partition_bytes(), runner)
    except DensanError as exc:
        return _local(log, f"{exc}".splitlines()[0])
    if "error" in result:
        return _local(log, "a partition met a data error")
    if result["rc"] >= 16:
        return _local(log, "the sort ends with RC 16")
    log(f"  {runner.partitions} PARTITION TASKS ENDED ({runner.reused} REUSED, {runner.retried} RETRIED); "
        "OUTPUTS CONCATENATED IN KEY ORDER")
    return result


def _local(log, reason: str) -> None:
    log(f"  RUN LOCALLY: {reason} (the whole sort, for the local run's messages and RC)")
    return None


def run_sort_step(step, executor: Executor) -> int:
    """The SORT job step on the executor (engine.sort.program.run when it runs locally)."""
    from engine.sort import program
    log = step.log
    try:
        text = program._sysin_text(step)
        from engine.sort.statements import compile_statements
        control = compile_statements(text)
    except DensanError:
        return program.run(step)
    if control.mode == "merge" or not step.has_dd("SORTIN"):
        log("  RUN LOCALLY: MERGE (the inputs are merged as they are)")
        return program.run(step)
    first = step.dd("SORTIN")
    recfm, lrecl, encoding = first.recfm, first.lrecl, first.encoding
    if lrecl is None and first.copybook and recfm in ("F", "FB"):
        from engine.records.dataset import resolve_layout
        lrecl = resolve_layout(first.copybook, dialect=first.dialect, encoding=encoding).record_length
    names = {n for o in control.outfils for n in o.fnames}
    if not control.outfils or step.has_dd("SORTOUT"):
        names.add("SORTOUT")
    if any(not step.has_dd(n) or step.dd(n).append for n in names) or first.dummy:
        log("  RUN LOCALLY: an output DD is missing or MOD, or SORTIN is DUMMY")
        return program.run(step)
    outputs = {}
    for n in names:
        dd = step.dd(n)
        program._inherit(dd, first, recfm, lrecl)
        outputs[n] = (dd._layout_lrecl(), dd.recfm)
    fmt = RecordFormat(recfm=recfm, lrecl=lrecl)
    sig = signature(step.job_name, step.step_name, step.program, text, list(first.paths),
                    {"partition_bytes": partition_bytes(), "encoding": encoding, "fmt": fmt.describe(),
                     "outputs": sorted(outputs.items())})
    ledger = Ledger(step.home, step.run_id, step.step_name, sig)
    finished = False
    try:
        for line in text.splitlines():
            if line.strip():
                log(line.rstrip())
        result = sort_files(text, list(first.paths), encoding=encoding, fmt=fmt, outputs=outputs,
                            executor=executor, ledger=ledger, log=log)
        if result is None:
            finished = True
            return program.run(step)
        for name in sorted(outputs):
            dd = step.dd(name)
            Path(dd.path).unlink(missing_ok=True)
            concatenate([Path(p) for p in result["files"].get(name, [])], Path(dd.path))
            dd.written = True
            dd.count(written=result["written"].get(name, 0))
            if not result["files"].get(name):
                Path(dd.path).touch()
        for line in result["messages"]:
            log(line)
        first.count(read=result["in"])
        log(f"ICE052I 0 END OF DFSORT, RC={result['rc']}")
        finished = True
        return result["rc"]
    finally:
        ledger.close(finished=finished)
