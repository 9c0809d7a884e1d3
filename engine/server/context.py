"""What every request handler shares: the densan home and a console store per thread
(sqlite3 connections are per thread), the job library, and the audit helper that fills in
who, from where."""
from __future__ import annotations

import threading
from pathlib import Path

from engine.server import audit
from engine.server.access import JobEntry, job_library
from engine.server.store import Store
from engine.server.users import User


class Services:
    def __init__(self, home: Path):
        self.home = Path(home)
        self._local = threading.local()
        Store(self.home).close()                 # create the schema once, up front

    @property
    def store(self) -> Store:
        s = getattr(self._local, "store", None)
        if s is None:
            s = self._local.store = Store(self.home)
        return s

    def jobs(self) -> dict[str, JobEntry]:
        return job_library(self.store.sections())

    def job(self, name: str) -> JobEntry | None:
        return self.jobs().get(str(name).upper())

    def audit(self, user: User | None, action: str, *, what: str = "", why: str = "", owner: str = "",
              ip: str = "") -> None:
        audit.append(action, who=user.username if user else "-", role=user.role if user else "",
                     section=user.section if user else "", owner=owner or (user.section if user else ""),
                     what=what, why=why, ip=ip, home=self.home)
