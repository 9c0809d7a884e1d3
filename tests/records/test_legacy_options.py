"""The decimal codecs' options for a legacy program's treatment of signs, overflow
and padding, with both kernels. The expected bytes are what GnuCOBOL 3.1 writes
and tests (checked with small programs under cobc -x: MOVE of -1000, 12345 and
-12345 into PIC S9(3)/9(3) COMP-3 and DISPLAY, and NUMERIC on S9(4)/9(4) COMP-3)."""
from __future__ import annotations

import numpy as np
import pytest

from engine.codepages import get_codepage
from engine.records.packed import PackedCodec
from engine.records.zoned import ZonedCodec

pytestmark = pytest.mark.usefixtures("both_kernels")

ASCII, EBCDIC = get_codepage("ascii"), get_codepage("cp037")


def rows(out) -> list[bytes]:
    return [bytes(r) for r in out]


def zoned(digits, signed, page=ASCII, convention="gnucobol", **kw):
    return ZonedCodec(digits=digits, signed=signed, convention=convention, codepage=page, **kw)


# ---- negative=: the sign from a flag, so a -0 can be written

def test_packed_negative_flag_writes_minus_zero():
    codec = PackedCodec(digits=3, signed=True)
    out, err, _ = codec.encode(np.array([0, 0, 5, -5, 7]), negative=np.array([1, 0, 1, 0, 1], bool))
    assert rows(out) == [b"\x00\x0d", b"\x00\x0c", b"\x00\x5d", b"\x00\x5c", b"\x00\x7d"]
    assert not err.any()


def test_zoned_negative_flag_writes_minus_zero():
    neg = np.array([True, False])
    assert rows(zoned(3, True).encode(np.array([0, 0]), negative=neg)[0]) == [b"00p", b"000"]
    assert rows(zoned(3, True, EBCDIC, "ebcdic").encode(np.array([0, 0]), negative=neg)[0]) == \
        [b"\xf0\xf0\xd0", b"\xf0\xf0\xc0"]
    assert rows(zoned(2, True, sign_separate=True, sign_leading=True).encode(
        np.array([0, 4]), negative=neg)[0]) == [b"-00", b"+04"]
    assert rows(zoned(2, True, convention="ascii-overpunch").encode(
        np.array([0, 0]), negative=neg)[0]) == [b"0}", b"0{"]


def test_negative_flag_into_an_unsigned_field_is_an_error_and_overflow_still_one():
    out, err, reason = PackedCodec(digits=3, signed=False).encode(
        np.array([0, 1]), negative=np.array([True, False]))
    assert err.tolist() == [True, False] and "negative into an unsigned field" in reason
    out, err, reason = PackedCodec(digits=3, signed=True).encode(
        np.array([1000, 999]), negative=np.array([True, True]))
    assert err.tolist() == [True, False] and rows(out) == [b"\x00\x0c", b"\x99\x9d"]


def test_negative_flags_must_match_the_values():
    with pytest.raises(ValueError, match="2 flags for 3 values"):
        PackedCodec(digits=3, signed=True).encode(np.array([1, 2, 3]), negative=np.array([1, 0], bool))


# ---- truncate=True: MOVE to a shorter PICTURE keeps the low-order digits

def test_truncating_encode_as_cobol_move():
    values = np.array([12345, -12345, -1000, 999, -7])
    out, err, _ = zoned(3, False).encode(values, truncate=True)
    assert rows(out) == [b"345", b"345", b"000", b"999", b"007"] and not err.any()
    out, err, _ = zoned(3, True).encode(values, truncate=True)
    assert rows(out) == [b"345", b"34u", b"00p", b"999", b"00w"] and not err.any()
    out, err, _ = PackedCodec(digits=3, signed=True).encode(values, truncate=True)
    assert rows(out) == [b"\x34\x5c", b"\x34\x5d", b"\x00\x0d", b"\x99\x9c", b"\x00\x7d"]
    out, err, _ = PackedCodec(digits=3, signed=False).encode(values, truncate=True)
    assert rows(out) == [b"\x34\x5f", b"\x34\x5f", b"\x00\x0f", b"\x99\x9f", b"\x00\x7f"]
    assert not err.any()


def test_truncate_with_flags_and_wide_fields():
    out, _, _ = PackedCodec(digits=5, signed=True).encode(
        np.array([1234567, 0]), negative=np.array([False, True]), truncate=True)
    assert rows(out) == [b"\x34\x56\x7c", b"\x00\x00\x0d"]
    big = np.array([-(2 ** 63), 2 ** 63 - 1])
    out, err, _ = zoned(18, True).encode(big, truncate=True)
    assert rows(out) == [b"22337203685477580x", b"223372036854775807"] and not err.any()
    out, err, _ = zoned(20, False).encode(big, truncate=True)           # the NumPy way only
    assert rows(out) == [b"09223372036854775808", b"09223372036854775807"] and not err.any()


def test_without_options_nothing_changes():
    out, err, reason = PackedCodec(digits=3, signed=True).encode(np.array([-1000, 0, -3]))
    assert err.tolist() == [True, False, False] and reason == "more than 3 digits"
    assert rows(out) == [b"\x00\x0c", b"\x00\x0c", b"\x00\x3d"]


# ---- check_pad=False: GnuCOBOL's NUMERIC does not look at the pad nibble's value

def test_packed_pad_nibble_not_checked():
    raw = np.array([[0x12, 0x34, 0x5C], [0xF2, 0x34, 0x5C], [0x02, 0x34, 0x5F], [0x02, 0x34, 0x5D],
                    [0x92, 0x34, 0x5D]], np.uint8)
    gnu = PackedCodec(digits=4, signed=True, valid_signs="CD", check_pad=False)
    v, bad = gnu.decode(raw)
    assert bad.tolist() == [False, True, True, False, False]     # a pad nibble F is no digit
    assert v[[0, 3, 4]].tolist() == [12345, -2345, -92345]          # the pad nibble counts
    v, bad = PackedCodec(digits=4, signed=True, valid_signs="CD").decode(raw)
    assert bad.tolist() == [True, True, True, False, True]
    unsigned = PackedCodec(digits=4, signed=False, valid_signs="F", check_pad=False)
    assert unsigned.decode(raw)[1].tolist() == [True, True, False, True, True]


def test_pad_of_a_field_wider_than_its_digits():
    wide = np.array([[0x00, 0x00, 0x12, 0x3C], [0x10, 0x00, 0x12, 0x3C]], np.uint8)
    for check, expect in ((True, [False, True]), (False, [False, False])):
        codec = PackedCodec(digits=3, signed=True, size=4, check_pad=check)
        assert codec.decode(wide)[1].tolist() == expect
    ten = np.zeros((2, 10), np.uint8)
    ten[:, -1] = 0x1C
    ten[1, 0] = 0x50
    for check, expect in ((True, [False, True]), (False, [False, False])):
        codec = PackedCodec(digits=17, signed=True, size=10, check_pad=check)
        assert codec.decode(ten)[1].tolist() == expect
