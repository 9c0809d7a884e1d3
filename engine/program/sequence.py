"""Sequence checks that stop where the legacy stops.

A COBOL program checks each record's key against the one before as it reads
it, and ends the step at the first record out of order: everything before it
was processed, nothing after it. `first_out_of_order` finds that record in a
whole file at once.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.program.keys import compare_words, words


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
    w = words(keys)
    first = words(np.frombuffer(start, np.uint8)[None, :] if start is not None else np.zeros((1, k), np.uint8))
    c = np.concatenate([compare_words(w[:1], first), compare_words(w[1:], w[:-1])])
    bad = c <= 0 if strict else c < 0
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    prev = keys[i - 1].tobytes() if i else (start if start is not None else bytes(k))
    return SequenceBreak(i + 1, prev, keys[i].tobytes())


class RunningSequence:
    """`first_out_of_order` over a file read block by block: each block's first key
    is compared with the last key of the block before, and the record numbers
    count from the start of the file. `check_first=False` leaves the file's first
    record unchecked (a program that only compares from its second record on)."""

    def __init__(self, *, strict: bool, start: bytes | None = None, check_first: bool = True):
        self.strict = strict
        self.previous = start
        self.check_first = check_first
        self.records = 0

    def check(self, keys: np.ndarray) -> SequenceBreak | None:
        """The first break in this block (numbered in the whole file), or None."""
        keys = np.asarray(keys, np.uint8)
        if not len(keys):
            return None
        skip = 1 if self.previous is None and not self.check_first else 0
        start = keys[0].tobytes() if skip else self.previous
        bad = first_out_of_order(keys[skip:], strict=self.strict, start=start)
        if bad is not None:
            bad.record += self.records + skip
        self.previous = keys[-1].tobytes()
        self.records += len(keys)
        return bad
