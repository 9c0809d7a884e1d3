"""What the tax section's assessments share: installments, notice numbers and the
collection items (調定) they write into the collection master (SHUNOMST).

Notice numbers (通知書番号, SH-TSUCHI-NO, 10 digits) are the subject code (科目,
01 resident tax, 02 fixed-asset tax, 03 light-vehicle tax) followed by an 8-digit
sequence of the notices of that assessment, from `first` (1 for the initial
assessment of the year). With SH-NENDO and SH-KAMOKU in SH-KEY too, two subjects
can never meet; a later assessment of the same year and subject (a correction run)
starts after the highest number already in the collection master
(`next_notice_number`).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from engine.program.records import digits_value


LRECL = 100


def installments(frame: pl.DataFrame, tax: str = "tax", *, count: int = 4, unit: int = 1000,
                 small_unit: int | None = None) -> pl.DataFrame:
    """One row per installment (期別 `ki`, `amount`): installments 2..count are the tax
    / count truncated to `unit`, the first takes the rest (地方税法 20条の4の2 ⑥).
    When that is 0 the tax is split in `small_unit` if given (the law's 100-yen
    units for small amounts), else it is one installment."""
    t = pl.col(tax)
    q = t // (count * unit) * unit
    if small_unit:
        q = pl.when(q == 0).then(t // (count * small_unit) * small_unit).otherwise(q)
    return (frame.with_columns(_q=q)
            .with_columns(_n=pl.when(pl.col("_q") == 0).then(1).otherwise(count))
            .with_columns(ki=pl.int_ranges(1, pl.col("_n") + 1)).explode("ki")
            .with_columns(amount=pl.when(pl.col("ki") == 1).then(t - (pl.col("_n") - 1) * pl.col("_q"))
                          .otherwise(pl.col("_q")))
            .drop("_q", "_n"))


def collection_items(*, nendo: int, kamoku: int, items: pl.DataFrame, due: list[int], date: int) -> pl.DataFrame:
    """SHUNOMST records (as a frame of its fields) of new, unpaid installments: SH-KEY
    from the year, the subject, the notice sequence (`seq`) and the 期別 (`ki`); the
    payer (`kojin`); the due date of the 期別; the `amount` (an S9(11) field keeps
    its low-order digits, as a MOVE does); nothing paid; updated on `date`."""
    n = items.height
    zero = pl.lit(0, pl.Int64)
    return items.select(
        pl.lit(nendo, pl.Int64).alias("SH-NENDO"), pl.lit(kamoku, pl.Int64).alias("SH-KAMOKU"),
        (kamoku * 10 ** 8 + pl.col("seq").cast(pl.Int64)).alias("SH-TSUCHI-NO"),
        pl.col("ki").cast(pl.Int64).alias("SH-KIBETSU"), pl.col("kojin").cast(pl.Int64).alias("SH-KOJIN-NO"),
        pl.col("ki").cast(pl.Int64).replace_strict(list(range(1, len(due) + 1)), due).alias("SH-NOKIGEN"),
        (pl.col("amount").cast(pl.Int64) % 10 ** 11).alias("SH-CHOTEI-GAKU"),
        zero.alias("SH-NOFU-GAKU"), zero.alias("SH-KANPU-GAKU"), zero.alias("SH-ENTAI-GAKU"),
        zero.alias("SH-SHUNYU-BI"), zero.alias("SH-TOKUSOKU-BI"),
        pl.lit("0").alias("SH-JOTAI"), pl.lit("0").alias("SH-KOFURI-KBN"),
        pl.lit(date, pl.Int64).alias("SH-KOSHIN-BI"), zero.alias("SH-NOFU-KAISU")) if n else \
        pl.DataFrame(schema={c: (pl.String if c in ("SH-JOTAI", "SH-KOFURI-KBN") else pl.Int64) for c in SHUNOMST_FIELDS})


SHUNOMST_FIELDS = ("SH-NENDO", "SH-KAMOKU", "SH-TSUCHI-NO", "SH-KIBETSU", "SH-KOJIN-NO", "SH-NOKIGEN",
                   "SH-CHOTEI-GAKU", "SH-NOFU-GAKU", "SH-KANPU-GAKU", "SH-ENTAI-GAKU", "SH-SHUNYU-BI",
                   "SH-TOKUSOKU-BI", "SH-JOTAI", "SH-KOFURI-KBN", "SH-KOSHIN-BI", "SH-NOFU-KAISU")


def write_items(items: pl.DataFrame, path, *, encoding: str = "ascii", dialect: str | None = None) -> int:
    """The collection items through the SHUNOMST copybook (the engine's codecs)."""
    from engine.records import write_dataset
    return write_dataset(items, path, "SHUNOMST", encoding=encoding, dialect=dialect)


def notices_pdf(lines: np.ndarray, path, title: str) -> int:
    """The notices as PDF, each notice on a new sheet (after its '=' separator line)."""
    from engine.program.printfile import write_pdf
    sep = np.flatnonzero((lines[:, :100] == ord("=")).all(axis=1)) if len(lines) else np.zeros(0, int)
    return write_pdf([bytes(r) for r in lines], path, encoding="cp932", title=title,
                     page_starts=[0, *(sep + 1).tolist()])


def next_notice_number(master: np.ndarray | None, nendo: int, kamoku: int) -> int:
    """1 + the highest notice sequence of (nendo, kamoku) in collection-master bytes
    (n*100 or (n, 100)), 1 when there is none."""
    if master is None or master.size == 0:
        return 1
    rows = master.reshape(-1, LRECL)
    head = f"{nendo:04d}{kamoku:02d}{kamoku:02d}".encode()
    seq, numeric = digits_value(rows[:, 8:16])
    mine = (rows[:, :8] == np.frombuffer(head, np.uint8)).all(1) & numeric
    if not mine.any():
        return 1
    return int(seq[mine].max()) + 1


def slashed(date: int) -> bytes:
    """YYYYMMDD as printed on a notice: YYYY/MM/DD."""
    return f"{date // 10000:04d}/{date // 100 % 100:02d}/{date % 100:02d}".encode()


def notice_header(doc, seq: np.ndarray, *, title: bytes, nendo: int, kamoku: int, who: bytes,
                  kojin: np.ndarray, name: np.ndarray, date: int) -> None:
    """The first lines of each notice (sections 0-2 of `doc`, an engine.program.documents
    Documents): a line of '=' between two notices, the title with the fiscal year and
    the notice number, then the payer's number and name and the day it was issued."""
    from engine.program.printfile import edit, put
    doc.text(seq[1:], 0, (1, b"=" * 100))
    head = doc.text(seq, 1, (1, title), (61, f"FISCAL YEAR {nendo:04d}   NOTICE NO. {kamoku:02d}".encode()))
    put(head, 93, edit(seq, "99999999"))
    col = len(who) + 1
    head = doc.text(seq, 2, (1, who), (col + 42, b"   ISSUED ON " + slashed(date)))
    put(head, col, kojin)
    put(head, col + 12, name)
