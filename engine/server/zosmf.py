"""The z/OSMF jobs REST subset (/zosmf/restjobs/jobs…) with z/OSMF's JSON field names, so
that mainframe staff's tools (the Zowe CLI, Zowe Explorer) list, submit, follow, read and
cancel densan jobs. Mapping: a densan run is a job on the output queue (jobid = run id,
J0000042); a signed request not yet started is on the input queue (jobid R0000012); the
job log is JESMSGLG, the job definition JESJCL, each SYSOUT a spool file. Same users,
sections and audit as the console; Basic authentication as Zowe sends it."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from engine.job.catalog import Catalog
from engine.job.sysout import sysout_files
from engine.server import dept_requests as dr, night as nightmod, operations as ops
from engine.server.access import Forbidden, NotFound, can_see_job, mask, must_mask
from engine.server.auth import Principal, api_principal, client_ip
from engine.server.launcher import cancel_run, find_run

router = APIRouter(prefix="/zosmf/restjobs", tags=["z/OSMF jobs"])
JOB_CARD = re.compile(r"^//([A-Z#@$][A-Z0-9#@$_-]{0,31})\s+JOB\b(.*)$", re.IGNORECASE)
SET_CARD = re.compile(r"^//\S*\s+SET\s+(.+)$", re.IGNORECASE)
FILE_RE = re.compile(r"^//'?[A-Z0-9#@$.]*\(([A-Z0-9#@$_-]{1,32})\)'?$", re.IGNORECASE)


def _sv(request: Request):
    return request.app.state.services


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/zosmf/restjobs/jobs"


def _owners(sv) -> dict[str, str]:
    return {r["run_id"]: r["owner"] for r in sv.store.db.execute("SELECT run_id, owner FROM run_owners")}


def _run_doc(request: Request, row, owner: str) -> dict:
    active = row["status"] == "RUNNING"
    url = f"{_base(request)}/{row['job']}/{row['run_id']}"
    return {"jobid": row["run_id"], "jobname": row["job"], "subsystem": "JES2", "owner": owner.upper(),
            "status": "ACTIVE" if active else "OUTPUT", "type": "JOB", "class": "A",
            "retcode": None if active else nightmod.retcode(row), "url": url, "files-url": f"{url}/files",
            "job-correlator": f"{row['run_id']}DENSAN", "phase": 14 if active else 20,
            "phase-name": "Job is actively executing" if active else "Job is on the hard copy queue",
            "reason-not-running": None, "exec-submitted": _iso(row["start"]), "exec-started": _iso(row["start"]),
            "exec-ended": _iso(row["end"]), "exec-member": "DENSAN", "exec-system": "DENSAN"}


def _req_doc(request: Request, r: dr.Request) -> dict:
    jobid = f"R{r.id:07d}"
    url = f"{_base(request)}/{r.job}/{jobid}"
    return {"jobid": jobid, "jobname": r.job, "subsystem": "JES2", "owner": r.requester.upper(), "status": "INPUT",
            "type": "JOB", "class": "A", "retcode": None, "url": url, "files-url": f"{url}/files",
            "job-correlator": f"{jobid}DENSAN", "phase": 130 if r.status == "HELD" else 10,
            "phase-name": "Job is held" if r.status == "HELD" else "Job is queued for execution",
            "reason-not-running": "held" if r.status == "HELD" else
            ("awaiting approval" if r.status == "PENDING" else None)}


def _iso(t: str | None) -> str | None:
    return t.replace(" ", "T") + ".000Z" if t else None


def _mask_match(pattern: str, value: str) -> bool:
    rx = "".join(".*" if c == "*" else "." if c == "%" else re.escape(c) for c in pattern.upper())
    return re.fullmatch(rx, value.upper()) is not None


@router.get("/jobs", summary="List jobs (owner, prefix, jobid, max-jobs, status)")
def list_jobs(request: Request, p: Principal = Depends(api_principal)) -> list[dict]:
    sv = _sv(request)
    q = request.query_params
    owner = q.get("owner") or p.user.username
    prefix = q.get("prefix") or "*"
    jobid = q.get("jobid")
    status = (q.get("status") or "").upper()
    try:
        max_jobs = max(1, min(int(q.get("max-jobs") or 1000), 10000))
    except ValueError:
        raise dr.RequestError("max-jobs must be a number") from None
    visible = {n for n, j in sv.jobs().items() if can_see_job(p.user, j)}
    owners = _owners(sv)
    out = []
    for r in dr.list_for(sv.store, p.user, limit=1000):
        if r.status in ("PENDING", "READY", "HELD"):
            out.append(_req_doc(request, r))
    cat = Catalog(sv.home)
    try:
        for row in cat.db.execute("SELECT * FROM runs ORDER BY run_no DESC LIMIT 5000"):
            if p.user.is_staff or row["job"] in visible:
                out.append(_run_doc(request, row, owners.get(row["run_id"], "DENSAN")))
    finally:
        cat.close()
    out = [d for d in out if (owner == "*" or _mask_match(owner, d["owner"])) and _mask_match(prefix, d["jobname"])
           and (not jobid or _mask_match(jobid, d["jobid"])) and (not status or status == "*" or d["status"] == status)]
    return out[:max_jobs]


def _find(request: Request, p: Principal, jobname: str, jobid: str):
    """('run', row, entry) or ('request', Request, entry), checked against the caller's rights."""
    sv = _sv(request)
    a = ops.Actor(p.user, client_ip(request))
    if jobid.upper().startswith("R") and jobid[1:].isdigit():
        r = ops.visible_request(sv, a, int(jobid[1:]))
        if r.job != jobname.upper():
            raise NotFound(f"no job {jobname}({jobid})")
        return "request", r, sv.job(r.job)
    row, steps, entry = ops.run_row(sv, a, jobid)
    if row["job"] != jobname.upper():
        raise NotFound(f"no job {jobname}({jobid})")
    return "run", row, entry


@router.get("/jobs/{jobname}/{jobid}", summary="One job's status (step-data=Y for its steps)")
def job_status(request: Request, jobname: str, jobid: str, p: Principal = Depends(api_principal)) -> dict:
    kind, obj, _ = _find(request, p, jobname, jobid)
    if kind == "request":
        return _req_doc(request, obj)
    doc = _run_doc(request, obj, _owners(_sv(request)).get(obj["run_id"], "DENSAN"))
    if request.query_params.get("step-data", "").upper() == "Y":
        cat = Catalog(_sv(request).home)
        try:
            doc["step-data"] = [{"step-number": s["seq"], "step-name": s["step"], "program-name": s["program"],
                                 "completion": (f"ABEND {s['abend']}" if s["abend"] else
                                                f"CC {s['rc']:04d}" if s["rc"] is not None else s["status"]),
                                 "active": s["status"] == "RUNNING", "cpu-time": s["cpu"], "elapsed": s["elapsed"]}
                                for s in cat.steps(obj["run_id"])]
        finally:
            cat.close()
    return doc


def _spool(request: Request, row, entry) -> list[tuple[dict, Path | str]]:
    sv = _sv(request)
    url = f"{_base(request)}/{row['job']}/{row['run_id']}/files"
    files: list[tuple[str, str, Path | str]] = [("JESMSGLG", "JES2", Path(row["log_path"] or "/nonexistent"))]
    jcl = Path(entry.job.source) if entry else None
    files.append(("JESJCL", "JES2", jcl if jcl and jcl.is_file() else ""))
    for f in sysout_files(sv.home / "logs" / row["run_id"]):
        if f.is_text:                   # the spool holds print; documents are the console's downloads
            files.append((f.dd, f.step, f.path))
    out = []
    for n, (dd, step, src) in enumerate(files, 1):
        size = src.stat().st_size if isinstance(src, Path) and src.is_file() else 0
        lines = 0
        if isinstance(src, Path) and src.is_file():
            with open(src, "rb") as fh:
                lines = sum(1 for _ in fh)
        out.append(({"jobname": row["job"], "jobid": row["run_id"], "recfm": "UA", "lrecl": 133,
                     "byte-count": size, "record-count": lines, "class": "A", "ddname": dd, "stepname": step,
                     "procstep": None, "id": n, "subsystem": "JES2", "job-correlator": f"{row['run_id']}DENSAN",
                     "records-url": f"{url}/{n}/records"}, src))
    return out


@router.get("/jobs/{jobname}/{jobid}/files", summary="The job's spool files")
def job_files(request: Request, jobname: str, jobid: str, p: Principal = Depends(api_principal)) -> list[dict]:
    kind, row, entry = _find(request, p, jobname, jobid)
    if kind == "request":
        return []
    return [doc for doc, _ in _spool(request, row, entry)]


@router.get("/jobs/{jobname}/{jobid}/files/{file_id}/records", summary="One spool file's text (JCL: the job)")
def job_records(request: Request, jobname: str, jobid: str, file_id: str, p: Principal = Depends(api_principal)):
    kind, row, entry = _find(request, p, jobname, jobid)
    if kind == "request":
        raise NotFound(f"job {jobid} is on the input queue and has no spool files")
    spool = _spool(request, row, entry)
    if file_id.upper() == "JCL":
        src = spool[1][1]
    elif file_id.isdigit() and 1 <= int(file_id) <= len(spool):
        src = spool[int(file_id) - 1][1]
    else:
        raise NotFound(f"job {jobid} has no spool file {file_id!r}")
    text = src.read_text(encoding="utf-8", errors="replace") if isinstance(src, Path) and src.is_file() else ""
    sv, user = _sv(request), p.user
    if must_mask(user, entry):
        text = mask(text)
    elif entry is not None and entry.spec is not None and entry.spec.personal_data:
        sv.audit(user, "read-personal", what=f"{row['run_id']} spool file {file_id}", owner=entry.section or "",
                 ip=client_ip(request))
    return PlainTextResponse(text)


def _parse_jcl(text: str) -> tuple[str, dict[str, str], bool]:
    name, params, hold = None, {}, False
    for line in text.splitlines():
        m = JOB_CARD.match(line.strip())
        if m and name is None:
            name = m.group(1).upper()
            hold = "TYPRUN=HOLD" in m.group(2).upper().replace(" ", "")
            continue
        m = SET_CARD.match(line.strip())
        if m:
            for part in m.group(1).split(","):
                k, sep, v = part.partition("=")
                if sep:
                    params[k.strip()] = v.strip().strip("'")
    if name is None:
        raise dr.RequestError("the job text has no JOB card (//NAME JOB …)")
    return name, params, hold


@router.put("/jobs", summary="Submit a job: its text (//NAME JOB, // SET K=V) or {\"file\": \"//'LIB(NAME)'\"}")
async def submit(request: Request, p: Principal = Depends(api_principal)):
    sv = _sv(request)
    body = await request.body()
    ctype = request.headers.get("content-type", "")
    if "json" in ctype:
        try:
            doc = json.loads(body or b"{}")
        except ValueError:
            raise dr.RequestError("the body is not JSON") from None
        m = FILE_RE.match(str(doc.get("file", "")))
        if not m:
            raise dr.RequestError("give {\"file\": \"//'LIBRARY(JOBNAME)'\"}")
        name, params, hold = m.group(1).upper(), {}, False
    else:
        name, params, hold = _parse_jcl(body.decode("utf-8", errors="replace"))
    for key, value in request.headers.items():
        if key.lower().startswith("x-ibm-jcl-symbol-"):
            params[key[len("x-ibm-jcl-symbol-"):]] = value
    entry = sv.job(name)
    if entry is None or not can_see_job(p.user, entry):
        raise NotFound(f"no job {name} in the job library")
    declared = {k.lower(): k for k in entry.job.params}
    unknown = [k for k in params if k.lower() not in declared]
    if unknown:
        raise dr.RequestError(f"job {name} has no param {unknown[0]}")
    params = {declared[k.lower()]: v for k, v in params.items()}
    if entry.spec is not None:
        from engine.job.request_spec import ParamValueError
        try:        # the values given are checked; the others keep the job's defaults
            params = {k: (entry.spec.params[k].coerce(v) if k in entry.spec.params else v) for k, v in params.items()}
        except ParamValueError as exc:
            raise dr.RequestError(str(exc)) from None
    a = ops.Actor(p.user, client_ip(request))
    if p.user.role != "operator":
        if not (entry.spec is not None and entry.section == p.user.section and not entry.spec.approval
                and p.user.role in ("requester", "approver")):
            raise Forbidden(f"job {name} needs approval: file a request (POST /densan/v1/requests)")
    if hold:
        import datetime as _dt
        t = dr.now_text()
        with sv.store.transaction() as db:
            cur = db.execute("INSERT INTO requests (job, section, requester, params, when_kind, run_date, purpose, "
                             "status, signatures, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             (entry.name, entry.section or p.user.section, p.user.username, json.dumps(params),
                              "now", _dt.date.today().isoformat(), "submitted held (TYPRUN=HOLD)", "HELD", "[]", t, t))
        r = dr.get(sv.store, cur.lastrowid)
        sv.audit(p.user, "submit-held", what=f"{entry.name} {params} as R{r.id:07d}", owner=entry.section or "",
                 ip=a.ip)
        return JSONResponse(_req_doc(request, r), status_code=201)
    sv.audit(p.user, "run", what=f"{entry.name} {params} (z/OSMF submit)", owner=entry.section or "", ip=a.ip)
    proc = ops.launch(sv, entry.name, params, owner=p.user.username, section=entry.section)
    return JSONResponse(_await_run(request, sv, proc, entry.name), status_code=201)


def _await_run(request: Request, sv, proc, jobname: str) -> dict:
    run_id = None
    for _ in range(300):                      # the run is in the history within a second or two
        run_id = find_run(sv.home, proc.pid)
        if run_id or proc.poll() is not None:
            break
        time.sleep(0.05)
    run_id = run_id or find_run(sv.home, proc.pid)
    if run_id is None:
        raise dr.RequestError(f"job {jobname} did not start (JCL error?); see console-launch/ in the densan home")
    for _ in range(40):                       # its owner is recorded by the launcher's follower
        if sv.store.db.execute("SELECT 1 FROM run_owners WHERE run_id = ?", (run_id,)).fetchone():
            break
        time.sleep(0.05)
    cat = Catalog(sv.home)
    try:
        row = cat.run(run_id)
    finally:
        cat.close()
    return _run_doc(request, row, _owners(sv).get(run_id, "DENSAN"))


def _feedback(kind: str, obj, owner: str, message: str = "") -> dict:
    jobid = f"R{obj.id:07d}" if kind == "request" else obj["run_id"]
    jobname = obj.job if kind == "request" else obj["job"]
    doc = {"jobid": jobid, "jobname": jobname, "original-jobid": jobid, "owner": owner.upper(), "member": "JES2",
           "sysname": "DENSAN", "job-correlator": f"{jobid}DENSAN", "status": "0"}
    if message:
        doc["message"] = message
    return doc


@router.put("/jobs/{jobname}/{jobid}", summary="{\"request\": \"hold\" | \"release\" | \"cancel\"}")
async def modify(request: Request, jobname: str, jobid: str, p: Principal = Depends(api_principal)):
    try:
        action = str(json.loads(await request.body() or b"{}").get("request", "")).lower()
    except (ValueError, AttributeError):
        raise dr.RequestError("the body is {\"request\": \"hold\"|\"release\"|\"cancel\"}") from None
    return _act(request, p, jobname, jobid, action)


@router.delete("/jobs/{jobname}/{jobid}", summary="Cancel (and purge: densan keeps the run history)")
def delete(request: Request, jobname: str, jobid: str, p: Principal = Depends(api_principal)):
    return _act(request, p, jobname, jobid, "cancel", purge=True)


def _act(request: Request, p: Principal, jobname: str, jobid: str, action: str, purge: bool = False):
    if action not in ("hold", "release", "cancel"):
        raise dr.RequestError(f"request {action!r} is not hold, release or cancel")
    sv = _sv(request)
    kind, obj, entry = _find(request, p, jobname, jobid)
    if p.user.role != "operator" and not (kind == "request" and obj.requester == p.user.username):
        raise Forbidden(f"only an operator may {action} job {jobid}")
    a = ops.Actor(p.user, client_ip(request))
    owner_sec = entry.section if entry else ""
    if kind == "request":
        if action == "hold":
            if obj.status == "READY":
                dr.sched_hold(sv.store, obj, True, p.user.username, "held (z/OSMF)")
            ok = dr.set_state(sv.store, obj.id, "HELD", expect=("READY",))
        elif action == "release":
            ok = dr.set_state(sv.store, obj.id, "READY", expect=("HELD",))
            if ok and p.user.role == "operator":
                sv.audit(p.user, "release", what=f"{jobid} {obj.job}", owner=owner_sec, ip=a.ip)
                ops.run_request(sv, a, obj.id, "released (z/OSMF)", force_date=True)
                return _feedback(kind, obj, obj.requester, "released and started")
        else:
            if obj.status in ("READY", "HELD"):
                dr.unslot(sv.store, obj, p.user.username, f"cancelled by {p.user.username} (z/OSMF)")
            ok = dr.set_state(sv.store, obj.id, "CANCELLED", note=f"cancelled by {p.user.username}",
                              expect=("PENDING", "READY", "HELD"))
        if not ok:
            raise dr.RequestError(f"job {jobid} is not in a state to {action} ({obj.status})")
        sv.audit(p.user, action, what=f"{jobid} {obj.job}", owner=owner_sec, ip=a.ip)
        return _feedback(kind, obj, obj.requester)
    owner = _owners(sv).get(obj["run_id"], "DENSAN")
    if action in ("hold", "release"):
        raise dr.RequestError(f"job {jobid} is {'ACTIVE' if obj['status'] == 'RUNNING' else 'OUTPUT'}; "
                              f"only a job on the input queue is held or released")
    ok = cancel_run(sv.home, obj["run_id"])
    sv.audit(p.user, "kill" if ok else ("purge" if purge else "cancel"), what=f"{obj['run_id']} {obj['job']}",
             why="z/OSMF " + ("DELETE" if purge else "cancel"), owner=owner_sec, ip=a.ip)
    return _feedback(kind, obj, owner, "" if ok else "job was not active; the run history is kept")
