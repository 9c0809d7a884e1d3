"""Partitions hold whole records, in order, and cut sorted files at the same keys."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from engine.cluster.partitioning import KeyedFile, fixed_ranges, key_ranges, read_range, variable_ranges
from engine.cluster.samplesort import boundaries, why_local
from engine.records import RecordFormat, read_records, write_records
from engine.sort.statements import compile_statements


def test_fixed_ranges_are_whole_records_covering_the_file(tmp_path):
    p = tmp_path / "f.dat"
    p.write_bytes(bytes(range(10)) * 1003)          # 1003 records of 10 bytes
    ranges = fixed_ranges(p, 10, 1000)
    assert all(r.start % 10 == 0 and r.stop % 10 == 0 for r in ranges)
    assert ranges[0].start == 0 and ranges[-1].stop == 10030
    assert all(a.stop == b.start and a.first_record + a.records == b.first_record
               for a, b in zip(ranges, ranges[1:]))
    assert sum(r.records for r in ranges) == 1003 and len(ranges) == 11


@settings(max_examples=12, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=40), min_size=1, max_size=200), st.integers(16, 600))
def test_variable_ranges_cut_on_record_starts(tmp_path_factory, records, target):
    p = tmp_path_factory.mktemp("vb") / "v.dat"
    fmt = RecordFormat(recfm="VB", lrecl=44)
    from engine.records import RecordBlock
    write_records(p, RecordBlock.from_bytes(records), fmt)
    whole = read_records(p, fmt)
    ranges = variable_ranges(p, fmt, target)
    assert ranges[0].start == 0 and ranges[-1].stop == p.stat().st_size
    starts = set(whole.file_offsets.tolist()) | {p.stat().st_size}
    assert all(r.start in starts for r in ranges)
    got = [read_range(r, fmt) for r in ranges]
    assert [b.record(i) for b in got for i in range(len(b))] == records
    assert [b.first_record for b in got] == [r.first_record for r in ranges]


def test_key_ranges_cut_both_files_at_the_same_keys(tmp_path):
    rng = np.random.default_rng(1)
    mkeys = np.unique(rng.integers(0, 10**6, 3000))
    tkeys = np.sort(rng.choice(mkeys, 5000))
    m = tmp_path / "m.dat"
    t = tmp_path / "t.dat"
    m.write_bytes(b"".join(b"%08d" % k + b"M" * 12 for k in mkeys))
    t.write_bytes(b"".join(b"%08d" % k + b"T" * 2 for k in tkeys))
    bounds, ranges = key_ranges(KeyedFile(str(m), 20, 0, 8), [KeyedFile(str(t), 10, 0, 8)], 8000)
    assert len(ranges) == len(bounds) + 1 > 5
    for p, (mr, tr) in enumerate(ranges):
        mk = {int(x[:8]) for x in np.frombuffer(mr.read_bytes(), "S20")}
        tk = {int(x[:8]) for x in np.frombuffer(tr.read_bytes(), "S10")}
        assert tk <= mk                                  # every transaction's master is in its range
        if p:
            assert min(mk) == int(bounds[p - 1])
    assert sum(r[1].records for r in ranges) == len(tkeys)


def test_boundaries_are_distinct_and_sorted():
    keys = np.array([[3], [1], [1], [1], [2], [9]], np.uint8)
    b = boundaries([keys], 3)
    assert list(b) == sorted(set(b)) and len(b) <= 2


def test_statements_that_count_positions_run_locally():
    assert why_local(compile_statements(" SORT FIELDS=(1,2,CH,A)\n OPTION SKIPREC=3")) is not None
    assert why_local(compile_statements(" MERGE FIELDS=(1,2,CH,A)")) is not None
    assert why_local(compile_statements(" SORT FIELDS=(1,2,CH,A)\n OUTREC FIELDS=(1,2,SEQNUM,4,ZD)")) \
        is not None
    assert why_local(compile_statements(" SORT FIELDS=(1,2,CH,A)\n SUM FIELDS=(3,2,ZD)")) is None
