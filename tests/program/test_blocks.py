"""engine.program.blocks (fixed-length records a block at a time) and
sequence.RunningSequence (a sequence check carried across blocks), against the
whole file at once and a plain record loop."""
import io

import numpy as np
from hypothesis import given, settings, strategies as st

from engine.program.blocks import FixedBlocks
from engine.program.sequence import RunningSequence


@settings(deadline=None, max_examples=200)
@given(st.binary(max_size=300), st.integers(1, 9), st.integers(1, 7))
def test_blocks_give_every_full_record_once_then_the_short_rest(data, lrecl, per_block):
    blocks = FixedBlocks(io.BytesIO(data), lrecl, per_block)
    got = [b.copy() for b in blocks]
    full = len(data) // lrecl
    assert all(len(b) <= per_block and b.shape[1] == lrecl for b in got)
    assert b"".join(b.tobytes() for b in got) == data[:full * lrecl]
    assert blocks.records == full and blocks.rest == len(data) % lrecl


class Trickle(io.RawIOBase):
    """A reader that gives at most 3 bytes per read (a pipe, a slow device)."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def readable(self):
        return True

    def readinto(self, b):
        n = min(3, len(b), len(self.data) - self.pos)
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n


def test_short_reads_still_fill_whole_blocks():
    data = bytes(range(100)) * 3
    blocks = FixedBlocks(Trickle(data), 10, 4)
    sizes = [len(b) for b in blocks]
    assert sizes == [4] * 7 + [2] and blocks.rest == 0


def ref_first_break(ks, strict, check_first):
    prev = None if not check_first else b"\x00" * 2
    for i, k in enumerate(ks):
        if prev is not None and (k < prev or (strict and k == prev)):
            return i + 1, prev, k
        prev = k
    return None


@settings(deadline=None, max_examples=300)
@given(st.lists(st.binary(min_size=2, max_size=2), max_size=25), st.booleans(), st.booleans(),
       st.integers(1, 6))
def test_running_sequence_finds_the_break_a_record_loop_finds(ks, strict, check_first, per_block):
    arr = np.frombuffer(b"".join(ks), np.uint8).reshape(len(ks), 2)
    seq = RunningSequence(strict=strict, check_first=check_first)
    got = None
    for start in range(0, len(ks), per_block):
        got = seq.check(arr[start:start + per_block])
        if got is not None:
            break
    want = ref_first_break(ks, strict, check_first)
    assert (None if got is None else (got.record, got.previous, got.current)) == want
