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
from pathlib import Path
from typing import Sequence

import numpy as np
import polars as pl
import pyarrow as pa

from engine.copybook.model import Field, Layout
from engine.errors import DensanError

PERSONAL_PATTERN = re.compile(
    r"NAME|SHIMEI|SIMEI|KANA|ADDR|JUSHO|JUSYO|KOJIN-NO|KOJINNO|MY-?NUMBER|TEL|PHONE|MAIL|"
    r"BIRTH|SEINENGAPPI|KOZA-NO|ACCOUNT-NO", re.IGNORECASE)
MASK = "***"
CHUNK = 1 << 20                    # matched pairs compared at a time


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


def _read(path, fmt, what: str):
    from engine.records import read_records
    if not Path(path).exists():
        raise DensanError(f"dataset {what} {path} does not exist", hint="check the path")
    return read_records(path, fmt)


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
                     max_diffs: int = 1000, totals: bool = True) -> CompareResult:
    """Compare dataset A with dataset B (both described by `copybook`).

    key: field names to match records by (a group such as SH-KEY is fine); none
    matches record n of A with record n of B. ignore: fields not compared.
    max_diffs: at most this many rows per section in the result's detail."""
    from engine.records import RecordFormat

    layout = _layout(copybook)
    fmt = RecordFormat(recfm=recfm, lrecl=lrecl if lrecl is not None else
                       (layout.record_length if recfm.upper().startswith("F") else None))
    block_a, block_b = _read(path_a, fmt, "A"), _read(path_b, fmt, "B")
    codec_a = _codec(layout, encoding, dialect)
    codec_b = codec_a

    width = max(block_a.width, block_b.width, layout.record_length)
    a = block_a.with_width(width, 0).data
    b = block_b.with_width(width, 0).data
    len_a, len_b = block_a.lengths, block_b.lengths

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
    mask_key = False

    # ---- matching
    key_fields = [k.upper() for k in key or []]
    dup_a = dup_b = 0
    key_names: list[str] = []
    if key_fields:
        spans = [field_span(layout, k) for k in key_fields]
        ka = np.concatenate([a[:, o:o + s] for o, s in spans], axis=1)
        kb = np.concatenate([b[:, o:o + s] for o, s in spans], axis=1)
        ia, ib, only_a, only_b, dup_a, dup_b = _match_keys(ka, kb)
        key_names = [n for k in key_fields for n in _elementary_names(layout, k)]
        mask_key = not show_personal and any(PERSONAL_PATTERN.search(n) or n.upper() in personal_set
                                             for n in key_names)
    else:
        common = min(len(a), len(b))
        ia = ib = np.arange(common, dtype=np.int64)
        only_a = np.arange(common, len(a), dtype=np.int64)
        only_b = np.arange(common, len(b), dtype=np.int64)

    def keys_of(data: np.ndarray, codec, rows: np.ndarray) -> list[str]:
        if not key_names:
            return [f"#{r + 1}" for r in rows]
        if mask_key:
            return [MASK] * len(rows)
        frame = _decode(codec, data[rows], key_names)
        widths = [_digits(layout, n) for n in key_names]
        return [" ".join(_key_text(v, w) for v, w in zip(row, widths)) for row in frame.iter_rows()]

    # ---- changed records: whole-record test first, then field by field on those rows
    diff_rows: list[np.ndarray] = []
    diff_masks: list[np.ndarray] = []
    contiguous = _is_range(ia) and _is_range(ib)
    for start in range(0, len(ia), CHUNK):
        ca, cb = ia[start:start + CHUNK], ib[start:start + CHUNK]
        if contiguous:                   # the usual case: no gather, compare slices in place
            ra, rb = a[ca[0]:ca[-1] + 1], b[cb[0]:cb[-1] + 1]
        else:
            ra, rb = a[ca], b[cb]
        rows = np.flatnonzero(_rows_differ(ra, rb) | (len_a[ca] != len_b[cb]))
        if len(rows) == 0:
            continue
        ra, rb = ra[rows], rb[rows]
        m = np.zeros((len(rows), len(all_units) + 1), dtype=bool)
        for j, u in enumerate(all_units):
            m[:, j] = (ra[:, u.offset:u.offset + u.size] != rb[:, u.offset:u.offset + u.size]).any(axis=1)
        m[:, -1] = len_a[ca[rows]] != len_b[cb[rows]]
        keep = m.any(axis=1)                     # differences only in ignored fields do not count
        diff_rows.append(start + rows[keep])
        diff_masks.append(m[keep])
    rows = np.concatenate(diff_rows) if diff_rows else np.zeros(0, np.int64)
    m = np.concatenate(diff_masks) if diff_masks else np.zeros((0, len(all_units) + 1), bool)
    names = [u.name for u in all_units] + ["(RECORD LENGTH)"]
    counts = m.sum(axis=0)
    field_counts = {names[j]: int(c) for j, c in enumerate(counts) if c}

    # ---- detail of the first max_diffs changed records
    shown = rows[:max_diffs]
    sa, sb = ia[shown], ib[shown]
    cols = sorted({u.column for j, u in enumerate(all_units) if u.column and m[:max_diffs, j].any()})
    da, db = _decode(codec_a, a[sa], cols), _decode(codec_b, b[sb], cols)
    change_keys = keys_of(a, codec_a, sa)
    records = []
    for r in range(len(shown)):
        for j in np.flatnonzero(m[r]):
            if j == len(all_units):
                records.append((change_keys[r], int(sa[r]) + 1, int(sb[r]) + 1, names[j],
                                str(len_a[sa[r]]), str(len_b[sb[r]]), "", ""))
                continue
            u = all_units[j]
            hide = u.personal and not show_personal
            hex_a = a[sa[r], u.offset:u.offset + u.size].tobytes().hex().upper()
            hex_b = b[sb[r], u.offset:u.offset + u.size].tobytes().hex().upper()
            if u.column:
                va, vb = _as_text(da[u.column][r]), _as_text(db[u.column][r])
            else:
                va, vb = "", ""
            if hide:
                va = vb = hex_a = hex_b = MASK
            records.append((change_keys[r], int(sa[r]) + 1, int(sb[r]) + 1, u.name, va, vb, hex_a, hex_b))
    changes = pl.DataFrame(records, schema={"key": pl.String, "record_a": pl.Int64, "record_b": pl.Int64,
                                            "field": pl.String, "value_a": pl.String, "value_b": pl.String,
                                            "hex_a": pl.String, "hex_b": pl.String}, orient="row")

    def only_frame(data, codec, idx):
        idx = idx[:max_diffs]
        return pl.DataFrame({"record": (idx + 1).astype(np.int64), "key": keys_of(data, codec, idx)},
                            schema={"record": pl.Int64, "key": pl.String})

    changed_a = np.concatenate([ia[rows], only_a])
    changed_b = np.concatenate([ib[rows], only_b])
    total_frame = _totals(codec_a, codec_b, a, b, changed_a, changed_b, all_units, show_personal) if totals else \
        pl.DataFrame(schema={"field": pl.String, "a": pl.String, "b": pl.String, "equal": pl.Boolean})
    return CompareResult(
        path_a=str(path_a), path_b=str(path_b), count_a=len(a), count_b=len(b), keyed=bool(key_fields),
        key_fields=key_fields, only_a=only_frame(a, codec_a, only_a), only_b=only_frame(b, codec_b, only_b),
        only_a_count=len(only_a), only_b_count=len(only_b), changed_count=len(rows),
        field_counts=field_counts, changes=changes, totals=total_frame, ignored=sorted(ignore_set),
        masked=masked, duplicate_keys_a=dup_a, duplicate_keys_b=dup_b)


def _sums(codec, data: np.ndarray, cols: list[str]) -> dict:
    """Sum of each numeric column over `data` (decoded in large chunks)."""
    out: dict = {}
    step = CHUNK * 4
    for start in range(0, len(data), step):
        frame = _decode(codec, data[start:start + step], cols)
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


def _totals(codec_a, codec_b, a, b, changed_a, changed_b, all_units, show_personal) -> pl.DataFrame:
    """RECORDS and the sum of every numeric field, A beside B. B's sums are A's less
    A's changed and unmatched records plus B's: records equal byte for byte decode
    alike, so only the records that differ are decoded twice (exact for integers
    and decimals; float fields are summed over B itself)."""
    numeric = [u for u in all_units if u.numeric and u.column]
    cols = [u.column for u in numeric]
    rows = [("RECORDS", f"{len(a):,}", f"{len(b):,}", len(a) == len(b))]
    sum_a = _sums(codec_a, a, cols)
    same_codec = codec_a is codec_b
    if same_codec:
        less = _sums(codec_a, a[np.sort(changed_a)], cols)
        more = _sums(codec_b, b[np.sort(changed_b)], cols)
        sum_b = {c: sum_a.get(c, 0) - less.get(c, 0) + more.get(c, 0) for c in cols}
        floats = [c for c in cols if isinstance(sum_a.get(c), float)]
        if floats:
            sum_b.update(_sums(codec_b, b, floats))
    else:
        sum_b = _sums(codec_b, b, cols)
    for u in numeric:
        va, vb = sum_a.get(u.column, 0), sum_b.get(u.column, 0)
        if u.personal and not show_personal:
            rows.append((f"SUM {u.name}", MASK, MASK, va == vb))
        else:
            rows.append((f"SUM {u.name}", f"{va:,}", f"{vb:,}", va == vb))
    return pl.DataFrame(rows, schema={"field": pl.String, "a": pl.String, "b": pl.String,
                                      "equal": pl.Boolean}, orient="row")


def _is_range(idx: np.ndarray) -> bool:
    """idx is start, start+1, ... (so rows can be sliced instead of gathered)."""
    return len(idx) == 0 or (int(idx[-1]) - int(idx[0]) == len(idx) - 1 and bool((np.diff(idx) == 1).all()))


def _rows_differ(ra: np.ndarray, rb: np.ndarray) -> np.ndarray:
    """Rows of two equal-shaped uint8 matrices that differ, compared a word at a time."""
    width = ra.shape[1]
    for size, dtype in ((8, np.uint64), (4, np.uint32), (2, np.uint16)):
        if width % size == 0 and ra.flags.c_contiguous and rb.flags.c_contiguous and width:
            return (ra.view(dtype) != rb.view(dtype)).any(axis=1)
    return (ra != rb).any(axis=1)


def _sortable(keys: np.ndarray) -> np.ndarray:
    """Key bytes as a NumPy bytes array that sorts as the bytes do (a trailing 0x01
    keeps NumPy from ignoring trailing zero bytes)."""
    n, k = keys.shape
    buf = np.empty((n, k + 1), dtype=np.uint8)
    buf[:, :k] = keys
    buf[:, k] = 1
    return buf.view(f"S{k + 1}").ravel()


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
        if len(sa) == 0:
            return (np.zeros(0, np.int64),) * 3 + (np.arange(len(sb), dtype=np.int64), 0, 0)
        pos = np.searchsorted(sa, sb)
        hit = sa[np.minimum(pos, len(sa) - 1)] == sb
        ib = np.flatnonzero(hit).astype(np.int64)
        ia = pos[hit].astype(np.int64)
        in_a = np.ones(len(sa), dtype=bool)
        in_a[ia] = False
        return ia, ib, np.flatnonzero(in_a).astype(np.int64), np.flatnonzero(~hit).astype(np.int64), 0, 0
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
