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
the last zone C, D or F on a signed field). A packed field is NUMERIC with digit
nibbles (the pad nibble of an even digit count need not be 0) and sign C, D or F
(F only, unsigned); a program that takes only C and D says numeric(name, packed_signs="CD").
Tests, values and MOVEs of numbers run on the engine's codecs (engine/records: the
compiled kernel or its NumPy fallback); a value is meaningful where the field is NUMERIC.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from engine.copybook.model import Field, Usage
from engine.records import kernel


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
        self._codecs: dict = {}

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

    def numeric(self, name: str, *, packed_signs: str | None = None) -> np.ndarray:
        """The COBOL NUMERIC class test of a DISPLAY or packed field (`packed_signs`:
        the sign nibbles a packed field may have, when the program's are not C/D/F)."""
        return ~self._decode(name, packed_signs)[1]

    def all_numeric(self, *names: str) -> np.ndarray:
        """Every one of the fields passes `numeric`, in one pass over the records
        when the compiled kernel runs."""
        out = np.ones(len(self), bool)
        wide = [n for n in names if self.span(n).stop - self.span(n).start > 38]
        fields = [(self._codec(n), self.span(n).start) for n in names if n not in wide]
        for _, bad in kernel.decode_many(self.data, fields) if len(self) and fields else ():
            out &= ~bad
        for name in wide:
            out &= self.numeric(name)
        return out

    def value(self, name: str) -> np.ndarray:
        """The field's value as int64 (unscaled), meaningful where `numeric`."""
        return self._decode(name)[0]

    def _decode(self, name: str, packed_signs: str | None = None):
        """(int64 values, bad) of the field; over 18 digits the value's low 64 bits."""
        b = self.bytes(name)
        if b.shape[1] > 38:                         # PIC X(39+) NUMERIC: no value
            return np.zeros(len(b), np.int64), ((b - np.uint8(self.zone)) >= 10).any(axis=1)
        values, bad = self._codec(name, packed_signs).decode(b)
        return (values[:, 0] if values.ndim == 2 else values), bad

    def _codec(self, name: str, packed_signs: str | None = None):
        """The codec the class test and the value read a field with: a packed field
        with any digit in the pad nibble, signs C/D/F (F alone unsigned), D negative;
        a signed zoned field with its sign convention; anything else as plain digits."""
        key = (name, packed_signs)
        codec = self._codecs.get(key)
        if codec is None:
            from engine.codepages import get_codepage
            from engine.records.packed import PackedCodec
            from engine.records.zoned import ZonedCodec
            f = self.field(name)
            pic = f.picture
            signed = bool(pic and pic.signed)
            size = self.span(name).stop - self.span(name).start
            page = self._codepage() if self.ebcdic else get_codepage("ascii")
            if f.usage == Usage.PACKED:
                codec = PackedCodec(digits=2 * size - 1, signed=True, size=size,
                                    valid_signs=packed_signs or ("CDF" if signed else "F"),
                                    negative_signs="D", check_pad=False)
            elif (f.usage == Usage.DISPLAY and pic is not None and signed
                  and pic.category.name == "NUMERIC"):
                codec = ZonedCodec(digits=size - (1 if f.sign_separate else 0), signed=True,
                                   convention="ebcdic" if self.ebcdic else "gnucobol", codepage=page,
                                   sign_leading=f.sign_leading, sign_separate=f.sign_separate,
                                   zones="CDF")
            else:
                codec = ZonedCodec(digits=size, signed=False, convention="gnucobol", codepage=page)
            self._codecs[key] = codec
        return codec

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


@lru_cache(maxsize=64)
def _plain_digits_codec(width: int, zone: int):
    from engine.codepages import get_codepage
    from engine.records.zoned import ZonedCodec
    return ZonedCodec(digits=width, signed=False, convention="gnucobol",
                      codepage=get_codepage("cp037" if zone == 0xF0 else "ascii"))


def digits_value(block, zone: int = 0x30) -> tuple[np.ndarray, np.ndarray]:
    """The values of unsigned zoned digits, (n, width) uint8 (or one bytes string),
    and where they are NUMERIC: (int64 (n,), bool (n,)); zone 0x30 ASCII, 0xF0 EBCDIC."""
    if isinstance(block, (bytes, bytearray)):
        block = np.frombuffer(bytes(block), np.uint8).reshape(1, -1)
    values, bad = _plain_digits_codec(block.shape[1], zone).decode(block)
    return values, ~bad


def zoned_digits(values: np.ndarray, width: int, zone: int = 0x30) -> np.ndarray:
    """Unsigned zoned digits of |values| (the last `width` digits, as a MOVE to an
    unsigned PIC 9(width)): (n, width) uint8; zone 0x30 ASCII, 0xF0 EBCDIC."""
    codec = _plain_digits_codec(width, zone)
    return codec.encode(np.asarray(values, np.int64).reshape(-1), truncate=True)[0]
