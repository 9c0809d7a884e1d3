"""`densan scheduler` (the service) and `densan schedule …` (plan, why, status and the
operators' actions, which work while the scheduler runs)."""
from __future__ import annotations

import datetime as dt
import json
import sys

import click

from engine.errors import DensanError


def _fail(exc: DensanError, what: str) -> None:
    click.echo(f"densan {what}: {exc}", err=True)
    sys.exit(exc.exit_code)


def _date(value: str | None) -> str:
    from engine.schedule.state import opday_text
    return opday_text(value or dt.date.today())


def _guard(what: str):
    def deco(fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **kw):
            try:
                return fn(*a, **kw)
            except DensanError as exc:
                _fail(exc, what)
        return wrapper
    return deco


# ====================================================================== the service

@click.command("scheduler")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks at the state.")
@click.option("--from", "first", default=None, metavar="DATE",
              help="First operating day to plan when this home was never scheduled (default: the current one).")
@click.option("--until", default=None, metavar="DATE",
              help="Catch-up: plan up to DATE as if every start time had passed (tests, a night missed).")
@click.option("--exit-when-idle", is_flag=True, help="Exit when nothing runs and nothing can start.")
def scheduler(poll: float, first: str | None, until: str | None, exit_when_idle: bool) -> None:
    """Run the scheduler in the foreground (a service: one per DENSAN_HOME, SIGTERM stops it).

    \b
    It plans each root jobnet's runs day by day (its schedule rules on the city calendar),
    starts them when their start time, start conditions (a file in the inbox, a new
    generation), connectors and exclusions allow, starts each unit when its predecessors
    ended as its relations ask, and flags end delays and predicted ones. State is in
    $DENSAN_HOME/schedule.db, written before each start: killed with -9 and started again
    it resumes the night without running anything twice.

    \b
    systemd:  ExecStart=/path/to/venv/bin/densan scheduler
              Environment=DENSAN_HOME=/srv/densan   KillMode=process   Restart=always
    """
    from engine.schedule.service import serve
    try:
        rc = serve(poll=poll, first=dt.date.fromisoformat(_date(first)) if first else None,
                   until=dt.date.fromisoformat(_date(until)) if until else None,
                   exit_when_idle=exit_when_idle, log=lambda m: click.echo(m))
    except DensanError as exc:
        _fail(exc, "scheduler")
    sys.exit(rc)


# ====================================================================== densan schedule

@click.group("schedule")
def schedule() -> None:
    """The nightly schedule: plans, statuses and the operators' actions (JP1/AJS3-style)."""


@schedule.command("plan")
@click.option("--month", default=None, metavar="YYYY-MM", help="The month to plan (default: this month).")
@click.option("--year", type=int, default=None, help="A whole year instead.")
@click.option("--jobnet", default=None, help="Only this root jobnet.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.option("--units", "with_units", is_flag=True,
              help="Under each run, what each unit does that day: runs, runs if its input is there, bypassed.")
@_guard("schedule plan")
def plan_cmd(month: str | None, year: int | None, jobnet: str | None, as_json: bool, with_units: bool) -> None:
    """The planned runs of a month: operating day, jobnet, start, deadline, and the rule."""
    from engine.schedule import state as S
    if year:
        rows = S.plan_year(year, jobnet=jobnet)
    else:
        month = month or dt.date.today().strftime("%Y-%m")
        try:
            y, m = (int(x) for x in month.split("-"))
            dt.date(y, m, 1)
        except ValueError:
            raise S.ScheduleError(f"--month {month!r}: write YYYY-MM, e.g. 2026-01") from None
        rows = S.plan(month, jobnet=jobnet)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    click.echo(f"{'DATE':<10} {'DAY':<3} {'JOBNET':<10} {'START':<16} {'DEADLINE':<16} WHY")
    for r in rows:
        d = dt.date.fromisoformat(r["date"])
        click.echo(f"{r['date']:<10} {d.strftime('%a'):<3} {r['jobnet']:<10} {r['start']:<16} "
                   f"{r['deadline'] or '':<16} {r['why']}")
        for u in r["unit_plan"] if with_units else []:
            click.echo(f"{'':<15}{u['unit']:<12} {u['job']:<9} {u['plan']}" + (f"  ({u['why']})" if u["why"] else ""))
    click.echo(f"-- {len(rows)} planned run(s)")


@schedule.command("why")
@click.argument("jobnet")
@click.argument("date")
@_guard("schedule why")
def why_cmd(jobnet: str, date: str) -> None:
    """Which rule puts JOBNET on DATE (or why it does not run that day)."""
    from engine.schedule import state as S
    click.echo(S.why(jobnet, date))


def _status_line(u: dict) -> str:
    rc = "" if u["rc"] is None else f"RC={u['rc']:04d}"
    return (f"  {u['unit']:<22} {u['job']:<10} {u['status']:<19} {rc:<8} {u['abend'] or '':<6} "
            f"{u['job_run'] or '':<9} {(u['started'] or '')[11:19]:<8} {(u['ended'] or '')[11:19]:<8}")


@schedule.command("status")
@click.option("--date", default=None, help="Operating day (default: today).")
@click.option("--jobnet", default=None)
@click.option("--json", "as_json", is_flag=True)
@_guard("schedule status")
def status_cmd(date: str | None, jobnet: str | None, as_json: bool) -> None:
    """Every jobnet run of an operating day and each unit's status (JP1's statuses: waiting,
    held, running, ended-normally, ended-with-warning, ended-abnormally, bypassed, killed, skipped)."""
    from engine.schedule import state as S
    runs = S.status(_date(date), jobnet=jobnet)
    if as_json:
        click.echo(json.dumps(runs, ensure_ascii=False, indent=1))
        return
    if not runs:
        click.echo(f"no jobnet runs for {_date(date)}")
    for r in runs:
        flags = (" HELD" if r["held"] else "") + (" LATE" if r["late"] else "")
        click.echo(f"{r['jobnet']} {r['opday']} run {r['id']} ({r['kind']}): {r['status'].upper()}{flags}"
                   f"  start {r['start_after'] or 'now'}  deadline {r['deadline'] or '-'}"
                   + (f"  predicted end {r['predicted_end']}" if r["predicted_end"] else ""))
        click.echo(f"  {'UNIT':<22} {'JOB':<10} {'STATUS':<19} {'RC':<8} {'ABEND':<6} {'JOB RUN':<9} {'START':<8} END")
        for u in r["units"]:
            click.echo(_status_line(u))


def _action(name: str, help_text: str, *, unit_required: bool = False, reason_required: bool = False):
    def deco(fn):
        fn = click.option("--why", default="", help="Why (kept in the history with who did it).")(fn)
        fn = click.option("--date", default=None, help="Operating day (default: today).")(fn)
        fn = click.option("--run", "run_id", type=int, default=None, help="A jobnet run id (from status).")(fn)
        fn = click.argument("unit", required=unit_required)(fn)
        fn = click.argument("jobnet")(fn)
        return schedule.command(name, help=help_text)(_guard(f"schedule {name}")(fn))
    return deco


@_action("hold", "Hold a unit (or a nested jobnet's units), or the whole jobnet run if no UNIT: it does "
                 "not start until released. --on-abnormal: hold the unit's followers only if it ends abnormally.")
@click.option("--on-abnormal", is_flag=True)
def hold_cmd(jobnet, unit, run_id, date, why, on_abnormal):
    from engine.schedule import state as S
    if on_abnormal:
        if not unit:
            raise S.ScheduleError("--on-abnormal needs a UNIT")
        with S.State() as st:
            run = S._require_run(st, jobnet, _date(date), run_id=run_id)
            u = S._require_unit(st, run, unit)
            with st.tx() as db:
                db.execute("UPDATE units SET hold_on_abnormal = 1 WHERE run = ? AND unit = ?", (run["id"], u["unit"]))
                st.event(db, "hold-on-abnormal", jobnet=run["jobnet"], opday=run["opday"], unit=u["unit"], why=why)
        click.echo(f"{jobnet.upper()} {unit}: its followers are held if it ends abnormally")
        return
    done = S.hold(jobnet, _date(date), unit, why=why, run_id=run_id)
    click.echo(f"held: {', '.join(done)}")


@_action("release", "Release a hold (a unit, a nested jobnet's units, or the jobnet run and all its units).")
def release_cmd(jobnet, unit, run_id, date, why):
    from engine.schedule import state as S
    click.echo(f"released: {', '.join(S.release(jobnet, _date(date), unit, why=why, run_id=run_id))}")


@_action("rerun", "Rerun a jobnet run: --from failed (the failed jobs, each restarted at its failed step), "
                  "after (skip the failed jobs, go on after them), top (everything again; with UNIT: that unit and "
                  "the ones after it), warnings (the jobs that ended with a warning).")
@click.option("--from", "mode", type=click.Choice(["failed", "after", "top", "warnings"]), default="failed",
              show_default=True)
def rerun_cmd(jobnet, unit, run_id, date, why, mode):
    from engine.schedule import state as S
    done = S.rerun(jobnet, _date(date), mode, unit=unit, why=why, run_id=run_id)
    click.echo(f"rerun ({mode}): {', '.join(done)} — the scheduler starts them"
               " (or `densan run JOBNET --restart` for a foreground run)")


@_action("kill", "Kill a running unit (or every running unit of the run): ABEND S222, status killed.")
def kill_cmd(jobnet, unit, run_id, date, why):
    from engine.schedule import state as S
    click.echo(f"killed: {', '.join(S.kill(jobnet, _date(date), unit, why=why, run_id=run_id))}")


@_action("skip", "Mark a unit ended normally without running it (needs --why; logged with who).",
         unit_required=True)
def skip_cmd(jobnet, unit, run_id, date, why):
    from engine.schedule import state as S
    click.echo(f"skipped: {', '.join(S.skip(jobnet, _date(date), unit, why=why, run_id=run_id)) or 'nothing'}")


@schedule.command("run-now")
@click.argument("jobnet")
@click.option("--date", default=None, help="Operating day (default: today).")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE")
@click.option("--why", default="")
@_guard("schedule run-now")
def run_now_cmd(jobnet: str, date: str | None, params: tuple[str, ...], why: str) -> None:
    """An unplanned run of JOBNET for an operating day; the running scheduler starts it at once."""
    from engine.schedule import state as S
    kv = dict(p.split("=", 1) for p in params if "=" in p)
    rid = S.run_now(jobnet, _date(date), why=why, params=kv)
    click.echo(f"{jobnet.upper()} {_date(date)}: run {rid} created (run-now)")


@schedule.command("gantt")
@click.option("--date", default=None, help="Operating day (default: today).")
@click.option("--width", default=60, show_default=True)
@_guard("schedule gantt")
def gantt_cmd(date: str | None, width: int) -> None:
    """The night on one chart: a bar per unit from its start to its end (or now)."""
    from engine.schedule import state as S
    bars = S.gantt(_date(date))
    ts = dt.datetime.fromisoformat
    started = [ts(b["start"]) for b in bars if b["start"]]
    if not started:
        click.echo(f"nothing has started on {_date(date)}")
        return
    t0 = min(started)
    t1 = max([ts(b["end"]) if b["end"] else dt.datetime.now() for b in bars if b["start"]] + [t0])
    span = max((t1 - t0).total_seconds(), 1.0)
    marks = {S.NORMAL: "=", S.WARNING: "w", S.ABNORMAL: "X", S.KILLED: "K", S.RUNNING: ">", S.SKIPPED: "s"}
    click.echo(f"{'JOBNET/UNIT':<28} {t0:%H:%M:%S}{' ' * (width - 16)}{t1:%H:%M:%S}")
    for b in bars:
        line = [" "] * width
        if b["start"]:
            a = int((ts(b["start"]) - t0).total_seconds() / span * (width - 1))
            e = int(((ts(b["end"]) if b["end"] else t1) - t0).total_seconds() / span * (width - 1))
            for i in range(a, max(a, e) + 1):
                line[i] = marks.get(b["status"], "-")
        click.echo(f"{(b['jobnet'] + '/' + b['unit'])[:28]:<28} {''.join(line)} {b['status']}")


@schedule.command("history")
@click.option("--jobnet", default=None)
@click.option("--date", default=None)
@click.option("-n", "--limit", default=50, show_default=True)
@_guard("schedule history")
def history_cmd(jobnet: str | None, date: str | None, limit: int) -> None:
    """Who did what, when and why (operators and the scheduler), newest first."""
    from engine.schedule import state as S
    for e in S.history(jobnet, _date(date) if date else None, limit=limit):
        click.echo(f"{e['at']} {e['who']:<10} {e['action']:<16} {e['jobnet'] or '':<10} {e['opday'] or '':<10} "
                   f"{e['unit'] or '':<16} {e['why'] or ''} {('[' + e['detail'] + ']') if e['detail'] else ''}")


@schedule.command("calendar")
@click.option("--year", type=int, default=None, help="Year to show (default: this year).")
@click.option("--diff", "new_file", default=None, metavar="FILE",
              help="Show what a new calendar file would change in the year's plan.")
@click.option("--install", is_flag=True, help="With --diff: after showing the diff, make FILE the site calendar.")
@_guard("schedule calendar")
def calendar_cmd(year: int | None, new_file: str | None, install: bool) -> None:
    """The city calendar's closed days; --diff FILE shows the change of the year's plan first."""
    import shutil

    from engine.calendar import calendar_path, load_calendar
    from engine.schedule.engine import plan_diff
    year = year or dt.date.today().year
    cal = load_calendar()
    if not new_file:
        click.echo(f"calendar {cal.source or '(national holidays + 12/29-1/3; no site file)'} — closed days of {year}:")
        for d, why in cal.closed_days_of_year(year):
            if d.weekday() < 5 or "site" in why or "holiday" in why:
                click.echo(f"  {d} {d.strftime('%a')} {why}")
        return
    new = load_calendar(new_file)
    lines = plan_diff(cal, new, year)
    click.echo(f"plan of {year} with {new_file} instead of {cal.source or 'the national calendar'}:")
    for line in lines:
        click.echo("  " + line)
    click.echo(f"-- {sum(1 for x in lines if x[0] == '-')} run(s) removed, {sum(1 for x in lines if x[0] == '+')} added")
    if install:
        target = calendar_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.copy2(target, target.with_suffix(".yaml.bak"))
        shutil.copyfile(new_file, target)
        click.echo(f"installed as {target} (the previous one kept as {target.with_suffix('.yaml.bak').name})")


@schedule.command("accept-base-time")
@click.argument("jobnet")
@click.option("--why", default="")
@_guard("schedule accept-base-time")
def accept_base_time(jobnet: str, why: str) -> None:
    """Accept a changed base time of JOBNET: operating days already planned stay as they are
    (none is planned or run twice); later days follow the new base time."""
    from engine.schedule import state as S
    from engine.schedule.jobnet import format_time, load_jobnet
    net = load_jobnet(jobnet)
    with S.State() as st:
        old = st.get_meta(f"base_time:{net.name}")
        with st.tx() as db:
            st.set_meta(db, f"base_time:{net.name}", format_time(net.base_time))
            st.event(db, "accept-base-time", jobnet=net.name, why=why, detail=f"{old} -> {format_time(net.base_time)}")
    click.echo(f"{net.name}: base time {old} -> {format_time(net.base_time)} accepted; days already planned are kept")
