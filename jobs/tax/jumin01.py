"""JUMIN01 — individual resident tax, ordinary collection (個人住民税 普通徴収) assessment.

Built from municipal-rules.md (no legacy program), per taxpayer of the resident-tax
master (JUMINMST) collected by ordinary collection (JZ-CHOSHU-KBN '1'):

* 非課税: 均等割 when 合計所得 <= 350,000 x (1 + dependants) + 100,000 (+ 210,000 with
  dependants); 所得割 when <= 350,000 x (1 + dependants) + 100,000 (+ 320,000 with
  dependants); both for a person flagged JZ-HIKAZEI-KBN '1' with 合計所得 <= 1,350,000;
* 課税所得 = 合計所得 - 所得控除 (not below 0), truncated to 1,000 yen;
* 所得割 = 課税所得 x (6 % city + 4 % prefecture) - 税額控除, truncated to 100 yen;
* 均等割 = 3,000 city + 1,000 prefecture + 1,000 森林環境税 (from FY2024) + the
  prefecture's own addition (`kinto_extra`, 0 by default);
* four installments (June, August, October, January; NOKI-IN from NOKIGEN): 2-4 the
  tax / 4 truncated to 1,000 yen, the first the rest; when that is 0, in 100-yen
  units (地方税法 20条の4の2 ⑥), `small_unit`;
* one notice and the collection items (科目 01), notice number 01 + sequence.

The rules the spec marks [U] are parameters of `assess` (see `Rules`) and README.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from engine.program.documents import Documents
from engine.program.printfile import blank_lines, edit, edit_one, put
from engine.program.records import Records
from engine.program.step import line_sequential
from jobs.tax.assessment import collection_items, installments, notice_header, notices_pdf, slashed, write_items
from jobs.tax.taxjob import Abend, TaxFiles, due_file, parse_parm, rejected_records, sequence_check, write_report

PROGRAM = "JUMIN01"
KAMOKU = 1
NUMERIC = ("JZ-KOJIN-NO", "JZ-GOKEI-SHOTOKU", "JZ-SHOTOKU-KOJO", "JZ-ZEIGAKU-KOJO", "JZ-FUYO-SU", "JZ-JUSHO-CD")
W = 120


@dataclass(frozen=True)
class Rules:
    """The parameters of the assessment (defaults: municipal-rules.md)."""
    city_rate: int = 6                  # 所得割 percent, city
    pref_rate: int = 4                  # 所得割 percent, prefecture
    kinto_city: int = 3_000
    kinto_pref: int = 1_000
    forest_tax: int = 1_000             # 森林環境税, from FY2024
    forest_from: int = 2024
    kinto_extra: int = 0                # a prefecture's own addition (ordinance)
    exempt_base: int = 350_000          # x (1 + dependants)
    exempt_add: int = 100_000
    kinto_dep_add: int = 210_000        # 均等割: added when dependants exist
    shotoku_dep_add: int = 320_000      # 所得割: added when dependants exist
    shotoku_single_add: int = 0         # [U] 所得割: added without dependants (0; some read 320,000)
    hikazei_limit: int = 1_350_000      # 障害者・未成年・寡婦・ひとり親
    small_unit: int | None = 100        # installments under 1,000 yen in 100-yen units (None: one installment)


def resident_tax(p: pl.DataFrame, nendo: int, rules: Rules = Rules()) -> pl.DataFrame:
    """Adds kinto, shotokuwari, tax (and the exemption flags) to taxpayers with
    columns income, kojo, credit, fuyo, hikazei (bool)."""
    r = rules
    base = r.exempt_base * (1 + pl.col("fuyo")) + r.exempt_add
    has_dep = pl.col("fuyo") > 0
    person = pl.col("hikazei") & (pl.col("income") <= r.hikazei_limit)
    kinto = r.kinto_city + r.kinto_pref + (r.forest_tax if nendo >= r.forest_from else 0) + r.kinto_extra
    p = p.with_columns(
        kinto_exempt=person | (pl.col("income") <= base + pl.when(has_dep).then(r.kinto_dep_add).otherwise(0)),
        shotoku_exempt=person | (pl.col("income") <= base + pl.when(has_dep).then(r.shotoku_dep_add)
                                 .otherwise(r.shotoku_single_add)),
        taxable=(pl.col("income") - pl.col("kojo")).clip(lower_bound=0) // 1000 * 1000)
    levy = (pl.col("taxable") * r.city_rate // 100 + pl.col("taxable") * r.pref_rate // 100
            - pl.col("credit")).clip(lower_bound=0) // 100 * 100
    p = p.with_columns(kinto=pl.when("kinto_exempt").then(0).otherwise(kinto),
                       shotokuwari=pl.when("shotoku_exempt").then(0).otherwise(levy))
    return p.with_columns(tax=pl.col("kinto") + pl.col("shotokuwari"))


@dataclass
class Totals:
    read: int = 0
    reasons: dict = field(default_factory=dict)
    special: int = 0
    kinto_exempt: int = 0
    shotoku_exempt: int = 0
    taxed: int = 0
    kinto: int = 0
    shotokuwari: int = 0
    items: int = 0
    amount: int = 0


def assess(*, taxpayer_in, noki_in, chotei_out, notice_out, error_out, report, parm,
           notice_pdf=None, first_notice: int = 1, rules: Rules = Rules()):
    """Run JUMIN01 over files; returns (rc, Totals or None, messages)."""
    with TaxFiles(PROGRAM, report, "RESIDENT TAX ASSESSMENT (KOJIN JUMINZEI FUTSU CHOSHU FUKA)") as tf:
        try:
            nendo, date = parse_parm(parm)
            tf.header(nendo, date)
            data = tf.read_input("TAXPAYER-IN", taxpayer_in, 100)
            noki = tf.read_input("NOKI-IN", noki_in, 20)
            outs = tf.open_outputs({"CHOTEI-OUT": chotei_out, "NOTICE-OUT": notice_out, "ERROR-OUT": error_out})
            due = due_file(noki, 4)
            rows = data.reshape(-1, 100)
            sequence_check("TAXPAYER-IN", rows[:, :10])
            t = _assess(rows, nendo, date, due, outs, notice_pdf, first_notice, rules)
            rc = 4 if sum(t.reasons.values()) else 0
            write_report(tf, _report_lines(t), rc)
            return rc, t, tf.messages
        except Abend as ab:
            tf.abend(ab)
            return 16, None, tf.messages


def _assess(rows, nendo, date, due, outs, notice_pdf, first_notice, rules) -> Totals:
    r = Records(rows, "JUMINMST")
    reason, errors = rejected_records(rows, [
        ("IV", ~np.logical_and.reduce([r.numeric(f) for f in NUMERIC])),
        ("CK", ~r.is_in("JZ-CHOSHU-KBN", ["1", "2"])),
        ("FL", ~r.is_in("JZ-HIKAZEI-KBN", ["0", "1"]))])
    t = Totals(read=len(rows), reasons={c: int((reason == c).sum()) for c in ("IV", "CK", "FL")})
    outs["ERROR-OUT"].write(errors)
    ok = reason == ""
    t.special = int((ok & r.equals("JZ-CHOSHU-KBN", "2")).sum())
    sel = np.flatnonzero(ok & r.equals("JZ-CHOSHU-KBN", "1"))
    a = r.take(sel)
    p = pl.DataFrame({"idx": sel, "kojin": a.value("JZ-KOJIN-NO"), "income": a.value("JZ-GOKEI-SHOTOKU"),
                      "kojo": a.value("JZ-SHOTOKU-KOJO"), "credit": a.value("JZ-ZEIGAKU-KOJO"),
                      "fuyo": a.value("JZ-FUYO-SU"), "hikazei": a.equals("JZ-HIKAZEI-KBN", "1")})
    p = resident_tax(p, nendo, rules)
    t.kinto_exempt, t.shotoku_exempt = int(p["kinto_exempt"].sum()), int(p["shotoku_exempt"].sum())
    taxed = (p.filter(pl.col("tax") > 0)
             .with_columns(seq=pl.int_range(first_notice, first_notice + pl.len())))
    t.taxed, t.kinto, t.shotokuwari = taxed.height, int(taxed["kinto"].sum()), int(taxed["shotokuwari"].sum())
    items = installments(taxed, count=4, unit=1000, small_unit=rules.small_unit)
    chotei = collection_items(nendo=nendo, kamoku=KAMOKU, items=items, due=due, date=date)
    outs["CHOTEI-OUT"].close()
    write_items(chotei, outs["CHOTEI-OUT"].name)
    t.items, t.amount = chotei.height, int(chotei["SH-CHOTEI-GAKU"].sum())
    notices = _notices(taxed, items, r, nendo, date, due)
    outs["NOTICE-OUT"].write(line_sequential(notices))
    if notice_pdf:
        notices_pdf(notices, notice_pdf, f"{PROGRAM} {nendo}")
    return t


def _notices(taxed: pl.DataFrame, items: pl.DataFrame, r: Records, nendo, date, due) -> np.ndarray:
    doc = Documents(W)
    seq = taxed["seq"].to_numpy()
    who = r.take(taxed["idx"].to_numpy())
    notice_header(doc, seq, title=b"RESIDENT TAX NOTICE (KOJIN JUMINZEI NOZEI TSUCHISHO)", nendo=nendo,
                  kamoku=KAMOKU, who=b"TAXPAYER (NOZEISHA) ", kojin=who.bytes("JZ-KOJIN-NO"),
                  name=who.bytes("JZ-SHIMEI"), date=date)
    doc.text(seq, 3)
    for i, (label, col) in enumerate(((b"TOTAL INCOME (GOKEI SHOTOKU)", "income"),
                                      (b"INCOME DEDUCTIONS (SHOTOKU KOJO)", "kojo"),
                                      (b"TAXABLE INCOME (KAZEI SHOTOKU)", "taxable"),
                                      (b"TAX CREDITS (ZEIGAKU KOJO)", "credit"),
                                      (b"INCOME LEVY (SHOTOKUWARI)", "shotokuwari"),
                                      (b"PER-CAPITA LEVY (KINTOWARI, FOREST TAX INCL.)", "kinto"),
                                      (b"ANNUAL TAX (NENGAKU)", "tax"))):
        put(doc.text(seq, 10 + i, (3, label)), 63, edit(taxed[col].to_numpy(), "ZZZ,ZZZ,ZZZ,ZZ9"))
    doc.text(seq, 20)
    doc.text(seq, 21, (1, b"  KIBETSU  DUE DATE (NOKIGEN)                          AMOUNT"))
    ki = items["ki"].to_numpy()
    lines = blank_lines(len(ki), W)
    put(lines, 5, edit(ki, "99"))
    put(lines, 12, np.frombuffer(b"".join(slashed(d) for d in due), np.uint8).reshape(len(due), 10)[ki - 1])
    put(lines, 47, edit(items["amount"].to_numpy(), "ZZZ,ZZZ,ZZZ,ZZ9"))
    doc.add(lines, items["seq"].to_numpy(), 22, ki)
    return doc.lines()


def _report_lines(t: Totals) -> list[bytes]:
    def row(label: str, v: int) -> bytes:
        return b"  " + label.encode().ljust(46) + edit_one(v, "ZZZ,ZZZ,ZZZ,ZZZ,ZZ9").encode()
    return [b"", b"TAXPAYERS (JUMINZEI MASTER)", b"", row("RECORDS READ (TAXPAYER-IN)", t.read),
            *[row(f"  REJECTED {code}", n) for code, n in t.reasons.items()],
            row("SPECIAL COLLECTION (TOKUBETSU CHOSHU), NOT HERE", t.special),
            row("KINTOWARI EXEMPT (HIKAZEI)", t.kinto_exempt),
            row("SHOTOKUWARI EXEMPT (HIKAZEI)", t.shotoku_exempt),
            row("TAXED (NOTICES WRITTEN)", t.taxed), b"", b"AMOUNTS (YEN)", b"",
            row("SHOTOKUWARI", t.shotokuwari), row("KINTOWARI", t.kinto), row("ANNUAL TAX", t.kinto + t.shotokuwari),
            b"", row("COLLECTION ITEMS WRITTEN (KAMOKU 01)", t.items), row("ASSESSED SH-CHOTEI-GAKU", t.amount)]


def run(step) -> int:
    p = step.params
    fields = {f: type(getattr(Rules(), f)) for f in Rules.__dataclass_fields__}
    rules = Rules(**{k: (None if p[k] in ("", "none") else int(p[k])) for k in fields if k in p})
    rc, t, messages = assess(
        taxpayer_in=step.dd("TAXPAYER-IN").path, noki_in=step.dd("NOKI-IN").path,
        chotei_out=step.dd("CHOTEI-OUT").path, notice_out=step.dd("NOTICE-OUT").path,
        error_out=step.dd("ERROR-OUT").path, report=step.dd("REPORT").path, parm=step.parm,
        notice_pdf=step.dd("NOTICE-PDF").path if step.has_dd("NOTICE-PDF") else None,
        first_notice=int(p.get("first_notice", 1)), rules=rules)
    for m in messages:
        step.log(m)
    if t is not None:
        step.dd("TAXPAYER-IN").count(read=t.read)
        step.dd("CHOTEI-OUT").count(written=t.items)
        step.log(f"{PROGRAM} TAXPAYERS READ {t.read}, TAXED {t.taxed}; ITEMS {t.items}, "
                 f"ASSESSED {t.amount:,}; RC {rc}")
    return rc
