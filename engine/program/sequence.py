"""Sequence checks that stop where the legacy stops.

A COBOL program checks each record's key against the one before as it reads
it, and ends the step at the first record out of order: everything before it
was processed, nothing after it. `first_out_of_order` finds that record in a
whole file at once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.program.keys import compare


@dataclass
class SequenceBreak:
    """The first record out of order: its number (1-based, as the legacy counts)
    and the keys before and at it (the bytes)."""
    record: int
    previous: bytes
    current: bytes


def first_out_of_order(keys: np.ndarray, *, strict: bool, start: bytes | None = None) -> SequenceBreak | None:
    """The first record whose key is lower than the one before (`strict`: lower
    or equal), or None. `start` is the key the program compares the first
    record with (LOW-VALUES by default, which only a strict check can trip on)."""
    keys = np.asarray(keys, np.uint8)
    n, k = keys.shape
    if n == 0:
        return None
    prev = np.empty_like(keys)
    prev[0] = np.frombuffer(start, np.uint8) if start is not None else 0
    prev[1:] = keys[:-1]
    c = compare(keys, prev)
    bad = c <= 0 if strict else c < 0
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    return SequenceBreak(i + 1, prev[i].tobytes(), keys[i].tobytes())
