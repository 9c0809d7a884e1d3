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


def test_help_lists_commands_without_importing_them():
    """`densan --help` reads each command's short help from its source: no command module,
    and so no Polars, is imported (start-up is most of a short command's time)."""
    import subprocess
    import sys
    code = ("import sys\nfrom engine import cli\n"
            "try:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('polars', 'numpy', 'engine.commands.', 'datasets.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    import re
    assert re.search(r"\n  run +Run job JOB \(found as JOB.yaml along DENSAN_JOBS", out)
    assert re.search(r"\n  runs +List job runs: id, job, start, end, return code, status.", out)


def test_short_help_matches_what_click_shows():
    """The listing read from the sources equals click's own listing of the loaded commands."""
    import click
    group = cli_module.DensanGroup()
    plain = click.Group(commands={name: cli_module._load(t) for name, t in group._targets().items()})
    ctx = click.Context(group)
    ours, theirs = click.HelpFormatter(width=100), click.HelpFormatter(width=100)
    group.format_commands(ctx, ours)
    plain.format_commands(click.Context(plain), theirs)
    assert ours.getvalue() == theirs.getvalue()
    assert "Run job JOB" in ours.getvalue()
