"""densan's own API under /densan/v1 (OpenAPI at /densan/v1/openapi.json): jobs and their
request forms, requests, runs and outputs, the night, calendars and plans, the audit
trail. Same users, rules and audit as the console; scripts use `Authorization: Bearer`."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from engine.job.catalog import Catalog
from engine.server import audit, calendar_check, night as nightmod, operations as ops, plan as planmod
from engine.server import dept_requests as dr
from engine.server import schedule_view
from engine.server.access import Forbidden, can_read_outputs, can_request, can_see_job
from engine.server.auth import Principal, api_principal, client_ip
from engine.server.console import _plan_rows, audit_scope
from engine.server.outputs import media_type

router = APIRouter(prefix="/densan/v1", tags=["densan"])


class NewRequest(BaseModel):
    job: str = Field(..., description="job name, e.g. SHUNOD")
    params: dict[str, str] = Field(default_factory=dict, description="the form's values by param name")
    when: str = Field("night", description="now | night | date")
    date: str = Field("", description="YYYY-MM-DD when `when` is date")
    purpose: str = Field("", description="why (required when the job touches personal data)")


class Decision(BaseModel):
    reason: str = ""


def _actor(request: Request, p: Principal) -> ops.Actor:
    return ops.Actor(p.user, client_ip(request))


def _sv(request: Request):
    return request.app.state.services


def _job_doc(entry, user) -> dict:
    spec = entry.spec
    return {"name": entry.name, "description": entry.description,
            "section": entry.section, "requestable": can_request(user, entry),
            "personal_data": bool(spec and spec.personal_data),
            "approval": spec.approval if spec else [],
            "params": [dataclasses.asdict(x) for x in spec.params.values()] if spec else [],
            "steps": [{"name": s.name, "program": s.program} for s in entry.job.steps]}


def _req_doc(r: dr.Request) -> dict:
    return dataclasses.asdict(r)


@router.get("/jobs", summary="Jobs the caller may see (their section's; all for the IT section)")
def list_jobs(request: Request, p: Principal = Depends(api_principal)) -> list[dict]:
    return [_job_doc(j, p.user) for j in _sv(request).jobs().values() if can_see_job(p.user, j)]


@router.get("/jobs/{name}", summary="One job with its request form")
def get_job(request: Request, name: str, p: Principal = Depends(api_principal)) -> dict:
    entry = _sv(request).job(name)
    if entry is None or not can_see_job(p.user, entry):
        raise Forbidden(f"job {name} is not one of your section's jobs")
    return _job_doc(entry, p.user)


@router.get("/requests", summary="Requests the caller may see; filters are exact matches")
def list_requests(request: Request, status: str = "", job: str = "", section: str = "",
                  limit: int = Query(200, ge=1, le=1000), p: Principal = Depends(api_principal)) -> list[dict]:
    rows = dr.list_for(_sv(request).store, p.user, status=status or None, job=job.upper() or None,
                       section=section or None, limit=limit)
    return [_req_doc(r) for r in rows]


@router.post("/requests", status_code=201, summary="File a department request (電算処理依頼)")
def new_request(request: Request, body: NewRequest, p: Principal = Depends(api_principal)) -> dict:
    r = ops.submit_request(_sv(request), _actor(request, p), body.job, body.params, body.when, body.date,
                           body.purpose)
    return _req_doc(r)


@router.get("/requests/{rid}")
def get_request(request: Request, rid: int, p: Principal = Depends(api_principal)) -> dict:
    return _req_doc(ops.visible_request(_sv(request), _actor(request, p), rid))


@router.post("/requests/{rid}/approve", summary="Sign as the next signer (approver, then operator)")
def approve(request: Request, rid: int, body: Decision, p: Principal = Depends(api_principal)) -> dict:
    return _req_doc(ops.sign_request(_sv(request), _actor(request, p), rid, True, body.reason))


@router.post("/requests/{rid}/reject")
def reject(request: Request, rid: int, body: Decision, p: Principal = Depends(api_principal)) -> dict:
    return _req_doc(ops.sign_request(_sv(request), _actor(request, p), rid, False, body.reason))


@router.post("/requests/{rid}/cancel")
def cancel(request: Request, rid: int, body: Decision, p: Principal = Depends(api_principal)) -> dict:
    return _req_doc(ops.cancel_request(_sv(request), _actor(request, p), rid, body.reason))


@router.post("/requests/{rid}/run", summary="An operator starts a signed request")
def run(request: Request, rid: int, body: Decision, p: Principal = Depends(api_principal)) -> dict:
    return _req_doc(ops.run_request(_sv(request), _actor(request, p), rid, body.reason, force_date=True))


def _run_doc(cat: Catalog, row) -> dict:
    f = nightmod.failure_of(cat, row)
    return {"run_id": row["run_id"], "job": row["job"], "status": row["status"], "retcode": nightmod.retcode(row),
            "rc": row["rc"], "abend": row["abend"], "start": row["start"], "end": row["end"],
            "params": json.loads(row["params"] or "{}"), "restart_of": row["restart_of"],
            "restart_step": row["restart_step"], "failure": dataclasses.asdict(f) if f else None}


@router.get("/runs", summary="Runs of the jobs the caller may see, newest first")
def list_runs(request: Request, job: str = "", status: str = "", date: str = "",
              limit: int = Query(100, ge=1, le=1000), p: Principal = Depends(api_principal)) -> list[dict]:
    sv = _sv(request)
    visible = {n for n, j in sv.jobs().items() if can_see_job(p.user, j)}
    q, args = "SELECT * FROM runs WHERE 1=1", []
    if job:
        q += " AND job = ?"
        args.append(job.upper())
    if status:
        q += " AND status = ?"
        args.append(status.upper())
    if date:
        q += " AND substr(start, 1, 10) = ?"
        args.append(date)
    q += " ORDER BY run_no DESC LIMIT ?"
    args.append(limit * 4 if not p.user.is_staff else limit)
    cat = Catalog(sv.home)
    try:
        rows = [r for r in cat.db.execute(q, args) if p.user.is_staff or r["job"] in visible]
        return [_run_doc(cat, r) for r in rows[:limit]]
    finally:
        cat.close()


@router.get("/runs/{run_id}", summary="One run: steps, return codes, the failure if any")
def get_run(request: Request, run_id: str, p: Principal = Depends(api_principal)) -> dict:
    row, steps, _ = ops.run_row(_sv(request), _actor(request, p), run_id)
    cat = Catalog(_sv(request).home)
    try:
        doc = _run_doc(cat, row)
    finally:
        cat.close()
    doc["steps"] = [dict(s) for s in steps]
    return doc


@router.get("/runs/{run_id}/outputs", summary="The run's outputs (owning section only)")
def list_outputs(request: Request, run_id: str, p: Principal = Depends(api_principal)) -> list[dict]:
    sv, a = _sv(request), _actor(request, p)
    row, _, entry = ops.run_row(sv, a, run_id)
    if not can_read_outputs(p.user, entry):
        raise Forbidden(f"the outputs of run {row['run_id']} go to the owning section only")
    return [{"name": o.name, "kind": o.kind, "dsn": o.dsn, "records": o.records, "bytes": o.size,
             "suffix": o.suffix}
            for o in ops.outputs_of(sv, a, row, entry)]


@router.get("/runs/{run_id}/outputs/{name}", summary="Receive one output (受領, recorded and audited)")
def get_output(request: Request, run_id: str, name: str, p: Principal = Depends(api_principal)):
    out = ops.receive_output(_sv(request), _actor(request, p), run_id, name)
    return FileResponse(out.path, filename=f"{run_id}.{out.name}.{out.suffix}", media_type=media_type(out.suffix))


@router.get("/night", summary="The operating day's runs and waiting requests (IT section)")
def night(request: Request, date: str = "", p: Principal = Depends(api_principal)) -> dict:
    if not p.user.is_staff:
        raise Forbidden("the night's console is the IT section's")
    try:
        day = _dt.date.fromisoformat(date) if date else nightmod.operating_day()
    except ValueError:
        raise dr.RequestError(f"date {date!r} is not YYYY-MM-DD") from None
    items = schedule_view.jobnet_items(_sv(request).home, day) + nightmod.night_runs(_sv(request).home, day)
    def doc(i):
        return {"job": i.job, "jobnet": i.jobnet, "run_id": i.run_id, "status": i.status, "label": i.label,
                "colour": i.colour, "raw_status": i.raw_status, "retcode": i.rc,
                "start": i.start.isoformat() if i.start else None, "end": i.end.isoformat() if i.end else None,
                "expected_end": i.expected_end.isoformat() if i.expected_end else None,
                "deadline": i.deadline.isoformat() if i.deadline else None,
                "failure": dataclasses.asdict(i.failure) if i.failure else None}
    return {"date": day.isoformat(), "items": [doc(i) for i in items]}


@router.get("/calendar", summary="A month of the city calendar with planned runs")
def month(request: Request, month: str = "", p: Principal = Depends(api_principal)) -> dict:
    from engine.server.console import _month
    import calendar as _cal
    y, m = _month(month)
    planned = schedule_view.month_plan(_sv(request), y, m, p.user)
    days = []
    for d in range(1, _cal.monthrange(y, m)[1] + 1):
        day = _dt.date(y, m, d)
        days.append({"date": day.isoformat(), "open": calendar_check.is_open_day(day),
                     "planned": planned.get(day.isoformat(), [])})
    return {"month": f"{y:04d}-{m:02d}", "days": days}


@router.get("/plan", summary="Plan against actual per section and month of a fiscal year")
def plan(request: Request, fy: int = 0, p: Principal = Depends(api_principal)) -> list[dict]:
    return _plan_rows(_sv(request), p, fy or planmod.fiscal_year_of(_dt.date.today()))


@router.get("/plan.csv", summary="The same as CSV")
def plan_csv(request: Request, fy: int = 0, p: Principal = Depends(api_principal)):
    sv = _sv(request)
    fy = fy or planmod.fiscal_year_of(_dt.date.today())
    return Response(planmod.to_csv(_plan_rows(sv, p, fy), sv.store.sections()).encode("utf-8-sig"),
                    media_type="text/csv; charset=utf-8")


@router.get("/audit", summary="The audit trail (auditors: all; sections: their part)")
def audit_lines(request: Request, action: str = "", who: str = "", limit: int = Query(500, ge=1, le=5000),
                p: Principal = Depends(api_principal)) -> list[dict]:
    return audit.read(owner=audit_scope(p), who=who or None, action=action or None, limit=limit,
                      home=_sv(request).home)


@router.get("/whoami")
def whoami(p: Principal = Depends(api_principal)) -> dict:
    return dataclasses.asdict(p.user) | {"via": p.via}
