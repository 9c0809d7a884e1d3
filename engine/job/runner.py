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
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.errors import EncodeError, JobDefinitionError, RecordError
from engine.job import gdg as gdgmod
from engine.job.catalog import Catalog, now
from engine.job.allocation import Allocation
from engine.job.conditions import Outcome, parse_cond, parse_when, should_run
from engine.job.crashpoints import crash_point
from engine.job.definition import (BACKREF_RE, DDDef, JobDef, StepDef, load_job, resolve_params,
                                   substitute)
from engine.job.disposition import StepEnd
from engine.job.joblog import JobLog, format_step_end
from engine.job.locks import DatasetLocks
from engine.job.step import Abend, StepContext

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


def parse_disp_overrides(items: list[str]) -> list[tuple[str | None, str, tuple]]:
    """`[STEP.]NAME=STATUS[,NORMAL[,ABNORMAL]]`: the user's explicit DISP for a DD."""
    from engine.job.definition import parse_disp
    out = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise JobDefinitionError(f"--disp {item!r}: write --disp NAME=OLD or --disp STEP.NAME=MOD")
        step, _, name = key.strip().rpartition(".")
        out.append((step.upper() or None, name.upper(), parse_disp(value, f"--disp {item}")))
    return out


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


class JobRunner(Allocation, StepEnd):
    def __init__(self, job: JobDef, *, dd_overrides: list[tuple[str | None, str, list[str]]] = (),
                 parm: str | None = None, params: dict[str, str] | None = None, restart: str | None = None,
                 echo: Callable[[str], None] | None = None, home: Path | None = None,
                 cluster: str | None = None,
                 disp_overrides: list[tuple[str | None, str, tuple]] = ()):
        self.job = job
        self.cluster = cluster              # a cluster address (engine.cluster), None: local
        self._executor = None
        self.overrides = list(dd_overrides)
        self.disp_overrides = list(disp_overrides)
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
        self.gdg_bases: dict[str, list[str]] = {}          # a GDG base read whole -> its generations
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
                new = dataclasses.replace(old, dsns=[], paths=[], dummy=False, sysout=None, suffix=None, inline=None,
                                          override=True)
                if len(values) == 1 and values[0].upper() in ("DUMMY", "NULLFILE"):
                    new.dummy = True
                else:
                    new.paths = [str(Path(v).expanduser().absolute()) for v in values]
                if old.dsns and not old.status:
                    # keep the direction the definition implies: an output stays an output
                    new.status = self._default_status_of(old, step, steps)
                    new.implied_status = True
                new.orig_dsns = list(old.dsns)
                new.print_file = bool(old.sysout) or old.print_file
                step.dd[ddname] = new
        for step_name, ddname, disp in self.disp_overrides:
            targets = [s for s in steps if (step_name is None or s.name.upper() == step_name) and ddname in s.dd]
            if not targets:
                raise JobDefinitionError(f"--disp {(step_name + '.') if step_name else ''}{ddname}: no step of job "
                                         f"{self.job.name} has that DD")
            for step in targets:
                status, normal, abnormal = disp
                old = step.dd[ddname]
                replace = status == "OLD" and old.status in (None, "NEW")
                if replace:         # an output stays an output: written aside, renamed over the file
                    status = old.status
                step.dd[ddname] = dataclasses.replace(old, status=status, normal=normal or old.normal,
                                                      abnormal=abnormal or old.abnormal, implied_status=False,
                                                      replace_existing=replace)
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

    def _default_status_of(self, ddef: DDDef, step: StepDef, steps: list[StepDef]) -> str:
        """The DISP status a --dd file takes when the DD it replaces gives none: as the dataset
        would have had (NEW when this step is the first to name a dataset not catalogued)."""
        dsn = gdgmod.normalize(substitute(ddef.dsns[0], self.params, "dsn"))
        rel = gdgmod.split_relative(dsn)
        if rel is not None:
            return "NEW" if rel[1] > 0 and self._first_user(dsn, steps) is step else "SHR"
        if not dsn.startswith("&&") and self.catalog.get(dsn) is not None:
            return "SHR"
        return "NEW" if self._first_user(dsn, steps) is step else "SHR"

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
                    if ddef.status is None and rel is None and self.catalog.get(dsn) is None \
                            and self.catalog.gdg(dsn) is None:
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
                if ddef.like:
                    refs.append((gdgmod.normalize(substitute(ddef.like, self.params, where)), f"{where}: like", False))
        made_by_override = {gdgmod.normalize(substitute(r, self.params, "dsn")) for step in steps
                            for d in step.dd.values() if d.status in ("NEW", "MOD") for r in d.orig_dsns}
        refs = [(dsn, where, strict and dsn not in made_by_override) for dsn, where, strict in refs]
        refs.sort(key=lambda r: not r[2])           # references still in use first
        for dsn, where, strict in refs:
            rel = gdgmod.split_relative(dsn)
            if rel is None:
                self._resolve_base(dsn, where, strict, previous)
                continue
            if dsn in self.gdg_map:
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

    def _resolve_base(self, dsn: str, where: str, strict: bool, previous: dict) -> None:
        """A DD naming a GDG base reads every generation catalogued at job start (z/OS
        concatenates them all; see gdg.all_generations), fixed for the whole job like a
        relative number: generations catalogued later by this job, or by another job after
        this one started, are not part of it, so a DISP=(OLD,DELETE) on the base deletes
        exactly what the job read. A restart reuses the first run's list."""
        if dsn.startswith("&&") or dsn.startswith("*.") or dsn in self.gdg_bases:
            return
        if isinstance(previous.get(dsn), list):
            self.gdg_bases[dsn] = list(previous[dsn])
            return
        if self.catalog.gdg(dsn) is None:
            return
        gens = [d.dsn for d in self.catalog.generations(dsn)]
        if not gens and strict:
            raise JobDefinitionError(f"{where}: {dsn} is a GDG base (every generation) and has no generations",
                                     hint=f"nothing was written to {dsn} since it was last read; catalog one "
                                          f"(densan catalog import '{dsn}(+1)' FILE), or start the job only when "
                                          f"there is one (a jobnet unit's needs: [{dsn}])")
        self.gdg_bases[dsn] = gens

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
            crash_point("job-start")
            self._resolve_gdgs(steps, previous.get("gdg_map", {}))
            self.catalog.db.execute("UPDATE runs SET gdg_map = ? WHERE run_id = ?",
                                    (json.dumps({**self.gdg_map, **self.gdg_bases}), self.run_id))
            for rel, absolute in self.gdg_map.items():
                log(f"  GDG {rel} = {absolute}")
            for base, gens in self.gdg_bases.items():
                log(f"  GDG {base} = ALL {len(gens)} GENERATION(S)" + (": " + ", ".join(gens) if gens else ""))
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
                    return self._temp_creator(s, steps), info
            raise JobDefinitionError(f"--restart: run {prev['run_id']} of job {self.job.name} ended every step; "
                                     f"there is nothing to restart", hint="run the job again without --restart")
        for s in steps:
            if s.name.upper() == self.restart.upper():
                return s.name, info
        raise JobDefinitionError(f"--restart {self.restart}: job {self.job.name} has no such step",
                                 hint="steps are: " + ", ".join(s.name for s in steps))

    def _temp_creator(self, step: StepDef, steps: list[StepDef]) -> str:
        """Where `--restart *` restarts: the step that stopped, or, when it reads a && temporary
        an earlier step made, that earlier step (a temporary lives only within one run, so the
        host operator restarts at the step that creates it). E.g. SHUNOD's POST reads &&TRNSRT:
        a rerun after POST failed sorts again, then posts."""
        index = {s.name.upper(): i for i, s in enumerate(steps)}
        at = index[step.name.upper()]
        changed = True
        while changed:
            changed = False
            for ddef in steps[at].dd.values():
                for raw in ddef.dsns:
                    if not raw.startswith("&&"):
                        continue
                    makers = [i for i in range(at) for d in steps[i].dd.values() if raw in d.dsns
                              and d.status in ("NEW", "MOD")]
                    if makers and makers[0] < at:
                        at, changed = makers[0], True
        return steps[at].name

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
        started = now()
        log(f"STEP {step.name} PGM={step.program} STARTED")
        try:
            allocs = self._allocate(step)
        except JobDefinitionError:
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
                          params=self.params, run_id=self.run_id, dds={a.dd.name: a.dd for a in allocs}, log=log,
                          home=self.home)
        crash_point("before-program", step.name)
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
        crash_point("after-program", step.name)
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
        func = self._on_cluster(step, module, func)
        try:
            rc = func(ctx)
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 16)
        if rc is None:
            rc = 0
        if isinstance(rc, bool) or not isinstance(rc, int) or not 0 <= rc <= 4095:
            raise Abend("U4000", f"program {step.program} returned {rc!r}, not a return code 0..4095")
        return rc

    def _on_cluster(self, step: StepDef, module, func):
        """The program's partitioned form when the job runs on a cluster and the program
        declares one (run_partitioned(step, executor)), unless the step says executor: local."""
        partitioned = getattr(module, "run_partitioned", None)
        if self.cluster is None or step.executor == "local" or partitioned is None:
            if self.cluster is not None and step.executor != "local":
                self.log(f"  STEP {step.name} RUNS LOCALLY: program {step.program} is not partitionable")
            return func
        if self._executor is None:
            from engine.cluster.executor import executor_for
            self._executor = executor_for(self.cluster)
        executor = self._executor
        self.log(f"  STEP {step.name} PARTITIONED ON {executor.name.upper()} {self.cluster}")
        return lambda ctx: partitioned(ctx, executor)

    # ================================================================ job end
    def _end_job(self, status: str, locks: DatasetLocks) -> None:
        log = self.log
        try:
            crash_point("job-end")
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
            if self._executor is not None:
                self._executor.close()
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
            echo: Callable[[str], None] | None = None, home: Path | None = None,
            cluster: str | None = None, disp: list[str] = ()) -> JobResult:
    """Run a job (a JobDef, a job name found along DENSAN_JOBS, or a YAML path).

    dd: ["[STEP.]NAME=path", …] overrides; disp: ["[STEP.]NAME=OLD", …] the user's explicit
    DISP of a DD (how an existing file is replaced or extended); parm replaces the PARM of program steps;
    params override the job's params; restart: a step name, or "*" for where the last run stopped."""
    jobdef = load_job(job) if isinstance(job, str) else job
    overrides = parse_dd_overrides(list(dd)) if dd and isinstance(list(dd)[0], str) else list(dd)
    return JobRunner(jobdef, dd_overrides=overrides, parm=parm, params=params, restart=restart, echo=echo,
                     home=home, cluster=cluster,
                     disp_overrides=parse_disp_overrides(list(disp))).run()
