"""Validation with reason codes: the checks in the legacy's order, the first
failure wins, and the rejected records written with their reason.

    reason = first_failure([
        ("IV", ~numeric(key) | ~numeric(renban)),
        ("DT", ~is_valid_date(ido_bi) | (ido_bi > parm)),
        ...
    ])

Each check is a boolean "fails" array or expression over all records; a check
that only makes sense when the earlier ones passed (a date that is not digits)
may fail or pass there: an earlier failure hides it. The result is the code of
the first failing check per record, "" (or None for Polars) where all pass.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import polars as pl


def first_failure(checks: Sequence[tuple[str, object]], *, ok: str = ""):
    """The reason code of the first failing check per record.

    With NumPy bool arrays: a NumPy unicode array ("" where every check passes).
    With Polars expressions: a String expression (null where every check passes).
    """
    if not checks:
        raise ValueError("no checks")
    if any(isinstance(c, pl.Expr) for _, c in checks):
        expr = None
        for code, fails in checks:
            expr = pl.when(fails).then(pl.lit(code)) if expr is None else expr.when(fails).then(pl.lit(code))
        return expr.otherwise(pl.lit(None, pl.String))
    width = max(len(code) for code, _ in checks)
    fails = [np.asarray(c, dtype=bool) for _, c in checks]
    return np.select(fails, [code for code, _ in checks], default=ok).astype(f"U{max(width, len(ok), 1)}")


def reason_counts(reasons: np.ndarray, codes: Sequence[str], groups: np.ndarray | None = None,
                  n_groups: int = 1) -> np.ndarray:
    """Counts of each reason code (columns, in `codes` order) per group (rows):
    the rejected-by-reason table of a control-total report."""
    reasons = np.asarray(reasons)
    g = np.zeros(len(reasons), np.int64) if groups is None else np.asarray(groups, np.int64)
    out = np.zeros((n_groups, len(codes)), np.int64)
    for j, code in enumerate(codes):
        hit = reasons == code
        out[:, j] = np.bincount(g[hit], minlength=n_groups)[:n_groups]
    return out


def reject_records(records: np.ndarray, reasons: np.ndarray, lrecl: int, *,
                   at: int | None = None, fill: int = 0x20, encode=None) -> np.ndarray:
    """Reject records: each input record as read, its reason code right after it
    (or at byte offset `at`), the rest `fill` (spaces): (n, lrecl) uint8.
    `encode` turns the code text into bytes (the data's code page; ASCII by default)."""
    records = np.asarray(records, np.uint8)
    n, width = records.shape
    at = width if at is None else at
    out = np.full((n, lrecl), fill, np.uint8)
    out[:, :width] = records
    codes = np.asarray(reasons)
    if n:
        uniq, inv = np.unique(codes, return_inverse=True)
        enc = encode or (lambda s: s.encode("ascii"))
        table = [np.frombuffer(enc(str(u)), np.uint8) for u in uniq]
        size = max(len(t) for t in table)
        tab = np.full((len(uniq), size), fill, np.uint8)
        for i, t in enumerate(table):
            tab[i, :len(t)] = t
        out[:, at:at + size] = tab[inv.reshape(-1)]
    return out
