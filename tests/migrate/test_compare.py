"""densan compare: every kind of difference, keyed and positional, masking, CLI."""
from __future__ import annotations

import csv
import re
import shutil

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.migration.compare import compare_datasets, units
from tests.conftest import LEGACY

SAMPLE = LEGACY / "samples" / "SHUNO01"
SHUNOMST = LEGACY / "copybooks" / "SHUNOMST.cpy"


def records(path) -> np.ndarray:
    return np.fromfile(path, dtype=np.uint8).reshape(-1, 100).copy()


def write(path, recs: np.ndarray):
    recs.tofile(path)
    return path


def test_identical_files_are_equal():
    r = compare_datasets(SAMPLE / "master-in.dat", SAMPLE / "master-in.dat", SHUNOMST, key=["SH-KEY"])
    assert r.equal and r.exit_code == 0
    assert (r.count_a, r.count_b, r.changed_count, r.only_a_count, r.only_b_count) == (40, 40, 0, 0, 0)
    assert r.totals["equal"].all()


def test_legacy_posting_run_shows_its_twelve_updates_and_report_totals():
    """master-in vs the legacy's master-out: the sample README says 12 records were
    updated; the legacy report gives the MASTER-OUT sums."""
    r = compare_datasets(SAMPLE / "master-in.dat", SAMPLE / "master-out.dat", SHUNOMST, key=["SH-KEY"])
    assert not r.equal and r.exit_code == 1
    assert r.changed_count == 12 and r.only_a_count == 0 and r.only_b_count == 0
    assert r.field_counts["SH-KOSHIN-BI"] == 12
    totals = {row["field"]: row for row in r.totals.iter_rows(named=True)}
    assert totals["SUM SH-NOFU-GAKU"]["b"] == "735,557"
    assert totals["SUM SH-KANPU-GAKU"]["b"] == "42,300"
    assert totals["SUM SH-CHOTEI-GAKU"]["a"] == totals["SUM SH-CHOTEI-GAKU"]["b"] == "801,657"
    refund = r.changes.filter((r.changes["key"] == "2024 01 0000200017 04")
                              & (r.changes["field"] == "SH-KANPU-GAKU")).row(0, named=True)
    assert refund["value_a"] == "0" and refund["value_b"] == "42300"
    assert refund["hex_a"] == "00000000000C" and refund["hex_b"] == "00000042300C"


def test_changed_field_with_decoded_values_and_hex(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = a.copy()
    b[3, 75] = ord("3")                               # SH-JOTAI of record 4 (unpaid, '0')
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST)
    assert r.changed_count == 1 and r.field_counts == {"SH-JOTAI": 1}
    row = r.changes.row(0, named=True)
    assert (row["record_a"], row["record_b"], row["field"]) == (4, 4, "SH-JOTAI")
    assert (row["value_a"], row["value_b"], row["hex_a"], row["hex_b"]) == ("0", "3", "30", "33")
    assert row["key"] == "#4"


def test_keyed_only_in_a_and_only_in_b(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = np.delete(a, [0, 7], axis=0)
    extra = a[-1].copy()
    extra[6:16] = np.frombuffer(b"0000999999", np.uint8)          # a notice A does not have
    b = np.concatenate([b, extra[None]])
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST, key=["SH-KEY"])
    assert (r.count_a, r.count_b) == (40, 39)
    assert r.only_a["record"].to_list() == [1, 8]
    assert r.only_a["key"].to_list()[0] == "2023 01 0000123401 01"
    assert r.only_b["record"].to_list() == [39]
    assert r.only_b["key"].to_list() == ["2024 12 0000999999 06"]
    assert r.changed_count == 0


def test_positional_count_difference(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = np.concatenate([a, a[:1]])
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST)
    assert (r.count_a, r.count_b, r.only_a_count, r.only_b_count) == (40, 41, 0, 1)
    assert r.only_b["record"].to_list() == [41]
    totals = {row["field"]: row for row in r.totals.iter_rows(named=True)}
    assert totals["RECORDS"]["equal"] is False
    assert totals["SUM SH-CHOTEI-GAKU"]["a"] == "801,657"
    assert totals["SUM SH-CHOTEI-GAKU"]["b"] == "820,157"        # + 18,500, record 1's assessed amount


def test_duplicate_keys_matched_in_order(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    a2 = np.concatenate([a[:1], a])                                # key of record 1 twice
    b2 = a2.copy()
    b2[1, 87] = ord("X")                                           # second occurrence's FILLER
    r = compare_datasets(write(tmp_path / "a", a2), write(tmp_path / "b", b2), SHUNOMST, key=["SH-KEY"])
    assert r.duplicate_keys_a == 1 and r.changed_count == 1
    assert r.changes.row(0, named=True)["record_a"] == 2
    assert r.changes.row(0, named=True)["field"] == "FILLER@88"


def test_ignore_fields(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = a.copy()
    b[:, 77:85] = np.frombuffer(b"20991231", np.uint8)             # every SH-KOSHIN-BI
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST, key=["SH-KEY"],
                         ignore=["SH-KOSHIN-BI"])
    assert r.equal
    r = compare_datasets(tmp_path / "a", tmp_path / "b", SHUNOMST, key=["SH-KEY"])
    assert r.changed_count == 40


def test_personal_fields_masked_unless_shown(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = a.copy()
    b[0, 18:28] = np.frombuffer(b"9999999999", np.uint8)          # SH-KOJIN-NO, a personal number
    b[1, 28:36] = np.frombuffer(b"20991231", np.uint8)            # SH-NOKIGEN
    pa, pb = write(tmp_path / "a", a), write(tmp_path / "b", b)
    r = compare_datasets(pa, pb, SHUNOMST, personal=["SH-NOKIGEN"])
    rows = {row["field"]: row for row in r.changes.iter_rows(named=True)}
    for name in ("SH-KOJIN-NO", "SH-NOKIGEN"):
        assert (rows[name]["value_a"], rows[name]["hex_b"]) == ("***", "***")
    assert "9999999999" not in r.summary()
    totals = {row["field"]: row for row in r.totals.iter_rows(named=True)}
    assert totals["SUM SH-KOJIN-NO"]["b"] == "***"
    r = compare_datasets(pa, pb, SHUNOMST, personal=["SH-NOKIGEN"], show_personal=True)
    rows = {row["field"]: row for row in r.changes.iter_rows(named=True)}
    assert rows["SH-KOJIN-NO"]["value_b"] == "9999999999"
    assert rows["SH-NOKIGEN"]["hex_b"] == b"20991231".hex().upper()


def test_personal_key_is_masked(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = a[:-1]
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST, key=["SH-KOJIN-NO", "SH-KEY"])
    assert r.only_a["key"].to_list() == ["***"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 39), st.integers(0, 99), st.integers(0, 255)), min_size=1, max_size=6))
def test_reported_fields_are_exactly_the_mutated_ones(tmp_path_factory, mutations):
    """Whatever bytes change, compare names exactly the fields holding them."""
    tmp = tmp_path_factory.mktemp("mut")
    a = records(SAMPLE / "master-in.dat")
    b = a.copy()
    for row, offset, value in mutations:
        b[row, offset] = value
    r = compare_datasets(write(tmp / "a", a), write(tmp / "b", b), SHUNOMST, totals=False)
    spans = units(_layout())
    expected = {}
    for row in range(40):
        diff = np.flatnonzero(a[row] != b[row])
        for u in spans:
            if any(u.offset <= d < u.offset + u.size for d in diff):
                expected.setdefault(u.name, set()).add(row + 1)
    got = {}
    for row in r.changes.iter_rows(named=True):
        got.setdefault(row["field"], set()).add(row["record_a"])
    assert got == expected
    assert r.changed_count == len({row for rows in expected.values() for row in rows})


def _layout():
    from engine.copybook import load_copybook
    return load_copybook(SHUNOMST)


def test_ebcdic_files(tmp_path):
    """Host files (cp930, IBM conventions) compare through the same copybook."""
    from datasets.generate import ebcdic_master
    a = ebcdic_master(records(SAMPLE / "master-in.dat"))
    b = a.copy()
    b[5, 16:18] = np.frombuffer("05".encode("cp037"), np.uint8)   # SH-KIBETSU of record 6: 02 -> 05
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST, encoding="cp930",
                         key=["SH-KEY"])
    assert r.only_a["key"].to_list() == ["2024 01 0000200017 02"]
    assert r.only_b["key"].to_list() == ["2024 01 0000200017 05"]
    totals = {row["field"]: row for row in r.totals.iter_rows(named=True)}
    assert totals["SUM SH-CHOTEI-GAKU"]["a"] == totals["SUM SH-CHOTEI-GAKU"]["b"] == "801,657"


# ----------------------------------------------------------------------------------- CLI

def run_cli(*args):
    from engine.cli import cli
    return CliRunner().invoke(cli, ["compare", *map(str, args)])


def test_cli_exit_codes_and_detail_files(tmp_path):
    same = run_cli(SAMPLE / "master-in.dat", SAMPLE / "master-in.dat", "--copybook", SHUNOMST)
    assert same.exit_code == 0 and "RESULT: EQUAL" in same.output
    out = tmp_path / "diff.csv"
    diff = run_cli(SAMPLE / "master-in.dat", SAMPLE / "master-out.dat", "--copybook", SHUNOMST,
                   "--key", "SH-KEY", "--detail", out)
    assert diff.exit_code == 1 and re.search(r"CHANGED +12\n", diff.output)
    rows = list(csv.DictReader(out.open()))
    changed = [r for r in rows if r["section"] == "changed"]
    assert {r["key"] for r in changed} >= {"2024 01 0000200017 04"}
    assert any(r["field"] == "SH-NOFU-GAKU" and r["value_b"] == "84600" for r in changed)
    html = tmp_path / "diff.html"
    run_cli(SAMPLE / "master-in.dat", SAMPLE / "master-out.dat", "-c", SHUNOMST, "--detail", html)
    text = html.read_text()
    assert text.startswith("<!doctype html>") and "00000042300C" in text


def test_cli_errors_exit_2_without_traceback(tmp_path):
    missing = run_cli(tmp_path / "nope.dat", SAMPLE / "master-in.dat", "--copybook", SHUNOMST)
    assert missing.exit_code == 2 and "does not exist" in missing.output
    assert "Traceback" not in missing.output
    bad_key = run_cli(SAMPLE / "master-in.dat", SAMPLE / "master-in.dat", "--copybook", SHUNOMST,
                      "--key", "NO-SUCH-FIELD")
    assert bad_key.exit_code == 2 and "NO-SUCH-FIELD" in bad_key.output
    short = tmp_path / "short.dat"
    shutil.copyfile(SAMPLE / "master-in.dat", short)
    with open(short, "ab") as f:
        f.write(b"xx")
    wrong = run_cli(SAMPLE / "master-in.dat", short, "--copybook", SHUNOMST)
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output


# ------------------------------------------------------------------ streaming in chunks

def _report(r):
    """Everything a compare reports, for comparing two runs."""
    return (r.summary(lines=1000), r.changes.rows(), r.only_a.rows(), r.only_b.rows(), r.totals.rows(),
            r.field_counts, r.duplicate_keys_a, r.duplicate_keys_b)


def _reference(a: np.ndarray, b: np.ndarray):
    """Keyed matching worked out record by record (SH-KEY, bytes 1-18): the k-th record
    of a key in A pairs with the k-th in B. -> (changed A record numbers, only A, only B)."""
    seen: dict[bytes, list[int]] = {}
    for i, rec in enumerate(a):
        seen.setdefault(rec[:18].tobytes(), []).append(i)
    used: dict[bytes, int] = {}
    changed, only_b = [], []
    for j, rec in enumerate(b):
        k = rec[:18].tobytes()
        n = used.get(k, 0)
        if n < len(seen.get(k, [])):
            i = seen[k][n]
            used[k] = n + 1
            if not np.array_equal(a[i], rec):
                changed.append(i + 1)
        else:
            only_b.append(j + 1)
    only_a = sorted(i + 1 for k, rows in seen.items() for i in rows[used.get(k, 0):])
    return sorted(changed), only_a, only_b


edits = st.lists(st.one_of(
    st.tuples(st.just("byte"), st.integers(0, 39), st.integers(0, 99), st.integers(0, 255)),
    st.tuples(st.just("drop"), st.integers(0, 39)),
    st.tuples(st.just("copy"), st.integers(0, 39)),
    st.tuples(st.just("key"), st.integers(0, 39), st.integers(16, 17), st.sampled_from(b"0123456789"))),
    max_size=8)


def _edited(a: np.ndarray, ops) -> np.ndarray:
    b = a.copy()
    for op in ops:
        if op[0] in ("byte", "key") and op[1] < len(b):
            b[op[1], op[2]] = op[3]
        elif op[0] == "drop" and len(b) > 1:
            b = np.delete(b, op[1] % len(b), axis=0)
        elif op[0] == "copy":                       # a duplicate key, right after the original
            i = op[1] % len(b)
            b = np.insert(b, i + 1, b[i], axis=0)
    return b


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits, st.integers(1, 9), st.booleans(), st.booleans())
def test_chunked_reports_are_identical(kernel, tmp_path_factory, ops, chunk, keyed, sort_b):
    """Read a few records at a time, compare reports exactly what it reports reading
    everything at once, and keyed matching agrees with a record-by-record reference."""
    tmp = tmp_path_factory.mktemp("chunks")
    a = records(SAMPLE / "master-in.dat")
    b = _edited(a, ops)
    if sort_b:                                      # in key order (stable): the streaming merge
        b = b[np.argsort(b[:, :18].copy().view("S18").ravel(), kind="stable")]
    pa_, pb_ = write(tmp / "a", a), write(tmp / "b", b)
    key = ["SH-KEY"] if keyed else None
    whole = compare_datasets(pa_, pb_, SHUNOMST, key=key, chunk=10_000)
    small = compare_datasets(pa_, pb_, SHUNOMST, key=key, chunk=chunk)
    assert _report(small) == _report(whole)
    if keyed:
        changed, only_a, only_b = _reference(a, b)
        assert small.changed_count == len(changed) and small.changes["record_a"].unique().sort().to_list() == changed
        assert small.only_a["record"].to_list() == only_a and small.only_b["record"].to_list() == only_b


def test_long_run_of_one_key_is_read_past_the_chunk(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    a = np.concatenate([a[:3], np.repeat(a[3:4], 12, axis=0), a[4:]])    # 12 records of one key
    b = a.copy()
    b[9, 87] = ord("Z")                                                  # 7th of the run
    r = compare_datasets(write(tmp_path / "a", a), write(tmp_path / "b", b), SHUNOMST, key=["SH-KEY"], chunk=4)
    assert r.duplicate_keys_a == r.duplicate_keys_b == 11
    assert r.changed_count == 1 and r.changes.row(0, named=True)["record_a"] == 10


def test_unsorted_keys_fall_back_to_a_join(tmp_path):
    a = records(SAMPLE / "master-in.dat")
    order = np.random.default_rng(7).permutation(len(a))
    b = a[order].copy()
    b[0, 87] = ord("Z")
    pa_, pb_ = write(tmp_path / "a", a), write(tmp_path / "b", b)
    for chunk in (3, 100):
        r = compare_datasets(pa_, pb_, SHUNOMST, key=["SH-KEY"], chunk=chunk)
        assert r.changed_count == 1 and r.only_a_count == r.only_b_count == 0
        row = r.changes.row(0, named=True)
        assert (row["record_a"], row["record_b"], row["field"]) == (order[0] + 1, 1, "FILLER@88")
        assert r.totals["equal"].all()


def test_variable_length_files_stream(tmp_path):
    from engine.records import RecordFormat, write_records
    from engine.records.recfm import RecordBlock
    a = records(SAMPLE / "master-in.dat")
    lengths = np.where(np.arange(40) % 3 == 0, 87, 100).astype(np.int32)
    fmt = RecordFormat(recfm="VB", lrecl=104)
    write_records(tmp_path / "a", RecordBlock.from_array(a, lengths=lengths), fmt)
    b = a.copy()
    b[5, 40] = 0x99
    lb = lengths.copy()
    lb[6] = 100
    write_records(tmp_path / "b", RecordBlock.from_array(b, lengths=lb), fmt)
    reports = [compare_datasets(tmp_path / "a", tmp_path / "b", SHUNOMST, recfm="VB", lrecl=104, chunk=c,
                                key=k) for c in (2, 1000) for k in (None, ["SH-KEY"])]
    assert _report(reports[0]) == _report(reports[2]) and _report(reports[1]) == _report(reports[3])
    r = reports[2]
    assert r.changed_count == 2 and r.field_counts["(RECORD LENGTH)"] == 1


def test_totals_of_decimals_and_wide_numbers(tmp_path):
    """Sums of scaled, signed and 20-digit fields, zoned and packed, equal the sums of the
    decoded values (the fast path for 18 digits and less, the codec beyond)."""
    from decimal import Decimal
    from engine.copybook import load_copybook
    from engine.records import RecordCodec
    cpy = tmp_path / "AMT.cpy"
    cpy.write_text("       01  AMT-REC.\n"
                   "           05  AMT-KEY     PIC 9(4).\n"
                   "           05  AMT-RATE    PIC S9(3)V99.\n"
                   "           05  AMT-YEN     PIC S9(9)V9(4) COMP-3.\n"
                   "           05  AMT-BIG     PIC S9(20).\n"
                   "           05  AMT-TAB     PIC S9(5) COMP-3 OCCURS 3.\n")
    layout = load_copybook(str(cpy))
    codec = RecordCodec(layout, "ascii")
    rng = np.random.default_rng(3)
    n = 50
    frame = pl.DataFrame({"AMT-KEY": np.arange(n), "AMT-RATE": [Decimal(int(v)) / 100 for v in rng.integers(-99999, 99999, n)],
                          "AMT-YEN": [Decimal(int(v)) / 10000 for v in rng.integers(-10**13, 10**13, n)],
                          "AMT-BIG": [Decimal(int(v)) * 10**6 for v in rng.integers(-10**13, 10**13, n)],
                          "AMT-TAB": [[int(x) for x in rng.integers(-99999, 99999, 3)] for _ in range(n)]},
                         schema_overrides={"AMT-RATE": pl.Decimal(5, 2), "AMT-YEN": pl.Decimal(13, 4),
                                           "AMT-BIG": pl.Decimal(38, 0)})
    data = codec.encode(frame)
    data = np.asarray(getattr(data, "data", data), dtype=np.uint8).reshape(n, -1).copy()
    data[7, 4:9] = np.frombuffer(b"12x45", np.uint8)          # an invalid AMT-RATE: not summed
    a = write(tmp_path / "a", data)
    b = data.copy()
    b[:5] = b[5:10]
    write(tmp_path / "b", b)
    r = compare_datasets(a, tmp_path / "b", cpy, chunk=4, key=None)
    totals = {row["field"]: row for row in r.totals.iter_rows(named=True)}
    for side, recs in (("a", data), ("b", b)):
        decoded = codec.decode(recs, errors="lenient").frame
        for col in ("AMT-RATE", "AMT-YEN", "AMT-BIG"):
            assert totals[f"SUM {col}"][side] == f"{decoded[col].sum():,}", (side, col)
        assert totals["SUM AMT-TAB"][side] == f"{decoded['AMT-TAB'].explode().sum():,}"


# ------------------------------------------------------------------ control totals without decoding

@pytest.fixture(params=["compiled", "numpy"])
def kernel(request, monkeypatch):
    """Run with the compiled kernel (when built) and with NumPy alone."""
    from engine.migration import colsums
    if request.param == "numpy":
        monkeypatch.setattr(colsums, "_kernel", None)
    elif colsums._kernel is None:
        pytest.skip("the compiled kernel was not built")
    return request.param


def _decoded_sums(codec, data, columns):
    frame = codec.decode(data, columns=columns, errors="lenient").frame
    return {c: int(frame[c].explode().cast(pl.Int128).sum() if isinstance(frame[c].dtype, pl.List)
                   else frame[c].cast(pl.Int128).sum() or 0) for c in columns}


@pytest.mark.parametrize("encoding", ["ascii", "cp930"])
def test_column_sums_equal_decoded_sums_on_any_bytes(kernel, encoding):
    """Byte-column sums give exactly the sum of the decoded values (invalid ones left out),
    whatever the bytes: valid values, other signs, spaces, garbage."""
    from engine.copybook import load_copybook
    from engine.migration.colsums import ColumnSums
    from engine.records import RecordCodec
    layout = load_copybook(SHUNOMST)
    codec = RecordCodec(layout, encoding)
    rng = np.random.default_rng(11)
    good = records(SAMPLE / "master-in.dat")
    if encoding != "ascii":
        from datasets.generate import ebcdic_master
        good = ebcdic_master(good)
    columns = [p.name for p in codec._plans if p.kind == "int"]
    for trial in range(30):
        data = good[rng.integers(0, len(good), 300)].copy()
        hits = rng.integers(0, 4)                  # a few records get odd bytes
        for _ in range(hits):
            r, c = rng.integers(0, len(data)), rng.integers(0, 87)
            data[r, c] = rng.choice([rng.integers(0, 256), 0x20, 0xF0 | rng.integers(0, 10),
                                     0xC0 | rng.integers(0, 10), 0xD0 | rng.integers(0, 10),
                                     0x70 | rng.integers(0, 10), 0x0D, 0x0B, 0x0F])
        neg = rng.integers(0, len(data), rng.integers(0, 5))
        data[neg, 41] = (data[neg, 41] & 0xF0) | 0x0D        # SH-CHOTEI-GAKU negative
        sums = ColumnSums(layout.record_length)
        for name in columns:
            p = codec._by_name[name]
            assert sums.take(name, p.codec, [int(o) for o in p.offsets()])
        running: dict = {}
        for start in range(0, len(data), 70):
            sums.add(data[start:start + 70], running)
        assert sums.result(running) == _decoded_sums(codec, data, columns), trial


def test_negative_and_invalid_amounts_in_totals(kernel, tmp_path):
    a = records(SAMPLE / "master-in.dat")
    b = records(SAMPLE / "master-out.dat")
    b[3, 45] = 0x1D                                     # SH-NOFU-GAKU negative
    b[9, 30] = 0x20                                     # SH-NOKIGEN invalid
    pa_, pb_ = write(tmp_path / "a", a), write(tmp_path / "b", b)
    r = compare_datasets(pa_, pb_, SHUNOMST, key=["SH-KEY"], chunk=7)
    totals = {row["field"]: (row["a"], row["b"]) for row in r.totals.iter_rows(named=True)}
    assert totals["SUM SH-NOFU-GAKU"][1] != "735,557" and totals["SUM SH-CHOTEI-GAKU"] == ("801,657", "801,657")
    assert r.changed_count >= 12 and r.field_counts["SH-NOFU-GAKU"] >= 12
    expected = _decoded_sums(colsums_codec(), b, ["SH-NOFU-GAKU", "SH-NOKIGEN"])
    assert totals["SUM SH-NOFU-GAKU"][1] == f"{expected['SH-NOFU-GAKU']:,}"
    assert totals["SUM SH-NOKIGEN"][1] == f"{expected['SH-NOKIGEN']:,}"


def colsums_codec():
    from engine.records import RecordCodec
    return RecordCodec(_layout(), "ascii")


def test_small_map_windows_give_the_same_report(tmp_path, monkeypatch):
    """Fixed-length files mapped a few records at a time (windows starting inside a page)."""
    from engine.migration import cursor
    a = records(SAMPLE / "master-in.dat")
    b = _edited(a, [("byte", 5, 40, 0x99), ("drop", 12), ("copy", 30), ("byte", 39, 90, 65)])
    pa_, pb_ = write(tmp_path / "a", a), write(tmp_path / "b", b)
    expected = [_report(compare_datasets(pa_, pb_, SHUNOMST, key=k)) for k in (None, ["SH-KEY"])]
    monkeypatch.setattr(cursor, "WINDOW", 700)
    for chunk in (3, 11):
        got = [_report(compare_datasets(pa_, pb_, SHUNOMST, key=k, chunk=chunk)) for k in (None, ["SH-KEY"])]
        assert got == expected


def test_column_sums_follow_a_codecs_own_sign_options(kernel):
    """A packed codec told to accept only C/D signs (a legacy's NUMERIC test) and a zoned
    codec with fewer zones: the column sums leave out what the codec leaves out."""
    from engine.migration.colsums import ColumnSums
    from engine.records.packed import PackedCodec
    from engine.records.text import get_codepage
    from engine.records.zoned import ZonedCodec
    rng = np.random.default_rng(5)
    packed = PackedCodec(digits=5, signed=True, valid_signs="CD", negative_signs="D")
    zoned = ZonedCodec(digits=4, signed=True, convention="ebcdic", codepage=get_codepage("cp037"), zones="CDF")
    data = np.zeros((200, 7), np.uint8)
    data[:, 0:3] = rng.integers(0, 10, (200, 3)) * 16 + rng.integers(0, 10, (200, 3))
    data[:, 2] = (data[:, 2] & 0xF0) | rng.choice([0xA, 0xB, 0xC, 0xD, 0xE, 0xF], 200)
    data[:, 3:7] = 0xF0 | rng.integers(0, 10, (200, 4))
    data[:, 6] = rng.choice([0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF0], 200) | rng.integers(0, 10, 200)
    for codec, off in ((packed, 0), (zoned, 3)):
        sums = ColumnSums(7)
        assert sums.take("F", codec, [off])
        running: dict = {}
        sums.add(data, running)
        values, bad = codec.decode(data[:, off:off + codec.size])
        assert sums.result(running)["F"] == int(values[~bad].sum())
