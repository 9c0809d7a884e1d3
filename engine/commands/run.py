"""`densan run JOB`, `densan runs`, `densan log RUN`."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.errors import DensanError, JobDefinitionError

RUN_HELP = """Run job JOB (found as JOB.yaml along DENSAN_JOBS, or a path to a YAML file).

\b
Exit status:
  0-249  the job's highest step return code (MAXRC; above 249 shown as 249)
  250    a step abended (S0C7 data exception, U4000 program failure, Unnnn …)
  251    JCL error: the job definition, an option or an allocation is wrong
  2      other densan errors (catalog cannot be opened …)

A step returning RC >= its abend_rc (default 16) fails like an abend for its datasets
(new ones deleted, nothing catalogued; JCL would need an abend for that); later steps
still see its RC. Params: the value today (today-N, today+N) becomes YYYYMMDD; write
{date:%Y-%m-%d} in parm/dsn/path/SYSIN for another format.

\b
Examples:
  densan run SHUNOD --param date=20250131
  densan run SHUNOD --dd MASTER-IN=old.dat --dd POST.MASTER-OUT=new.dat --parm 20250131
  densan run SHUNOD --restart POST        (or --restart '*': where the last run stopped)
  densan run SHUNO01 --dd MASTER-OUT=new.dat --disp MASTER-OUT=OLD   (new.dat exists: replace it)
"""


@click.command("run", help=RUN_HELP)
@click.argument("job")
@click.option("--dd", "dds", multiple=True, metavar="[STEP.]NAME=PATH",
              help="Use a plain file for a DD (every step with that DD, or one step); repeat NAME for a "
                   "concatenation; NAME=DUMMY for a dummy DD. Outputs are still written atomically.")
@click.option("--disp", "disps", multiple=True, metavar="[STEP.]NAME=STATUS",
              help="Give a DD an explicit DISP (OLD replaces an existing file at a normal end, MOD extends "
                   "it, SHR reads it); a NEW DD never replaces a file that exists.")
@click.option("--parm", default=None, help="Replace the PARM of the job's program steps.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE", help="Override a job param (date=today …).")
@click.option("--restart", default=None, metavar="STEP",
              help="Restart at STEP (earlier steps skipped, their catalogued outputs used); '*' = the step "
                   "where the last run of the job stopped.")
@click.option("-q", "--quiet", is_flag=True, help="Do not echo the job log (it is still written).")
@click.option("--cluster", default=None, metavar="tcp://HOST:8786",
              help="Run the partitionable steps on this Dask cluster (default: DENSAN_CLUSTER; "
                   "'local' = here). Needs pip install 'densan[cluster]'.")
def run(job: str, dds: tuple[str, ...], disps: tuple[str, ...], parm: str | None, params: tuple[str, ...], restart: str | None,
        quiet: bool, cluster: str | None) -> None:
    from engine.cluster import cluster_address
    from engine.job.runner import EXIT_JCL_ERROR, run_job

    try:
        kv = {}
        for item in params:
            k, sep, v = item.partition("=")
            if not sep or not k.strip():
                raise JobDefinitionError(f"--param {item!r}: write --param KEY=VALUE")
            kv[k.strip()] = v
        from engine.job.definition import find_job
        from engine.schedule.jobnet import is_jobnet_file
        if is_jobnet_file(find_job(job)):           # a jobnet: run it once in the foreground
            _run_jobnet(job, kv, restart, quiet, dds, parm)
        result = run_job(job, dd=list(dds), disp=list(disps), parm=parm, params=kv, restart=restart,
                         echo=None if quiet else click.echo, cluster=cluster_address(cluster))
    except JobDefinitionError as exc:
        click.echo(f"densan run: JCL ERROR: {exc}", err=True)
        sys.exit(EXIT_JCL_ERROR)
    except DensanError as exc:
        click.echo(f"densan run: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(result.exit_code)


def _run_jobnet(name: str, params: dict[str, str], restart: str | None, quiet: bool, dds, parm) -> None:
    """`densan run NIGHTLY --param date=20260105`: every unit of the jobnet, as the scheduler
    would run them for that operating day (date= is the operating day; default today)."""
    import datetime as dt

    from engine.schedule import state as S
    from engine.schedule.service import run_jobnet

    if dds or parm:
        raise JobDefinitionError(f"{name} is a jobnet: --dd and --parm apply to jobs; give --param KEY=VALUE")
    date = params.get("date") or dt.date.today().strftime("%Y%m%d")
    extra = {k: v for k, v in params.items() if k != "date"}
    status, rid = run_jobnet(name, date, params=extra or None, restart=bool(restart),
                             echo=(lambda m: None) if quiet else click.echo)
    click.echo(f"JOBNET {name.upper()} {S.opday_text(date)} run {rid}: {status.upper()}")
    sys.exit({S.NORMAL: 0, S.WARNING: 4, S.SKIPPED: 0}.get(status, 8))


@click.command("runs")
@click.option("--job", default=None, help="Only this job.")
@click.option("-n", "--limit", default=20, show_default=True, help="How many runs, newest first.")
def runs(job: str | None, limit: int) -> None:
    """List job runs: id, job, start, end, return code, status."""
    from engine.job.catalog import Catalog
    cat = Catalog()
    try:
        cat.recover()
        rows = cat.runs(job.upper() if job else None, limit)
        click.echo(f"{'RUN':<9} {'JOB':<10} {'START':<19} {'END':<19} {'RC':>5} {'STATUS':<9} RESTART")
        for r in rows:
            rc = r["abend"] or ("" if r["rc"] is None else f"{r['rc']:04d}")
            restart = f"{r['restart_step']} of {r['restart_of']}" if r["restart_step"] else ""
            click.echo(f"{r['run_id']:<9} {r['job']:<10} {r['start'] or '':<19} {r['end'] or '':<19} {rc:>5} "
                       f"{r['status']:<9} {restart}")
    finally:
        cat.close()


@click.command("log")
@click.argument("run_id")
@click.option("--sysout", is_flag=True, help="Also print the SYSOUT files (reports) of the run.")
def log(run_id: str, sysout: bool) -> None:
    """Show the job log of RUN (J0000042, or 42, or a job name for its latest run); the record
    counts of every DD follow it."""
    from engine.job.catalog import Catalog
    from engine.job.sysout import sysout_files
    cat = Catalog()
    try:
        row = cat.run(run_id)
        if row is None:
            latest = cat.runs(run_id.upper(), limit=1)
            row = latest[0] if latest else None
        if row is None:
            click.echo(f"densan log: no run {run_id}", err=True)
            sys.exit(2)
        path = Path(row["log_path"])
        if path.exists():
            click.echo(path.read_text(encoding="utf-8"), nl=False)
        else:
            click.echo(f"(job log {path} is missing)")
        counts = cat.db.execute("SELECT * FROM step_dds WHERE run_id = ?", (row["run_id"],)).fetchall()
        if counts:
            click.echo("-- DD record counts --")
            for c in counts:
                click.echo(f"  {c['step']:<10} {c['dd']:<12} IN={c['records_read']:<10} "
                           f"OUT={c['records_written']:<10} {c['dsn']}")
        if sysout:
            for f in sysout_files(cat.logs_dir / row["run_id"]):
                if f.is_text:
                    click.echo(f"-- SYSOUT {f.name} --")
                    click.echo(f.path.read_text(encoding="utf-8", errors="replace"), nl=False)
                else:
                    click.echo(f"-- SYSOUT {f.name} ({f.suffix}, {f.path.stat().st_size:,} bytes): {f.path} --")
    finally:
        cat.close()
