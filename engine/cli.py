"""The `densan` command. Each subcommand lives in its own module under
`engine/commands/`; the application (jobs/, datasets/) adds commands through the
`densan.commands` entry point group, so the engine never imports it."""
from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import sys

# densan does no linear algebra: one OpenBLAS thread instead of one per core, started
# when NumPy is imported (about 40 ms of CPU on every command that imports NumPy).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

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
    "schedule": "engine.commands.schedule:schedule",
    "scheduler": "engine.commands.schedule:scheduler",
    "cluster": "engine.commands.cluster:cluster",
    "serve": "engine.commands.serve:serve",
    "users": "engine.commands.users:users",
    "audit": "engine.commands.audit:audit",
}


def _application_commands() -> dict[str, str]:
    """Commands the application adds through the `densan.commands` entry points of the
    densan distribution itself: reading one distribution's metadata instead of every
    installed one's keeps start-up short."""
    from importlib import metadata      # ~30 ms of imports: paid only when the list is needed

    try:
        eps = metadata.distribution("densan").entry_points
    except metadata.PackageNotFoundError:   # run from a source tree that is not installed
        return {}
    return {ep.name: ep.value for ep in eps if ep.group == "densan.commands"}


def _short_help(target: str, limit: int) -> str:
    """The short help of a command, read from its source with `ast` (its docstring, or a
    `help=` given to its decorator as a literal or a module-level string)."""
    module_name, _, attr = target.partition(":")
    try:
        spec = importlib.util.find_spec(module_name)
        tree = ast.parse(open(spec.origin, encoding="utf-8").read())
    except (ImportError, AttributeError, TypeError, OSError, SyntaxError, ValueError):
        return ""
    strings = {t.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
               and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
               for t in node.targets if isinstance(t, ast.Name)}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == attr:
            doc = ast.get_docstring(node) or ""
            for call in (d for d in node.decorator_list if isinstance(d, ast.Call)
                         and getattr(d.func, "attr", getattr(d.func, "id", "")) in ("command", "group")):
                for kw in (k for k in call.keywords if k.arg == "help"):
                    if isinstance(kw.value, ast.Constant):
                        doc = kw.value.value
                    elif isinstance(kw.value, ast.Name):
                        doc = strings.get(kw.value.id, doc)
            # click's own shortening, as for a loaded command (make_default_short_help is deprecated)
            return click.Command(attr, help=doc).get_short_help_str(limit) if doc else ""
    return ""


def _load(target: str) -> click.Command:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


class DensanGroup(click.Group):
    """Loads subcommands on demand, so a slow import is paid only when used."""

    def _targets(self) -> dict[str, str]:
        targets = dict(BUILTIN_COMMANDS)
        for name, value in _application_commands().items():
            targets.setdefault(name, value)
        return targets

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of `densan --help`, without importing any command: importing
        one pulls in Polars, which alone costs more than the whole listing should."""
        targets = self._targets()
        limit = formatter.width - 6 - max(map(len, [*targets, *self.commands]), default=0)
        rows = [(name, _short_help(target, limit)) for name, target in sorted(targets.items())]
        rows += [(name, cmd.get_short_help_str(limit)) for name, cmd in sorted(self.commands.items())]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self._targets()) | set(self.commands))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        # a built-in needs no look at the entry points (built-ins win over them anyway)
        target = BUILTIN_COMMANDS.get(name) or self._targets().get(name)
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
