"""Fixed-width keys compared as COBOL compares alphanumeric items: byte by byte
(the native collating sequence), equal lengths.

Keys are (n, k) uint8 matrices (a field sliced out of the records). `key_ranks`
turns one or more such matrices into int64 dense ranks that order exactly as
the bytes do, so that everything else (sorting, searchsorted, merging two
files) is integer work. NumPy's `S` dtype is not used: it ignores trailing
NUL bytes in comparisons.
"""
from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa


def as_binary(keys: np.ndarray) -> pl.Series:
    """(n, k) uint8 -> a Polars Binary series (no copy through Python objects)."""
    keys = np.ascontiguousarray(keys, dtype=np.uint8)
    n, k = keys.shape
    arr = pa.FixedSizeBinaryArray.from_buffers(pa.binary(k), n, [None, pa.py_buffer(keys)])
    return pl.Series("key", arr.cast(pa.large_binary()) if k else pa.array([b""] * n, pa.large_binary()))


def words(keys: np.ndarray) -> np.ndarray:
    """(n, k) uint8 -> (n, ceil(k/8)) uint64 big-endian words: rows compare
    lexicographically word by word exactly as the bytes do."""
    keys = np.asarray(keys, dtype=np.uint8)
    n, k = keys.shape
    w = -(-k // 8) or 1
    padded = np.zeros((n, w * 8), np.uint8)
    padded[:, :k] = keys
    return padded.view(">u8").astype(np.uint64)


def compare(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise comparison of two (n, k) key matrices: -1, 0 or 1 (int8)."""
    return compare_words(words(a), words(b))


def compare_words(wa: np.ndarray, wb: np.ndarray) -> np.ndarray:
    """`compare` on keys already turned into `words` (one pass per 8-byte word)."""
    out = np.zeros(len(wa), np.int8)
    undecided = np.ones(len(wa), bool)
    for j in range(wa.shape[1]):
        x, y = wa[:, j], wb[:, j]
        out[undecided & (x < y)] = -1
        out[undecided & (x > y)] = 1
        undecided &= x == y
    return out


def key_ranks(*keys: np.ndarray) -> list[np.ndarray]:
    """Dense ranks (int64, from 0) of the keys of several matrices of the same
    width, on one scale: equal bytes give equal ranks, and ranks order as bytes."""
    widths = {k.shape[1] for k in keys}
    if len(widths) != 1:
        raise ValueError(f"keys of different widths {sorted(widths)}")
    sizes = [len(k) for k in keys]
    if widths == {0} or sum(sizes) == 0:
        return [np.zeros(s, np.int64) for s in sizes]
    w = words(np.concatenate(keys)) if len(keys) > 1 else words(keys[0])
    if w.shape[1] == 1:
        _, inv = np.unique(w[:, 0], return_inverse=True)
    else:
        order = np.lexsort(w.T[::-1])
        ws = w[order]
        new = np.ones(len(ws), np.int64)
        new[1:] = (ws[1:] != ws[:-1]).any(axis=1)
        inv = np.empty(len(ws), np.int64)
        inv[order] = np.cumsum(new) - 1
    inv = np.asarray(inv, np.int64).reshape(-1)
    out, start = [], 0
    for s in sizes:
        out.append(inv[start:start + s])
        start += s
    return out
