"""The console's HTML pages (server-rendered, Jinja2, no script): departments' jobs and
requests, the operators' night, calendar and runs, plans, the audit trail."""
from __future__ import annotations

import calendar as _cal
import datetime as _dt
import secrets
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from engine.job.catalog import Catalog
from engine.job.sysout import sysout_files
from engine.server import audit, calendar_check, night as nightmod, operations as ops, plan as planmod
from engine.server import dept_requests as dr
from engine.server import schedule_view, users
from engine.server.access import Forbidden, can_read_outputs, can_request, can_see_job, must_mask
from engine.server.auth import (LOGIN_CSRF_COOKIE, SESSION_COOKIE, Principal, check_csrf, client_ip,
                                page_principal)
from engine.server.gantt import gantt_svg
from engine.server.outputs import media_type

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
router = APIRouter(include_in_schema=False)

REQUEST_COLOURS = {"PENDING": "#87ceeb", "READY": "#87ceeb", "HELD": "#ffeb3b", "RUNNING": "#43a047",
                   "ENDED": "#b9f6ca", "FAILED": "#ff8a80", "REJECTED": "#cfd8dc", "CANCELLED": "#cfd8dc"}


def page(request: Request, name: str, p: Principal | None, **ctx) -> HTMLResponse:
    sv = request.app.state.services
    ctx.setdefault("title", name.removesuffix(".html"))
    return templates.TemplateResponse(request, name, dict(
        user=p.user if p else None, csrf=p.csrf if p else "", sections=sv.store.sections(),
        colour=lambda s: REQUEST_COLOURS.get(s, "#eee"), **ctx), status_code=ctx.pop("status_code", 200))


def actor(request: Request, p: Principal) -> ops.Actor:
    return ops.Actor(p.user, client_ip(request))


def back(url: str, message: str = "") -> RedirectResponse:
    return RedirectResponse(url + (("&" if "?" in url else "?") + "msg=" + quote(message) if message else ""),
                            status_code=303)


# ---------------------------------------------------------------- login

@router.get("/login")
def login_form(request: Request, next: str = "/"):
    token = secrets.token_urlsafe(16)
    resp = page(request, "login.html", None, login_csrf=token, next=next if next.startswith("/") else "/",
                title="login", error=request.query_params.get("error"))
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=1800)
    return resp


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form(""),
          next: str = Form("/")):
    sv = request.app.state.services
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf):
        return page(request, "error.html", None, status_code=403, status_code_=403,
                    detail="the login form's CSRF token is missing or wrong; reload the login page",
                    title="403")
    user = users.authenticate(sv.store, username, password)
    ip = client_ip(request)
    if user is None:
        sv.audit(None, "login-failed", what=f"user {username[:32]!r}", ip=ip)
        return RedirectResponse("/login?error=" + quote("利用者 ID またはパスワードが違います"), status_code=303)
    token, _ = users.open_session(sv.store, user, ip)
    sv.audit(user, "login", ip=ip)
    resp = RedirectResponse(next if next.startswith("/") and not next.startswith("//") else "/", status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict")
    resp.delete_cookie(LOGIN_CSRF_COOKIE)
    return resp


@router.post("/logout")
def logout(request: Request, csrf: str = Form(""), p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    sv = request.app.state.services
    users.close_session(sv.store, request.cookies.get(SESSION_COOKIE))
    sv.audit(p.user, "logout", ip=client_ip(request))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.get("/")
def home(p: Principal = Depends(page_principal)):
    target = {"operator": "/night", "administrator": "/night", "auditor": "/audit"}.get(p.user.role, "/requests")
    return RedirectResponse(target, status_code=303)


# ---------------------------------------------------------------- jobs and requests

@router.get("/jobs")
def jobs_page(request: Request, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    if p.user.role == "auditor":
        raise Forbidden("auditors read the audit trail")
    jobs = [j for j in sv.jobs().values() if can_see_job(p.user, j)]
    return page(request, "jobs.html", p, jobs=jobs, can_request=lambda j: can_request(p.user, j), title="jobs")


def _runs_of(sv, job: str, limit: int = 10) -> list[dict]:
    cat = Catalog(sv.home)
    try:
        rows = cat.runs(job, limit)
    finally:
        cat.close()
    return [_run_dict(r) for r in rows]


def _run_dict(r) -> dict:
    st = nightmod.run_status(r)
    return dict(dict(r), retcode=nightmod.retcode(r), colour=nightmod.COLOURS[st][1], label=nightmod.COLOURS[st][0])


@router.get("/jobs/{name}")
def job_page(request: Request, name: str, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    entry = sv.job(name)
    if entry is None or not can_see_job(p.user, entry):
        raise Forbidden(f"job {name} is not one of your section's jobs")
    return page(request, "job.html", p, job=entry, can_request=can_request(p.user, entry),
                runs=_runs_of(sv, entry.name), title=entry.name)


@router.get("/jobs/{name}/request")
def request_form(request: Request, name: str, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    entry = sv.job(name)
    if entry is None or not can_request(p.user, entry):
        raise Forbidden(f"job {name} is not open to your requests")
    return page(request, "request_form.html", p, job=entry, values={}, title=f"依頼 {entry.name}")


@router.post("/jobs/{name}/request")
async def request_submit(request: Request, name: str, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    form = await request.form()
    check_csrf(p, form.get("csrf"))
    entry = sv.job(name)
    if entry is None or not can_request(p.user, entry):
        raise Forbidden(f"job {name} is not open to your requests")
    values = {k[2:]: str(v) for k, v in form.items() if k.startswith("p_")}
    try:
        req = ops.submit_request(sv, actor(request, p), entry.name, values, str(form.get("when", "now")),
                                 str(form.get("date", "")), str(form.get("purpose", "")))
    except dr.RequestError as exc:
        vals = dict(values, when=form.get("when"), date=form.get("date"), purpose=form.get("purpose"))
        return page(request, "request_form.html", p, job=entry, values=vals, error=str(exc), status_code=422)
    return back(f"/requests/{req.id}", f"依頼 #{req.id} を受け付けました")


@router.get("/requests")
def requests_page(request: Request, status: str = "", job: str = "", section: str = "",
                  p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    reqs = dr.list_for(sv.store, p.user, status=status or None, job=job.upper() or None, section=section or None)
    return page(request, "requests.html", p, reqs=reqs, states=list(REQUEST_COLOURS),
                f={"status": status, "job": job, "section": section}, title="requests",
                message=request.query_params.get("msg"))


@router.get("/requests/{rid}")
def request_page(request: Request, rid: int, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    a = actor(request, p)
    r = ops.visible_request(sv, a, rid)
    entry = sv.job(r.job)
    outputs = None
    if r.run_id and can_read_outputs(p.user, entry):
        cat = Catalog(sv.home)
        try:
            row = cat.run(r.run_id)
        finally:
            cat.close()
        outputs = ops.outputs_of(sv, a, row, entry) if row else []
    receipts = [dict(x) for x in sv.store.db.execute("SELECT * FROM receipts WHERE request_id = ? ORDER BY id",
                                                     (r.id,))]
    may_cancel = r.status in ("PENDING", "READY", "HELD") and (p.user.username == r.requester or p.user.role == "operator"
                                                       or (p.user.role == "approver" and p.user.section == r.section))
    return page(request, "request.html", p, r=r, may_sign=dr.may_sign(p.user, r),
                may_run=p.user.role == "operator" and r.status == "READY", may_cancel=may_cancel,
                outputs=outputs, receipts=receipts, title=f"依頼 #{r.id}", message=request.query_params.get("msg"))


@router.post("/requests/{rid}/sign")
def request_sign(request: Request, rid: int, decision: str = Form(...), reason: str = Form(""), csrf: str = Form(""),
                 p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    sv = request.app.state.services
    r = ops.sign_request(sv, actor(request, p), rid, decision == "approve", reason)
    return back(f"/requests/{rid}", f"依頼 #{rid}: {r.status}")


@router.post("/requests/{rid}/run")
def request_run(request: Request, rid: int, confirm: str = Form(""), csrf: str = Form(""),
                p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    if confirm != "yes":
        raise dr.RequestError("confirm the run (tick the box)")
    sv = request.app.state.services
    ops.run_request(sv, actor(request, p), rid, force_date=True)
    return back(f"/requests/{rid}", f"依頼 #{rid} を実行しました")


@router.post("/requests/{rid}/hold")
def request_hold(request: Request, rid: int, action: str = Form(...), reason: str = Form(""),
                 confirm: str = Form(""), csrf: str = Form(""), p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    if confirm != "yes":
        raise dr.RequestError("confirm the action (tick the box)")
    r = ops.hold_request(request.app.state.services, actor(request, p), rid, action == "hold", reason)
    return back(f"/requests/{rid}", f"依頼 #{rid}: {r.status}")


@router.post("/requests/{rid}/cancel")
def request_cancel(request: Request, rid: int, reason: str = Form(""), csrf: str = Form(""),
                   p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    sv = request.app.state.services
    ops.cancel_request(sv, actor(request, p), rid, reason)
    return back(f"/requests/{rid}", f"依頼 #{rid} を取り消しました")


# ---------------------------------------------------------------- runs

@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    a = actor(request, p)
    row, steps, entry = ops.run_row(sv, a, run_id)
    owner = entry.section if entry else None
    log = ops.read_text(sv, a, entry, Path(row["log_path"] or "/nonexistent"), f"{row['run_id']} job log", owner)
    sysouts = []
    for f in sysout_files(Path(sv.home) / "logs" / row["run_id"]):
        if f.is_text:                   # documents (PDF, PNG) are downloads, not shown inline
            sysouts.append((f.name, ops.read_text(sv, a, entry, f.path, f"{row['run_id']} SYSOUT {f.name}", owner)))
    cat = Catalog(sv.home)
    try:
        item = nightmod.NightItem(row["job"], row["run_id"], nightmod.run_status(row), row["status"],
                                  rc=nightmod.retcode(row), failure=nightmod.failure_of(cat, row))
    finally:
        cat.close()
    can_dl = can_read_outputs(p.user, entry)
    return page(request, "run.html", p, run=row, steps=steps, item=item, log=log, sysouts=sysouts,
                masked=must_mask(p.user, entry), outputs=ops.outputs_of(sv, a, row, entry) if can_dl else [],
                can_download=can_dl, title=row["run_id"], message=request.query_params.get("msg"))


@router.get("/runs/{run_id}/outputs/{name}")
def run_output(request: Request, run_id: str, name: str, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    out = ops.receive_output(sv, actor(request, p), run_id, name)
    return FileResponse(out.path, filename=f"{run_id}.{out.name}.{out.suffix}", media_type=media_type(out.suffix))


@router.post("/runs/{run_id}/kill")
def run_kill(request: Request, run_id: str, reason: str = Form(""), confirm: str = Form(""), csrf: str = Form(""),
             p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    if confirm != "yes":
        raise dr.RequestError("confirm the kill (tick the box)")
    ok = ops.cancel_job_run(request.app.state.services, actor(request, p), run_id, reason)
    return back(f"/runs/{run_id}", "強制終了を指示しました" if ok else "実行中ではありません")


@router.post("/runs/{run_id}/rerun")
def run_rerun(request: Request, run_id: str, reason: str = Form(""), confirm: str = Form(""), csrf: str = Form(""),
              p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    if confirm != "yes":
        raise dr.RequestError("confirm the rerun (tick the box)")
    ops.rerun(request.app.state.services, actor(request, p), run_id, reason)
    return back(f"/runs/{run_id}", "再実行を開始しました")


# ---------------------------------------------------------------- the night, the month

def _staff(p: Principal) -> None:
    if not p.user.is_staff:
        raise Forbidden("the night's console is the IT section's")


@router.get("/night")
def night_page(request: Request, date: str = "", p: Principal = Depends(page_principal)):
    _staff(p)
    sv = request.app.state.services
    try:
        day = _dt.date.fromisoformat(date) if date else nightmod.operating_day()
    except ValueError:
        raise dr.RequestError(f"date {date!r} is not YYYY-MM-DD") from None
    items = nightmod.night_runs(sv.home, day)
    for r in dr.list_for(sv.store, p.user, limit=1000):
        if r.run_date == day.isoformat() and r.status in ("PENDING", "READY", "HELD"):
            items.append(nightmod.NightItem(r.job, None, "HELD" if r.status == "HELD" else "WAITING", r.status,
                                            request_id=r.id))
    jobnets = schedule_view.jobnet_items(sv.home, day)
    lo, hi = nightmod.window(day)
    svg = gantt_svg([i for i in jobnets + items if i.start or i.run_id], lo, hi)
    return page(request, "night.html", p, day=day, prev=day - _dt.timedelta(days=1), next=day + _dt.timedelta(days=1),
                items=items, jobnets=jobnets, gantt=svg, lo=lo, hi=hi, colours=nightmod.COLOURS, refresh=30, title=f"night {day}",
                message=request.query_params.get("msg"))


@router.post("/night/action")
def night_action(request: Request, jobnet: str = Form(...), unit: str = Form(""), date: str = Form(...),
                 action: str = Form(...), reason: str = Form(""), confirm: str = Form(""), csrf: str = Form(""),
                 p: Principal = Depends(page_principal)):
    check_csrf(p, csrf)
    if p.user.role != "operator":
        raise Forbidden("only an operator acts on the schedule")
    if confirm != "yes" or not reason.strip():
        raise dr.RequestError("an action needs a reason and the confirmation box ticked")
    sv = request.app.state.services
    msg = schedule_view.act(sv, ops.Actor(p.user, client_ip(request)), date, jobnet, unit or None, action, reason)
    return back(f"/night?date={date}", msg)


@router.get("/calendar")
def calendar_page(request: Request, month: str = "", p: Principal = Depends(page_principal)):
    _staff(p)
    sv = request.app.state.services
    y, m = _month(month)
    planned = schedule_view.month_plan(sv, y, m, p.user)
    today = _dt.date.today()
    weeks = []
    for week in _cal.Calendar().monthdatescalendar(y, m):
        weeks.append([None if d.month != m else {"day": d.day, "open": calendar_check.is_open_day(d),
                                                  "today": d == today, "planned": planned.get(d.isoformat(), [])}
                      for d in week])
    first = _dt.date(y, m, 1)
    prev = (first - _dt.timedelta(days=1)).strftime("%Y-%m")
    nxt = (first + _dt.timedelta(days=32)).strftime("%Y-%m")
    return page(request, "calendar.html", p, year=y, month=m, weeks=weeks, prev=prev, next=nxt, title="calendar")


def _month(text: str) -> tuple[int, int]:
    if not text:
        t = _dt.date.today()
        return t.year, t.month
    try:
        d = _dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise dr.RequestError(f"month {text!r} is not YYYY-MM") from None
    return d.year, d.month


def _plan_rows(sv, p: Principal, fy: int) -> list[dict]:
    jobs = sv.jobs()
    job_sections = {n: j.section for n, j in jobs.items() if j.section}
    sections = list(sv.store.sections()) if p.user.is_staff else [p.user.section]
    if p.user.role == "auditor":
        raise Forbidden("auditors read the audit trail")
    return planmod.plan_vs_actual(sv.store, sv.home, fy, job_sections, sections,
                                  schedule_view.scheduled_counts(sv, fy))


@router.get("/plan")
def plan_page(request: Request, fy: int = 0, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    fy = fy or planmod.fiscal_year_of(_dt.date.today())
    rows = _plan_rows(sv, p, fy)
    by = {}
    for r in rows:
        by.setdefault(r["section"], []).append(r)
    return page(request, "plan.html", p, fy=fy, by_section=list(by.items()), title=f"plan {fy}")


@router.get("/plan.csv")
def plan_csv(request: Request, fy: int = 0, p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    fy = fy or planmod.fiscal_year_of(_dt.date.today())
    text = planmod.to_csv(_plan_rows(sv, p, fy), sv.store.sections())
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="plan-{fy}.csv"'})


# ---------------------------------------------------------------- audit and users

def audit_scope(p: Principal) -> str | None:
    """None: all of it (auditors); a section code: that section's part; else forbidden."""
    if p.user.role == "auditor":
        return None
    if p.user.role in ("approver", "requester"):
        return p.user.section
    raise Forbidden("the audit trail is read by auditors and, for their part, the sections")


@router.get("/audit")
def audit_page(request: Request, action: str = "", who: str = "", p: Principal = Depends(page_principal)):
    sv = request.app.state.services
    scope = audit_scope(p)
    lines = audit.read(owner=scope, who=who or None, action=action or None, home=sv.home)
    return page(request, "audit.html", p, lines=lines, f={"action": action, "who": who},
                scope=sv.store.sections().get(scope, scope) if scope else "", title="audit")


@router.get("/audit/verify")
def audit_verify_page(request: Request, p: Principal = Depends(page_principal)):
    if p.user.role != "auditor":
        raise Forbidden("the auditor verifies the audit trail")
    sv = request.app.state.services
    count, problems = audit.verify(sv.home)
    sv.audit(p.user, "audit-verify", what=f"{count} lines, {len(problems)} problems", ip=client_ip(request))
    return page(request, "verify.html", p, count=count, problems=problems, title="verify")


@router.get("/admin/users")
def users_page(request: Request, p: Principal = Depends(page_principal)):
    if p.user.role != "administrator":
        raise Forbidden("administrators manage users")
    sv = request.app.state.services
    return page(request, "users.html", p, users=users.list_users(sv.store), title="users")


@router.get("/healthz")
def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")
