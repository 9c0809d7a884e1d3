"""`densan audit verify|show`: the hash-chained audit trail."""
from __future__ import annotations

import sys

import click


@click.group("audit")
def audit() -> None:
    """The audit trail (DENSAN_HOME/audit/audit.log): who did what, when, why, from where."""


@audit.command("verify")
def verify() -> None:
    """Check the chain: exit 0 when untouched, 3 naming each line edited, inserted or removed."""
    from engine.server.audit import audit_path, verify as check
    count, problems = check()
    for p in problems:
        click.echo(f"TAMPERED {p}", err=True)
    if problems:
        click.echo(f"densan audit: {audit_path()}: {len(problems)} problem(s) in {count} lines", err=True)
        sys.exit(3)
    click.echo(f"AUDIT OK  {count} lines, chain intact  ({audit_path()})")


@audit.command("show")
@click.option("--section", default=None, help="Only this section's part (code).")
@click.option("--who", default=None)
@click.option("--action", default=None)
@click.option("-n", "--limit", default=50, show_default=True)
def show(section, who, action, limit) -> None:
    """The newest lines."""
    from engine.server.audit import read
    for a in reversed(read(owner=section, who=who, action=action, limit=limit)):
        click.echo(f"{a['seq']:>6} {a['at']} {a['who']:<12} {a['role']:<13} {a['owner']:<7} {a['action']:<14} "
                   f"{a['what']}" + (f"  WHY {a['why']}" if a['why'] else "") + f"  FROM {a['from']}")
