"""The SHUNO01 control-total report: 132-column print lines laid out and edited
as the legacy program does (PIC ZZZ,ZZZ,ZZ9 and -ZZZ,ZZZ,ZZZ,ZZ9), trailing
blanks removed as GnuCOBOL writes a LINE SEQUENTIAL file."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.program.control_report import ControlReport, edit_count

PROGRAM = "SHUNO01"
REASONS = ("IV", "DT", "CH", "NF", "CX")


def edit_amount(v: int) -> str:
    """PIC -ZZZ,ZZZ,ZZZ,ZZ9: a fixed '-' in front, 12 digits kept."""
    sign = "-" if v < 0 else " "
    return sign + edit_count(abs(v), 12)


class Report(ControlReport):
    """The 132-column control-total report, as text lines."""

    program = PROGRAM

    CHANNEL_LABELS = ("'1' MADOGUCHI (COUNTER)", "'2' KINYU KIKAN (BANK)",
                      "'3' KONBINI (CONV STORE)", "'4' KOZA FURIKAE", "'5' SMARTPHONE",
                      "OTHER (INVALID CHANNEL)", "TOTAL")

    def header(self, date_text: str) -> None:
        self.add(f"{PROGRAM:<8}{'':28}{'PAYMENT POSTING (SHUNO KESHIKOMI) - CONTROL TOTALS':<60}"
                 f"{'':27}PAGE {1:>4}")
        self.add(f"{'':36}PROCESSING DATE (SHORI-BI) {date_text[:10]:<10}")
        self.add("-" * 132)

    def channel_row(self, label: str, read, posted, amount, rejected, by_reason) -> None:
        s = (f"{label:<24} {edit_count(read)} {edit_count(posted)} {edit_amount(amount)} "
             f"{edit_count(rejected)}")
        s += "".join(" " + edit_count(r, 8) for r in by_reason)
        self.add(s)

    def totals(self, t: "Totals", rc: int) -> None:
        self.add()
        self.add("TRANSACTIONS (NOFUTRN) BY CHANNEL")
        self.add()
        self.add(f"{'':37}--------- POSTED -----------  "
                 "-------------- REJECTED TO ERROR-OUT, BY REASON -----------------")
        self.add(f"{'CHANNEL':<24}{'READ':>12}{'COUNT':>12}{'AMOUNT':>17}{'TOTAL':>12}"
                 + "".join(f"{r:>11}" for r in REASONS))
        self.add("-" * 132)
        for row in range(7):
            if row == 6:
                self.add("-" * 132)
            self.channel_row(self.CHANNEL_LABELS[row], t.read[row], t.posted[row],
                             t.posted_amount[row], t.rejected[row], t.by_reason[row])
        self.add()
        self.add("COLLECTION MASTER (SHUNOMST)")
        self.add()
        for label, v in (("RECORDS READ     (MASTER-IN)", t.master_read),
                         ("RECORDS UPDATED", t.master_updated),
                         ("RECORDS WRITTEN  (MASTER-OUT)", t.master_written)):
            self.add(f"  {label:<46}{'':5}{edit_count(v)}")
        for label, v in (("ASSESSED   SH-CHOTEI-GAKU (MASTER-OUT)", t.chotei_sum),
                         ("PAID       SH-NOFU-GAKU   (MASTER-OUT)", t.nofu_sum),
                         ("TO REFUND  SH-KANPU-GAKU  (MASTER-OUT)", t.kanpu_sum)):
            self.add(f"  {label:<46}{edit_amount(v)}")
        self.add()
        text = "(ALL TRANSACTIONS POSTED)" if rc == 0 else "(TRANSACTIONS REJECTED TO ERROR-OUT)"
        self.finish(rc, text)


@dataclass
class Totals:
    read: list[int] = field(default_factory=lambda: [0] * 7)
    posted: list[int] = field(default_factory=lambda: [0] * 7)
    posted_amount: list[int] = field(default_factory=lambda: [0] * 7)
    rejected: list[int] = field(default_factory=lambda: [0] * 7)
    by_reason: list[list[int]] = field(default_factory=lambda: [[0] * 5 for _ in range(7)])
    master_read: int = 0
    master_updated: int = 0
    master_written: int = 0
    chotei_sum: int = 0
    nofu_sum: int = 0
    kanpu_sum: int = 0
