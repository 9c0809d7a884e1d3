"""Who may see and do what. A job belongs to the section its `request:` block names; a
section's users see, request and receive only their own jobs; operators and
administrators see every job and run but never personal data (masked); auditors read the
audit trail. The rules are here and nowhere else, so the console and both APIs agree."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.config import job_path
from engine.errors import DensanError
from engine.job.definition import JobDef, parse_job
from engine.job.request_spec import RequestSpec
from engine.server.users import User


class Forbidden(DensanError):
    """The user may not see or do this (HTTP 403)."""


class NotFound(DensanError):
    """No such thing, or not one the user may know of (HTTP 404)."""


@dataclass
class JobEntry:
    name: str
    description: str
    section: str | None          # section code, None when the job declares no owner
    spec: RequestSpec | None
    job: JobDef


_cache: dict[str, tuple[float, JobEntry | None]] = {}
_cache_lock = threading.Lock()


def job_library(sections: dict[str, str]) -> dict[str, JobEntry]:
    """Every job definition along DENSAN_JOBS (re-read when its file changes)."""
    by_name = {name: code for code, name in sections.items()}
    out: dict[str, JobEntry] = {}
    for root in job_path():
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.yaml")):
            entry = _load(path, sections, by_name)
            if entry is not None and entry.name not in out:
                out[entry.name] = entry
    return out


def _load(path: Path, sections: dict[str, str], by_name: dict[str, str]) -> JobEntry | None:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    key = str(path)
    with _cache_lock:
        hit = _cache.get(key)
        if hit and hit[0] == mtime:
            return hit[1]
    try:
        text = path.read_text(encoding="utf-8")
        if not re.search(r"^job:", text, re.MULTILINE):
            entry = None
        else:
            job = parse_job(text, source=key)
            spec = job.request
            section = None
            if spec is not None:
                section = spec.section if spec.section in sections else by_name.get(spec.section)
            entry = JobEntry(job.name, job.description, section, spec, job)
    except DensanError:
        entry = None                    # a broken definition is the CLI's to report, not the console's
    with _cache_lock:
        _cache[key] = (mtime, entry)
    return entry


# ---------------------------------------------------------------- rules

def can_see_job(user: User, entry: JobEntry) -> bool:
    if user.is_staff:
        return True
    if user.role in ("requester", "approver"):
        return entry.section is not None and entry.section == user.section
    return False                                  # auditors read the audit trail, not jobs


def can_request(user: User, entry: JobEntry) -> bool:
    return (user.role in ("requester", "approver") and entry.spec is not None
            and entry.section == user.section)


def check_see_job(user: User, entry: JobEntry | None, name: str) -> JobEntry:
    if entry is None:
        raise NotFound(f"no job {name}")
    if not can_see_job(user, entry):
        raise Forbidden(f"job {name} belongs to another section")
    return entry


def can_read_outputs(user: User, entry: JobEntry | None) -> bool:
    """The owning section's requesters and approvers receive the outputs; nobody else."""
    if entry is None or entry.section is None:
        return user.is_staff                     # an unowned (engine-only) job: the IT section's
    return user.role in ("requester", "approver") and entry.section == user.section


def must_mask(user: User, entry: JobEntry | None) -> bool:
    """Personal data in SYSOUT and logs is masked for everyone outside the owning section."""
    if entry is None or entry.spec is None or not entry.spec.personal_data:
        return False
    return not (user.role in ("requester", "approver") and entry.section == user.section)


PERSON_NO = re.compile(r"(?<!\d)(\d{2})\d{8,}(?!\d)")           # 個人番号 (10 digits) and longer; not dates
KANJI_NAME = re.compile(r"([\u4e00-\u9fff\u3005])[\u3040-\u30ff\u4e00-\u9fff\u3005]{1,9}(\s|　)"
                        r"[\u3040-\u30ff\u4e00-\u9fff\u3005]{1,9}")


def mask(text: str) -> str:
    """Numbers of 10+ digits keep their first two digits (YYYYMMDD dates stay readable);
    names (姓 名) keep their first character."""
    text = PERSON_NO.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 2), text)
    return KANJI_NAME.sub(lambda m: m.group(1) + "＊＊", text)
