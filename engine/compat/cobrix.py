"""Reading a dataset the way Cobrix (the Spark COBOL reader) does, from its own
`.option()` names: a compatibility switch for teams comparing densan with an
existing Cobrix pipeline, and the driver of the Cobrix conformance suite.

Only Cobrix's *defaults and options* are mapped here; the decoding itself is
densan's (IBM semantics). What is mapped:

* record formats: F, FB (with BDW, or block_length / records_per_block), V, VB,
  D (text); `is_rdw_big_endian` (default little), `is_rdw_part_of_record_length`,
  `rdw_adjustment`, `is_bdw_big_endian`, `bdw_adjustment`; file_start/end_offset,
  record_start/end_offset, record_length, minimum/maximum_record_length;
* code pages: `common`/`cp037` -> cp037, cp273, cp500, cp1140, cp300 -> cp930;
  ASCII, ISO-8859-1 (as a site table); `floating_point_format` (IBM / IEEE754,
  either byte order); `is_utf16_big_endian=false` for PIC N;
* unsigned 4-byte binary 9(5)-9(8) read as signed (top bit set -> null, README 7);
* blanks (spaces, 0x00) skipped inside DISPLAY numbers, strict or relaxed sign
  overpunching on unsigned fields (README 5);
* variable_size_occurs with F: records split by their ODO counters (README 10);
  record_length_field: records split by a length field;
* strings: `string_trimming_policy` (Cobrix trims both ends of every char <= U+0020
  by default), `improved_null_detection` (an all-0x00 field is null), the bytes
  present in a record shorter than the copybook;
* invalid values become null instead of failing the read (Cobrix never rejects);
* segments: `segment_field` + `segment_filter`, `redefine_segment_id_map`;
* JSON in Cobrix's shape: '-' -> '_', the 01 level collapsed (or kept with
  `schema_retention_policy=keep_original`), group FILLERs as FILLER_1, FILLER_2.
What is not mapped raises `UnsupportedOption` naming the option.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from engine.copybook.model import Category, Usage
from engine.errors import DensanError
from engine.records.recfm import RecordBlock, RecordFormat, iter_records


class UnsupportedOption(DensanError):
    """A Cobrix option densan does not reproduce."""


CODE_PAGES = {"common": "cp037", "common_extended": "cp037", "cp037": "cp037",
              "cp037_extended": "cp037", "cp273": "cp273", "cp500": "cp500", "cp1140": "cp1140",
              "cp1047": "cp1047", "cp300": "cp930", "cp930": "cp930", "cp939": "cp939"}
FLOATS = {"ibm": ("ibm", "big"), "ibm_little_endian": ("ibm", "little"),
          "ieee754": ("ieee", "big"), "ieee754_little_endian": ("ieee", "little")}

# options that only change generated columns, logging or Spark partitioning
IGNORED = {"pedantic", "generate_record_id", "input_split_records", "segment_id_prefix",
           "debug_ignore_file_size", "generate_record_bytes", "encoding", "ebcdic_code_page",
           "ascii_charset", "record_format", "is_rdw_big_endian", "is_rdw_part_of_record_length",
           "rdw_adjustment", "is_bdw_big_endian", "bdw_adjustment", "file_start_offset",
           "file_end_offset", "record_start_offset", "record_end_offset", "string_trimming_policy",
           "schema_retention_policy", "floating_point_format", "improved_null_detection",
           "segment_field", "segment_filter", "is_text", "record_length", "block_length",
           "record_length_field",
           "records_per_block", "minimum_record_length", "maximum_record_length",
           "strict_sign_overpunching", "drop_group_fillers", "drop_value_fillers",
           "filler_naming_policy", "is_utf16_big_endian", "segment_id_root"}
SEGMENT_LEVEL = re.compile(r"segment_id_level\d+")
REDEFINE_MAP = re.compile(r"redefine[-_]segment[-_]id[-_]map(:\d+)?")


@dataclass
class CobrixOptions:
    raw: dict

    def get(self, name: str, default=None):
        return self.raw.get(name, default)

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw.get(name)
        return default if value is None else str(value).lower() == "true"

    def int(self, name: str, default: int = 0) -> int:
        value = self.raw.get(name)
        return default if value in (None, "") else int(value)

    def check(self) -> None:
        for key, value in self.raw.items():
            if key in IGNORED or SEGMENT_LEVEL.fullmatch(key) or REDEFINE_MAP.fullmatch(key):
                continue
            if key == "variable_size_occurs":
                continue
            if key == "debug" and str(value).lower() in ("true", "hex", "false"):
                continue
            if key in ("binary_as_hex", "generate_corrupt_fields") and str(value).lower() == "false":
                continue
            raise UnsupportedOption(f"Cobrix option {key}={value!r} is not supported by densan")
        if self.record_format not in ("F", "FB", "V", "VB", "D", "T"):
            raise UnsupportedOption(f"Cobrix record_format={self.record_format} is not supported")

    @property
    def record_format(self) -> str:
        if self.flag("is_text", False):
            return "D"
        return str(self.get("record_format", "F")).upper()

    @property
    def ascii(self) -> bool:
        return str(self.get("encoding", "ebcdic")).lower() == "ascii" or self.record_format in ("D", "T")

    def codepage(self) -> str:
        if self.ascii:
            charset = str(self.get("ascii_charset", "us-ascii")).lower()
            if charset in ("iso-8859-1", "latin1", "latin-1", "iso8859-1"):
                return _latin1()
            if charset not in ("us-ascii", "ascii", "utf-8", "utf8"):
                raise UnsupportedOption(f"Cobrix ascii_charset={charset} is not a densan code page")
            return "ascii"
        name = str(self.get("ebcdic_code_page", "common")).lower()
        if name in EURO_PAGES:
            return _euro_page(name)
        if name not in CODE_PAGES:
            raise UnsupportedOption(f"Cobrix ebcdic_code_page={name} is not a densan code page")
        return CODE_PAGES[name]

    def dialect(self):
        from engine.compat.dialect import IBM
        fmt = str(self.get("floating_point_format", "IBM")).lower()
        if fmt not in FLOATS:
            raise UnsupportedOption(f"Cobrix floating_point_format={fmt} is not supported")
        float_format, order = FLOATS[fmt]
        return IBM.with_options(float_format=float_format, float_byteorder=order)

    @property
    def trimming(self) -> str:
        return str(self.get("string_trimming_policy", "both")).lower()

    def segment_map(self) -> dict[str, list[str]]:
        """redefine_segment_id_map: REDEFINES group name -> the segment ids it decodes for."""
        out = {}
        for key, value in self.raw.items():
            if REDEFINE_MAP.fullmatch(key):
                name, _, ids = str(value).partition("=>")
                out[name.strip().upper()] = [i.strip() for i in ids.split(",") if i.strip()]
        return out


# IBM's euro pages: the base CCSID with the euro sign at X'9F' (in place of the currency sign)
EURO_PAGES = {"cp1141": "cp273", "cp1148": "cp500"}


def _euro_page(name: str) -> str:
    """CCSID 1141 / 1148 as site code-page tables over their base pages."""
    from engine.codepages import available_codepages, load_codepage_table, register_codepage
    if name not in available_codepages():
        import tempfile
        lines = [f"name: {name}", "ebcdic: yes", f"base: {EURO_PAGES[name]}", "9F U+20AC"]
        with tempfile.TemporaryDirectory() as tmp:
            table = Path(tmp) / f"{name}.cpt"
            table.write_text("\n".join(lines) + "\n", encoding="utf-8")
            register_codepage(name, load_codepage_table(table))
    return name


def _latin1() -> str:
    """ISO-8859-1 as a site code-page table (every byte is the code point of the
    same number), registered once under the name "iso-8859-1"."""
    from engine.codepages import available_codepages, load_codepage_table, register_codepage
    if "iso-8859-1" not in available_codepages():
        import tempfile
        lines = ["name: iso-8859-1", "ebcdic: no"] + [f"{b:02X} U+{b:04X}" for b in range(256)]
        with tempfile.TemporaryDirectory() as tmp:
            table = Path(tmp) / "iso-8859-1.cpt"
            table.write_text("\n".join(lines) + "\n", encoding="utf-8")
            register_codepage("iso-8859-1", load_codepage_table(table))
    return "iso-8859-1"


# ---- reading -------------------------------------------------------------------------------

def _record_format(opts: CobrixOptions, record_length: int) -> RecordFormat:
    rf = opts.record_format
    if rf in ("V", "VB"):
        return RecordFormat(
            rf, None,
            rdw_byteorder="big" if opts.flag("is_rdw_big_endian", False) else "little",
            rdw_includes_header=opts.flag("is_rdw_part_of_record_length", False),
            rdw_adjust=opts.int("rdw_adjustment"),
            bdw=rf == "VB",
            bdw_byteorder="big" if opts.flag("is_bdw_big_endian", False) else "little",
            bdw_includes_header=False, bdw_adjust=opts.int("bdw_adjustment"))
    if rf in ("D", "T"):
        return RecordFormat("LS", None)
    return RecordFormat("F", record_length)


def _fixed_blocked(buf: bytes, lrecl: int) -> bytes:
    """FB with a 4-byte little-endian BDW (excluding itself) before each block: the
    records without the BDWs (one step per block)."""
    out, pos = [], 0
    while pos + 4 <= len(buf):
        length = buf[pos + 2] | (buf[pos + 3] << 8)
        out.append(buf[pos + 4:pos + 4 + length])
        pos += 4 + length
    return b"".join(out)


def read_cobrix(data_paths, layout, options: dict, *, work_dir: Path) -> pl.DataFrame:
    """The records of the data files decoded as Cobrix would, as a frame with one
    column per field (nulls where Cobrix gives null)."""
    from engine.records.codec import RecordCodec

    opts = CobrixOptions(dict(options))
    opts.check()
    codec = RecordCodec(layout, codepage=opts.codepage(), dialect=opts.dialect())
    start, end = opts.int("record_start_offset"), opts.int("record_end_offset")
    copy_length = layout.record_length
    lrecl = opts.int("record_length", 0) or copy_length + start + end
    fmt = _record_format(opts, lrecl)
    frames = []
    head, tail = opts.int("file_start_offset"), opts.int("file_end_offset")
    fb_bdw = opts.record_format == "FB" and not (opts.get("block_length") or opts.get("records_per_block"))
    variable_occurs = str(opts.get("variable_size_occurs", "false")).lower()
    variable_occurs = None if variable_occurs == "false" or not fmt.fixed else variable_occurs
    length_field = opts.get("record_length_field")
    if length_field and not fmt.fixed:
        raise UnsupportedOption("record_length_field is supported with record_format F only")
    for number, path in enumerate(data_paths):
        work = Path(path)
        size = work.stat().st_size
        splitter = variable_occurs or length_field
        if head or tail or fb_bdw or (fmt.fixed and size % lrecl and not splitter):
            # a working copy without the file header/trailer and block descriptors
            raw = work.read_bytes()
            if head or tail:
                raw = raw[head:len(raw) - tail]
            if fb_bdw:
                raw = _fixed_blocked(raw, lrecl)
            if fmt.fixed and len(raw) % lrecl and not splitter:
                raw = raw[:len(raw) - len(raw) % lrecl]   # Cobrix drops a trailing partial record
            work = Path(work_dir) / f"cobrix-{number}.dat"
            work.write_bytes(raw)
        if length_field:
            blocks = [_split_by_length_field(work.read_bytes(), layout, codec.cp, length_field,
                                             opts.int("rdw_adjustment"))]
        elif variable_occurs:
            blocks = [_split_by_counters(work.read_bytes(), layout, codec.cp,
                                         pad=variable_occurs == "pad_record")]
        else:
            blocks = iter_records(work, fmt)
        for block in blocks:
            frames.append(_decode(block, codec, layout, opts, start, copy_length))
    if not frames:
        return _decode(RecordBlock.from_array(np.zeros((0, copy_length), np.uint8)), codec, layout,
                       opts, 0, copy_length)
    return pl.concat(frames, how="vertical")


def _decode(block: RecordBlock, codec, layout, opts: CobrixOptions, start: int, length: int):
    low, high = opts.int("minimum_record_length", 1), opts.int("maximum_record_length", 0)
    keep = block.lengths >= low
    if high:
        keep &= block.lengths <= high
    if not keep.all():
        block = block.take(keep)
    if start or block.width != length:
        width = max(length, block.width - start)
        data = np.full((len(block), width), 0, np.uint8)
        part = block.data[:, start:start + width]
        data[:, :part.shape[1]] = part
        lengths = np.clip(block.lengths - start, 0, length)
        block = RecordBlock(np.ascontiguousarray(data[:, :length]), lengths, block.file_offsets,
                            block.first_record, block.source)
    if not opts.flag("is_utf16_big_endian", True):
        block = _swap_national(block, layout)
    fixed, number_nulls = _cobrix_numbers(block, codec, layout, opts)
    if layout.has_odo:      # the counters must be read the Cobrix way to find the tables
        frame = codec.decode(fixed, errors="lenient", keep_raw=False).frame
    else:                   # numbers from the fixed bytes; text (REDEFINES too) from the original
        frame = codec.decode(block, errors="lenient", keep_raw=False).frame
        if number_nulls:
            again = codec.decode(fixed, columns=list(number_nulls), errors="lenient").frame
            frame = frame.with_columns(again)
    frame = _apply_nulls(frame, number_nulls)
    frame = _unsigned_binary(frame, layout)
    frame = _strings(frame, block, codec, layout, opts)
    if str(opts.get("debug", "false")).lower() in ("true", "hex"):
        frame = _debug_columns(frame, block, layout)
    frame = _segments(frame, layout, opts)
    return frame


def _hex(cols: np.ndarray) -> pl.Series:
    """Upper-case hex of each row of a byte matrix."""
    import pyarrow as pa
    n, width = cols.shape
    offsets = np.arange(n + 1, dtype=np.int64) * width
    arr = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(offsets),
                                                                    pa.py_buffer(np.ascontiguousarray(cols))])
    return pl.Series(arr).bin.encode("hex").str.to_uppercase()


def _debug_columns(frame: pl.DataFrame, block: RecordBlock, layout) -> pl.DataFrame:
    """debug=true: NAME_debug, the hex of each field's bytes, for the fields at a fixed
    place (not after an OCCURS DEPENDING ON); tables give one hex string per element."""
    from engine.records.output import column_names
    names = column_names(layout)
    first_table = min((f.offset for f in layout.fields() if f.depending_on), default=None)
    exprs = []
    for f in layout.elementary():
        name = names.get(id(f))
        if name not in frame.columns or (first_table is not None and f.offset > first_table):
            continue
        if _inside_table(f):
            continue
        if not f.occurs:
            exprs.append(pl.lit(_hex(block.data[:, f.offset:f.offset + f.size])).alias(name + "_debug"))
            continue
        parts = [_hex(block.data[:, f.offset + i * f.size:f.offset + (i + 1) * f.size])
                 for i in range(f.occurs)]
        table = pl.DataFrame(parts, schema=[str(i) for i in range(f.occurs)]).select(
            pl.concat_list(pl.all()).alias("t"))["t"]
        exprs.append(pl.lit(table).list.head(pl.col(name).list.len()).alias(name + "_debug"))
    return frame.with_columns(exprs) if exprs else frame


def _text_fields(layout):
    """Elementary PIC X / A fields outside tables (their bytes are at a fixed offset)."""
    from engine.records.output import column_names
    names = column_names(layout)
    for record in layout.records:
        for f in record.walk():
            if f.children or id(f) not in names or f.picture is None:
                continue
            if f.usage != Usage.DISPLAY or f.picture.category not in (Category.ALPHANUMERIC,
                                                                         Category.ALPHABETIC):
                continue
            node, in_table = f, False
            while node is not None:
                in_table |= bool(node.occurs)
                node = node.parent
            if not in_table:
                yield names[id(f)], f


_C0 = "".join(chr(c) for c in range(0x20) if c not in (0x0A, 0x0D))


def _text_rules(expr: pl.Expr, opts: "CobrixOptions") -> pl.Expr:
    """Cobrix's character handling (README 3, 4): ASCII drops control characters;
    EBCDIC swaps the 0x0D/0x25 line ends, turns C1 controls into spaces, and for
    `common` (and plain cp037/cp1047) any character outside printable ASCII too."""
    if opts.ascii:
        return expr.str.replace_all(r"[\x00-\x1f]", "")
    page = str(opts.get("ebcdic_code_page", "common")).lower()
    expr = expr.str.replace_many(["\r", "\n"], ["\n", "\r"])
    if page == "cp300":                   # README 11: a dangling DBCS byte is dropped
        expr = expr.str.replace("\ufffd$", "")
    if page == "common":
        return expr.str.replace_all(r"[^\x20-\x7e\r\n]", " ")
    expr = expr.str.replace_all(r"[\x80-\x84\x86-\x9f]", " ")      # C1 controls but NEL
    if page in ("cp037", "cp1047"):
        expr = expr.str.replace_all(f"[{re.escape(_C0)}\x7f]", " ")
    return expr


def _swap_national(block: RecordBlock, layout) -> RecordBlock:
    """PIC N stored little-endian (is_utf16_big_endian=false): swap each byte pair of
    the national fields, so the codec reads them as the UTF-16BE IBM stores."""
    data = block.data.copy()
    for f in layout.elementary():
        if f.usage == Usage.NATIONAL and not f.occurs:
            part = data[:, f.offset:f.offset + f.size - f.size % 2]
            data[:, f.offset:f.offset + part.shape[1]] = part.reshape(len(data), -1, 2)[:, :, ::-1].reshape(
                len(data), -1)
    return RecordBlock(data, block.lengths, block.file_offsets, block.first_record, block.source)


def _display_numbers(layout):
    """(column, field, offsets) of the DISPLAY numbers whose sign (if any) is in the
    last byte, and of edited numbers made of 9s and a point — the fields Cobrix
    reads ignoring blanks. Offsets: one, or one per element of a fixed OCCURS of
    the field itself."""
    from engine.records.output import column_names
    names = column_names(layout)
    first_table = min((f.offset for f in layout.fields() if f.depending_on), default=None)
    for f in layout.elementary():
        if id(f) not in names or f.usage != Usage.DISPLAY or f.picture is None:
            continue
        if first_table is not None and f.offset + f.total_size > first_table:
            continue            # after an OCCURS DEPENDING ON: its offset moves
        if f.sign_leading or f.sign_separate:
            continue
        pic = f.picture
        if pic.category == Category.NUMERIC_EDITED and set(pic.expanded) <= {"9", "."}:
            pass
        elif pic.category != Category.NUMERIC:
            continue
        if _inside_table(f):
            continue
        yield names[id(f)], f, [f.offset + i * f.size for i in range(f.occurs or 1)]


_POSITIVE = {0x7B: 0x30, **{0x41 + i: 0x31 + i for i in range(9)}}     # ASCII '{' 'A'-'I'
_NEGATIVE = {0x7D, *range(0x4A, 0x53)}                                # ASCII '}' 'J'-'R'


def _cobrix_numbers(block: RecordBlock, codec, layout, opts):
    """Cobrix's reading of DISPLAY numbers (README 5), emulated on the bytes before
    decoding: spaces and 0x00 anywhere are skipped (F9 40 F0 F0 is 900) — the
    blanks of each field move to its left end as zeros (one stable sort per
    field); a field of nothing but blanks is null, or 0 for a V-decimal without
    improved_null_detection. An overpunched sign on an unsigned field is null
    (strict_sign_overpunching, the default) or, relaxed, a positive one is read as
    its digit. Returns the new block and {column: (field, null mask per element)}."""
    fields = list(_display_numbers(layout))
    if not fields or len(block) == 0:
        return block, {}
    improved = opts.flag("improved_null_detection", True)
    strict = opts.flag("strict_sign_overpunching", True)
    ebcdic = codec.cp.is_ebcdic
    ascii_digit = np.arange(256, dtype=np.uint8)
    for punch, digit in _POSITIVE.items():
        ascii_digit[punch] = digit
    data = block.data.copy()
    nulls = {}
    for name, f, offsets in fields:
        masks = []
        for offset in offsets:
            cols = data[:, offset:offset + f.size]
            blank = (cols == 0) | (cols == codec.cp.space)
            empty = blank.all(axis=1)
            if blank.any():
                order = np.argsort(~blank, axis=1, kind="stable")   # blanks first, digits in order
                moved = np.take_along_axis(cols, order, axis=1)
                moved[np.take_along_axis(blank, order, axis=1)] = codec.cp.digit_zero
                data[:, offset:offset + f.size] = moved
            null = empty & (improved or f.picture.scale == 0)
            if f.picture.category == Category.NUMERIC and not f.picture.signed:
                last = data[:, offset + f.size - 1]
                if ebcdic:
                    positive, negative = (last >> 4) == 0xC, (last >> 4) == 0xD
                    digit = 0xF0 | (last & 0x0F)
                else:
                    positive = np.isin(last, list(_POSITIVE))
                    negative = np.isin(last, list(_NEGATIVE))
                    digit = ascii_digit[last]
                null |= negative | (positive & strict)
                if not strict:
                    data[:, offset + f.size - 1] = np.where(positive, digit, last)
            masks.append(null)
        nulls[name] = (f, np.stack(masks, axis=1))
    return RecordBlock(data, block.lengths, block.file_offsets, block.first_record, block.source), nulls


def _apply_nulls(frame: pl.DataFrame, nulls: dict) -> pl.DataFrame:
    updates = []
    for name, (f, null) in nulls.items():
        if name not in frame.columns or not null.any():
            continue
        if not f.occurs:
            updates.append(pl.when(pl.lit(pl.Series(null[:, 0]))).then(None)
                           .otherwise(pl.col(name)).alias(name))
            continue
        flat = frame.select(pl.col(name).explode())[name]      # fixed OCCURS: n * k values
        flat = pl.select(pl.when(pl.lit(pl.Series(null.reshape(-1)))).then(None)
                         .otherwise(pl.lit(flat))).to_series()
        updates.append(pl.lit(flat.reshape((len(frame), f.occurs)).cast(pl.List(flat.dtype))).alias(name))
    return frame.with_columns(updates) if updates else frame


def _counter_value(raw: bytes, f) -> int:
    """An ODO counter's value, read as Cobrix reads it (blanks skipped)."""
    if f.usage in (Usage.BINARY, Usage.COMP5):
        return int.from_bytes(raw, "big" if f.usage == Usage.BINARY else "little")
    if f.usage == Usage.PACKED:
        digits = raw.hex()[:-1]
        return int(digits) if digits.isdigit() else 0
    digits = "".join(str(b & 0x0F) for b in raw if b not in (0x00, 0x20, 0x40))
    return int(digits) if digits else 0


def _split_by_length_field(raw: bytes, layout, cp, name: str, adjust: int) -> RecordBlock:
    """record_length_field: each record's length is a field of it (plus rdw_adjustment).
    Sequential by nature (a loop per record; a compatibility tool)."""
    from engine.records.recfm import gather_records
    field = _find(layout, name)
    if field is None or field.children or field.parent is None:
        raise UnsupportedOption(f"record_length_field {name}: no such elementary field")
    starts, lengths, pos = [], [], 0
    while pos + field.offset + field.size <= len(raw):
        size = _counter_value(raw[pos + field.offset:pos + field.offset + field.size], field) + adjust
        if size <= 0:
            raise DensanError(f"record_length_field {name} gives length {size} at byte offset {pos}")
        starts.append(pos)
        lengths.append(min(size, len(raw) - pos))
        pos += size
    buf = np.frombuffer(raw, dtype=np.uint8)
    width = max(layout.record_length, max(lengths, default=0))
    data = gather_records(buf, np.array(starts, np.int64), np.array(lengths, np.int32), width, cp.space)
    return RecordBlock(data, np.array(lengths, np.int32), np.array(starts, np.int64), 1, None)


def _split_by_counters(raw: bytes, layout, cp, *, pad: bool) -> RecordBlock:
    """README 10: variable_size_occurs with record_format F — records back to back,
    each as long as its OCCURS DEPENDING ON counters make it (or, pad_record, at the
    maximum size). Sequential by nature (a loop per record; a compatibility tool)."""
    from engine.records.recfm import gather_records
    tables = [f for f in layout.fields() if f.depending_on]
    counters = []
    for table in tables:
        counter = _find(layout, table.depending_on)
        node, nested = table.parent, False
        while node is not None:
            nested |= bool(node.occurs)
            node = node.parent
        if counter is None or nested or counter.offset + counter.size > min(t.offset for t in tables):
            raise UnsupportedOption("variable_size_occurs with nested or moving counters is not supported")
        counters.append((table, counter))
    full = layout.record_length
    starts, lengths, pos = [], [], 0
    while pos < len(raw):
        size = full
        if not pad:
            for table, counter in counters:
                count = _counter_value(raw[pos + counter.offset:pos + counter.offset + counter.size], counter)
                size -= (table.occurs - max(0, min(count, table.occurs))) * table.size
        starts.append(pos)
        lengths.append(min(size, len(raw) - pos))
        pos += size
    buf = np.frombuffer(raw, dtype=np.uint8)
    starts, lengths = np.array(starts, np.int64), np.array(lengths, np.int32)
    data = gather_records(buf, starts, lengths, full, cp.space)
    return RecordBlock(data, lengths, starts, 1, None)


def _unsigned_binary(frame: pl.DataFrame, layout) -> pl.DataFrame:
    """README 7: Cobrix reads an unsigned 4-byte binary 9(5)-9(8) as a signed int,
    so a value with the top bit set is null."""
    from engine.records.output import column_names
    names = column_names(layout)
    exprs = []
    for f in layout.elementary():
        name = names.get(id(f))
        if name not in frame.columns or f.usage not in (Usage.BINARY, Usage.COMP5):
            continue
        if f.picture is None or f.picture.signed or not 5 <= f.picture.digits <= 8:
            continue
        big = 2 ** 31 / 10 ** f.picture.scale
        if isinstance(frame.schema[name], pl.List):
            exprs.append(pl.col(name).list.eval(pl.when(pl.element() >= big).then(None)
                                                .otherwise(pl.element())))
        else:
            exprs.append(pl.when(pl.col(name) >= big).then(None).otherwise(pl.col(name)).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _trim(expr: pl.Expr, policy: str) -> pl.Expr:
    blanks = "".join(chr(c) for c in range(0x21))
    if policy == "both":
        return expr.str.strip_chars(blanks)
    if policy == "left":
        return expr.str.strip_chars_start(blanks)
    if policy == "right":
        return expr.str.strip_chars_end(blanks)
    return expr


def _strings(frame: pl.DataFrame, block: RecordBlock, codec, layout, opts: CobrixOptions):
    """Text as Cobrix gives it: re-decoded from the bytes present (a short record
    gives the part of the field it holds), trimmed by policy, all-0x00 -> null."""
    policy = opts.trimming
    improved = opts.flag("improved_null_detection", True)
    redecode = {} if layout.has_odo else dict(_text_fields(layout))
    cp = codec.cp
    updates = []
    for name, dtype in frame.schema.items():
        if name in redecode:
            # the bytes as they are (no trimming yet), only those the record holds
            f = redecode[name]
            cols = block.data[:, f.offset:f.offset + f.size].copy()
            present = np.clip(block.lengths - f.offset, 0, f.size)
            beyond = np.arange(f.size)[None, :] >= present[:, None]
            zero = ((cols == 0) | beyond).all(axis=1) & (present > 0)
            cols[beyond] = cp.space
            text, _ = cp.decode_column(cols, strip=None)
            value = pl.lit(pl.Series(name, text, dtype=pl.String)).str.slice(0, pl.lit(pl.Series(present)))
            value = _trim(_text_rules(value, opts), policy)
            if improved:
                value = pl.when(pl.lit(pl.Series(zero))).then(None).otherwise(value)
            missing = pl.lit(pl.Series(present == 0))
            value = pl.when(missing).then(None if improved else pl.lit("")).otherwise(value)
            updates.append(value.alias(name))
        elif dtype == pl.String:
            updates.append(_trim(_text_rules(pl.col(name), opts), policy).alias(name))
        elif dtype == pl.List(pl.String):
            updates.append(pl.col(name).list.eval(_trim(_text_rules(pl.element(), opts), policy)))
    return frame.with_columns(updates) if updates else frame


def _segments(frame: pl.DataFrame, layout, opts: CobrixOptions) -> pl.DataFrame:
    field_name = opts.get("segment_field")
    if not field_name:
        return frame
    column = str(field_name).replace("_", "-").upper()
    if column not in frame.columns:
        return frame
    seg = pl.col(column).cast(pl.String).str.strip_chars()
    wanted = opts.get("segment_filter")
    if wanted is not None:
        frame = frame.filter(seg == str(wanted))
    mapping = opts.segment_map()
    if mapping:   # a REDEFINES alternative exists only for its segment ids
        from engine.records.output import NULL_GROUP
        exprs = [(~seg.is_in(ids)).fill_null(True).alias(NULL_GROUP + group.name)
                 for group_name, ids in mapping.items()
                 if (group := _find(layout, group_name)) is not None]
        frame = frame.with_columns(exprs) if exprs else frame
    return frame


def _find(layout, name: str):
    for f in layout.fields():
        if f.name.upper() == name.upper().replace("_", "-") or f.name.upper() == name.upper():
            return f
    return None


# ---- JSON in Cobrix's shape ----------------------------------------------------------------

def cobrix_key(name: str) -> str:
    return name.replace("-", "_")


def cobrix_json_lines(frame: pl.DataFrame, layout, options: dict) -> list[str]:
    """One JSON object per record, keyed as Cobrix keys them (nulls left out)."""
    from engine.records.output import JsonStyle, json_lines
    opts = CobrixOptions(dict(options))
    drop = opts.flag("drop_group_fillers", False)
    style = JsonStyle(key=cobrix_key, omit_nulls=True, filler_groups="drop" if drop else "number")
    lines = json_lines(frame, layout, style).to_list()
    if str(opts.get("schema_retention_policy", "collapse_root")).lower() == "keep_original":
        root = cobrix_key(layout.root.name)
        lines = [f'{{"{root}":{line}}}' for line in lines]
    return lines


def _inside_table(f) -> bool:
    """Whether some group above the field is an OCCURS table."""
    node = f.parent
    while node is not None:
        if node.occurs:
            return True
        node = node.parent
    return False
