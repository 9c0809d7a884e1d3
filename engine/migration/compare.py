"""Compare two datasets record by record through a copybook: the migration
tester's diff between what the legacy host wrote and what densan wrote.

Records are matched by key fields (or by position), compared as raw bytes field
by field over whole matrices, and only the differing fields of at most
`max_diffs` records are decoded for display. Control totals (count and the sum
of every numeric field) are computed over both files with the record codec.
Personal data (names, addresses, personal numbers...) is masked unless asked.
"""
from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass, field
from decimal import Context, Decimal
from pathlib import Path
from typing import Sequence

import numpy as np
import polars as pl
import pyarrow as pa

from engine.copybook.model import Field, Layout
from engine.errors import DensanError
from engine.migration.colsums import sum_int64
from engine.migration.cursor import RecordCursor

PERSONAL_PATTERN = re.compile(
    r"NAME|SHIMEI|SIMEI|KANA|ADDR|JUSHO|JUSYO|KOJIN-NO|KOJINNO|MY-?NUMBER|TEL|PHONE|MAIL|"
    r"BIRTH|SEINENGAPPI|KOZA-NO|ACCOUNT-NO", re.IGNORECASE)
MASK = "***"
CHUNK_BYTES = 8 << 20             # bytes of records read at a time from each file


@dataclass(frozen=True)
class Unit:
    """A span of the record compared as one: an elementary field, a whole table
    (OCCURS), or a FILLER."""
    name: str                       # copybook name, or 'FILLER@pos' (1-based position)
    offset: int
    size: int
    column: str | None              # decoded column holding its value (None for FILLER)
    numeric: bool = False
    personal: bool = False


@dataclass
class CompareResult:
    """What differs between dataset A and dataset B."""
    path_a: str
    path_b: str
    count_a: int
    count_b: int
    keyed: bool
    key_fields: list[str]
    only_a: pl.DataFrame            # record (1-based), key
    only_b: pl.DataFrame
    only_a_count: int
    only_b_count: int
    changed_count: int              # matched records with at least one differing field
    field_counts: dict[str, int]    # field -> matched records where it differs
    changes: pl.DataFrame           # key, record_a, record_b, field, value_a, value_b, hex_a, hex_b
    totals: pl.DataFrame            # field, a, b, equal
    ignored: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    duplicate_keys_a: int = 0
    duplicate_keys_b: int = 0

    @property
    def equal(self) -> bool:
        return (self.count_a == self.count_b and not self.only_a_count and not self.only_b_count
                and not self.changed_count)

    @property
    def exit_code(self) -> int:
        return 0 if self.equal else 1

    # ------------------------------------------------------------------ output
    def summary(self, *, lines: int = 10) -> str:
        """The terminal summary, like a job log."""
        out = [f"COMPARE  A: {self.path_a}", f"         B: {self.path_b}",
               f"  MATCHED BY {'KEY ' + ','.join(self.key_fields) if self.keyed else 'POSITION'}"
               + (f"   IGNORED: {','.join(self.ignored)}" if self.ignored else ""),
               f"  RECORDS            A {self.count_a:>14,}   B {self.count_b:>14,}"
               f"{'' if self.count_a == self.count_b else '   <== COUNTS DIFFER'}",
               f"  ONLY IN A {self.only_a_count:>14,}",
               f"  ONLY IN B {self.only_b_count:>14,}",
               f"  CHANGED   {self.changed_count:>14,}"]
        if self.duplicate_keys_a or self.duplicate_keys_b:
            out.append(f"  DUPLICATE KEYS     A {self.duplicate_keys_a:>14,}   B {self.duplicate_keys_b:>14,}"
                       "   (matched in order of occurrence)")
        for label, frame, total in (("ONLY IN A", self.only_a, self.only_a_count),
                                    ("ONLY IN B", self.only_b, self.only_b_count)):
            if total:
                out.append(f"  -- {label} (first {min(lines, total)} of {total:,}) --")
                for row in frame.head(lines).iter_rows(named=True):
                    out.append(f"     RECORD {row['record']:>10}  KEY {row['key']}")
        if self.field_counts:
            out.append("  -- FIELDS THAT DIFFER (records) --")
            for name, count in sorted(self.field_counts.items(), key=lambda kv: -kv[1]):
                out.append(f"     {name:<30} {count:>14,}")
            out.append(f"  -- FIRST CHANGES (of {self.changed_count:,} records) --")
            for row in self.changes.head(lines).iter_rows(named=True):
                out.append(f"     KEY {row['key']}  RECORD A {row['record_a']} B {row['record_b']}  {row['field']}")
                out.append(f"         A: {row['value_a']!s:<24} X'{row['hex_a']}'")
                out.append(f"         B: {row['value_b']!s:<24} X'{row['hex_b']}'")
        diff_totals = self.totals.filter(~pl.col("equal"))
        out.append(f"  -- CONTROL TOTALS: {self.totals.height} figures, "
                   f"{diff_totals.height} differ --")
        for row in self.totals.iter_rows(named=True):
            flag = "" if row["equal"] else "   <== DIFFERS"
            out.append(f"     {row['field']:<30} A {row['a']:>22}   B {row['b']:>22}{flag}")
        if self.masked:
            out.append(f"  MASKED (personal data): {', '.join(self.masked)}   (--show-personal to show)")
        out.append(f"  RESULT: {'EQUAL' if self.equal else 'DIFFERENT'}")
        return "\n".join(out)

    def write_detail(self, path: str | Path) -> Path:
        """Every detail row (up to the limit given to compare) to CSV or HTML, by suffix."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            self._write_csv(path)
        elif suffix in (".html", ".htm"):
            path.write_text(self._html(), encoding="utf-8")
        else:
            raise DensanError(f"detail file {path} must end in .csv or .html",
                              hint="name the --detail file e.g. diff.csv or diff.html")
        return path

    def _rows(self):
        yield ("section", "key", "record_a", "record_b", "field", "value_a", "value_b", "hex_a", "hex_b")
        yield ("count", "", self.count_a, self.count_b, "RECORDS", self.count_a, self.count_b, "", "")
        for row in self.only_a.iter_rows(named=True):
            yield ("only_in_a", row["key"], row["record"], "", "", "", "", "", "")
        for row in self.only_b.iter_rows(named=True):
            yield ("only_in_b", row["key"], "", row["record"], "", "", "", "", "")
        for row in self.changes.iter_rows(named=True):
            yield ("changed", row["key"], row["record_a"], row["record_b"], row["field"],
                   row["value_a"], row["value_b"], row["hex_a"], row["hex_b"])
        for row in self.totals.iter_rows(named=True):
            yield ("total", "", "", "", row["field"], row["a"], row["b"], "", "")

    def _write_csv(self, path: Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(self._rows())

    def _html(self) -> str:
        e = html.escape
        parts = ["<!doctype html><html><head><meta charset='utf-8'><title>densan compare</title>",
                 "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
                 "td,th{border:1px solid #999;padding:2px 6px;font-family:monospace}"
                 ".d{background:#fdd}</style></head><body>",
                 f"<h1>densan compare: {'EQUAL' if self.equal else 'DIFFERENT'}</h1>",
                 f"<p>A: {e(self.path_a)}<br>B: {e(self.path_b)}<br>matched by "
                 f"{e('key ' + ','.join(self.key_fields)) if self.keyed else 'position'}</p>",
                 "<table><tr><th></th><th>A</th><th>B</th></tr>",
                 f"<tr><td>records</td><td>{self.count_a:,}</td><td>{self.count_b:,}</td></tr>",
                 f"<tr><td>only in</td><td>{self.only_a_count:,}</td><td>{self.only_b_count:,}</td></tr>",
                 f"<tr><td>changed</td><td colspan=2>{self.changed_count:,}</td></tr></table>"]

        def table(title, frame, cols):
            parts.append(f"<h2>{e(title)}</h2><table><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
            for row in frame.select(cols).iter_rows():
                parts.append("<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in row) + "</tr>")
            parts.append("</table>")

        table("Control totals", self.totals, ["field", "a", "b", "equal"])
        table(f"Only in A ({self.only_a_count:,})", self.only_a, ["record", "key"])
        table(f"Only in B ({self.only_b_count:,})", self.only_b, ["record", "key"])
        table(f"Changed fields ({self.changed_count:,} records)", self.changes,
              ["key", "record_a", "record_b", "field", "value_a", "value_b", "hex_a", "hex_b"])
        parts.append("</body></html>")
        return "\n".join(parts)


# ---------------------------------------------------------------------------------- layout

def units(layout: Layout) -> list[Unit]:
    """The spans compared: elementary fields, whole OCCURS tables, and FILLERs."""
    out: list[Unit] = []

    def visit(f: Field, in_table: bool) -> None:
        if f.occurs and not in_table:
            name = f.name if not f.is_filler else f"FILLER@{f.offset + 1}"
            column = None if f.is_filler or f.is_group else f.name
            out.append(Unit(name, f.offset, f.total_size, column, f.is_numeric and not f.is_group,
                            bool(PERSONAL_PATTERN.search(f.name))))
            return
        if f.children:
            for child in f.children:
                visit(child, in_table)
            return
        if f.is_filler:
            out.append(Unit(f"FILLER@{f.offset + 1}", f.offset, f.size, None))
        else:
            out.append(Unit(f.name, f.offset, f.size, f.name, f.is_numeric,
                            bool(PERSONAL_PATTERN.search(f.name))))

    for record in layout.records:
        visit(record, False)
    return out


def field_span(layout: Layout, name: str) -> tuple[int, int]:
    try:
        f = layout.find(name)
    except KeyError:
        raise DensanError(f"field {name} is not in copybook {layout.name}",
                          hint="name fields as the copybook spells them, e.g. SH-KEY") from None
    return f.offset, f.total_size


def _elementary_names(layout: Layout, name: str) -> list[str]:
    f = layout.find(name)
    return [x.name for x in f.walk() if not x.children and not x.is_filler]


# ---------------------------------------------------------------------------------- compare

def _binary_series(data: np.ndarray, name: str) -> pl.Series:
    """Rows of a (n, k) uint8 matrix as a Binary series (for joins)."""
    data = np.ascontiguousarray(data)
    n, k = data.shape
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(max(k, 1)), n,
                                               [None, pa.py_buffer(data.tobytes() if k else b"\0" * n)])
    return pl.Series(name, arr.cast(pa.large_binary()))


def _codec(layout, encoding, dialect):
    from engine.records import RecordCodec
    return RecordCodec(layout, codepage=encoding, dialect=dialect)


def _decode(codec, data: np.ndarray, columns: list[str]) -> pl.DataFrame:
    if not columns or len(data) == 0:
        return pl.DataFrame()
    result = codec.decode(np.ascontiguousarray(data), columns=columns, errors="lenient", keep_raw=False)
    return result.frame


def _digits(layout: Layout, name: str) -> int:
    f = layout.find(name)
    return f.picture.digits if f.picture is not None and not f.picture.signed and not f.picture.scale else 0


def _key_text(value, digits: int) -> str:
    """A key value as the host shows it: unsigned integers with their leading zeros."""
    if digits and isinstance(value, int) and value >= 0:
        return str(value).zfill(digits)
    return _as_text(value)


def _as_text(value) -> str:
    if value is None:
        return "(invalid)"
    if isinstance(value, list):
        return "[" + ", ".join(_as_text(v) for v in value) + "]"
    return str(value)


def compare_datasets(path_a, path_b, copybook, *, encoding: str = "ascii",
                     recfm: str = "FB", lrecl: int | None = None, dialect: str | None = None,
                     key: Sequence[str] | None = None, ignore: Sequence[str] = (),
                     personal: Sequence[str] = (), show_personal: bool = False,
                     max_diffs: int = 1000, totals: bool = True, chunk: int | None = None) -> CompareResult:
    """Compare dataset A with dataset B (both described by `copybook`).

    key: field names to match records by (a group such as SH-KEY is fine); none
    matches record n of A with record n of B. ignore: fields not compared.
    max_diffs: at most this many rows per section in the result's detail.
    chunk: records read at a time from each file (default: about CHUNK_BYTES)."""
    from engine.records import RecordFormat

    layout = _layout(copybook)
    fmt = RecordFormat(recfm=recfm, lrecl=lrecl if lrecl is not None else
                       (layout.record_length if recfm.upper().startswith("F") else None))
    for what, path in (("A", path_a), ("B", path_b)):
        if not Path(path).exists():
            raise DensanError(f"dataset {what} {path} does not exist", hint="check the path")
    codec = _codec(layout, encoding, dialect)

    ignore_set = {name.upper() for name in ignore}
    for name in ignore_set:
        if not name.startswith("FILLER"):
            field_span(layout, name)
    ignored_spans = [field_span(layout, n) for n in ignore_set if not n.startswith("FILLER")]
    personal_set = {n.upper() for n in personal}
    all_units = []
    for u in units(layout):
        if u.name.upper() in ignore_set or (u.name.startswith("FILLER") and "FILLER" in ignore_set):
            continue
        if any(off <= u.offset and u.offset + u.size <= off + size for off, size in ignored_spans):
            continue
        if u.name.upper() in personal_set:
            u = Unit(u.name, u.offset, u.size, u.column, u.numeric, True)
        all_units.append(u)
    masked = sorted({u.name for u in all_units if u.personal} | personal_set) if not show_personal else []

    key_fields = [k.upper() for k in key or []]
    spans = [field_span(layout, k) for k in key_fields]
    key_names = [n for k in key_fields for n in _elementary_names(layout, k)]
    mask_key = bool(key_names) and not show_personal and any(
        PERSONAL_PATTERN.search(n) or n.upper() in personal_set for n in key_names)

    width = max(layout.record_length, fmt.max_data_length or 0)
    rows = chunk or max(1024, CHUNK_BYTES // max(width, 1))

    def run(matcher) -> _Tally:
        tally = _Tally(codec, all_units, max_diffs, totals)
        cursors = RecordCursor(path_a, fmt, width, rows), RecordCursor(path_b, fmt, width, rows)
        matcher(*cursors, tally, rows, spans)
        return tally

    if not key_fields:
        tally = run(_pair_by_position)
    else:
        try:
            tally = run(_merge_by_key)
        except _Unsorted:
            tally = run(_join_by_key)

    def keys_of(data: np.ndarray, idx: np.ndarray) -> list[str]:
        if not key_names:
            return [f"#{r + 1}" for r in idx]
        if mask_key:
            return [MASK] * len(idx)
        frame = _decode(codec, data, key_names)
        digits = [_digits(layout, n) for n in key_names]
        return [" ".join(_key_text(v, w) for v, w in zip(row, digits)) for row in frame.iter_rows()]

    # ---- detail of the first max_diffs changed records (the only rows decoded for display)
    sa, sb, m, xa, xb, lena, lenb = tally.shown()
    names = [u.name for u in all_units] + ["(RECORD LENGTH)"]
    cols = sorted({u.column for j, u in enumerate(all_units) if u.column and m[:, j].any()})
    da, db = _decode(codec, xa, cols), _decode(codec, xb, cols)
    da = {c: da[c].to_list() for c in cols} if cols else {}
    db = {c: db[c].to_list() for c in cols} if cols else {}
    change_keys = keys_of(xa, sa)
    records = []
    for r in range(len(sa)):
        for j in np.flatnonzero(m[r]):
            if j == len(all_units):
                records.append((change_keys[r], int(sa[r]) + 1, int(sb[r]) + 1, names[j],
                                str(lena[r]), str(lenb[r]), "", ""))
                continue
            u = all_units[j]
            hex_a = xa[r, u.offset:u.offset + u.size].tobytes().hex().upper()
            hex_b = xb[r, u.offset:u.offset + u.size].tobytes().hex().upper()
            if u.column:
                va, vb = _as_text(da[u.column][r]), _as_text(db[u.column][r])
            else:
                va, vb = "", ""
            if u.personal and not show_personal:
                va = vb = hex_a = hex_b = MASK
            records.append((change_keys[r], int(sa[r]) + 1, int(sb[r]) + 1, u.name, va, vb, hex_a, hex_b))
    changes = pl.DataFrame(records, schema={"key": pl.String, "record_a": pl.Int64, "record_b": pl.Int64,
                                            "field": pl.String, "value_a": pl.String, "value_b": pl.String,
                                            "hex_a": pl.String, "hex_b": pl.String}, orient="row")

    def only_frame(side: str) -> pl.DataFrame:
        idx, data = tally.only_shown(side)
        return pl.DataFrame({"record": (idx + 1).astype(np.int64), "key": keys_of(data, idx)},
                            schema={"record": pl.Int64, "key": pl.String})

    field_counts = {names[j]: int(c) for j, c in enumerate(tally.counts) if c}
    total_frame = tally.totals_frame(show_personal) if totals else \
        pl.DataFrame(schema={"field": pl.String, "a": pl.String, "b": pl.String, "equal": pl.Boolean})
    return CompareResult(
        path_a=str(path_a), path_b=str(path_b), count_a=tally.count_a, count_b=tally.count_b,
        keyed=bool(key_fields), key_fields=key_fields, only_a=only_frame("a"), only_b=only_frame("b"),
        only_a_count=tally.only_count["a"], only_b_count=tally.only_count["b"],
        changed_count=tally.changed, field_counts=field_counts, changes=changes, totals=total_frame,
        ignored=sorted(ignore_set), masked=masked, duplicate_keys_a=tally.dup_a, duplicate_keys_b=tally.dup_b)


# ---------------------------------------------------------------------------------- matching
# Each matcher reads both cursors to the end and hands the tally every A record once
# (add_a), every B record once (add_b), the matched pairs (pairs) and the unmatched
# records (only), in ascending record order.

class _Unsorted(Exception):
    """A key went backwards: the streaming merge cannot pair these files."""


def _pair_by_position(ca: RecordCursor, cb: RecordCursor, tally: "_Tally", rows: int, spans) -> None:
    while True:
        da, la = ca.peek(rows)
        db, lb = cb.peek(rows)
        if not len(da) and not len(db):
            return
        m = min(len(da), len(db))
        if m:
            da, la, db, lb = da[:m], la[:m], db[:m], lb[:m]
            idx_a = np.arange(ca.pos, ca.pos + m, dtype=np.int64)
            idx_b = idx_a if ca.pos == cb.pos else np.arange(cb.pos, cb.pos + m, dtype=np.int64)
            tally.add_a(da)
            tally.add_b(db)
            tally.pairs(da, la, idx_a, db, lb, idx_b)
        else:                               # one file has ended: the rest of the other is unmatched
            for side, cursor, data in (("a", ca, da), ("b", cb, db)):
                if len(data):
                    (tally.add_a if side == "a" else tally.add_b)(data)
                    tally.only(side, data, np.arange(cursor.pos, cursor.pos + len(data), dtype=np.int64))
                    m = len(data)
        ca.consume(min(m, len(da)))
        cb.consume(min(m, len(db)))


def _key_matrix(data: np.ndarray, spans) -> np.ndarray:
    if len(spans) == 1:
        o, s = spans[0]
        return data[:, o:o + s]
    return np.concatenate([data[:, o:o + s] for o, s in spans], axis=1)


def _merge_by_key(ca: RecordCursor, cb: RecordCursor, tally: "_Tally", rows: int, spans) -> None:
    """Both files in ascending key order (duplicates allowed): merged a key range at a
    time. A step takes the keys below the smaller of the two look-aheads' last keys, so
    every record of a key (a run of duplicates included) is in the same step. Where the
    two look-aheads hold the same keys in the same places (the usual case: only some
    fields changed) the records pair by position and only the records that differ
    have their keys compared."""
    last = {"a": None, "b": None}             # key bytes of the last record taken from each file
    look = rows
    while True:
        da, la = ca.peek(look)
        db, lb = cb.peek(look)
        if not len(da) and not len(db):
            return
        more = len(da) == look or len(db) == look          # not both at their end
        differ = None
        if len(da) == len(db):
            width = max(da.shape[1], db.shape[1])
            da, db = _fit(da, width), _fit(db, width)
            differ, keys_differ = _rows_differ(da, db, spans)
            if la is not lb:
                differ |= la != lb
            if keys_differ:
                differ = None                 # keys differ somewhere: merge
        if differ is not None:                # the same keys in the same places
            n = len(da) - (_run_at_end(da, spans) if more else 0)
            if not n:                         # one key fills the look-ahead: look further
                look *= 2
                continue
            if last["b"] is not None and _key_bytes(db[0], spans) < last["b"]:
                raise _Unsorted
            dup = _check_order(da[:n], spans, last, "a")
            last["b"] = last["a"]
            tally.dup_a += dup
            tally.dup_b += dup
            tally.add_a(da[:n])
            tally.add_b(db[:n])
            idx_a = np.arange(ca.pos, ca.pos + n, dtype=np.int64)
            idx_b = idx_a if ca.pos == cb.pos else np.arange(cb.pos, cb.pos + n, dtype=np.int64)
            tally.pairs(da[:n], la[:n], idx_a, db[:n], lb[:n], idx_b, differ=differ[:n])
            ca.consume(n)
            cb.consume(n)
            look = rows
            continue
        dup_a = _check_order(da, spans, last, "a", commit=False)
        dup_b = _check_order(db, spans, last, "b", commit=False)
        ka, kb = _sortable(_key_matrix(da, spans)), _sortable(_key_matrix(db, spans))
        ends = [k[-1] for k, d in ((ka, da), (kb, db)) if len(d) == look]
        if ends:
            bound = min(ends)
            na, nb = int(np.searchsorted(ka, bound, "left")), int(np.searchsorted(kb, bound, "left"))
        else:
            na, nb = len(ka), len(kb)
        if not na and not nb:
            look *= 2
            continue
        look = rows
        da, la, ka, db, lb, kb = da[:na], la[:na], ka[:na], db[:nb], lb[:nb], kb[:nb]
        for side, d in (("a", da), ("b", db)):
            if len(d):
                last[side] = _key_bytes(d[-1], spans)
        if dup_a:
            dup_a = _duplicates(ka)
        if dup_b:
            dup_b = _duplicates(kb)
        tally.dup_a += dup_a
        tally.dup_b += dup_b
        tally.add_a(da)
        tally.add_b(db)
        if dup_a or dup_b:                    # k-th record of a key in A pairs with the k-th in B
            ka = _sortable(_key_matrix(da, spans), rank=_ranks(ka))
            kb = _sortable(_key_matrix(db, spans), rank=_ranks(kb))
        ia, ib, only_a, only_b = _merge_sorted(ka, kb)
        tally.pairs(da[ia], la[ia], ia + ca.pos, db[ib], lb[ib], ib + cb.pos)
        tally.only("a", da[only_a], only_a + ca.pos)
        tally.only("b", db[only_b], only_b + cb.pos)
        ca.consume(na)
        cb.consume(nb)


def _key_bytes(record: np.ndarray, spans) -> bytes:
    return b"".join(record[o:o + s].tobytes() for o, s in spans)


def _check_order(data: np.ndarray, spans, last: dict, side: str, commit: bool = True) -> int:
    """Raise _Unsorted if the keys of `data` go backwards (from the last key taken from
    this file on); else the number of records whose key equals the one before."""
    if not len(data):
        return 0
    if last[side] is not None and _key_bytes(data[0], spans) < last[side]:
        raise _Unsorted
    down, dup = key_order(data, spans)
    if down >= 0:
        raise _Unsorted
    if commit:
        last[side] = _key_bytes(data[-1], spans)
    return dup


def key_order(data: np.ndarray, spans) -> tuple[int, int]:
    """(first row whose key is below the previous row's, or -1; rows whose key equals
    the previous row's): the compiled kernel, or NumPy."""
    from engine.migration.colsums import _kernel
    if _kernel is not None and data.strides[1] == 1:
        return _kernel.key_order(data, np.array([o for o, _ in spans], np.int64),
                                 np.array([s for _, s in spans], np.int64))
    k = _sortable(_key_matrix(data, spans))
    down = np.flatnonzero(k[1:] < k[:-1])
    return (int(down[0]) + 1 if len(down) else -1), _duplicates(k)


def _run_at_end(data: np.ndarray, spans) -> int:
    """How many of the last records have the very last record's key."""
    n, w = len(data), 1
    last = _key_matrix(data[-1:], spans)
    while True:
        tail = _key_matrix(data[max(0, n - w):], spans)
        same = (tail == last).all(axis=1)
        if not same.all() or w >= n:
            return int(len(same) - (np.flatnonzero(~same)[-1] + 1)) if not same.all() else len(same)
        w *= 4


def _duplicates(k: np.ndarray) -> int:
    """Records whose key equals the one before (the keys are in order)."""
    return int((k[1:] == k[:-1]).sum()) if len(k) > 1 else 0


def _ranks(k: np.ndarray) -> np.ndarray:
    """0 for the first record of each key, 1 for the second... (keys in order)."""
    n = len(k)
    start = np.ones(n, dtype=bool)
    start[1:] = k[1:] != k[:-1]
    first = np.flatnonzero(start)
    return np.arange(n, dtype=np.int64) - first[np.cumsum(start) - 1]


def _merge_sorted(sa: np.ndarray, sb: np.ndarray):
    """Pairs and unmatched rows of two ascending arrays of unique sortable keys."""
    if len(sa) == 0 or len(sb) == 0:
        return (np.zeros(0, np.int64),) * 2 + (np.arange(len(sa), dtype=np.int64),
                                               np.arange(len(sb), dtype=np.int64))
    pos = np.searchsorted(sa, sb)
    hit = sa[np.minimum(pos, len(sa) - 1)] == sb
    ib = np.flatnonzero(hit).astype(np.int64)
    ia = pos[hit].astype(np.int64)
    in_a = np.ones(len(sa), dtype=bool)
    in_a[ia] = False
    return ia, ib, np.flatnonzero(in_a).astype(np.int64), np.flatnonzero(~hit).astype(np.int64)


def _join_by_key(ca: RecordCursor, cb: RecordCursor, tally: "_Tally", rows: int, spans) -> None:
    """Keys out of order: the keys (not the records) of both files are joined in memory
    (about key length + 50 bytes a record), then the pairs are compared a chunk at a
    time, reading the records back from the mapped files (variable-length files, which
    cannot be mapped, are read whole)."""
    from engine.records.recfm import read_records

    def side(cursor):
        keys, blocks = [], []
        while True:
            data, lengths = cursor.peek(rows)
            if not len(data):
                break
            keys.append(np.array(_key_matrix(data, spans)))
            if not cursor.random_access:
                blocks.append((np.array(data), np.array(lengths)))
            (tally.add_a if cursor is ca else tally.add_b)(data)
            cursor.consume(len(data))
        width = max([cursor.width] + [b[0].shape[1] for b in blocks])
        keys = np.concatenate(keys) if keys else np.zeros((0, sum(s for _, s in spans)), np.uint8)
        if cursor.random_access:
            return keys, (lambda idx: (cursor.rows(idx), np.full(len(idx), cursor.fmt.lrecl, np.int32)))
        data = np.concatenate([_fit(b[0], width, cursor.pad) for b in blocks]) if blocks else \
            np.zeros((0, width), np.uint8)
        lengths = np.concatenate([b[1] for b in blocks]) if blocks else np.zeros(0, np.int32)
        return keys, (lambda idx: (data[idx], lengths[idx]))

    ka, get_a = side(ca)
    kb, get_b = side(cb)
    ia, ib, only_a, only_b, tally.dup_a, tally.dup_b = _match_keys(ka, kb)
    del ka, kb
    for start in range(0, len(ia), rows):
        pa, pb = ia[start:start + rows], ib[start:start + rows]
        tally.pairs(*get_a(pa), pa, *get_b(pb), pb)
    for name, idx, get in (("a", only_a, get_a), ("b", only_b, get_b)):
        for start in range(0, len(idx), rows):
            part = idx[start:start + rows]
            tally.only(name, get(part)[0], part)


def _fit(data: np.ndarray, width: int, pad: int = 0) -> np.ndarray:
    if data.shape[1] == width:
        return data
    out = np.full((len(data), width), pad, np.uint8)
    out[:, :data.shape[1]] = data
    return out


# ---------------------------------------------------------------------------------- tally

class _Tally:
    """What the compare has found so far: counts, the first `max_diffs` changed and
    unmatched records (their bytes kept for the detail), and the control totals."""

    def __init__(self, codec, all_units: list[Unit], max_diffs: int, totals: bool):
        self.codec, self.units, self.max_diffs = codec, all_units, max(0, max_diffs)
        self.count_a = self.count_b = self.changed = self.dup_a = self.dup_b = 0
        self.counts = np.zeros(len(all_units) + 1, dtype=np.int64)
        self._shown: list[tuple] = []
        self._n_shown = 0
        self.only_count = {"a": 0, "b": 0}
        self._only: dict[str, list] = {"a": [], "b": []}
        numeric = [u for u in all_units if u.numeric and u.column]
        self.numeric = numeric
        self.sums = _Sums(codec, [u.column for u in numeric]) if totals else None
        self.sum_a, self.less, self.more, self.sum_b_float = {}, {}, {}, {}
        self._segments = _segments(all_units)

    def add_a(self, data: np.ndarray) -> None:
        self.count_a += len(data)
        if self.sums and len(data):
            self.sums.add(data, self.sum_a)

    def add_b(self, data: np.ndarray) -> None:
        self.count_b += len(data)
        if self.sums and self.sums.floats and len(data):
            self.sums.add(data, self.sum_b_float, floats_only=True)

    def pairs(self, ra, la, ia, rb, lb, ib, differ: np.ndarray | None = None) -> None:
        """Matched records: whole-record test first (or `differ`, already worked out),
        then field by field on the records that differ."""
        if not len(ra):
            return
        width = max(ra.shape[1], rb.shape[1])
        ra, rb = _fit(ra, width), _fit(rb, width)
        if differ is None:
            differ = _rows_differ(ra, rb)[0]
            if la is not lb:
                differ |= la != lb
        rows = np.flatnonzero(differ)
        if not len(rows):
            return
        xa, xb = ra[rows], rb[rows]
        m = np.zeros((len(rows), len(self.units) + 1), dtype=bool)
        if self._segments is not None and width >= self._segments[0][-1]:
            bounds, which = self._segments
            m[:, :-1] = _segment_diffs(xa, xb, bounds)[:, which]
        else:
            for j, u in enumerate(self.units):
                m[:, j] = (xa[:, u.offset:u.offset + u.size] != xb[:, u.offset:u.offset + u.size]).any(axis=1)
        m[:, -1] = la[rows] != lb[rows]
        keep = m.any(axis=1)                     # differences only in ignored fields do not count
        if not keep.all():
            rows, xa, xb, m = rows[keep], xa[keep], xb[keep], m[keep]
        self.changed += len(rows)
        self.counts += m.sum(axis=0)
        room = self.max_diffs - self._n_shown
        if room > 0 and len(rows):
            r = slice(0, room)
            self._shown.append((ia[rows[r]], ib[rows[r]], m[r], xa[r], xb[r], la[rows[r]], lb[rows[r]]))
            self._n_shown += len(rows[r])
        if self.sums and len(rows):
            self.sums.add(xa, self.less)
            self.sums.add(xb, self.more)

    def only(self, side: str, data: np.ndarray, idx: np.ndarray) -> None:
        if not len(idx):
            return
        self.only_count[side] += len(idx)
        kept = sum(len(i) for i, _ in self._only[side])
        if kept < self.max_diffs:
            self._only[side].append((idx[:self.max_diffs - kept], np.array(data[:self.max_diffs - kept])))
        if self.sums:
            self.sums.add(data, self.less if side == "a" else self.more)

    def shown(self):
        width = max([1] + [s[3].shape[1] for s in self._shown])
        if not self._shown:
            return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, len(self.units) + 1), bool),
                    np.zeros((0, width), np.uint8), np.zeros((0, width), np.uint8),
                    np.zeros(0, np.int32), np.zeros(0, np.int32))
        return tuple(np.concatenate([_fit(s[k], width) if k in (3, 4) else s[k] for s in self._shown])
                     for k in range(7))

    def only_shown(self, side: str):
        parts = self._only[side]
        if not parts:
            return np.zeros(0, np.int64), np.zeros((0, 1), np.uint8)
        width = max(p[1].shape[1] for p in parts)
        return np.concatenate([p[0] for p in parts]), np.concatenate([_fit(p[1], width) for p in parts])

    def totals_frame(self, show_personal: bool) -> pl.DataFrame:
        """RECORDS and the sum of every numeric field, A beside B. B's sums are A's less
        A's changed and unmatched records plus B's: records equal byte for byte decode
        alike, so only the records that differ are decoded twice (exact for integers
        and decimals; float fields are summed over B itself)."""
        rows = [("RECORDS", f"{self.count_a:,}", f"{self.count_b:,}", self.count_a == self.count_b)]
        sum_a, less, more = (self.sums.result(d) for d in (self.sum_a, self.less, self.more))
        for u in self.numeric:
            c = u.column
            a = sum_a.get(c, 0)
            if c in self.sums.floats:
                b = self.sum_b_float.get(c, 0)
            else:
                b = a - less.get(c, 0) + more.get(c, 0)
            va, vb = self.sums.value(c, a), self.sums.value(c, b)
            if u.personal and not show_personal:
                rows.append((f"SUM {u.name}", MASK, MASK, va == vb))
            else:
                rows.append((f"SUM {u.name}", f"{va:,}", f"{vb:,}", va == vb))
        return pl.DataFrame(rows, schema={"field": pl.String, "a": pl.String, "b": pl.String,
                                          "equal": pl.Boolean}, orient="row")


def _segments(all_units: list[Unit]):
    """For units that do not overlap: the byte boundaries splitting the record into
    segments, and the segment of each unit (so one reduceat finds every differing
    unit); None when units overlap (REDEFINES) or are empty."""
    spans = sorted((u.offset, u.offset + u.size) for u in all_units)
    if not spans or any(a == b for a, b in spans) or any(b > c for (_, b), (c, _) in zip(spans, spans[1:])):
        return None
    bounds = np.array(sorted({x for span in spans for x in span}), dtype=np.intp)
    where = {int(b): i for i, b in enumerate(bounds)}
    return bounds, np.array([where[u.offset] for u in all_units], dtype=np.intp)


class _Sums:
    """Sums of numeric columns over chunks of records. Zoned and packed fields of up to
    18 digits are summed straight from their field codec's values as exact integers (in
    units of the last decimal place); anything else goes through the record codec and
    Polars, as a Decimal or float. Invalid values (null when decoded) count nothing."""

    def __init__(self, codec, columns: list[str]):
        from engine.migration.colsums import ColumnSums
        from engine.records.packed import PackedCodec
        from engine.records.zoned import ZonedCodec
        self.codec = codec
        self.columns = ColumnSums(codec.record_length)
        self.fast, self.slow, self.scale, self.floats = [], [], {}, set()
        plans = codec._by_name
        odo = bool(codec._odo_tables)
        for c in dict.fromkeys(columns):
            p = plans.get(c)
            if (p is not None and not odo and p.kind in ("int", "decimal") and p.scale >= 0
                    and isinstance(p.codec, (ZonedCodec, PackedCodec)) and not p.codec.wide):
                self.scale[c] = p.scale
                offsets = [int(o) for o in p.offsets()]
                if not self.columns.take(c, p.codec, offsets):
                    self.fast.append((c, p.codec, offsets, p.codec.size, 2 * p.codec.size))
            else:
                self.slow.append(c)
                if p is not None and p.kind == "float":
                    self.floats.add(c)

    def add(self, data: np.ndarray, into: dict, floats_only: bool = False) -> None:
        if not floats_only:
            self.columns.add(data, into)
            for c, fc, offsets, size, digits in self.fast:
                total = 0
                for off in offsets:
                    values, bad = fc.decode(data[:, off:off + size])
                    if bad.any():
                        values = values[~bad]
                    total += sum_int64(values, digits)
                into[c] = into.get(c, 0) + total
        slow = sorted(self.floats) if floats_only else self.slow
        if slow:
            for c, v in _sums(self.codec, data, slow).items():
                into[c] = into.get(c, 0) + v

    def result(self, into: dict) -> dict:
        """Column -> sum of everything added to `into`."""
        out = {c: v for c, v in into.items() if isinstance(c, str) and not c.startswith("\0")}
        out.update(self.columns.result(into))
        return out

    def value(self, column: str, total):
        """A sum as the report shows it: integers as they are, decimals with their scale."""
        scale = self.scale.get(column)
        if not scale or not total:
            return total
        return Decimal(total).scaleb(-scale, Context(prec=max(28, len(str(abs(total))) + 1)))


def _sums(codec, data: np.ndarray, cols: list[str]) -> dict:
    """Sum of each numeric column over `data`, decoded through the record codec."""
    out: dict = {}
    frame = _decode(codec, data, cols)
    for c in cols if frame.width else []:
        s = frame[c]
        if isinstance(s.dtype, pl.List):
            s = s.explode()
        if s.dtype.is_float():
            v = s.sum()
        else:
            v = s.cast(pl.Decimal(38, getattr(s.dtype, "scale", 0) or 0)).sum()
        out[c] = out.get(c, 0) + (v or 0)
    return out


def _rows_differ(ra: np.ndarray, rb: np.ndarray, spans=()) -> tuple[np.ndarray, int]:
    """Rows of two equal-shaped uint8 matrices that differ (compared a word at a time),
    and how many of those differ within the key spans too."""
    from engine.migration.colsums import _kernel
    if _kernel is not None and len(ra) and ra.strides[1] == 1 and rb.strides[1] == 1:
        out = np.empty(len(ra), dtype=bool)
        keys = _kernel.rows_differ(ra, rb, np.array([o for o, _ in spans], np.int64),
                                   np.array([s for _, s in spans], np.int64), out.view(np.uint8))
        return out, keys
    width = ra.shape[1]
    differ = None
    for size, dtype in ((8, np.uint64), (4, np.uint32), (2, np.uint16)):
        if width % size == 0 and ra.flags.c_contiguous and rb.flags.c_contiguous and width:
            differ = (ra.view(dtype) != rb.view(dtype)).any(axis=1)
            break
    if differ is None:
        differ = (ra != rb).any(axis=1)
    rows = np.flatnonzero(differ)
    keys = 0
    if spans and len(rows):
        keys = int(np.logical_or.reduce([(ra[rows, o:o + s] != rb[rows, o:o + s]).any(axis=1)
                                         for o, s in spans]).sum())
    return differ, keys


def _segment_diffs(xa: np.ndarray, xb: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """(rows, segments) bool: row i differs in bytes bounds[j]..bounds[j+1]-1."""
    from engine.migration.colsums import _kernel
    if _kernel is not None:
        out = np.empty((len(xa), len(bounds) - 1), dtype=bool)
        _kernel.segment_diffs(xa, xb, bounds.astype(np.int64), out.view(np.uint8))
        return out
    return np.logical_or.reduceat(xa[:, :bounds[-1]] != xb[:, :bounds[-1]], bounds[:-1], axis=1)[:, :len(bounds) - 1]


def _sortable(keys: np.ndarray, rank: np.ndarray | None = None) -> np.ndarray:
    """Key bytes as a NumPy bytes array that sorts as the bytes do (a trailing 0x01
    keeps NumPy from ignoring trailing zero bytes); with `rank`, each key's rank
    among equal keys follows it (big-endian), making the keys unique."""
    n, k = keys.shape
    extra = 0 if rank is None else 8
    buf = np.empty((n, k + extra + 1), dtype=np.uint8)
    buf[:, :k] = keys
    if rank is not None:
        buf[:, k:k + 8] = rank.astype(">u8").view(np.uint8).reshape(n, 8)
    buf[:, -1] = 1
    return buf.view(f"S{k + extra + 1}").ravel()


def _match_keys(ka: np.ndarray, kb: np.ndarray):
    """Pairs (ia, ib) of records with equal keys, the unmatched rows of each side and
    the number of duplicate keys. Ascending unique keys (masters) merge with a binary
    search; anything else goes through a Polars join, duplicates matched in order."""
    if ka.shape == kb.shape and np.array_equal(ka, kb):
        sa = _sortable(ka)
        if len(sa) < 2 or bool((sa[1:] > sa[:-1]).all()):
            idx = np.arange(len(ka), dtype=np.int64)
            empty = np.zeros(0, np.int64)
            return idx, idx, empty, empty, 0, 0
    sa, sb = _sortable(ka), _sortable(kb)
    if (len(sa) < 2 or bool((sa[1:] > sa[:-1]).all())) and (len(sb) < 2 or bool((sb[1:] > sb[:-1]).all())):
        return (*_merge_sorted(sa, sb), 0, 0)
    fa = pl.DataFrame([_binary_series(ka, "k"), pl.Series("ia", np.arange(len(ka), dtype=np.int64))])
    fb = pl.DataFrame([_binary_series(kb, "k"), pl.Series("ib", np.arange(len(kb), dtype=np.int64))])
    fa = fa.with_columns(pl.int_range(pl.len()).over("k").alias("dup"))
    fb = fb.with_columns(pl.int_range(pl.len()).over("k").alias("dup"))
    dup_a, dup_b = int((fa["dup"] > 0).sum()), int((fb["dup"] > 0).sum())
    joined = fa.join(fb, on=["k", "dup"], how="full", coalesce=True)
    pairs = joined.filter(pl.col("ia").is_not_null() & pl.col("ib").is_not_null()).sort("ia")
    only_a = np.sort(joined.filter(pl.col("ib").is_null())["ia"].to_numpy()).astype(np.int64)
    only_b = np.sort(joined.filter(pl.col("ia").is_null())["ib"].to_numpy()).astype(np.int64)
    return (pairs["ia"].to_numpy().astype(np.int64), pairs["ib"].to_numpy().astype(np.int64),
            only_a, only_b, dup_a, dup_b)


def _layout(copybook) -> Layout:
    if isinstance(copybook, Layout):
        return copybook
    from engine.copybook import load_copybook
    return load_copybook(str(copybook))
