"""Decoded records out to analysis formats: Parquet, CSV and JSON lines.

JSON lines follow the copybook: one object per record (the 01 level is the object
itself), groups as nested objects, OCCURS as arrays, integers as JSON numbers,
scaled decimals as exact numbers that keep their scale (`30.50`), text as
decoded (trailing spaces already gone). The text is built column-wise with Polars
string expressions — no json.dumps per row. An OCCURS of a group becomes an
array of objects by exploding its columns once and joining per record.

CSV cannot hold arrays, so OCCURS columns are flattened to NAME-1, NAME-2, …
(`flatten_occurs`, also what `densan convert --flatten` does for any format).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

RAW = "__record__"
_INDEX = "__row__"
NULL_GROUP = "__null__"   # a Boolean column "__null__NAME" makes group NAME null where true


# ---- flattening ----------------------------------------------------------------------------

def flatten_occurs(frame: pl.DataFrame) -> pl.DataFrame:
    """List columns to NAME-1 … NAME-n (nested tables: NAME-1-1 …), n the longest list."""
    while True:
        lists = [c for c, t in frame.schema.items() if isinstance(t, (pl.List, pl.Array))]
        if not lists:
            return frame
        exprs = []
        for name, dtype in frame.schema.items():
            if name not in lists:
                exprs.append(pl.col(name))
                continue
            if isinstance(dtype, pl.Array):
                width = dtype.size
                col = pl.col(name).arr
            else:
                width = int(frame[name].list.len().max() or 0)
                col = pl.col(name).list
            exprs.extend(col.get(i, null_on_oob=True).alias(f"{name}-{i + 1}") for i in range(width))
        frame = frame.select(exprs)


# ---- JSON lines ----------------------------------------------------------------------------

@dataclass
class JsonStyle:
    """Conventions of the JSON text: densan's (copybook names, nulls written, a
    FILLER group's fields lifted into its parent) or a peer's (Cobrix: '_' for
    '-', nulls left out, FILLER groups as FILLER_1, FILLER_2 …)."""
    key: Callable[[str], str] = lambda name: name
    omit_nulls: bool = False
    filler_groups: str = "hoist"     # "hoist" | "number" | "drop"


def _quote(name: str) -> str:
    import json
    return json.dumps(name, ensure_ascii=False)


def _scalar_json(expr: pl.Expr, dtype) -> pl.Expr:
    """JSON text of a value (null stays null)."""
    if isinstance(dtype, pl.Decimal):
        return expr.cast(pl.String)
    if dtype == pl.Binary:
        expr = expr.bin.encode("hex").str.to_uppercase()
        dtype = pl.String
    if isinstance(dtype, (pl.List, pl.Array)):
        inner = dtype.inner
        if isinstance(dtype, pl.Array):
            expr = expr.arr.to_list()
        body = expr.list.eval(_scalar_json(pl.element(), inner).fill_null("null")).list.join(",")
        return pl.concat_str([pl.lit("["), body, pl.lit("]")])
    if isinstance(dtype, pl.Struct):
        members = [pl.concat_str([pl.lit(_quote(f.name) + ":"),
                                  _scalar_json(expr.struct.field(f.name), f.dtype).fill_null("null")])
                   for f in dtype.fields]
        return pl.when(expr.is_null()).then(None).otherwise(
            pl.concat_str([pl.lit("{"), pl.concat_str(members, separator=","), pl.lit("}")]))
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if dtype.is_integer():
        return expr.cast(pl.String)
    # Polars' own JSON encoder escapes text and prints numbers: encode {"a": v}, keep v
    encoded = pl.struct(expr.alias("a")).struct.json_encode().str.slice(5).str.head(-1)
    return pl.when(expr.is_null()).then(None).otherwise(encoded)


def column_names(layout) -> dict[int, str]:
    """Column name of every elementary field (by id): its copybook name, or for a
    repeated name "NAME OF PARENT …" — the codec's naming rule."""
    names, seen = {}, {}
    for record in layout.records:
        for f in record.walk():
            if f.children or f.is_filler or f.level in (66, 88):
                continue
            name = f.name
            if name in seen:
                name = f.qualified_name() if f.parent is not None else f"{name}-{seen[name] + 1}"
            seen[f.name] = seen.get(f.name, 0) + 1
            names[id(f)] = name
    return names


class _Json:
    """Builds the JSON text of records from a frame, following the layout."""

    def __init__(self, style: JsonStyle, names: dict[int, str]):
        self.style = style
        self.names = names
        self.fillers = 0

    def col(self, f) -> str:
        return self.names.get(id(f), f.name)

    def member(self, name: str, value: pl.Expr) -> pl.Expr:
        key = pl.lit(_quote(self.style.key(name)) + ":")
        if self.style.omit_nulls:
            return pl.concat_str([key, value])            # null when the value is null
        return pl.concat_str([key, value.fill_null("null")])

    @staticmethod
    def obj(members: list[pl.Expr]) -> pl.Expr:
        if not members:
            return pl.lit("{}")
        inner = pl.concat_str(members, separator=",", ignore_nulls=True)
        return pl.concat_str([pl.lit("{"), inner.fill_null(""), pl.lit("}")])

    def present(self, field, columns) -> bool:
        return any((not f.children) and self.col(f) in columns for f in field.walk())

    def members(self, frame: pl.DataFrame, fields, columns: set[str]) -> list[pl.Expr]:
        """Member expressions for the fields, in layout order."""
        out = []
        for f in fields:
            if getattr(f, "level", 0) in (66, 88) or not self.present(f, columns):
                continue
            if not f.children:
                out.append(self.member(f.name, _scalar_json(pl.col(self.col(f)), frame.schema[self.col(f)])))
                continue
            name = f.name
            if f.is_filler:
                if self.style.filler_groups == "drop":
                    continue
                if self.style.filler_groups == "hoist" and not f.occurs:
                    out.extend(self.members(frame, f.children, columns))
                    continue
                self.fillers += 1
                name = f"FILLER_{self.fillers}"
            if f.occurs:
                value = pl.lit(self.occurs_group(frame, f, columns))
            else:
                value = self.obj(self.members(frame, f.children, columns))
            absent = NULL_GROUP + f.name
            if absent in columns:      # the whole group is null in these rows
                value = pl.when(pl.col(absent)).then(None).otherwise(value)
            out.append(self.member(name, value))
        return out

    def entries(self, frame: pl.DataFrame, fields, columns: set[str]) -> list[tuple[str, list]]:
        """(key, value pieces) of the fields, for the no-null-omitting style: every
        value is text ("null" included), so a record is one concat_str of pieces."""
        out = []
        for f in fields:
            if getattr(f, "level", 0) in (66, 88) or not self.present(f, columns):
                continue
            if not f.children:
                col = self.col(f)
                out.append((f.name, [_scalar_json(pl.col(col), frame.schema[col]).fill_null("null")]))
                continue
            name = f.name
            if f.is_filler:
                if self.style.filler_groups == "drop":
                    continue
                if self.style.filler_groups == "hoist" and not f.occurs:
                    out.extend(self.entries(frame, f.children, columns))
                    continue
                self.fillers += 1
                name = f"FILLER_{self.fillers}"
            if f.occurs:
                value = [pl.lit(self.occurs_group(frame, f, columns))]
            else:
                value = self.assemble(self.entries(frame, f.children, columns))
            absent = NULL_GROUP + f.name
            if absent in columns:
                value = [pl.when(pl.col(absent)).then(pl.lit("null")).otherwise(pl.concat_str(value))]
            out.append((name, value))
        return out

    def assemble(self, entries: list[tuple[str, list]]) -> list:
        """The pieces of one JSON object, adjacent literal text merged."""
        pieces, text = [], "{"
        for i, (key, value) in enumerate(entries):
            text += ("," if i else "") + _quote(self.style.key(key)) + ":"
            for piece in value:
                if isinstance(piece, str):
                    text += piece
                else:
                    pieces.append(pl.lit(text))
                    pieces.append(piece)
                    text = ""
        pieces.append(pl.lit(text + "}"))
        return pieces

    def occurs_group(self, frame: pl.DataFrame, field, columns: set[str]) -> pl.Series:
        """An OCCURS group as JSON arrays of objects, one string per record: its
        columns are exploded together once, each element built, then joined back."""
        names = [self.col(f) for f in field.walk() if not f.children and self.col(f) in columns]
        sub = frame.select(names).with_row_index(_INDEX)
        lengths = sub.select(pl.col(names[0]).list.len()).to_series()
        exploded = sub.explode(names)
        objects = exploded.select(
            pl.col(_INDEX), self.obj(self.members(exploded, field.children, set(names))).alias("o"))
        joined = (objects.group_by(_INDEX, maintain_order=True)
                  .agg(pl.col("o").str.join(",")))
        # a record whose table is empty may have no exploded row at all (Polars 2 drops
        # them, Polars 1 keeps a null): put every record back in its place either way
        rows = pl.DataFrame({_INDEX: pl.int_range(0, len(frame), eager=True).cast(sub.schema[_INDEX])})
        joined = rows.join(joined, on=_INDEX, how="left").sort(_INDEX)
        text = joined.select(pl.concat_str([pl.lit("["), pl.col("o"), pl.lit("]")])).to_series()
        return pl.select(pl.when(pl.lit(lengths).fill_null(0) == 0).then(pl.lit("[]"))
                         .otherwise(pl.lit(text))).to_series()


def json_lines(frame: pl.DataFrame, layout=None, style: JsonStyle | None = None) -> pl.Series:
    """One JSON object (text) per record. Without a layout, columns are flat keys."""
    style = style or JsonStyle()
    builder = _Json(style, column_names(layout) if layout is not None else {})
    columns = set(frame.columns)
    if len(frame) == 0:
        return pl.Series("json", [], dtype=pl.String)
    fields = []
    if layout is not None:
        for record in layout.records:
            fields.extend(record.children if record.children else [record])
    known = set(builder.names.values())
    extra = [c for c in frame.columns if c not in known and not c.startswith(NULL_GROUP)]
    if not style.omit_nulls:
        entries = builder.entries(frame, fields, columns)
        entries += [(c, [_scalar_json(pl.col(c), frame.schema[c]).fill_null("null")]) for c in extra]
        return frame.select(pl.concat_str(builder.assemble(entries)).alias("json")).to_series()
    members = builder.members(frame, fields, columns)
    members += [builder.member(c, _scalar_json(pl.col(c), frame.schema[c])) for c in extra]
    return frame.select(builder.obj(members).alias("json")).to_series()


def write_jsonl(frame: pl.DataFrame, fh, layout=None, style: JsonStyle | None = None) -> None:
    """Append the records as JSON lines to a binary file object."""
    if len(frame) == 0:
        return
    text = json_lines(frame, layout, style)
    # one line per record, no quoting: JSON text never holds a raw line feed
    pl.DataFrame({"json": text}).write_csv(fh, include_header=False, quote_style="never")


# ---- CSV / Parquet -------------------------------------------------------------------------

def csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """CSV holds scalars only: tables flattened, raw bytes as hex, structs as JSON."""
    frame = flatten_occurs(frame)
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Binary:
            exprs.append(pl.col(name).bin.encode("hex").str.to_uppercase())
        elif isinstance(dtype, pl.Struct):
            exprs.append(pl.col(name).struct.json_encode())
        else:
            exprs.append(pl.col(name))
    return frame.select(exprs)
