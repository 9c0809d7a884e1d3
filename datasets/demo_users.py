"""The sample city's console users: a requester and an approver (the section head) for each
department, and the IT section's operator, administrator and auditor. Made once per densan
home; their generated passwords are printed that once (`densan users` manages them after)."""
from __future__ import annotations

from pathlib import Path

DEMO_USERS = [  # username, section, role, display name
    ("zeimu1", "ZEIMU", "requester", "税務 一郎"), ("zeimu-chief", "ZEIMU", "approver", "税務課長"),
    ("shimin1", "SHIMIN", "requester", "市民 花子"), ("shimin-chief", "SHIMIN", "approver", "市民課長"),
    ("suido1", "SUIDO", "requester", "水道 次郎"), ("suido-chief", "SUIDO", "approver", "水道課長"),
    ("suito1", "SUITO", "requester", "出納 三郎"), ("suito-chief", "SUITO", "approver", "会計管理者"),
    ("oper1", "IT", "operator", "運用 担当"), ("admin1", "IT", "administrator", "システム管理者"),
    ("audit1", "IT", "auditor", "監査 担当"),
]


def make_demo_users(home: Path | None = None) -> list[tuple[str, str, str, str]]:
    """(user, section, role, password) of the users made now; [] when they exist already."""
    from engine.server.store import Store
    from engine.server.users import add_user

    store = Store(home)
    try:
        if store.db.execute("SELECT COUNT(*) FROM users").fetchone()[0]:
            return []
        return [(u, s, r, add_user(store, u, s, r, None, name)) for u, s, r, name in DEMO_USERS]
    finally:
        store.close()


def print_demo_users(made, echo) -> None:
    if not made:
        return
    echo("")
    echo("CONSOLE USERS (passwords shown once; densan serve, then http://127.0.0.1:8080/)")
    for user, section, role, password in made:
        echo(f"  {user:<14} {section:<7} {role:<14} {password}")
