"""KONBINI1 — a convenience-store agent's daily result (コンビニ収納) posted as payments.

The agent's file is read through its configured layout (konbini_agents.yaml:
copybook, payment records, field map). Each payment's barcode is checked; the
first failure is the reason it is rejected (REJECT-OUT, KBREJECT):

    BC  not 44 digits beginning with 91          CD  check digit wrong
    KG  company code not the city's at this agent
    KY  free field not an 18-digit item key followed by 000
    AM  amount 0, over 300,000 yen, or not what the till took
    DT  date paid not a calendar date, or after the processing date
    DL  paid after the deadline (支払期限) on the barcode

Every other payment becomes a channel-3 NOFUTRN transaction for SHUNO01 (date
paid, barcode amount, 連番 = record number in the agent's file).

DDs: RESULT-IN (the agent's file), TRAN-OUT (NOFUTRN), REJECT-OUT (KBREJECT),
REPORT. PARM: AGENT,YYYYMMDD (agent name in the configuration, processing date).
"""
from __future__ import annotations

from pathlib import Path

import polars as pl
import yaml

from engine.errors import DensanError
from jobs.collection import barcode
from engine.program.dates import is_valid_date as calendar_date_ok
from engine.program.control_report import edit_count

PROGRAM = "KONBINI1"
AGENTS = Path(__file__).with_name("konbini_agents.yaml")
CHANNEL_KONBINI = "3"
REASONS = {"BC": "BARCODE NOT 44 DIGITS FROM 91", "CD": "CHECK DIGIT WRONG",
           "KG": "COMPANY CODE NOT THE CITY'S", "KY": "ITEM KEY NOT VALID",
           "AM": "AMOUNT 0, OVER 300,000 OR NOT THE TILL'S", "DT": "DATE PAID NOT VALID",
           "DL": "PAID AFTER THE DEADLINE"}


class AgentError(DensanError):
    """An agent missing from the configuration, or configured wrongly."""


def load_agent(name: str, path: Path = AGENTS) -> dict:
    try:
        agents = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AgentError(f"{path}: not valid YAML: {exc}") from None
    if name not in agents:
        raise AgentError(f"no convenience-store agent {name!r} in {path}",
                         hint=f"agents configured: {', '.join(agents) or 'none'}")
    agent = agents[name]
    for key in ("copybook", "company", "fields"):
        if key not in agent:
            raise AgentError(f"{path}: agent {name}: {key!r} is missing",
                             hint="give copybook, company and fields: {barcode, paid_date}")
    for key in ("barcode", "paid_date"):
        if key not in agent["fields"]:
            raise AgentError(f"{path}: agent {name}: fields.{key} is missing")
    return agent


def checked(records: pl.DataFrame, agent: dict, today: int) -> pl.DataFrame:
    """The agent's payment records with the barcode's fields and a reason (null: ok)."""
    f = agent["fields"]
    df = records.with_row_index("record_no", offset=1)
    if "payments" in agent:
        df = df.filter(pl.col(agent["payments"]["field"]) == str(agent["payments"]["value"]))
    code = pl.col(f["barcode"]).str.strip_chars_end(" ")
    paid = pl.col(f["paid_date"])
    paid_int = paid.cast(pl.Int64, strict=False)
    df = df.with_columns(code.alias("barcode"), paid.alias("paid_raw"),
                         paid_int.alias("paid_date"),
                         **{k: v for k, v in barcode.fields(code).items()})
    till = (pl.col(f["amount"]).cast(pl.Int64, strict=False) if "amount" in f else pl.col("amount"))
    paid_ok = (paid.str.contains(r"^[0-9]{8}$").fill_null(False)
               & calendar_date_ok(pl.col("paid_date").fill_null(0)) & (pl.col("paid_date") <= today))
    deadline_ok = calendar_date_ok(pl.col("deadline").fill_null(0)) & (pl.col("paid_date") <= pl.col("deadline"))
    reason = (pl.when(~barcode.well_formed(pl.col("barcode"))).then(pl.lit("BC"))
              .when(~barcode.check_digit_ok(pl.col("barcode"))).then(pl.lit("CD"))
              .when(pl.col("company") != int(agent["company"])).then(pl.lit("KG"))
              .when(pl.col("free_tail") != "000").then(pl.lit("KY"))
              .when((pl.col("amount") <= 0) | (pl.col("amount") > barcode.LIMIT)
                    | (till != pl.col("amount")).fill_null(True)).then(pl.lit("AM"))
              .when(~paid_ok.fill_null(False)).then(pl.lit("DT"))
              .when(~deadline_ok.fill_null(False)).then(pl.lit("DL")))
    return df.with_columns(reason=reason)


def transactions(ok: pl.DataFrame) -> pl.DataFrame:
    key = pl.col("key")
    return ok.select(key.str.slice(0, 4).cast(pl.Int64).alias("NT-NENDO"),
                     key.str.slice(4, 2).cast(pl.Int64).alias("NT-KAMOKU"),
                     key.str.slice(6, 10).cast(pl.Int64).alias("NT-TSUCHI-NO"),
                     key.str.slice(16, 2).cast(pl.Int64).alias("NT-KIBETSU"),
                     pl.lit(CHANNEL_KONBINI).alias("NT-CHANNEL"), pl.col("paid_date").alias("NT-SHUNYU-BI"),
                     pl.col("amount").alias("NT-NOFU-GAKU"), pl.lit(0).alias("NT-ENTAI-GAKU"),
                     pl.col("record_no").cast(pl.Int64).alias("NT-RENBAN"))


def rejects(bad: pl.DataFrame, agent_name: str) -> pl.DataFrame:
    return bad.select(pl.lit(agent_name).alias("KR-AGENT"), pl.col("record_no").cast(pl.Int64).alias("KR-RECORD-NO"),
                      pl.col("reason").alias("KR-REASON"), pl.col("barcode").str.slice(0, 44).alias("KR-BARCODE"),
                      pl.col("paid_raw").alias("KR-SHUNO-BI"))


def report_lines(agent_name: str, today: int, items: pl.DataFrame) -> list[str]:
    ok = items.filter(pl.col("reason").is_null())
    d = str(today)
    lines = [f"{PROGRAM:<8}{'':20}CONVENIENCE-STORE PAYMENTS (KONBINI SHUNO) - CONTROL TOTALS",
             f"{'':28}AGENT {agent_name:<8}  PROCESSING DATE (SHORI-BI) {d[:4]}/{d[4:6]}/{d[6:]}",
             "-" * 132, "",
             f"  {'PAYMENT RECORDS READ':<50}{edit_count(items.height)}",
             f"  {'POSTED AS PAYMENTS (TRAN-OUT, CHANNEL 3)':<50}{edit_count(ok.height)}",
             f"  {'AMOUNT POSTED (YEN)':<50}{edit_count(int(ok['amount'].sum() or 0), 12)}",
             f"  {'REJECTED (REJECT-OUT)':<50}{edit_count(items.height - ok.height)}"]
    for code, label in REASONS.items():
        lines.append(f"    {code}  {label:<44}{edit_count(int((items['reason'] == code).sum()))}")
    rc = 4 if items.height > ok.height else 0
    lines += ["", f"{PROGRAM} ENDED RETURN CODE{rc:>4}", "*** END OF REPORT ***"]
    return [line.rstrip() for line in lines]


def run(step) -> int:
    from engine.records.dataset import read_dataset, write_dataset
    name, _, date = (step.parm or "").strip().partition(",")
    if not (len(date) == 8 and date.isdigit()):
        step.log(f"{PROGRAM} PARM must be AGENT,YYYYMMDD, not {step.parm!r}")
        return 16
    try:
        agent = load_agent(name)
    except AgentError as exc:
        step.log(f"{PROGRAM} {exc}")
        return 16
    src = step.dd("RESULT-IN")
    records = pl.concat([read_dataset(p, agent["copybook"], encoding=agent.get("encoding", "cp932"),
                                      recfm=agent.get("recfm", "F"), keep_raw=False) for p in src.paths],
                        how="vertical")
    items = checked(records, agent, int(date))
    ok, bad = items.filter(pl.col("reason").is_null()), items.filter(pl.col("reason").is_not_null())
    tran, rej = step.dd("TRAN-OUT"), step.dd("REJECT-OUT")
    write_dataset(transactions(ok), tran.path, "NOFUTRN", encoding=tran.encoding)
    write_dataset(rejects(bad, name), rej.path, "KBREJECT", encoding=rej.encoding)
    src.count(read=records.height)
    tran.count(written=ok.height)
    rej.count(written=bad.height)
    with step.dd("REPORT").open_text() as fh:
        fh.write("".join(line + "\n" for line in report_lines(name, int(date), items)))
    step.log(f"{PROGRAM} AGENT {name}: {items.height} PAYMENTS, {ok.height} POSTED "
             f"({int(ok['amount'].sum() or 0)} YEN), {bad.height} REJECTED")
    return 4 if bad.height else 0
