"""The catalog: one SQLite database under the densan home (home/catalog.db).

It holds the datasets (name → file and attributes), GDG bases, the run history (jobs, steps,
DD counts), and the two journals that make step ends all-or-nothing:

- `pending`: every temporary or not-yet-catalogued file a live run created. A file listed here
  whose run is dead is swept (deleted) by the next run.
- `fileops`: renames/deletions decided in a committed step-end transaction and not yet done.
  They are redone by the next run (roll forward), so a kill between the SQLite commit and the
  renames still ends with the catalog and the files in agreement.
"""
from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.config import densan_home
from engine.errors import DensanError, JobDefinitionError

SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    dsn TEXT PRIMARY KEY, path TEXT NOT NULL, copybook TEXT, encoding TEXT, recfm TEXT, lrecl INTEGER,
    dialect TEXT, size INTEGER, records INTEGER, gdg_base TEXT, generation INTEGER,
    created_job TEXT, created_step TEXT, created_run TEXT, created_at TEXT, updated_at TEXT);
CREATE TABLE IF NOT EXISTS gdg_bases (
    base TEXT PRIMARY KEY, lim INTEGER NOT NULL, empty INTEGER NOT NULL DEFAULT 0,
    scratch INTEGER NOT NULL DEFAULT 1, created_at TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run_no INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT UNIQUE, job TEXT, params TEXT, parm TEXT,
    overrides TEXT, start TEXT, end TEXT, rc INTEGER, abend TEXT, status TEXT, restart_of TEXT,
    restart_step TEXT, gdg_map TEXT, log_path TEXT, pid INTEGER);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT, seq INTEGER, step TEXT, program TEXT, start TEXT, end TEXT, rc INTEGER, abend TEXT,
    status TEXT, cpu REAL, elapsed REAL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS step_dds (
    run_id TEXT, step TEXT, dd TEXT, dsn TEXT, records_read INTEGER, records_written INTEGER);
CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY, run_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fileops (
    id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT, op TEXT NOT NULL, src TEXT, dst TEXT);
"""


FILEOP_FAILED = "COULD NOT"


def now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Dataset:
    dsn: str
    path: Path
    copybook: str | None = None
    encoding: str | None = None
    recfm: str | None = None
    lrecl: int | None = None
    dialect: str | None = None
    size: int | None = None
    records: int | None = None
    gdg_base: str | None = None
    generation: int | None = None
    created_job: str | None = None
    created_step: str | None = None
    created_run: str | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass
class GdgBase:
    base: str
    limit: int
    empty: bool = False
    scratch: bool = True


class Catalog:
    """A connection to home/catalog.db. Short transactions; WAL so readers never block."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home is not None else densan_home()
        self.home.mkdir(parents=True, exist_ok=True)
        self.datasets_dir = self.home / "datasets"
        self.temp_dir = self.home / "temp"
        self.logs_dir = self.home / "logs"
        self.locks_dir = self.home / "locks"
        for d in (self.datasets_dir, self.temp_dir, self.logs_dir, self.locks_dir):
            d.mkdir(exist_ok=True)
        try:
            self.db = sqlite3.connect(self.home / "catalog.db", timeout=60, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            with self._schema_lock():
                self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise DensanError(f"catalog {self.home / 'catalog.db'} cannot be opened: {exc}",
                              hint="check DENSAN_HOME; restore the catalog from backup if it is damaged") from None

    @contextmanager
    def _schema_lock(self):
        with open(self.home / "catalog.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE … COMMIT: one all-or-nothing change of the catalog."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ------------------------------------------------------------ datasets
    def dataset_file(self, dsn: str) -> Path:
        """Where a catalogued dataset's file lives: home/datasets/DSN."""
        return self.datasets_dir / dsn

    def get(self, dsn: str) -> Dataset | None:
        row = self.db.execute("SELECT * FROM datasets WHERE dsn = ?", (dsn,)).fetchone()
        if row is None:
            return None
        d = dict(row)
        d["path"] = Path(d["path"])
        return Dataset(**d)

    def list(self, pattern: str | None = None) -> list[Dataset]:
        rows = self.db.execute("SELECT * FROM datasets ORDER BY dsn").fetchall()
        out = []
        for row in rows:
            d = dict(row)
            d["path"] = Path(d["path"])
            ds = Dataset(**d)
            if pattern is None or _match(pattern, ds.dsn):
                out.append(ds)
        return out

    def put(self, db: sqlite3.Connection, ds: Dataset) -> None:
        db.execute("""INSERT INTO datasets (dsn, path, copybook, encoding, recfm, lrecl, dialect, size, records,
                      gdg_base, generation, created_job, created_step, created_run, created_at, updated_at)
                      VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                      ON CONFLICT(dsn) DO UPDATE SET path=excluded.path, copybook=excluded.copybook,
                      encoding=excluded.encoding, recfm=excluded.recfm, lrecl=excluded.lrecl,
                      dialect=excluded.dialect, size=excluded.size, records=excluded.records,
                      updated_at=excluded.updated_at""",
                   (ds.dsn, str(ds.path), ds.copybook, ds.encoding, ds.recfm, ds.lrecl, ds.dialect, ds.size,
                    ds.records, ds.gdg_base, ds.generation, ds.created_job, ds.created_step, ds.created_run,
                    ds.created_at or now(), now()))

    def uncatalog(self, db: sqlite3.Connection, dsn: str) -> None:
        db.execute("DELETE FROM datasets WHERE dsn = ?", (dsn,))

    # ------------------------------------------------------------ GDG
    def gdg(self, base: str) -> GdgBase | None:
        row = self.db.execute("SELECT * FROM gdg_bases WHERE base = ?", (base,)).fetchone()
        if row is None:
            return None
        return GdgBase(row["base"], row["lim"], bool(row["empty"]), bool(row["scratch"]))

    def define_gdg(self, base: str, limit: int, *, empty: bool = False, scratch: bool = True,
                   replace: bool = False) -> GdgBase:
        from engine.job.gdg import check_base
        check_base(base)
        if not 1 <= limit <= 255:
            raise JobDefinitionError(f"GDG {base}: LIMIT must be 1..255, got {limit}")
        with self.transaction() as db:
            if self.get(base) is not None:
                raise JobDefinitionError(f"{base} is catalogued as a dataset; a GDG base needs a free name")
            exists = db.execute("SELECT 1 FROM gdg_bases WHERE base = ?", (base,)).fetchone()
            if exists and not replace:
                raise JobDefinitionError(f"GDG base {base} is already defined",
                                         hint="use --replace to change its LIMIT/EMPTY/SCRATCH")
            db.execute("INSERT OR REPLACE INTO gdg_bases (base, lim, empty, scratch, created_at) VALUES (?,?,?,?,?)",
                       (base, limit, int(empty), int(scratch), now()))
        return GdgBase(base, limit, empty, scratch)

    def generations(self, base: str) -> list[Dataset]:
        """Catalogued generations of a base, oldest first."""
        rows = self.db.execute("SELECT dsn FROM datasets WHERE gdg_base = ? ORDER BY generation", (base,)).fetchall()
        return [self.get(r["dsn"]) for r in rows]

    def delete_gdg(self, db: sqlite3.Connection, base: str) -> None:
        db.execute("DELETE FROM gdg_bases WHERE base = ?", (base,))

    def roll_off(self, db: sqlite3.Connection, base: str, new: list[int]) -> list[tuple[str, Path, bool]]:
        """Uncatalog the generations beyond LIMIT once `new` are catalogued (inside the caller's
        transaction). Returns (dsn, file, scratch?) of each generation rolled off."""
        from engine.job.gdg import roll_off
        g = self.gdg(base)
        if g is None:
            return []
        rows = db.execute("SELECT dsn, generation, path FROM datasets WHERE gdg_base = ? ORDER BY generation",
                          (base,)).fetchall()
        gens = [r["generation"] for r in rows if r["generation"] not in new]
        remove = set(roll_off(gens, new, g.limit, g.empty))
        out = []
        for r in rows:
            if r["generation"] in remove:
                self.uncatalog(db, r["dsn"])
                out.append((r["dsn"], Path(r["path"]), g.scratch))
        return out

    # ------------------------------------------------------------ journals
    def add_pending(self, path: Path, run_id: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO pending (path, run_id) VALUES (?, ?)", (str(path), run_id))

    def drop_pending(self, db: sqlite3.Connection, path: Path) -> None:
        db.execute("DELETE FROM pending WHERE path = ?", (str(path),))

    def add_fileop(self, db: sqlite3.Connection, run_id: str, op: str, src: Path, dst: Path | None = None) -> None:
        db.execute("INSERT INTO fileops (run_id, op, src, dst) VALUES (?,?,?,?)",
                   (run_id, op, str(src), str(dst) if dst else None))

    def do_fileops(self, run_id: str | None = None, crash=None) -> list[str]:
        """Carry out journalled renames and deletions (idempotent), then forget them."""
        q = "SELECT * FROM fileops" + (" WHERE run_id = ?" if run_id else "") + " ORDER BY id"
        rows = self.db.execute(q, (run_id,) if run_id else ()).fetchall()
        done = []
        for i, row in enumerate(rows):
            src = Path(row["src"])
            try:
                if row["op"] == "rename":
                    if src.exists():
                        os.replace(src, row["dst"])
                        done.append(f"renamed {src} -> {row['dst']}")
                elif row["op"] == "delete":
                    if src.is_dir() and not src.is_symlink():
                        done.append(f"{FILEOP_FAILED} delete {src}: it is a directory; left as it is")
                    elif src.exists() or src.is_symlink():
                        src.unlink()
                        done.append(f"deleted {src}")
            except OSError as exc:
                # a target that cannot be replaced must not stop every later run on this home:
                # the file stays where it is (never swept), the operation is reported and forgotten
                self.db.execute("DELETE FROM pending WHERE path = ?", (str(src),))
                done.append(f"{FILEOP_FAILED} {row['op']} {src}" + (f" -> {row['dst']}" if row["dst"] else "")
                            + f": {exc.strerror or exc}; the file is kept at {src}")
            if crash is not None and i == 0:
                crash("mid-rename")
            self.db.execute("DELETE FROM fileops WHERE id = ?", (row["id"],))
        if rows:
            _fsync_dirs({Path(r["src"]).parent for r in rows})
        return done

    # ------------------------------------------------------------ recovery
    def recover(self, log=None) -> list[str]:
        """Finish what dead runs left: redo journalled file operations, delete their temporary
        files, mark their runs as CRASHED. Safe to call while other runs are alive."""
        with open(self.home / "recovery.lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                messages = self._recover()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        if log is not None:
            for m in messages:
                log(m)
        return messages

    def _recover(self) -> list[str]:
        messages = []
        dead = [r["run_id"] for r in self.db.execute("SELECT run_id FROM runs WHERE status = 'RUNNING'")
                if not run_alive(self.home, r["run_id"])]
        orphans = {r["run_id"] for r in self.db.execute("SELECT DISTINCT run_id FROM pending")} | \
                  {r["run_id"] for r in self.db.execute("SELECT DISTINCT run_id FROM fileops")}
        for run_id in sorted(set(dead) | {r for r in orphans if not run_alive(self.home, r)}):
            for m in self.do_fileops(run_id):
                messages.append(f"RECOVERY {run_id}: {m}")
            with self.transaction() as db:
                for row in db.execute("SELECT path FROM pending WHERE run_id = ?", (run_id,)).fetchall():
                    p = Path(row["path"])
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                        messages.append(f"RECOVERY {run_id}: swept leftover directory {p}")
                    elif p.exists():
                        p.unlink()
                        messages.append(f"RECOVERY {run_id}: swept leftover temporary file {p}")
                    for extra in p.parent.glob(p.name + ".part"):
                        extra.unlink()
                db.execute("DELETE FROM pending WHERE run_id = ?", (run_id,))
                db.execute("UPDATE runs SET status = 'CRASHED', end = COALESCE(end, ?) "
                           "WHERE run_id = ? AND status = 'RUNNING'", (now(), run_id))
            lock = self.home / "runs" / f"{run_id}.lock"
            if lock.exists():
                lock.unlink()
        return messages

    # ------------------------------------------------------------ history
    def runs(self, job: str | None = None, limit: int = 50) -> list[sqlite3.Row]:
        q = "SELECT * FROM runs" + (" WHERE job = ?" if job else "") + " ORDER BY run_no DESC LIMIT ?"
        return self.db.execute(q, ((job, limit) if job else (limit,))).fetchall()

    def run(self, run_id: str) -> sqlite3.Row | None:
        rid = normalize_run_id(run_id)
        return self.db.execute("SELECT * FROM runs WHERE run_id = ?", (rid,)).fetchone()

    def steps(self, run_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM steps WHERE run_id = ? ORDER BY seq", (run_id,)).fetchall()


def normalize_run_id(text: str) -> str:
    t = str(text).strip().upper()
    if t.isdigit():
        return f"J{int(t):07d}"
    return t


def run_alive(home: Path, run_id: str) -> bool:
    """A run is alive while its process holds home/runs/RUN.lock (flock dies with the process)."""
    path = home / "runs" / f"{run_id}.lock"
    if not path.exists():
        return False
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False


def _fsync_dirs(dirs) -> None:
    for d in dirs:
        try:
            fd = os.open(d, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _match(pattern: str, dsn: str) -> bool:
    """Host-style masks: * one qualifier part, ** any number of qualifiers; else a prefix."""
    import re
    if "*" not in pattern and "%" not in pattern:
        return dsn == pattern or dsn.startswith(pattern + ".") or dsn.startswith(pattern)
    rx = re.escape(pattern).replace(r"\*\*", ".*").replace(r"\*", r"[^.]*").replace("%", ".")
    return re.fullmatch(rx, dsn) is not None


def dataset_info(path: Path, recfm: str | None, lrecl: int | None) -> tuple[int, int | None]:
    """(size, records) of a file: records from the size for fixed records; for variable ones
    the record layer walks the RDWs (None when it cannot)."""
    size = path.stat().st_size if path.exists() else 0
    recfm = (recfm or "FB").upper()
    if recfm in ("F", "FB"):
        return size, (size // lrecl if lrecl else None)
    if size == 0:
        return 0, 0
    try:
        from engine.records import RecordFormat, iter_records
        return size, sum(len(b.lengths) for b in iter_records(path, RecordFormat(recfm=recfm, lrecl=lrecl)))
    except (ImportError, DensanError, ValueError, TypeError):
        return size, None


json_dumps = json.dumps


_utility_runs = itertools.count(1)


@contextmanager
def utility_run(home: Path, name: str):
    """A run id for a catalog utility (import, delete) that holds a run lock like a job, so
    recovery never sweeps its temporaries while it is alive."""
    runs = home / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    run_id = f"{name}-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}-{next(_utility_runs)}"
    path = runs / f"{run_id}.lock"
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield run_id
        finally:
            path.unlink(missing_ok=True)


def _lock_for(cat: Catalog, name: str, who: str, say=None):
    from engine.job.locks import DatasetLocks
    import sys
    locks = DatasetLocks(cat.locks_dir, who, say=say or (lambda m: print(m, file=sys.stderr)))
    locks.acquire({name: True})
    return locks


def import_dataset(dsn: str, path: str | Path, *, copybook: str | None = None, encoding: str | None = "ascii",
                   recfm: str | None = "FB", lrecl: int | None = None, dialect: str | None = None,
                   move: bool = False, replace: bool = False, home: Path | None = None,
                   say=None) -> Dataset:
    """Register an existing file as dataset DSN (copied, or moved, into home/datasets).

    DSN may be `BASE(+1)` to add a generation to a GDG (rolling off beyond LIMIT)."""
    from engine.job import gdg as g
    src = Path(path)
    if not src.is_file():
        raise DensanError(f"catalog import: file {src} does not exist")
    cat = Catalog(home)
    try:
        cat.recover()
        dsn = g.normalize(dsn.strip())
        rel = g.split_relative(dsn)
        lock_name = rel[0] if rel else dsn
        if not rel and not g.DSN_OK.match(dsn):
            raise JobDefinitionError(f"catalog import: {dsn!r} is not a dataset name")
        locks = _lock_for(cat, lock_name, f"densan catalog import pid {os.getpid()}", say)
        try:
            if rel:
                base, n = rel
                if n != 1:
                    raise JobDefinitionError(f"catalog import: use {base}(+1) to add a generation")
                if cat.gdg(base) is None:
                    raise JobDefinitionError(f"catalog import: {base} is not a GDG base",
                                             hint=f"densan catalog define-gdg {base} --limit N")
                gens = [d.generation for d in cat.generations(base)]
                dsn = g.resolve(base, 1, gens, "catalog import")
            existing = cat.get(dsn)
            if existing is not None and not replace:
                raise JobDefinitionError(f"catalog import: {dsn} is already catalogued",
                                         hint="use --replace to replace it")
            if lrecl is None and copybook and (recfm or "FB").upper() in ("F", "FB"):
                try:
                    from engine.copybook import load_copybook
                    lrecl = load_copybook(copybook, dialect=dialect).record_length
                except DensanError:
                    raise
                except Exception:   # noqa: BLE001 — copybook layer unavailable: LRECL unknown
                    lrecl = None
            final = cat.dataset_file(dsn)
            with utility_run(cat.home, "IMPORT") as run_id:
                temp = final.with_name(f"{final.name}.densan-tmp.{run_id}")
                cat.add_pending(temp, run_id)
                if move:
                    shutil.move(str(src), temp)
                else:
                    shutil.copyfile(src, temp)
                size, records = dataset_info(temp, recfm, lrecl)
                absolute = g.split_absolute(dsn)
                base = absolute[0] if absolute and cat.gdg(absolute[0]) is not None else None
                ds = Dataset(dsn=dsn, path=final, copybook=copybook, encoding=encoding, recfm=(recfm or "FB").upper(),
                             lrecl=lrecl, dialect=dialect, size=size, records=records, gdg_base=base,
                             generation=absolute[1] if base else None, created_job="IMPORT",
                             created_step=None, created_run=run_id, created_at=now())
                with cat.transaction() as db:
                    cat.put(db, ds)
                    if base:
                        for _dsn, p, scratch in cat.roll_off(db, base, [ds.generation]):
                            if scratch:
                                cat.add_fileop(db, run_id, "delete", p)
                    cat.add_fileop(db, run_id, "rename", temp, final)
                    cat.drop_pending(db, temp)
                cat.do_fileops(run_id)
            return ds
        finally:
            locks.release()
    finally:
        cat.close()


def delete_dataset(dsn: str, *, home: Path | None = None, purge_gdg: bool = False, say=None) -> list[str]:
    """Delete a dataset (uncatalog and remove its file), or a GDG base (with --purge, its generations)."""
    cat = Catalog(home)
    try:
        cat.recover()
        lock_name = dsn
        locks = _lock_for(cat, lock_name, f"densan catalog delete pid {os.getpid()}", say)
        try:
            done = []
            with utility_run(cat.home, "DELETE") as run_id:
                with cat.transaction() as db:
                    ds = cat.get(dsn)
                    if ds is not None:
                        cat.uncatalog(db, dsn)
                        cat.add_fileop(db, run_id, "delete", ds.path)
                        done.append(f"{dsn} DELETED")
                    elif cat.gdg(dsn) is not None:
                        gens = cat.generations(dsn)
                        if gens and not purge_gdg:
                            raise JobDefinitionError(f"GDG {dsn} still has {len(gens)} generation(s)",
                                                     hint="delete them first, or use --purge")
                        for gds in gens:
                            cat.uncatalog(db, gds.dsn)
                            cat.add_fileop(db, run_id, "delete", gds.path)
                            done.append(f"{gds.dsn} DELETED")
                        cat.delete_gdg(db, dsn)
                        done.append(f"GDG BASE {dsn} DELETED")
                    else:
                        raise JobDefinitionError(f"{dsn} is not catalogued")
                cat.do_fileops(run_id)
            return done
        finally:
            locks.release()
    finally:
        cat.close()
