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
        values = np.broadcast_to(text_matrix([values], width), (len(lines), len(text_matrix([values], width)[0])))
    if not isinstance(values, np.ndarray):
        values = text_matrix(values, width)
    w = values.shape[1] if width is None else width
    w = min(w, lines.shape[1] - start, values.shape[1]) if width is None else min(w, lines.shape[1] - start)
    block = np.full((len(lines), w), 0x20, np.uint8)
    k = min(w, values.shape[1])
    block[:, :k] = values[:, :k]
    lines[:, start:start + w] = block


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
    """Edited images of many values: (n, size) uint8, formatted once per distinct value.
    A value with more digits than the picture keeps its low-order digits (MOVE truncates)."""
    c = _codec(picture)
    v = np.asarray(values, np.int64).reshape(-1)
    mod = 10 ** c.n_digits
    v = np.sign(v) * (np.abs(v) % mod)
    if len(v) > 4096 and set(picture) <= set("Z9,.") and (v >= 0).all():
        return _edit_zero_suppressed(v, picture)
    uniq, inv = np.unique(v, return_inverse=True)
    table = text_matrix([c.format(int(u)) for u in uniq], c.size)
    return table[inv.reshape(-1)] if len(v) else np.zeros((0, c.size), np.uint8)


def _edit_zero_suppressed(v: np.ndarray, picture: str) -> np.ndarray:
    """Z/9 pictures with ',' and '.' for many non-negative values, column by column:
    a Z digit and a ',' are blank until the first significant digit (or a 9 or
    the '.'), as the codec formats them one by one."""
    ndig = sum(ch in "Z9" for ch in picture)
    powers = 10 ** np.arange(ndig - 1, -1, -1, dtype=np.int64)
    d = ((v[:, None] // powers[None, :]) % 10 + 0x30).astype(np.uint8)
    out = np.full((len(v), len(picture)), 0x20, np.uint8)
    significant = np.zeros(len(v), bool)
    k = 0
    for col, ch in enumerate(picture):
        if ch in "Z9":
            significant |= (d[:, k] != 0x30) | (ch == "9")
            out[:, col] = np.where(significant, d[:, k], 0x20)
            k += 1
        elif ch == ".":
            significant[:] = True
            out[:, col] = 0x2E
        else:
            out[:, col] = np.where(significant, ord(ch), 0x20)
    return out


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
