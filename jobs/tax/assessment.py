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

from jobs.tax import printlines as pr

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


def collection_items(*, nendo: int, kamoku: int, seq: np.ndarray, ki: np.ndarray, kojin: np.ndarray,
                     due: list[bytes], amount: np.ndarray, date: int) -> np.ndarray:
    """SHUNOMST records (n, 100) of new, unpaid installments: SH-KEY from the year,
    subject, notice sequence and 期別; the payer (kojin: (n, 10) bytes or integers);
    the due date of the 期別; the amount packed (sign C); nothing paid; updated on
    `date`."""
    n = len(seq)
    out = pr.blank(n, LRECL)
    k = f"{kamoku:02d}".encode()
    pr.put(out, 0, f"{nendo:04d}".encode() + k + k)
    pr.put(out, 8, pr.digits(seq, 8))
    pr.put(out, 16, pr.digits(ki, 2))
    pr.put(out, 18, kojin if kojin.ndim == 2 else pr.digits(kojin, 10))
    dates = np.frombuffer(b"".join(due), dtype=np.uint8).reshape(len(due), 8)
    pr.put(out, 28, dates[np.asarray(ki) - 1])
    pr.put(out, 36, pr.packed(np.asarray(amount) % 10 ** 11, 6))
    zero = np.zeros(n, dtype=np.int64)
    pr.put(out, 42, pr.packed(zero, 6))
    pr.put(out, 48, pr.packed(zero, 6))
    pr.put(out, 54, pr.packed(zero, 5))
    pr.put(out, 59, b"0" * 16 + b"00" + f"{date:08d}".encode() + b"\x00\x0f")
    return out


def next_notice_number(master: np.ndarray | None, nendo: int, kamoku: int) -> int:
    """1 + the highest notice sequence of (nendo, kamoku) in collection-master bytes
    (n*100 or (n, 100)), 1 when there is none."""
    if master is None or master.size == 0:
        return 1
    rows = master.reshape(-1, LRECL)
    head = f"{nendo:04d}{kamoku:02d}{kamoku:02d}".encode()
    mine = (rows[:, :8] == np.frombuffer(head, np.uint8)).all(1) & pr.all_digits(rows[:, 8:16])
    if not mine.any():
        return 1
    return int(pr.digit_values(rows[mine, 8:16]).max()) + 1
