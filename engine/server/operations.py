"""The acts of the console and the APIs, in one place so both apply the same rules and
audit the same way: request, sign, run, cancel, read a run, receive an output."""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from engine.job.catalog import Catalog
from engine.server import dept_requests as dr
from engine.server.access import (Forbidden, JobEntry, NotFound, can_read_outputs, can_see_job, mask,
                                  must_mask)
from engine.server.context import Services
from engine.server.launcher import cancel_run, start_job
from engine.server.outputs import Output, find_output, list_outputs
from engine.server.store import now_text
from engine.server.users import User


@dataclass
class Actor:
    user: User
    ip: str


# ---------------------------------------------------------------- requests

def submit_request(sv: Services, a: Actor, job: str, values: dict, when: str, date: str, purpose: str) -> dr.Request:
    entry = sv.job(job)
    if entry is None or not can_see_job(a.user, entry):
        raise NotFound(f"no job {job}")
    req = dr.submit(sv.store, a.user, entry, values, when, date, purpose)
    sv.audit(a.user, "request", what=f"request #{req.id} {req.job} {req.params} {req.when_kind} {req.run_date}",
             why=purpose, owner=req.section, ip=a.ip)
    return slot_request(sv, a, req)          # a job that needs no signature is slotted at once


def visible_request(sv: Services, a: Actor, request_id: int) -> dr.Request:
    req = dr.get(sv.store, request_id)
    if not dr.visible(a.user, req):
        raise Forbidden(f"request #{request_id} belongs to another section")
    return req


def sign_request(sv: Services, a: Actor, request_id: int, approve: bool, reason: str) -> dr.Request:
    req = visible_request(sv, a, request_id)
    entry = sv.job(req.job)
    if entry is None:
        raise NotFound(f"job {req.job} is no longer in the job library")
    if approve and dr.may_sign(a.user, req):
        done = {s["role"] for s in req.signatures} | {req.next_signer}
        if not [s for s in (entry.spec.approval if entry.spec else []) if s not in done]:
            # the last signature slots it: refuse it now if an exclusive jobnet is in the way
            conflict, _ = dr.exclusive_conflict(sv.home, req.job, _dt.date.fromisoformat(req.run_date), req.when_kind)
            if conflict:
                raise dr.RequestError(conflict, field="when")
    req = dr.sign(sv.store, a.user, req, entry, approve=approve, reason=reason)
    sv.audit(a.user, "approve" if approve else "reject", what=f"request #{req.id} {req.job} -> {req.status}",
             why=reason, owner=req.section, ip=a.ip)
    return slot_request(sv, a, req)


def slot_request(sv: Services, a: Actor, req: dr.Request) -> dr.Request:
    """A fully signed request goes into the scheduler (a one-unit run-now for its day)."""
    if req.status != "READY" or req.sched_run is not None:
        return req
    req = dr.slot(sv.store, req, a.user.username)
    if req.sched_run is not None:
        sv.audit(a.user, "slot", what=f"request #{req.id} {req.job} -> scheduler jobnet run {req.sched_run} "
                 f"(operating day {req.run_date})", why=req.purpose, owner=req.section, ip=a.ip)
    return req


def cancel_request(sv: Services, a: Actor, request_id: int, reason: str) -> dr.Request:
    req = visible_request(sv, a, request_id)
    if req.status in ("READY", "HELD"):
        dr.unslot(sv.store, req, a.user.username, f"request #{req.id} cancelled: {reason}")
    req = dr.cancel(sv.store, a.user, req, reason)
    sv.audit(a.user, "cancel-request", what=f"request #{req.id} {req.job}", why=reason, owner=req.section, ip=a.ip)
    return req


def hold_request(sv: Services, a: Actor, request_id: int, hold: bool, reason: str) -> dr.Request:
    """An operator holds a signed request (it will not be run) or releases it again."""
    if a.user.role != "operator":
        raise Forbidden("only an operator holds or releases a request")
    if not reason.strip():
        raise dr.RequestError("a hold or release needs a reason", field="reason")
    req = visible_request(sv, a, request_id)
    frm, to = ("READY", "HELD") if hold else ("HELD", "READY")
    if req.status == frm:
        dr.sched_hold(sv.store, req, hold, a.user.username, reason)
    if not dr.set_state(sv.store, req.id, to, expect=(frm,)):
        raise dr.RequestError(f"request #{req.id} is {req.status}; only a {frm} request is "
                              f"{'held' if hold else 'released'}")
    sv.audit(a.user, "hold" if hold else "release", what=f"request #{req.id} {req.job}", why=reason,
             owner=req.section, ip=a.ip)
    return dr.get(sv.store, req.id)


def run_request(sv: Services, a: Actor, request_id: int, reason: str = "", *, force_date: bool = False) -> dr.Request:
    """An operator starts a signed request whose day has come."""
    if a.user.role != "operator":
        raise Forbidden("only an operator runs a request")
    req = visible_request(sv, a, request_id)
    if req.status != "READY":
        raise dr.RequestError(f"request #{req.id} is {req.status}; only a signed (READY) request runs")
    if not force_date and not dr.runnable(req):
        raise dr.RequestError(f"request #{req.id} is planned for {req.run_date}")
    # run by hand (no scheduler running, or not waiting for it): out of the schedule first
    dr.unslot(sv.store, req, a.user.username, f"request #{req.id} run by the operator from the console")
    if not dr.set_state(sv.store, req.id, "RUNNING", expect=("READY",)):
        raise dr.RequestError(f"request #{req.id} changed meanwhile; reload it")
    sv.audit(a.user, "run", what=f"request #{req.id} {req.job} {req.params}", why=reason or req.purpose,
             owner=req.section, ip=a.ip)
    launch(sv, req.job, req.params, owner=req.requester, section=req.section, request_id=req.id)
    return dr.get(sv.store, req.id)


def launch(sv: Services, job: str, params: dict, *, owner: str, section: str | None,
           request_id: int | None = None):
    """Start the job; the run is recorded as the owner's; the request follows it to its end."""
    home, sid = sv.home, request_id

    def started(run_id: str) -> None:
        from engine.server.store import Store
        st = Store(home)
        try:
            st.db.execute("INSERT OR REPLACE INTO run_owners (run_id, owner, section, request_id, at) "
                          "VALUES (?,?,?,?,?)", (run_id, owner, section, sid, now_text()))
            if sid is not None:
                dr.set_state(st, sid, "RUNNING", run_id=run_id)
        finally:
            st.close()

    def ended(run_id: str | None, code: int) -> None:
        if sid is None:
            return
        from engine.server.store import Store
        st = Store(home)
        try:
            status = "FAILED"
            if run_id:
                cat = Catalog(home)
                try:
                    row = cat.run(run_id)
                finally:
                    cat.close()
                status = "ENDED" if row is not None and row["status"] == "COMPLETED" else "FAILED"
            dr.set_state(st, sid, status, run_id=run_id,
                         note="" if run_id else f"the job did not start (exit {code}); see console-launch/")
        finally:
            st.close()

    return start_job(job, params, home=home, on_start=started, on_end=ended)


# ---------------------------------------------------------------- runs

def run_row(sv: Services, a: Actor, run_id: str):
    """(run, job entry) when the user may see the run; else NotFound/Forbidden."""
    cat = Catalog(sv.home)
    try:
        row = cat.run(run_id)
        steps = cat.steps(row["run_id"]) if row else []
    finally:
        cat.close()
    if row is None:
        raise NotFound(f"no run {run_id}")
    entry = sv.job(row["job"])
    if entry is None:
        if not a.user.is_staff:
            raise Forbidden(f"run {run_id} belongs to another section")
    elif not can_see_job(a.user, entry):
        raise Forbidden(f"run {run_id} belongs to another section")
    return row, steps, entry


def read_text(sv: Services, a: Actor, entry: JobEntry | None, path: Path, what: str, owner: str | None) -> str:
    """A log or SYSOUT as this user may read it: masked outside the owning section; a read
    of personal data by its section is audited."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"({what} is missing)"
    if must_mask(a.user, entry):
        return mask(text)
    if entry is not None and entry.spec is not None and entry.spec.personal_data:
        sv.audit(a.user, "read-personal", what=what, owner=owner or "", ip=a.ip)
    return text


def outputs_of(sv: Services, a: Actor, row, entry: JobEntry | None) -> list[Output]:
    only = entry.spec.outputs if entry and entry.spec else None
    return list_outputs(sv.home, row["run_id"], only or None)


def receive_output(sv: Services, a: Actor, run_id: str, name: str, why: str = "") -> Output:
    """A section receives one output of its run (受領): checked, recorded, audited."""
    row, _, entry = run_row(sv, a, run_id)
    if not can_read_outputs(a.user, entry):
        raise Forbidden(f"the outputs of run {row['run_id']} go to the owning section only")
    only = entry.spec.outputs if entry and entry.spec else None
    out = find_output(sv.home, row["run_id"], name, only or None)
    req = sv.store.db.execute("SELECT request_id FROM run_owners WHERE run_id = ?", (row["run_id"],)).fetchone()
    with sv.store.transaction() as db:
        db.execute("INSERT INTO receipts (request_id, run_id, output, username, at, bytes, ip) VALUES (?,?,?,?,?,?,?)",
                   (req["request_id"] if req else None, row["run_id"], out.name, a.user.username, now_text(),
                    out.size, a.ip))
    sv.audit(a.user, "download", what=f"{row['run_id']} {row['job']} {out.name} ({out.size} bytes)"
             + (" personal data" if entry and entry.spec and entry.spec.personal_data else ""),
             why=why, owner=entry.section if entry else "", ip=a.ip)
    return out


def cancel_job_run(sv: Services, a: Actor, run_id: str, reason: str) -> bool:
    if a.user.role != "operator":
        raise Forbidden("only an operator cancels a running job")
    row, _, entry = run_row(sv, a, run_id)
    if not reason.strip():
        raise dr.RequestError("a kill needs a reason", field="reason")
    ok = cancel_run(sv.home, row["run_id"])
    sv.audit(a.user, "kill", what=f"{row['run_id']} {row['job']} {'signalled' if ok else 'not running'}",
             why=reason, owner=entry.section if entry else "", ip=a.ip)
    return ok


def rerun(sv: Services, a: Actor, run_id: str, reason: str):
    """Restart a failed run's job at the step where it stopped (densan run --restart '*')."""
    if a.user.role != "operator":
        raise Forbidden("only an operator reruns a job")
    row, _, entry = run_row(sv, a, run_id)
    if not reason.strip():
        raise dr.RequestError("a rerun needs a reason", field="reason")
    if row["status"] in ("RUNNING", "COMPLETED"):
        raise dr.RequestError(f"run {row['run_id']} is {row['status']}; only a failed run is rerun")
    import json
    params = json.loads(row["params"] or "{}")
    sv.audit(a.user, "rerun", what=f"{row['run_id']} {row['job']} from the failed step", why=reason,
             owner=entry.section if entry else "", ip=a.ip)
    from engine.server.launcher import start_job
    return start_job(row["job"], params, home=sv.home, restart="*")


def today() -> _dt.date:
    return _dt.date.today()
