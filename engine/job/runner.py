"""Running a job: allocation, conditions, program steps, dispositions, restart, history.

Decisions (see also the module docstrings of conditions, gdg, locks, catalog):

- A step "fails" when its program abends (an exception) or returns RC >= its `abend_rc`
  (default 16). A failed step takes the abnormal disposition. On the host only an abend does;
  densan deviates because the legacy programs end unrecoverable errors (SHUNO01: a sequence
  error) with RC 16 and must not leave a new master catalogued. Later steps still see the RC
  (not an abend) in their conditions, and the job is restartable at the failed step.
- Abend codes: RecordError / EncodeError (bad data) -> S0C7; engine.job.Abend(code) -> its
  code; any other exception -> U4000 (the message, and where it was raised, go to the job log).
- A NEW dataset left by a failed step is deleted unless the abnormal disposition says
  otherwise explicitly (JCL would apply the normal disposition); nothing partial is catalogued.
- `disp` omitted: NEW when the dataset does not exist yet and this is the first step of the
  job to name it (a && temporary, a (+n) generation, an uncatalogued name), else SHR. Normal disposition omitted: PASS for
  && temporaries, DELETE for other new datasets (JCL), KEEP for existing ones. KEEP of a new
  dataset catalogues it (as on an SMS-managed host).
- Outputs are written to a temporary beside the final file and renamed in the step-end
  transaction (catalog/journal commit first, then renames; see catalog.py).
- GDG relative numbers are resolved once per job after the locks are held. A restart reuses
  the resolution of the run it restarts: a generation a skipped step created as (+1) is the
  same dataset the host would now call (0), and (0) still means what the first run read, so a
  restart produces what an uninterrupted run would have.
"""
from __future__ import annotations

import copy
import dataclasses
import importlib
import json
import os
import resource
import shutil
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.errors import DensanError, EncodeError, JobDefinitionError, RecordError
from engine.job import gdg as gdgmod
from engine.job.catalog import Catalog, Dataset, dataset_info, now, run_alive
from engine.job.conditions import Outcome, parse_cond, parse_when, should_run
from engine.job.definition import (BACKREF_RE, DDDef, JobDef, StepDef, load_job, resolve_params,
                                   substitute)
from engine.job.joblog import JobLog, format_step_end
from engine.job.locks import DatasetLocks
from engine.job.step import DD, Abend, StepContext

EXIT_ABEND = 250          # `densan run` exit code when the job abended
EXIT_JCL_ERROR = 251      # … when the job definition or an allocation is wrong
MAX_RC_EXIT = 249         # return codes above this are reported as 249


@dataclass
class StepResult:
    name: str
    status: str                  # ENDED FAILED ABEND BYPASSED NOT-RUN RESTART-SKIPPED JCLERR
    rc: int | None = None
    abend: str | None = None
    records_in: int = 0
    records_out: int = 0


@dataclass
class JobResult:
    run_id: str
    job: str
    status: str                  # COMPLETED FAILED ABENDED JCLERR
    max_rc: int = 0
    abend: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    log_path: Path | None = None

    @property
    def exit_code(self) -> int:
        if self.status == "JCLERR":
            return EXIT_JCL_ERROR
        if self.abend:
            return EXIT_ABEND
        return min(self.max_rc, MAX_RC_EXIT)


@dataclass
class _Alloc:
    """One DD of the running step, with what to do with it at step end."""
    dd: DD
    ddef: DDDef
    kind: str                    # dsn temp path dummy sysout inline
    status: str                  # NEW OLD SHR MOD
    dsn: str | None = None       # resolved (absolute) name
    final: Path | None = None    # where an output ends up
    temp: Path | None = None     # the temporary the program writes
    exists: bool = False         # the dataset existed before the step
    catalogued: bool = False


def parse_dd_overrides(items: list[str]) -> list[tuple[str | None, str, list[str]]]:
    """`[STEP.]NAME=path` (repeat NAME for a concatenation; NAME=DUMMY for a dummy DD)."""
    out: dict[tuple[str | None, str], list[str]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise JobDefinitionError(f"--dd {item!r}: write --dd NAME=path or --dd STEP.NAME=path")
        step, _, name = key.strip().rpartition(".")
        out.setdefault((step.upper() or None, name.upper()), []).append(value.strip())
    return [(s, n, v) for (s, n), v in out.items()]


def _crash_point(point: str, step: str | None = None) -> None:
    """Test-only: DENSAN_CRASH_AT=point[:STEP][,…] kills this process (SIGKILL) there."""
    spec = os.environ.get("DENSAN_CRASH_AT")
    if not spec:
        return
    for item in spec.split(","):
        p, _, s = item.strip().partition(":")
        if p == point and (not s or (step is not None and s.upper() == step.upper())):
            os.kill(os.getpid(), signal.SIGKILL)


class JobRunner:
    def __init__(self, job: JobDef, *, dd_overrides: list[tuple[str | None, str, list[str]]] = (),
                 parm: str | None = None, params: dict[str, str] | None = None, restart: str | None = None,
                 echo: Callable[[str], None] | None = None, home: Path | None = None):
        self.job = job
        self.overrides = list(dd_overrides)
        self.parm_override = parm
        self.params = resolve_params(job.params, dict(params or {}))
        self.restart = restart
        self.echo = echo
        self.catalog = Catalog(home)
        self.home = self.catalog.home
        self.history: dict[str, Outcome] = {}
        self.temps: dict[str, tuple[Path, DDDef]] = {}      # &&NAME -> file, creating DD
        self.passed: dict[str, tuple[Path, DDDef]] = {}     # new datasets passed, not catalogued
        self.redirects: dict[str, Path] = {}                # dsn -> plain file given by --dd
        self.gdg_map: dict[str, str] = {}
        self.results: list[StepResult] = []
        self.run_id = ""
        self.log: Callable[[str], None] = lambda m: None

    # ================================================================ setup
    def _apply_overrides(self) -> list[StepDef]:
        steps = copy.deepcopy(self.job.steps)
        names = {s.name.upper(): s for s in steps}
        for step_name, ddname, values in self.overrides:
            targets = [names.get(step_name)] if step_name else [s for s in steps if ddname in s.dd]
            if step_name and targets[0] is None:
                raise JobDefinitionError(f"--dd {step_name}.{ddname}: job {self.job.name} has no step {step_name}",
                                         hint="steps are: " + ", ".join(names))
            if not targets:
                raise JobDefinitionError(f"--dd {ddname}: no step of job {self.job.name} has DD {ddname}",
                                         hint="write --dd STEP.NAME=path to add a DD to one step")
            for step in targets:
                old = step.dd.get(ddname) or DDDef(name=ddname)
                new = dataclasses.replace(old, dsns=[], paths=[], dummy=False, sysout=None, inline=None,
                                          override=True)
                if len(values) == 1 and values[0].upper() in ("DUMMY", "NULLFILE"):
                    new.dummy = True
                else:
                    new.paths = [str(Path(v).expanduser().absolute()) for v in values]
                if old.dsns and not old.status:
                    # keep the direction the definition implies: an output stays an output
                    new.status = self._default_status_of(old, step, steps)
                new.orig_dsns = list(old.dsns)
                step.dd[ddname] = new
        self._resolve_backrefs(steps)
        return steps

    @staticmethod
    def _resolve_backrefs(steps: list[StepDef]) -> None:
        """*.STEP.DD becomes what that DD names (its dataset, or the file a --dd gave it)."""
        done: dict[str, StepDef] = {}
        for step in steps:
            for ddef in step.dd.values():
                if not any(d.startswith("*.") for d in ddef.dsns):
                    continue
                dsns, paths = [], []
                for d in ddef.dsns:
                    m = BACKREF_RE.match(d)
                    if m is None:
                        dsns.append(d)
                        continue
                    target = done[m.group(1)].dd[m.group(2)]
                    dsns += target.dsns
                    paths += target.paths
                    if target.override:
                        ddef.orig_dsns += target.orig_dsns
                if dsns and paths:
                    raise JobDefinitionError(f"step {step.name}: dd {ddef.name}: a concatenation of datasets "
                                             f"and --dd files cannot be read as one")
                ddef.dsns, ddef.paths = dsns, paths
            done[step.name.upper()] = step

    def _default_status_of(self, ddef: DDDef, step: StepDef, steps: list[StepDef]) -> str | None:
        """NEW when this step is the first to name a dataset that does not exist yet, else SHR."""
        dsn = gdgmod.normalize(substitute(ddef.dsns[0], self.params, "dsn"))
        rel = gdgmod.split_relative(dsn)
        if rel is not None:
            return "NEW" if rel[1] > 0 and self._first_user(dsn, steps) is step else "SHR"
        if dsn.startswith("&&"):
            return "NEW" if self._first_user(dsn, steps) is step else "SHR"
        return None         # a plain name: decided by whether the override file exists

    def _first_user(self, dsn: str, steps: list[StepDef]) -> StepDef | None:
        for s in steps:
            for d in s.dd.values():
                names = [gdgmod.normalize(substitute(x, self.params, "dsn")) for x in (d.dsns or d.orig_dsns)]
                if dsn in names:
                    return s
        return None

    def _lock_plan(self, steps: list[StepDef]) -> dict[str, bool]:
        wanted: dict[str, bool] = {}
        for step in steps:
            for ddef in step.dd.values():
                if ddef.paths or ddef.dummy or ddef.sysout or ddef.inline is not None:
                    continue
                for raw in ddef.dsns:
                    dsn = substitute(raw, self.params, f"step {step.name}: dd {ddef.name}: dsn")
                    if dsn.startswith("&&"):
                        continue
                    rel = gdgmod.split_relative(dsn)
                    name = rel[0] if rel else dsn
                    absolute = gdgmod.split_absolute(dsn)
                    if absolute and self.catalog.gdg(absolute[0]) is not None:
                        name = absolute[0]          # a generation by name: lock its GDG (roll-off)
                    exclusive = ddef.status in ("NEW", "OLD", "MOD") or (rel is not None and rel[1] > 0) \
                        or ddef.normal in ("DELETE", "UNCATLG") or ddef.abnormal in ("DELETE", "UNCATLG")
                    if ddef.status is None and rel is None and self.catalog.get(dsn) is None:
                        exclusive = True            # will be created
                    wanted[name] = wanted.get(name, False) or exclusive
        return wanted

    def _resolve_gdgs(self, steps: list[StepDef], previous: dict[str, str]) -> None:
        """Relative -> absolute generation names, once for the whole job. A reference that only
        appears in DDs replaced by --dd need not resolve (plain-file runs need no catalog)."""
        refs: list[tuple[str, str, bool]] = []
        for step in steps:
            for ddef in step.dd.values():
                where = f"step {step.name}: dd {ddef.name}"
                refs += [(gdgmod.normalize(substitute(r, self.params, where)), where, True) for r in ddef.dsns]
                refs += [(gdgmod.normalize(substitute(r, self.params, where)), where, False) for r in ddef.orig_dsns]
        made_by_override = {gdgmod.normalize(substitute(r, self.params, "dsn")) for step in steps
                            for d in step.dd.values() if d.status in ("NEW", "MOD") for r in d.orig_dsns}
        refs = [(dsn, where, strict and dsn not in made_by_override) for dsn, where, strict in refs]
        refs.sort(key=lambda r: not r[2])           # references still in use first
        for dsn, where, strict in refs:
            rel = gdgmod.split_relative(dsn)
            if rel is None or dsn in self.gdg_map:
                continue
            if dsn in previous:
                self.gdg_map[dsn] = previous[dsn]
                continue
            base, n = rel
            try:
                if self.catalog.gdg(base) is None:
                    raise JobDefinitionError(f"{where}: {base} is not a GDG base",
                                             hint=f"define it: densan catalog define-gdg {base} --limit N")
                gens = [d.generation for d in self.catalog.generations(base)]
                self.gdg_map[dsn] = gdgmod.resolve(base, n, gens, where)
            except JobDefinitionError:
                if strict:
                    raise

    def _start_run(self, restart_of: str | None) -> None:
        runs_dir = self.home / "runs"
        runs_dir.mkdir(exist_ok=True)
        import fcntl
        with self.catalog.transaction() as db:
            row = db.execute("SELECT COALESCE(MAX(run_no), 0) + 1 FROM runs").fetchone()
            self.run_id = f"J{row[0]:07d}"
            self._run_lock = open(runs_dir / f"{self.run_id}.lock", "w")
            fcntl.flock(self._run_lock, fcntl.LOCK_EX)
            self.log_path = self.catalog.logs_dir / f"{self.run_id}-{self.job.name}.log"
            db.execute("INSERT INTO runs (run_no, run_id, job, params, parm, overrides, start, status, restart_of, "
                       "restart_step, log_path, pid) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       (row[0], self.run_id, self.job.name, json.dumps(self.params), self.parm_override,
                        json.dumps(self.overrides), now(), "RUNNING", restart_of, self._restart_name,
                        str(self.log_path), os.getpid()))
        self.temp_dir = self.catalog.temp_dir / self.run_id
        self.catalog.add_pending(self.temp_dir, self.run_id)
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        self.sysout_dir = self.catalog.logs_dir / self.run_id
        self.joblog = JobLog(self.log_path, self.echo)
        self.log = self.joblog

    # ================================================================ run
    def run(self) -> JobResult:
        recovered = self.catalog.recover()
        steps = self._apply_overrides()
        self.steps = steps
        restart_step, previous = self._restart_plan(steps)
        self._restart_name = restart_step
        self._start_run(previous.get("run_id"))
        log = self.log
        status = "RUNNING"
        def say(message: str) -> None:          # waiting must be visible even with --quiet
            log(message)
            if self.echo is None:
                import sys
                print(f"densan: {self.job.name} {self.run_id}: {message}", file=sys.stderr, flush=True)
        locks = DatasetLocks(self.catalog.locks_dir, f"job {self.job.name} run {self.run_id} pid {os.getpid()}",
                             say=say)
        try:
            log(f"JOB {self.job.name} {self.run_id} STARTED" + (f" — {self.job.description}" if self.job.description else ""))
            log(f"  DEFINITION {self.job.source}")
            if self.params:
                log("  PARAMS " + " ".join(f"{k}={v}" for k, v in self.params.items()))
            if restart_step:
                log(f"  RESTART AT STEP {restart_step} (RESTARTS RUN {previous.get('run_id') or '—'})")
            for m in recovered + self.catalog.recover():
                log(m)
            locks.acquire(self._lock_plan(steps))
            for m in self.catalog.recover():        # a run that died while we waited
                log(m)
            _crash_point("job-start")
            self._resolve_gdgs(steps, previous.get("gdg_map", {}))
            self.catalog.db.execute("UPDATE runs SET gdg_map = ? WHERE run_id = ?",
                                    (json.dumps(self.gdg_map), self.run_id))
            for rel, absolute in self.gdg_map.items():
                log(f"  GDG {rel} = {absolute}")
            reached = restart_step is None
            for seq, step in enumerate(steps, 1):
                if not reached and step.name.upper() == restart_step.upper():
                    reached = True
                if not reached:
                    self._skip(seq, step, "RESTART-SKIPPED", f"NOT RUN: RESTART AT {restart_step}")
                    self.history[step.name.upper()] = Outcome(restart_skipped=True)
                    continue
                forced = restart_step is not None and step.name.upper() == restart_step.upper()
                self._run_step(seq, step, forced)
            status = self._job_status()
        except JobDefinitionError as exc:
            log(f"JCL ERROR: {exc}")
            status = "JCLERR"
            raise
        finally:
            self._end_job(status, locks)
        return self._result(status)

    def _restart_plan(self, steps: list[StepDef]) -> tuple[str | None, dict]:
        if not self.restart:
            return None, {}
        runs = self.catalog.runs(self.job.name, limit=1)
        prev = runs[0] if runs else None
        info: dict = {}
        if prev is not None:
            info["run_id"] = prev["run_id"]
            if prev["status"] != "COMPLETED" and prev["gdg_map"]:
                info["gdg_map"] = json.loads(prev["gdg_map"])
        if self.restart == "*":
            if prev is None:
                raise JobDefinitionError(f"--restart: job {self.job.name} has not run yet; there is nothing to restart")
            done = {r["step"].upper(): r["status"] for r in self.catalog.steps(prev["run_id"])}
            for s in steps:
                if done.get(s.name.upper()) not in ("ENDED", "BYPASSED", "RESTART-SKIPPED"):
                    return s.name, info
            raise JobDefinitionError(f"--restart: run {prev['run_id']} of job {self.job.name} ended every step; "
                                     f"there is nothing to restart", hint="run the job again without --restart")
        for s in steps:
            if s.name.upper() == self.restart.upper():
                return s.name, info
        raise JobDefinitionError(f"--restart {self.restart}: job {self.job.name} has no such step",
                                 hint="steps are: " + ", ".join(s.name for s in steps))

    def _job_status(self) -> str:
        if any(r.abend for r in self.results):
            return "ABENDED"
        if any(r.status == "FAILED" for r in self.results):
            return "FAILED"
        return "COMPLETED"

    def _result(self, status: str) -> JobResult:
        rcs = [r.rc for r in self.results if r.rc is not None]
        abends = [r.abend for r in self.results if r.abend]
        return JobResult(self.run_id, self.job.name, status, max(rcs) if rcs else 0,
                         abends[0] if abends else None, self.results, self.log_path)

    def _skip(self, seq: int, step: StepDef, status: str, reason: str) -> None:
        self.log(f"STEP {step.name} {reason}")
        self.results.append(StepResult(step.name, status))
        with self.catalog.transaction() as db:
            db.execute("INSERT INTO steps (run_id, seq, step, program, start, end, status) VALUES (?,?,?,?,?,?,?)",
                       (self.run_id, seq, step.name, step.program, now(), now(), status))

    # ================================================================ one step
    def _run_step(self, seq: int, step: StepDef, forced: bool) -> None:
        log = self.log
        if not forced:
            when = parse_when(step.when) if step.when else None
            cond = parse_cond(step.cond) if step.cond is not None else None
            ok, reason = should_run(when, cond, self.history)
            if not ok:
                self._skip(seq, step, "BYPASSED" if "BYPASSED" in reason else "NOT-RUN", reason)
                self.history[step.name.upper()] = Outcome(ran=False)
                return
        start_wall = time.time()
        started = now()
        log(f"STEP {step.name} PGM={step.program} STARTED")
        try:
            allocs = self._allocate(step)
        except JobDefinitionError as exc:
            self._abandon(step)
            with self.catalog.transaction() as db:
                db.execute("INSERT INTO steps (run_id, seq, step, program, start, end, status) "
                           "VALUES (?,?,?,?,?,?,?)", (self.run_id, seq, step.name, step.program, started, now(),
                                                      "JCLERR"))
            self.results.append(StepResult(step.name, "JCLERR"))
            raise
        parm = self.parm_override if (self.parm_override is not None and not step.is_sort) else \
            substitute(step.parm, self.params, f"step {step.name}: parm")
        if len(parm) > 100:
            log(f"  WARNING: PARM of step {step.name} is {len(parm)} characters; the host allows 100")
        ctx = StepContext(job_name=self.job.name, step_name=step.name, program=step.program, parm=parm,
                          params=self.params, run_id=self.run_id, dds={a.dd.name: a.dd for a in allocs}, log=log)
        _crash_point("before-program", step.name)
        rc, abend = None, None
        cpu0 = _cpu()
        t0 = time.monotonic()
        try:
            rc = self._call(step, ctx)
        except KeyboardInterrupt:
            abend = "S222"
            log(f"  ABEND S222: step {step.name} cancelled by the operator")
        except Abend as exc:
            abend = exc.code
            log(f"  ABEND {abend}: {exc}")
        except (RecordError, EncodeError) as exc:
            abend = "S0C7"
            log(f"  ABEND S0C7 (data exception): {exc}")
        except BaseException as exc:   # noqa: BLE001 — a program failure is an abend, not a crash
            abend = "U4000"
            where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            at = f" at {where.filename}:{where.lineno} in {where.name}" if where else ""
            log(f"  ABEND U4000: {type(exc).__name__}: {exc}{at}")
        cpu = _cpu() - cpu0
        elapsed = time.monotonic() - t0
        _crash_point("after-program", step.name)
        failed = abend is not None or (rc is not None and rc >= step.abend_rc)
        status = "ABEND" if abend else "FAILED" if failed else "ENDED"
        for a in allocs:
            self._count_output(a)
        rin = sum(a.dd.records_read for a in allocs)
        rout = sum(a.dd.records_written for a in allocs if not a.dd.sysout)
        log(format_step_end(step.name, step.program, rc, abend, rin, rout, cpu, elapsed))
        if status == "FAILED":
            log(f"  STEP {step.name} FAILED: RC {rc} >= {step.abend_rc}; ABNORMAL DISPOSITIONS TAKEN")
        lines = self._commit_step(seq, step, allocs, failed, started, rc, abend, cpu, elapsed)
        for line in lines:
            log(line)
        self.history[step.name.upper()] = Outcome(ran=True, rc=rc if not abend else None, abend=abend)
        self.results.append(StepResult(step.name, status, rc, abend, rin, rout))

    def _call(self, step: StepDef, ctx: StepContext) -> int:
        if step.is_sort:
            module = importlib.import_module("engine.sort.program")
            func = module.run
        else:
            modname, _, attr = step.program.partition(":")
            module = importlib.import_module(modname)
            func = getattr(module, attr or "run", None)
            if func is None:
                raise JobDefinitionError(f"step {step.name}: program {step.program} has no function "
                                         f"{attr or 'run'}(step)")
        try:
            rc = func(ctx)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 16)
        if rc is None:
            rc = 0
        if isinstance(rc, bool) or not isinstance(rc, int) or not 0 <= rc <= 4095:
            raise Abend("U4000", f"program {step.program} returned {rc!r}, not a return code 0..4095")
        return rc

    # ================================================================ allocation
    def _allocate(self, step: StepDef) -> list[_Alloc]:
        allocs = []
        for ddef in step.dd.values():
            where = f"step {step.name}: dd {ddef.name}"
            alloc = self._alloc_one(step, ddef, where)
            allocs.append(alloc)
            self._log_alloc(alloc)
        return allocs

    def _log_alloc(self, a: _Alloc) -> None:
        dd = a.dd
        if a.kind == "dummy":
            what = "DUMMY"
        elif a.kind == "sysout":
            what = f"SYSOUT={dd.sysout} {dd.path}"
        elif a.kind == "inline":
            what = f"INLINE DATA ({len((dd.inline or '').splitlines())} lines)"
        elif dd.paths and not a.temp:
            what = " + ".join(f"{a.dsn or ''} {p}".strip() if len(dd.paths) == 1 else str(p) for p in dd.paths)
            if len(dd.paths) > 1 and a.dsn:
                what = f"{a.dsn} (CONCATENATION) " + what
        else:
            what = f"{a.dsn or ''} {a.final}".strip()
        self.log(f"  ALLOC {dd.name:<10} {a.status:<4} {what}")

    def _dd(self, ddef: DDDef, **kw) -> DD:
        dd = DD(ddef.name, copybook=ddef.copybook, encoding=ddef.encoding, recfm=ddef.recfm, lrecl=ddef.lrecl,
                dialect=ddef.dialect, **kw)
        if dd.copybook and dd.lrecl is None and dd.recfm in ("F", "FB"):
            try:        # utilities (SORT) want the record length; the copybook gives it
                dd._layout_lrecl()
            except DensanError as exc:
                raise JobDefinitionError(f"step DD {ddef.name}: copybook {dd.copybook}: {exc}") from None
            except ImportError:
                pass
        return dd

    def _tempfile(self, final: Path, step: StepDef) -> Path:
        temp = final.with_name(f"{final.name}.densan-tmp.{self.run_id}.{step.name}")
        self.catalog.add_pending(temp, self.run_id)
        return temp

    def _alloc_one(self, step: StepDef, ddef: DDDef, where: str) -> _Alloc:
        if ddef.dummy:
            return _Alloc(self._dd(ddef, dummy=True, status=ddef.status or "SHR"), ddef, "dummy", ddef.status or "SHR")
        if ddef.sysout:
            self.sysout_dir.mkdir(parents=True, exist_ok=True)
            out = self.sysout_dir / f"{step.name}.{ddef.name}.txt"
            dd = self._dd(ddef, sysout=ddef.sysout, out_path=out, status="NEW")
            return _Alloc(dd, ddef, "sysout", "NEW", final=out)
        if ddef.inline is not None:
            text = substitute(ddef.inline, self.params, where, strict=False)
            f = self.temp_dir / f"{step.name}.{ddef.name}.inline"
            f.write_text(text, encoding="utf-8")
            return _Alloc(self._dd(ddef, inline=text, out_path=f, status="SHR"), ddef, "inline", "SHR")
        if ddef.paths:
            return self._alloc_paths(step, ddef, where)
        return self._alloc_dsns(step, ddef, where)

    def _alloc_paths(self, step: StepDef, ddef: DDDef, where: str) -> _Alloc:
        paths = [Path(substitute(p, self.params, where)).expanduser().absolute() for p in ddef.paths]
        exists = all(p.exists() for p in paths)
        status = ddef.status or ("SHR" if exists else "NEW")
        if status in ("NEW", "MOD", "OLD") and len(paths) > 1:
            raise JobDefinitionError(f"{where}: a concatenation is read only (disp {status})")
        if status in ("SHR", "OLD"):
            missing = [p for p in paths if not p.exists()]
            if missing:
                raise JobDefinitionError(f"{where}: file {missing[0]} does not exist",
                                         hint="check the path, or give disp: NEW for an output")
            dd = self._dd(ddef, dsn=None, paths=paths, status=status,
                          out_path=self._tempfile(paths[0], step) if status == "OLD" else None)
            return _Alloc(dd, ddef, "path", status, final=paths[0], temp=dd._out, exists=True)
        final = paths[0]
        final.parent.mkdir(parents=True, exist_ok=True)
        temp = self._tempfile(final, step)
        append = status == "MOD" and final.exists()
        if append:
            shutil.copyfile(final, temp)
        else:
            temp.write_bytes(b"")
        dd = self._dd(ddef, dsn=None, paths=[final] if append else [], out_path=temp, is_output=True,
                      append=append, status=status)
        for orig in ddef.orig_dsns:       # later steps reading this dataset read the file
            d = gdgmod.normalize(substitute(orig, self.params, where))
            self.redirects[self.gdg_map.get(d, d)] = final
        return _Alloc(dd, ddef, "path", status, final=final, temp=temp, exists=final.exists())

    def _lookup(self, dsn: str) -> tuple[Path | None, object]:
        """(file, attributes source) of an existing dataset: redirected, temporary, passed, catalogued."""
        if dsn in self.redirects:
            return self.redirects[dsn], None
        if dsn.startswith("&&"):
            t = self.temps.get(dsn)
            return (t[0], t[1]) if t else (None, None)
        if dsn in self.passed:
            return self.passed[dsn]
        ds = self.catalog.get(dsn)
        if ds is not None:
            return ds.path, ds
        return None, None

    def _alloc_dsns(self, step: StepDef, ddef: DDDef, where: str) -> _Alloc:
        names, written = [], []
        for raw in ddef.dsns:
            dsn = gdgmod.normalize(substitute(raw, self.params, f"{where}: dsn"))
            written.append(dsn)
            names.append(self.gdg_map.get(dsn, dsn))
        found = [self._lookup(n) for n in names]
        if len(names) > 1:
            if ddef.status not in (None, "SHR", "OLD"):
                raise JobDefinitionError(f"{where}: a concatenation is read only (disp {ddef.status})")
            for n, (p, _) in zip(names, found):
                if p is None:
                    raise self._not_found(where, n)
            dd = self._dd(ddef, dsn="+".join(names), paths=[p for p, _ in found], status=ddef.status or "SHR")
            self._inherit(dd, ddef, found[0][1])
            return _Alloc(dd, ddef, "dsn", dd.status, dsn=names[0], exists=True)
        dsn = names[0]
        path, src = found[0]
        exists = path is not None
        is_temp = dsn.startswith("&&")
        # disp omitted: NEW only where the job first names a dataset that does not exist yet
        status = ddef.status or ("NEW" if not exists and self._first_user(written[0], self.steps) is step
                                 else "SHR")
        if dsn in self.redirects:
            if status in ("NEW", "MOD", "OLD"):
                raise JobDefinitionError(f"{where}: {dsn} was redirected to {path} by --dd; override this DD too")
            dd = self._dd(ddef, dsn=dsn, paths=[path], status=status)
            return _Alloc(dd, ddef, "path", status, dsn=dsn, final=path, exists=True)
        if status in ("SHR", "OLD") and not exists:
            raise self._not_found(where, dsn)
        if status == "NEW" and exists:
            owner = f" (created by job {src.created_job} run {src.created_run})" if isinstance(src, Dataset) else ""
            raise JobDefinitionError(f"{where}: {dsn} already exists{owner}; disp NEW needs a new name",
                                     hint="use disp OLD or MOD to rewrite or extend it, or delete it first")
        kind = "temp" if is_temp else "dsn"
        if status in ("SHR", "OLD") or (status == "MOD" and exists):
            final = path
        elif is_temp:
            final = self.temp_dir / dsn[2:]
        else:
            final = self.catalog.dataset_file(dsn)
        temp = None
        if status in ("NEW", "MOD", "OLD"):
            final.parent.mkdir(parents=True, exist_ok=True)
            temp = self._tempfile(final, step)
            if status == "MOD" and exists:
                shutil.copyfile(final, temp)
            elif status != "OLD":
                temp.write_bytes(b"")
        is_output = status in ("NEW", "MOD")
        dd = self._dd(ddef, dsn=dsn, paths=[path] if exists else [], out_path=temp, is_output=is_output,
                      append=status == "MOD" and exists, status=status)
        self._inherit(dd, ddef, src)
        return _Alloc(dd, ddef, kind, status, dsn=dsn, final=final, temp=temp, exists=exists,
                      catalogued=isinstance(src, Dataset))

    def _not_found(self, where: str, dsn: str) -> JobDefinitionError:
        if dsn.startswith("&&"):
            hint = "a temporary dataset exists only within one run: restart at the step that creates it"
            return JobDefinitionError(f"{where}: temporary dataset {dsn} has not been created in this run", hint=hint)
        return JobDefinitionError(f"{where}: dataset {dsn} not found in the catalog",
                                  hint="densan catalog list shows what is catalogued; densan catalog import "
                                       "registers an existing file")

    @staticmethod
    def _inherit(dd: DD, ddef: DDDef, src) -> None:
        """A DD without its own attributes takes them from the catalog or the creating DD."""
        if src is None:
            return
        for attr in ("copybook", "lrecl", "dialect", "encoding", "recfm"):
            if getattr(ddef, attr) is None and getattr(src, attr, None) is not None:
                setattr(dd, attr, getattr(src, attr))

    def _count_output(self, a: _Alloc) -> None:
        dd = a.dd
        if a.temp is None or not a.temp.exists() or dd.records_written or dd._counted_write:
            return
        try:
            lrecl = dd._layout_lrecl()
        except Exception:   # noqa: BLE001 — without a usable copybook the count stays unknown
            lrecl = dd.lrecl
        size, records = dataset_info(a.temp, dd.recfm, lrecl)
        if records is not None:
            base = 0
            if dd.append and a.final is not None and a.final.exists():
                _, base = dataset_info(a.final, dd.recfm, dd.lrecl)
            dd.records_written = records - (base or 0)

    # ================================================================ step end
    def _commit_step(self, seq, step, allocs, failed, started, rc, abend, cpu, elapsed) -> list[str]:
        """All dispositions of the step, its history rows and GDG roll-off in one transaction;
        then the journalled renames and deletions."""
        lines: list[str] = []
        ops: list[tuple[str, Path, Path | None]] = []
        puts: list[Dataset] = []
        uncat: list[str] = []
        drop_pending: list[Path] = []
        new_pending: list[Path] = []
        after: list[Callable[[], None]] = []
        for a in allocs:
            self._disposition(step, a, failed, lines, ops, puts, uncat, drop_pending, new_pending, after)
        _crash_point("before-commit", step.name)
        with self.catalog.transaction() as db:
            for dsn in uncat:
                self.catalog.uncatalog(db, dsn)
            for ds in puts:
                self.catalog.put(db, ds)
            for ds in puts:
                if ds.gdg_base:
                    lines += self._roll_off(db, ds.gdg_base, [ds.generation], ops)
            for op, src, dst in ops:
                self.catalog.add_fileop(db, self.run_id, op, src, dst)
            for p in drop_pending:
                self.catalog.drop_pending(db, p)
            for p in new_pending:
                db.execute("INSERT OR REPLACE INTO pending (path, run_id) VALUES (?, ?)", (str(p), self.run_id))
            db.execute("INSERT INTO steps (run_id, seq, step, program, start, end, rc, abend, status, cpu, elapsed) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (self.run_id, seq, step.name, step.program, started, now(), rc, abend,
                        "ABEND" if abend else "FAILED" if failed else "ENDED", cpu, elapsed))
            for a in allocs:
                db.execute("INSERT INTO step_dds (run_id, step, dd, dsn, records_read, records_written) "
                           "VALUES (?,?,?,?,?,?)", (self.run_id, step.name, a.dd.name, a.dsn or
                                                   (str(a.final) if a.final else a.kind.upper()),
                                                   a.dd.records_read, a.dd.records_written))
        _crash_point("after-commit", step.name)
        self.catalog.do_fileops(self.run_id, crash=lambda p: _crash_point(p, step.name))
        for f in after:
            f()
        _crash_point("after-step", step.name)
        return lines

    def _disposition(self, step, a: _Alloc, failed, lines, ops, puts, uncat, drop_pending, new_pending, after):
        dd, ddef = a.dd, a.ddef
        if a.kind in ("dummy", "sysout", "inline"):
            if a.kind == "sysout" and a.final is not None and a.final.exists():
                lines.append(f"  SYSOUT {dd.name} CLASS={dd.sysout} {a.final}")
            return
        label = a.dsn or str(a.final)
        creating = a.status == "NEW" or (a.status == "MOD" and not a.exists)
        if not failed:
            disp = ddef.normal or ("PASS" if a.kind == "temp" and creating else
                                   "DELETE" if creating and a.kind != "path" else "KEEP")
        else:
            disp = ddef.abnormal or ("DELETE" if creating else "KEEP")
        temp = a.temp
        if a.kind == "path":                          # plain files: kept on a normal end, never catalogued
            if temp is None:
                return
            drop_pending.append(temp)
            keep_new = (not failed and disp != "DELETE") or (failed and ddef.abnormal in ("KEEP", "CATLG"))
            if keep_new and (a.status != "OLD" or dd.written):
                ops.append(("rename", temp, a.final))
                lines.append(f"  {label} {'WRITTEN' if not failed else 'KEPT (PARTIAL)'}")
            else:
                ops.append(("delete", temp, None))
                if creating or dd.written:
                    lines.append(f"  {label} NOT WRITTEN (STEP {'FAILED' if failed else 'DISP DELETE'})")
            return
        if creating:
            drop_pending.append(temp)
            if disp == "DELETE" or disp == "UNCATLG":
                ops.append(("delete", temp, None))
                lines.append(f"  {label} DELETED" + (" (STEP FAILED)" if failed else
                                                      "" if ddef.normal else " (NO NORMAL DISPOSITION GIVEN)"))
                return
            ops.append(("rename", temp, a.final))
            if disp == "PASS":
                if a.kind == "temp":
                    after.append(lambda: self.temps.__setitem__(a.dsn, (a.final, ddef)))
                else:
                    new_pending.append(a.final)
                    after.append(lambda: self.passed.__setitem__(a.dsn, (a.final, ddef)))
                lines.append(f"  {label} PASSED")
                return
            if a.kind == "temp":
                after.append(lambda: self.temps.__setitem__(a.dsn, (a.final, ddef)))
                lines.append(f"  {label} KEPT UNTIL JOB END (TEMPORARY)")
                return
            puts.append(self._dataset_row(step, a, temp))
            lines.append(f"  {label} CATALOGED" + (" (PARTIAL, ABNORMAL DISPOSITION)" if failed else ""))
            return
        # an existing dataset: OLD / SHR / MOD
        if temp is not None:
            drop_pending.append(temp)
            replace = not failed and disp != "DELETE" and (a.status == "MOD" or dd.written)
            if replace:
                ops.append(("rename", temp, a.final))
            else:
                ops.append(("delete", temp, None))
        else:
            replace = False
        passed_only = a.dsn in self.passed
        if disp == "DELETE":
            ops.append(("delete", a.final, None))
            if a.catalogued:
                uncat.append(a.dsn)
            elif a.kind == "temp":
                after.append(lambda: self.temps.pop(a.dsn, None))
            elif passed_only:
                drop_pending.append(a.final)
                after.append(lambda: self.passed.pop(a.dsn, None))
            lines.append(f"  {label} DELETED")
        elif disp == "UNCATLG":
            if a.catalogued:
                uncat.append(a.dsn)
            lines.append(f"  {label} UNCATALOGED")
        elif disp == "CATLG" and passed_only:
            drop_pending.append(a.final)
            after.append(lambda: self.passed.pop(a.dsn, None))
            src_def = self.passed[a.dsn][1]
            row = self._dataset_row(step, a, temp if replace else a.final, ddef=src_def)
            puts.append(row)
            lines.append(f"  {label} CATALOGED")
        elif replace:
            if a.catalogued:
                ds = self.catalog.get(a.dsn)
                size, records = dataset_info(temp, ds.recfm, ds.lrecl)
                ds.size, ds.records = size, records
                puts.append(ds)
            lines.append(f"  {label} {'EXTENDED' if a.status == 'MOD' else 'REWRITTEN'} AND KEPT")
        elif a.status in ("OLD", "MOD") or ddef.normal:
            lines.append(f"  {label} KEPT")

    def _dataset_row(self, step: StepDef, a: _Alloc, file: Path, ddef: DDDef | None = None) -> Dataset:
        ddef = ddef or a.ddef
        dd = a.dd
        lrecl = dd.lrecl
        if lrecl is None and dd.copybook and dd.recfm in ("F", "FB"):
            try:
                lrecl = dd._layout_lrecl()
            except Exception:   # noqa: BLE001 — the copybook layer may not be there; size still counts
                lrecl = None
        size = file.stat().st_size if file.exists() else 0
        records = dd.records_written if dd._counted_write or dd.records_written else dataset_info(file, dd.recfm, lrecl)[1]
        g = gdgmod.split_absolute(a.dsn)
        base = g[0] if g and self.catalog.gdg(g[0]) is not None else None
        return Dataset(dsn=a.dsn, path=a.final, copybook=dd.copybook, encoding=dd.encoding, recfm=dd.recfm,
                       lrecl=lrecl, dialect=dd.dialect, size=size, records=records, gdg_base=base,
                       generation=g[1] if base else None, created_job=self.job.name, created_step=step.name,
                       created_run=self.run_id, created_at=now())

    def _roll_off(self, db, base: str, new: list[int], ops) -> list[str]:
        lines = []
        g = self.catalog.gdg(base)
        for dsn, path, scratch in self.catalog.roll_off(db, base, new):
            if scratch:
                ops.append(("delete", path, None))
            lines.append(f"  {dsn} ROLLED OFF ({'SCRATCHED' if scratch else 'UNCATALOGED'}; GDG LIMIT {g.limit})")
        return lines

    def _abandon(self, step: StepDef) -> None:
        """Undo the temporaries of a step whose allocation failed."""
        rows = self.catalog.db.execute("SELECT path FROM pending WHERE run_id = ? AND path LIKE ?",
                                       (self.run_id, f"%.densan-tmp.{self.run_id}.{step.name}")).fetchall()
        for r in rows:
            Path(r["path"]).unlink(missing_ok=True)
            self.catalog.db.execute("DELETE FROM pending WHERE path = ?", (r["path"],))

    # ================================================================ job end
    def _end_job(self, status: str, locks: DatasetLocks) -> None:
        log = self.log
        try:
            _crash_point("job-end")
            for dsn, (path, _) in list(self.passed.items()):
                path.unlink(missing_ok=True)
                self.catalog.db.execute("DELETE FROM pending WHERE path = ?", (str(path),))
                log(f"  {dsn} DELETED AT JOB END (PASSED, NEVER CATALOGED)")
            if getattr(self, "temp_dir", None) is not None:
                shutil.rmtree(self.temp_dir, ignore_errors=True)
                self.catalog.db.execute("DELETE FROM pending WHERE run_id = ?", (self.run_id,))
                if self.temps:
                    log("  TEMPORARY DATASETS DELETED: " + ", ".join(sorted(self.temps)))
            res = self._result(status if status != "RUNNING" else "ABENDED")
            final = res.status
            self.catalog.db.execute("UPDATE runs SET end = ?, rc = ?, abend = ?, status = ? WHERE run_id = ?",
                                    (now(), res.max_rc, res.abend, final, self.run_id))
            end = f"ABEND={res.abend}" if res.abend else f"MAXRC={res.max_rc:04d}"
            log(f"JOB {self.job.name} {self.run_id} ENDED {end} STATUS {final}")
        finally:
            locks.release()
            if getattr(self, "_run_lock", None) is not None:
                lockfile = Path(self._run_lock.name)
                self._run_lock.close()
                lockfile.unlink(missing_ok=True)
            if getattr(self, "joblog", None) is not None:
                self.joblog.close()
            self.catalog.close()


def _cpu() -> float:
    s = resource.getrusage(resource.RUSAGE_SELF)
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def run_job(job: JobDef | str, *, dd: list[str] | list[tuple] = (), parm: str | None = None,
            params: dict[str, str] | None = None, restart: str | None = None,
            echo: Callable[[str], None] | None = None, home: Path | None = None) -> JobResult:
    """Run a job (a JobDef, a job name found along DENSAN_JOBS, or a YAML path).

    dd: ["[STEP.]NAME=path", …] overrides; parm replaces the PARM of program steps;
    params override the job's params; restart: a step name, or "*" for where the last run stopped."""
    jobdef = load_job(job) if isinstance(job, str) else job
    overrides = parse_dd_overrides(list(dd)) if dd and isinstance(list(dd)[0], str) else list(dd)
    return JobRunner(jobdef, dd_overrides=overrides, parm=parm, params=params, restart=restart, echo=echo,
                     home=home).run()
