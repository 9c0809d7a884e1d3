"""The legacy programs' control-total report (処理結果リスト): 132-column lines as GnuCOBOL
writes a LINE SEQUENTIAL file (trailing blanks removed), ending with the return-code line
and the end marker, or with the abnormal-end block. Every legacy program of the city prints
these parts the same way; a program's own report subclasses ControlReport and lays out its
headings and totals."""
from __future__ import annotations

WIDTH = 132
END_OF_REPORT = "*** END OF REPORT ***"


def abend_block(messages: list, rc_line):
    """The abnormal-end block every legacy program prints under its report's header:
    a blank line, the marker, the abend's message lines (blank ones skipped, each cut
    at 132 columns), a blank line, the return-code line and the end marker. Text or
    bytes lines, as `rc_line` is."""
    def same(s: str):
        return s if isinstance(rc_line, str) else s.encode("ascii")
    empty = same("")
    return ([empty, same("*** ABNORMAL END ***")] + [m[:WIDTH] for m in messages if m.strip()]
            + [empty, rc_line, same(END_OF_REPORT)])


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

    def rc_text(self, rc: int, text: str) -> str:
        return f"{self.program} ENDED RETURN CODE{rc:>4}   {text}"

    def rc_line(self, rc: int, text: str) -> None:
        self.add(self.rc_text(rc, text))

    def finish(self, rc: int, text: str) -> None:
        """The return-code line and the end marker."""
        self.rc_line(rc, text)
        self.add(END_OF_REPORT)

    def abend(self, messages: list[str]) -> None:
        """The abnormal-end block: the program's messages, then RC 16."""
        for line in abend_block(messages, self.rc_text(16, f"(ABNORMAL END - {self.not_catalogued} "
                                                           "MUST NOT BE CATALOGED)")):
            self.add(line)
