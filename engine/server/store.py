"""The console's own SQLite database (home/console.db): sections, users, sessions, API
tokens, department requests and handovers (受領). WAL and short transactions, so the
console never locks out the CLI, the scheduler or the job runner (they use catalog.db)."""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from engine.config import densan_home

SCHEMA = """
CREATE TABLE IF NOT EXISTS sections (code TEXT PRIMARY KEY, name TEXT UNIQUE NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY, display_name TEXT, section TEXT NOT NULL REFERENCES sections(code),
    role TEXT NOT NULL, pw_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, csrf TEXT NOT NULL, created REAL NOT NULL,
    last_seen REAL NOT NULL, ip TEXT);
CREATE TABLE IF NOT EXISTS api_tokens (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, label TEXT, created REAL NOT NULL,
    expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, section TEXT NOT NULL, requester TEXT NOT NULL,
    params TEXT NOT NULL, when_kind TEXT NOT NULL, run_date TEXT NOT NULL, purpose TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL, next_signer TEXT, signatures TEXT NOT NULL DEFAULT '[]', run_id TEXT,
    note TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS requests_section ON requests(section, status);
CREATE TABLE IF NOT EXISTS run_owners (
    run_id TEXT PRIMARY KEY, owner TEXT NOT NULL, section TEXT, request_id INTEGER, at TEXT);
CREATE TABLE IF NOT EXISTS receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, request_id INTEGER, run_id TEXT NOT NULL, output TEXT NOT NULL,
    username TEXT NOT NULL, at TEXT NOT NULL, bytes INTEGER, ip TEXT);
"""

# (code, name): the sample city's sections; more can be added with `densan users section-add`
DEFAULT_SECTIONS = [("ZEIMU", "税務課"), ("SHIMIN", "市民課"), ("SUIDO", "水道課"),
                    ("SUITO", "出納室"), ("IT", "情報システム課")]


def now_text() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


class Store:
    """One connection to home/console.db (one per thread: sqlite3 objects are not shared)."""

    def __init__(self, home: Path | None = None):
        self.home = Path(home) if home is not None else densan_home()
        self.home.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.home / "console.db", timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.executescript(SCHEMA)
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(requests)")}
        if "sched_run" not in cols:        # a request slotted into the scheduler: its jobnet run id
            try:
                self.db.execute("ALTER TABLE requests ADD COLUMN sched_run INTEGER")
            except sqlite3.OperationalError:
                pass                       # another connection added it meanwhile
        if self.db.execute("SELECT COUNT(*) FROM sections").fetchone()[0] == 0:
            with self.transaction() as db:
                db.executemany("INSERT OR IGNORE INTO sections (code, name) VALUES (?, ?)", DEFAULT_SECTIONS)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def sections(self) -> dict[str, str]:
        """code -> name."""
        return {r["code"]: r["name"] for r in self.db.execute("SELECT code, name FROM sections ORDER BY code")}

    def section_code(self, text: str) -> str | None:
        """A section given by code (SUITO) or name (出納室)."""
        for code, name in self.sections().items():
            if text in (code, name) or text.upper() == code:
                return code
        return None
