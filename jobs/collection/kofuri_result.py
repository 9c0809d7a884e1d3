"""KOFURI2 — posting the bank's account-transfer result (口座振替結果) back.

The result must answer the request sent (REQUEST-IN) record for record, with
totals that add up (zengin.check_result); otherwise the step ends with RC 16, says
which record and field differ, and writes nothing. Each debited record (result
code 0) becomes a channel-4 payment (NOFUTRN, 口座振替) for SHUNO01 dated the
debit day; every other record goes to the list of transfers not made (KFFUNO),
by result code, and the REPORT totals them by code.

DDs: REQUEST-IN, RESULT-IN (Zengin), TRAN-OUT (NOFUTRN), UNPAID-OUT (KFFUNO),
REPORT. PARM: the debit date YYYYMMDD[,K] (K: コード区分 0 JIS, 1 EBCDIC; default 0).
"""
from __future__ import annotations

import polars as pl

from engine.program.control_report import edit_count
from jobs.collection.zengin import DATA, HEADER, RESULT_CODES, ZenginError, check_result, read

PROGRAM = "KOFURI2"
CHANNEL_KOFURI = "4"


def payments(data: pl.DataFrame, debit_date: int) -> pl.DataFrame:
    """NOFUTRN rows of the debited records (code 0), in file order."""
    key = pl.col("ZD-KOKYAKU-NO").cast(pl.Int64)
    return (data.filter(pl.col("ZD-FURIKAE-KEKKA") == 0)
            .select(pl.lit(None).alias("_"), (key // 10**14).alias("NT-NENDO"),
                    (key // 10**12 % 100).alias("NT-KAMOKU"), (key // 100 % 10**10).alias("NT-TSUCHI-NO"),
                    (key % 100).alias("NT-KIBETSU"), pl.lit(CHANNEL_KOFURI).alias("NT-CHANNEL"),
                    pl.lit(debit_date).alias("NT-SHUNYU-BI"),
                    pl.col("ZD-HIKIOTOSHI-GAKU").alias("NT-NOFU-GAKU"), pl.lit(0).alias("NT-ENTAI-GAKU"),
                    (pl.col("__record_no__") - 1).alias("NT-RENBAN"))
            .drop("_"))


def not_debited(data: pl.DataFrame, debit_date: int) -> pl.DataFrame:
    """KFFUNO rows of the records with a result code other than 0, by code and key."""
    return (data.filter(pl.col("ZD-FURIKAE-KEKKA") != 0)
            .select(pl.col("ZD-FURIKAE-KEKKA").alias("KF-KEKKA"),
                    pl.col("ZD-KOKYAKU-NO").cast(pl.Int64).cast(pl.String).str.zfill(18).alias("KF-KEY"),
                    pl.lit(debit_date).alias("KF-HIKIOTOSHI-BI"),
                    pl.col("ZD-HIKIOTOSHI-GAKU").alias("KF-GAKU"), pl.col("ZD-BANK-NO").alias("KF-BANK-NO"),
                    pl.col("ZD-BRANCH-NO").alias("KF-BRANCH-NO"), pl.col("ZD-KOZA-NO").alias("KF-KOZA-NO"),
                    pl.col("__record_no__").alias("KF-RECORD-NO"))
            .sort("KF-KEKKA", "KF-KEY"))


def by_code(data: pl.DataFrame) -> pl.DataFrame:
    return (pl.DataFrame({"code": list(RESULT_CODES)}, schema={"code": pl.Int64})
            .join(data.group_by(pl.col("ZD-FURIKAE-KEKKA").alias("code"))
                  .agg(count=pl.len(), amount=pl.col("ZD-HIKIOTOSHI-GAKU").sum()), on="code", how="left")
            .fill_null(0))


def report_lines(debit_date: int, data: pl.DataFrame, rc: int, error: str | None = None) -> list[str]:
    d = str(debit_date)
    lines = [f"{PROGRAM:<8}{'':20}ACCOUNT TRANSFER RESULT (KOZA FURIKAE KEKKA) - CONTROL TOTALS",
             f"{'':28}DEBIT DATE (HIKIOTOSHI-BI) {d[:4]}/{d[4:6]}/{d[6:]}", "-" * 132, ""]
    if error is None:
        lines.append(f"  {'RESULT CODE':<50}{'COUNT':>11}{'AMOUNT (YEN)':>17}")
        for r in by_code(data).iter_rows(named=True):
            lines.append(f"  {r['code']} {RESULT_CODES[r['code']]:<48}{edit_count(r['count'])}"
                         f"  {edit_count(r['amount'], 12)}")
        lines.append(f"  {'TOTAL':<50}{edit_count(data.height)}  "
                     f"{edit_count(int(data['ZD-HIKIOTOSHI-GAKU'].sum()), 12)}")
        lines.append("")
        lines.append(f"  {'PAYMENTS WRITTEN (TRAN-OUT, CHANNEL 4)':<50}"
                     f"{edit_count(int((data['ZD-FURIKAE-KEKKA'] == 0).sum()))}")
        lines.append(f"  {'NOT DEBITED (UNPAID-OUT)':<50}"
                     f"{edit_count(int((data['ZD-FURIKAE-KEKKA'] != 0).sum()))}")
    else:
        lines += ["*** RESULT FILE REFUSED - NOTHING POSTED ***", error[:132]]
    lines += ["", f"{PROGRAM} ENDED RETURN CODE{rc:>4}", "*** END OF REPORT ***"]
    return [line.rstrip() for line in lines]


def post_result(request_path, result_path, debit_date: int, *, code_kubun: str = "0"):
    """(payments, not debited, result data) of a result file that answers its request;
    ZenginError otherwise (nothing is returned, so nothing can be written)."""
    request = read(request_path, code_kubun=code_kubun, what="request")
    result = read(result_path, code_kubun=code_kubun, what="result")
    if result[HEADER]["ZH-HIKIOTOSHI-BI"][0] != debit_date % 10000:
        raise ZenginError(f"result {result_path}: debit day {result[HEADER]['ZH-HIKIOTOSHI-BI'][0]:04d} "
                          f"in the header, the PARM says {debit_date}")
    check_result(request, result, where=f"result {result_path}")
    data = result[DATA]
    return payments(data, debit_date), not_debited(data, debit_date), data


def run(step) -> int:
    from engine.records.dataset import write_dataset
    parm = (step.parm or "").strip()
    date, _, kubun = parm.partition(",")
    kubun = kubun or "0"
    if not (len(date) == 8 and date.isdigit()) or kubun not in ("0", "1"):
        step.log(f"{PROGRAM} PARM must be the debit date YYYYMMDD[,K] with K 0 (JIS) or 1 (EBCDIC), "
                 f"not {parm!r}")
        return 16
    debit_date = int(date)
    try:
        pay, unpaid, data = post_result(step.dd("REQUEST-IN").path, step.dd("RESULT-IN").path, debit_date,
                                        code_kubun=kubun)
    except ZenginError as exc:
        step.log(f"{PROGRAM} RESULT FILE REFUSED, NOTHING POSTED: {exc.message}")
        if exc.hint:
            step.log(f"{PROGRAM}   what to do: {exc.hint}")
        with step.dd("REPORT").open_text() as fh:
            fh.write("".join(line + "\n" for line in report_lines(debit_date, None, 16, exc.message)))
        return 16
    tran, funo = step.dd("TRAN-OUT"), step.dd("UNPAID-OUT")
    write_dataset(pay, tran.path, "NOFUTRN", encoding=tran.encoding)
    write_dataset(unpaid, funo.path, "KFFUNO", encoding=funo.encoding)
    tran.count(written=pay.height)
    funo.count(written=unpaid.height)
    with step.dd("REPORT").open_text() as fh:
        fh.write("".join(line + "\n" for line in report_lines(debit_date, data, 0)))
    step.log(f"{PROGRAM} DEBIT DATE {debit_date}: {data.height} RESULTS, {pay.height} DEBITED "
             f"({int(pay['NT-NOFU-GAKU'].sum())} YEN), {unpaid.height} NOT DEBITED")
    return 0
