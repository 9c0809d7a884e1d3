"""The way back from open formats: Parquet, CSV and JSON lines (as `densan convert` writes
them) read into frames of the codec's shape, so that the record encoders write host records.

The codec's own decode of no records gives the shape (column names and types). Parquet
holds those types. CSV holds text: each column is cast back, and OCCURS columns flattened to
NAME-1, NAME-2 … are gathered into lists again. JSON lines follow the copybook (groups as
objects, OCCURS as arrays): they are read by Arrow's JSON reader with a schema built from the
layout, so decimals keep every digit, and each elementary field is taken out of its groups.
Every format is read in batches: memory is bounded by a batch, not the file.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import polars as pl

from engine.errors import DensanError
from engine.records.output import RAW, column_names

BATCH_ROWS = 65_536


def template(codec) -> pl.DataFrame:
    """The codec's frame of no records: the shape every input is brought to."""
    from engine.records.recfm import RecordBlock
    empty = RecordBlock.from_array(np.zeros((0, codec.record_length), np.uint8))
    return codec.decode(empty).frame


def read_open_format(path: Path, kind: str, codec, layout) -> Iterator[pl.DataFrame]:
    shape = template(codec)
    try:
        if kind == "parquet":
            frames = _parquet(path)
        elif kind == "csv":
            frames = _csv(path, shape)
        else:
            frames = _jsonl(path, shape, layout)
        for frame in frames:
            yield _conform(frame, shape, path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:
        if isinstance(exc, DensanError):
            raise
        import pyarrow as pa
        if isinstance(exc, OSError) and not isinstance(exc, pa.ArrowException):
            raise DensanError(f"cannot read {path}: {exc.strerror or exc}") from None
        raise DensanError(f"{path} is not {kind} data the copybook describes: {str(exc).splitlines()[0]}",
                          hint=f"give a file written by densan convert ... {path.suffix} with the same copybook") from None
    except Exception as exc:   # noqa: BLE001 — Arrow's readers raise their own error classes
        import pyarrow as pa
        if isinstance(exc, pa.ArrowException):
            raise DensanError(f"{path} is not {kind} data the copybook describes: {str(exc).splitlines()[0]}",
                              hint=f"give a file written by densan convert ... {path.suffix} with the same copybook") from None
        raise


def _conform(frame: pl.DataFrame, shape: pl.DataFrame, path: Path) -> pl.DataFrame:
    missing = [c for c in shape.columns if c not in frame.columns]
    if missing:
        raise DensanError(f"{path}: no column for field {missing[0]}"
                          + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""),
                          hint="the file must hold every field of the copybook, named as densan convert names them")
    exprs = [pl.col(c).cast(t, strict=True) if frame.schema[c] != t else pl.col(c) for c, t in shape.schema.items()]
    if RAW in frame.columns:
        raw = pl.col(RAW)
        if frame.schema[RAW] == pl.String:
            raw = raw.str.decode("hex")
        exprs.append(raw.alias(RAW))
    return frame.select(exprs)


def _parquet(path: Path) -> Iterator[pl.DataFrame]:
    import pyarrow.parquet as pq
    with pq.ParquetFile(path) as f:
        for batch in f.iter_batches(batch_size=BATCH_ROWS):
            yield pl.from_arrow(batch)


def _csv(path: Path, shape: pl.DataFrame) -> Iterator[pl.DataFrame]:
    import csv

    import pyarrow as pa
    import pyarrow.csv as pc
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    if not header:
        return
    reader = pc.open_csv(path, read_options=pc.ReadOptions(block_size=16 << 20),
                         convert_options=pc.ConvertOptions(column_types={c: pa.string() for c in header},
                                                           strings_can_be_null=False))
    for batch in reader:
        for text in [pl.from_arrow(pa.Table.from_batches([batch]))]:
            cols = set(text.columns)
            exprs = [_gather_flat(name, dtype, cols).alias(name) for name, dtype in shape.schema.items()
                     if name in cols or any(c.startswith(name + "-") for c in cols)]
            if RAW in cols:
                exprs.append(pl.col(RAW))
            yield text.select(exprs)


def _gather_flat(name: str, dtype, cols: set[str]) -> pl.Expr:
    """NAME-1, NAME-2 … (nested: NAME-1-1 …) back into a list column; text cast to `dtype`."""
    if not isinstance(dtype, (pl.List, pl.Array)):
        expr = pl.col(name)
        if dtype != pl.String:
            expr = pl.when(expr.str.strip_chars() == "").then(None).otherwise(expr)
        return expr.cast(dtype)
    items, i = [], 1
    while f"{name}-{i}" in cols or any(c.startswith(f"{name}-{i}-") for c in cols):
        items.append(_gather_flat(f"{name}-{i}", dtype.inner, cols))
        i += 1
    if not items:
        return pl.col(name)
    if isinstance(dtype.inner, (pl.List, pl.Array)):   # concat_list would join the inner lists
        wrapped = [pl.struct(item.alias("x")) for item in items]
        return pl.concat_list(wrapped).list.eval(pl.element().struct.field("x"))
    return pl.concat_list(items)


def _jsonl(path: Path, shape: pl.DataFrame, layout) -> Iterator[pl.DataFrame]:
    import pyarrow as pa
    import pyarrow.json as pj

    names = column_names(layout)
    types = {c: pl.Series([], dtype=t).to_arrow().type for c, t in shape.schema.items()}
    top, exprs = [], []
    for record in layout.records:
        for f in (record.children or [record]):
            spec = _arrow_member(f, names, types)
            if spec is not None:
                top.extend(spec if isinstance(spec, list) else [spec])
        for leaf in record.walk():
            if id(leaf) in names and not leaf.children:
                exprs.append(_leaf_expr(leaf, record, names).alias(names[id(leaf)]))
    top.append(pa.field(RAW, pa.string()))
    options = pj.ParseOptions(explicit_schema=pa.schema(top), unexpected_field_behavior="ignore")
    reader = pj.open_json(path, parse_options=options, read_options=pj.ReadOptions(block_size=16 << 20))
    for batch in reader:
        frame = pl.from_arrow(pa.Table.from_batches([batch]))
        frame = frame.select(exprs + ([pl.col(RAW)] if frame[RAW].null_count() < len(frame) else []))
        yield frame


def _arrow_member(f, names, types):
    """The Arrow field of a layout item as JSON lines hold it (a FILLER group without OCCURS
    is lifted into its parent: a list of its members' fields)."""
    import pyarrow as pa
    if f.level in (66, 88) or (f.is_filler and not f.children):
        return None
    if not f.children:
        if id(f) not in names:
            return None
        t = types[names[id(f)]]
        depth = _occurs_depth(f)
        for _ in range(depth):          # the column type holds every enclosing OCCURS; the
            t = t.value_type            # JSON member only its own
        if f.occurs:
            t = pa.list_(t)
        return pa.field(f.name, t)
    members = []
    for c in f.children:
        m = _arrow_member(c, names, types)
        if m is not None:
            members.extend(m if isinstance(m, list) else [m])
    if f.is_filler and not f.occurs:
        return members
    t = pa.struct(members)
    return pa.field(f.name, pa.list_(t) if f.occurs else t)


def _occurs_depth(f) -> int:
    """OCCURS levels around an elementary field, its own included."""
    depth, node = 0, f
    while node is not None:
        if node.occurs:
            depth += 1
        node = node.parent
    return depth


def _leaf_expr(leaf, record, names) -> pl.Expr:
    chain, node = [], leaf
    while node is not None and node is not record:
        chain.append(node)
        node = node.parent
    chain.reverse()

    def build(i: int, base: pl.Expr | None) -> pl.Expr:
        node = chain[i]
        hoisted = node.is_filler and node.children and not node.occurs
        cur = base if hoisted else (pl.col(node.name) if base is None else base.struct.field(node.name))
        if i == len(chain) - 1:
            return cur
        if node.occurs:
            return cur.list.eval(build(i + 1, pl.element()))
        return build(i + 1, cur)
    return build(0, None)
