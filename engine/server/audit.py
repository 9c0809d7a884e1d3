"""The audit trail: one JSON line per act (home/audit/audit.log), each carrying the SHA-256
of the line before it, so that editing, inserting or removing a line anywhere breaks the
chain at that line (`densan audit verify`). Lines are appended under an exclusive lock and
fsync'd; nothing rewrites the file.

A line: seq, at (UTC), who, role, section (of who acts), owner (the section whose job or
data it is), action, what, why, from (address), prev, hash."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from pathlib import Path

from engine.config import densan_home

GENESIS = "0" * 64


def audit_path(home: Path | None = None) -> Path:
    return (Path(home) if home is not None else densan_home()) / "audit" / "audit.log"


def _hash(prev: str, body: dict) -> str:
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + text).encode("utf-8")).hexdigest()


def _last_line(fh) -> bytes:
    fh.seek(0, os.SEEK_END)
    end = fh.tell()
    if end == 0:
        return b""
    pos, chunk = end, b""
    while pos > 0:
        step = min(4096, pos)
        pos -= step
        fh.seek(pos)
        chunk = fh.read(step) + chunk
        if chunk.rstrip(b"\n").count(b"\n") >= 1:
            break
    return chunk.rstrip(b"\n").rsplit(b"\n", 1)[-1]


def append(action: str, *, who: str, role: str = "", section: str = "", owner: str = "", what: str = "",
           why: str = "", ip: str = "", home: Path | None = None) -> dict:
    """Add one line to the chain; returns it."""
    path = audit_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            last = _last_line(fh)
            prev_line = json.loads(last) if last else None
            body = {"seq": (prev_line["seq"] + 1) if prev_line else 1,
                    "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "who": who, "role": role, "section": section, "owner": owner or section,
                    "action": action, "what": what, "why": why, "from": ip}
            prev = prev_line["hash"] if prev_line else GENESIS
            line = dict(body, prev=prev, hash=_hash(prev, body))
            fh.seek(0, os.SEEK_END)
            fh.write(json.dumps(line, ensure_ascii=False).encode("utf-8") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return line


def verify(home: Path | None = None) -> tuple[int, list[str]]:
    """(lines checked, problems): each problem names the line number and what is wrong."""
    path = audit_path(home)
    if not path.exists():
        return 0, []
    problems, prev, count = [], GENESIS, 0
    with open(path, "rb") as fh:
        for no, raw in enumerate(fh, 1):
            count = no
            try:
                line = json.loads(raw)
                body = {k: v for k, v in line.items() if k not in ("prev", "hash")}
            except (ValueError, AttributeError):
                problems.append(f"line {no}: not a JSON audit record")
                prev = None
                continue
            if prev is not None and line.get("prev") != prev:
                problems.append(f"line {no} (seq {line.get('seq')}): does not follow line {no - 1} "
                                f"(a line was removed, inserted or edited before it)")
            if line.get("seq") != no:
                problems.append(f"line {no}: sequence number {line.get('seq')} where {no} was expected")
            if _hash(line.get("prev", ""), body) != line.get("hash"):
                problems.append(f"line {no} (seq {line.get('seq')}): content does not match its hash (edited)")
            prev = line.get("hash")
    return count, problems


def read(*, owner: str | None = None, who: str | None = None, action: str | None = None, limit: int = 500,
         home: Path | None = None) -> list[dict]:
    """Newest first; owner restricts to one section's part (what it owns or did)."""
    path = audit_path(home)
    if not path.exists():
        return []
    out = []
    with open(path, "rb") as fh:
        lines = fh.readlines()
    for raw in reversed(lines):
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if owner is not None and owner not in (line.get("owner"), line.get("section")):
            continue
        if who is not None and line.get("who") != who:
            continue
        if action is not None and line.get("action") != action:
            continue
        out.append(line)
        if len(out) >= limit:
            break
    return out
