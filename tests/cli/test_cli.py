"""The densan command group: subcommands load on demand; a broken one says why, no traceback."""
from __future__ import annotations

from click.testing import CliRunner

from engine import cli as cli_module


def test_every_builtin_command_loads():
    runner = CliRunner()
    for name in cli_module.BUILTIN_COMMANDS:
        out = runner.invoke(cli_module.cli, [name, "--help"])
        assert out.exit_code == 0, (name, out.output)
        assert "unavailable" not in out.output


def test_an_unloadable_command_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(cli_module.BUILTIN_COMMANDS, "ghost", "engine.commands.no_such_module:ghost")
    out = CliRunner().invoke(cli_module.cli, ["ghost"])
    assert out.exit_code == 1
    assert "command 'ghost' is not available: No module named 'engine.commands.no_such_module'" in out.output
    assert out.exception is None or isinstance(out.exception, SystemExit)
