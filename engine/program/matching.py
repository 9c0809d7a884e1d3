"""Two-file matching by key, control breaks and group totals.

Both files are in key order, as a COBOL matching program expects; keys are
(n, k) byte matrices compared as bytes (engine.program.keys).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from engine.program.keys import key_ranks


@dataclass
class Match:
    """Where each record of the right file finds its key in the left file."""
    left_index: np.ndarray     # int64 per right record: the first left record with its key, or -1
    left_count: np.ndarray     # int64 per right record: how many left records have its key
    right_count: np.ndarray    # int64 per left record: how many right records have its key

    @property
    def matched(self) -> np.ndarray:
        return self.left_index >= 0


def match(left_keys: np.ndarray, right_keys: np.ndarray) -> Match:
    """Match two key-ordered files (duplicates allowed on either side)."""
    rl, rr = key_ranks(left_keys, right_keys)
    lo = np.searchsorted(rl, rr, side="left")
    hi = np.searchsorted(rl, rr, side="right")
    left_index = np.where(hi > lo, lo, -1).astype(np.int64)
    right_count = (np.searchsorted(rr, rl, side="right") - np.searchsorted(rr, rl, side="left")).astype(np.int64)
    return Match(left_index, (hi - lo).astype(np.int64), right_count)


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Control breaks: True on the first record of each run of equal keys."""
    keys = np.asarray(keys)
    if keys.ndim == 1:
        keys = keys[:, None]
    first = np.ones(len(keys), bool)
    if len(keys) > 1:
        first[1:] = (keys[1:] != keys[:-1]).any(axis=1)
    return first


def rank_in_group(keys: np.ndarray) -> np.ndarray:
    """0 for the first record of each key, 1 for the second, ... (file order)."""
    first = group_starts(keys)
    idx = np.arange(len(first))
    start = np.maximum.accumulate(np.where(first, idx, 0)) if len(first) else idx
    return idx - start


def group_totals(frame: pl.DataFrame | pl.LazyFrame, by: list[str], sums: list[str],
                 *, count: str | None = "COUNT", grand_total: bool = False):
    """Totals per control group, in the order the groups first appear (the
    order a control-break report prints them); with `grand_total` a last row
    with the by-columns null holds the totals over everything."""
    lazy = frame.lazy()
    aggs = [pl.col(c).sum() for c in sums] + ([pl.len().alias(count)] if count else [])
    out = lazy.group_by(by, maintain_order=True).agg(aggs)
    if grand_total:
        total = lazy.select(aggs).with_columns([pl.lit(None).alias(b) for b in by])
        out = pl.concat([out, total.select(out.collect_schema().names())], how="vertical_relaxed")
    return out.collect() if isinstance(frame, pl.DataFrame) else out
