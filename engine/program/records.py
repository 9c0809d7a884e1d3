"""Fixed-width records as a (n, lrecl) uint8 matrix seen through a copybook.

What a COBOL program does with a record it has read: look at a field's bytes,
test its class (NUMERIC, all SPACES), compare it with a literal, take its
value, MOVE something into it. Each is one NumPy operation over every record:

    rec = Records.read(path, "IDOTRN")                # or Records(matrix, "IDOTRN")
    bad_key = ~rec.numeric("IT-KOJIN-NO")             # the COBOL class test, bytes as they are
    jiyu = rec.bytes("IT-JIYU")                       # (n, 2) view
    new = rec.value("IT-JUSHO-CD")                    # int64 (where numeric)
    out.put("JM-KOSHIN-BI", rec.bytes("IT-IDO-BI"), rows)   # MOVE, for some rows

`frame()` decodes fields to a Polars frame through the engine's codecs (invalid
values null, `__record__` the raw bytes) for the declarative parts of a program.

Class tests follow the data: ASCII data the GnuCOBOL conventions (digits
X'30'-X'39', a negative trailing sign X'70'-X'79'), EBCDIC data IBM's (X'F0'-X'F9',
the last zone C, D or F on a signed field).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.copybook.model import Field, Usage


def _is_ebcdic(encoding: str) -> bool:
    if encoding.lower() in ("ascii", "utf-8", "utf8", "latin-1", "cp932", "shift_jis"):
        return False
    from engine.codepages import get_codepage
    return bool(get_codepage(encoding).is_ebcdic)


class Records:
    """Records of one layout; `data` is (n, lrecl) uint8 (a view is fine)."""

    def __init__(self, data: np.ndarray, copybook, *, encoding: str = "ascii", dialect: str | None = None):
        from engine.records.dataset import resolve_layout
        self.layout = resolve_layout(copybook, dialect=dialect, encoding=None if encoding.lower() == "cp932"
                                     else encoding)
        self.data = np.asarray(data, dtype=np.uint8).reshape(-1, self.layout.record_length) if np.asarray(
            data).size == 0 else np.asarray(data, dtype=np.uint8)
        self.encoding = encoding
        self.dialect = dialect
        self.ebcdic = _is_ebcdic(encoding)
        self.zone = 0xF0 if self.ebcdic else 0x30
        self.space = 0x40 if self.ebcdic else 0x20
        self._fields: dict[str, Field] = {}
        self._charsets: dict = {}

    # ------------------------------------------------------------------ building
    @classmethod
    def read(cls, path, copybook, *, encoding: str = "ascii", dialect: str | None = None) -> "Records":
        """A fixed-length (RECFM F/FB) file read whole. A size that is not a
        multiple of LRECL is a RecordError naming the file."""
        from engine.records import RecordFormat, read_records
        from engine.records.dataset import resolve_layout
        lrecl = resolve_layout(copybook, dialect=dialect).record_length
        block = read_records(Path(path), RecordFormat("F", lrecl))
        return cls(block.data, copybook, encoding=encoding, dialect=dialect)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def lrecl(self) -> int:
        return self.data.shape[1]

    def take(self, rows) -> "Records":
        return Records(self.data[rows], self.layout, encoding=self.encoding, dialect=self.dialect)

    def literal(self, text: str) -> bytes:
        """A program literal in the data's code page ('IV', '0', ...)."""
        if not self.ebcdic:
            return text.encode("ascii")
        from engine.codepages import get_codepage
        return get_codepage(self.encoding).encode(text)

    # ------------------------------------------------------------------ fields
    def field(self, name: str) -> Field:
        f = self._fields.get(name)
        if f is None:
            f = self._fields[name] = self.layout.find(name)
        return f

    def span(self, name: str) -> slice:
        f = self.field(name)
        return slice(f.offset, f.offset + f.total_size if f.children else f.offset + f.size)

    def bytes(self, name: str) -> np.ndarray:
        """The field's bytes, (n, size), a view into the records."""
        return self.data[:, self.span(name)]

    def equals(self, name: str, text: str) -> np.ndarray:
        """Field = literal (alphanumeric compare, the literal padded with spaces)."""
        b = self.bytes(name)
        lit = self.literal(text).ljust(b.shape[1], bytes([self.space]))
        if len(lit) == 1:                          # a flag: no reduction over one column
            return b[:, 0] == lit[0]
        return (b == np.frombuffer(lit, np.uint8)).all(axis=1)

    def is_in(self, name: str, texts) -> np.ndarray:
        out = np.zeros(len(self), bool)
        for t in texts:
            out |= self.equals(name, t)
        return out

    def chars_in(self, name: str, first: str, last: str) -> np.ndarray:
        """(n, size) bool: each byte of the field is a one-byte character from
        `first` to `last` in the data's code page (ASCII data is read as JIS X
        0201 / Shift_JIS single bytes: half-width katakana are X'A6'-X'DF')."""
        key = (first, last)
        table = self._charsets.get(key)
        if table is None:
            table = np.zeros(256, bool)
            for b in range(256):
                try:
                    ch = (self._codepage().decode(bytes([b])) if self.ebcdic
                          else bytes([b]).decode("cp932"))
                except (UnicodeError, ValueError):
                    continue
                table[b] = len(ch) == 1 and first <= ch <= last
            self._charsets[key] = table
        return table[self.bytes(name)]

    def _codepage(self):
        from engine.codepages import get_codepage
        return get_codepage(self.encoding)

    def spaces(self, name: str) -> np.ndarray:
        """Field = SPACES."""
        return (self.bytes(name) == self.space).all(axis=1)

    def numeric(self, name: str) -> np.ndarray:
        """The COBOL NUMERIC class test of a DISPLAY or packed field."""
        f = self.field(name)
        b = self.bytes(name)
        pic = f.picture
        if f.usage in (Usage.PACKED,):
            return _packed_numeric(b, signed=bool(pic and pic.signed))
        digits = (b - np.uint8(self.zone)) < 10
        if f.usage != Usage.DISPLAY or pic is None or pic.category.name not in ("NUMERIC",):
            return digits.all(axis=1)
        if not pic.signed or f.sign_separate or f.sign_leading:
            return digits.all(axis=1)
        last = b[:, -1]
        if self.ebcdic:
            ok_last = ((last >> 4) >= 0xC) & ((last >> 4) != 0xE) & ((last & 0xF) <= 9)
        else:
            ok_last = ((last >= 0x30) & (last <= 0x39)) | ((last >= 0x70) & (last <= 0x79))
        return digits[:, :-1].all(axis=1) & ok_last

    def all_numeric(self, *names: str) -> np.ndarray:
        """Every one of the fields passes `numeric`: the fields whose test is "all
        digits" in one pass over their bytes gathered side by side."""
        plain, other = [], []
        for name in names:
            f, pic = self.field(name), self.field(name).picture
            digits_only = f.usage != Usage.PACKED and (
                f.usage != Usage.DISPLAY or pic is None or pic.category.name != "NUMERIC"
                or not pic.signed or f.sign_separate or f.sign_leading)
            (plain if digits_only else other).append(name)
        out = np.ones(len(self), bool)
        if plain and len(self):
            columns = np.concatenate([np.arange(self.span(n).start, self.span(n).stop) for n in plain])
            d = np.take(self.data, columns, axis=1)
            d -= np.uint8(self.zone)
            out = d.max(axis=1) <= 9
        for name in other:
            out &= self.numeric(name)
        return out

    def value(self, name: str) -> np.ndarray:
        """The field's value as int64 (unscaled), meaningful where `numeric`."""
        f = self.field(name)
        b = self.bytes(name)
        if f.usage == Usage.PACKED:
            hi, lo = (b >> 4).astype(np.int64), (b & 0xF).astype(np.int64)
            nib = np.stack([hi, lo], axis=2).reshape(len(b), 2 * b.shape[1])
            v = _horner(nib[:, :-1])
            return np.where(nib[:, -1] == 0xD, -v, v)
        v = _horner_digits(b)
        if f.picture is not None and f.picture.signed and b.shape[1]:
            last = b[:, -1]
            neg = (last >> 4) == 0xD if self.ebcdic else (last >= 0x70) & (last <= 0x79)
            v = np.where(neg, -v, v)
        return v

    # ------------------------------------------------------------------ MOVE
    def put(self, name: str, values, rows=None) -> None:
        """MOVE into the field for `rows` (all by default): bytes of the field's
        width ((m, size) uint8, or one bytes literal), or integers for an
        unsigned DISPLAY numeric field (written as zoned digits)."""
        sl = self.span(name)
        width = sl.stop - sl.start
        rows = slice(None) if rows is None else rows
        if isinstance(values, (bytes, bytearray)):
            values = np.frombuffer(bytes(values).ljust(width, bytes([self.space]))[:width], np.uint8)
        values = np.asarray(values)
        if values.dtype != np.uint8 or (values.ndim == 1 and values.shape[0] != width):
            values = zoned_digits(values.astype(np.int64), width, self.zone)
        self.data[rows, sl] = values

    def frame(self, columns=None, *, keep_raw: bool = True):
        """The records decoded through the copybook as a Polars frame (lenient:
        a value that does not decode is null)."""
        from engine.records.codec import RecordCodec
        codec = RecordCodec(self.layout, codepage=self.encoding, dialect=self.dialect)
        return codec.decode(self.data, columns=columns, errors="lenient", keep_raw=keep_raw).frame


def _horner_digits(b: np.ndarray) -> np.ndarray:
    """The number of the low nibbles of DISPLAY bytes (n, w), two digits a step."""
    d = b & np.uint8(0x0F)
    if d.shape[1] % 2:
        v = d[:, 0].astype(np.int64)
        d = d[:, 1:]
    else:
        v = np.zeros(len(d), np.int64)
    pairs = d[:, 0::2] * np.uint8(10) + d[:, 1::2]          # at most 15 * 10 + 15: fits a byte
    for j in range(pairs.shape[1]):
        v = v * 100 + pairs[:, j]
    return v


def _horner(d: np.ndarray) -> np.ndarray:
    v = np.zeros(len(d), np.int64)
    for j in range(d.shape[1]):
        v = v * 10 + d[:, j]
    return v


def _packed_numeric(b: np.ndarray, *, signed: bool) -> np.ndarray:
    hi, lo = b >> 4, b & 0xF
    digits_ok = (hi <= 9).all(axis=1) & (lo[:, :-1] <= 9).all(axis=1)
    sign = lo[:, -1]
    sign_ok = ((sign == 0xC) | (sign == 0xD) | (sign == 0xF)) if signed else (sign == 0xF)
    return digits_ok & sign_ok


def zoned_digits(values: np.ndarray, width: int, zone: int = 0x30) -> np.ndarray:
    """Unsigned zoned digits of |values| (the last `width` digits): (n, width) uint8."""
    v = np.abs(np.asarray(values, np.int64)).reshape(-1)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((v[:, None] // powers[None, :]) % 10 + zone).astype(np.uint8)
