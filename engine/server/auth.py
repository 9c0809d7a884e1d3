"""Who is asking: a browser session (cookie + CSRF token on every form), an API token
(`Authorization: Bearer dsn_…`) or HTTP Basic (what the Zowe CLI sends). Unknown callers
get 401 on the APIs and the login page in the console; never data."""
from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request

from engine.server import users
from engine.server.users import User

SESSION_COOKIE = "densan_session"
LOGIN_CSRF_COOKIE = "densan_login_csrf"
_basic_cache: dict[str, tuple[float, str]] = {}      # sha256(user:password) -> (expiry, username)
_basic_lock = threading.Lock()


@dataclass
class Principal:
    user: User
    csrf: str | None          # None for token/basic callers (no cookie, so no CSRF risk)
    via: str                  # session | token | basic


class LoginRequired(Exception):
    """A console page asked without a live session: redirect to the login page."""


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "-"


def identify(request: Request) -> Principal | None:
    services = request.app.state.services
    store = services.store
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        u = users.token_user(store, value.strip())
        return Principal(u, None, "token") if u else None
    if scheme.lower() == "basic" and value:
        try:
            name, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        key = hashlib.sha256(f"{name}:{password}".encode()).hexdigest()
        with _basic_lock:
            hit = _basic_cache.get(key)
        if hit and hit[0] > time.time():
            u = users.get_user(store, hit[1])
        else:
            u = users.authenticate(store, name, password)
            if u is not None:
                with _basic_lock:
                    _basic_cache[key] = (time.time() + 60, u.username)
        return Principal(u, None, "basic") if u else None
    found = users.session_user(store, request.cookies.get(SESSION_COOKIE))
    if found:
        return Principal(found[0], found[1], "session")
    return None


def api_principal(request: Request) -> Principal:
    """FastAPI dependency for the APIs: 401 without credentials; cookie callers that change
    something must echo their CSRF token in X-CSRF-Token."""
    p = identify(request)
    if p is None:
        raise HTTPException(status_code=401, detail="authentication required",
                            headers={"WWW-Authenticate": 'Basic realm="densan"'})
    if p.via == "session" and request.method not in ("GET", "HEAD", "OPTIONS"):
        if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), p.csrf or ""):
            raise HTTPException(status_code=403, detail="missing or wrong X-CSRF-Token")
    return p


def page_principal(request: Request) -> Principal:
    """FastAPI dependency for console pages: a live browser session, or the login page."""
    p = identify(request)
    if p is None:
        raise LoginRequired()
    return p


def check_csrf(p: Principal, token: str | None) -> None:
    if p.via != "session":
        return
    if not token or not hmac.compare_digest(str(token), p.csrf or ""):
        raise HTTPException(status_code=403, detail="the form's CSRF token is missing or wrong; reload the page")
