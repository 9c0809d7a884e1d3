"""`densan serve`: the console and the jobs API on uvicorn, over the densan home."""
from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Server processes (state is in SQLite, so several can share the home).")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web console (/) and the jobs API (/densan/v1, /zosmf/restjobs) over DENSAN_HOME.

    Users come from `densan users add` (or the demo users `densan city` creates)."""
    import os

    import uvicorn

    from engine.config import densan_home

    home = densan_home()
    os.environ["DENSAN_HOME"] = str(home)          # the worker processes' home
    click.echo(f"densan console on http://{host}:{port}/  (home {home}; API docs /densan/v1/docs)")
    uvicorn.run("engine.server.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                access_log=False)
