"""The `densan` command. Each subcommand lives in its own module under
`engine/commands/`; the application (jobs/, datasets/) adds commands through the
`densan.commands` entry point group, so the engine never imports it."""
from __future__ import annotations

import importlib
import sys
from importlib.metadata import entry_points

import click

from engine import __version__

# command name -> "module:attribute"
BUILTIN_COMMANDS = {
    "layout": "engine.commands.layout:layout",
    "convert": "engine.commands.convert:convert",
    "run": "engine.commands.run:run",
    "runs": "engine.commands.run:runs",
    "log": "engine.commands.run:log",
    "catalog": "engine.commands.catalog:catalog",
    "sort": "engine.commands.sort:sort",
    "compare": "engine.commands.compare:compare",
    "verify": "engine.commands.verify:verify",
}


def _load(target: str) -> click.Command:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class DensanGroup(click.Group):
    """Loads subcommands on demand, so a slow import is paid only when used."""

    def _targets(self) -> dict[str, str]:
        targets = dict(BUILTIN_COMMANDS)
        for ep in entry_points(group="densan.commands"):
            targets.setdefault(ep.name, ep.value)
        return targets

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._targets()) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        target = self._targets().get(name)
        if target is None:
            return None
        try:
            return _load(target)
        except (ImportError, AttributeError) as exc:  # e.g. a missing optional dependency
            reason = str(exc)                          # `exc` is unbound after the except block

            @click.command(name, help=f"(unavailable: {reason})")
            def unavailable() -> None:
                raise click.ClickException(f"command {name!r} is not available: {reason}")
            return unavailable


@click.group(cls=DensanGroup)
@click.version_option(__version__, prog_name="densan")
def cli() -> None:
    """densan (電算): host batch on commodity machines, proven record by record."""


def main(argv: list[str] | None = None) -> None:
    from engine.errors import DensanError

    try:
        cli.main(args=argv, prog_name="densan", standalone_mode=True)
    except DensanError as exc:  # anything that escaped a command's own handling
        click.echo(f"densan: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
