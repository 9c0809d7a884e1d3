"""Small helpers for the sort tests: records from byte strings, results as byte strings."""
from __future__ import annotations

import numpy as np

from engine.records import RecordBlock
from engine.sort import sort_records


def fixed(*records: bytes) -> np.ndarray:
    width = len(records[0])
    assert all(len(r) == width for r in records)
    return np.frombuffer(b"".join(records), np.uint8).reshape(len(records), width).copy()


def ebcdic(*texts: str) -> np.ndarray:
    return fixed(*(t.encode("cp037") for t in texts))


def variable(*records: bytes) -> RecordBlock:
    return RecordBlock.from_bytes(records)


def rows(block) -> list[bytes]:
    return [block.data[i, :block.lengths[i]].tobytes() for i in range(len(block.lengths))]


def run(statements: str, *inputs, **kw) -> list[bytes]:
    return rows(sort_records(statements, list(inputs), **kw).outputs["SORTOUT"])


def run_text(statements: str, *inputs, codepage="cp037", **kw) -> list[str]:
    return [r.decode(codepage) for r in run(statements, *inputs, codepage=codepage, **kw)]
