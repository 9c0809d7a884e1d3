"""Records' class tests, values and MOVEs run on the engine's codecs: the same
results with the compiled kernel and the NumPy fallback, GnuCOBOL's rules."""
import numpy as np
import pytest

from engine.program.records import Records, digits_value, zoned_digits

pytestmark = pytest.mark.usefixtures("both_kernels")


def _master(*packed: bytes) -> Records:
    """SHUNOMST records, SH-CHOTEI-GAKU (S9(11) COMP-3, bytes 37-42) as given."""
    rows = []
    for p in packed:
        rec = bytearray(b"2026" + b"01" + b"0000000001" + b"01" + b"1234567890" + b"20261231")
        rec += p + bytes.fromhex("00000000000C" * 2 + "000000000C") + b"0" * 26 + bytes.fromhex("000F")
        rows.append(bytes(rec.ljust(100, b" ")))
    return Records(np.frombuffer(b"".join(rows), np.uint8).reshape(-1, 100).copy(), "SHUNOMST")


def test_packed_class_test_and_value():
    r = _master(bytes.fromhex("00000012345C"), bytes.fromhex("00000012345D"), bytes.fromhex("00000012345F"),
                bytes.fromhex("0000001234AC"), bytes.fromhex("00000012345E"))
    assert r.numeric("SH-CHOTEI-GAKU").tolist() == [True, True, True, False, False]
    # the legacy program (GnuCOBOL) takes only C and D in a signed field
    assert r.numeric("SH-CHOTEI-GAKU", packed_signs="CD").tolist() == [True, True, False, False, False]
    assert r.value("SH-CHOTEI-GAKU").tolist()[:3] == [12345, -12345, 12345]
    assert r.value("SH-CHOTEI-GAKU")[3] == 12340 + 10           # a nibble above 9 counts as it is
    assert r.numeric("SH-NOFU-KAISU").all() and r.value("SH-NOFU-KAISU").tolist() == [0] * 5
    assert r.all_numeric("SH-KEY", "SH-CHOTEI-GAKU", "SH-NOFU-KAISU").tolist() == [True, True, True, False, False]


def test_digits_value_and_zoned_digits():
    values, numeric = digits_value(np.frombuffer(b"0012345600 12345", np.uint8).reshape(2, 8))
    assert numeric.tolist() == [True, False] and values[0] == 123456
    values, numeric = digits_value(b"\xf0\xf4\xf2", 0xF0)
    assert numeric.tolist() == [True] and values.tolist() == [42]
    assert zoned_digits(np.array([-7, 123456]), 4, 0xF0).tobytes() == b"\xf0\xf0\xf0\xf7\xf3\xf4\xf5\xf6"
