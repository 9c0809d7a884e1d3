"""`engine.server.asgi:app` for uvicorn (the densan home from DENSAN_HOME)."""
from engine.server.app import create_app

app = create_app()
