"""`densan convert`: a dataset through its copybook to Parquet, CSV, JSON lines, or
another fixed-width dataset (other copybook, code page, RECFM or dialect).

The input is read in chunks and each chunk is decoded, written and dropped, so
files larger than memory convert in constant memory. The output appears only
when complete (temporary file beside it, renamed at the end).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from engine.records.recfm import MAX_LRECL

from engine.errors import DensanError

TEXT_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".jsonl": "jsonl",
                ".ndjson": "jsonl", ".json": "jsonl"}


def _fmt_options(little: bool, excludes: bool, bdw: bool) -> dict:
    return dict(rdw_byteorder="little" if little else "big", rdw_includes_header=not excludes, bdw=bdw)


class _Progress:
    """A tqdm bar over the input's bytes, only when stderr is a terminal."""

    def __init__(self, path: Path, enabled: bool):
        self.bar = None
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=path.stat().st_size, unit="B", unit_scale=True,
                            desc=f"convert {path.name}", file=sys.stderr, leave=False)
        self.done = 0

    def update(self, block) -> None:
        if self.bar is None or len(block) == 0:
            return
        end = int(block.file_offsets[-1]) + int(block.lengths[-1])
        self.bar.update(max(0, end - self.done))
        self.done = end

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_convert(input, output, *, copybook, encoding="ascii", recfm="F", lrecl=None, dialect=None,
                rdw_little_endian=False, rdw_excludes_header=False, bdw=False, errors="strict",
                reject=None, to_copybook=None, to_encoding=None, to_recfm=None, to_lrecl=None,
                to_dialect=None, flatten=False, raw=False, progress=True,
                chunk_records=None, byte_range=None, csv_header=True) -> dict:
    """Convert one dataset; returns the counts {"in", "out", "rejected", "seconds"}.
    byte_range (engine.cluster.partitioning.ByteRange): only those records of the input
    (one partition of a cluster run); csv_header=False: a CSV part after the first."""
    from engine.records.codec import RecordCodec
    from engine.records.dataset import (AtomicOutput, ReadStats, _finish_rejects, decode_blocks,
                                        record_format, resolve_layout)
    from engine.records.recfm import DEFAULT_CHUNK, iter_records

    started = time.monotonic()
    input, output = Path(input), Path(output)
    if not input.exists():
        raise DensanError(f"input dataset not found: {input}")
    from engine.samefile import refuse_same_file
    refuse_same_file("convert", [("INPUT", input)],
                     [("OUTPUT", output)] + ([("--reject", Path(reject))] if reject else []))
    chunk = chunk_records or DEFAULT_CHUNK
    layout = resolve_layout(copybook, dialect=dialect, encoding=encoding)
    source_kind = TEXT_FORMATS.get(input.suffix.lower())
    if source_kind is not None:
        return _from_open_format(input, output, source_kind, layout, started, encoding=to_encoding or encoding,
                                 dialect=to_dialect or dialect, recfm=to_recfm or recfm or "F",
                                 lrecl=to_lrecl or lrecl, rdw=(rdw_little_endian, rdw_excludes_header, bdw))
    fmt = record_format(layout, recfm or "F", lrecl,
                        **_fmt_options(rdw_little_endian, rdw_excludes_header, bdw))
    kind = TEXT_FORMATS.get(output.suffix.lower(), "dataset")
    flat = flatten or kind == "csv"
    in_codec = RecordCodec(layout, codepage=encoding, dialect=dialect, flatten=flat and kind != "dataset")

    stats, rejects = ReadStats(), []
    bar = _Progress(input, progress)

    def blocks():
        if byte_range is not None:
            from engine.cluster.partitioning import iter_range
            source = iter_range(byte_range, fmt, chunk)
        else:
            source = iter_records(input, fmt, chunk)
        for block in source:
            bar.update(block)
            yield block

    written = 0
    try:
        if kind == "dataset":
            written = _to_dataset(blocks(), in_codec, layout, output, stats, rejects, fmt,
                                  errors=errors, encoding=encoding, dialect=dialect,
                                  to_copybook=to_copybook, to_encoding=to_encoding, to_recfm=to_recfm,
                                  to_lrecl=to_lrecl, to_dialect=to_dialect,
                                  rdw=(rdw_little_endian, rdw_excludes_header, bdw))
        else:
            frames = decode_blocks(blocks(), in_codec, errors=errors, keep_raw=raw, file=str(input),
                                   stats=stats, rejects=rejects, pad=fmt.pad_byte(),
                                   line_sequential=fmt.line_sequential)
            writer = _WRITERS[kind] if csv_header or kind != "csv" else _write_csv_rows
            with AtomicOutput(output) as temp:
                written = writer(frames, temp, None if flat else layout)
    finally:
        bar.close()
    _finish_rejects(input, fmt, stats, rejects, reject)
    return {"in": stats.records_in, "out": written, "rejected": stats.rejected,
            "seconds": time.monotonic() - started, "messages": stats.messages}


def _from_open_format(input, output, kind, layout, started, *, encoding, dialect, recfm, lrecl, rdw) -> dict:
    """Parquet / CSV / JSON lines -> host records through the copybook (the way back)."""
    from engine.records.codec import RecordCodec
    from engine.records.dataset import AtomicOutput, encode_frames, record_format
    from engine.records.from_open import read_open_format
    from engine.records.recfm import write_records

    if TEXT_FORMATS.get(output.suffix.lower()) is not None:
        raise DensanError(f"{input.name} -> {output.name}: one side must be a host dataset",
                          hint="convert an open format to records (any other extension), or records to it")
    codec = RecordCodec(layout, codepage=encoding, dialect=dialect)
    fmt = record_format(layout, recfm, lrecl, **_fmt_options(*rdw))
    counted = []

    def frames():
        for frame in read_open_format(input, kind, codec, layout):
            counted.append(len(frame))
            yield frame

    with AtomicOutput(output) as temp:
        written = write_records(temp, encode_frames(frames(), codec, fmt=fmt), fmt)
    return {"in": sum(counted), "out": written, "rejected": 0, "seconds": time.monotonic() - started,
            "messages": []}


def run_cobrix(input, output, *, copybook, options=()) -> dict:
    """Decode as Cobrix would (engine.compat.cobrix) and write Parquet, CSV or JSON
    lines in Cobrix's shape. The input is decoded whole (a comparison tool)."""
    import tempfile

    from engine.compat.cobrix import cobrix_json_lines, read_cobrix
    from engine.records.dataset import AtomicOutput, resolve_layout
    from engine.records.output import csv_ready

    started = time.monotonic()
    opts = {}
    for item in options:
        name, sep, value = item.partition("=")
        if not sep:
            raise DensanError(f"--cobrix-option {item!r}: write NAME=VALUE")
        opts[name.strip()] = value.strip()
    output = Path(output)
    kind = TEXT_FORMATS.get(output.suffix.lower())
    if kind is None:
        raise DensanError(f"with --cobrix the output must be .jsonl, .csv or .parquet, not {output.name}")
    layout = resolve_layout(copybook)
    with tempfile.TemporaryDirectory() as work:
        frame = read_cobrix([input], layout, opts, work_dir=Path(work))
    with AtomicOutput(output) as temp:
        if kind == "jsonl":
            lines = cobrix_json_lines(frame, layout, opts)
            temp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        elif kind == "csv":
            csv_ready(frame).write_csv(temp)
        else:
            frame.write_parquet(temp)
    return {"in": frame.height, "out": frame.height, "seconds": time.monotonic() - started}


def _to_dataset(blocks, in_codec, layout, output, stats, rejects, fmt, *, errors, encoding, dialect,
                to_copybook, to_encoding, to_recfm, to_lrecl, to_dialect, rdw) -> int:
    from engine.records.codec import RecordCodec
    from engine.records.dataset import (AtomicOutput, decode_blocks, record_format, resolve_layout,
                                        restore_lengths)
    from engine.records.recfm import RecordBlock, RecordFormat, write_records

    out_layout = (resolve_layout(to_copybook, dialect=to_dialect or dialect, encoding=to_encoding or encoding)
                  if to_copybook else layout)
    out_encoding = to_encoding or encoding
    out_dialect = to_dialect or dialect
    if to_recfm or to_lrecl:
        out_fmt = record_format(out_layout, to_recfm or fmt.recfm, to_lrecl, **_fmt_options(*rdw))
    elif fmt.fixed and fmt.lrecl == layout.record_length and out_layout is not layout:
        out_fmt = RecordFormat(fmt.recfm, out_layout.record_length)
    else:
        out_fmt = fmt
    same = (out_layout is layout and out_encoding.lower() == encoding.lower()
            and (out_dialect or "") == (dialect or ""))
    out_codec = RecordCodec(out_layout, codepage=out_encoding, dialect=out_dialect)
    frames = decode_blocks(blocks, in_codec, errors=errors, keep_raw=same, file=None, stats=stats,
                           rejects=rejects, pad=fmt.pad_byte(), line_sequential=fmt.line_sequential)

    def encoded():
        for frame in frames:
            data = out_codec.encode(frame)
            block = data if isinstance(data, RecordBlock) else RecordBlock.from_array(data)
            yield restore_lengths(block, frame, out_fmt, out_codec.cp.space)

    with AtomicOutput(output) as temp:
        return write_records(temp, encoded(), out_fmt)


def _write_parquet(frames, path, layout) -> int:
    import pyarrow.parquet as pq
    writer, count = None, 0
    try:
        for frame in frames:
            table = frame.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table.cast(writer.schema) if table.schema != writer.schema else table)
            count += len(frame)
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        Path(path).write_bytes(b"")
    return count


def _write_csv(frames, path, layout, header: bool = True) -> int:
    from engine.records.output import csv_ready
    count = 0
    with open(path, "wb") as fh:
        for frame in frames:
            csv_ready(frame).write_csv(fh, include_header=header and count == 0 and fh.tell() == 0)
            count += len(frame)
    return count


def _write_jsonl(frames, path, layout) -> int:
    from engine.records.output import write_jsonl
    count = 0
    with open(path, "wb") as fh:
        for frame in frames:
            write_jsonl(frame, fh, layout)
            count += len(frame)
    return count


def _write_csv_rows(frames, path, layout) -> int:
    return _write_csv(frames, path, layout, header=False)


_WRITERS = {"parquet": _write_parquet, "csv": _write_csv, "jsonl": _write_jsonl}


def _on_cluster(input, output, reject, options: dict, cluster: str | None) -> dict | None:
    """The conversion on a cluster when one is given (None: convert here)."""
    from engine.cluster import cluster_address
    address = cluster_address(cluster)
    if address is None:
        return None
    from engine.cluster.convert import convert_on_cluster
    from engine.cluster.executor import executor_for
    from engine.config import densan_home

    def log(line: str) -> None:
        click.echo(f"densan convert: {line}", err=True)

    with executor_for(address) as executor:
        return convert_on_cluster(input, output, executor=executor, home=densan_home(), log=log,
                                  reject=reject, **options)


LRECL = click.IntRange(1, MAX_LRECL)   # a record length: refused by option name beyond the limit


@click.command("convert")
@click.argument("input", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--copybook", required=True, help="Copybook (name in the copy library, or a path).")
@click.option("--encoding", default="ascii", show_default=True,
              help="Code page of the input (cp930, cp037, cp932, ascii, ...).")
@click.option("--recfm", type=click.Choice(["F", "FB", "V", "VB", "LS"], case_sensitive=False),
              default="F", show_default=True, help="Record format of the input.")
@click.option("--lrecl", type=LRECL, help="Record length (default: the copybook's; V/VB: with RDW).")
@click.option("--dialect", type=click.Choice(["ibm", "gnucobol"], case_sensitive=False),
              help="Compiler storage rules (default: ibm for EBCDIC, gnucobol for ASCII).")
@click.option("--rdw-little-endian", is_flag=True, help="RDW/BDW lengths are little-endian.")
@click.option("--rdw-excludes-header", is_flag=True, help="RDW lengths do not count the RDW.")
@click.option("--bdw", is_flag=True, help="Records are in blocks with a BDW.")
@click.option("--errors", type=click.Choice(["strict", "lenient"]), default="strict", show_default=True,
              help="strict: stop at the first bad record; lenient: reject it and go on.")
@click.option("--reject", type=click.Path(dir_okay=False, path_type=Path),
              help="Where lenient mode writes rejected records (same RECFM).")
@click.option("--to-copybook", help="Copybook of a fixed-width output (default: --copybook).")
@click.option("--to-encoding", help="Code page of a fixed-width output (default: --encoding).")
@click.option("--to-recfm", type=click.Choice(["F", "FB", "V", "VB", "LS"], case_sensitive=False),
              help="Record format of a fixed-width output (default: --recfm).")
@click.option("--to-lrecl", type=LRECL, help="Record length of a fixed-width output.")
@click.option("--to-dialect", type=click.Choice(["ibm", "gnucobol"], case_sensitive=False),
              help="Compiler storage rules of a fixed-width output.")
@click.option("--flatten", is_flag=True, help="OCCURS as NAME-1, NAME-2 ... columns.")
@click.option("--raw", is_flag=True, help="Add the raw record bytes (__record__; hex in CSV/JSON).")
@click.option("--cobrix", is_flag=True,
              help="Read and write as Cobrix (Spark) does: its defaults (little-endian RDW without "
                   "the header, strings trimmed both ends, invalid values null) and JSON shape.")
@click.option("--cobrix-option", "cobrix_options", multiple=True, metavar="NAME=VALUE",
              help="A Cobrix .option() (with --cobrix), e.g. is_rdw_big_endian=true.")
@click.option("--cluster", default=None, metavar="tcp://HOST:8786",
              help="Convert by record ranges on this Dask cluster (default: DENSAN_CLUSTER); same bytes.")
def convert(input, output, copybook, encoding, recfm, lrecl, dialect, rdw_little_endian,
            rdw_excludes_header, bdw, errors, reject, to_copybook, to_encoding, to_recfm, to_lrecl,
            to_dialect, flatten, raw, cobrix, cobrix_options, cluster):
    """Convert dataset INPUT to OUTPUT: .parquet, .csv, .jsonl, or (any other
    extension) a fixed-width dataset, re-encoding every field. The way back: an INPUT
    in .parquet, .csv or .jsonl (as convert writes them) becomes host records through
    the copybook (--encoding/--recfm/--lrecl, or --to-*, describe the records written)."""
    if cobrix or cobrix_options:
        try:
            result = run_cobrix(input, output, copybook=copybook, options=cobrix_options)
        except DensanError as exc:
            click.echo(f"densan convert: {exc}", err=True)
            sys.exit(exc.exit_code)
        click.echo(f"CONVERT {input} -> {output} (Cobrix compatible): records in {result['in']:,}, "
                   f"out {result['out']:,}, elapsed {result['seconds']:.2f}s", err=True)
        return
    options = dict(copybook=copybook, encoding=encoding, recfm=recfm, lrecl=lrecl, dialect=dialect,
                   rdw_little_endian=rdw_little_endian, rdw_excludes_header=rdw_excludes_header, bdw=bdw,
                   errors=errors, to_copybook=to_copybook, to_encoding=to_encoding, to_recfm=to_recfm,
                   to_lrecl=to_lrecl, to_dialect=to_dialect, flatten=flatten, raw=raw)
    try:
        from engine.samefile import refuse_same_file    # before a cluster is asked for anything
        refuse_same_file("convert", [("INPUT", Path(input))],
                         [("OUTPUT", Path(output))] + ([("--reject", Path(reject))] if reject else []))
        result = _on_cluster(input, output, reject, options, cluster)
        if result is None:
            result = run_convert(input, output, reject=reject, **options)
    except DensanError as exc:
        click.echo(f"densan convert: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:      # disk full, permissions, a file vanishing underneath
        click.echo(f"densan convert: {exc.filename or output}: {exc.strerror}", err=True)
        sys.exit(2)
    for message in result["messages"][:20]:
        click.echo(f"densan convert: {message}", err=True)
    rate = result["in"] / result["seconds"] if result["seconds"] > 0 else 0
    line = (f"CONVERT {input} -> {output}: records in {result['in']:,}, out {result['out']:,}, "
            f"rejected {result['rejected']:,}, elapsed {result['seconds']:.2f}s ({rate:,.0f} rec/s)")
    if result["rejected"] and reject:
        line += f"; rejects in {reject}"
    click.echo(line, err=True)
    if result["rejected"]:
        sys.exit(4)   # like a host step's RC=4: finished, with warnings
