"""JUKI01's print files: the movement list (異動者一覧, LIST-OUT) and the control-total
report (REPORT), laid out as the legacy's 132-position lines."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.program.control_report import abend_block
from engine.program.legacy_shell import Abend
from engine.program.printfile import Pages, blank_lines, edit, edit_one, line, put, rule

PROGRAM = "JUKI01"
NAMES = ("TENNYU", "SHUSSEI", "TENSHUTSU", "SHIBO", "SHOKKEN-SHOJO", "TENKYO", "SHIMEI-HENKO", "SETAI-HENKO")
LABELS = ("(11) TENNYU (MOVE IN)", "(12) SHUSSEI (BIRTH)", "(21) TENSHUTSU (MOVE OUT)", "(22) SHIBO (DEATH)",
          "(23) SHOKKEN SHOJO", "(31) TENKYO (IN-CITY MOVE)", "(41) SHIMEI HENKO (NAME)",
          "(51) SETAI HENKO (HOUSEHOLD)", "OTHER (INVALID JIYU)", "TOTAL")
SEXES = ("MALE (DANSEI)", "FEMALE (JOSEI)", "OTHER (INVALID SEIBETSU)", "TOTAL")
COUNT = "ZZZ,ZZZ,ZZ9"


def _page_header(title: str, page: int, shown: bytes) -> list[bytes]:
    return [line((1, PROGRAM), (37, title), (124, "PAGE " + edit_one(page, "ZZZ9"))),
            line((37, b"PROCESSING DATE (SHORI-BI) " + shown))]


class ListFile:
    """LIST-OUT: 4 header lines a page, 50 movements a page, then the trailer."""

    def __init__(self, shown: bytes):
        self.shown = shown

    def header(self, page: int) -> list[bytes]:
        return _page_header("JUMIN IDO-SHA ICHIRAN (RESIDENT MOVEMENT LIST)", page, self.shown) + [
            line((1, "KOJIN-NO"), (12, "IDO-BI"), (23, "RENBAN"), (30, "JIYU"), (48, "BEFORE (KYU)"),
                 (82, "AFTER (SHIN)")), rule()]

    @staticmethod
    def detail(mv, kind: np.ndarray, before: np.ndarray, after: np.ndarray, print_bytes: np.ndarray) -> np.ndarray:
        """One line per applied movement (the bytes of the records, in Shift_JIS)."""
        lines = blank_lines(len(kind))
        ido = print_bytes[mv.bytes("IT-IDO-BI")]
        put(lines, 1, print_bytes[mv.bytes("IT-KOJIN-NO")])
        put(lines, 12, np.concatenate([ido[:, :4], np.full((len(ido), 1), ord("/"), np.uint8), ido[:, 4:6],
                                       np.full((len(ido), 1), ord("/"), np.uint8), ido[:, 6:8]], axis=1))
        put(lines, 23, print_bytes[mv.bytes("IT-RENBAN")])
        put(lines, 30, print_bytes[mv.bytes("IT-JIYU-X")])
        put(lines, 33, np.array([list(n.ljust(14).encode()) for n in NAMES], np.uint8)[kind], 14)
        put(lines, 48, before, 30)
        put(lines, 78, b" -> ", 4)
        put(lines, 82, after, 30)
        return lines

    def lay_out(self, details: np.ndarray) -> list[bytes]:
        pages = Pages(50, self.header)
        out = pages.lay_out(details)
        self.page_starts = pages.starts
        return out + [b"", line((1, "MOVEMENTS LISTED"), (25, edit_one(len(details), COUNT))), b"*** END OF LIST ***"]


@dataclass
class Totals:
    table: np.ndarray          # (10, 8): READ, APPLIED, REJECTED, NF, DU, DT, IV, ST per 異動事由 row and TOTAL
    read: int
    updated: int
    added: int
    written: int
    listed: int
    before: np.ndarray         # population by sex: male, female, other, total
    after: np.ndarray


def print_table(kind: np.ndarray, applied: np.ndarray, reasons: np.ndarray, by_reason: np.ndarray,
                codes) -> np.ndarray:
    """The movements-by-事由 table: one row per 事由 (and OTHER), then TOTAL."""
    rows = np.zeros((10, 3 + len(codes)), np.int64)
    rows[:9, 0] = np.bincount(kind, minlength=9)[:9]
    rows[:9, 1] = np.bincount(kind[applied], minlength=9)[:9]
    rows[:9, 2] = rows[:9, 0] - rows[:9, 1]
    rows[:9, 3:] = by_reason
    rows[9] = rows[:9].sum(axis=0)
    return rows


def control_report(shown: bytes, t: Totals, rc: int) -> list[bytes]:
    out = _page_header("RESIDENT MOVEMENTS (JUMIN IDO SHORI) - CONTROL TOTALS", 1, shown) + [rule()]
    out += [b"", b"MOVEMENTS (IDOTRN) BY IDO JIYU", b"",
            line((66, "------- REJECTED TO ERROR-OUT, BY REASON CODE ---------")),
            line((1, "IDO JIYU (REASON)"), (29, "        READ     APPLIED    REJECTED         NF         DU"
                                                "         DT         IV         ST")), rule()]

    def row(label: str, v) -> bytes:
        cells = [edit_one(x, COUNT) for x in v[:3]] + [edit_one(x, "ZZ,ZZZ,ZZ9") for x in v[3:]]
        return line((1, label), (30, " ".join(cells)))

    out += [row(LABELS[i], t.table[i]) for i in range(9)] + [rule(), row(LABELS[9], t.table[9])]
    out += [b"", b"RESIDENT MASTER (JUKIMST)", b""]
    for label, n in (("RECORDS READ     (RES-IN)", t.read), ("RECORDS UPDATED", t.updated),
                     ("RECORDS ADDED    (NEW PERSONS)", t.added), ("RECORDS WRITTEN  (RES-OUT)", t.written),
                     ("MOVEMENTS LISTED (LIST-OUT)", t.listed)):
        out.append(line((3, label), (54, edit_one(n, COUNT))))
    out += [b"", b"POPULATION (ACTIVE RESIDENTS, JM-JOTAI '0')", b"",
            line((1, "SEX"), (29, "      BEFORE       AFTER      CHANGE")), rule()]
    for i, label in enumerate(SEXES):
        if i == 3:
            out.append(rule())
        b, a = int(t.before[i]), int(t.after[i])
        out.append(line((1, label), (30, f"{edit_one(b, COUNT)} {edit_one(a, COUNT)} {edit_one(a - b, '-ZZ,ZZZ,ZZ9')}")))
    text = "(ALL MOVEMENTS APPLIED)" if rc == 0 else "(MOVEMENTS REJECTED TO ERROR-OUT)"
    return out + [b"", _rc_line(rc, text), b"*** END OF REPORT ***"]


def _rc_line(rc: int, text: str) -> bytes:
    return line((1, "JUKI01 ENDED RETURN CODE"), (26, edit_one(rc, "ZZZ9")), (33, text))


def abend_report(shown: bytes, stop: Abend) -> list[bytes]:
    """The page header, the abend message (each line cut at 132), the RC 16 line."""
    head = _page_header("RESIDENT MOVEMENTS (JUMIN IDO SHORI) - CONTROL TOTALS", 1, shown) + [rule()]
    return head + abend_block(stop.encoded("utf-8"), _rc_line(16, "(ABNORMAL END - RES-OUT MUST NOT BE CATALOGED)"))
