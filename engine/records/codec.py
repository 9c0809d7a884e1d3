"""RecordCodec: fixed-layout records <-> Polars DataFrames, a field at a time
over all rows (never a Python loop per record).

The layout is compiled once into a list of column plans: for every elementary,
non-FILLER field, the byte offsets of each of its occurrences and a field codec
(zoned, packed, binary, float, text, national, DBCS, edited). Decoding slices
the (n, w) record array per field and hands whole columns to the codec;
encoding does the reverse and scatters the bytes into a record buffer.

Rules worth knowing:
* REDEFINES: the first definition decodes like any field; fields under a
  redefining item (and the second and later 01 levels of a copybook) decode too
  but give null where their bytes are invalid for them, never an error. When
  encoding without "__record__", a redefining alternative is written only if no
  column of the item it redefines is in the frame.
* Variable-length records (lengths shorter than the layout): fields that end
  beyond a record's length are null for that record (not an error).
* OCCURS gives List columns (nested OCCURS: lists of lists); flatten=True gives
  NAME-1, NAME-2 ... (NAME-1-2 for nested tables) instead. OCCURS DEPENDING ON
  gives lists of the actual length: rows are grouped by their counter values
  and each group goes through the layout engine.copybook.resolve_odo makes for
  those values (compiled once per distinct combination).
* Two fields of the same name: the later ones are named "NAME OF PARENT".
* Binary fields with decimals get a Decimal precision wide enough for their
  bytes (a COMP-5 or TRUNC(BIN) value may exceed the PICTURE's digits).
* Encoding with "__record__": a scalar field is first encoded canonically and
  compared with the stored bytes; only rows whose bytes differ are decoded and
  compared by value, so unchanged fields keep their bytes (non-canonical signs,
  invalid data and all) at little cost.
* Encoding a null: text -> spaces; a numeric null is an EncodeError (there is
  no neutral value for an amount). Rows in EncodeError messages are 0-based
  row numbers of the frame.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from decimal import Decimal
from itertools import product

import numpy as np
import polars as pl
import pyarrow as pa

from engine.copybook.model import Category, Field, Figurative, Layout, Usage
from engine.copybook.resolve import odo_counters, resolve_odo
from engine.compat.dialect import Dialect, get_dialect
from engine.errors import DensanError, EncodeError, RecordError
from engine.records import digits as dg
from engine.records import kernel
from engine.records.binary import BinaryCodec
from engine.records.floats import FloatCodec
from engine.records.national import DbcsCodec, NationalCodec
from engine.records.packed import PackedCodec
from engine.records.text import TextCodec, get_codepage
from engine.records.zoned import ZonedCodec

RAW = "__record__"
LENIENT_HINT = "run with errors=lenient to send such records to a reject dataset"


@dataclass
class DecodeResult:
    frame: pl.DataFrame
    rejected: np.ndarray                      # int64 row indices, each row once
    messages: list[str] = dc_field(default_factory=list)


@dataclass
class _Plan:
    name: str
    field: Field
    codec: object
    offset: int                   # first occurrence
    dims: list[tuple[int, int, Field]]   # (max count, stride, occurs field), outermost first
    alternative: bool             # under a REDEFINES: invalid bytes give null, not an error
    definition: str               # for an alternative: the item its REDEFINES names
    kind: str                     # 'int', 'decimal', 'float', 'text', 'edited'
    scale: int = 0
    precision: int = 0

    def offsets(self) -> np.ndarray:
        """Byte offsets of every occurrence in a record (worked out once, read-only)."""
        off = self.__dict__.get("_offsets")
        if off is None:
            off = np.array([self.offset], dtype=np.int64)
            for count, stride, _ in self.dims:
                off = (off[:, None] + np.arange(count, dtype=np.int64)[None, :] * stride).ravel()
            off.flags.writeable = False
            self.__dict__["_offsets"] = off
        return off

    def shape(self) -> list[int]:
        return [count for count, _, _ in self.dims]


class RecordCodec:
    """Decode and encode records of one layout in one code page and dialect."""

    def __init__(self, layout: Layout, codepage="ascii", dialect: "str | Dialect | None" = None,
                 *, flatten: bool = False, float_format: str | None = None):
        self.layout = layout
        self.cp = get_codepage(codepage)
        self.dialect = get_dialect(dialect, is_ebcdic=self.cp.is_ebcdic)
        if float_format:
            self.dialect = self.dialect.with_options(float_format=float_format)
        self.flatten = flatten
        self.record_length = layout.record_length
        self.sign_convention = self.dialect.sign_convention(self.cp.is_ebcdic)
        self._plans: list[_Plan] = []
        self._odo_tables: list[Field] = []
        seen: dict[str, int] = {}
        for i, record in enumerate(layout.records):
            self._compile(record, [], alternative=i > 0, definition=layout.records[0].name.upper(),
                          seen=seen)
        self._by_name = {p.name: p for p in self._plans}
        self._counter_names = [c.upper() for c in odo_counters(layout)]
        self._resolved_codecs: dict[tuple[int, ...], RecordCodec] = {}
        self._template = self._build_template()
        self._coverage: dict[tuple, bool] = {}      # columns -> _fills_every_byte

    # ------------------------------------------------------------ compile
    def _compile(self, f: Field, dims, *, alternative: bool, definition: str, seen) -> None:
        if f.redefines:
            alternative = True
        if f.level in (66, 88):
            return
        if f.occurs is not None:          # 0 after resolve_odo: an empty table
            dims = dims + [(f.occurs, f.size, f)]
            if f.depending_on:
                self._odo_tables.append(f)
        if f.redefines:
            definition = f.redefines.upper()
        if f.children:
            for c in f.children:
                self._compile(c, dims, alternative=alternative, definition=definition, seen=seen)
            return
        if f.is_filler:
            return
        name = f.name
        if name in seen:
            name = f.qualified_name() if f.parent is not None else f"{name}-{seen[name] + 1}"
        seen[f.name] = seen.get(f.name, 0) + 1
        codec, kind, scale, precision = self._field_codec(f)
        self._plans.append(_Plan(name, f, codec, f.offset, dims, alternative, definition,
                                 kind, scale, precision))

    def _field_codec(self, f: Field):
        pic, d = f.picture, self.dialect
        u = f.usage
        if u in (Usage.FLOAT4, Usage.FLOAT8):
            return (FloatCodec(size=4 if u == Usage.FLOAT4 else 8, fmt=d.float_format,
                               byteorder=d.float_byteorder), "float", 0, 0)
        if u in (Usage.INDEX, Usage.POINTER):
            return BinaryCodec(size=f.size or 4, signed=True, byteorder="big"), "int", 0, 0
        if pic is None:
            raise DensanError(f"field {f.name} has no PICTURE and cannot be decoded")
        if pic.category == Category.NATIONAL and u in (Usage.NATIONAL, Usage.DISPLAY):
            if u == Usage.NATIONAL or not self.cp.has_dbcs:
                return NationalCodec(size=f.size), "text", 0, 0
            return DbcsCodec(size=f.size, codepage=self.cp), "text", 0, 0
        if pic.category in (Category.DBCS, Category.NATIONAL) or u == Usage.DBCS:
            return DbcsCodec(size=f.size, codepage=self.cp), "text", 0, 0
        if pic.category == Category.NUMERIC_EDITED:
            from engine.records.edited import EditedCodec
            codec = EditedCodec(picture=pic, size=f.size, codepage=self.cp,
                                blank_when_zero=f.blank_when_zero)
            wide = pic.scale > 0 or codec.n_digits > 18
            return codec, "decimal" if wide else "int", pic.scale, max(pic.digits, pic.scale)
        if pic.category != Category.NUMERIC:
            return TextCodec(size=f.size, codepage=self.cp, justified=f.justified), "text", 0, 0
        digits, scale, signed = pic.digits, pic.scale, pic.signed
        if u == Usage.DISPLAY:
            codec = ZonedCodec(digits=digits, signed=signed, convention=self.sign_convention,
                               codepage=self.cp, sign_leading=f.sign_leading,
                               sign_separate=f.sign_separate)
        elif u == Usage.PACKED:
            codec = PackedCodec(digits=digits, signed=signed, size=f.size or None)
        elif u in (Usage.BINARY, Usage.COMP5):
            size = f.size or d.binary_size(digits)
            order = d.comp5_byteorder if u == Usage.COMP5 else "big"
            codec = BinaryCodec(size=size, signed=signed, byteorder=order, digits=digits,
                                check_digits=u == Usage.BINARY)
        else:
            raise DensanError(f"field {f.name}: USAGE {u.value} with PICTURE {pic.source} "
                              "is not supported")
        wide = digits > dg.MAX_INT64_DIGITS or getattr(codec, "wide", False)
        if scale <= 0 and not wide and digits - scale <= 18:
            return codec, "int", scale, digits
        precision = 38 if wide or digits - min(scale, 0) > 18 else max(digits, scale)
        if isinstance(codec, BinaryCodec):
            # binary holds values beyond the PICTURE's digits (COMP-5, TRUNC(BIN)):
            # the column is wide enough for anything the bytes can hold
            precision = min(38, max(precision, len(str(2 ** (8 * codec.size)))))
        return codec, "decimal", scale, precision

    @property
    def columns(self) -> list[str]:
        if not self.flatten:
            return [p.name for p in self._plans]
        out = []
        for p in self._plans:
            if not p.dims:
                out.append(p.name)
            else:
                for idx in product(*[range(1, c + 1) for c, _, _ in p.dims]):
                    out.append(p.name + "".join(f"-{i}" for i in idx))
        return out

    # ------------------------------------------------------------ decode
    def decode(self, block_or_array, *, columns=None, errors: str = "strict",
               keep_raw: bool = False, file: str | None = None) -> DecodeResult:
        data, lengths, file_offsets, first, source = _unpack(block_or_array, self.record_length)
        file = file or source
        if errors not in ("strict", "lenient"):
            raise DensanError(f"errors={errors!r}: use 'strict' or 'lenient'")
        plans = self._select(columns)
        n = data.shape[0]
        ctx = _Ctx(file, first, file_offsets, data.shape[1], errors)
        if self._odo_tables:
            series, bad = self._decode_odo(data, lengths, plans, ctx)
        else:
            series, bad = self._decode_plans(data, lengths, plans, ctx, range(n))
        if keep_raw:
            series.append(_raw_series(data, lengths))
        frame = pl.DataFrame(series) if series else pl.DataFrame({"__empty__": [None] * n}).drop(
            "__empty__")
        if self.flatten:
            frame = _flatten(frame, plans)
            if columns is not None:
                frame = frame.select([c for c in columns if c in frame.columns] +
                                     ([RAW] if keep_raw and RAW not in columns else []))
        rejected = np.nonzero(bad)[0].astype(np.int64) if bad is not None else np.zeros(0, np.int64)
        return DecodeResult(frame, rejected, ctx.messages)

    def _select(self, columns):
        if columns is None:
            return self._plans
        wanted = [c for c in columns if c != RAW]
        if self.flatten:     # NAME-1-2 -> NAME
            flat = {nm: p.name for p in self._plans if p.dims
                    for nm in [p.name + "".join(f"-{i}" for i in idx)
                               for idx in product(*[range(1, c + 1) for c, _, _ in p.dims])]}
            wanted = [flat.get(c, c) for c in wanted]
        missing = [c for c in wanted if c not in self._by_name]
        if missing:
            raise DensanError(f"no field {', '.join(missing)} in layout {self.layout.name}",
                              hint=f"columns are: {', '.join(self._by_name)}")
        chosen = {c for c in wanted}
        return [p for p in self._plans if p.name in chosen]

    def _decode_plans(self, data, lengths, plans, ctx, rows):
        """Decode `plans` over all rows of `data` (one ODO group or the whole block);
        `rows` are their numbers in the block (a range, or an array for an ODO group)."""
        n = data.shape[0]
        series, bad_rows = [], np.zeros(n, dtype=bool)
        done = _decode_in_one_pass(data, plans)
        for p in plans:
            offs = p.offsets()
            size = p.codec.size
            m = len(offs)
            if p.name in done:
                values, bad = done[p.name]
            elif m == 1 and not p.dims:
                values, bad = p.codec.decode(data[:, offs[0]:offs[0] + size])
            else:
                idx = offs[:, None] + np.arange(size)[None, :]
                values, bad = p.codec.decode(data[:, idx].reshape(n * m, size))
            short = None
            if lengths is not None:
                ends = offs + size
                short = (lengths[:, None] < ends[None, :]).reshape(n * m)
                if short.any():
                    bad = bad & ~short
            null = bad if short is None else (bad | short)
            if bad.any() and not p.alternative:
                row_bad = bad.reshape(n, m).any(axis=1)
                ctx.report(p, row_bad, rows, offs, data, size)
                bad_rows |= row_bad
            arr = _to_arrow(p, values, null)
            for c in reversed(p.shape()):
                total = len(arr) // c if c else n
                arr = pa.LargeListArray.from_arrays(
                    pa.array(np.arange(total + 1, dtype=np.int64) * c), arr)
            series.append(pl.Series(p.name, arr) if p.dims else pl.Series(p.name, arr))
        return series, bad_rows

    def _resolved(self, counts: tuple[int, ...]) -> "RecordCodec":
        """The codec of this layout with every ODO table at the given counter
        values (in `self._counter_names` order), cached."""
        sub = self._resolved_codecs.get(counts)
        if sub is None:
            layout = resolve_odo(self.layout, dict(zip(self._counter_names, counts)))
            sub = RecordCodec(layout, self.cp, self.dialect)
            self._resolved_codecs[counts] = sub
        return sub

    def _counter_plan(self, name: str) -> _Plan:
        p = next((p for p in self._plans if p.field.name.upper() == name and not p.dims), None)
        if p is None:
            raise DensanError(f"OCCURS DEPENDING ON {name}: no such field in layout "
                              f"{self.layout.name}")
        return p

    def _counter_limits(self, name: str) -> tuple[int, int]:
        tables = [t for t in self._odo_tables if t.depending_on.upper() == name]
        return max(t.occurs_min or 0 for t in tables), min(t.occurs for t in tables)

    def _decode_odo(self, data, lengths, plans, ctx):
        n = data.shape[0]
        if n == 0:      # the schema: tables at their maximum
            sub = self._resolved(tuple(self._counter_limits(c)[1] for c in self._counter_names))
            return sub._decode_plans(data, None, [sub._by_name[p.name] for p in plans], ctx,
                                     np.arange(0))
        counters = []
        for name in self._counter_names:
            cplan = self._counter_plan(name)
            vals, bad = cplan.codec.decode(data[:, cplan.offset:cplan.offset + cplan.codec.size])
            lo, hi = self._counter_limits(name)
            out_of_range = bad | (vals < lo) | (vals > hi)
            if out_of_range.any():
                ctx.report_odo(name, lo, hi, cplan, out_of_range, data)
            counters.append(np.where(out_of_range, hi, vals).astype(np.int64))
        uniq, inv = np.unique(np.stack(counters, axis=1), axis=0, return_inverse=True)
        inv = inv.ravel()
        parts, order, bad_all = [], [], np.zeros(n, dtype=bool)
        for g, key in enumerate(uniq):
            rows = np.nonzero(inv == g)[0]
            sub = self._resolved(tuple(int(k) for k in key))
            sub_len = lengths[rows] if lengths is not None else None
            series, bad = sub._decode_plans(data[rows], sub_len, [sub._by_name[p.name] for p in plans],
                                            ctx, rows)
            parts.append(pl.DataFrame(series))
            order.append(rows)
            bad_all[rows] |= bad
        if ctx.odo_bad is not None:
            bad_all |= ctx.odo_bad
        frame = pl.concat(parts, how="vertical_relaxed")
        frame = frame[np.argsort(np.concatenate(order), kind="stable")]
        return list(frame.iter_columns()), bad_all

    # ------------------------------------------------------------ encode
    def encode(self, frame: pl.DataFrame) -> np.ndarray:
        """Frame -> (n, record_length) uint8 records. See the module notes.
        With OCCURS DEPENDING ON, records shorter than the maximum are padded
        with spaces; `encode_with_lengths` also gives each record's length."""
        return self.encode_with_lengths(frame)[0]

    def encode_with_lengths(self, frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        n = frame.height
        L = self.record_length
        has_raw = RAW in frame.columns
        raw = _raw_to_array(frame[RAW], L, self.cp.space) if has_raw else None
        if not self._odo_tables:
            if raw is None:
                raw = kernel.empty(n * L, np.uint8).reshape(n, L)
                if not self._fills_every_byte(frame.columns):
                    raw[:] = self._template
            self._encode_group(frame, raw, has_raw)
            return raw, np.full(n, L, dtype=np.int32)
        # OCCURS DEPENDING ON: group rows by their counter values; rows whose
        # counters did not change keep their __record__ bytes
        new_counts = self._frame_counts(frame, raw)
        if raw is not None:
            same = (self._raw_counts(raw) == new_counts).all(axis=1)
        else:
            same = np.zeros(n, dtype=bool)
        key = np.concatenate([new_counts, same[:, None].astype(np.int64)], axis=1)
        uniq, inv = np.unique(key, axis=0, return_inverse=True)
        inv = inv.ravel()
        out = np.full((n, L), self.cp.space, dtype=np.uint8)
        lengths = np.empty(n, dtype=np.int32)
        for g, k in enumerate(uniq):
            rows = np.nonzero(inv == g)[0]
            sub = self._resolved(tuple(int(c) for c in k[:-1]))
            Lg = sub.record_length
            keep_raw = bool(k[-1])
            if keep_raw:
                buf = raw[rows]
            else:
                buf = np.full((len(rows), L), self.cp.space, dtype=np.uint8)
                buf[:, :Lg] = sub._template
            part = frame[rows] if len(rows) != n else frame
            try:
                sub._encode_group(part, buf, keep_raw)
            except EncodeError as e:
                if e.row is None:
                    raise
                raise EncodeError(e.message.split(" (row")[0], row=int(rows[e.row]),
                                  field=e.field, value=e.value, hint=e.hint) from None
            out[rows, :Lg] = buf[:, :Lg]
            lengths[rows] = Lg
        return out, lengths

    def _fills_every_byte(self, columns) -> bool:
        """True when the fields of these columns (not counting REDEFINES alternatives,
        which may be left out) cover every byte of the record: the template of
        defaults would be overwritten everywhere, so encoding needs none."""
        key = tuple(columns)
        cache = self._coverage
        if key not in cache:
            covered = np.zeros(self.record_length, dtype=bool)
            names = set(key)
            for p in self._plans:
                if p.name in names and not p.alternative:
                    for off in p.offsets():
                        covered[off:off + p.codec.size] = True
            cache[key] = bool(covered.all())
        return cache[key]

    def _frame_counts(self, frame: pl.DataFrame, raw) -> np.ndarray:
        cols = []
        for j, name in enumerate(self._counter_names):
            cplan = self._counter_plan(name)
            lo, hi = self._counter_limits(name)
            if cplan.name in frame.columns:
                c = frame[cplan.name]
                if c.null_count():
                    raise EncodeError("null OCCURS DEPENDING ON counter", field=cplan.name,
                                      row=int(np.nonzero(c.is_null().to_numpy())[0][0]))
                v = c.cast(pl.Int64).to_numpy()
            elif raw is not None:
                v = self._raw_counts(raw)[:, j]
            else:
                tbl = next((p for p in self._plans for _, _, o in p.dims
                            if o.depending_on and o.depending_on.upper() == name), None)
                if tbl is None or tbl.name not in frame.columns:
                    raise EncodeError(f"no column for OCCURS DEPENDING ON counter {cplan.name}",
                                      field=cplan.name)
                v = frame[tbl.name].list.len().fill_null(0).cast(pl.Int64).to_numpy()
            bad = (v < lo) | (v > hi)
            if bad.any():
                i = int(np.nonzero(bad)[0][0])
                raise EncodeError(f"OCCURS DEPENDING ON counter outside {lo} TO {hi}",
                                  row=i, field=cplan.name, value=int(v[i]))
            cols.append(v)
        return np.stack(cols, axis=1).astype(np.int64)

    def _raw_counts(self, raw: np.ndarray) -> np.ndarray:
        cols = []
        for name in self._counter_names:
            cplan = self._counter_plan(name)
            v, bad = cplan.codec.decode(raw[:, cplan.offset:cplan.offset + cplan.codec.size])
            cols.append(np.where(bad, -1, v))
        return np.stack(cols, axis=1).astype(np.int64)

    def _encode_group(self, frame, buf, has_raw) -> None:
        n = frame.height
        present = set(frame.columns)
        defs_present = set()
        for p in self._plans:
            if p.name in present and not p.alternative:
                node = p.field
                while node is not None:
                    defs_present.add(node.name.upper())
                    node = node.parent
        plans = [p for p in self._plans if not p.alternative] + \
                [p for p in self._plans if p.alternative]
        # the compiled kernel encodes the fields together, in one pass over the records
        # (not over __record__: there each field compares its old bytes first)
        pending = [] if kernel.active() is not None and n and not has_raw else None
        try:
            self._encode_plans(frame, buf, has_raw, plans, defs_present, pending)
        except EncodeError:
            if pending:
                self._flush(pending, buf)     # an earlier field's error comes first
            raise
        if pending:
            self._flush(pending, buf)

    def _encode_plans(self, frame, buf, has_raw, plans, defs_present, pending) -> None:
        n = frame.height
        for p in plans:
            col = _column_of(frame, p, self.flatten)
            if col is None:
                continue
            if p.alternative and not has_raw and p.definition in defs_present:
                continue
            if has_raw:
                rows = self._changed_rows(p, col, buf)
                if len(rows) == 0:
                    continue
                if len(rows) == n:
                    rows = None
                else:
                    col = col.gather(rows)
            else:
                rows = None
            self._encode_column(p, col, buf, rows, pending)

    def _changed_rows(self, p: _Plan, col: pl.Series, buf) -> np.ndarray:
        """Rows whose value differs from the one decoded from the record's bytes.
        Scalar fields first compare canonical bytes (cheap); only rows whose
        bytes differ (changed, or stored non-canonically, or invalid) are
        decoded and compared by value."""
        n = buf.shape[0]
        check = None
        if not p.dims and p.kind in ("int", "decimal", "text") and n:
            off = int(p.offsets()[0])
            size = p.codec.size
            try:
                if p.kind == "text":
                    values, null = _to_codec_input(p, col)[0], None
                else:
                    values, null = _to_codec_input(p, col)
                out, err, _ = p.codec.encode(values)
            except (EncodeError, TypeError, ValueError):
                out = None
            if out is not None:
                old = np.ascontiguousarray(buf[:, off:off + size])
                out = np.ascontiguousarray(out)
                differ = old.view(f"V{size}").ravel() != out.view(f"V{size}").ravel()
                if err.any():
                    differ |= err
                if null is not None:
                    differ |= null
                check = np.nonzero(differ)[0]
                if len(check) == 0:
                    return check
        sub = buf if check is None else buf[check]
        old_vals, _ = self._decode_plans(sub, None, [p], _Ctx(None, 1, None, buf.shape[1], "lenient"),
                                         range(sub.shape[0]))
        new = col if check is None else col.gather(check)
        same = old_vals[0].eq_missing(new.cast(old_vals[0].dtype, strict=False))
        changed = np.nonzero(~same.fill_null(False).to_numpy())[0]
        return changed if check is None else check[changed]

    def _encode_column(self, p: _Plan, col: pl.Series, buf: np.ndarray, rows,
                       pending: list | None = None) -> None:
        """Encode one column into `buf`. With a `pending` list (the compiled kernel),
        a field it takes is only prepared and queued for `_flush`."""
        shape = p.shape()
        m = int(np.prod(shape)) if p.dims else 1
        if m == 0:
            return
        if pending and rows is not None:
            self._flush(pending, buf)
        flat = col
        per_row = 1
        levels = shape if p.dims else []
        if len(levels) > 1 and not isinstance(col.dtype.inner, pl.List):
            levels = [m]                 # flattened nested table: one list per row
        for c in levels:
            if flat.null_count():
                i = int(np.nonzero(flat.is_null().to_numpy())[0][0]) // per_row
                raise EncodeError("null instead of an OCCURS list", field=p.name,
                                  row=int(rows[i]) if rows is not None else i)
            lens = flat.list.len().to_numpy()
            if (lens != c).any():
                i = int(np.nonzero(lens != c)[0][0])
                r = i // per_row
                raise EncodeError(f"OCCURS list of {int(lens[i])} values where the table has {c}",
                                  field=p.name, row=int(rows[r]) if rows is not None else r)
            flat = flat.explode()
            per_row *= c
        values, null = _to_codec_input(p, flat)
        if null is not None and null.any():
            i = int(np.nonzero(null)[0][0]) // m
            raise EncodeError("null value for a numeric field",
                              row=int(rows[i]) if rows is not None else i, field=p.name,
                              hint="fill the column (e.g. fill_null(0)) before writing")
        if pending is not None and rows is None:
            make = getattr(p.codec, "kernel_encode", None)
            job = make(p.offsets(), values) if make is not None else None
            if job is not None:
                pending.append((p, job, flat, m, values))
                return
            self._flush(pending, buf)
        out, error, reason = p.codec.encode(values)
        _check_fit(p, error, reason, flat, m, rows)
        _place(p, out, buf, rows, m)

    def _flush(self, pending: list, buf: np.ndarray) -> None:
        """Encode the fields waiting for the compiled kernel into `buf`, in one pass
        over the records, in field order; raise the first field's error as the
        field-at-a-time way would have."""
        if not pending:
            return
        jobs = list(pending)
        pending.clear()
        results = kernel.active().encode_fields(buf, [job[0] for _, job, _, _, _ in jobs])
        for q, ((p, (_, finish), flat, m, values), r) in enumerate(zip(jobs, results)):
            done = finish(r)
            if done is None:
                # text the kernel does not take (double-byte or unmappable characters):
                # this field and those after it again, the general way, in order
                for p2, _, flat2, m2, values2 in jobs[q:]:
                    out, error, reason = p2.codec.encode(values2)
                    _check_fit(p2, error, reason, flat2, m2, None)
                    _place(p2, out, buf, None, m2)
                return
            _check_fit(p, *done, flat, m, None)

    def _build_template(self) -> np.ndarray:
        """One record of defaults: spaces, numeric fields zero, VALUE clauses applied."""
        L = self.record_length
        row = np.full((1, L), self.cp.space, dtype=np.uint8)
        for p in self._plans:
            if p.alternative:
                continue
            f = p.field
            if p.kind in ("int", "decimal", "float"):
                if p.kind == "float":
                    vals = np.zeros(1)
                elif p.codec.__dict__.get("wide"):
                    vals = np.zeros((1, 2), dtype=np.int64)
                else:
                    vals = np.zeros(1, dtype=np.int64)
                if f.value is not None and not isinstance(f.value, Figurative) and p.kind != "float":
                    try:
                        v = int(Decimal(str(f.value)).scaleb(p.scale))
                        vals = np.array([v], dtype=np.int64)
                    except Exception:
                        pass
                try:
                    out, err, _ = p.codec.encode(vals)
                    if err.any():
                        out, _, _ = p.codec.encode(np.zeros_like(vals))
                except Exception:
                    continue
            else:
                text = f.value if isinstance(f.value, str) else ""
                try:
                    out, err, _ = p.codec.encode(pa.array([text], type=pa.large_string()))
                except Exception:
                    continue
            for off in p.offsets():
                row[0, off:off + p.codec.size] = out[0]
        # FILLER with a VALUE
        for f in self.layout.fields():
            if f.is_filler and not f.children and isinstance(f.value, str) and f.value:
                b = self.cp.encode(f.value)[:f.size]
                row[0, f.offset:f.offset + len(b)] = np.frombuffer(b, dtype=np.uint8)
            elif f.is_filler and isinstance(f.value, Figurative) and not f.children:
                fill = {"ZEROS": self.cp.digit_zero, "HIGH-VALUES": 0xFF, "LOW-VALUES": 0}.get(
                    f.value.name)
                if fill is not None:
                    row[0, f.offset:f.offset + f.total_size] = fill
        return row


# ---------------------------------------------------------------- helpers
def _check_fit(p: _Plan, error, reason: str, flat, m: int, rows) -> None:
    """EncodeError for the first value that does not fit the field."""
    if isinstance(error, np.ndarray) and error.any():
        i = int(np.nonzero(error)[0][0])
        row = i // m
        frame_row = int(rows[row]) if rows is not None else row
        raise EncodeError(f"value does not fit PICTURE {_pic(p.field)}: {reason}",
                          row=frame_row, field=p.name, value=flat[i],
                          hint="correct the value or the copybook; densan never truncates")


def _place(p: _Plan, out: np.ndarray, buf: np.ndarray, rows, m: int) -> None:
    """Scatter a field's encoded bytes (n * m, size) into the records."""
    size = p.codec.size
    offs = p.offsets()
    if not p.dims:
        if rows is None:
            buf[:, offs[0]:offs[0] + size] = out
        else:
            buf[rows, offs[0]:offs[0] + size] = out
        return
    idx = (offs[:, None] + np.arange(size)[None, :]).ravel()
    target = np.arange(buf.shape[0]) if rows is None else rows
    buf[target[:, None], idx[None, :]] = out.reshape(len(target), m * size)


def _decode_in_one_pass(data: np.ndarray, plans) -> dict:
    """With the compiled kernel: every field it takes, decoded in one pass over
    the records ({plan name: (values, bad)}); empty with the NumPy kernel."""
    ck = kernel.active()
    if ck is None or data.shape[0] == 0:
        return {}
    n = data.shape[0]
    jobs = []
    for p in plans:
        make = getattr(p.codec, "kernel_decode", None)
        offs = p.offsets()
        if make is None or len(offs) == 0:
            continue
        job = make(offs, n * len(offs), views=True) if isinstance(p.codec, TextCodec) else \
            make(offs, n * len(offs))
        if job is not None:
            jobs.append((p.name, job))
    if not jobs:
        return {}
    results = ck.decode_fields(kernel.block(data), [spec for _, (spec, _) in jobs])
    done = {}
    for (name, (_, finish)), r in zip(jobs, results):
        out = finish(r)
        if out is not None:
            done[name] = out
    return done


class _Ctx:
    """Where the rows came from, for error messages, and lenient counts."""

    def __init__(self, file, first, file_offsets, width, errors):
        self.file, self.first, self.file_offsets, self.width = file, first, file_offsets, width
        self.errors = errors
        self.messages: list[str] = []
        self.odo_bad = None

    def where(self, row: int, field_offset: int) -> int:
        if self.file_offsets is not None:
            return int(self.file_offsets[row]) + field_offset
        return row * self.width + field_offset

    def report(self, p: _Plan, row_bad, rows, offs, data, size) -> None:
        local = int(np.nonzero(row_bad)[0][0])
        row = int(rows[local])
        # the first bad occurrence of that row
        raws = [bytes(data[local, o:o + size]) for o in offs]
        _, bad_occ = p.codec.decode(np.array([np.frombuffer(r, np.uint8) for r in raws]))
        k = int(np.nonzero(bad_occ)[0][0]) if bad_occ.any() else 0
        off = int(offs[k])
        what = f"invalid {p.codec.kind} data in {_pic(p.field)} field"
        if self.errors == "strict":
            raise RecordError(what, file=self.file, record=self.first + row,
                              offset=self.where(row, off), field=p.name, data=raws[k],
                              hint=LENIENT_HINT)
        count = int(row_bad.sum())
        self.messages.append(
            f"{p.name}: {count} record{'s' if count != 1 else ''} with {what}; first: record "
            f"{self.first + row}, byte offset {self.where(row, off)}, X'{raws[k].hex().upper()}'")

    def report_odo(self, name: str, lo: int, hi: int, cplan: _Plan, bad, data) -> None:
        row = int(np.nonzero(bad)[0][0])
        raw = bytes(data[row, cplan.offset:cplan.offset + cplan.codec.size])
        what = f"OCCURS DEPENDING ON counter {name} out of range {lo}..{hi}"
        if self.errors == "strict":
            raise RecordError(what, file=self.file, record=self.first + row,
                              offset=self.where(row, cplan.offset), field=cplan.name, data=raw,
                              hint=LENIENT_HINT)
        self.odo_bad = bad
        self.messages.append(f"{cplan.name}: {int(bad.sum())} records with {what}; first: record "
                             f"{self.first + row}, byte offset {self.where(row, cplan.offset)}, "
                             f"X'{raw.hex().upper()}'")


def _pic(f: Field) -> str:
    s = f.picture.source if f.picture is not None else ""
    u = f.usage.value if f.usage != Usage.DISPLAY else ""
    return " ".join(x for x in (s, u) if x) or f.name


def _unpack(obj, record_length):
    """RecordBlock (duck-typed) or bare (n, w) array -> pieces."""
    if hasattr(obj, "data") and not isinstance(obj, np.ndarray):
        data = np.asarray(obj.data, dtype=np.uint8)
        lengths = getattr(obj, "lengths", None)
        offsets = getattr(obj, "file_offsets", None)
        first = getattr(obj, "first_record", 1) or 1
        source = getattr(obj, "source", None)
    else:
        data = np.asarray(obj, dtype=np.uint8)
        lengths = offsets = source = None
        first = 1
    if data.ndim == 1:
        if record_length == 0 or data.size % record_length:
            raise RecordError(f"{data.size} bytes is not a whole number of {record_length}-byte records")
        data = data.reshape(-1, record_length)
    if data.shape[1] < record_length:
        pad = np.zeros((data.shape[0], record_length), dtype=np.uint8)
        pad[:, :data.shape[1]] = data
        if lengths is None:
            lengths = np.full(data.shape[0], data.shape[1], dtype=np.int32)
        data = pad
    if lengths is not None:
        lengths = np.asarray(lengths)
        if len(lengths) and int(lengths.min()) >= record_length:
            lengths = None
    return data, lengths, offsets, int(first), source


def _to_arrow(p: _Plan, values, null: np.ndarray) -> pa.Array:
    n = len(null)
    has_null = bool(null.any())
    if p.kind == "text" or p.kind == "edited":
        arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if has_null and arr.type == pa.string_view() and arr.offset == 0 and not arr.null_count:
            mask = pa.py_buffer(np.packbits(~null, bitorder="little"))
            arr = pa.Array.from_buffers(arr.type, n, [mask, *arr.buffers()[1:]])
        elif has_null:
            arr = pa.compute.if_else(pa.array(null), pa.scalar(None, arr.type), arr)
        return arr
    mask = pa.py_buffer(np.packbits(~null, bitorder="little")) if has_null else None
    if p.kind == "float":
        return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), n,
                                     [mask, pa.py_buffer(np.ascontiguousarray(values))], )
    if p.kind == "int":
        v = values if values.ndim == 1 else values[:, 0]
        if p.scale < 0:
            v = v * (10 ** -p.scale)
        return pa.Array.from_buffers(pa.int64(), n, [mask, pa.py_buffer(np.ascontiguousarray(v))])
    pairs = values if values.ndim == 2 else dg.int64_to_int128(values)
    if p.scale < 0:
        raise DensanError(f"field {p.name}: P scaling beyond 18 digits is not supported")
    return pa.Array.from_buffers(pa.decimal128(p.precision, p.scale), n,
                                 [mask, pa.py_buffer(np.ascontiguousarray(pairs))])


def _raw_series(data: np.ndarray, lengths) -> pl.Series:
    n, w = data.shape
    if lengths is None:
        offsets = np.arange(n + 1, dtype=np.int64) * w
        buf = np.ascontiguousarray(data).reshape(-1)
    else:
        lens = np.minimum(lengths.astype(np.int64), w)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        buf = data[np.arange(w)[None, :] < lens[:, None]]
    arr = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n,
                                           [None, pa.py_buffer(offsets), pa.py_buffer(buf)])
    return pl.Series(RAW, arr)


def _raw_to_array(col: pl.Series, L: int, space: int) -> np.ndarray:
    arr = col.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_binary())
    n = len(arr)
    if arr.null_count:
        raise EncodeError(f"{RAW} is null in {arr.null_count} rows",
                          row=int(np.nonzero(arr.is_null().to_numpy(zero_copy_only=False))[0][0]),
                          hint=f"drop the {RAW} column to write those records from their fields")
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    lens = np.diff(offsets)
    if n and np.all(lens == L):
        return data[offsets[0]:offsets[-1]].reshape(n, L).copy()
    if (lens > L).any():
        i = int(np.nonzero(lens > L)[0][0])
        raise EncodeError(f"{RAW} is {int(lens[i])} bytes, longer than the {L}-byte record",
                          row=i, field=RAW)
    out = np.full((n, L), space, dtype=np.uint8)
    mask = np.arange(L)[None, :] < lens[:, None]
    out[mask] = data[offsets[0]:offsets[-1]]
    return out


def _column_of(frame: pl.DataFrame, p: _Plan, flatten: bool) -> pl.Series | None:
    if p.name in frame.columns:
        return frame[p.name]
    if flatten and p.dims:
        names = [p.name + "".join(f"-{i}" for i in idx)
                 for idx in product(*[range(1, c + 1) for c, _, _ in p.dims])]
        if all(nm in frame.columns for nm in names):
            # one list per row, nested tables in row-major order
            return frame.select(pl.concat_list(names).alias(p.name))[p.name]
    return None


def _to_codec_input(p: _Plan, s: pl.Series):
    """A frame column -> what the field codec takes, and a null mask (numerics)."""
    if p.kind in ("text",):
        if s.dtype != pl.String:
            s = s.cast(pl.String)
        if kernel.active() is not None:     # Polars' own string views, no conversion
            return s.to_arrow(compat_level=pl.CompatLevel.newest()), None
        return s.to_arrow(), None
    null = s.is_null().to_numpy() if s.null_count() else None
    if p.kind == "float":
        return s.cast(pl.Float64).fill_null(0).to_numpy(), null
    scale = p.scale
    wide = getattr(p.codec, "wide", False)
    dt = s.dtype
    if dt.is_integer() and scale == 0 and not wide:
        if null is not None:
            s = s.fill_null(0)
        return s.cast(pl.Int64).to_numpy(), null
    if dt.is_integer() and scale < 0:
        v = s.fill_null(0).cast(pl.Int64).to_numpy()
        k = 10 ** -scale
        bad = v % k != 0
        if bad.any():
            i = int(np.nonzero(bad)[0][0])
            raise EncodeError(f"value is not a multiple of {k} (PICTURE {_pic(p.field)} has "
                              "P positions on the right)", row=i, field=p.name, value=int(v[i]))
        return v // k, null
    if dt.is_float():
        v = s.fill_null(0).cast(pl.Float64).to_numpy() * (10.0 ** scale)
        r = np.rint(v)
        bad = np.abs(v - r) > 1e-6 * np.maximum(1.0, np.abs(v))
        if bad.any():
            i = int(np.nonzero(bad)[0][0])
            raise EncodeError(f"value has more decimal places than PICTURE {_pic(p.field)}",
                              row=i, field=p.name, value=s[i])
        if np.abs(r).max(initial=0) < 9e15:
            return r.astype(np.int64), null
        s = pl.Series(s.name, [None if x is None else Decimal(repr(x)) for x in s.to_list()])
        dt = s.dtype
    if not isinstance(dt, pl.Decimal) and not dt.is_integer():
        try:
            s = s.cast(pl.Decimal(38, max(scale, 0)))
        except Exception as e:
            raise EncodeError(f"column of type {dt} cannot be written to a numeric field",
                              field=p.name) from e
        dt = s.dtype
    src_scale = dt.scale if isinstance(dt, pl.Decimal) else 0
    target = max(scale, 0)
    if src_scale > target:
        r = s.cast(pl.Decimal(38, target))
        exact = r.cast(pl.Decimal(38, src_scale)).eq_missing(s).to_numpy()
        if not exact.all():
            i = int(np.nonzero(~exact)[0][0])
            raise EncodeError(f"value has more decimal places than PICTURE {_pic(p.field)}",
                              row=i, field=p.name, value=s[i])
        s = r
    else:
        s = s.cast(pl.Decimal(38, target))
    arr = s.fill_null(0).to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    pairs = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=2 * n,
                          offset=arr.offset * 16).reshape(n, 2).copy()
    if scale < 0:
        raise EncodeError("P scaling beyond 18 digits is not supported", field=p.name)
    if not wide and dg.int128_fits_int64(pairs).all():
        return pairs[:, 0].copy(), null
    return pairs, null


def _flatten(frame: pl.DataFrame, plans) -> pl.DataFrame:
    exprs = []
    for p in plans:
        if p.name not in frame.columns:
            continue
        if not p.dims:
            exprs.append(pl.col(p.name))
            continue
        for idx in product(*[range(c) for c, _, _ in p.dims]):
            e = pl.col(p.name)
            for i in idx:
                e = e.list.get(i, null_on_oob=True)
            exprs.append(e.alias(p.name + "".join(f"-{i + 1}" for i in idx)))
    if RAW in frame.columns:
        exprs.append(pl.col(RAW))
    return frame.select(exprs)
