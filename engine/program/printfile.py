"""Print files (帳票): headings, detail lines, edited numbers, page breaks,
trailers; written line sequential exactly as GnuCOBOL writes a report file,
and rendered as PDF for people.

A print line is a fixed-width byte image (132 print positions by default), built
the way a COBOL program MOVEs into the fields of its 01 line:

    lines = blank_lines(n)                               # (n, 132) spaces
    put(lines, 1, rec.bytes("IT-KOJIN-NO"))              # column 1, the bytes as they are
    put(lines, 30, edit(counts, "ZZZ,ZZZ,ZZ9"))          # an edited number
    page = Pages(per_page=50, header=lambda p: [line((1, "JUKI01"), (124, "PAGE " + edit_one(p, "ZZZ9")))])
    out = page.lay_out(lines) + trailer                   # headers before each page's details
    step.write_lines("LIST-OUT", out)                    # trailing spaces removed, LF

Edited pictures (ZZZ,ZZ9, -ZZ,ZZ9, 9,999CR, ...) are formatted by the engine's
numeric-edited codec (engine/records/edited.py), once per distinct value.
`write_pdf` draws the same lines on A4 landscape pages with a monospaced
Japanese font from a Debian package (IPAGothic, fonts-ipafont-gothic): a
full-width character takes two print positions, as on the host's printer.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np

WIDTH = 132
FONT_PATHS = ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
              "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf")


# --------------------------------------------------------------------------- lines
def blank_lines(n: int, width: int = WIDTH, space: int = 0x20) -> np.ndarray:
    return np.full((n, width), space, np.uint8)


def put(lines: np.ndarray, column: int, values, width: int | None = None) -> None:
    """MOVE values into print positions column.. (1-based) of every line: a
    (n, w) byte matrix, one bytes/str for all lines, or a list of str/bytes.
    Values longer than `width` (or the line) are cut; shorter ones padded with spaces."""
    start = column - 1
    if isinstance(values, (str, bytes)):          # one value for every line: broadcast, no copy per line
        values = text_matrix([values], width)[0]
        values = np.broadcast_to(values, (len(lines), len(values)))
    if not isinstance(values, np.ndarray):
        values = text_matrix(values, width)
    room = lines.shape[1] - start
    w = min(values.shape[1] if width is None else width, room)
    k = min(w, values.shape[1])
    lines[:, start:start + k] = values[:, :k]
    if w > k:
        lines[:, start + k:start + w] = 0x20


def trimmed_lengths(lines: np.ndarray, space: int = 0x20) -> np.ndarray:
    """Each line's length without its trailing spaces: found from the last 8-byte
    word that is not all blanks, then that word's last non-blank byte."""
    n, width = lines.shape
    if n == 0 or width == 0:
        return np.zeros(n, np.int64)
    if n > 1 and lines.strides[0] == 0:            # one line for all (np.broadcast_to)
        return np.full(n, trimmed_lengths(lines[0].copy().reshape(1, width), space)[0], np.int64)
    if (lines[:, -1] != space).all():              # the usual line: it ends in a field
        return np.full(n, width, np.int64)
    pad = (-width) % 8
    if pad or not lines.flags.c_contiguous:
        padded = np.full((n, width + pad), space, np.uint8)
        padded[:, :width] = lines
        lines = padded
    blank = np.frombuffer(bytes([space]) * 8, "<u8")[0]
    nonblank = lines.view("<u8") != blank
    words = nonblank.shape[1]
    word = words - 1 - np.argmax(nonblank[:, ::-1], axis=1)
    last = lines.reshape(n, words, 8)[np.arange(n), word] != space
    length = word * 8 + 8 - np.argmax(last[:, ::-1], axis=1)
    return np.where(nonblank[np.arange(n), word], length, 0)


def line_sequential_in_order(parts: list[np.ndarray], order: np.ndarray | None = None,
                             space: int = 0x20) -> memoryview:
    """A LINE SEQUENTIAL print file (each line without its trailing spaces, then LF,
    as GnuCOBOL writes it) from line matrices of any widths, one per kind of line:
    `order` lists the lines of all `parts`, numbered as if the parts were stacked,
    in print order (all of them once; None: as stacked).

    No Python loop per line: each part's lines are cut to their lengths one length
    at a time (most kinds of line have one or two), held as one Arrow binary array,
    and Arrow's `take` lays them out in print order."""
    import pyarrow as pa

    total = sum(len(p) for p in parts)
    groups = []                               # (part, rows or None for all, length, first line)
    row0 = 0
    for m in parts:
        length = trimmed_lengths(m, space)
        if len(m) and (length == length[0]).all():
            groups.append((m, None, int(length[0]), row0))
        elif len(m):
            by = np.argsort(length, kind="stable")
            cuts = np.flatnonzero(np.diff(length[by])) + 1
            groups += [(m, rows, int(length[rows[0]]), row0) for rows in np.split(by, cuts)]
        row0 += len(m)
    element = np.empty(total, np.int64)       # the array element that holds line i
    offsets = np.zeros(total + 1, np.int64)
    data = np.empty(sum((len(m) if rows is None else len(rows)) * (size + 1) for m, rows, size, _ in groups),
                    np.uint8)
    count = at = 0
    for m, rows, size, first in groups:
        k = len(m) if rows is None else len(rows)
        block = data[at:at + k * (size + 1)].reshape(k, size + 1)
        block[:, :size] = m[:, :size] if rows is None else m[rows, :size]
        block[:, size] = 0x0A
        offsets[count + 1:count + k + 1] = at + (size + 1) * np.arange(1, k + 1)
        element[first + (np.arange(k) if rows is None else rows)] = count + np.arange(k)
        count += k
        at += k * (size + 1)
    if not total:
        return memoryview(b"")
    values = pa.LargeBinaryArray.from_buffers(pa.large_binary(), total,
                                              [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    if order is not None:
        if len(order) != total:
            raise ValueError(f"a print order of {len(order)} lines for {total} lines")
        values = values.take(pa.array(element[order]))
    elif not (np.diff(element) == 1).all():
        values = values.take(pa.array(element))
    _, offs, buf = values.buffers()
    o = np.frombuffer(offs, np.int64)
    return memoryview(buf)[int(o[values.offset]):int(o[values.offset + len(values)])]


def text_matrix(values: Iterable, width: int | None = None, encoding: str = "ascii") -> np.ndarray:
    """Strings or bytes as a (n, width) space-padded byte matrix."""
    raw = [v if isinstance(v, (bytes, bytearray)) else str(v).encode(encoding) for v in values]
    w = width if width is not None else max((len(r) for r in raw), default=0)
    out = np.full((len(raw), w), 0x20, np.uint8)
    for i, r in enumerate(raw):
        r = r[:w]
        out[i, :len(r)] = np.frombuffer(bytes(r), np.uint8)
    return out


def line(*fields: tuple[int, str | bytes], width: int = WIDTH, encoding: str = "cp932") -> bytes:
    """One fixed line (a heading) from (column, text) pairs."""
    buf = bytearray(b" " * width)
    for column, text in fields:
        b = text.encode(encoding) if isinstance(text, str) else bytes(text)
        b = b[:width - column + 1]
        buf[column - 1:column - 1 + len(b)] = b
    return bytes(buf)


def rule(width: int = WIDTH, char: str = "-") -> bytes:
    return (char * width).encode("ascii")


# --------------------------------------------------------------------------- edited numbers
_CODECS: dict[str, object] = {}


def _codec(picture: str):
    c = _CODECS.get(picture)
    if c is None:
        from engine.copybook.picture import parse_picture
        from engine.records.edited import EditedCodec
        pic = parse_picture(picture)
        c = _CODECS[picture] = EditedCodec(picture=pic, size=pic.length, codepage=None)
    return c


def edit_one(value: int, picture: str) -> str:
    """The image a COBOL MOVE of `value` (an integer at the picture's scale) gives."""
    return _codec(picture).format(int(value))


def edit(values, picture: str) -> np.ndarray:
    """Edited images of many values: (n, size) uint8, formatted once per distinct value
    (or, for the Z/9 pictures, all at once). A value with more digits than the
    picture keeps its low-order digits (MOVE truncates)."""
    c = _codec(picture)
    v = np.asarray(values, np.int64).reshape(-1)
    if not len(v):
        return np.zeros((0, c.size), np.uint8)
    mod = 10 ** c.n_digits
    lo, hi = int(v.min()), int(v.max())
    if lo < 0 or hi >= mod:
        v = np.sign(v) * (np.abs(v) % mod)
        lo, hi = int(v.min()), int(v.max())
    if hi - lo < min(4096, len(v) // 16):       # few values (期別, years): a table of all of them
        table = text_matrix([c.format(u) for u in range(lo, hi + 1)], c.size)
        return np.take(table, v - lo, axis=0)
    if len(v) > 4096 and lo >= 0 and set(picture) <= set("Z9,.") and ("9" in picture or "." not in picture):
        return _edit_zero_suppressed(v, picture)
    uniq, inv = np.unique(v, return_inverse=True)
    table = text_matrix([c.format(int(u)) for u in uniq], c.size)
    return table[inv.reshape(-1)]


_QUADS = np.frombuffer("".join(f"{i:04d}" for i in range(10000)).encode(), np.uint8).view("<u4")


def _edit_zero_suppressed(v: np.ndarray, picture: str) -> np.ndarray:
    """Z/9 pictures with ',' and '.' for many non-negative values, all at once: the
    digits four at a time from a table of '0000'..'9999', laid out in the picture's
    columns; a Z digit and a ',' are blank until the first significant digit (or a
    9, or the '.'), as the codec formats them one by one. The blanks come from a
    table of masks by where printing starts, 8 bytes at a time."""
    ndig = sum(ch in "Z9" for ch in picture)
    quads = (ndig + 3) // 4
    digits = np.empty((len(v), 4 * quads + 4), np.uint8)       # + ',' and '.'
    words = digits.view("<u4")
    x = v
    for k in range(quads - 1, -1, -1):
        if k:
            x, r = np.divmod(x, 10000)
        else:
            r = x
        words[:, k] = np.take(_QUADS, r)
    size = 4 * quads
    digits[:, size:] = np.frombuffer(b",.  ", np.uint8)
    # the source column of each print position, and the digit index from which it prints
    skip, forced, k = size - ndig, ndig, 0
    source, shown_from = [], []
    for ch in picture:
        if ch in "Z9":
            source.append(skip + k)
            shown_from.append(k)
            if ch == "9":
                forced = min(forced, k)
            k += 1
        else:
            source.append(size + (ch == "."))
            shown_from.append(ndig if ch == "." else k - 1)
            if ch == ".":
                forced = min(forced, k)
    width = len(picture)
    padded = -(-width // 8) * 8
    out = np.take(digits, source + [size + 2] * (padded - width), axis=1)
    # f: the digit index where printing starts (the first non-zero digit, a 9, after '.')
    f = np.minimum(ndig - np.searchsorted(10 ** np.arange(ndig, dtype=np.int64), v, side="right"), forced)
    shown = np.array(shown_from + [-1] * (padded - width))[None, :] >= np.arange(ndig + 1)[:, None]
    keep = np.where(shown, 0xFF, 0).astype(np.uint8).view("<u8")
    blank = np.where(shown, 0, 0x20).astype(np.uint8).view("<u8")
    w = out.view("<u8")
    w &= np.take(keep, f, axis=0)
    w |= np.take(blank, f, axis=0)
    return out[:, :width]


# --------------------------------------------------------------------------- pages
class Pages:
    """Page breaks: the header lines (built for each page number) before the first
    detail and again before a detail when the page has `per_page` details. With
    no details the first page's header is still printed (a COBOL program prints
    it at the start)."""

    def __init__(self, per_page: int, header: Callable[[int], list[bytes]]):
        self.per_page = per_page
        self.header = header
        self.pages = 0
        self.starts: list[int] = []          # line numbers where pages start (for write_pdf)

    def lay_out(self, details) -> list[bytes]:
        rows = [bytes(r) for r in details] if isinstance(details, np.ndarray) else list(details)
        out: list[bytes] = []
        for start in range(0, max(len(rows), 1), self.per_page):
            self.pages += 1
            self.starts.append(len(out))
            out.extend(self.header(self.pages))
            out.extend(rows[start:start + self.per_page])
        return out


# --------------------------------------------------------------------------- PDF
def font_path() -> str:
    for p in FONT_PATHS:
        if Path(p).is_file():
            return p
    from engine.errors import DensanError
    raise DensanError("no Japanese monospaced font for PDF output",
                      hint="apt-get install fonts-ipafont-gothic")


def write_pdf(lines: Iterable[bytes], path, *, encoding: str = "cp932", title: str = "",
              lines_per_page: int = 60, page_starts: Iterable[int] | None = None) -> int:
    """Render print lines as an A4 landscape PDF with an embedded font subset.
    A new sheet starts every `lines_per_page` lines, or at the given line
    numbers (0-based; where the print file's page headers are). Returns pages."""
    from fpdf import FPDF

    lines = list(lines)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("densan")
    pdf.add_font("print", fname=font_path())
    size = 7.4                                           # 132 positions on 277 mm
    pdf.set_font("print", size=size)
    step = 3.0                                           # mm a line: 60 lines a sheet
    starts = sorted(set(page_starts)) if page_starts is not None else list(range(0, len(lines), lines_per_page))
    if not starts or starts[0] != 0:
        starts = [0] + starts
    bounds = list(zip(starts, starts[1:] + [len(lines)]))
    for a, b in bounds:
        pdf.add_page()
        y = 12.0
        for raw in lines[a:b]:
            text = bytes(raw).decode(encoding, errors="replace").rstrip()
            if y > 196:
                pdf.add_page()
                y = 12.0
            pdf.text(10, y, text.replace("\x00", " "))
            y += step
    pdf.output(str(path))
    return pdf.pages_count


def edit_unsigned(values, picture: str) -> np.ndarray:
    """`edit` for the common unsigned pictures of 9, Z, ',' and '/' (ZZZ,ZZ9,
    9999/99/99 ...), vectorised over all values at once (no formatting per
    distinct value): Z blanks a leading zero, a ',' or '/' among blanked digits
    is a blank. Values keep their low-order digits. Other
    pictures (signs, CR/DB, '.', '*', 'B', '0') go through `edit`.
    Digits are taken from the right (in 32-bit integers when they fit), and a
    digit shows when the value reaches its place or a 9 stands at or before it."""
    digits = picture.replace(",", "").replace("/", "")
    if set(picture) - set("9Z,/") or "9Z" in digits:
        return edit(values, picture)
    ndig = len(digits)
    v = np.abs(np.asarray(values, np.int64).reshape(-1)) % 10 ** ndig
    if ndig <= 9:
        v = v.astype(np.int32)
    out = np.empty((len(v), len(picture)), np.uint8)
    nines = digits.find("9")                     # digits from the left that print anyway
    forced_from = ndig - nines if nines >= 0 else -1   # places (from the right) at or below it
    q = v.copy()
    place = 0                                    # 10**place of the digit being filled
    for col in range(len(picture) - 1, -1, -1):
        c = picture[col]
        if c in "9Z":
            d = (q % 10).astype(np.uint8) + 0x30
            q //= 10
            out[:, col] = d if place < forced_from else np.where(v >= 10 ** place, d, np.uint8(0x20))
            place += 1
        else:                                    # ',' and '/' print when the digit to their left does
            out[:, col] = ord(c) if place < forced_from else np.where(v >= 10 ** place, np.uint8(ord(c)),
                                                                      np.uint8(0x20))
    return out
