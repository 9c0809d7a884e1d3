"""engine.program.keys and engine.program.records."""
import numpy as np
from hypothesis import given, settings, strategies as st

from engine.program.keys import compare, key_ranks
from engine.program.records import Records, zoned_digits


@settings(deadline=None)
@given(st.lists(st.binary(min_size=11, max_size=11), min_size=1, max_size=40),
       st.lists(st.binary(min_size=11, max_size=11), max_size=40))
def test_ranks_order_like_bytes(a, b):
    A = np.frombuffer(b"".join(a), np.uint8).reshape(len(a), 11)
    B = np.frombuffer(b"".join(b), np.uint8).reshape(len(b), 11)
    ra, rb = key_ranks(A, B)
    allk = a + b
    allr = list(ra) + list(rb)
    for i in range(len(allk)):
        for j in range(len(allk)):
            assert (allk[i] < allk[j]) == (allr[i] < allr[j])
    if len(b) == len(a):
        want = [(x > y) - (x < y) for x, y in zip(a, b)]
        assert compare(A, B).tolist() == want


def _rec(*parts: bytes) -> np.ndarray:
    return np.frombuffer(b"".join(parts), np.uint8).reshape(len(parts), -1).copy()


def test_class_tests_and_values_in_ascii():
    data = _rec(b"0000000123" + b" " * 150, b"00000001 3" + b" " * 150, b"000000012A" + b" " * 150)
    r = Records(data, "IDOTRN")
    assert r.numeric("IT-KOJIN-NO").tolist() == [True, False, False]
    assert r.value("IT-KOJIN-NO")[0] == 123
    assert r.spaces("IT-BANCHI").all()
    r.put("IT-JIYU", np.array([11, 22, 31]))
    assert r.equals("IT-JIYU-X", "22").tolist() == [False, True, False]
    r.put("IT-BANCHI", b"2-14-7", rows=[0])
    assert bytes(r.bytes("IT-BANCHI")[0]) == b"2-14-7".ljust(20)


def test_class_tests_in_ebcdic():
    rec = bytes([0xF1] * 10) + bytes([0xF2] * 8) + bytes([0x40] * 142)
    bad = bytes([0xF1] * 9 + [0x31]) + bytes([0xF2] * 8) + bytes([0x40] * 142)
    r = Records(_rec(rec, bad), "IDOTRN", encoding="cp930", dialect="ibm")
    assert r.numeric("IT-KOJIN-NO").tolist() == [True, False]
    assert r.value("IT-KOJIN-NO")[0] == 1111111111
    assert r.spaces("IT-BANCHI").all()


def test_zoned_digits():
    assert zoned_digits(np.array([7, 123456]), 4).tobytes() == b"00073456"


@settings(deadline=None, max_examples=60)
@given(st.lists(st.binary(min_size=100, max_size=100), max_size=30), st.sampled_from(["ascii", "cp930"]))
def test_all_numeric_and_values_match_the_field_by_field_tests(rows, encoding):
    """all_numeric is the AND of numeric; value is the digits' number (low nibbles)."""
    digits = bytes(range(0xF0, 0xFA)) if encoding == "cp930" else b"0123456789"
    data = np.array([[digits[b % 10] if b % 3 else b for b in row] for row in rows], np.uint8).reshape(-1, 100)
    r = Records(data, "KAOKUMST", encoding=encoding)
    names = ["KM-KOJIN-NO", "KM-SHOZAI-CD", "KM-KOZO", "KM-YOTO", "KM-YUKA-MENSEKI", "KM-KENCHIKU-NEN",
             "KM-HYOKA-GAKU"]
    expected = np.logical_and.reduce([r.numeric(n) for n in names]) if len(data) else np.ones(0, bool)
    assert r.all_numeric(*names).tolist() == expected.tolist()
    for n in names:
        by_hand = []
        for row in r.bytes(n):
            v = 0
            for b in row:
                v = v * 10 + (int(b) & 0x0F)             # a nibble above 9 counts as it is
            by_hand.append(v)
        assert by_hand == r.value(n).tolist()
