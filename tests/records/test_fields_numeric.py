"""Field codecs against hand-computed bytes, through copybook text."""
from __future__ import annotations

import struct
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from engine.copybook import parse_copybook
from engine.records.codec import RecordCodec

pytestmark = pytest.mark.usefixtures("both_kernels")   # compiled kernel and NumPy fallback


def codec(body: str, codepage="ascii", dialect="gnucobol") -> RecordCodec:
    text = "       01  REC.\n" + "".join(f"           {line}\n" for line in body.strip().splitlines())
    return RecordCodec(parse_copybook(text, dialect=dialect), codepage, dialect)


def one(c: RecordCodec, raw: bytes, name: str):
    return c.decode(np.frombuffer(raw, dtype=np.uint8).reshape(1, -1)).frame[name][0]


def enc(c: RecordCodec, **values) -> bytes:
    return c.encode(pl.DataFrame({k: [v] for k, v in values.items()})).tobytes()


@pytest.mark.parametrize("value, raw", [
    (-1234, b"0000000123t"), (1234, b"00000001234"), (0, b"00000000000"),
    (-99999999999, b"9999999999y"), (5, b"00000000005")])
def test_zoned_gnucobol_trailing(value, raw):
    c = codec("05 A PIC S9(11).")
    assert one(c, raw, "A") == value
    assert enc(c, A=value) == raw


def test_zoned_gnucobol_minus_zero_reads_zero():
    assert one(codec("05 A PIC S9(11)."), b"0000000000p", "A") == 0


@pytest.mark.parametrize("value, raw", [(-1234, bytes.fromhex("F0F0F1F2F3D4")),
                                        (1234, bytes.fromhex("F0F0F1F2F3C4")),
                                        (0, bytes.fromhex("F0F0F0F0F0C0"))])
def test_zoned_ebcdic_zones(value, raw):
    c = codec("05 A PIC S9(6).", "cp037", "ibm")
    assert one(c, raw, "A") == value
    assert enc(c, A=value) == raw


def test_zoned_ebcdic_accepts_a_b_e_f_zones():
    c = codec("05 A PIC S9(3).", "cp037", "ibm")
    assert one(c, bytes.fromhex("F1F2A3"), "A") == 123
    assert one(c, bytes.fromhex("F1F2E3"), "A") == 123
    assert one(c, bytes.fromhex("F1F2F3"), "A") == 123
    assert one(c, bytes.fromhex("F1F2B3"), "A") == -123


def test_zoned_ebcdic_unsigned_accepts_c_zone_not_d():
    c = codec("05 A PIC 9(3).", "cp037", "ibm")
    assert one(c, bytes.fromhex("F1F2C3"), "A") == 123
    assert enc(c, A=123) == bytes.fromhex("F1F2F3")
    r = c.decode(np.frombuffer(bytes.fromhex("F1F2D3"), np.uint8).reshape(1, 3), errors="lenient")
    assert r.frame["A"][0] is None and list(r.rejected) == [0]


@pytest.mark.parametrize("value, raw", [(-1234, b"000123M"), (1234, b"000123D"),
                                        (0, b"000000{"), (-10, b"000001}")])
def test_zoned_ascii_overpunch(value, raw):
    c = codec("05 A PIC S9(7).", "ascii", "ibm")      # IBM dialect on ASCII: overpunch
    assert one(c, raw, "A") == value
    assert enc(c, A=value) == raw


def test_zoned_ascii_overpunch_reads_plain_digits_as_positive():
    assert one(codec("05 A PIC S9(3).", "ascii", "ibm"), b"123", "A") == 123


def test_sign_leading_separate():
    c = codec("05 A PIC S9(5) SIGN LEADING SEPARATE.")
    assert one(c, b"-01234", "A") == -1234
    assert enc(c, A=-1234) == b"-01234"
    assert enc(c, A=77) == b"+00077"


def test_sign_trailing_separate_ebcdic():
    c = codec("05 A PIC S9(3) SIGN TRAILING SEPARATE.", "cp037", "ibm")
    assert one(c, bytes.fromhex("F1F2F360"), "A") == -123        # '-' is X'60' in cp037
    assert enc(c, A=123) == bytes.fromhex("F1F2F34E")            # '+' is X'4E'


def test_sign_leading_embedded():
    c = codec("05 A PIC S9(4) SIGN LEADING.")
    assert one(c, b"t234", "A") == -4234
    assert enc(c, A=-1234) == b"q234"


@pytest.mark.parametrize("pic, value, raw", [
    ("S9(11) COMP-3", 30000, bytes.fromhex("00000030000C")),
    ("S9(11) COMP-3", -30000, bytes.fromhex("00000030000D")),
    ("9(3) COMP-3", 1, bytes.fromhex("001F")),
    ("S9(4) COMP-3", -1234, bytes.fromhex("01234D")),
    ("S9(18) COMP-3", 123456789012345678, bytes.fromhex("0123456789012345678C")),
    ("S9(17) COMP-3", -12345678901234567, bytes.fromhex("12345678901234567D")),
])
def test_packed(pic, value, raw):
    c = codec(f"05 A PIC {pic}.")
    assert one(c, raw, "A") == value
    assert enc(c, A=value) == raw


def test_packed_accepts_a_b_e_f_signs():
    c = codec("05 A PIC S9(3) COMP-3.")
    assert one(c, bytes.fromhex("123A"), "A") == 123
    assert one(c, bytes.fromhex("123B"), "A") == -123
    assert one(c, bytes.fromhex("123E"), "A") == 123
    assert one(c, bytes.fromhex("123F"), "A") == 123


def test_packed_decimal_scale():
    c = codec("05 A PIC S9(7)V99 COMP-3.")
    v = one(c, bytes.fromhex("000012345D"), "A")
    assert v == Decimal("-123.45")
    assert c.decode(np.array([[0, 0, 0, 0, 0x0C]], np.uint8)).frame.schema["A"] == pl.Decimal(9, 2)
    assert enc(c, A=Decimal("-123.45")) == bytes.fromhex("000012345D")


def test_wide_decimal_38_digits():
    c = codec("05 A PIC S9(20)V9(5) COMP-3.")
    raw = bytes.fromhex("1234567890123456789012345" + "D")
    v = one(c, raw, "A")
    assert v == Decimal("-12345678901234567890.12345")
    assert enc(c, A=v) == raw
    z = codec("05 B PIC 9(25).")
    assert one(z, b"1234567890123456789012345", "B") == Decimal("1234567890123456789012345")
    assert enc(z, B=Decimal("1234567890123456789012345")) == b"1234567890123456789012345"


@pytest.mark.parametrize("body, raw, value", [
    ("05 A PIC 9(3)PP.", b"123", 12300),
    ("05 A PIC PP9(2).", b"12", Decimal("0.0012")),
    ("05 A PIC SVP(2)9(3).", b"12r", Decimal("-0.00122")),
])
def test_p_scaling(body, raw, value):
    c = codec(body)
    assert one(c, raw, "A") == value
    assert enc(c, A=value) == raw


@pytest.mark.parametrize("pic, dialect, value, fmt", [
    ("S9(4) COMP", "ibm", -2, ">h"), ("S9(9) COMP", "ibm", 123456789, ">i"),
    ("S9(18) BINARY", "ibm", -(10 ** 17), ">q"), ("9(4) COMP-4", "ibm", 9999, ">H"),
    ("S9(2) COMP", "gnucobol", -5, ">b"), ("S9(4) COMP-5", "gnucobol", -300, "<h"),
    ("S9(9) COMP-5", "ibm", 70000, ">i"), ("9(9) COMP-5", "gnucobol", 4000000000, "<I"),
])
def test_binary_against_struct(pic, dialect, value, fmt):
    c = codec(f"05 A PIC {pic}.", "ascii", dialect)
    raw = struct.pack(fmt, value)
    assert one(c, raw, "A") == value
    assert enc(c, A=value) == raw


def test_binary_comp_checks_picture_digits_comp5_checks_bytes():
    from engine.errors import EncodeError
    with pytest.raises(EncodeError, match="row 0.*field A"):
        enc(codec("05 A PIC S9(4) COMP.", "ascii", "ibm"), A=10000)
    assert enc(codec("05 A PIC S9(4) COMP-5.", "ascii", "ibm"), A=10000) == struct.pack(">h", 10000)


@pytest.mark.parametrize("value, raw", [
    (322.9365, "43142EFC"),            # 322.9365 / 16**3 * 2**24 = 1322747.9 -> X'142EFC'
    (-118.625, "C276A000"), (1.0, "41100000"), (0.0, "00000000"), (0.15625, "40280000")])
def test_ibm_hex_float_comp1(value, raw):
    c = codec("05 F COMP-1.", "cp037", "ibm")
    got = one(c, bytes.fromhex(raw), "F")
    assert abs(got - value) <= abs(value) * 2 ** -20
    assert enc(c, F=value).hex().upper() == raw


def test_ibm_hex_float_comp2():
    c = codec("05 F COMP-2.", "cp037", "ibm")
    assert one(c, bytes.fromhex("C276A00000000000"), "F") == -118.625
    assert enc(c, F=-118.625).hex().upper() == "C276A00000000000"


def test_ieee_float_gnucobol_little_endian():
    c = codec("05 F COMP-1.\n05 D COMP-2.", "ascii", "gnucobol")
    raw = struct.pack("<f", 1.5) + struct.pack("<d", -2.25)
    f = c.decode(np.frombuffer(raw, np.uint8).reshape(1, -1)).frame
    assert f["F"][0] == 1.5 and f["D"][0] == -2.25
    assert f.schema["F"] == pl.Float32 and f.schema["D"] == pl.Float64
    assert c.encode(f).tobytes() == raw


def test_national_utf16():
    c = codec("05 N PIC N(4) USAGE NATIONAL.")
    raw = "収納".encode("utf-16-be") + " ".encode("utf-16-be") * 2
    assert one(c, raw, "N") == "収納"
    assert enc(c, N="収納") == raw


def test_text_and_justified():
    c = codec("05 T PIC X(5).\n05 J PIC X(5) JUSTIFIED RIGHT.")
    f = c.decode(np.frombuffer(b"AB     XY", np.uint8).reshape(1, -1) if False else
                 np.frombuffer(b"AB      XY", np.uint8).reshape(1, -1)).frame
    assert f["T"][0] == "AB" and f["J"][0] == "XY"
    assert c.encode(f).tobytes() == b"AB      XY"
