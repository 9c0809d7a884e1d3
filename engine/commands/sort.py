"""`densan sort`: run DFSORT control statements on files, outside a job.
Exit status: the sort's return code (0, 4; 16 on a statement or data error)."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from engine.records.recfm import MAX_LRECL

from engine.errors import DensanError


def _statements(sysin: str) -> str:
    if "\n" not in sysin and os.path.isfile(sysin):
        return Path(sysin).read_text(encoding="utf-8")
    text = sysin.replace("\\n", "\n")
    # a one-line statement typed on the command line needs its leading blank
    return "\n".join(line if line[:1] in (" ", "*") else " " + line for line in text.splitlines())


def _on_cluster(text, inputs, targets, encoding, recfm, lrecl, out_lrecl, cluster, log) -> int | None:
    """The sort on a cluster when one is given; None: sort here."""
    from engine.cluster import cluster_address
    address = cluster_address(cluster)
    if address is None:
        return None
    from engine.cluster.executor import executor_for
    from engine.cluster.ledger import Ledger, signature
    from engine.cluster.partitioning import concatenate
    from engine.cluster.sortstep import sort_files
    from engine.config import densan_home
    from engine.records import RecordFormat
    from engine.records.dataset import AtomicOutput

    fmt = RecordFormat(recfm=recfm, lrecl=lrecl)
    outputs = {name: ((out_lrecl if name == "SORTOUT" else None), recfm) for name in targets}
    sig = signature("SORT", "SORT", "SORT", text, list(inputs),
                    {"targets": sorted(map(str, targets.values())), "outputs": sorted(outputs.items()),
                     "encoding": encoding, "fmt": fmt.describe()})
    ledger = Ledger(densan_home(), f"SORT-{os.getpid()}", "SORT", sig)
    finished = False
    try:
        with executor_for(address) as executor:
            result = sort_files(text, list(inputs), encoding=encoding, fmt=fmt, outputs=outputs,
                                executor=executor, ledger=ledger, log=log)
        if result is None:
            finished = True
            return None
        for name, target in targets.items():
            with AtomicOutput(target) as temp:
                temp.unlink()
                concatenate([Path(p) for p in result["files"].get(name, [])], temp)
                if not temp.exists():
                    temp.touch()
        for line in result["messages"]:
            log(line)
        finished = True
        return result["rc"]
    finally:
        ledger.close(finished=finished)


LRECL = click.IntRange(1, MAX_LRECL)   # a record length: refused by option name beyond the limit


@click.command("sort")
@click.option("--sysin", required=True,
              help="Control statements: a file, or the text itself (lines separated by newlines or \\n).")
@click.option("--in", "inputs", multiple=True, required=True, type=click.Path(dir_okay=False),
              help="Input file; repeat for a concatenation (SORT/COPY) or the SORTIN01.. of a MERGE.")
@click.option("--out", "output", type=click.Path(dir_okay=False), default=None, help="SORTOUT file.")
@click.option("--outfil", multiple=True, metavar="NAME=PATH", help="File for an OUTFIL FNAMES= name.")
@click.option("--encoding", default="ascii", show_default=True, help="Code page of the data (C'..' constants, ZD signs).")
@click.option("--recfm", default="FB", show_default=True, help="F, FB, V, VB or LS.")
@click.option("--lrecl", type=LRECL, default=None, help="Record length (F/FB: required; V/VB: the maximum).")
@click.option("--out-lrecl", type=LRECL, default=None, help="SORTOUT LRECL, when it differs (pad X'00' / truncate).")
@click.option("--cluster", default=None, metavar="tcp://HOST:8786",
              help="Sort on this Dask cluster (a sample sort; default: DENSAN_CLUSTER); same bytes.")
def sort(sysin, inputs, output, outfil, encoding, recfm, lrecl, out_lrecl, cluster):
    """Sort, merge or copy records with DFSORT control statements (SORT, MERGE, OPTION,
    INCLUDE/OMIT, INREC, OUTREC, SUM, OUTFIL). EBCDIC data sorts in EBCDIC order."""
    from engine.records import RecordFormat, write_records
    from engine.records.dataset import AtomicOutput
    from engine.samefile import refuse_same_file
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
        refuse_same_file("sort", [("--in", Path(p)) for p in inputs],
                         [("--out" if n == "SORTOUT" else f"--outfil {n}", p) for n, p in targets.items()])
        mode = compile_statements(text).mode
        if mode == "merge":
            ins = [(f"SORTIN{k:02d}", [Path(p)]) for k, p in enumerate(inputs, 1)]
        else:
            ins = [("SORTIN", [Path(p) for p in inputs])]
        recfm = recfm.upper()
        if mode != "merge":
            rc = _on_cluster(text, ins[0][1], targets, encoding, recfm, lrecl, out_lrecl, cluster, log)
            if rc is not None:
                sys.exit(rc)

        with contextlib.ExitStack() as written:    # every output renamed into place at the end, or none

            def write(name, block):
                lrecl_out, recfm_out = (out_lrecl if name == "SORTOUT" else None), recfm
                temp = written.enter_context(AtomicOutput(targets[name]))
                return write_records(temp, block, RecordFormat(recfm=recfm_out, lrecl=lrecl_out))

            result, rc = execute(text, ins, encoding=encoding, recfm=recfm, lrecl=lrecl, write=write,
                                 outputs=lambda name: name in targets, log=log,
                                 out_lrecl=lambda name: (out_lrecl if name == "SORTOUT" else None, recfm))
    except DensanError as exc:
        click.echo(f"densan sort: {exc}", err=True)
        sys.exit(16)
    except OSError as exc:      # a file vanishing, a disk full: nothing was renamed into place
        click.echo(f"densan sort: {exc.filename or ''}: {exc.strerror or exc}", err=True)
        sys.exit(16)
    sys.exit(rc)
