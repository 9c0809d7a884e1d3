"""The bill (検針票・請求書): eleven 132-column lines per accepted reading, laid out
field for field as the legacy's BL-... records, built for all bills at once as
byte matrices (one row per bill, one column block per field) and written as
GnuCOBOL writes LINE SEQUENTIAL: trailing blanks removed, LF after each line.

In EBCDIC the literals are in the data's code page and the lines are written as
UTF-8 text decoded through it (as the REPORT)."""
from __future__ import annotations

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
    """One print line for n bills, assembled left to right."""

    def __init__(self, n: int, cs):
        self.n, self.cs, self.parts = n, cs, []

    def text(self, s: str) -> "Line":
        self.parts.append(np.broadcast_to(np.frombuffer(self.cs.text(s), np.uint8), (self.n, len(s))))
        return self

    def raw(self, cols: np.ndarray) -> "Line":
        self.parts.append(cols)
        return self

    def choose(self, mask: np.ndarray, yes: str, no: str, width: int) -> "Line":
        a = np.frombuffer(self.cs.text(yes.ljust(width)), np.uint8)
        b = np.frombuffer(self.cs.text(no.ljust(width)), np.uint8)
        self.parts.append(np.where(mask[:, None], a, b))
        return self

    def edit(self, values: np.ndarray, pic: str) -> "Line":
        self.parts.append(edit(values, pic, self.cs))
        return self

    def matrix(self) -> np.ndarray:
        """The line as far as its last field (at most 132 positions)."""
        if not self.parts:
            return np.full((self.n, 1), self.cs.space, np.uint8)
        row = np.concatenate([np.asarray(p, np.uint8).reshape(self.n, -1) for p in self.parts], axis=1)
        return row[:, :WIDTH]


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


def bill_lines(cust: np.ndarray, acc: pl.DataFrame, p, cs, *, chunk: int = 50_000) -> bytes:
    """BILL-OUT, built `chunk` bills at a time (memory stays flat)."""
    return b"".join(_bill_lines(cust[a:a + chunk], acc.slice(a, chunk), p, cs)
                    for a in range(0, len(cust), chunk))


def _bill_lines(cust: np.ndarray, acc: pl.DataFrame, p, cs) -> bytes:
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
               .text("   NEW START ").edit(col["shin"], "ZZZ9")).matrix()
    reading[~col["kokan_yes"], 87:] = cs.space          # MOVE SPACES TO BILL-REC (88:45)
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
    return line_sequential([m if isinstance(m, np.ndarray) else m.matrix() for m in lines], cs)


def line_sequential(lines: list[np.ndarray], cs) -> bytes:
    """Print lines as GnuCOBOL writes LINE SEQUENTIAL: `lines` holds one (n, w)
    matrix per line of a bill; bill by bill, each line without its trailing
    blanks, then LF (UTF-8 text through the code page for EBCDIC data)."""
    n = len(lines[0])
    if n == 0:
        return b""
    if cs.ebcdic:
        from engine.codepages import get_codepage
        page = get_codepage(cs.name)
        texts = [page.decode_column(m, strip="right")[0].to_pylist() for m in lines]
        return "".join(s + "\n" for bill in zip(*texts) for s in bill).encode("utf-8")
    widths = [m.shape[1] + 1 for m in lines]
    offsets = np.cumsum([0] + widths)
    out = np.full((n, offsets[-1]), 0x0A, np.uint8)
    keep = np.zeros((n, offsets[-1]), bool)
    for m, off, w in zip(lines, offsets, widths):
        nonblank = m != cs.space
        length = np.where(nonblank.any(axis=1), (w - 1) - np.argmax(nonblank[:, ::-1], axis=1), 0)
        out[:, off:off + w - 1] = m
        out[np.arange(n), off + length] = 0x0A
        keep[:, off:off + w] = np.arange(w)[None, :] <= length[:, None]
    return out[keep].tobytes()


def write_pdf(bill_out: bytes, path, cs) -> int:
    """The bills for people: BILL-OUT drawn by the engine's print files, one bill a
    sheet (A4 landscape, embedded Japanese font). Returns the pages."""
    text = bill_out.decode("utf-8" if cs.ebcdic else "latin-1")
    lines = [s.encode("cp932", errors="replace") for s in text.split("\n")[:-1]]
    return printfile.write_pdf(lines, path, encoding="cp932", title="SUIDO01 JOGESUIDO RYOKIN SEIKYUSHO",
                               page_starts=range(0, len(lines), BILL_LINES))
