"""Sort keys as bytes whose unsigned order is the DFSORT order of the fields.

Each control field becomes a fixed-width byte column: CH and BI as they are (so EBCDIC
data sorts in EBCDIC order — never through Unicode), FI with the sign bit flipped, AC
through the code page's ASCII rank, ZD/PD of up to 18 digits as their value in 8 bytes
(big-endian, sign bit flipped), longer ones as a sign byte (0 negative, 1 otherwise)
followed by the digits (nines' complement when negative); -0 equals 0 either way. D
fields are inverted. The columns laid side by side form one normalised key per record; records
with equal keys are the SUM duplicates, and sorting the key sorts the records — one
stable sort of plain integers, whatever the formats.
"""
from __future__ import annotations

import numpy as np

from engine.sort import formats
from engine.sort.batch import Batch, CodePageInfo, Sources
from engine.sort.model import Field, Key


def field_block(batch: Batch, f: Field, sources: Sources, what: str) -> np.ndarray:
    """The (n, m) bytes of a field, checking every record is long enough to hold it."""
    from engine.errors import SortStatementError
    end = f.pos + f.length - 1
    if len(batch) == 0:
        return np.zeros((0, f.length), np.uint8)
    if end > batch.width and not batch.variable:
        raise SortStatementError(f"{what}: field {f} (line {f.line}) ends at byte {end}, "
                                 f"after the end of the record ({batch.width} bytes)",
                                 hint="check the positions against the record layout (V records: data starts at 5)")
    short = batch.lengths < end
    if short.any():
        row = int(np.argmax(short))
        size = f"{int(batch.lengths[row])} bytes" + (" with its RDW" if batch.variable else "")
        raise sources.error(f"{what}: the record is {size}, too short for field {f}", batch, row,
                            hint="every record must contain the whole field")
    return batch.data[:, f.pos - 1:end]


def check_numeric(batch: Batch, block: np.ndarray, bad: np.ndarray, f: Field, sources: Sources,
                  what: str) -> None:
    if bad.any():
        row = int(np.argmax(bad))
        raise sources.error(f"{what}: invalid {f.fmt} data in field {f} (the host abends S0C7)",
                            batch, row, field=f"{f}", data=bytes(block[row]),
                            hint=f"correct the data, or compare the field as CH instead of {f.fmt}")


def numeric_key(neg: np.ndarray, digits: np.ndarray, width: int | None = None) -> np.ndarray:
    """Sign byte + digits, order-preserving; left-padded with zero digits to `width`."""
    n, d = digits.shape
    width = d if width is None else width
    out = np.empty((n, 1 + width), np.uint8)
    out[:, 0] = np.where(neg, 0, 1)
    body = out[:, 1:]
    body[:, :width - d] = 0
    body[:, width - d:] = digits
    np.subtract(9, body, out=body, where=neg[:, None])
    return out


def field_key(batch: Batch, f: Field, cp: CodePageInfo, sources: Sources, what: str,
              width: int | None = None) -> np.ndarray:
    """One field as order-preserving bytes (ascending)."""
    block = field_block(batch, f, sources, what)
    if f.fmt in ("CH", "BI", "SS"):
        return block
    if f.fmt == "AC":
        return cp.ascii_rank[block]
    if f.fmt == "FI":
        out = block.copy()
        out[:, 0] ^= 0x80
        return out
    neg, digits, bad = formats.decimal_digits(block, f.fmt, cp.is_ebcdic)
    check_numeric(batch, block, bad, f, sources, what)
    if width is None and digits.shape[1] <= 18:
        # compact form: the value as a 64-bit integer with the sign bit flipped, big-endian
        value = formats.digits_value(neg, digits).view(np.uint64) ^ np.uint64(1 << 63)
        return value.astype(">u8").view(np.uint8).reshape(len(value), 8)
    return numeric_key(neg, digits, width)


def normalised_keys(batch: Batch, keys: list[Key], cp: CodePageInfo, sources: Sources,
                    what: str = "SORT FIELDS") -> np.ndarray:
    """All control fields of every record as one (n, k) byte array."""
    parts = []
    for key in keys:
        part = field_key(batch, key.field, cp, sources, what)
        if key.descending:
            part = np.uint8(255) - part
        parts.append(part)
    if not parts:
        return np.zeros((len(batch), 0), np.uint8)
    return np.ascontiguousarray(np.concatenate(parts, axis=1))


def _key_words(keys: np.ndarray) -> dict[str, np.ndarray]:
    """The key bytes as big-endian uint64 columns (zero padded), for a multi-column sort."""
    n, k = keys.shape
    words = max(1, -(-k // 8))
    padded = np.zeros((n, words * 8), np.uint8)
    padded[:, :k] = keys
    as_u64 = padded.view(">u8").astype(np.uint64)
    return {f"k{i}": as_u64[:, i] for i in range(words)}


def sort_order(keys: np.ndarray) -> np.ndarray:
    """Row order sorting the keys ascending, ties in input order (stable).

    The key bytes are read as big-endian 64-bit words and sorted least significant word
    first with NumPy's stable argsort (an LSD radix over words). Byte columns that hold
    one value in every record are dropped first: they cannot change the order. Measured
    on the 5.3M-record master (18-byte key) this is about four times faster than Polars'
    multi-column `sort(maintain_order=True)`, which gives the same order.
    """
    n = len(keys)
    if n < 2 or keys.shape[1] == 0:
        return np.arange(n, dtype=np.int64)
    varying = (keys != keys[0]).any(axis=0)
    if not varying.any():
        return np.arange(n, dtype=np.int64)
    if not varying.all():
        keys = keys[:, varying]
    words = _key_words(np.ascontiguousarray(keys))
    order = None
    for name in reversed(list(words)):
        word = words[name]
        if order is None:
            order = np.argsort(word, kind="stable")
        else:
            order = order[np.argsort(word[order], kind="stable")]
    return order.astype(np.int64, copy=False)


def compare_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """-1 / 0 / 1 per row: a against b, compared as unsigned bytes (b may be one row)."""
    a = np.asarray(a, np.uint8)
    b = np.asarray(b, np.uint8)
    if b.ndim == 1:
        b = np.broadcast_to(b, a.shape)
    n = len(a)
    if a.shape[1] == 0:
        return np.zeros(n, np.int8)
    diff = a != b
    first = diff.argmax(axis=1)
    rows = np.arange(n)
    av = a[rows, first].astype(np.int16)
    bv = b[rows, first].astype(np.int16)
    return (np.sign(av - bv) * diff.any(axis=1)).astype(np.int8)


def group_starts(keys: np.ndarray) -> np.ndarray:
    """Indices where a new run of equal keys begins (keys already sorted)."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, np.int64)
    change = np.ones(n, bool)
    if keys.shape[1]:
        change[1:] = (keys[1:] != keys[:-1]).any(axis=1)
    else:
        change[1:] = False
    return np.flatnonzero(change)
