"""Job definitions: the YAML a job is written in, validated into plain objects.

Every mistake is a JobDefinitionError naming the file, the step and the key, so an
operator can fix the YAML without reading Python.
"""
from __future__ import annotations

import datetime as _dt
import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.config import job_path
from engine.errors import JobDefinitionError
from engine.job.sysout import SUFFIX_RE

SORT_PROGRAMS = {"SORT", "ICEMAN", "DFSORT", "SYNCSORT"}
JOB_KEYS = {"job", "description", "params", "steps", "request"}
STEP_KEYS = {"name", "program", "parm", "when", "cond", "dd", "abend_rc", "description", "executor"}
DD_KEYS = {"dsn", "disp", "copybook", "encoding", "recfm", "lrecl", "dialect", "dummy",
           "sysout", "suffix", "path", "inline", "gdgorder", "like"}
GDG_ORDERS = {"LIFO", "FIFO"}
STATUSES = {"NEW", "OLD", "SHR", "MOD"}
DISPOSITIONS = {"KEEP", "DELETE", "CATLG", "UNCATLG", "PASS"}
RECFMS = {"F", "FB", "V", "VB", "LS"}
NAME_RE = re.compile(r"^[A-Za-z#@$][A-Za-z0-9#@$_-]{0,31}$")
DSN_RE = re.compile(r"^(&&[A-Za-z#@$][A-Za-z0-9#@$_-]*|[A-Za-z#@$][A-Za-z0-9#@$_-]*(\.[A-Za-z#@$][A-Za-z0-9#@$_-]*)*)"
                    r"(\(([+-]?\d+)\))?$")
PARAM_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]+))?\}")
DEFAULT_ABEND_RC = 16


@dataclass
class DDDef:
    """One DD statement as written. Exactly one of dsns / path / dummy / sysout / inline."""
    name: str
    dsns: list[str] = field(default_factory=list)     # one, or several for a concatenation
    paths: list[str] = field(default_factory=list)    # plain files (`path:` or --dd override)
    status: str | None = None                          # NEW OLD SHR MOD, None = not written
    normal: str | None = None
    abnormal: str | None = None
    copybook: str | None = None
    encoding: str | None = None
    recfm: str | None = None
    lrecl: int | None = None
    dialect: str | None = None
    dummy: bool = False
    sysout: str | None = None
    suffix: str | None = None            # a SYSOUT file's suffix (pdf, png, csv; default txt)
    inline: str | None = None
    override: bool = False                             # came from --dd
    implied_status: bool = False                       # status not written: taken from the dataset
    replace_existing: bool = False                     # --disp NAME=OLD on an output: the user asked to
                                                       # replace the existing file (written aside, renamed)
    orig_dsns: list[str] = field(default_factory=list)  # the dsn a --dd override replaced
    print_file: bool = False                           # a SYSOUT that a --dd file replaced: kept
                                                       # even when the step fails, as SYSOUT is
    gdgorder: str | None = None                        # a GDG base read whole: LIFO (newest first,
                                                       # the host's default) or FIFO (oldest first)
    like: str | None = None                            # LIKE=: a new dataset takes this dataset's
                                                       # code page and dialect (not given on the DD)


@dataclass
class StepDef:
    name: str
    program: str
    parm: str = ""
    when: str | None = None
    cond: object = None
    dd: dict[str, DDDef] = field(default_factory=dict)
    abend_rc: int = DEFAULT_ABEND_RC
    description: str = ""
    executor: str = "any"        # "local": never on a cluster; "any": on one when the job has one

    @property
    def is_sort(self) -> bool:
        return self.program.upper() in SORT_PROGRAMS


@dataclass
class JobDef:
    name: str
    steps: list[StepDef]
    params: dict[str, str] = field(default_factory=dict)
    description: str = ""
    source: str = "<string>"
    request: "RequestSpec | None" = None     # open to department requests (電算処理依頼)

    def step(self, name: str) -> StepDef:
        for s in self.steps:
            if s.name.upper() == name.upper():
                return s
        raise JobDefinitionError(f"{self.source}: job {self.name} has no step {name!r}",
                                 hint="steps are: " + ", ".join(s.name for s in self.steps))


def find_job(name: str) -> Path:
    """A job name (SHUNOD) found as **/SHUNOD.yaml along job_path(), or a path to a YAML file."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p
    if os.sep in name or p.exists() or not NAME_RE.match(name):
        if p.is_file() or (p.exists() and not p.is_dir()):
            return p
        why = "is a directory" if p.is_dir() else "does not exist" if os.sep in name or p.suffix else \
            "is not a job name (letters, digits, #, @, $, -, _)"
        raise JobDefinitionError(f"job {name}: {why}",
                                 hint="give a job name (found as NAME.yaml along DENSAN_JOBS) or the path of a job's YAML file")
    for root in job_path():
        if not root.is_dir():
            continue
        for candidate in dict.fromkeys((name, name.upper())):      # job names are upper case
            for ext in (".yaml", ".yml"):
                hits = sorted(root.rglob(f"{candidate}{ext}"))
                if hits:
                    return hits[0]
    raise JobDefinitionError(f"job {name} not found",
                             hint=f"looked for {name}.yaml under " + ", ".join(str(r) for r in job_path())
                             + " (set DENSAN_JOBS to the job library)")


def load_job(name: str) -> JobDef:
    path = find_job(name)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise JobDefinitionError(f"{path}: cannot read the job definition: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise JobDefinitionError(f"{path}: byte offset {exc.start}: the job definition is not UTF-8 text "
                                 f"(X'{exc.object[exc.start:exc.start + 1].hex().upper()}')",
                                 hint="save the YAML as UTF-8") from None
    return parse_job(text, source=str(path))


def parse_job(text: str, *, source: str = "<string>") -> JobDef:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise JobDefinitionError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise JobDefinitionError(f"{source}: a job definition is a mapping with job: and steps:")
    _unknown(doc, JOB_KEYS, source, "job")
    name = doc.get("job")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise JobDefinitionError(f"{source}: key job: a job name is required (letters, digits, -, _), got {name!r}")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise JobDefinitionError(f"{source}: key params: must be a mapping of name: value")
    params = {str(k): "" if v is None else str(v) for k, v in params.items()}
    steps_raw = doc.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        raise JobDefinitionError(f"{source}: key steps: a job needs a list of steps")
    _ensure_import_path(Path(source).parent if source != "<string>" else None)
    steps: list[StepDef] = []
    seen: set[str] = set()
    for i, raw in enumerate(steps_raw, 1):
        step = _parse_step(raw, i, source)
        if step.name.upper() in seen:
            raise JobDefinitionError(f"{source}: step {step.name}: the step name is used twice")
        seen.add(step.name.upper())
        steps.append(step)
    job = JobDef(name=name, steps=steps, params=params, description=str(doc.get("description") or ""),
                 source=source)
    if doc.get("request") is not None:
        from engine.job.request_spec import parse_request
        job.request = parse_request(doc["request"], source, params)
    from engine.job.conditions import check_step_refs
    for step in steps:
        check_step_refs(job, step)
        check_backrefs(job, step)
    return job


def check_backrefs(job: JobDef, step: StepDef) -> None:
    earlier: dict[str, StepDef] = {}
    for s in job.steps:
        if s is step:
            break
        earlier[s.name.upper()] = s
    for ddef in step.dd.values():
        for dsn in ddef.dsns:
            m = BACKREF_RE.match(dsn)
            if m is None:
                continue
            ref = earlier.get(m.group(1))
            where = f"{job.source}: step {step.name}: dd {ddef.name}: dsn {dsn}"
            if ref is None:
                raise JobDefinitionError(f"{where}: {m.group(1)} is not an earlier step")
            target = ref.dd.get(m.group(2))
            if target is None or not (target.dsns or target.paths):
                raise JobDefinitionError(f"{where}: step {ref.name} has no dataset DD {m.group(2)}")


def _unknown(d: dict, allowed: set[str], source: str, where: str) -> None:
    for key in d:
        if key not in allowed:
            raise JobDefinitionError(f"{source}: {where}: unknown key {key!r}",
                                     hint="allowed keys: " + ", ".join(sorted(allowed)))


def _parse_step(raw: object, index: int, source: str) -> StepDef:
    if not isinstance(raw, dict):
        raise JobDefinitionError(f"{source}: step #{index}: a step is a mapping with name:, program:, dd:")
    sname = raw.get("name")
    if not isinstance(sname, str) or not NAME_RE.match(sname):
        raise JobDefinitionError(f"{source}: step #{index}: key name: a step name is required "
                                 f"(letters, digits, -, _; up to 32), got {sname!r}")
    where = f"step {sname}"
    _unknown(raw, STEP_KEYS, source, where)
    program = raw.get("program")
    if not isinstance(program, str) or not program.strip():
        raise JobDefinitionError(f"{source}: {where}: key program: is required")
    program = program.strip()
    if program.upper() not in SORT_PROGRAMS:
        check_program(program, f"{source}: {where}: key program")
    parm = raw.get("parm", "")
    parm = "" if parm is None else str(parm)
    abend_rc = raw.get("abend_rc", DEFAULT_ABEND_RC)
    if not isinstance(abend_rc, int) or isinstance(abend_rc, bool) or not 1 <= abend_rc <= 4095:
        raise JobDefinitionError(f"{source}: {where}: key abend_rc: a return code 1..4095, got {abend_rc!r}")
    executor = str(raw.get("executor") or "any").lower()
    if executor not in ("any", "local", "cluster"):
        raise JobDefinitionError(f"{source}: {where}: key executor: local or cluster, got {executor!r}")
    when = raw.get("when")
    if when is not None:
        when = str(when)
        from engine.job.conditions import parse_when
        parse_when(when, where=f"{source}: {where}: key when")
    cond = raw.get("cond")
    if cond is not None:
        from engine.job.conditions import parse_cond
        parse_cond(cond, where=f"{source}: {where}: key cond")
    dds_raw = raw.get("dd") or {}
    if not isinstance(dds_raw, dict):
        raise JobDefinitionError(f"{source}: {where}: key dd: a mapping of DD name: definition")
    dds = {}
    for ddname, spec in dds_raw.items():
        ddname = str(ddname)
        if not NAME_RE.match(ddname):
            raise JobDefinitionError(f"{source}: {where}: dd {ddname!r}: not a valid DD name")
        dds[ddname.upper()] = parse_dd(ddname.upper(), spec, f"{source}: {where}: dd {ddname}")
    return StepDef(name=sname, program=program, parm=parm, when=when, cond=cond, dd=dds,
                   abend_rc=abend_rc, description=str(raw.get("description") or ""), executor=executor)


def parse_dd(name: str, spec: object, where: str) -> DDDef:
    dd = DDDef(name=name)
    if isinstance(spec, str):           # inline data, like DD * (SYSIN)
        dd.inline = spec
        return dd
    if isinstance(spec, list):          # concatenation: [{dsn: A}, {dsn: B}]
        if not spec:
            raise JobDefinitionError(f"{where}: an empty list names no dataset",
                                     hint="write {dsn: NAME}, a list [{dsn: A}, {dsn: B}], or dummy: true")
        for i, part in enumerate(spec, 1):
            if not isinstance(part, dict) or set(part) - {"dsn", "path"} or len(part) != 1:
                raise JobDefinitionError(f"{where}: concatenation entry #{i}: write {{dsn: NAME}} or {{path: FILE}}")
            if "dsn" in part:
                dd.dsns.append(_dsn(part["dsn"], f"{where}: concatenation entry #{i}"))
            else:
                dd.paths.append(str(part["path"]))
        if dd.dsns and dd.paths:
            raise JobDefinitionError(f"{where}: a concatenation is all dsn: or all path:, not both")
        return dd
    if not isinstance(spec, dict):
        raise JobDefinitionError(f"{where}: a DD is a mapping (dsn:, disp:, …), a list (concatenation) "
                                 f"or a string (inline data)")
    for key in spec:
        if key not in DD_KEYS:
            raise JobDefinitionError(f"{where}: unknown key {key!r}",
                                     hint="allowed keys: " + ", ".join(sorted(DD_KEYS)))
    kinds = [k for k in ("dsn", "path", "dummy", "sysout", "inline") if spec.get(k) not in (None, False)]
    if len(kinds) != 1:
        raise JobDefinitionError(f"{where}: give exactly one of dsn:, path:, dummy: true, sysout:, inline: "
                                 f"(got {', '.join(kinds) or 'none'})")
    for key in ("dsn", "path"):
        if isinstance(spec.get(key), list) and not spec[key]:
            raise JobDefinitionError(f"{where}: key {key}: an empty list names no dataset",
                                     hint=f"write {key}: NAME, or a list of them for a concatenation")
    if "dsn" in spec:
        value = spec["dsn"]
        values = value if isinstance(value, list) else [value]
        dd.dsns = [_dsn(v, f"{where}: key dsn") for v in values]
    if "path" in spec:
        value = spec["path"]
        dd.paths = [str(v) for v in (value if isinstance(value, list) else [value])]
    if spec.get("dummy"):
        if spec["dummy"] is not True:
            raise JobDefinitionError(f"{where}: key dummy: write dummy: true")
        dd.dummy = True
    if spec.get("sysout") is not None:
        dd.sysout = str(spec["sysout"])
    if spec.get("suffix") is not None:
        dd.suffix = str(spec["suffix"])
        if dd.sysout is None:
            raise JobDefinitionError(f"{where}: key suffix: names a SYSOUT file's kind; this DD is not sysout:",
                                     hint="write {sysout: A, suffix: pdf}, or give the file a path: with its own name")
        if not SUFFIX_RE.match(dd.suffix):
            raise JobDefinitionError(f"{where}: key suffix: {dd.suffix!r} is not a file suffix",
                                     hint="1 to 8 lower-case letters or digits, without the dot: pdf, png, csv")
    if spec.get("inline") is not None:
        dd.inline = str(spec["inline"])
    if "disp" in spec:
        dd.status, dd.normal, dd.abnormal = parse_disp(spec["disp"], f"{where}: key disp")
        if dd.status == "MOD" and len(dd.dsns) + len(dd.paths) > 1:
            raise JobDefinitionError(f"{where}: a concatenation cannot be written (disp MOD)")
    for key in ("copybook", "encoding", "dialect"):
        if spec.get(key) is not None:
            setattr(dd, key, str(spec[key]))
    if spec.get("recfm") is not None:
        recfm = str(spec["recfm"]).upper()
        if recfm not in RECFMS:
            raise JobDefinitionError(f"{where}: key recfm: {spec['recfm']!r} is not one of {', '.join(sorted(RECFMS))}")
        dd.recfm = recfm
    if spec.get("gdgorder") is not None:
        order = str(spec["gdgorder"]).upper()
        if order not in GDG_ORDERS or "dsn" not in spec:
            raise JobDefinitionError(f"{where}: key gdgorder: {spec['gdgorder']!r}: write LIFO (newest generation "
                                     f"first, the default) or FIFO (oldest first), on a DD whose dsn: is a GDG base")
        dd.gdgorder = order
    if spec.get("like") is not None:
        if "dsn" not in spec and "path" not in spec:
            raise JobDefinitionError(f"{where}: key like: is for a new dataset (dsn: or path:)")
        dd.like = _dsn(spec["like"], f"{where}: key like")
    if spec.get("lrecl") is not None:
        lrecl = spec["lrecl"]
        if not isinstance(lrecl, int) or isinstance(lrecl, bool) or not 1 <= lrecl <= 1_048_576:
            raise JobDefinitionError(f"{where}: key lrecl: a record length in bytes, got {lrecl!r}")
        dd.lrecl = lrecl
    return dd


def parse_disp(value: object, where: str) -> tuple[str, str | None, str | None]:
    """disp: SHR | [NEW, CATLG, DELETE] | 'NEW,CATLG,DELETE' | '(MOD,KEEP)'."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.strip().strip("()").split(",")]
    elif isinstance(value, list):
        parts = ["" if p is None else str(p).strip() for p in value]
    else:
        raise JobDefinitionError(f"{where}: write disp: SHR or disp: [NEW, CATLG, DELETE]")
    if not 1 <= len(parts) <= 3:
        raise JobDefinitionError(f"{where}: disp has at most three parts (status, normal, abnormal)")
    parts = [p.upper() for p in parts] + [""] * (3 - len(parts))
    status, normal, abnormal = parts
    if status not in STATUSES:
        raise JobDefinitionError(f"{where}: status {status or '(empty)'!r} is not one of NEW, OLD, SHR, MOD")
    for label, d in (("normal", normal), ("abnormal", abnormal)):
        if d and d not in DISPOSITIONS:
            raise JobDefinitionError(f"{where}: {label} disposition {d!r} is not one of "
                                     + ", ".join(sorted(DISPOSITIONS)))
    if abnormal == "PASS":
        raise JobDefinitionError(f"{where}: PASS is not an abnormal disposition (use KEEP, DELETE, CATLG, UNCATLG)")
    return status, normal or None, abnormal or None


BACKREF_RE = re.compile(r"^\*\.([A-Za-z#@$][A-Za-z0-9#@$_-]*)\.([A-Za-z#@$][A-Za-z0-9#@$_-]*)$")


def _dsn(value: object, where: str) -> str:
    text = str(value).strip() if value is not None else ""
    if BACKREF_RE.match(text):          # *.STEP.DD: the dataset of an earlier step's DD
        return text.upper()
    check = PARAM_RE.sub("X", text)
    if not DSN_RE.match(check):
        raise JobDefinitionError(f"{where}: {text!r} is not a dataset name (A.B.C, A.B(+1), &&TEMP)")
    return text


def check_program(program: str, where: str) -> None:
    module = program.split(":", 1)[0]
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise JobDefinitionError(f"{where}: program module {module!r} not found",
                                 hint="a program is a Python module with def run(step) -> int, on the "
                                      "job library path (DENSAN_JOBS) or installed; or SORT/ICEMAN/DFSORT/SYNCSORT")


def _ensure_import_path(extra: Path | None) -> None:
    """Program modules live beside the jobs: put each job library (and its parent, so
    `jobs.collection.x` resolves) on sys.path."""
    roots = list(job_path())
    if extra is not None:
        roots.insert(0, extra)
    for root in roots:
        for p in (root, root.parent):
            s = str(p.resolve()) if p.exists() else None
            if s and s not in sys.path:
                sys.path.append(s)


# ---------------------------------------------------------------- parameters

def resolve_params(defaults: dict[str, str], overrides: dict[str, str], *,
                   today: _dt.date | None = None, calendar=None) -> dict[str, str]:
    """Job params with --param overrides. The value `today` (also today-N / today+N) becomes
    the date as YYYYMMDD; `now` becomes YYYYMMDDHHMMSS. A value may then name another param
    as in a PARM ({date}, {date:%Y%m}) or move a date param through the city calendar
    ({date|month+1|end|open}: see `date_steps`)."""
    params = dict(defaults)
    params.update(overrides)
    today = today or _dt.date.today()
    out = {}
    for k, v in params.items():
        m = re.fullmatch(r"\s*today\s*(?:([+-])\s*(\d+))?\s*", v, re.IGNORECASE)
        if m:
            d = today
            if m.group(1):
                delta = _dt.timedelta(days=int(m.group(2)))
                d = d + delta if m.group(1) == "+" else d - delta
            v = d.strftime("%Y%m%d")
        elif v.strip().lower() == "now":
            v = _dt.datetime.now().strftime("%Y%m%d%H%M%S")
        out[k] = v
    plain = {k: v for k, v in out.items() if "{" not in v}
    for k, v in out.items():
        if "{" in v:
            where = f"param {k}={v!r}"
            v = DATE_STEPS_RE.sub(lambda m: date_steps(plain, m.group(1), m.group(2), where, calendar), v)
            out[k] = substitute(v, plain, where)
    return out


DATE_STEPS_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\|([^{}]+)\}")


def date_steps(params: dict[str, str], name: str, steps: str, where: str, calendar=None) -> str:
    """{date|month+1|end|open}: the YYYYMMDD param `name` moved step by step, left to right:
    month+N / month-N (the same day N months on, at most that month's end), end (the
    month's last day), day+N / day-N (calendar days), open (on an open day of the city
    calendar, else the next one), open- (else the one before), open+N / open-N (N open days
    after / before, the day itself not counted: a debit day 3 open days after a request
    night is {date|open+3}); a last step nendo gives
    the fiscal year YYYY (April to March) instead of the date. E.g. a bill due at the end
    of the next month, moved to an open day: {date|month+1|end|open}."""
    if name not in params:
        raise JobDefinitionError(f"{where}: {{{name}|...}} is not a job param",
                                 hint="params are: " + (", ".join(sorted(params)) or "(none)"))
    try:
        d = _dt.datetime.strptime(params[name], "%Y%m%d").date()
    except ValueError:
        raise JobDefinitionError(f"{where}: {{{name}|{steps}}} moves a date, but {name} is {params[name]!r}",
                                 hint="give the param as YYYYMMDD (or today)") from None
    parts = [s.strip() for s in steps.split("|")]
    for i, step in enumerate(parts):
        m = re.fullmatch(r"(month|day)\s*([+-])\s*(\d+)", step)
        if m:
            n = int(m.group(3)) * (1 if m.group(2) == "+" else -1)
            if m.group(1) == "day":
                d += _dt.timedelta(days=n)
            else:
                y, mo = divmod(d.year * 12 + d.month - 1 + n, 12)
                d = _dt.date(y, mo + 1, min(d.day, _month_end(y, mo + 1).day))
        elif step == "end":
            d = _month_end(d.year, d.month)
        elif re.fullmatch(r"open\s*[+-]\s*\d+", step):
            if calendar is None:
                from engine.calendar import default_calendar
                calendar = default_calendar()
            d = calendar.add_open_days(d, int(step[4:].replace(" ", "")))
        elif step in ("open", "open-"):
            if calendar is None:
                from engine.calendar import default_calendar
                calendar = default_calendar()
            d = calendar.roll_forward(d) if step == "open" else calendar.roll_back(d)
        elif step == "nendo" and i == len(parts) - 1:
            return f"{d.year if d.month >= 4 else d.year - 1:04d}"
        else:
            raise JobDefinitionError(f"{where}: {step!r} is not a date step",
                                     hint="steps: month+N, month-N, day+N, day-N, end, open, open-, open+N, open-N, "
                                          "and nendo last, separated by |")
    return d.strftime("%Y%m%d")


def _month_end(year: int, month: int) -> _dt.date:
    first_of_next = _dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - _dt.timedelta(days=1)


def substitute(text: str, params: dict[str, str], where: str, *, strict: bool = True) -> str:
    """Replace {name} with the param's value, {name:%Y-%m-%d} with a YYYYMMDD param reformatted
    (any strftime pattern). An unknown {name} is an error (left as written in inline data
    when not strict)."""
    def repl(m: re.Match) -> str:
        key, fmt = m.group(1), m.group(2)
        if key not in params:
            if not strict:
                return m.group(0)
            raise JobDefinitionError(f"{where}: {{{key}}} is not a job param",
                                     hint="params are: " + (", ".join(sorted(params)) or "(none)")
                                     + "; add it under params: or pass --param " + key + "=VALUE")
        value = params[key]
        if fmt is None:
            return value
        try:
            return _dt.datetime.strptime(value, "%Y%m%d").strftime(fmt)
        except ValueError:
            raise JobDefinitionError(f"{where}: {{{key}:{fmt}}} formats a date, but {key} is {value!r}",
                                     hint="give the param as YYYYMMDD (or today)") from None
    return PARAM_RE.sub(repl, text)
