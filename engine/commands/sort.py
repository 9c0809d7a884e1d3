"""`densan sort`: run DFSORT control statements on files, outside a job.
Exit status: the sort's return code (0, 4; 16 on a statement or data error)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from engine.errors import DensanError


def _statements(sysin: str) -> str:
    if "\n" not in sysin and os.path.isfile(sysin):
        return Path(sysin).read_text(encoding="utf-8")
    text = sysin.replace("\\n", "\n")
    # a one-line statement typed on the command line needs its leading blank
    return "\n".join(line if line[:1] in (" ", "*") else " " + line for line in text.splitlines())


@click.command("sort")
@click.option("--sysin", required=True,
              help="Control statements: a file, or the text itself (lines separated by newlines or \\n).")
@click.option("--in", "inputs", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Input file; repeat for a concatenation (SORT/COPY) or the SORTIN01.. of a MERGE.")
@click.option("--out", "output", type=click.Path(dir_okay=False), default=None, help="SORTOUT file.")
@click.option("--outfil", multiple=True, metavar="NAME=PATH", help="File for an OUTFIL FNAMES= name.")
@click.option("--encoding", default="ascii", show_default=True, help="Code page of the data (C'..' constants, ZD signs).")
@click.option("--recfm", default="FB", show_default=True, help="F, FB, V, VB or LS.")
@click.option("--lrecl", type=int, default=None, help="Record length (F/FB: required; V/VB: the maximum).")
@click.option("--out-lrecl", type=int, default=None, help="SORTOUT LRECL, when it differs (pad X'00' / truncate).")
def sort(sysin, inputs, output, outfil, encoding, recfm, lrecl, out_lrecl):
    """Sort, merge or copy records with DFSORT control statements (SORT, MERGE, OPTION,
    INCLUDE/OMIT, INREC, OUTREC, SUM, OUTFIL). EBCDIC data sorts in EBCDIC order."""
    from engine.records import RecordFormat, write_records
    from engine.sort.program import execute
    from engine.sort.statements import compile_statements

    def log(line: str) -> None:
        click.echo(line, err=True)

    try:
        text = _statements(sysin)
        targets = {}
        if output:
            targets["SORTOUT"] = Path(output)
        for item in outfil:
            name, sep, path = item.partition("=")
            if not sep or not name or not path:
                raise DensanError(f"--outfil {item!r} is not NAME=PATH", hint="e.g. --outfil OUT1=high.dat")
            targets[name.strip().upper()] = Path(path)
        mode = compile_statements(text).mode
        if mode == "merge":
            ins = [(f"SORTIN{k:02d}", [Path(p)]) for k, p in enumerate(inputs, 1)]
        else:
            ins = [("SORTIN", [Path(p) for p in inputs])]
        recfm = recfm.upper()

        def write(name, block):
            lrecl_out, recfm_out = (out_lrecl if name == "SORTOUT" else None), recfm
            return write_records(targets[name], block, RecordFormat(recfm=recfm_out, lrecl=lrecl_out))

        result, rc = execute(text, ins, encoding=encoding, recfm=recfm, lrecl=lrecl, write=write,
                             outputs=lambda name: name in targets, log=log,
                             out_lrecl=lambda name: (out_lrecl if name == "SORTOUT" else None, recfm))
    except DensanError as exc:
        click.echo(f"densan sort: {exc}", err=True)
        sys.exit(16)
    sys.exit(rc)
