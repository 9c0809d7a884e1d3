"""The SHUNO01 building blocks against references nobody here wrote: Python's
calendar for dates, Python's int formatting for edited numbers, and plain
arithmetic for packed decimal."""
from __future__ import annotations

import calendar

import numpy as np
from hypothesis import given, settings, strategies as st

from jobs.collection.report import edit_amount, edit_count
from jobs.collection.shuno01 import (PostingResult, Charset, charset_for,
                                     packed_encode, packed_values, post, running_total, truncate,
                                     valid_dates)


def _reference_valid(y: int, m: int, d: int) -> bool:
    return 1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99))
def test_calendar_check_matches_python(y, m, d):
    assert bool(valid_dates(np.array([y * 10000 + m * 100 + d]))[0]) == _reference_valid(y, m, d)


def test_calendar_edges():
    dates = [20240229, 20230229, 19000229, 20000229, 21000229, 20251301, 20250100, 101, 99991231]
    assert valid_dates(np.array(dates)).tolist() == [True, False, False, True, False, False,
                                                     False, False, True]


@given(st.integers(0, 999_999_999))
def test_edit_count_is_zero_suppressed_with_commas(v):
    assert edit_count(v) == f"{v:>11,}"


@given(st.integers(-(10**15) + 1, 10**15 - 1))
def test_edit_amount_keeps_twelve_digits_and_a_fixed_sign(v):
    text = edit_amount(v)
    assert len(text) == 16
    assert text[0] == ("-" if v < 0 else " ")
    if abs(v) < 10**12:
        assert text[1:] == f"{abs(v):>15,}"
    else:       # cut to 12 digits: GnuCOBOL then prints the leading zeros
        assert text[1:] == f"{abs(v) % 10**12:015,}"
        assert int(text[1:].replace(",", "")) == abs(v) % 10**12


def test_edit_amount_as_gnucobol_prints_a_cut_value():
    assert edit_amount(1_099_999_999_989) == " 099,999,999,989"
    assert edit_amount(-1_099_999_999_989) == "-099,999,999,989"
    assert edit_amount(1_000_000_000_000_000 - 1) == " 999,999,999,999"
    assert edit_amount(-99_999_999_989) == "- 99,999,999,989"


@given(st.lists(st.integers(-(10**11) + 1, 10**11 - 1), min_size=1, max_size=50))
def test_packed_round_trip(values):
    arr = np.array(values, dtype=np.int64)
    raw = packed_encode(arr, arr < 0, 6)
    assert raw.tolist()[0] == list(bytes.fromhex(f"{abs(values[0]):011d}" + ("D" if values[0] < 0 else "C")))
    got, neg = packed_values(raw)
    assert got.tolist() == values


def test_packed_reads_nibbles_as_they_are():
    raw = np.array([list(bytes.fromhex("0000000A0B0C")), list(bytes.fromhex("00000000010B"))], np.uint8)
    assert packed_values(raw)[0].tolist() == [10110, 10]


@given(st.lists(st.integers(-(10**11) + 1, 10**11 - 1), max_size=40))
def test_running_total_is_the_cobol_accumulator(values):
    mod = 10**12
    total = 0
    for v in values:
        t = total + v
        total = (1 if t >= 0 else -1) * (abs(t) % mod)
    assert running_total(np.array(values, dtype=np.int64), mod) == total
    assert truncate(np.array([-(10**12) - 5]), mod).tolist() == [-5]


def test_charset_for_code_pages():
    assert charset_for("cp930").ebcdic and charset_for("IBM-037").ebcdic
    assert not charset_for("ascii").ebcdic
    assert Charset("cp930", True).text("CX") == b"\xc3\xe7"


def test_report_not_allocated_means_no_report(tmp_path):
    res = post(master_in=tmp_path / "m", tran_in=tmp_path / "t", master_out=tmp_path / "mo",
               error_out=tmp_path / "eo", report=None, parm="20250131")
    assert isinstance(res, PostingResult) and res.rc == 16 and res.report is None
    assert res.messages[0] == "SHUNO01  DD REPORT NOT ALLOCATED: ENVIRONMENT VARIABLE REPORT IS NOT SET"


def test_missing_input_file_is_an_open_error(tmp_path):
    res = post(master_in=tmp_path / "nothere", tran_in=tmp_path / "t", master_out=tmp_path / "mo",
               error_out=tmp_path / "eo", report=tmp_path / "r", parm="20250131")
    assert res.rc == 16
    assert "OPEN ERROR ON DD MASTER-IN, FILE STATUS 35" in (tmp_path / "r").read_text()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789", min_size=18, max_size=18), min_size=1, max_size=30),
       st.sampled_from([0x30, 0xF0]))
def test_digit_keys_are_the_numbers(keys, zone):
    from jobs.collection.shuno01 import digit_keys
    block = np.array([[zone | int(c) for c in k] for k in keys], dtype=np.uint8)
    assert digit_keys(block, zone).tolist() == [int(k) for k in keys]
    block[0, 17] = 0x20
    assert digit_keys(block, zone) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=6, max_size=6), min_size=1, max_size=30))
def test_packed_values_any_bytes(raws):
    """Nibble by nibble, A-F as 10-15, sign D negative: the arithmetic reference."""
    ref = []
    for raw in raws:
        nibbles = [n for b in raw for n in (b >> 4, b & 15)]
        mag = sum(n * 10 ** i for i, n in enumerate(reversed(nibbles[:-1])))
        ref.append(-mag if nibbles[-1] == 0xD else mag)
    got, _ = packed_values(np.array([list(r) for r in raws], dtype=np.uint8))
    assert got.tolist() == ref


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=40, max_size=40), min_size=0, max_size=40),
       st.sampled_from([0x30, 0xF0]))
def test_fields_decoded_in_one_pass_equal_one_field_at_a_time(rows, zone):
    """The chunk's keys and totals' fields as _prepare reads them (decode_many: one pass
    with the compiled kernel) equal each field decoded alone, with either kernel, on
    any bytes; and their sums are exact."""
    from engine.records import kernel
    from engine.records.kernel import decode_many
    from jobs.collection.shuno01 import _digits_codec, _packed_codec, exact_sum, zoned_digits
    block = np.array([list(r) for r in rows], dtype=np.uint8).reshape(-1, 40)
    fields = [(_digits_codec(18, zone), 0), (_packed_codec(6), 20), (_packed_codec(5), 33)]
    for which in kernel.available():
        with kernel.use(which):
            got = decode_many(block, fields)
            keys, valid = zoned_digits(block[:, 0:18], zone)
            assert got[0][1].tolist() == (~valid).tolist()
            assert got[0][0][valid].tolist() == keys[valid].tolist()
            for (value, _), (codec, at) in zip(got[1:], fields[1:]):
                alone = packed_values(block[:, at:at + codec.size])[0]
                assert value.tolist() == alone.tolist()
                assert exact_sum(np.abs(value)) == int(np.abs(alone).sum())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 999), st.lists(st.sampled_from([-1, 0, 1]), min_size=1, max_size=300))
def test_clip_walk_is_the_held_counter(x0, steps):
    from jobs.collection.shuno01 import clip_walk
    states, x = [], x0
    for s in steps:
        x = min(x + 1, 999) if s > 0 else max(x - 1, 0) if s < 0 else x
        states.append(x)
    assert clip_walk(x0, np.array(steps), 0, 999).tolist() == states


@settings(max_examples=100, deadline=None)
@given(st.integers(-(10**11) + 1, 10**11 - 1),
       st.lists(st.integers(-(10**11) + 1, 10**11 - 1), min_size=1, max_size=200))
def test_truncating_sum_is_sequential_add(start, incs):
    from jobs.collection.shuno01 import _truncating_sum
    v, neg = start, start < 0
    for x in incs:
        t = v + x
        v, neg = (1 if t >= 0 else -1) * (abs(t) % 10**11), t < 0
    assert _truncating_sum(start, start < 0, np.array(incs, dtype=np.int64), 10**11) == (v, neg)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=11, max_size=11), min_size=1, max_size=40),
       st.sampled_from(["gnucobol", "ebcdic"]))
def test_zoned_signed_matches_a_byte_by_byte_reading(fields, convention):
    """The class test and value of S9(11) trailing-sign zoned fields, against a plain
    reading byte by byte (digits: zone 3 in ASCII, F in EBCDIC; the last byte's zone
    gives the sign: 3/7 in ASCII, C/F or D in EBCDIC)."""
    from jobs.collection.shuno01 import zoned_signed
    fields += [b"0000000123" + bytes([b]) for b in (0x33, 0x73, 0xC3, 0xD3, 0xF3, 0x7A)]
    zone, signs = (0xF0, {0xC: 1, 0xF: 1, 0xD: -1}) if convention == "ebcdic" else (0x30, {0x3: 1, 0x7: -1})
    for f in fields:
        f = f if convention == "gnucobol" or f[0] >= 0xF0 else bytes([0xF0]) * 10 + f[-1:]
        cols = np.frombuffer(f, np.uint8).reshape(1, 11)
        valid, value = zoned_signed(cols, convention)
        head_ok = all(zone <= b <= zone + 9 for b in f[:-1])
        last_ok = (f[-1] >> 4) in signs and (f[-1] & 15) <= 9
        assert bool(valid[0]) == (head_ok and last_ok), f
        if head_ok and last_ok:
            expect = int("".join(str(b & 15) for b in f)) * signs[f[-1] >> 4]
            assert int(value[0]) == expect, f


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=8, max_size=8) | st.integers(0, 99_999_999).map(lambda v: b"%08d" % v),
                min_size=1, max_size=30))
def test_date_check_matches_python(dates):
    from jobs.collection.shuno01 import date_check
    value, ok = date_check(np.frombuffer(b"".join(dates), np.uint8).reshape(-1, 8), 0x30)
    for d, v, k in zip(dates, value.tolist(), ok.tolist()):
        digits = all(0x30 <= b <= 0x39 for b in d)
        assert k == (digits and _reference_valid(int(d[:4]), int(d[4:6]), int(d[6:]))), d
        if digits:
            assert v == int(d)
