"""The legacy programs' control-total report (処理結果リスト): 132-column lines as GnuCOBOL
writes a LINE SEQUENTIAL file (trailing blanks removed), ending with the return-code line
and the end marker, or with the abnormal-end block. Every legacy program of the city prints
these parts the same way; a program's own report subclasses ControlReport and lays out its
headings and totals."""
from __future__ import annotations

WIDTH = 132


def edit_count(v: int, digits: int = 9) -> str:
    """PIC ZZZ,ZZZ,ZZ9 (and shorter or longer): zero suppression with commas. A value too
    long for the picture keeps its low digits and, as in GnuCOBOL, loses the suppression
    (the cut-off digits count as significant)."""
    v = abs(int(v))
    width = digits + (digits - 1) // 3
    if v >= 10 ** digits:
        return f"{v % 10 ** digits:0{width},}"
    return f"{v:,}".rjust(width)


class ControlReport:
    """Text lines of a control-total report. `program` names the program in the return-code
    line; `not_catalogued` says which outputs an abnormal end leaves uncatalogued."""

    program = ""
    not_catalogued = "MASTER-OUT"

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str = "") -> None:
        self.lines.append(s[:WIDTH].rstrip(" "))

    def rc_line(self, rc: int, text: str) -> None:
        self.add(f"{self.program} ENDED RETURN CODE{rc:>4}   {text}")

    def finish(self, rc: int, text: str) -> None:
        """The return-code line and the end marker."""
        self.rc_line(rc, text)
        self.add("*** END OF REPORT ***")

    def abend(self, messages: list[str]) -> None:
        """The abnormal-end block: the program's messages, then RC 16."""
        self.add()
        self.add("*** ABNORMAL END ***")
        for m in messages:
            self.add(m)
        self.add()
        self.finish(16, f"(ABNORMAL END - {self.not_catalogued} MUST NOT BE CATALOGED)")
