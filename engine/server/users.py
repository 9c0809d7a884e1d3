"""Users, roles and sessions. Passwords are argon2id hashes (argon2-cffi); a browser session
is a random token (only its SHA-256 is stored) that expires after a period without use and
after a maximum age; scripts use API tokens (`densan users token`) with the same rights."""
from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.errors import DensanError
from engine.server.store import Store, now_text

ROLES = ("requester", "approver", "operator", "administrator", "auditor")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password")        # same work for unknown users (no user probing)


def idle_seconds() -> float:
    """A session unused this long is over (DENSAN_SESSION_MINUTES, default 30)."""
    return float(os.environ.get("DENSAN_SESSION_MINUTES", "30")) * 60


MAX_SESSION_SECONDS = 10 * 3600           # a working day, whatever the use


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    section: str            # section code
    section_name: str
    role: str

    @property
    def is_staff(self) -> bool:
        """The IT section's roles that see every section's jobs (never their personal data)."""
        return self.role in ("operator", "administrator")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(store: Store, row) -> User:
    return User(row["username"], row["display_name"] or row["username"], row["section"],
                store.sections().get(row["section"], row["section"]), row["role"])


def add_user(store: Store, username: str, section: str, role: str, password: str | None = None,
             display_name: str | None = None) -> str:
    """Create a user; returns the password (generated when not given)."""
    if not username or not username.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(username) > 32:
        raise DensanError(f"user name {username!r}: letters, digits, - _ . (up to 32)")
    if role not in ROLES:
        raise DensanError(f"role {role!r} is not one of {', '.join(ROLES)}")
    code = store.section_code(section)
    if code is None:
        raise DensanError(f"section {section!r} is not known",
                          hint="sections: " + ", ".join(f"{c} ({n})" for c, n in store.sections().items()))
    password = password or secrets.token_urlsafe(12)
    if len(password) < 8:
        raise DensanError("a password has at least 8 characters")
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
            raise DensanError(f"user {username} already exists")
        db.execute("INSERT INTO users (username, display_name, section, role, pw_hash, created_at) "
                   "VALUES (?,?,?,?,?,?)", (username, display_name or username, code, role,
                                             _hasher.hash(password), now_text()))
    return password


def set_disabled(store: Store, username: str, disabled: bool = True) -> None:
    with store.transaction() as db:
        cur = db.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username))
        if cur.rowcount == 0:
            raise DensanError(f"no user {username}")
        if disabled:
            db.execute("DELETE FROM sessions WHERE username = ?", (username,))
            db.execute("DELETE FROM api_tokens WHERE username = ?", (username,))


def list_users(store: Store) -> list[dict]:
    return [dict(r) for r in store.db.execute(
        "SELECT username, display_name, section, role, disabled, created_at FROM users ORDER BY section, username")]


def get_user(store: Store, username: str) -> User | None:
    row = store.db.execute("SELECT * FROM users WHERE username = ? AND disabled = 0", (username,)).fetchone()
    return _user(store, row) if row else None


def authenticate(store: Store, username: str, password: str) -> User | None:
    row = store.db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
    try:
        _hasher.verify(row["pw_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    return _user(store, row)


# ---------------------------------------------------------------- browser sessions

def open_session(store: Store, user: User, ip: str) -> tuple[str, str]:
    """(session token for the cookie, CSRF token for the forms)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    t = time.time()
    with store.transaction() as db:
        db.execute("DELETE FROM sessions WHERE last_seen < ?", (t - idle_seconds(),))
        db.execute("INSERT INTO sessions (token_hash, username, csrf, created, last_seen, ip) VALUES (?,?,?,?,?,?)",
                   (_digest(token), user.username, csrf, t, t, ip))
    return token, csrf


def session_user(store: Store, token: str | None) -> tuple[User, str] | None:
    """(user, csrf) of a live session, its idle clock restarted; None when absent or expired."""
    if not token:
        return None
    row = store.db.execute("SELECT * FROM sessions WHERE token_hash = ?", (_digest(token),)).fetchone()
    if row is None:
        return None
    t = time.time()
    if t - row["last_seen"] > idle_seconds() or t - row["created"] > MAX_SESSION_SECONDS:
        store.db.execute("DELETE FROM sessions WHERE token_hash = ?", (row["token_hash"],))
        return None
    user = get_user(store, row["username"])
    if user is None:
        return None
    if t - row["last_seen"] > 15:                  # fewer writes under load
        store.db.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (t, row["token_hash"]))
    return user, row["csrf"]


def close_session(store: Store, token: str | None) -> None:
    if token:
        store.db.execute("DELETE FROM sessions WHERE token_hash = ?", (_digest(token),))


# ---------------------------------------------------------------- API tokens

def new_token(store: Store, username: str, label: str = "", days: int = 90) -> str:
    if get_user(store, username) is None:
        raise DensanError(f"no active user {username}")
    token = "dsn_" + secrets.token_urlsafe(32)
    with store.transaction() as db:
        db.execute("INSERT INTO api_tokens (token_hash, username, label, created, expires) VALUES (?,?,?,?,?)",
                   (_digest(token), username, label, time.time(), time.time() + days * 86400))
    return token


def token_user(store: Store, token: str) -> User | None:
    row = store.db.execute("SELECT * FROM api_tokens WHERE token_hash = ?", (_digest(token),)).fetchone()
    if row is None or row["expires"] < time.time():
        return None
    return get_user(store, row["username"])
