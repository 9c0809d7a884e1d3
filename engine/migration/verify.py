"""The parallel run: run a densan job on the inputs the legacy job was given and
compare every output, and the return code, with what the legacy job produced.

A case is a folder with a `case.yaml` and the files it names:

```yaml
job: SHUNO01                 # the densan job (found along DENSAN_JOBS / jobs/)
parm: '20250131'             # optional: --parm for the job's program steps
params: {date: '20250131'}   # optional: --param KEY=VALUE
rc: 4                        # the legacy return code
inputs:                      # DD -> file in the case folder (a list: a concatenation)
  MASTER-IN: master-in.dat
  TRAN-IN: tran-in.dat
outputs:                     # DD -> the legacy's output and how to compare it
  MASTER-OUT: {file: master-out.dat, copybook: SHUNOMST, key: [SH-KEY]}
  ERROR-OUT: {file: error-out.dat, copybook: NOFUERR, ignore: [ER-FILLER]}
  REPORT: {file: report.txt, report: figures}
legacy:                      # optional: how to build the legacy outputs (--build-legacy)
  program: programs/SHUNO01.cob    # relative to the case folder
  copybooks: [copybooks]
  build: false               # true: build them on every verify (needs GnuCOBOL)
```

Output options: `copybook` (record-by-record compare with `key`, `ignore`,
`encoding`, `recfm`, `lrecl`, `dialect`), `compare: bytes` (byte for byte; the
default without a copybook), `report: figures` (only the numbers of a printed
report, line by line) or `report: text` (lines, trailing blanks ignored);
`absent: true` says the legacy kept no such output (an abend), so densan must
not either.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.errors import DensanError

CASE_FILE = "case.yaml"
CASE_KEYS = {"job", "description", "parm", "params", "rc", "inputs", "outputs", "legacy", "timeout"}
OUTPUT_KEYS = {"file", "copybook", "key", "ignore", "encoding", "recfm", "lrecl", "dialect", "compare",
               "report", "absent", "personal"}
LEGACY_KEYS = {"program", "copybooks", "build"}
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?-?")


class CaseError(DensanError):
    """A case folder that cannot be verified as written."""


@dataclass
class OutputRule:
    dd: str
    file: str | None
    kind: str                               # records | bytes | figures | text
    options: dict = field(default_factory=dict)
    absent: bool = False


@dataclass
class Case:
    folder: Path
    name: str
    job: str
    parm: str | None
    params: dict
    rc: int | None
    inputs: dict[str, list[Path]]
    outputs: list[OutputRule]
    legacy_program: Path | None = None
    legacy_copybooks: list[Path] = field(default_factory=list)
    legacy_build: bool = False
    timeout: float | None = None


@dataclass
class OutputResult:
    dd: str
    kind: str
    passed: bool
    lines: list[str]


@dataclass
class CaseResult:
    case: Case
    rc_legacy: int | None
    rc_densan: int | None
    outputs: list[OutputResult]
    log: str = ""
    seconds: float = 0.0                     # densan's run, start to end

    @property
    def passed(self) -> bool:
        return self.rc_legacy == self.rc_densan and all(o.passed for o in self.outputs)

    def report(self, *, lines: int = 8) -> str:
        out = [f"CASE {self.case.name:<30} {'PASS' if self.passed else 'FAIL'}",
               f"  JOB {self.case.job}  RC LEGACY {self.rc_legacy}  DENSAN {self.rc_densan}"
               f"  ({self.seconds:.1f} s)"
               f"{'' if self.rc_legacy == self.rc_densan else '   <== RETURN CODES DIFFER'}"]
        for o in self.outputs:
            out.append(f"  {o.dd:<12} {o.kind:<8} {'EQUAL' if o.passed else 'DIFFERENT'}")
            shown = o.lines if not o.passed else o.lines[:1]
            out.extend("    " + line for line in shown[:lines])
        if not self.passed and self.log and self.rc_legacy != self.rc_densan:
            out.append("  -- densan job log (last lines) --")
            out.extend("    " + line for line in self.log.rstrip().splitlines()[-lines:])
        return "\n".join(out)


# ------------------------------------------------------------------------------ case.yaml

def _refuse_unknown(mapping: dict, known, where: str) -> None:
    unknown = set(mapping) - set(known)
    if unknown:
        raise CaseError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}",
                        hint=f"known keys: {', '.join(sorted(known))}")


def load_case(folder: str | Path) -> Case:
    folder = Path(folder)
    path = folder / CASE_FILE if folder.is_dir() else folder
    folder = path.parent
    if not path.is_file():
        raise CaseError(f"no {CASE_FILE} in {folder}", hint="a case folder holds case.yaml and its files")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise CaseError(f"{path}: expected a mapping of keys (job, rc, inputs, outputs ...)")
    _refuse_unknown(doc, CASE_KEYS, f"{path}")
    if not doc.get("job"):
        raise CaseError(f"{path}: key 'job' is missing", hint="name the densan job, e.g. job: SHUNO01")

    def files(value, dd) -> list[Path]:
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise CaseError(f"{path}: inputs.{dd} must be a file name or a list of them")
        return [folder / v for v in values]

    inputs = {str(dd).upper(): files(v, dd) for dd, v in (doc.get("inputs") or {}).items()}
    outputs = []
    for dd, spec in (doc.get("outputs") or {}).items():
        spec = {"file": spec} if isinstance(spec, str) else (spec or {})
        if not isinstance(spec, dict):
            raise CaseError(f"{path}: outputs.{dd} must be a file name or a mapping")
        _refuse_unknown(spec, OUTPUT_KEYS, f"{path}: outputs.{dd}")
        if spec.get("report"):
            kind = {"figures": "figures", "text": "text", "bytes": "bytes"}.get(str(spec["report"]))
        elif spec.get("compare"):
            kind = {"bytes": "bytes", "records": "records", "figures": "figures",
                    "text": "text"}.get(str(spec["compare"]))
        else:
            kind = "records" if spec.get("copybook") else "bytes"
        if kind is None:
            raise CaseError(f"{path}: outputs.{dd}: compare/report must be records, bytes, figures or text")
        if kind == "records" and not spec.get("copybook"):
            raise CaseError(f"{path}: outputs.{dd}: a record compare needs a copybook")
        absent = bool(spec.get("absent"))
        if not absent and not spec.get("file"):
            raise CaseError(f"{path}: outputs.{dd}: 'file' is missing",
                            hint="name the legacy output file, or say absent: true")
        options = {k: v for k, v in spec.items() if k not in ("file", "compare", "report", "absent")}
        outputs.append(OutputRule(str(dd).upper(), spec.get("file"), kind, options, absent))
    if not outputs:
        raise CaseError(f"{path}: no outputs to compare", hint="list the legacy outputs under 'outputs'")
    legacy = doc.get("legacy") or {}
    unknown = set(legacy) - LEGACY_KEYS
    if unknown:
        raise CaseError(f"{path}: legacy: unknown key(s) {', '.join(sorted(unknown))}")
    rc = doc.get("rc")
    if rc is not None and not isinstance(rc, int):
        raise CaseError(f"{path}: rc must be a number (the legacy return code)")
    copybooks = legacy.get("copybooks") or []
    copybooks = [copybooks] if isinstance(copybooks, str) else copybooks
    return Case(folder=folder, name=folder.name, job=str(doc["job"]),
                parm=None if doc.get("parm") is None else str(doc["parm"]),
                params={str(k): str(v) for k, v in (doc.get("params") or {}).items()},
                rc=rc, inputs=inputs, outputs=outputs,
                legacy_program=(folder / legacy["program"]) if legacy.get("program") else None,
                legacy_copybooks=[folder / c for c in copybooks], legacy_build=bool(legacy.get("build")),
                timeout=doc.get("timeout"))


# ------------------------------------------------------------------------------ legacy

def build_legacy(case: Case) -> int:
    """Produce the case's legacy outputs by compiling and running the legacy program
    with GnuCOBOL; the outputs are written into the case folder and the return code
    into case.yaml (`rc:`). Returns the return code."""
    from engine.migration.legacy import run_program

    if case.legacy_program is None:
        raise CaseError(f"case {case.name} names no legacy program",
                        hint="add legacy: {program: path/to/PROG.cob, copybooks: [dir]} to case.yaml")
    for dd, paths in case.inputs.items():
        if len(paths) != 1:
            raise CaseError(f"case {case.name}: the legacy program takes one file for {dd}")
    with tempfile.TemporaryDirectory(prefix="densan-legacy-") as tmp:
        dds: dict[str, str] = {dd: str(paths[0]) for dd, paths in case.inputs.items()}
        produced = {}
        for rule in case.outputs:
            target = Path(tmp) / (Path(rule.file).name if rule.file else rule.dd)
            dds[rule.dd] = str(target)
            produced[rule.dd] = target
        result = run_program(case.legacy_program, dds, case.parm, copy_dirs=case.legacy_copybooks,
                             cwd=case.folder, timeout=case.timeout)
        for rule in case.outputs:
            if rule.file:
                dest = case.folder / rule.file
                if produced[rule.dd].exists():
                    shutil.copyfile(produced[rule.dd], dest)
                elif dest.exists():
                    dest.unlink()
    _write_rc(case.folder / CASE_FILE, result.rc)
    case.rc = result.rc
    return result.rc


def _write_rc(path: Path, rc: int) -> None:
    text = path.read_text(encoding="utf-8")
    line = f"rc: {rc}"
    if re.search(r"(?m)^rc:.*$", text):
        text = re.sub(r"(?m)^rc:.*$", line, text, count=1)
    else:
        text = text.rstrip("\n") + f"\n{line}\n"
    path.write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------ densan

def run_densan(case: Case, workdir: Path) -> tuple[int, dict[str, Path], str]:
    """Run the case's job with densan on plain files (`densan run JOB --dd ...`) in
    its own densan home; return (rc, output paths by DD, job log)."""
    outdir = workdir / "out"
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "engine.cli", "run", case.job]
    for dd, paths in case.inputs.items():
        for p in paths:
            if not p.exists():
                raise CaseError(f"case {case.name}: input {dd} file {p} does not exist")
            cmd += ["--dd", f"{dd}={p.resolve()}"]
    outputs = {}
    for rule in case.outputs:
        target = outdir / (Path(rule.file).name if rule.file else rule.dd)
        outputs[rule.dd] = target
        cmd += ["--dd", f"{rule.dd}={target}"]
    if case.parm is not None:
        cmd += ["--parm", case.parm]
    for k, v in case.params.items():
        cmd += ["--param", f"{k}={v}"]
    prepare_home(case.job, workdir / "home")
    env = dict(os.environ, DENSAN_HOME=str(workdir / "home"))
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, errors="replace",
                              timeout=case.timeout, cwd=case.folder)
    except subprocess.TimeoutExpired:
        raise CaseError(f"case {case.name}: job {case.job} did not end within {case.timeout} s") from None
    return proc.returncode, outputs, proc.stdout + proc.stderr


def prepare_home(job_name: str, home: Path) -> None:
    """A fresh densan home in which the job's generation references resolve: every
    GDG base the job names is defined, and where it reads (0), (-1)... empty
    placeholder generations are catalogued. The case's --dd files replace them all,
    but the runner resolves generations at job start, as the host does."""
    from engine.job import gdg
    from engine.job.catalog import Catalog, import_dataset
    from engine.job.definition import load_job

    job = load_job(job_name)
    lowest: dict[str, int] = {}
    for step in job.steps:
        for ddef in step.dd.values():
            for raw in ddef.dsns:
                if "{" in raw:
                    continue
                rel = gdg.split_relative(gdg.normalize(raw))
                if rel is not None:
                    lowest[rel[0]] = min(lowest.get(rel[0], 1), rel[1])
    if not lowest:
        return
    home.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(home)
    try:
        for base in sorted(lowest):
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, 255)
    finally:
        catalog.close()
    placeholder = home / "placeholder.empty"
    placeholder.write_bytes(b"")
    for base, low in sorted(lowest.items()):
        for _ in range(max(0, 1 - low)):
            import_dataset(f"{base}(+1)", placeholder, recfm="FB", home=home)


# ------------------------------------------------------------------------------ compare

def report_figures(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, line, numbers) of every report line holding numbers; thousands
    separators dropped, a trailing minus read as a sign."""
    out = []
    for i, line in enumerate(text.splitlines(), 1):
        nums = []
        for tok in NUMBER.findall(line):
            tok = tok.replace(",", "")
            if tok.endswith("-"):
                tok = "-" + tok[:-1].lstrip("+")
            nums.append(tok.lstrip("+"))
        if nums:
            out.append((i, line.rstrip(), nums))
    return out


def compare_figures(legacy: Path, densan: Path) -> tuple[bool, list[str]]:
    a = report_figures(legacy.read_text(encoding="utf-8", errors="replace"))
    b = report_figures(densan.read_text(encoding="utf-8", errors="replace"))
    lines = []
    for (la, ta, na), (lb, tb, nb) in zip(a, b):
        if na != nb:
            lines += [f"LEGACY LINE {la}: {ta.strip()}", f"DENSAN LINE {lb}: {tb.strip()}"]
    if len(a) != len(b):
        lines.append(f"LINES WITH FIGURES: LEGACY {len(a)}  DENSAN {len(b)}")
    return not lines, lines or [f"{len(a)} lines of figures equal"]


def compare_text(legacy: Path, densan: Path) -> tuple[bool, list[str]]:
    a = [l.rstrip() for l in legacy.read_text(encoding="utf-8", errors="replace").splitlines()]
    b = [l.rstrip() for l in densan.read_text(encoding="utf-8", errors="replace").splitlines()]
    lines = []
    for i in range(max(len(a), len(b))):
        la = a[i] if i < len(a) else "(no line)"
        lb = b[i] if i < len(b) else "(no line)"
        if la != lb:
            lines += [f"LINE {i + 1} LEGACY: {la}", f"LINE {i + 1} DENSAN: {lb}"]
    return not lines, lines or [f"{len(a)} lines equal"]


def compare_bytes(legacy: Path, densan: Path) -> tuple[bool, list[str]]:
    import numpy as np

    a = np.fromfile(legacy, dtype=np.uint8)
    b = np.fromfile(densan, dtype=np.uint8)
    n = min(len(a), len(b))
    diff = np.flatnonzero(a[:n] != b[:n])
    lines = []
    if len(a) != len(b):
        lines.append(f"SIZE LEGACY {len(a):,} BYTES  DENSAN {len(b):,} BYTES")
    if len(diff):
        first = int(diff[0])
        lines.append(f"{len(diff):,} BYTES DIFFER, FIRST AT OFFSET {first}: "
                     f"LEGACY X'{a[first:first + 16].tobytes().hex().upper()}' "
                     f"DENSAN X'{b[first:first + 16].tobytes().hex().upper()}'")
    return not lines, lines or [f"{len(a):,} bytes equal"]


def compare_output(case: Case, rule: OutputRule, produced: Path) -> OutputResult:
    if rule.absent:
        ok = not produced.exists()
        return OutputResult(rule.dd, "absent", ok,
                            ["not kept, as by the legacy"] if ok else [f"densan kept {produced.name}; "
                                                                      "the legacy kept no output"])
    legacy = case.folder / rule.file
    if not legacy.exists():
        raise CaseError(f"case {case.name}: legacy output {legacy} does not exist",
                        hint="build it with densan verify --build-legacy, or copy the legacy's output in")
    if not produced.exists():
        return OutputResult(rule.dd, rule.kind, False, ["densan wrote no output for this DD"])
    if rule.kind == "bytes":
        ok, lines = compare_bytes(legacy, produced)
    elif rule.kind == "figures":
        ok, lines = compare_figures(legacy, produced)
    elif rule.kind == "text":
        ok, lines = compare_text(legacy, produced)
    else:
        from engine.migration.compare import compare_datasets
        o = rule.options
        key = o.get("key") or []
        key = [key] if isinstance(key, str) else key
        ignore = o.get("ignore") or []
        ignore = [ignore] if isinstance(ignore, str) else ignore
        copybook = o["copybook"]
        if (case.folder / str(copybook)).is_file():
            copybook = case.folder / str(copybook)
        result = compare_datasets(legacy, produced, copybook, encoding=o.get("encoding", "ascii"),
                                  recfm=o.get("recfm", "FB"), lrecl=o.get("lrecl"), dialect=o.get("dialect"),
                                  key=key, ignore=ignore, personal=o.get("personal") or [],
                                  max_diffs=20)
        ok = result.equal
        lines = [f"RECORDS LEGACY {result.count_a:,}  DENSAN {result.count_b:,}  "
                 f"ONLY LEGACY {result.only_a_count:,}  ONLY DENSAN {result.only_b_count:,}  "
                 f"CHANGED {result.changed_count:,}"]
        for row in result.only_a.head(3).iter_rows(named=True):
            lines.append(f"ONLY IN LEGACY: RECORD {row['record']} KEY {row['key']}")
        for row in result.only_b.head(3).iter_rows(named=True):
            lines.append(f"ONLY IN DENSAN: RECORD {row['record']} KEY {row['key']}")
        for row in result.changes.head(5).iter_rows(named=True):
            lines.append(f"RECORD {row['record_a']} KEY {row['key']} {row['field']}: "
                         f"LEGACY {row['value_a']} X'{row['hex_a']}'  DENSAN {row['value_b']} X'{row['hex_b']}'")
    return OutputResult(rule.dd, rule.kind, ok, lines)


def verify_case(folder: str | Path, *, build: bool = False, keep: str | Path | None = None) -> CaseResult:
    """Verify one case folder; `build` first produces the legacy outputs with GnuCOBOL."""
    case = load_case(folder)
    if build or case.legacy_build:
        build_legacy(case)
    if case.rc is None:
        raise CaseError(f"case {case.name}: the legacy return code (rc) is not given",
                        hint="add rc: N to case.yaml, or build the legacy outputs with --build-legacy")
    tmp = tempfile.mkdtemp(prefix="densan-verify-") if keep is None else str(keep)
    try:
        start = time.perf_counter()
        rc, produced, log = run_densan(case, Path(tmp))
        seconds = time.perf_counter() - start
        results = [compare_output(case, rule, produced[rule.dd]) for rule in case.outputs]
        return CaseResult(case, case.rc, rc, results, log, seconds)
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
