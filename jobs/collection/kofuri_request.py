"""KOFURI1 — the account-transfer request (口座振替依頼データ) for one debit day.

Every unpaid or partly paid item of the collection master that is due on the debit
day and marked for account transfer (SH-KOFURI-KBN '1') is debited for its unpaid
amount from its payer's account (口座マスタ, KOZAMST: the account for the item code,
else the payer's account for every item, KZ-KAMOKU 00; valid on the debit day).
The request is a Zengin file (JIS or EBCDIC by コード区分) in master order; the
customer number (顧客番号) is the item's SH-KEY, which is how the result comes back.
Items that cannot be requested are listed in the REPORT with their reason:
NA no valid account, NM a name the Zengin character set cannot carry, AM an
amount over 10 digits.

DDs: MASTER-IN (SHUNOMST), ACCOUNT-IN (KOZAMST), REQUEST-OUT (Zengin), SYSIN
(the consignor: NAME=VALUE lines), REPORT. PARM: the debit date YYYYMMDD.
"""
from __future__ import annotations

import polars as pl

from engine.errors import DensanError
from jobs.collection.zengin import ZENGIN_TEXT, Consignor, write_request
from engine.program.control_report import edit_count

PROGRAM = "KOFURI1"
MASTER_COLUMNS = ["SH-NENDO", "SH-KAMOKU", "SH-TSUCHI-NO", "SH-KIBETSU", "SH-KOJIN-NO", "SH-NOKIGEN",
                  "SH-CHOTEI-GAKU", "SH-NOFU-GAKU", "SH-JOTAI", "SH-KOFURI-KBN"]
CONSIGNOR_FIELDS = {"ITAKUSHA-CODE": int, "ITAKUSHA-NAME": str, "BANK-NO": int, "BANK-NAME": str,
                    "BRANCH-NO": int, "BRANCH-NAME": str, "YOKIN-SHUMOKU": int, "KOZA-NO": int,
                    "CODE-KUBUN": str}
REASONS = {"NA": "NO VALID ACCOUNT (KOZA MASTER)", "NM": "NAME NOT IN THE ZENGIN CHARACTER SET",
           "AM": "AMOUNT OVER 10 DIGITS"}


class ControlError(DensanError):
    """A consignor control statement that cannot be used as written."""


def parse_consignor(text: str, source: str = "SYSIN") -> tuple[Consignor, str]:
    """NAME=VALUE lines ('*' starts a comment): the consignor and the コード区分."""
    values: dict[str, object] = {}
    for no, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("*"):
            continue
        name, eq, value = line.partition("=")
        name = name.strip().upper()
        if not eq or name not in CONSIGNOR_FIELDS:
            raise ControlError(f"{source} line {no} column 1: expected NAME=VALUE with NAME one of "
                               f"{', '.join(CONSIGNOR_FIELDS)}: {line.strip()!r}")
        value = value.strip()
        if CONSIGNOR_FIELDS[name] is int:
            if not value.isdigit():
                raise ControlError(f"{source} line {no} column {line.index('=') + 2}: {name} must be "
                                   f"digits, not {value!r}")
            values[name] = int(value)
        else:
            if not ZENGIN_TEXT.fullmatch(value):
                raise ControlError(f"{source} line {no}: {name} {value!r} has characters a Zengin "
                                   "file cannot carry (space ( ) - . 0-9 A-Z half-width katakana)")
            values[name] = value
    missing = [n for n in CONSIGNOR_FIELDS if n not in values and n != "CODE-KUBUN"]
    if missing:
        raise ControlError(f"{source}: missing {', '.join(missing)}",
                           hint="give the city's consignor code, name and collecting account")
    kubun = str(values.get("CODE-KUBUN", "0"))
    if kubun not in ("0", "1"):
        raise ControlError(f"{source}: CODE-KUBUN must be 0 (JIS) or 1 (EBCDIC), not {kubun!r}")
    c = Consignor(values["ITAKUSHA-CODE"], values["ITAKUSHA-NAME"], values["BANK-NO"], values["BANK-NAME"],
                  values["BRANCH-NO"], values["BRANCH-NAME"], values["YOKIN-SHUMOKU"], values["KOZA-NO"])
    return c, kubun


def select_items(master: pl.DataFrame, accounts: pl.DataFrame, debit_date: int) -> pl.DataFrame:
    """The items to debit on `debit_date`, in master order, with their account and
    a reason (null when it can be requested)."""
    items = (master.with_row_index("order")
             .filter((pl.col("SH-KOFURI-KBN") == "1") & pl.col("SH-JOTAI").is_in(["0", "1"])
                     & (pl.col("SH-NOKIGEN") == debit_date)
                     & (pl.col("SH-CHOTEI-GAKU") > pl.col("SH-NOFU-GAKU")))
             .with_columns(amount=pl.col("SH-CHOTEI-GAKU") - pl.col("SH-NOFU-GAKU"),
                           customer=pl.col("SH-NENDO") * 10**14 + pl.col("SH-KAMOKU") * 10**12
                           + pl.col("SH-TSUCHI-NO") * 100 + pl.col("SH-KIBETSU")))
    valid = accounts.filter((pl.col("KZ-KAISHI-BI") <= debit_date)
                            & ((pl.col("KZ-TEISHI-BI") == 0) | (pl.col("KZ-TEISHI-BI") > debit_date)))
    acct = valid.select(pl.col("KZ-KOJIN-NO").alias("SH-KOJIN-NO"), pl.col("KZ-KAMOKU"),
                        bank_no="KZ-BANK-NO", bank_name="KZ-BANK-NAME", branch_no="KZ-BRANCH-NO",
                        branch_name="KZ-BRANCH-NAME", kind="KZ-YOKIN-SHUMOKU", account="KZ-KOZA-NO",
                        holder="KZ-YOKINSHA-NAME", new_code="KZ-SHINKI-CODE")
    own = items.join(acct.rename({"KZ-KAMOKU": "SH-KAMOKU"}), on=["SH-KOJIN-NO", "SH-KAMOKU"], how="left")
    common = items.select("order", "SH-KOJIN-NO").join(
        acct.filter(pl.col("KZ-KAMOKU") == 0).drop("KZ-KAMOKU"), on="SH-KOJIN-NO", how="left")
    cols = ["bank_no", "bank_name", "branch_no", "branch_name", "kind", "account", "holder", "new_code"]
    own = own.sort("order").with_columns(
        pl.when(pl.col("bank_no").is_null()).then(common.sort("order")[c]).otherwise(pl.col(c)).alias(c)
        for c in cols)
    text_ok = pl.all_horizontal(pl.col(c).str.contains(f"^{ZENGIN_TEXT.pattern}$")
                                for c in ("holder", "bank_name", "branch_name"))
    return own.with_columns(reason=pl.when(pl.col("bank_no").is_null()).then(pl.lit("NA"))
                            .when(~text_ok).then(pl.lit("NM"))
                            .when(pl.col("amount") > 9_999_999_999).then(pl.lit("AM")))


def report_lines(debit_date: int, items: pl.DataFrame, code_kubun: str) -> list[str]:
    ok = items.filter(pl.col("reason").is_null())
    bad = items.filter(pl.col("reason").is_not_null())
    d = str(debit_date)
    lines = [f"{PROGRAM:<8}{'':20}ACCOUNT TRANSFER REQUEST (KOZA FURIKAE IRAI) - CONTROL TOTALS",
             f"{'':28}DEBIT DATE (HIKIOTOSHI-BI) {d[:4]}/{d[4:6]}/{d[6:]}    CODE KUBUN {code_kubun}"
             f" ({'JIS' if code_kubun == '0' else 'EBCDIC'})", "-" * 132, "",
             f"  {'ITEMS DUE WITH ACCOUNT TRANSFER':<50}{edit_count(items.height)}",
             f"  {'REQUESTED (ZENGIN DATA RECORDS)':<50}{edit_count(ok.height)}",
             f"  {'REQUESTED AMOUNT (YEN)':<50}{edit_count(int(ok['amount'].sum()), 12)}",
             f"  {'NOT REQUESTED':<50}{edit_count(bad.height)}"]
    for code, label in REASONS.items():
        lines.append(f"    {code}  {label:<44}{edit_count(int((bad['reason'] == code).sum()))}")
    if bad.height:
        lines += ["", "ITEMS NOT REQUESTED", "", "  REASON  SH-KEY              KOJIN-NO          AMOUNT"]
        for r in bad.head(10_000).iter_rows(named=True):
            lines.append(f"  {r['reason']:<8}{r['customer']:018d}  {r['SH-KOJIN-NO']:010d}  "
                         f"{edit_count(int(r['amount']), 12)}")
    lines += ["", f"{PROGRAM} ENDED RETURN CODE{(4 if bad.height else 0):>4}", "*** END OF REPORT ***"]
    return [line.rstrip() for line in lines]


def run(step) -> int:
    parm = (step.parm or "").strip()
    if not (len(parm) == 8 and parm.isdigit()):
        step.log(f"{PROGRAM} PARM must be the debit date YYYYMMDD, not {parm!r}")
        return 16
    debit_date = int(parm)
    sysin = step.dd("SYSIN")
    text = sysin.inline if sysin.inline is not None else "\n".join(
        p.read_text(encoding="utf-8") for p in sysin.paths)
    try:
        consignor, kubun = parse_consignor(text)
    except ControlError as exc:
        step.log(f"{PROGRAM} {exc}")
        return 16
    master = step.dd("MASTER-IN").read(columns=MASTER_COLUMNS, keep_raw=False)
    accounts = step.dd("ACCOUNT-IN").read(keep_raw=False)
    items = select_items(master, accounts, debit_date)
    requested = items.filter(pl.col("reason").is_null())
    crlf = step.dd("REQUEST-OUT").recfm == "LS"
    write_request(requested, consignor, debit_date, step.dd("REQUEST-OUT").path, code_kubun=kubun, crlf=crlf)
    step.dd("REQUEST-OUT").count(written=requested.height + 3)
    lines = report_lines(debit_date, items, kubun)
    with step.dd("REPORT").open_text() as fh:
        fh.write("".join(line + "\n" for line in lines))
    step.log(f"{PROGRAM} DEBIT DATE {debit_date}: {items.height} ITEMS DUE, {requested.height} REQUESTED "
             f"({int(requested['amount'].sum())} YEN), {items.height - requested.height} NOT REQUESTED")
    return 4 if items.height > requested.height else 0
