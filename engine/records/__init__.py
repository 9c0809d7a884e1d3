"""Records: splitting datasets into records (recfm), decoding them through a
copybook (codec) and the dataset API jobs use (dataset).

    from engine.records import RecordFormat, RecordBlock, read_records, iter_records, write_records
    from engine.records import RecordCodec, DecodeResult, read_dataset, scan_dataset, write_dataset

The codec and dataset names are imported on first use, so this package imports
(and the record-format layer works) on its own.
"""
from __future__ import annotations

from engine.records.recfm import (RecordBlock, RecordFormat, iter_records, read_records,
                                  write_records)

_LAZY = {
    "RecordCodec": "engine.records.codec",
    "DecodeResult": "engine.records.codec",
    "read_dataset": "engine.records.dataset",
    "scan_dataset": "engine.records.dataset",
    "write_dataset": "engine.records.dataset",
    "iter_dataset": "engine.records.dataset",
}

__all__ = ["RecordFormat", "RecordBlock", "read_records", "iter_records", "write_records",
           *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'engine.records' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
