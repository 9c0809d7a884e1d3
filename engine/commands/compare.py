"""`densan compare A B --copybook CPY`: the migration tester's diff.
Exit 0 when equal, 1 when different, 2 on an error."""
from __future__ import annotations

import sys

import click

from engine.errors import DensanError


def _names(value: str | None) -> list[str]:
    return [n.strip().upper() for n in (value or "").split(",") if n.strip()]


@click.command("compare")
@click.argument("dataset_a", type=click.Path(dir_okay=False))
@click.argument("dataset_b", type=click.Path(dir_okay=False))
@click.option("--copybook", "-c", required=True, help="Copybook name (searched in the copy library) or path.")
@click.option("--encoding", default="ascii", show_default=True, help="Code page of both datasets.")
@click.option("--recfm", default="FB", show_default=True, help="F, FB, V, VB or LS.")
@click.option("--lrecl", type=int, default=None, help="Record length (default: the copybook's).")
@click.option("--dialect", default=None, help="ibm or gnucobol (default: by code page).")
@click.option("--key", default=None, help="Key fields, comma-separated (a group such as SH-KEY is fine). "
                                          "Without: records are matched by position.")
@click.option("--ignore", default=None, help="Fields not compared, comma-separated (FILLER: every filler).")
@click.option("--personal", default=None, help="More fields holding personal data, comma-separated.")
@click.option("--show-personal", is_flag=True, help="Show personal data instead of masking it.")
@click.option("--detail", type=click.Path(dir_okay=False), default=None,
              help="Write the full detail to this .csv or .html file.")
@click.option("--max-diffs", type=int, default=1000, show_default=True,
              help="Most records listed per section in the detail.")
@click.option("--lines", type=int, default=10, show_default=True, help="Records listed per section on the terminal.")
def compare(dataset_a, dataset_b, copybook, encoding, recfm, lrecl, dialect, key, ignore,
            personal, show_personal, detail, max_diffs, lines):
    """Compare dataset A (e.g. the legacy output) with dataset B (densan's) record by
    record: counts, records only in A or only in B, changed fields (decoded and in
    hex) and control totals. Personal data is masked unless --show-personal."""
    from engine.migration.compare import compare_datasets

    try:
        result = compare_datasets(dataset_a, dataset_b, copybook, encoding=encoding,
                                  recfm=recfm, lrecl=lrecl, dialect=dialect, key=_names(key),
                                  ignore=_names(ignore), personal=_names(personal),
                                  show_personal=show_personal, max_diffs=max_diffs)
        click.echo(result.summary(lines=lines))
        if detail:
            click.echo(f"  DETAIL WRITTEN TO {result.write_detail(detail)}")
    except DensanError as exc:
        click.echo(f"densan compare: {exc}", err=True)
        sys.exit(2)
    sys.exit(result.exit_code)
