"""Department requests (電算処理依頼): a section asks for one of its jobs, with the form's
parameters, a time (now, a date, the next night) and a purpose; the signatures the job
declares (the section's approver, then an operator: four eyes) follow in order; a signed
request is slotted into the scheduler (`S.run_job_now`: a one-unit run-now for its operating
day, which the running `densan scheduler` starts) or, without a scheduler, run by an
operator; either way it is followed to its end; its outputs are handed over to the section
(受領). A request for a job of an exclusive jobnet (`exclusive:`) is refused when that jobnet
or one it excludes is running (now) or planned (on the requested day).

States: PENDING (waiting for next_signer) -> READY -> RUNNING -> ENDED | FAILED;
READY <-> HELD (an operator's hold); PENDING -> REJECTED; PENDING/READY/HELD -> CANCELLED."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass

from engine.errors import DensanError
from engine.job.request_spec import ParamValueError
from engine.server import calendar_check
from engine.server.access import Forbidden, JobEntry, NotFound, can_request
from engine.server.night import operating_day
from engine.server.store import Store, now_text
from engine.server.users import User

WHEN_KINDS = ("now", "date", "night")
OPEN_STATES = ("PENDING", "READY", "RUNNING")


class RequestError(DensanError):
    """A request that cannot be accepted as given (HTTP 422): says which field and why."""

    def __init__(self, message: str, *, field: str | None = None):
        self.field = field
        super().__init__(message)


@dataclass
class Request:
    id: int
    job: str
    section: str
    requester: str
    params: dict
    when_kind: str
    run_date: str
    purpose: str
    status: str
    next_signer: str | None
    signatures: list
    run_id: str | None
    note: str
    created_at: str
    updated_at: str
    sched_run: int | None = None       # the scheduler's jobnet run once slotted

    @classmethod
    def of(cls, row) -> "Request":
        d = dict(row)
        d["params"] = json.loads(d["params"])
        d["signatures"] = json.loads(d["signatures"])
        return cls(**d)


def submit(store: Store, user: User, entry: JobEntry, values: dict, when_kind: str, date_text: str,
           purpose: str, *, today: _dt.date | None = None) -> Request:
    if not can_request(user, entry):
        raise Forbidden(f"{user.username} may not request job {entry.name}")
    spec = entry.spec
    try:
        params = spec.coerce(values)
    except ParamValueError as exc:
        raise RequestError(str(exc), field=exc.name) from None
    opday = today or operating_day()        # `now` belongs to the night that is running
    today = today or _dt.date.today()
    if when_kind not in WHEN_KINDS:
        raise RequestError(f"when: {when_kind!r} is not one of now, date, night", field="when")
    if when_kind == "now":
        run_date = opday
    elif when_kind == "night":
        run_date = today if calendar_check.is_open_day(today) else calendar_check.next_open_day(today)
    else:
        try:
            run_date = _dt.date.fromisoformat(date_text.strip())
        except ValueError:
            raise RequestError(f"date: {date_text!r} is not a date (YYYY-MM-DD)", field="date") from None
        if run_date < today:
            raise RequestError(f"date: {run_date} is in the past", field="date")
        if not calendar_check.is_open_day(run_date):
            raise RequestError(f"date: {run_date} is not an open day of the city calendar; the next open day "
                               f"is {calendar_check.next_open_day(run_date)}", field="date")
    conflict, _ = exclusive_conflict(store.home, entry.name, run_date, when_kind)
    if conflict:
        raise RequestError(conflict, field="when")
    purpose = (purpose or "").strip()
    if spec.personal_data and len(purpose) < 2:
        raise RequestError("purpose: the job touches personal data; say why it is needed (利用目的)",
                           field="purpose")
    if len(purpose) > 500:
        raise RequestError("purpose: at most 500 characters", field="purpose")
    signers = list(spec.approval)
    status = "PENDING" if signers else "READY"
    t = now_text()
    with store.transaction() as db:
        clash = db.execute("SELECT id FROM requests WHERE job = ? AND run_date = ? AND params = ? AND status IN "
                           "(?,?,?)", (entry.name, run_date.isoformat(), json.dumps(params, ensure_ascii=False),
                                       *OPEN_STATES)).fetchone()
        if clash:
            raise RequestError(f"job {entry.name} is already requested for {run_date} with the same parameters "
                               f"(request #{clash['id']})", field="date")
        cur = db.execute("INSERT INTO requests (job, section, requester, params, when_kind, run_date, purpose, "
                         "status, next_signer, signatures, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                         (entry.name, entry.section, user.username, json.dumps(params, ensure_ascii=False),
                          when_kind, run_date.isoformat(), purpose, status, signers[0] if signers else None,
                          "[]", t, t))
        rid = cur.lastrowid
    return get(store, rid)


def get(store: Store, request_id: int) -> Request:
    row = store.db.execute("SELECT * FROM requests WHERE id = ?", (int(request_id),)).fetchone()
    if row is None:
        raise NotFound(f"no request #{request_id}")
    req = Request.of(row)
    if req.sched_run is not None and req.status in ("READY", "RUNNING") and sync(store, req):
        req = Request.of(store.db.execute("SELECT * FROM requests WHERE id = ?", (req.id,)).fetchone())
    return req


# ---------------------------------------------------------------- the scheduler

def _sched():
    try:
        from engine.schedule import state as S
        return S
    except ImportError:                   # the scheduler is not on this installation
        return None


def exclusive_conflict(home, job: str, run_date: _dt.date, when_kind: str) -> tuple[str | None, list[str]]:
    """(why the request clashes with an exclusive jobnet, or None; the jobnets the job's run
    must not overlap). A job of a jobnet that declares `exclusive: [...]` (or is named in
    another's) must not run while that jobnet or the ones it excludes run: for `now`, a run of
    them that is running; for a date or the night, one planned (or already made) that day."""
    S = _sched()
    if S is None:
        return None, []
    try:
        from engine.schedule.engine import plan_range
        from engine.schedule.jobnet import load_all
        nets = load_all()
    except DensanError:
        return None, []                   # a broken jobnet is the scheduler's to report
    job = job.upper()
    via: dict[str, str] = {}              # jobnet not to overlap -> the job's jobnet that makes it so
    mine = [n for n in nets.values() if any(u.job.upper() == job for u in n.units)]
    partners = {n.name: set(n.exclusive) | {m.name for m in nets.values() if n.name in m.exclusive}
                for n in mine}
    for n in mine:
        if partners[n.name]:
            via[n.name] = n.name
    for n in mine:
        for x in sorted(partners[n.name]):
            via.setdefault(x, n.name)
    if not via:
        return None, []

    def why(x: str, what: str) -> str:
        n = nets[via[x]]
        decl = f"exclusive: [{', '.join(n.exclusive)}]" if n.exclusive else \
            "named in " + ", ".join(m.name for m in nets.values() if n.name in m.exclusive) + "'s exclusive"
        whose = "" if x == n.name else f"; {x} excludes it"
        return (f"when: job {job} belongs to the exclusive jobnet {n.name} ({decl}{whose}), and jobnet {x} {what}; "
                f"request it for another time (after {x} has ended) or ask the IT section")

    st = S.State(home)
    try:
        q = "SELECT jobnet, opday, status, start_after FROM jobnet_runs WHERE jobnet IN (" + \
            ",".join("?" * len(via)) + ") AND status IN (?, ?)"
        rows = st.db.execute(q, [*via, S.RUNNING, S.WAITING]).fetchall()
    finally:
        st.close()
    for r in rows:
        if r["status"] == S.RUNNING:
            return why(r["jobnet"], f"is running now (operating day {r['opday']})"), sorted(via)
    if when_kind != "now":
        day = run_date.isoformat()
        for r in rows:
            if r["opday"] == day:
                return why(r["jobnet"], f"has a run waiting on {day}"), sorted(via)
        try:
            planned = plan_range(run_date, run_date, nets={x: nets[x] for x in via if x in nets})
        except DensanError:
            planned = []
        if planned:
            p = planned[0]
            return why(p["jobnet"], f"is planned on {day} (start {p['start'][11:]}: {p['why']})"), sorted(via)
    return None, sorted(via)


NIGHT_START = "20:00:00"                  # a `night` request starts with the night's jobnets


def slot(store: Store, req: Request, who: str) -> Request:
    """A fully signed request becomes a one-unit run-now of the scheduler for its day. A
    request for today (or now) starts as soon as the scheduler sees it."""
    S = _sched()
    if S is None or req.status != "READY" or req.sched_run is not None:
        return req
    day = _dt.date.fromisoformat(req.run_date)
    conflict, excl = exclusive_conflict(store.home, req.job, day, req.when_kind)
    if conflict:
        raise RequestError(conflict, field="when")
    start_after = None
    if req.when_kind == "night":
        start_after = f"{req.run_date} {NIGHT_START}"
    elif req.when_kind == "date" and day > _dt.date.today():
        start_after = f"{req.run_date} 00:00:00"
    run = S.run_job_now(req.job, req.run_date, params={k: str(v) for k, v in req.params.items()}, who=who,
                        why=f"request #{req.id} ({req.section}): {req.purpose}"[:300], exclusive=excl,
                        start_after=start_after, home=store.home)
    with store.transaction() as db:
        db.execute("UPDATE requests SET sched_run = ?, note = ?, updated_at = ? WHERE id = ?",
                   (run, f"slotted into the schedule: jobnet run {run} ({req.job}, operating day {req.run_date}"
                         + (f", not before {start_after}" if start_after else "") + ")", now_text(), req.id))
    return get(store, req.id)


def sched_unit(store: Store, req: Request) -> dict | None:
    S = _sched()
    if S is None or req.sched_run is None:
        return None
    st = S.State(store.home)
    try:
        rows = st.units_of(int(req.sched_run))
        return dict(rows[0]) if rows else None
    finally:
        st.close()


def sync(store: Store, req: Request) -> bool:
    """Follow a slotted request from the scheduler's unit: its densan run once started,
    ENDED/FAILED once the unit ends. True when the request changed."""
    u = sched_unit(store, req)
    if u is None:
        return False
    S = _sched()
    status, run_id = req.status, u["job_run"] or req.run_id
    if u["status"] in (S.NORMAL, S.WARNING):
        status = "ENDED"
    elif u["status"] in (S.ABNORMAL, S.KILLED):
        status = "FAILED"
    elif u["status"] == S.RUNNING or u["job_run"]:
        status = "RUNNING"
    if status == req.status and run_id == req.run_id:
        return False
    with store.transaction() as db:
        if run_id:
            db.execute("INSERT OR IGNORE INTO run_owners (run_id, owner, section, request_id, at) VALUES (?,?,?,?,?)",
                       (run_id, req.requester, req.section, req.id, now_text()))
        cur = db.execute("UPDATE requests SET status = ?, run_id = ?, updated_at = ? WHERE id = ? AND status = ?",
                         (status, run_id, now_text(), req.id, req.status))
        return cur.rowcount > 0


def unslot(store: Store, req: Request, who: str, why: str) -> None:
    """Take a slotted request's unit out of the schedule (skipped, with who/why) before an
    operator runs it by hand or it is cancelled; refused once the scheduler has started it."""
    S = _sched()
    if S is None or req.sched_run is None:
        return
    u = sched_unit(store, req)
    if u is None or u["status"] in (S.SKIPPED,):
        return
    try:
        S.skip(req.job, req.run_date, u["unit"], who=who, why=why or f"request #{req.id}", home=store.home,
               run_id=int(req.sched_run))
    except DensanError as exc:
        raise RequestError(f"request #{req.id}: the scheduler has it already ({exc})") from None


def sched_hold(store: Store, req: Request, hold: bool, who: str, why: str) -> None:
    """Hold (or release) a slotted request's unit in the scheduler with the request."""
    S = _sched()
    if S is None or req.sched_run is None:
        return
    fn = S.hold if hold else S.release
    try:
        fn(req.job, req.run_date, None, who=who, why=why or f"request #{req.id}", home=store.home,
           run_id=int(req.sched_run))
    except DensanError as exc:
        raise RequestError(str(exc)) from None


def visible(user: User, req: Request) -> bool:
    if user.is_staff:
        return True
    return user.role in ("requester", "approver") and req.section == user.section


def check_visible(user: User, req: Request) -> Request:
    if not visible(user, req):
        raise Forbidden(f"request #{req.id} belongs to another section")
    return req


def list_for(store: Store, user: User, *, status: str | None = None, job: str | None = None,
             section: str | None = None, limit: int = 200) -> list[Request]:
    """Requests the user may see, newest first; filters are bound parameters."""
    q, args = "SELECT * FROM requests WHERE 1=1", []
    if not user.is_staff:
        if user.role not in ("requester", "approver"):
            return []
        q += " AND section = ?"
        args.append(user.section)
    for col, val in (("status", status), ("job", job), ("section", section)):
        if val:
            q += f" AND {col} = ?"
            args.append(val)
    q += " ORDER BY id DESC LIMIT ?"
    args.append(max(1, min(int(limit), 1000)))
    out = [Request.of(r) for r in store.db.execute(q, args)]
    return [get(store, r.id) if r.sched_run is not None and r.status in ("READY", "RUNNING") else r for r in out]


def may_sign(user: User, req: Request) -> bool:
    if req.status != "PENDING" or req.next_signer is None:
        return False
    if req.next_signer == "approver":
        ok = user.role == "approver" and user.section == req.section
    else:
        ok = user.role == "operator"
    signed_by = {s["by"] for s in req.signatures}
    return ok and user.username != req.requester and user.username not in signed_by   # four eyes


def sign(store: Store, user: User, req: Request, entry: JobEntry, *, approve: bool, reason: str = "") -> Request:
    if not may_sign(user, req):
        raise Forbidden(f"{user.username} may not sign request #{req.id} now "
                        f"(it waits for: {req.next_signer or 'nobody'}; requester and signers must differ)")
    if not approve and not reason.strip():
        raise RequestError("a rejection needs a reason", field="reason")
    sigs = req.signatures + [{"role": req.next_signer, "by": user.username, "at": now_text(),
                              "decision": "approved" if approve else "rejected", "reason": reason.strip()}]
    signers = entry.spec.approval if entry.spec else []
    if not approve:
        status, nxt = "REJECTED", None
    else:
        done = [s["role"] for s in sigs]
        rest = [s for s in signers if s not in done]
        status, nxt = ("PENDING", rest[0]) if rest else ("READY", None)
    with store.transaction() as db:
        cur = db.execute("UPDATE requests SET status = ?, next_signer = ?, signatures = ?, updated_at = ? "
                         "WHERE id = ? AND status = 'PENDING' AND signatures = ?",
                         (status, nxt, json.dumps(sigs, ensure_ascii=False), now_text(), req.id,
                          json.dumps(req.signatures, ensure_ascii=False)))
        if cur.rowcount == 0:
            raise RequestError(f"request #{req.id} changed meanwhile; reload it")
    return get(store, req.id)


def cancel(store: Store, user: User, req: Request, reason: str) -> Request:
    if req.status not in ("PENDING", "READY", "HELD"):
        raise RequestError(f"request #{req.id} is {req.status}; only a pending or ready request is cancelled")
    if not (user.username == req.requester or user.role == "operator"
            or (user.role == "approver" and user.section == req.section)):
        raise Forbidden(f"{user.username} may not cancel request #{req.id}")
    set_state(store, req.id, "CANCELLED", note=reason)
    return get(store, req.id)


def set_state(store: Store, request_id: int, status: str, *, run_id: str | None = None, note: str | None = None,
              expect: tuple[str, ...] | None = None) -> bool:
    q = "UPDATE requests SET status = ?, updated_at = ?"
    args: list = [status, now_text()]
    if run_id is not None:
        q += ", run_id = ?"
        args.append(run_id)
    if note is not None:
        q += ", note = ?"
        args.append(note)
    q += " WHERE id = ?"
    args.append(request_id)
    if expect:
        q += " AND status IN (" + ",".join("?" * len(expect)) + ")"
        args.extend(expect)
    with store.transaction() as db:
        return db.execute(q, args).rowcount > 0


def runnable(req: Request, today: _dt.date | None = None) -> bool:
    """Signed, and its day has come."""
    today = today or _dt.date.today()
    return req.status == "READY" and _dt.date.fromisoformat(req.run_date) <= today
