"""Which implementation runs the field codecs' inner loops.

"compiled" is the C extension engine.records._kernel (built at install by the
machine's compiler, see setup.py); "python" is NumPy alone (vectorised, about a
third of the speed). Both give the same bytes, values and invalid-data flags;
the codec tests run against both.

The choice is made once, at import: environment variable DENSAN_KERNEL=python
or compiled; unset means compiled when it was built, python otherwise. Tests
switch with `use()`.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from engine.native import load

# None where it was not built (no compiler at install) or is stale: NumPy only
_compiled = load("engine.records._kernel", Path(__file__).with_name("_kernel.c"))

CHOICES = ("compiled", "python")


def _initial():
    wanted = os.environ.get("DENSAN_KERNEL", "").strip().lower()
    if wanted in ("", "compiled"):
        if wanted == "compiled" and _compiled is None:
            from engine.errors import DensanError
            raise DensanError("DENSAN_KERNEL=compiled, but the compiled codec kernel was not built",
                              hint="install a C compiler and Python's headers (e.g. apt-get install "
                                   "build-essential python3-dev) and re-run pip install -e ., "
                                   "or set DENSAN_KERNEL=python")
        return _compiled
    if wanted == "python":
        return None
    from engine.errors import DensanError
    raise DensanError(f"DENSAN_KERNEL={wanted!r} is not a kernel",
                      hint="use DENSAN_KERNEL=compiled or DENSAN_KERNEL=python")


_active = _initial()


def active():
    """The compiled module when it runs the codecs, None for the NumPy code."""
    return _active


def name() -> str:
    return "compiled" if _active is not None else "python"


def available() -> list[str]:
    return ["compiled", "python"] if _compiled is not None else ["python"]


def block(raw):
    """`raw` as the kernel reads it: a 2-D uint8 array whose rows may be strided
    (a field sliced out of a record array) but whose bytes are contiguous."""
    if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 2:
        return np.ascontiguousarray(raw, dtype=np.uint8).reshape(len(raw), -1)
    if raw.shape[1] > 1 and raw.strides[1] != 1:
        return np.ascontiguousarray(raw)
    return raw


def int64_column(values) -> bool:
    """True when `values` is a 1-D int64 array (what the compiled encoders take)."""
    return isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype == np.int64


def empty(count: int, dtype) -> np.ndarray:
    """An uninitialised 1-D output column. With the compiled kernel its memory
    comes from the kernel's pool (pages reused from block to block instead of
    faulted in afresh: see `empty` in _kernel.c); NumPy's otherwise."""
    dtype = np.dtype(dtype)
    if _active is None:
        return np.empty(count, dtype=dtype)
    return np.frombuffer(_active.empty(count * dtype.itemsize), dtype=dtype, count=count)


AT_START = np.zeros(1, dtype=np.int64)      # a lone field: its bytes start the row

# kinds of field specification (see _kernel.c)
ZONED, PACKED, BINARY, TEXT = 0, 1, 2, 3


def decode_one(codec, raw):
    """Decode a (n, size) block through the compiled kernel: (values, bad), or None
    where the kernel does not take this codec or these bytes (the caller goes the
    NumPy way)."""
    job = codec.kernel_decode(AT_START, raw.shape[0])
    if job is None:
        return None
    spec, finish = job
    return finish(_active.decode_fields(block(raw), [spec])[0])


def decode_many(records, fields):
    """Several fields of every record: `fields` is [(codec, byte offset in the record)],
    the result [(values, bad)] in the same order. The compiled kernel reads each record
    once for all of them (a field at a time over wide records would read each record's
    cache lines once per field); the NumPy code decodes field by field."""
    n = len(records)
    jobs = None
    if _active is not None:
        jobs = [codec.kernel_decode(np.array([offset], dtype=np.int64), n) for codec, offset in fields]
    if jobs is None or any(job is None for job in jobs):
        return [codec.decode(records[:, offset:offset + codec.size]) for codec, offset in fields]
    results = _active.decode_fields(block(records), [spec for spec, _ in jobs])
    return [finish(result) for (_, finish), result in zip(jobs, results)]


def encode_one(codec, values, **options):
    """Encode values into a new (n, size) block through the compiled kernel:
    (bytes, error, reason), or None as for decode_one. `options` go to the
    codec's kernel_encode (negative=, truncate= for the decimal codecs)."""
    job = codec.kernel_encode(AT_START, values, **options)
    if job is None:
        return None
    spec, finish = job
    out = np.empty((_length(values), codec.size), dtype=np.uint8)
    done = finish(_active.encode_fields(out, [spec])[0])
    return None if done is None else (out, *done)


def flags(mask, count: int):
    """An optional bool per value (e.g. the signs to write) as the kernel reads it:
    None, or `count` contiguous bytes."""
    if mask is None:
        return None
    mask = np.ascontiguousarray(mask, dtype=bool).reshape(-1)
    if len(mask) != count:
        raise ValueError(f"{len(mask)} flags for {count} values")
    return mask


def _length(values) -> int:
    return len(values)          # NumPy, Arrow and Polars columns alike


@contextmanager
def use(which: str):
    """Run the codecs on `which` ("compiled" or "python") inside the block."""
    global _active
    if which not in CHOICES:
        raise ValueError(f"kernel {which!r}: use one of {CHOICES}")
    if which == "compiled" and _compiled is None:
        raise RuntimeError("the compiled kernel was not built")
    before = _active
    _active = _compiled if which == "compiled" else None
    try:
        yield
    finally:
        _active = before
