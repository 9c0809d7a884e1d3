"""KEIJI01 — light-vehicle tax (軽自動車税 種別割) annual assessment.

Built from municipal-rules.md (no legacy program). The owner of 1 April of the
fiscal year pays, per vehicle, the rate of its class; three- and four-wheelers pay
by their first registration (最初の新規検査): up to 2015-03 the old rate, from
2015-04 the new one, and 13 years after it the heavier rate (重課). One installment,
due at the end of May moved to the next open day (NOKI-IN, from NOKIGEN). Per
owner: one notice, one collection item (科目 03), notice number 03 + sequence.

Rules the spec leaves open ([U], parameters of `assess`, README "Tax section"):
* 13 years: heavier from the fiscal year after the one in which 13 years from the
  first-registration month end, i.e. first registration <= March of (year - 13)
  (`heavy_years`); electric and natural-gas vehicles (KJ-NENRYO-KBN '1') never;
* owned on 1 April: 取得日 <= 04-01 and not 廃車 on or before 04-01;
* one notice per owner for all his vehicles (`per_owner`), 減免 vehicles listed
  with tax 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from engine.program.dates import is_valid_date
from engine.program.documents import Documents
from engine.program.printfile import blank_lines, edit, edit_one, put
from engine.program.records import Records
from engine.program.step import line_sequential
from jobs.tax.assessment import collection_items, installments, notice_header, notices_pdf, slashed, write_items
from jobs.tax.taxjob import Abend, TaxFiles, due_file, parse_parm, rejected_records, sequence_check, write_report

PROGRAM = "KEIJI01"
KAMOKU = 3
# class: (label, rate up to 2015-03 (or the only rate), from 2015-04, 13 years on)
RATES = {
    1: ("GENTSUKI 50CC OR LESS", 2_000, None, None),
    2: ("GENTSUKI 50-90CC", 2_000, None, None),
    3: ("GENTSUKI 90-125CC", 2_400, None, None),
    4: ("MINICAR", 3_700, None, None),
    5: ("KOGATA TOKUSHU NOKO (FARM)", 2_400, None, None),
    6: ("KOGATA TOKUSHU SONOTA", 5_900, None, None),
    7: ("KEI NIRIN 125-250CC", 3_600, None, None),
    8: ("NIRIN KOGATA OVER 250CC", 6_000, None, None),
    11: ("SANRIN (THREE-WHEEL)", 3_100, 3_900, 4_600),
    12: ("YONRIN JOYO JIKAYO", 7_200, 10_800, 12_900),
    13: ("YONRIN JOYO EIGYOYO", 5_500, 6_900, 8_200),
    14: ("YONRIN KAMOTSU JIKAYO", 4_000, 5_000, 6_000),
    15: ("YONRIN KAMOTSU EIGYOYO", 3_000, 3_800, 4_500),
}
NEW_RATE_FROM = 201504
NUMERIC = ("KJ-KOJIN-NO", "KJ-SHASHU", "KJ-SHOKEN-YM", "KJ-SHUTOKU-BI", "KJ-HAISHA-BI", "KJ-SHOZAI-CD")
W = 120


def rates_frame(rates=RATES) -> pl.DataFrame:
    return pl.DataFrame({"cls": list(rates), "label": [v[0] for v in rates.values()],
                         "old": [v[1] for v in rates.values()],
                         "new": [v[2] if v[2] is not None else v[1] for v in rates.values()],
                         "heavy": [v[3] if v[3] is not None else v[1] for v in rates.values()],
                         "by_reg": [v[2] is not None for v in rates.values()]},
                        schema_overrides={"cls": pl.Int64})


def vehicle_tax(v: pl.DataFrame, nendo: int, *, rates=RATES, heavy_years: int = 13) -> pl.DataFrame:
    """Adds `owned` (on 1 April), `kind` (O old, N new, H 13 years, ' ' one rate) and
    `tax` to vehicles with columns cls, shoken_ym, shutoku, haisha, genmen, electric."""
    april1 = nendo * 10000 + 401
    v = v.join(rates_frame(rates), on="cls", how="left")
    heavy = (pl.col("by_reg") & ~pl.col("electric")
             & (pl.col("shoken_ym") <= (nendo - heavy_years) * 100 + 3))
    new = pl.col("by_reg") & (pl.col("shoken_ym") >= NEW_RATE_FROM)
    return v.with_columns(
        owned=(pl.col("shutoku") <= april1) & ((pl.col("haisha") == 0) | (pl.col("haisha") > april1)),
        kind=pl.when(~pl.col("by_reg")).then(pl.lit(" ")).when(heavy).then(pl.lit("H"))
        .when(new).then(pl.lit("N")).otherwise(pl.lit("O")),
        rate=pl.when(heavy).then("heavy").when(new).then("new").otherwise("old"),
    ).with_columns(tax=pl.when(pl.col("owned") & ~pl.col("genmen")).then("rate").otherwise(0))


@dataclass
class Totals:
    read: int = 0
    reasons: dict = field(default_factory=dict)
    not_owned: int = 0
    genmen: int = 0
    taxed_vehicles: int = 0
    by_class: list = field(default_factory=list)      # (cls, label, vehicles, amount)
    owners: int = 0
    items: int = 0
    amount: int = 0


def assess(*, vehicle_in, noki_in, chotei_out, notice_out, error_out, report, parm,
           notice_pdf=None, first_notice: int = 1, heavy_years: int = 13, rates=RATES):
    """Run KEIJI01 over files; returns (rc, Totals or None, messages)."""
    with TaxFiles(PROGRAM, report, "LIGHT VEHICLE TAX ASSESSMENT (KEIJIDOSHA ZEI SHUBETSUWARI FUKA)") as tf:
        try:
            nendo, date = parse_parm(parm)
            tf.header(nendo, date)
            data = tf.read_input("VEHICLE-IN", vehicle_in, 100)
            noki = tf.read_input("NOKI-IN", noki_in, 20)
            outs = tf.open_outputs({"CHOTEI-OUT": chotei_out, "NOTICE-OUT": notice_out, "ERROR-OUT": error_out})
            due = due_file(noki, 1)
            rows = data.reshape(-1, 100)
            sequence_check("VEHICLE-IN", rows[:, :20])
            t = _assess(rows, nendo, date, due, outs, notice_pdf, first_notice, heavy_years, rates)
            rc = 4 if sum(t.reasons.values()) else 0
            write_report(tf, _report_lines(t), rc)
            return rc, t, tf.messages
        except Abend as ab:
            tf.abend(ab)
            return 16, None, tf.messages


def _assess(rows, nendo, date, due, outs, notice_pdf, first_notice, heavy_years, rates) -> Totals:
    r = Records(rows, "KEIJIMST")
    cls, ym = r.value("KJ-SHASHU"), r.value("KJ-SHOKEN-YM")
    by_reg = np.isin(cls, [c for c, v in rates.items() if v[2] is not None])
    haisha = r.value("KJ-HAISHA-BI")
    reason, errors = rejected_records(rows, [
        ("IV", ~np.logical_and.reduce([r.numeric(f) for f in NUMERIC])),
        ("CL", ~np.isin(cls, list(rates))),
        ("DT", ~is_valid_date(r.value("KJ-SHUTOKU-BI")) | ((haisha != 0) & ~is_valid_date(haisha))
         | (by_reg & ~is_valid_date(ym * 100 + 1))),
        ("FL", ~r.is_in("KJ-GENMEN-KBN", ["0", "1"]) | ~r.is_in("KJ-NENRYO-KBN", ["0", "1"]))])
    t = Totals(read=len(rows), reasons={code: int((reason == code).sum()) for code in ("IV", "CL", "DT", "FL")})
    outs["ERROR-OUT"].write(errors)

    ok = np.flatnonzero(reason == "")
    a = r.take(ok)
    v = pl.DataFrame({"idx": ok, "owner": a.value("KJ-KOJIN-NO"), "cls": a.value("KJ-SHASHU"),
                      "shoken_ym": a.value("KJ-SHOKEN-YM"), "shutoku": a.value("KJ-SHUTOKU-BI"),
                      "haisha": a.value("KJ-HAISHA-BI"), "genmen": a.equals("KJ-GENMEN-KBN", "1"),
                      "electric": a.equals("KJ-NENRYO-KBN", "1")})
    v = vehicle_tax(v, nendo, rates=rates, heavy_years=heavy_years)
    t.not_owned = int((~v["owned"]).sum())
    t.genmen = int((v["owned"] & v["genmen"]).sum())
    owned = v.filter("owned")
    t.taxed_vehicles = int((owned["tax"] > 0).sum())
    t.by_class = (owned.filter(pl.col("tax") > 0).group_by("cls", "label").agg(n=pl.len(), amount=pl.col("tax").sum())
                  .sort("cls").rows())
    owners = (owned.group_by("owner", maintain_order=True)
              .agg(tax=pl.col("tax").sum(), first=pl.col("idx").first())
              .filter(pl.col("tax") > 0)
              .with_columns(seq=pl.int_range(first_notice, first_notice + pl.len()), kojin="owner"))
    t.owners = owners.height
    items = installments(owners, count=1)
    chotei = collection_items(nendo=nendo, kamoku=KAMOKU, items=items, due=due, date=date)
    outs["CHOTEI-OUT"].close()
    write_items(chotei, outs["CHOTEI-OUT"].name)
    t.items, t.amount = chotei.height, int(chotei["SH-CHOTEI-GAKU"].sum())
    notices = _notices(owners, owned.join(owners.select("owner", "seq"), on="owner"), r, nendo, date, due)
    outs["NOTICE-OUT"].write(line_sequential(notices))
    if notice_pdf:
        notices_pdf(notices, notice_pdf, f"{PROGRAM} {nendo}")
    return t


def _notices(owners: pl.DataFrame, vehicles: pl.DataFrame, r: Records, nendo, date, due) -> np.ndarray:
    doc = Documents(W)
    seq = owners["seq"].to_numpy()
    first = r.take(owners["first"].to_numpy())
    notice_header(doc, seq, title=b"LIGHT VEHICLE TAX NOTICE (KEIJIDOSHA ZEI NOZEI TSUCHISHO)", nendo=nendo,
                  kamoku=KAMOKU, who=b"OWNER (SHOYUSHA) ", kojin=first.bytes("KJ-KOJIN-NO"),
                  name=first.bytes("KJ-SHOYUSHA-MEI"), date=date)
    doc.text(seq, 3)
    doc.text(seq, 4, (1, b"  VEHICLE NO  CLASS                        FIRST REG  RATE            TAX"))
    vr = r.take(vehicles["idx"].to_numpy())
    lines = blank_lines(len(vr), W)
    put(lines, 3, vr.bytes("KJ-SHARYO-NO"))
    cls = vehicles["cls"].to_numpy()
    labels = blank_lines(100, 28)
    for c, v in RATES.items():
        put(labels[c:c + 1], 1, v[0].encode())
    put(lines, 15, labels[cls])
    reg = vr.value("KJ-SHOKEN-YM")
    shown = vehicles["by_reg"].to_numpy()
    put(lines, 44, np.where(shown[:, None], edit(reg // 100, "9999"), 0x20))
    put(lines, 48, np.where(shown[:, None], np.frombuffer(b"/", np.uint8), 0x20))
    put(lines, 49, np.where(shown[:, None], edit(reg % 100, "99"), 0x20))
    kinds = blank_lines(4, 10)
    for i, text in enumerate((b"", b"TO 2015/03", b"2015/04 ON", b"13 YEARS +")):
        put(kinds[i:i + 1], 1, text)
    kind = vehicles["kind"].replace_strict([" ", "O", "N", "H"], [0, 1, 2, 3]).to_numpy()
    put(lines, 54, kinds[kind])
    put(lines, 65, edit(vehicles["tax"].to_numpy(), "ZZZ,ZZ9"))
    gm = vehicles["genmen"].to_numpy()
    lines[np.ix_(gm, np.arange(73, 79))] = np.frombuffer(b"GENMEN", np.uint8)
    doc.add(lines, vehicles["seq"].to_numpy(), 5, vehicles["idx"].to_numpy())
    doc.text(seq, 6)
    tax = edit(owners["tax"].to_numpy(), "ZZZ,ZZZ,ZZZ,ZZ9")
    put(doc.text(seq, 7, (3, b"ANNUAL TAX (NENGAKU)")), 63, tax)
    put(doc.text(seq, 8, (3, b"KIBETSU 01  DUE DATE (NOKIGEN) " + slashed(due[0]))), 63, tax)
    return doc.lines()


def _report_lines(t: Totals) -> list[bytes]:
    def row(label: str, v: int, amount: int | None = None) -> bytes:
        s = b"  " + label.encode().ljust(46) + b" " * 5 + edit_one(v, "ZZZ,ZZZ,ZZ9").encode()
        if amount is not None:
            s += b" " * 3 + edit_one(amount, "ZZZ,ZZZ,ZZZ,ZZ9").encode()
        return s
    lines = [b"", b"VEHICLES (KEIJIDOSHA MASTER)", b"", row("RECORDS READ (VEHICLE-IN)", t.read)]
    lines += [row(f"  REJECTED {code}", n) for code, n in t.reasons.items()]
    lines += [row("NOT OWNED ON 1 APRIL (SHUTOKU / HAISHA)", t.not_owned), row("EXEMPT (GENMEN)", t.genmen),
              row("TAXED", t.taxed_vehicles), b"", b"TAXED VEHICLES BY CLASS" + b" " * 33 + b"VEHICLES"
              + b" " * 11 + b"AMOUNT", b""]
    lines += [row(f"{cls:02d} {label}", n, amount) for cls, label, n, amount in t.by_class]
    lines += [b"", row("OWNERS TAXED (NOTICES WRITTEN)", t.owners),
              row("COLLECTION ITEMS WRITTEN (KAMOKU 03)", t.items, t.amount)]
    return lines


def run(step) -> int:
    p = step.params
    rc, t, messages = assess(
        vehicle_in=step.dd("VEHICLE-IN").path, noki_in=step.dd("NOKI-IN").path,
        chotei_out=step.dd("CHOTEI-OUT").path, notice_out=step.dd("NOTICE-OUT").path,
        error_out=step.dd("ERROR-OUT").path, report=step.dd("REPORT").path, parm=step.parm,
        notice_pdf=step.dd("NOTICE-PDF").path if step.has_dd("NOTICE-PDF") else None,
        first_notice=int(p.get("first_notice", 1)), heavy_years=int(p.get("heavy_years", 13)))
    for m in messages:
        step.log(m)
    if t is not None:
        step.dd("VEHICLE-IN").count(read=t.read)
        step.dd("CHOTEI-OUT").count(written=t.items)
        step.log(f"{PROGRAM} VEHICLES READ {t.read}, TAXED {t.taxed_vehicles}; OWNERS {t.owners}; "
                 f"ITEMS {t.items}, ASSESSED {t.amount:,}; RC {rc}")
    return rc
