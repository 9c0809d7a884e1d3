"""Department requests (電算処理依頼): a section asks for one of its jobs, with the form's
parameters, a time (now, a date, the next night) and a purpose; the signatures the job
declares (the section's approver, then an operator: four eyes) follow in order; a signed
request is run by an operator (or slotted into the night's schedule) and followed to its
end; its outputs are handed over to the section (受領).

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
    today = today or _dt.date.today()
    if when_kind not in WHEN_KINDS:
        raise RequestError(f"when: {when_kind!r} is not one of now, date, night", field="when")
    if when_kind == "now":
        run_date = today
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
    return Request.of(row)


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
    return [Request.of(r) for r in store.db.execute(q, args)]


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
