"""Jobnets (ジョブネット): YAML beside the jobs, validated into a flat DAG of job units.

A jobnet file is found like a job (`NIGHTLY.yaml` along DENSAN_JOBS) and starts with
`jobnet:` instead of `job:`::

    jobnet: NIGHTLY
    description: the city's night
    schedule:                       # when it runs (rules: engine/schedule/rules.py)
      - every: open-day
    base_time: "08:00"              # an operating day runs 08:00 -> 08:00
    start: "20:00"                  # earliest start; "25:30" or "01:30" = the next morning
    deadline: "32:30"               # must end by 08:30 the next morning (end-delay)
    params: {date: "{opday}"}       # given to every job; {opday} = the operating day YYYYMMDD
    exclusive: [MONTHLY]            # never runs at the same time as these root jobnets
    after_jobnets: [BANKIN]         # connector: waits for that jobnet's run of the same day
    when:                           # start conditions, all must hold
      - file: inbox/BANK*.DAT       # a file arrives (relative to DENSAN_HOME)
      - dataset: CITY.SHUNO.TRAN    # a new generation since this jobnet's last run
    units:
      - job: SHUNOD                 # one line adds a job: it follows the unit above it
      - {job: RECOVER, after: {SHUNOD: abnormal}}
      - {name: TAX, jobnet: TAXNIGHT, after: [SHUNOD]}   # a nested jobnet
      - {job: REPORT, after: [], expected: 120, params: {mode: full}}
      - {job: KOTEIY, days: [{open_day: 1, months: [4]}]}  # only on its days; bypassed on others
      - {job: KONBINI1, needs: [CITY.KONBINI.CVSA]}  # only when its input is there; bypassed if not

`needs:` names datasets a unit reads: when its turn comes (its predecessors have ended),
the unit starts only if each is catalogued (a GDG base: has at least one generation), and
is bypassed otherwise, like a unit not on its days: JP1's file-arrival start condition for
one job, so a night with no file from an agent passes on without an abnormal end. It is
decided at start time, not at the jobnet's creation, because an earlier unit of the same
night may write the dataset (SHUNOD needs CITY.SHUNO.TRAN, which KONBINI1 writes).

Relations: a unit without `after:` follows the unit listed before it (a chain, so that adding
a job is one line); `after: []` starts with the jobnet; `after: [A, B]` waits for both;
`after: {A: abnormal}` makes it conditional on how A ended: `ok` (the default: normal or
warning), `normal` (RC 0), `warning`, `abnormal` (a recovery unit) or `end` (any end).

Nested jobnets are flattened: their units become `TAX/JOB` with the nested net's
predecessors in front of its first units and its last units in front of its successors.
Cycles are refused at load with the path of the cycle.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from engine.config import job_path
from engine.errors import DensanError

CONDITIONS = ("ok", "normal", "warning", "abnormal", "end")
JOBNET_KEYS = {"jobnet", "description", "schedule", "base_time", "start", "deadline", "params", "exclusive",
               "after_jobnets", "when", "units", "warning_rc", "hold"}
UNIT_KEYS = {"job", "jobnet", "name", "after", "params", "expected", "warning_rc", "hold",
             "hold_on_abnormal", "description", "days", "needs"}
NAME_RE = re.compile(r"^[A-Za-z#@$][A-Za-z0-9#@$_-]{0,31}$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
DSN_RE = re.compile(r"^[A-Za-z#@$][A-Za-z0-9#@$_-]*(\.[A-Za-z#@$][A-Za-z0-9#@$_-]*)*$")


class JobnetError(DensanError):
    """A jobnet definition that cannot be scheduled as written."""
    exit_code = 251


@dataclass
class Unit:
    """One job of a flattened jobnet."""
    path: str                                   # NIGHTLY's unit "SHUNOD", nested "TAX/TAXD"
    job: str
    after: list[tuple[str, str]] = field(default_factory=list)   # (predecessor path, condition)
    params: dict[str, str] = field(default_factory=dict)
    expected: float | None = None               # expected run time, seconds
    warning_rc: int = 4                          # RC 1..warning_rc = ended with warning
    hold: bool = False                           # held from the start (保留)
    hold_on_abnormal: bool = False               # hold the followers when this one ends abnormally
    days: list[dict] = field(default_factory=list)   # runs only on these rules' days, else bypassed
    needs: list[str] = field(default_factory=list)   # runs only if these datasets are catalogued


@dataclass
class StartCondition:
    kind: str                                   # file | dataset
    value: str


@dataclass
class Jobnet:
    name: str
    units: list[Unit]
    schedule: list[dict] = field(default_factory=list)
    base_time: int = 0                          # minutes after midnight
    start: int | None = None                    # minutes after the operating day's midnight (may be > 24h)
    deadline: int | None = None
    params: dict[str, str] = field(default_factory=dict)
    exclusive: list[str] = field(default_factory=list)
    after_jobnets: list[str] = field(default_factory=list)
    when: list[StartCondition] = field(default_factory=list)
    description: str = ""
    hold: bool = False
    source: str = "<string>"

    def unit(self, path: str) -> Unit:
        for u in self.units:
            if u.path.upper() == path.upper():
                return u
        raise JobnetError(f"jobnet {self.name} has no unit {path!r}",
                          hint="units are: " + ", ".join(u.path for u in self.units))

    def order(self) -> list[Unit]:
        """The units in an order where each comes after its predecessors."""
        return self.units


def parse_time(value, where: str) -> int:
    """'08:00' -> 480 minutes; '25:30' allowed (the next morning)."""
    m = TIME_RE.match(str(value).strip())
    if not m or int(m.group(2)) >= 60 or int(m.group(1)) >= 48:
        raise JobnetError(f"{where}: {value!r} is not a time", hint="write HH:MM, e.g. 08:00 or 25:30")
    return int(m.group(1)) * 60 + int(m.group(2))


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---------------------------------------------------------------- finding and loading

def is_jobnet_file(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                s = line.strip()
                if not s or s.startswith("#"):
                    continue
                return s.startswith("jobnet:")
    except (OSError, UnicodeDecodeError):
        return False
    return False


def jobnet_files() -> dict[str, Path]:
    """Every jobnet file along the job library (name -> path; the first one found wins)."""
    found: dict[str, Path] = {}
    for root in job_path():
        if not root.is_dir():
            continue
        for p in sorted(root.rglob("*.y*ml")):
            if p.suffix in (".yaml", ".yml") and p.stem.upper() not in found and is_jobnet_file(p):
                found[p.stem.upper()] = p
    return found


_DAY_START: dict[tuple, int] = {}


def day_start() -> int:
    """Minutes after midnight at which the site's operating day begins: the earliest base time
    of its jobnets (JP1's base time). The console and the departments' requests date an instant
    by it, so that they and the scheduler agree on which night it belongs to (with base time
    08:00, 07:30 is still the night before). Midnight for a library without jobnets; a jobnet
    that does not load is left out here (the scheduler reports it)."""
    files = jobnet_files()
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in files.values()))
    if stamp not in _DAY_START:
        starts = []
        for path in files.values():
            try:
                starts.append(load_jobnet(str(path)).base_time)
            except JobnetError:
                continue
        _DAY_START.clear()
        _DAY_START[stamp] = min(starts, default=0)
    return _DAY_START[stamp]


def find_jobnet(name: str) -> Path | None:
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        return p if is_jobnet_file(p) else None
    return jobnet_files().get(name.upper())


def load_jobnet(name: str, _stack: tuple[str, ...] = ()) -> Jobnet:
    path = find_jobnet(name)
    if path is None:
        raise JobnetError(f"jobnet {name} not found",
                          hint="a jobnet is NAME.yaml starting with 'jobnet:' along DENSAN_JOBS: "
                               + ", ".join(str(r) for r in job_path()))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise JobnetError(f"{path}: cannot read the jobnet: {exc.strerror}") from None
    return parse_jobnet(text, source=str(path), _stack=_stack)


def load_all() -> dict[str, Jobnet]:
    """Every root jobnet of the library, by name."""
    return {name: load_jobnet(str(path)) for name, path in jobnet_files().items()}


# ---------------------------------------------------------------- parsing

def parse_jobnet(text: str, *, source: str = "<string>", _stack: tuple[str, ...] = ()) -> Jobnet:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise JobnetError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise JobnetError(f"{source}: a jobnet is a mapping with jobnet: and units:")
    unknown = set(doc) - JOBNET_KEYS
    if unknown:
        raise JobnetError(f"{source}: unknown key(s) {sorted(unknown)}", hint="keys are: " + ", ".join(sorted(JOBNET_KEYS)))
    name = doc.get("jobnet")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise JobnetError(f"{source}: key jobnet: a name is required (letters, digits, -, _), got {name!r}")
    name = name.upper()
    if name in _stack:
        raise JobnetError(f"{source}: jobnet {name} contains itself: " + " -> ".join(_stack + (name,)))
    where = f"{source}: jobnet {name}"
    units_doc = doc.get("units")
    if not isinstance(units_doc, list) or not units_doc:
        raise JobnetError(f"{where}: units: must be a list of jobs or jobnets")
    warning_rc = _int(doc.get("warning_rc", 4), f"{where}: warning_rc")
    units = _flatten(units_doc, where, warning_rc, _stack + (name,))
    _check_dag(units, where)
    schedule = doc.get("schedule") or []
    if isinstance(schedule, dict):
        schedule = [schedule]
    if not isinstance(schedule, list):
        raise JobnetError(f"{where}: schedule: must be a list of rules")
    from engine.schedule.rules import validate_rule
    for i, rule in enumerate(schedule, 1):
        validate_rule(rule, f"{where}: schedule rule {i}")
    params = doc.get("params") or {}
    if not isinstance(params, dict):
        raise JobnetError(f"{where}: params: must be a mapping")
    when = []
    for i, c in enumerate(doc.get("when") or [], 1):
        if not isinstance(c, dict) or len(c) != 1 or next(iter(c)) not in ("file", "dataset"):
            raise JobnetError(f"{where}: when item {i}: write {{file: inbox/NAME*}} or {{dataset: DSN}}")
        kind, value = next(iter(c.items()))
        when.append(StartCondition(kind, str(value)))
    base = parse_time(doc.get("base_time", "00:00"), f"{where}: base_time")
    if base >= 24 * 60:
        raise JobnetError(f"{where}: base_time {doc['base_time']!r} must be before 24:00")
    start = _rel_time(doc.get("start"), base, f"{where}: start")
    deadline = _rel_time(doc.get("deadline"), base, f"{where}: deadline")
    while deadline is not None and deadline <= (start if start is not None else base):
        deadline += 24 * 60                     # "08:30" after a 20:00 start: the next morning
    return Jobnet(name=name, units=units, schedule=schedule, base_time=base, start=start, deadline=deadline,
                  params={str(k): str(v) for k, v in params.items()},
                  exclusive=[str(x).upper() for x in doc.get("exclusive") or []],
                  after_jobnets=[str(x).upper() for x in doc.get("after_jobnets") or []],
                  when=when, description=str(doc.get("description") or ""), hold=bool(doc.get("hold")),
                  source=source)


def _rel_time(value, base: int, where: str) -> int | None:
    """A clock time of the operating day: a time before the base time is the next morning."""
    if value is None:
        return None
    t = parse_time(value, where)
    return t + 24 * 60 if t < base else t


def _int(value, where: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise JobnetError(f"{where}: {value!r} is not a number") from None


def _relations(raw, where: str) -> list[tuple[str, str]] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, dict):
        raw = [{k: v} for k, v in raw.items()]
    if not isinstance(raw, list):
        raise JobnetError(f"{where}: after: must be a list of unit names or {{UNIT: condition}}")
    out = []
    for item in raw:
        if isinstance(item, dict):
            for k, v in item.items():
                cond = str(v).lower()
                if cond not in CONDITIONS:
                    raise JobnetError(f"{where}: after {k}: condition {v!r} is not one of {', '.join(CONDITIONS)}")
                out.append((str(k).upper(), cond))
        else:
            out.append((str(item).upper(), "ok"))
    return out


def _flatten(units_doc: list, where: str, warning_rc: int, stack: tuple[str, ...]) -> list[Unit]:
    """Units of this level; nested jobnets expanded in place."""
    level: list[tuple[str, list[Unit], list[tuple[str, str]] | None]] = []   # (name, units, after)
    names: set[str] = set()
    for i, item in enumerate(units_doc, 1):
        uw = f"{where}: unit {i}"
        if isinstance(item, str):
            item = {"job": item}
        if not isinstance(item, dict):
            raise JobnetError(f"{uw}: write '- job: NAME' or '- {{jobnet: NAME, after: [...]}}'")
        unknown = set(item) - UNIT_KEYS
        if unknown:
            raise JobnetError(f"{uw}: unknown key(s) {sorted(unknown)}", hint="keys are: " + ", ".join(sorted(UNIT_KEYS)))
        if ("job" in item) == ("jobnet" in item):
            raise JobnetError(f"{uw}: give exactly one of job: or jobnet:")
        target = str(item.get("job") or item.get("jobnet"))
        uname = str(item.get("name") or target).upper()
        if not NAME_RE.match(uname):
            raise JobnetError(f"{uw}: {uname!r} is not a unit name (letters, digits, -, _)")
        if uname in names:
            raise JobnetError(f"{uw}: unit name {uname} is used twice", hint="give one of them name: OTHER")
        names.add(uname)
        uw = f"{where}: unit {uname}"
        after = _relations(item.get("after"), uw)
        if "job" in item:
            params = item.get("params") or {}
            if not isinstance(params, dict):
                raise JobnetError(f"{uw}: params: must be a mapping")
            expected = item.get("expected")
            unit_days = item.get("days") or []
            if isinstance(unit_days, dict):
                unit_days = [unit_days]
            from engine.schedule.rules import validate_rule
            for k, rule in enumerate(unit_days, 1):
                validate_rule(rule, f"{uw}: days rule {k}")
            needs = item.get("needs") or []
            needs = [needs] if isinstance(needs, str) else needs
            if not isinstance(needs, list) or not all(isinstance(n, str) and DSN_RE.match(n) for n in needs):
                raise JobnetError(f"{uw}: needs: {item.get('needs')!r}: write a list of dataset names "
                                  f"(a GDG base: it needs a generation), e.g. needs: [CITY.KONBINI.CVSA]")
            u = Unit(path=uname, job=target.upper(), params={str(k): str(v) for k, v in params.items()},
                     expected=None if expected is None else float(_int(expected, f"{uw}: expected")),
                     warning_rc=_int(item.get("warning_rc", warning_rc), f"{uw}: warning_rc"),
                     hold=bool(item.get("hold")), hold_on_abnormal=bool(item.get("hold_on_abnormal")),
                     days=list(unit_days), needs=[n.upper() for n in needs])
            level.append((uname, [u], after))
        else:
            nested = load_jobnet(target, stack)
            inner = []
            for u in nested.units:
                if nested.schedule and not u.days:     # a nested jobnet's own rules: its units' days
                    u.days = list(nested.schedule)
                u.path = f"{uname}/{u.path}"
                u.after = [(f"{uname}/{p}", c) for p, c in u.after]
                u.params = {**nested.params, **u.params}
                inner.append(u)
            level.append((uname, inner, after))
    # relations of this level -> relations between job units
    by_name = {n: us for n, us, _ in level}
    out: list[Unit] = []
    prev: str | None = None
    for name, us, after in level:
        if after is None:
            after = [(prev, "ok")] if prev else []
        for p, _ in after:
            if p not in by_name:
                raise JobnetError(f"{where}: unit {name}: after {p}: no such unit at this level",
                                  hint="units are: " + ", ".join(by_name))
        inner_paths = {u.path for u in us}
        firsts = [u for u in us if not any(p in inner_paths for p, _ in u.after)]
        for u in firsts:
            for p, cond in after:
                for last in _lasts(by_name[p]):
                    u.after.append((last.path, cond))
        out.extend(us)
        prev = name
    return out


def _lasts(units: list[Unit]) -> list[Unit]:
    """Units of a group no other unit of the group follows (its ends)."""
    preds = {p for u in units for p, _ in u.after}
    return [u for u in units if u.path not in preds]


def _check_dag(units: list[Unit], where: str) -> None:
    """Refuse a cycle, naming its path; order the units so predecessors come first."""
    by = {u.path: u for u in units}
    state: dict[str, int] = {}
    order: list[Unit] = []

    def visit(path: str, trail: list[str]) -> None:
        s = state.get(path)
        if s == 2:
            return
        if s == 1:
            cycle = trail[trail.index(path):] + [path]
            raise JobnetError(f"{where}: the relations make a cycle: " + " waits for ".join(cycle),
                              hint="a unit cannot (indirectly) wait for itself; remove one after:")
        state[path] = 1
        for p, _ in by[path].after:
            visit(p, trail + [path])
        state[path] = 2
        order.append(by[path])

    for u in units:
        visit(u.path, [])
    units[:] = order
