"""SUIDO01's control-total report: 132-column lines laid out and edited as the
legacy program prints them (trailing blanks removed, as GnuCOBOL writes a
LINE SEQUENTIAL file)."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.program.control_report import ControlReport, edit_count

PROGRAM = "SUIDO01"
REASONS = ("NF", "CL", "DU", "IV", "DT", "HV", "TF")
REASON_TEXT = ("TAP NOT IN THE CUSTOMER MASTER", "TAP CLOSED (HEISEN)", "DUPLICATE READING",
               "INVALID READING OR EXCHANGE FIELD", "INVALID READING DATE",
               "USAGE OVER THE PLAUSIBILITY LIMIT", "NO TARIFF FOR THE METER DIAMETER")


@dataclass
class Totals:
    """The legacy's control totals (CT-...)."""
    cust_read: int = 0
    cust_billed: int = 0
    cust_mikenshin: int = 0
    cust_rejected: int = 0
    cust_closed: int = 0
    read_read: int = 0
    read_accepted: int = 0
    read_exchange: int = 0
    by_reason: list[int] = field(default_factory=lambda: [0] * 7)
    usage: int = 0
    water: int = 0
    sewer: int = 0
    cust_out: int = 0
    chotei_water: int = 0
    chotei_sewer: int = 0
    bills: int = 0

    @property
    def rejected(self) -> int:
        return sum(self.by_reason)


class Report(ControlReport):
    program = PROGRAM
    not_catalogued = "THE OUTPUTS"

    def header(self, p: str, valid: bool) -> None:
        """The page header: the PARM's fields, or its first 10 characters when invalid."""
        self.add(f"{PROGRAM:<8}{'':20}{'WATER AND SEWER BILLING (JOGESUIDO RYOKIN CHOTEI) ':<50}"
                 f"{'- CONTROL TOTALS':<45}PAGE    1")
        if valid:
            shori, nendo, ym, due = f"{p[10:14]}/{p[14:16]}/{p[16:18]}", p[:4], f"{p[4:8]}/{p[8:10]}", \
                f"{p[18:22]}/{p[22:24]}/{p[24:26]}"
        else:
            shori, nendo, ym, due = p[:10], "", "", ""
        self.add(f"{'':28}PROCESSING DATE (SHORI-BI) {shori:<10}   FISCAL YEAR {nendo:<4}"
                 f"   BILLING MONTH {ym:<7}   DUE DATE {due:<10}")
        self.add("-" * 132)

    def count(self, label: str, v: int) -> None:
        self.add(f"  {label:<50}{'':5}{edit_count(v)}")

    def amount(self, label: str, v: int) -> None:
        self.add(f"  {label:<50}{edit_count(v, 12)}")

    def totals(self, t: Totals, rc: int) -> None:
        for title, rows in (
                ("CUSTOMER MASTER (SUIDOMST)",
                 [("CUSTOMERS READ                    (CUST-IN)", t.cust_read),
                  ("  BILLED (CHOTEI)", t.cust_billed), ("  NO READING (MIKENSHIN)", t.cust_mikenshin),
                  ("  READING REJECTED, NOT BILLED", t.cust_rejected), ("  CLOSED (HEISEN)", t.cust_closed)]),
                ("METER READINGS (KENSHIN)",
                 [("READINGS READ                     (READ-IN)", t.read_read),
                  ("  ACCEPTED", t.read_accepted),
                  ("    OF WHICH METER EXCHANGES (MEETAA KOKAN)", t.read_exchange),
                  ("  REJECTED                        (ERROR-OUT)", t.rejected)]
                 + [(f"    {code}  {text}", n) for code, text, n in zip(REASONS, REASON_TEXT, t.by_reason)])):
            self.add()
            self.add(title)
            self.add()
            for label, v in rows:
                self.count(label, v)
        self.add()
        self.add("BILLING (CHOTEI), YEN INCLUDING CONSUMPTION TAX")
        self.add()
        self.count("TOTAL USAGE M3 (SHIYO SUIRYO)", t.usage)
        self.amount("WATER CHARGES (SUIDO RYOKIN)", t.water)
        self.amount("SEWER CHARGES (GESUIDO SHIYORYO)", t.sewer)
        self.amount("TOTAL BILLED", t.water + t.sewer)
        self.add()
        self.add("RECORDS WRITTEN")
        self.add()
        for label, v in (("CUST-OUT    NEXT CUSTOMER MASTER", t.cust_out),
                         ("CHOTEI-OUT  ASSESSMENTS, WATER (SUIDO)", t.chotei_water),
                         ("CHOTEI-OUT  ASSESSMENTS, SEWER (GESUIDO)", t.chotei_sewer),
                         ("CHOTEI-OUT  TOTAL", t.chotei_water + t.chotei_sewer),
                         ("BILL-OUT    BILLS (SEIKYUSHO)", t.bills),
                         ("ERROR-OUT   REJECTED READINGS", t.rejected)):
            self.count(label, v)
        self.add()
        self.finish(rc, "(ALL READINGS ACCEPTED)" if rc == 0 else "(READINGS REJECTED TO ERROR-OUT)")
