"""SENKYO — the election roster extract (選挙人名簿抄本) from the resident master.

No legacy program: written from the issue's description and the law it follows.
A person is on the roster when, on election day E (PARM, YYYYMMDD):

* an active resident (JM-JOTAI '0') and a Japanese national (JM-KOKUSEKI '1');
* 18 or older on E (公職選挙法 9条) by the legal age: a year is completed at the
  end of the day before the birthday (年齢計算ニ関スル法律), so whoever has the
  18th birthday on E + 1 is 18 on E; someone born on 29 February completes
  the year at the end of 28 February in a common year;
* resident three months or more before E: JM-JUMIN-BI on or before the same
  day three months earlier (the month end when that day does not exist).

Listed by polling district (投票区), address code, address detail and 個人番号:
ROSTER is the print file (a new page at each district, 50 lines a page, a count
per district and a total), ROSTER-CSV the same rows as UTF-8 CSV, and ROSTER-PDF
(optional) the print file rendered for people.
"""
from __future__ import annotations

import csv
import io

import numpy as np

from engine.program.dates import add_days, add_months, age_on, is_valid_date
from engine.program.keys import key_ranks
from engine.program.matching import group_starts
from engine.program.printfile import blank_lines, edit_one, line, put, rule, write_pdf
from engine.program.records import Records
from engine.program.step import ProgramStep

PROGRAM = "SENKYO"
VOTING_AGE = 18
RESIDENCE_MONTHS = 3
PER_PAGE = 50


def eligible(rec: Records, election_day: int) -> np.ndarray:
    """The rule above, over every record."""
    birth, jumin = rec.value("JM-SEINEN-BI"), rec.value("JM-JUMIN-BI")
    valid = (rec.numeric("JM-SEINEN-BI") & rec.numeric("JM-JUMIN-BI") & is_valid_date(birth)
             & is_valid_date(jumin))
    of_age = age_on(birth, add_days(np.int64(election_day), 1)) >= VOTING_AGE
    settled = jumin <= add_months(np.int64(election_day), -RESIDENCE_MONTHS)
    return valid & rec.equals("JM-JOTAI", "0") & rec.equals("JM-KOKUSEKI", "1") & of_age & settled


def extract(rec: Records, election_day: int) -> Records:
    """The roster's records in roster order (district, address, detail, number)."""
    on = rec.take(np.flatnonzero(eligible(rec, election_day)))
    order_key = np.concatenate([on.bytes("JM-TOHYOKU"), on.bytes("JM-JUSHO-CD"), on.bytes("JM-BANCHI"),
                                on.bytes("JM-KOJIN-NO")], axis=1)
    return on.take(np.argsort(key_ranks(order_key)[0], kind="stable"))


def _date(b: np.ndarray) -> np.ndarray:
    slash = np.full((len(b), 1), ord("/"), np.uint8)
    return np.concatenate([b[:, :4], slash, b[:, 4:6], slash, b[:, 6:8]], axis=1)


def print_lines(roster: Records, shown: str) -> tuple[list[bytes], list[int]]:
    """The print file and the line numbers where its pages start."""
    details = blank_lines(len(roster))
    put(details, 1, roster.bytes("JM-KOJIN-NO"))
    put(details, 12, roster.bytes("JM-SHIMEI"))
    put(details, 43, roster.bytes("JM-KANA"))
    put(details, 74, _date(roster.bytes("JM-SEINEN-BI")))
    put(details, 85, np.where(roster.equals("JM-SEIBETSU", "1")[:, None], np.frombuffer(b"M", np.uint8),
                              np.frombuffer(b"F", np.uint8)))
    put(details, 87, roster.bytes("JM-JUSHO-CD"))
    put(details, 94, roster.bytes("JM-BANCHI"))
    district = roster.bytes("JM-TOHYOKU")
    starts = np.flatnonzero(group_starts(district)).tolist() + [len(roster)]
    out: list[bytes] = []
    page_starts: list[int] = []
    for a, b in zip(starts[:-1], starts[1:]):              # a control break at each district
        d = bytes(district[a]).decode("ascii", "replace")
        for first in range(a, b, PER_PAGE):
            page_starts.append(len(out))
            out += _header(len(page_starts), shown, d) + [bytes(r) for r in details[first:min(first + PER_PAGE, b)]]
        out += [b"", line((1, f"TOHYOKU {d} ELECTORS"), (25, edit_one(b - a, "ZZZ,ZZZ,ZZ9")))]
    if not out:
        page_starts.append(0)
        out += _header(1, shown, "--")
    out += [b"", line((1, "TOTAL ELECTORS"), (25, edit_one(len(roster), "ZZZ,ZZZ,ZZ9"))), b"*** END OF ROSTER ***"]
    return out, page_starts


def _header(page: int, shown: str, district: str) -> list[bytes]:
    return [line((1, PROGRAM), (37, "SENKYONIN MEIBO SHOHON (ELECTION ROSTER EXTRACT)"),
                 (124, "PAGE " + edit_one(page, "ZZZ9"))),
            line((37, f"ELECTION DAY (SENKYO KIJITSU) {shown}   TOHYOKU {district}")),
            line((1, "KOJIN-NO"), (12, "SHIMEI"), (43, "KANA"), (74, "SEINEN-BI"), (85, "S"), (87, "JUSHO"),
                 (94, "BANCHI")), rule()]


def csv_text(roster: Records) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["tohyoku", "jusho_cd", "banchi", "kojin_no", "shimei", "kana", "seinen_bi", "seibetsu"])
    cols = [roster.bytes(f) for f in ("JM-TOHYOKU", "JM-JUSHO-CD", "JM-BANCHI", "JM-KOJIN-NO", "JM-SHIMEI",
                                      "JM-KANA", "JM-SEINEN-BI", "JM-SEIBETSU")]
    for i in range(len(roster)):      # the CSV is a few tens of thousands of rows: text work per row
        w.writerow([bytes(c[i]).decode("cp932", "replace").rstrip() for c in cols])
    return buf.getvalue()


def run(ctx) -> int:
    step = ProgramStep(ctx)
    parm = (step.parm or "").strip()
    if not (len(parm) == 8 and parm.isdigit() and is_valid_date(np.array([int(parm)]))[0]):
        step.log(f"{PROGRAM} PARM IS NOT AN ELECTION DAY YYYYMMDD: {parm!r}")
        return 16
    rec = step.records("RES-IN", "JUKIMST")
    roster = extract(rec, int(parm))
    shown = f"{parm[:4]}/{parm[4:6]}/{parm[6:]}"
    lines, page_starts = print_lines(roster, shown)
    step.write_lines("ROSTER", lines)
    if step.has("ROSTER-CSV"):
        step.write_bytes("ROSTER-CSV", csv_text(roster).encode("utf-8"), count=len(roster))
    if step.has("ROSTER-PDF"):
        dd = step.dd("ROSTER-PDF")
        pages = write_pdf(lines, dd.path, title=f"選挙人名簿抄本 {shown}", page_starts=page_starts)
        dd.count(written=pages)
    step.log(f"{PROGRAM} RES-IN {len(rec)}, ELECTORS {len(roster)} ON {shown}")
    return 0
