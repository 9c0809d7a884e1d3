"""The bill (検針票・請求書): eleven 132-column lines per accepted reading, laid out
field for field as the legacy's BL-... records, built for all bills at once as
byte matrices (one row per bill, one column block per field) and written as
GnuCOBOL writes LINE SEQUENTIAL: trailing blanks removed, LF after each line.

In EBCDIC the literals are in the data's code page and the lines are written as
UTF-8 text decoded through it (as the REPORT)."""
from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import numpy as np
import polars as pl

from engine.program import printfile

TITLE_1 = "SUIDO01 JOGESUIDO RYOKIN SEIKYUSHO (WATER AND SEWER BILL)   FISCAL YEAR "
COLUMNS = f"{'':20}{'USAGE M3     WATER YEN     SEWER YEN     TOTAL YEN':<56}"
KOFURI = "KOZA FURIKAE (ACCOUNT TRANSFER)"
NOFUSHO = "NOFUSHO (PAYMENT SLIP)"
WIDTH = 132
BILL_LINES = 11


class Line:
    """One print line for n bills, assembled left to right: constant text once,
    field columns (n, w) per bill. Laid out by `line_sequential`."""

    def __init__(self, n: int, cs):
        self.n, self.cs, self.parts = n, cs, []          # (constant bytes | None, columns | None)
        self.blanked: tuple[np.ndarray, int] | None = None

    def text(self, s: str) -> "Line":
        self.parts.append((self.cs.text(s), None))
        return self

    def raw(self, cols: np.ndarray) -> "Line":
        self.parts.append((None, np.asarray(cols, np.uint8).reshape(self.n, -1)))
        return self

    def choose(self, mask: np.ndarray, yes: str, no: str, width: int) -> "Line":
        a = np.frombuffer(self.cs.text(yes.ljust(width)), np.uint8)
        b = np.frombuffer(self.cs.text(no.ljust(width)), np.uint8)
        self.parts.append((None, np.where(mask[:, None], a, b)))
        return self

    def edit(self, values: np.ndarray, pic: str) -> "Line":
        self.parts.append((None, edit(values, pic, self.cs)))
        return self

    def blank_from(self, rows: np.ndarray, position: int) -> "Line":
        """MOVE SPACES over the line from `position` (0-based) in the given rows."""
        self.blanked = (rows, position)
        return self

    def layout(self) -> list[tuple[int, bytes | None, np.ndarray | None]]:
        """(position, constant, columns) of each part, cut at the print width."""
        out, pos = [], 0
        for const, cols in self.parts:
            w = len(const) if const is not None else cols.shape[1]
            w = min(w, WIDTH - pos)
            if w <= 0:
                break
            out.append((pos, const[:w] if const is not None else None, cols[:, :w] if cols is not None else None))
            pos += w
        return out

    def width(self) -> int:
        return sum(len(c) if c is not None else v.shape[1] for _, c, v in self.layout())

    def matrix(self, start: int = 0) -> np.ndarray:
        """The line from `start` as far as its last field (at most 132 positions)."""
        m = np.full((self.n, self.width() - start), self.cs.space, np.uint8)
        for pos, const, cols in self.layout():
            part = np.frombuffer(const, np.uint8)[None, :] if const is not None else cols
            skip = max(start - pos, 0)
            if skip < part.shape[1]:
                m[:, pos + skip - start:pos + part.shape[1] - start] = part[:, skip:]
        if self.blanked is not None:
            m[self.blanked[0], max(self.blanked[1] - start, 0):] = self.cs.space
        return m

    def blanks_from(self) -> int:
        """Where trailing blanks may start: after the last part that ends in a
        non-blank on every line (and not after a MOVE SPACES)."""
        start = 0
        limit = self.blanked[1] if self.blanked is not None and self.blanked[0].any() else WIDTH
        for pos, const, cols in self.layout():
            last = np.frombuffer(const[-1:], np.uint8) if const is not None else cols[:, -1]
            end = pos + (len(const) if const is not None else cols.shape[1])
            if end <= limit and (last != self.cs.space).all():
                start = end
        return start


def edit(values: np.ndarray, pic: str, cs) -> np.ndarray:
    """A numeric-edited PICTURE (ZZZ,ZZZ,ZZ9, 9999/99/99 ...) through the engine's
    edited codec, in the data's code page."""
    images = printfile.edit_unsigned(values, pic)
    return images if not cs.ebcdic else _to_page(cs)[images]


def _to_page(cs) -> np.ndarray:
    """ASCII byte -> the same character in the data's code page (printable ASCII)."""
    table = np.arange(256, dtype=np.uint8)
    chars = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c).isalnum() or chr(c) in " ,./-")
    table[np.frombuffer(chars.encode("ascii"), np.uint8)] = np.frombuffer(cs.text(chars), np.uint8)
    return table


def bill_lines(cust: np.ndarray, acc: pl.DataFrame, p, cs, *, chunk: int = 25_000) -> Iterator[bytes | memoryview]:
    """BILL-OUT in pieces, in print order, built `chunk` bills at a time by two threads
    that start now (NumPy and Arrow let go of the GIL in their loops): the caller goes on
    with its other outputs and writes each piece as it comes."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bills")
    pending = deque(pool.submit(_bill_lines, cust[a:a + chunk], acc.slice(a, chunk), p, cs)
                    for a in range(0, len(cust), chunk))
    pool.shutdown(wait=False)

    def pieces():
        while pending:
            yield pending.popleft().result()
    return pieces()


def _bill_lines(cust: np.ndarray, acc: pl.DataFrame, p, cs) -> bytes | memoryview:
    """BILL-OUT for the accepted readings (tap order): cust their customers'
    records, acc their judged rows (readings, usage, months, charges)."""
    n = len(cust)
    if n == 0:
        return b""
    col = {c: acc[c].to_numpy() for c in ("kokei", "zenkai", "zenkai_bi", "konkai", "date", "kyu",
                                         "shin", "usage", "m1", "m2", "water1", "water2",
                                         "sewer1", "sewer2", "kokan_yes", "gesui")}
    water, sewer = col["water1"] + col["water2"], col["sewer1"] + col["sewer2"]

    def line():
        return Line(n, cs)

    def month(label, use, w, s):
        return (line().text(f"  {label:<16}").edit(use, "ZZ,ZZ9").text("   ").edit(w, "ZZZ,ZZZ,ZZ9")
                .text("   ").edit(s, "ZZZ,ZZZ,ZZ9").text("   ").edit(w + s, "ZZZ,ZZZ,ZZ9"))

    reading = (line().text("PREVIOUS READING ").edit(col["zenkai_bi"], "9999/99/99").text(" ")
               .edit(col["zenkai"], "ZZZ9").text("   CURRENT READING ").edit(col["date"], "9999/99/99")
               .text(" ").edit(col["konkai"], "ZZZ9").text("   METER EXCHANGE ")
               .choose(col["kokan_yes"], "YES", "NO", 3).text("   OLD FINAL ").edit(col["kyu"], "ZZZ9")
               .text("   NEW START ").edit(col["shin"], "ZZZ9")
               .blank_from(~col["kokan_yes"], 87))          # MOVE SPACES TO BILL-REC (88:45)
    lines = [
        line().text(f"{TITLE_1}{p.nendo}   BILLING MONTH {p.yyyymm[:4]}/{p.month}"),
        line().text("TAP NO ").raw(cust[:, 0:10]).text("   USER ").raw(cust[:, 10:20]).text("   ")
              .raw(cust[:, 20:50]).text("   LOCATION ").raw(cust[:, 50:56]),
        line().text("METER DIAMETER ").edit(col["kokei"], "ZZ9").text(" MM   SEWER CONNECTED ")
              .choose(col["gesui"], "YES", "NO", 3).text("   PAYMENT ")
              .choose(cust[:, 61] == cs.text("1")[0], KOFURI, NOFUSHO, 32),
        reading,
        line().text("USAGE (SHIYO SUIRYO) ").edit(col["usage"], "ZZ,ZZ9").text(" M3"),
        line().text(COLUMNS),
        month("MONTH 1 (DAI-1)", col["m1"], col["water1"], col["sewer1"]),
        month("MONTH 2 (DAI-2)", col["m2"], col["water2"], col["sewer2"]),
        month("TOTAL (GOKEI)", col["usage"], water, sewer),
        line().text("AMOUNT DUE ").edit(water + sewer, "ZZZ,ZZZ,ZZ9").text(" YEN   DUE DATE (NOKIGEN) ")
              .edit(np.full(n, int(p.nokigen)), "9999/99/99"),
        line(),
    ]
    return line_sequential(lines, cs)


def line_sequential(lines: list[Line], cs) -> bytes | memoryview:
    """Print lines as GnuCOBOL writes LINE SEQUENTIAL: bill by bill, each line
    without its trailing blanks, then LF (UTF-8 text through the code page for
    EBCDIC data).

    Most bills have the same line lengths: only a few lines can end in blanks
    (a name, the payment method, a MOVE SPACES), and those take few lengths. The
    bills are grouped by their lengths ("shapes"); each shape is one fixed-width
    byte matrix, laid from a template row (constant text once, then the field
    columns, each cut where its line ends), so no blank is written to be removed
    later. Arrow's take puts the bills of all shapes back in print order."""
    n = lines[0].n
    if n == 0:
        return b""
    if cs.ebcdic:
        from engine.codepages import get_codepage
        page = get_codepage(cs.name)
        texts = [page.decode_column(m.matrix(), strip="right")[0].to_pylist() for m in lines]
        return "".join(s + "\n" for bill in zip(*texts) for s in bill).encode("utf-8")
    lengths = np.array([[m.width()] for m in lines], np.int64).T.repeat(n, axis=0)
    varying = []
    for k, m in enumerate(lines):
        start, width = m.blanks_from(), m.width()
        if start < width:
            nonblank = m.matrix(start) != cs.space
            lengths[:, k] = start + np.where(nonblank.any(axis=1),
                                             (width - start) - np.argmax(nonblank[:, ::-1], axis=1), 0)
            varying.append(k)
    if len(varying) <= 8:                                        # the varying lengths as one number
        key = np.zeros(n, np.int64)
        for k in varying:
            key = key * (WIDTH + 1) + lengths[:, k]
        shapes, shape_of = np.unique(key, return_inverse=True)
    else:
        shapes, shape_of = np.unique(lengths[:, varying], axis=0, return_inverse=True)
    shape_of = shape_of.reshape(-1)
    count = np.bincount(shape_of, minlength=len(shapes))
    order = np.argsort(shape_of, kind="stable")                  # the bills shape by shape
    bill_width = []
    for s in range(len(shapes)):
        row = lengths[order[sum(count[:s])]]
        bill_width.append(int(row.sum()) + len(lines))
    data = np.empty(int(np.dot(count, bill_width)), np.uint8)
    at = 0
    for s, rows in enumerate(np.split(order, np.cumsum(count)[:-1])):
        length = lengths[rows[0]]
        block = data[at:at + len(rows) * bill_width[s]].reshape(len(rows), bill_width[s])
        at += block.size
        _lay_out(block, lines, length, None if len(shapes) == 1 else rows, cs)
    if len(shapes) == 1:
        return memoryview(data)
    import pyarrow as pa
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.repeat(np.array(bill_width, np.int64), count), out=offsets[1:])
    stacked = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    element = np.empty(n, np.int64)
    element[order] = np.arange(n)
    printed = stacked.take(pa.array(element))
    _, offs, buf = printed.buffers()
    o = np.frombuffer(offs, np.int64)
    return memoryview(buf)[int(o[printed.offset]):int(o[printed.offset + n])]


def _lay_out(block: np.ndarray, lines: list[Line], length: np.ndarray, rows, cs) -> None:
    """Bills of one shape into `block` (a row each): line k is length[k] bytes, then LF."""
    starts = np.cumsum([0] + [int(w) + 1 for w in length])
    template = np.full(block.shape[1], cs.space, np.uint8)
    template[starts[1:] - 1] = 0x0A
    fields = []
    for m, off, end in zip(lines, starts, length):
        for pos, const, cols in m.layout():
            cut = min(len(const) if const is not None else cols.shape[1], int(end) - pos)
            if cut <= 0:
                break
            if const is not None:
                template[off + pos:off + pos + cut] = np.frombuffer(const[:cut], np.uint8)
            else:
                fields.append((off + pos, cols[:, :cut] if rows is None else cols[rows, :cut]))
    block[:] = template
    for at, cols in fields:
        block[:, at:at + cols.shape[1]] = cols


def write_pdf(bill_out: bytes | list, path, cs) -> int:
    """The bills for people: BILL-OUT drawn by the engine's print files, one bill a
    sheet (A4 landscape, embedded Japanese font). Returns the pages."""
    bill_out = bill_out if isinstance(bill_out, bytes) else b"".join(bill_out)
    text = bill_out.decode("utf-8" if cs.ebcdic else "latin-1")
    lines = [s.encode("cp932", errors="replace") for s in text.split("\n")[:-1]]
    return printfile.write_pdf(lines, path, encoding="cp932", title="SUIDO01 JOGESUIDO RYOKIN SEIKYUSHO",
                               page_starts=range(0, len(lines), BILL_LINES))
