"""`densan users add|list|disable|enable|token`: the console's users, for the administrator."""
from __future__ import annotations

import sys

import click

from engine.errors import DensanError


def _store():
    from engine.server.store import Store
    return Store()


def _fail(exc: DensanError) -> None:
    click.echo(f"densan users: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group("users")
def users() -> None:
    """Console users: section, role (requester, approver, operator, administrator, auditor)."""


@users.command("add")
@click.argument("username")
@click.option("--section", required=True, help="Section code or name (ZEIMU/税務課, SHIMIN/市民課, SUIDO/水道課, "
                                               "SUITO/出納室, IT/情報システム課).")
@click.option("--role", required=True, type=click.Choice(["requester", "approver", "operator", "administrator",
                                                           "auditor"]))
@click.option("--name", "display_name", default=None, help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (else one is generated "
                                                    "and printed once).")
def add(username, section, role, display_name, password_stdin) -> None:
    """Add a user; prints the generated password once."""
    from engine.server import audit
    from engine.server.users import add_user
    store = _store()
    try:
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        pw = add_user(store, username, section, role, password, display_name)
        audit.append("user-add", who="(cli)", what=f"{username} {section} {role}", home=store.home)
        click.echo(f"USER {username} ADDED  section {store.section_code(section)}  role {role}")
        if not password_stdin:
            click.echo(f"  password (shown once): {pw}")
    except DensanError as exc:
        _fail(exc)
    finally:
        store.close()


@users.command("list")
def list_() -> None:
    """Every user, section, role and whether disabled."""
    from engine.server.users import list_users
    store = _store()
    try:
        names = store.sections()
        click.echo(f"{'USER':<16} {'SECTION':<18} {'ROLE':<14} {'STATE':<8} CREATED")
        for u in list_users(store):
            sec = f"{u['section']} {names.get(u['section'], '')}"
            click.echo(f"{u['username']:<16} {sec:<18} {u['role']:<14} {'disabled' if u['disabled'] else 'active':<8} "
                       f"{u['created_at']}")
    finally:
        store.close()


def _set(username: str, disabled: bool) -> None:
    from engine.server import audit
    from engine.server.users import set_disabled
    store = _store()
    try:
        set_disabled(store, username, disabled)
        audit.append("user-disable" if disabled else "user-enable", who="(cli)", what=username, home=store.home)
        click.echo(f"USER {username} {'DISABLED (sessions and tokens revoked)' if disabled else 'ENABLED'}")
    except DensanError as exc:
        _fail(exc)
    finally:
        store.close()


@users.command("disable")
@click.argument("username")
def disable(username: str) -> None:
    """Disable a user: no login, sessions and API tokens revoked."""
    _set(username, True)


@users.command("enable")
@click.argument("username")
def enable(username: str) -> None:
    """Enable a disabled user again."""
    _set(username, False)


@users.command("token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for.")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
def token(username: str, label: str, days: int) -> None:
    """A token for scripts (Authorization: Bearer …) with the user's rights; printed once."""
    from engine.server import audit
    from engine.server.users import new_token
    store = _store()
    try:
        t = new_token(store, username, label, days)
        audit.append("token-issued", who="(cli)", what=f"{username} {label} {days} days", home=store.home)
        click.echo(t)
    except DensanError as exc:
        _fail(exc)
    finally:
        store.close()
