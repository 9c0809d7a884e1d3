"""One fuzz case per area, and what came of it: "ok" (a result, or a DensanError saying what
and where), "traceback" (any other exception escaped, or a command printed one), "changed"
(a file the user gave as an input was changed), "hang" (no end within the time limit).

Used by tests/safety/test_fuzz.py (Hypothesis, a few hundred cases in CI) and by
tests/fuzz/campaign.py (the long campaign, not part of CI)."""
from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import stat
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import DensanError
from tests.fuzz import generators as gen

AREAS = ("copybooks", "records", "sort", "jobs", "cli")


@dataclass
class Outcome:
    kind: str                 # ok traceback changed hang
    detail: str = ""


class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    def alarm(signum, frame):
        raise Hang(f"no end within {seconds} s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _digest(paths) -> dict[str, str | None]:
    out = {}
    for p in paths:
        try:
            out[str(p)] = hashlib.sha1(Path(p).read_bytes()).hexdigest()
        except OSError:
            out[str(p)] = None
    return out


def run_case(area: str, rng: random.Random, work: Path, seconds: int = 30, deep: bool = True) -> Outcome:
    """deep=False stops copybooks, SORT statements and jobs after their parser (a cheap case)."""
    work.mkdir(parents=True, exist_ok=True)
    try:
        with time_limit(seconds):
            outcome = _AREAS[area](rng, work, deep)
        if not stat.S_ISCHR(os.stat("/dev/null").st_mode):      # a device replaced by a rename
            return Outcome("changed", "/dev/null is no longer a device")
        return outcome
    except Hang as exc:
        return Outcome("hang", str(exc))
    except DensanError:
        return Outcome("ok")
    except Exception as exc:    # noqa: BLE001 — what the fuzzing looks for
        return Outcome("traceback", "".join(traceback.format_exception(exc)[-6:]))


# ------------------------------------------------------------------ areas

def _copybooks(rng: random.Random, work: Path, deep: bool) -> Outcome:
    from engine.copybook import parse_copybook
    from engine.records.codec import RecordCodec
    from engine.records.recfm import RecordBlock
    text = gen.copybook_case(rng)
    layout = parse_copybook(text, filename="fuzz.cpy", dialect=rng.choice(["ibm", "gnucobol"]))
    if not deep or layout.record_length > 4096 or layout.record_length == 0:
        return Outcome("ok")
    codec = RecordCodec(layout, codepage=rng.choice(["ascii", "cp037", "cp930"]))
    n = rng.randint(0, 4)
    data = np.frombuffer(gen.record_bytes(rng, layout.record_length, n, "F")[: n * layout.record_length]
                         .ljust(n * layout.record_length, b" "), np.uint8).reshape(n, layout.record_length)
    result = codec.decode(RecordBlock.from_array(data), errors="lenient")
    frame = result.frame
    if len(result.rejected):
        keep = np.setdiff1d(np.arange(frame.height), result.rejected)
        frame = frame[keep]
    codec.encode(frame)
    return Outcome("ok")


def _write_copybook(rng: random.Random, work: Path) -> Path:
    from engine.copybook import parse_copybook
    for _ in range(20):
        text = gen.copybook(rng, max_items=6)
        try:
            if parse_copybook(text).record_length <= 200:
                break
        except DensanError:
            continue
    else:
        text = "       01 R.\n          05 K PIC X(4).\n          05 N PIC S9(3) COMP-3.\n"
    cpy = work / "rec.cpy"
    cpy.write_text(text)
    return cpy


def _records(rng: random.Random, work: Path, deep: bool = True) -> Outcome:
    from engine.commands.convert import run_convert
    from engine.copybook import parse_copybook
    cpy = _write_copybook(rng, work)
    length = parse_copybook(cpy.read_text()).record_length
    recfm = rng.choice(["F", "FB", "V", "VB", "LS"])
    src = work / "in.dat"
    src.write_bytes(gen.record_bytes(rng, length if rng.random() < 0.8 else rng.randint(1, 50),
                                     rng.randint(0, 6), recfm))
    before = _digest([src, cpy])
    kind = rng.choice([".jsonl", ".csv", ".parquet", ".dat", ".dat"])
    out = work / f"out{kind}"
    errors = rng.choice(["strict", "lenient"])
    try:
        run_convert(src, out, copybook=str(cpy), encoding=rng.choice(["ascii", "cp037"]), recfm=recfm,
                    lrecl=rng.choice([None, None, length, length + 4, rng.randint(1, 300)]), errors=errors,
                    reject=work / "rej.dat" if errors == "lenient" and rng.random() < 0.5 else None,
                    to_recfm=rng.choice([None, "FB", "VB", "LS"]) if kind == ".dat" else None,
                    progress=False)
        if kind != ".dat" and out.exists():
            mid = out
            back = work / "back.dat"
            run_convert(mid, back, copybook=str(cpy), encoding="ascii", recfm="F", progress=False)
    except DensanError:
        pass
    if _digest([src, cpy]) != before:
        return Outcome("changed", f"convert changed its input ({recfm})")
    return Outcome("ok")


def _sort(rng: random.Random, work: Path, deep: bool) -> Outcome:
    from engine.sort.program import execute
    from engine.sort.statements import compile_statements
    text = gen.sort_statements(rng)
    if not deep:
        compile_statements(text)
        return Outcome("ok")
    recfm = rng.choice(["FB", "LS", "VB"])
    lrecl = rng.choice([None, 10, 12, 20, 1])
    src = work / "sortin"
    src.write_bytes(gen.record_bytes(rng, lrecl or 10, rng.randint(0, 8), recfm if recfm != "FB" else "F"))
    before = _digest([src])
    written = {}

    def write(name, block):
        written[name] = len(block)
        return len(block)
    try:
        execute(text, [("SORTIN", [src])], encoding=rng.choice(["ascii", "cp037"]), recfm=recfm, lrecl=lrecl,
                write=write, outputs=lambda name: name in ("SORTOUT", "OUT1"), log=lambda line: None,
                out_lrecl=lambda name: (None, recfm))
    except DensanError:
        pass
    if _digest([src]) != before:
        return Outcome("changed", "sort changed SORTIN")
    return Outcome("ok")


def _user_files(rng: random.Random, work: Path) -> tuple[list[Path], list[Path]]:
    inputs = []
    for k in range(3):
        p = work / f"user{k}.dat"
        p.write_bytes(b"".join(b"%04d" % rng.randint(0, 9999) for _ in range(rng.randint(0, 5))))
        inputs.append(p)
    fresh = [work / f"new{k}.dat" for k in range(3)]
    for p in fresh:
        p.unlink(missing_ok=True)
    return inputs, fresh


def _jobs(rng: random.Random, work: Path, deep: bool) -> Outcome:
    from engine.job.definition import parse_job
    from engine.job.runner import JobRunner, parse_dd_overrides
    inputs, fresh = _user_files(rng, work)
    (work / "adir").mkdir(exist_ok=True)
    files = [str(p) for p in inputs + fresh] + [str(work / "adir"), "/dev/null", "/proc/nope/x"]
    text = gen.job_yaml(rng, files)
    job = parse_job(text, source=str(work / "FUZZJ.yaml"))
    if not deep:
        return Outcome("ok")
    overrides = []
    for _ in range(rng.randint(0, 2)):
        overrides.append(f"{rng.choice(['SORTIN', 'SORTOUT', 'S0.SORTIN'])}={rng.choice(files)}")
    allowed = set()
    for step in job.steps:
        for ddef in step.dd.values():
            says = ddef.status in ("OLD", "MOD") or "DELETE" in (ddef.normal, ddef.abnormal)
            if says:
                allowed |= {str(Path(p)) for p in ddef.paths}
                allowed |= {o.split("=", 1)[1] for o in overrides if o.split("=", 1)[0].split(".")[-1] == ddef.name}
    before = _digest(inputs)
    runner = JobRunner(job, dd_overrides=parse_dd_overrides(overrides) if overrides else [], home=work / "home")
    try:
        result = runner.run()
        for s in result.steps:
            if s.abend == "U4000":
                return Outcome("traceback", f"step {s.name} abended U4000 (an exception in the engine): "
                                            f"{result.log_path.read_text()[-800:] if result.log_path else ''}")
    except DensanError:
        pass
    after = _digest(inputs)
    changed = [p for p in before if before[p] != after[p] and p not in allowed]
    if changed:
        return Outcome("changed", f"job changed {changed}:\n{text}\n{overrides}")
    return Outcome("ok")


CLI_JOB = """job: FUZZC
steps:
  - name: S0
    program: SORT
    dd:
      SORTIN: {dsn: CITY.FUZZ.IN, disp: SHR, recfm: FB, lrecl: 4}
      SORTOUT: {dsn: CITY.FUZZ.OUT, recfm: FB, lrecl: 4}
      SYSIN: 'SORT FIELDS=(1,4,CH,A)'
"""


def _cli(rng: random.Random, work: Path, deep: bool = True) -> Outcome:
    from click.testing import CliRunner

    from engine.cli import cli
    inputs, fresh = _user_files(rng, work)
    (work / "adir").mkdir(exist_ok=True)
    cpy = work / "rec.cpy"
    cpy.write_text("       01 R.\n          05 K PIC X(2).\n          05 N PIC 9(2).\n")
    job = work / "FUZZC.yaml"
    job.write_text(CLI_JOB)
    odd = [str(work / "adir"), "/dev/null", "/proc/nope/x", str(work / "sub" / "deep" / "x"), "-", "/"]
    argv = gen.command_line(rng, [str(p) for p in inputs], [str(p) for p in fresh], odd, str(cpy), str(job))
    # which of the user's files the command may change: named only as an output it asked for
    outs, ins = set(), set()
    for i, a in enumerate(argv):
        prev = argv[i - 1] if i else ""
        if prev in ("--out", "--reject") or (argv[0] == "convert" and i == 2):
            outs.add(a)
        elif prev == "--outfil":
            outs.add(a.split("=", 1)[-1])
        elif prev == "--in" or (argv[0] == "convert" and i == 1):
            ins.add(a)
    if argv[0] == "run" and any(a.startswith("SORTOUT=OLD") or a.startswith("SORTOUT=MOD") for a in argv):
        outs |= {a.split("=", 1)[1] for a in argv if a.startswith(("SORTOUT=", "S1.SORTOUT="))}
    allowed = outs - ins
    before = _digest(inputs)
    env = {"DENSAN_HOME": str(work / "home"), "DENSAN_JOBS": str(work)}
    result = CliRunner().invoke(cli, argv, env=env)
    exc = result.exception
    if exc is not None and not isinstance(exc, (SystemExit, DensanError)):
        return Outcome("traceback", f"{argv}\n" + "".join(traceback.format_exception(exc)[-6:]))
    if "Traceback (most recent call last)" in (result.output or ""):
        return Outcome("traceback", f"{argv}\n{result.output[-1500:]}")
    after = _digest(inputs)
    changed = [p for p in before if before[p] != after[p] and p not in allowed]
    if changed:
        return Outcome("changed", f"{argv} changed {changed}")
    return Outcome("ok")


_AREAS = {"copybooks": _copybooks, "records": _records, "sort": _sort, "jobs": _jobs, "cli": _cli}


def seeded(area: str, seed: int, work: Path, seconds: int = 30, deep: bool = True) -> Outcome:
    """The case `seed` of an area, as the campaign runs it (to reproduce a finding)."""
    return run_case(area, random.Random(f"{area}-{seed}"), work / area, seconds, deep)
