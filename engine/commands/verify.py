"""`densan verify CASE...`: the parallel run of densan against the legacy.
Exit 0 when every case passes, 1 when any fails, 2 on an error."""
from __future__ import annotations

import sys

import click

from engine.errors import DensanError


@click.command("verify")
@click.argument("cases", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--build-legacy", is_flag=True,
              help="First produce the legacy outputs by compiling and running the legacy program "
                   "named in case.yaml with GnuCOBOL (written into the case folder, rc into case.yaml).")
@click.option("--keep", type=click.Path(file_okay=False), default=None,
              help="Keep densan's outputs and home in this folder (one case only).")
@click.option("--lines", type=int, default=8, show_default=True, help="Difference lines shown per output.")
def verify(cases, build_legacy, keep, lines):
    """Run each case's job with densan on the case's inputs and compare every output
    and the return code with the legacy's. A case is a folder with case.yaml (see
    the engine.migration.verify module for its format)."""
    from engine.migration.verify import verify_case

    if keep and len(cases) > 1:
        click.echo("densan verify: --keep takes one case", err=True)
        sys.exit(2)
    failed = errors = 0
    for folder in cases:
        try:
            result = verify_case(folder, build=build_legacy, keep=keep)
        except DensanError as exc:
            click.echo(f"CASE {folder}  ERROR\n  {exc}", err=True)
            errors += 1
            continue
        click.echo(result.report(lines=lines))
        failed += not result.passed
    passed = len(cases) - failed - errors
    click.echo(f"VERIFY: {passed} PASSED, {failed} FAILED" + (f", {errors} IN ERROR" if errors else ""))
    sys.exit(2 if errors else 1 if failed else 0)
