"""`densan catalog list|show|define-gdg|delete|import`: the dataset catalog for operators."""
from __future__ import annotations

import sys

import click

from engine.errors import DensanError


def _fail(exc: DensanError) -> None:
    click.echo(f"densan catalog: {exc}", err=True)
    sys.exit(exc.exit_code)


@click.group("catalog")
def catalog() -> None:
    """The dataset catalog (under DENSAN_HOME): datasets, GDG bases and generations."""


@catalog.command("list")
@click.argument("pattern", required=False)
def list_(pattern: str | None) -> None:
    """Catalogued datasets (PATTERN: a prefix, or a mask with * for one qualifier, ** for several)."""
    from engine.job.catalog import Catalog
    cat = Catalog()
    try:
        cat.recover()
        rows = cat.list(pattern)
        click.echo(f"{'DATASET':<44} {'RECFM':<5} {'LRECL':>6} {'RECORDS':>10} {'BYTES':>12} CREATED")
        for d in rows:
            click.echo(f"{d.dsn:<44} {d.recfm or '':<5} {d.lrecl or '':>6} "
                       f"{'' if d.records is None else d.records:>10} {d.size or 0:>12} "
                       f"{d.created_at or ''} {d.created_job or ''} {d.created_run or ''}")
        bases = cat.db.execute("SELECT * FROM gdg_bases ORDER BY base").fetchall()
        bases = [b for b in bases if pattern is None or b["base"].startswith(pattern.rstrip("*."))]
        if bases:
            click.echo("")
            click.echo(f"{'GDG BASE':<44} {'LIMIT':>5} {'GENS':>4} OPTIONS")
            for b in bases:
                n = len(cat.generations(b["base"]))
                click.echo(f"{b['base']:<44} {b['lim']:>5} {n:>4} {'EMPTY' if b['empty'] else 'NOEMPTY'} "
                           f"{'SCRATCH' if b['scratch'] else 'NOSCRATCH'}")
    finally:
        cat.close()


@catalog.command("show")
@click.argument("dsn")
def show(dsn: str) -> None:
    """Everything known about one dataset, GDG base, or relative generation (BASE(0), BASE(-1))."""
    from engine.job import gdg as g
    from engine.job.catalog import Catalog
    cat = Catalog()
    try:
        cat.recover()
        name = g.normalize(dsn)
        rel = g.split_relative(name)
        if rel is not None:
            try:
                name = g.resolve(rel[0], rel[1], [d.generation for d in cat.generations(rel[0])], dsn)
            except DensanError as exc:
                _fail(exc)
        ds = cat.get(name)
        if ds is not None:
            for key, value in vars(ds).items():
                if value is not None:
                    click.echo(f"{key.upper().replace('_', ' '):<13} {value}")
            return
        base = cat.gdg(name)
        if base is not None:
            click.echo(f"GDG BASE      {base.base}")
            click.echo(f"LIMIT         {base.limit}  {'EMPTY' if base.empty else 'NOEMPTY'} "
                       f"{'SCRATCH' if base.scratch else 'NOSCRATCH'}")
            gens = cat.generations(base.base)
            for i, d in enumerate(reversed(gens)):
                click.echo(f"  ({-i if i else 0}) {d.dsn}  {d.records if d.records is not None else '?'} records  "
                           f"{d.size} bytes  {d.created_at}")
            if not gens:
                click.echo("  (no generations)")
            return
        click.echo(f"densan catalog: {dsn} is not catalogued", err=True)
        sys.exit(2)
    finally:
        cat.close()


@catalog.command("define-gdg")
@click.argument("base")
@click.option("--limit", type=click.IntRange(1, 255), required=True, help="Generations kept (1-255).")
@click.option("--empty/--noempty", default=False, show_default=True,
              help="EMPTY: when LIMIT is exceeded roll off every older generation; NOEMPTY: only the oldest.")
@click.option("--scratch/--noscratch", default=True, show_default=True,
              help="SCRATCH: delete rolled-off files; NOSCRATCH: only uncatalog them.")
@click.option("--replace", is_flag=True, help="Change an existing base's options.")
def define_gdg(base: str, limit: int, empty: bool, scratch: bool, replace: bool) -> None:
    """Define a generation data group BASE (generations BASE.GnnnnV00)."""
    from engine.job.catalog import Catalog
    cat = Catalog()
    try:
        g = cat.define_gdg(base, limit, empty=empty, scratch=scratch, replace=replace)
        click.echo(f"GDG BASE {g.base} DEFINED LIMIT({g.limit}) {'EMPTY' if g.empty else 'NOEMPTY'} "
                   f"{'SCRATCH' if g.scratch else 'NOSCRATCH'}")
    except DensanError as exc:
        _fail(exc)
    finally:
        cat.close()


@catalog.command("delete")
@click.argument("dsn")
@click.option("--purge", is_flag=True, help="For a GDG base: delete its generations too.")
def delete(dsn: str, purge: bool) -> None:
    """Delete a dataset (uncatalog it and remove its file), or an empty GDG base."""
    from engine.job.catalog import delete_dataset
    try:
        for line in delete_dataset(dsn, purge_gdg=purge):
            click.echo(line)
    except DensanError as exc:
        _fail(exc)


@catalog.command("import")
@click.argument("dsn")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--copybook", default=None, help="Copybook of the records (name or path).")
@click.option("--encoding", default="ascii", show_default=True, help="Code page (cp930, cp037, ascii …).")
@click.option("--recfm", type=click.Choice(["F", "FB", "V", "VB", "LS"], case_sensitive=False), default="FB",
              show_default=True)
@click.option("--lrecl", type=int, default=None, help="Record length (default: from the copybook for F/FB).")
@click.option("--dialect", default=None, help="ibm or gnucobol storage rules.")
@click.option("--move", is_flag=True, help="Move the file into the densan home instead of copying it.")
@click.option("--replace", is_flag=True, help="Replace a dataset already catalogued under DSN.")
def import_(dsn: str, path: str, copybook, encoding, recfm, lrecl, dialect, move, replace) -> None:
    """Register an existing file as dataset DSN (BASE(+1) adds a generation to a GDG)."""
    from engine.job.catalog import import_dataset
    try:
        ds = import_dataset(dsn, path, copybook=copybook, encoding=encoding, recfm=recfm, lrecl=lrecl,
                            dialect=dialect, move=move, replace=replace)
    except DensanError as exc:
        _fail(exc)
    click.echo(f"{ds.dsn} CATALOGED {ds.size} bytes"
               + (f", {ds.records} records" if ds.records is not None else "") + f" -> {ds.path}")
