"""The catalog's record of a partitioned step, and what a restart may reuse.

Each run of a partitioned step is one step in the run history (the `steps` table, as
any step) with its partitions in `step_partitions`: phase, partition, what it covers,
status (PENDING, ENDED, REUSED), the worker, attempts, elapsed seconds.

Finished partitions are kept in a work folder named after everything that decides
their bytes (job, step, program, PARM, the inputs' paths, sizes and modification
times, the partition size): ``<home>/cluster/<job>.<step>.<digest>/``. A partition's
result is recorded there (``done/<key>.pickle``, written whole then renamed) once its
files are complete. A later run of the same step over the same inputs — a restart
after a failure — takes those results and runs only the partitions that did not
finish. The folder is removed when the step's outputs have been built from every
partition; nothing is catalogued before that (the runner catalogues at step end).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

from engine.job.catalog import Catalog, now

SCHEMA = """
CREATE TABLE IF NOT EXISTS step_partitions (
    run_id TEXT, step TEXT, phase TEXT, part INTEGER, covers TEXT, status TEXT, worker TEXT,
    attempts INTEGER, elapsed REAL, updated TEXT, PRIMARY KEY (run_id, step, phase, part));
"""


def signature(job: str, step: str, program: str, parm: str, inputs: list, extra: dict) -> dict:
    files = []
    for p in inputs:
        try:
            st = os.stat(p)
            files.append([str(p), st.st_size, st.st_mtime_ns])
        except OSError:
            files.append([str(p), None, None])
    return {"job": job, "step": step, "program": program, "parm": parm, "inputs": files, **extra}


class Ledger:
    def __init__(self, home: Path, run_id: str, step: str, sig: dict):
        self.home = Path(home)
        self.run_id, self.step = run_id, step
        digest = hashlib.sha256(json.dumps(sig, sort_keys=True, default=str).encode()).hexdigest()[:16]
        self.work = self.home / "cluster" / f"{sig.get('job', 'JOB')}.{step}.{digest}"
        (self.work / "done").mkdir(parents=True, exist_ok=True)
        (self.work / "signature.json").write_text(json.dumps(sig, indent=1, default=str))
        self.catalog = Catalog(self.home)
        with self.catalog._schema_lock():
            self.catalog.db.executescript(SCHEMA)

    # ---------------------------------------------------------------- results kept for a restart
    def finished(self, key: str):
        """The recorded result of a partition an earlier run finished, else None."""
        path = self.work / "done" / f"{key}.pickle"
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError):
            return None

    def keep(self, key: str, value) -> None:
        path = self.work / "done" / f"{key}.pickle"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(value, fh)
        os.replace(tmp, path)

    # ---------------------------------------------------------------- the catalog's rows
    def plan(self, phase: str, parts: list[tuple[int, str, str]]) -> None:
        """parts: (index, covers, status) — PENDING or REUSED."""
        with self.catalog.transaction() as db:
            for index, covers, status in parts:
                db.execute("INSERT OR REPLACE INTO step_partitions (run_id, step, phase, part, covers, status, "
                           "updated) VALUES (?,?,?,?,?,?,?)",
                           (self.run_id, self.step, phase, index + 1, covers, status, now()))

    def ended(self, phase: str, index: int, worker: str, attempts: int, elapsed: float) -> None:
        with self.catalog.transaction() as db:
            db.execute("UPDATE step_partitions SET status = 'ENDED', worker = ?, attempts = ?, elapsed = ?, "
                       "updated = ? WHERE run_id = ? AND step = ? AND phase = ? AND part = ?",
                       (worker, attempts, round(elapsed, 3), now(), self.run_id, self.step, phase, index + 1))

    def close(self, *, finished: bool) -> None:
        """finished: the outputs are built; the kept partitions are no longer needed."""
        self.catalog.close()
        if finished:
            shutil.rmtree(self.work, ignore_errors=True)


def partitions_of(home: Path, run_id: str) -> list[dict]:
    """The partitions the catalog holds for a run (for `densan cluster status --run`)."""
    cat = Catalog(home)
    try:
        with cat._schema_lock():
            cat.db.executescript(SCHEMA)
        rows = cat.db.execute("SELECT * FROM step_partitions WHERE run_id = ? ORDER BY step, phase, part",
                              (run_id,)).fetchall()
        return [dict(r) for r in rows]
    finally:
        cat.close()
