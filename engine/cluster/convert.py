"""`densan convert` on a cluster: the input cut into record ranges, each range converted
by the ordinary converter (engine.commands.convert.run_convert with its byte range) on a
worker, the part files concatenated in order into the output (and the rejects into the
reject dataset). CSV parts after the first have no header line, so the result is the
local run's bytes. Parquet output (one file with one footer) and LS input are converted
locally."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from engine.cluster import partition_bytes
from engine.cluster.executor import Executor, Task
from engine.cluster.ledger import Ledger, signature
from engine.cluster.partitioning import ByteRange, concatenate, record_ranges
from engine.cluster.phases import PhaseRunner
from engine.errors import DensanError


def convert_range(r: ByteRange, index: int, input: str, part: str, reject: str | None, options: dict) -> dict:
    from engine.commands.convert import run_convert
    tmp = part + ".tmp" + Path(part).suffix
    try:
        result = run_convert(input, tmp, byte_range=r, reject=reject, progress=False,
                             csv_header=index == 0, **options)
    except DensanError as exc:
        return {"error": exc}
    os.replace(tmp, part)
    return {"in": result["in"], "out": result["out"], "rejected": result["rejected"],
            "messages": result["messages"], "part": part, "reject": reject}


def why_local(output: Path, recfm: str) -> str | None:
    from engine.commands.convert import TEXT_FORMATS
    if TEXT_FORMATS.get(output.suffix.lower()) == "parquet":
        return "Parquet output is one file written by one writer"
    if (recfm or "F").upper() == "LS":
        return "LS (line sequential) input is not split"
    return None


def convert_on_cluster(input: Path, output: Path, *, executor: Executor, home: Path,
                       log: Callable[[str], None], reject: Path | None = None, **options) -> dict | None:
    """Convert on the executor; None when it must run locally (the reason is logged)."""
    from engine.commands.convert import _fmt_options
    from engine.records.dataset import AtomicOutput, record_format, resolve_layout
    started = time.monotonic()
    input, output = Path(input), Path(output)
    reason = why_local(output, options.get("recfm"))
    if reason is not None:
        log(f"RUN LOCALLY: {reason}")
        return None
    if not input.is_file():
        raise DensanError(f"input dataset not found: {input}")
    if output.resolve() == input.resolve():
        raise DensanError(f"output {output} is the input", hint="write to another file")
    layout = resolve_layout(options["copybook"], dialect=options.get("dialect"),
                            encoding=options.get("encoding") or "ascii")
    fmt = record_format(layout, options.get("recfm") or "F", options.get("lrecl"),
                        **_fmt_options(options.get("rdw_little_endian", False),
                                       options.get("rdw_excludes_header", False), options.get("bdw", False)))
    ranges = record_ranges(input, fmt, partition_bytes())
    sig = signature("CONVERT", output.name, "convert", "", [input],
                    {"output": str(output.resolve()), "reject": str(reject), "partition_bytes": partition_bytes(),
                     **{k: v for k, v in options.items()}})
    ledger = Ledger(home, f"CONVERT-{os.getpid()}", "CONVERT", sig)
    finished = False
    try:
        for line in executor.describe():
            log(line)
        suffix = output.suffix
        tasks = [Task(i, f"convert-{i:05d}", convert_range,
                      (r, i, str(input), str(ledger.work / f"part-{i:05d}{suffix}"),
                       None if reject is None else str(ledger.work / f"reject-{i:05d}"), options),
                      r.describe()) for i, r in enumerate(ranges)]
        runner = PhaseRunner(executor, ledger, log)
        results = runner("CONVERT", tasks)
        errors = [x["error"] for x in results if "error" in x]
        if errors:
            finished = True
            raise errors[0]
        with AtomicOutput(output) as temp:
            Path(temp).unlink(missing_ok=True)
            concatenate([Path(x["part"]) for x in results], Path(temp))
        if reject is not None:
            Path(reject).unlink(missing_ok=True)
            concatenate([Path(x["reject"]) for x in results], Path(reject))
        log(f"{runner.partitions} PARTITION(S) CONVERTED ({runner.reused} REUSED, {runner.retried} RETRIED); "
            "PARTS CONCATENATED IN ORDER")
        finished = True
        return {"in": sum(x["in"] for x in results), "out": sum(x["out"] for x in results),
                "rejected": sum(x["rejected"] for x in results),
                "messages": [m for x in results for m in x["messages"]],
                "seconds": time.monotonic() - started}
    finally:
        ledger.close(finished=finished)
