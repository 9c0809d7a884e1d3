"""The ASGI application: the console pages, densan's API (/densan/v1, OpenAPI at
/densan/v1/openapi.json) and the z/OSMF jobs subset (/zosmf/restjobs). Errors become
403/404/422 pages or JSON, never a traceback; every response carries headers that keep the
pages out of frames and scripts out of the pages."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from urllib.parse import quote

from engine.config import densan_home
from engine.errors import DensanError
from engine.server.access import Forbidden, NotFound
from engine.server.auth import LoginRequired
from engine.server.context import Services
from engine.server.dept_requests import RequestError

API_PREFIXES = ("/densan/", "/zosmf/")


def create_app(home: Path | None = None) -> FastAPI:
    from engine.server import api, console, zosmf

    app = FastAPI(title="densan", version="1", description="densan's jobs API: department requests, runs, "
                  "outputs, the night, calendars and plans; and the z/OSMF jobs REST subset for Zowe.",
                  openapi_url="/densan/v1/openapi.json", docs_url="/densan/v1/docs", redoc_url=None)
    app.state.services = Services(home or densan_home())
    app.include_router(console.router)
    app.include_router(api.router)
    app.include_router(zosmf.router)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith(API_PREFIXES)

    def fail(request: Request, code: int, detail: str, headers: dict | None = None):
        if is_api(request):
            return JSONResponse({"status": code, "message": detail}, status_code=code, headers=headers)
        from engine.server.auth import identify
        p = identify(request)
        return console.page(request, "error.html", p, status_code=code, detail=detail, title=str(code))

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        return RedirectResponse("/login?next=" + quote(request.url.path), status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return fail(request, 403, exc.message)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound):
        return fail(request, 404, exc.message)

    @app.exception_handler(RequestError)
    async def _bad_request(request: Request, exc: RequestError):
        return fail(request, 422, exc.message)

    @app.exception_handler(DensanError)
    async def _densan(request: Request, exc: DensanError):
        return fail(request, 400, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        return fail(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        where = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5])
        return fail(request, 422, f"invalid request: {where}")

    @app.middleware("http")
    async def _headers(request: Request, call_next):
        resp = await call_next(request)
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/densan/v1/docs"):
            resp.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
                                    "script-src 'none'; frame-ancestors 'none'; form-action 'self'")
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    return app
