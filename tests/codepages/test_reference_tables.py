"""Every byte and every double-byte code of every page against glibc iconv / Python codecs,
in both directions (the tables were generated once; these tests re-ask the references)."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from engine.codepages import get_codepage
from tests.codepages.reference import MIXED, PAGES, ref_decode, ref_encode

SO, SI = 0x0E, 0x0F


@pytest.mark.parametrize("page", PAGES)
def test_every_single_byte_decodes_as_the_reference(page):
    cp = get_codepage(page)
    block = np.arange(256, dtype=np.uint8).reshape(256, 1)
    text, bad = cp.decode_column(block, strip=None)
    got = text.to_pylist()
    for b in range(256):
        want = ref_decode(page, bytes([b]))
        if want is None:
            assert bad[b] and got[b] == "\ufffd", f"{page} X'{b:02X}'"
        else:
            assert not bad[b] and got[b] == want, f"{page} X'{b:02X}': {got[b]!r} != {want!r}"


def _pair_rows(page: str) -> tuple[np.ndarray, np.ndarray]:
    """All double-byte codes of a page: (codes, rows as the bytes a PIC X field holds)."""
    hi, lo = np.divmod(np.arange(65536), 256)
    if page in MIXED:
        keep = ~np.isin(hi, (SO, SI)) & ~np.isin(lo, (SO, SI))
        codes = np.flatnonzero(keep)
        rows = np.stack([np.full(len(codes), SO), codes >> 8, codes & 255, np.full(len(codes), SI)], 1)
    else:   # cp932: every pair whose first byte is a lead byte
        leads = np.flatnonzero(get_codepage(page).sbcs == -2)
        codes = np.flatnonzero(np.isin(hi, leads))
        rows = np.stack([codes >> 8, codes & 255], 1)
    return codes, rows.astype(np.uint8)


@pytest.mark.parametrize("page", MIXED + ["cp932"])
def test_every_double_byte_code_decodes_as_the_reference(page):
    cp = get_codepage(page)
    codes, rows = _pair_rows(page)
    text, bad = cp.decode_column(rows, strip=None)
    pairs = rows[:, 1:3] if page in MIXED else rows
    gtext, gbad = cp.decode_dbcs_column(np.ascontiguousarray(pairs), strip=None)
    got, gdbcs = text.to_pylist(), gtext.to_pylist()
    mapped = 0
    for i, code in enumerate(codes.tolist()):
        want = ref_decode(page, rows[i].tobytes())
        if want is None:
            assert bad[i] and "\ufffd" in got[i], f"{page} X'{code:04X}' should be unmapped, got {got[i]!r}"
        else:
            mapped += 1
            assert not bad[i] and got[i] == want, f"{page} X'{code:04X}': {got[i]!r} != {want!r}"
            assert not gbad[i] and gdbcs[i] == want, f"{page} PIC G X'{code:04X}'"
    assert mapped > 7000


def _scalar_values(planes: int) -> np.ndarray:
    cps = np.arange(0x10000 * planes)
    return cps[(cps < 0xD800) | (cps > 0xDFFF)]


@pytest.mark.parametrize("page", PAGES)
def test_every_character_encodes_as_the_reference(page):
    cp = get_codepage(page)
    cps = _scalar_values(3 if cp.has_dbcs else 1)
    chars = [chr(c) for c in cps.tolist()]
    width = 4
    raw, overflow, unmappable = cp.encode_column(pa.array(chars, pa.large_string()), width)
    pad = bytes([cp.space])
    encodable = 0
    for i, ch in enumerate(chars):
        want = ref_encode(page, ch)
        if want is None:
            assert unmappable[i], f"{page} U+{ord(ch):04X} should be unmappable"
        else:
            encodable += 1
            assert not unmappable[i] and not overflow[i], f"{page} U+{ord(ch):04X}"
            assert raw[i].tobytes() == want.ljust(width, pad), \
                f"{page} U+{ord(ch):04X}: {raw[i].tobytes().hex()} != {want.hex()}"
    assert encodable >= 128


@pytest.mark.parametrize("page", MIXED + ["cp932"])
def test_dbcs_fields_encode_each_double_byte_character_to_a_code_that_decodes_back(page):
    cp = get_codepage(page)
    codes, rows = _pair_rows(page)
    pairs = np.ascontiguousarray(rows[:, 1:3] if page in MIXED else rows)
    text, bad = cp.decode_dbcs_column(pairs, strip=None)
    chars = [t for t, b in zip(text.to_pylist(), bad) if not b and t != "\u3000"]
    raw, overflow, unmappable = cp.encode_dbcs_column(pa.array(chars), 4)
    assert not unmappable.any() and not overflow.any()
    back, bad2 = cp.decode_dbcs_column(raw)
    assert back.to_pylist() == chars and not bad2.any()
    # where the reference itself writes the character as a double-byte code, we use that code
    for i, ch in enumerate(chars[:: max(1, len(chars) // 500)]):
        want = ref_encode(page, ch)
        j = chars.index(ch)
        if want is not None and page in MIXED and len(want) == 4:
            assert raw[j, :2].tobytes() == want[1:3], f"{page} {ch!r}"
        elif want is not None and page == "cp932" and len(want) == 2:
            assert raw[j, :2].tobytes() == want, f"{page} {ch!r}"


def test_cp290_is_the_single_byte_part_of_ibm930():
    """EBCDIK (CCSID 290) is the single-byte half of CCSID 930: glibc's IBM930 decodes and
    encodes every single byte but the shift bytes as cp290 does (half-width katakana)."""
    from engine.codepages.iconv import Converter, available
    if not available("IBM930"):
        pytest.skip("glibc iconv has no IBM930 here (libc6 gconv modules missing)")
    dec, enc = Converter("IBM930", "UTF-8"), Converter("UTF-8", "IBM930")
    cp = get_codepage("cp290")
    for b in sorted(set(range(256)) - {SO, SI}):
        want = dec(bytes([b]))
        got = cp.decode(bytes([b]))
        assert (got == "\ufffd") if want is None else (got == want.decode()), f"X'{b:02X}'"
    one_way = 0
    for ch in map(chr, cp.enc_cp.tolist()):
        if ch in "\x0e\x0f":                     # control characters SO/SI: shift bytes in IBM930
            continue
        want = enc(ch.encode())
        if dec(want).decode() != ch:              # glibc's one-way fallbacks ('\\' -> X'5B', the yen sign)
            one_way += 1
            assert dec(cp.encode(ch)).decode() == ch
            continue
        assert cp.encode(ch) == want, f"{ch!r}"
    assert one_way == 2
    assert cp.decode(bytes.fromhex("818283c1")) == "ｱｲｳA" and cp.decode(b"\x0e") == "\x0e"


def test_spec_example_ibm930_and_939():
    """municipal-rules.md, "Character sets": the observed IBM930 bytes and IBM939 katakana."""
    cp930, cp939 = get_codepage("cp930"), get_codepage("ibm-939")
    assert cp930.encode("ABC ｱｲｳ 漢字") == bytes.fromhex("c1c2c340818283400e4f5848f20f")
    assert cp930.decode(bytes.fromhex("c1c2c340818283400e4f5848f20f")) == "ABC ｱｲｳ 漢字"
    assert cp939.encode("ｱｲｳ") == bytes.fromhex("596263")
    assert cp939.decode(bytes.fromhex("818283")) == "abc"    # lowercase Latin where 930 has katakana


def test_one_way_mappings_follow_the_reference_direction():
    """IBM-1390 X'42E1' decodes to the euro sign, which iconv encodes as the single byte X'E1';
    IBM-930 X'A0' and X'A1' both decode to '~'-like characters: encoding takes iconv's byte."""
    cp = get_codepage("cp1390")
    assert cp.decode(bytes.fromhex("0e42e10f")) == "€"
    assert cp.encode("€") == bytes.fromhex("e1")
    cp930 = get_codepage("cp930")
    assert cp930.decode(b"\xa0") == "~" and cp930.encode("~") == b"\xa1"
    # glibc maps undefined single bytes of IBM-1390 to SUB (U+001A), one-way; so do we
    assert cp.decode(b"\x57") == "\x1a" and cp.encode("\x1a") == b"\x3f"


def test_combining_sequences_of_ibm1390():
    """Some JIS X 0213 codes of IBM-1390/1399 stand for two code points (kana + U+309A)."""
    cp = get_codepage("cp1399")
    assert cp.decode(bytes.fromhex("0eecb50f")) == "\u304b\u309a"
    assert cp.encode("\u304b\u309a") == bytes.fromhex("0eecb50f")
    assert cp.encode("A\u304b\u309aか") == bytes.fromhex("c10eecb5") + cp.encode("か")[1:]
    # overlapping pairs (tone letters): taken left to right, as iconv does
    tones = "\u02e9\u02e5\u02e9\u02e5\u02e9"
    assert cp.encode(tones) == ref_encode("cp1399", tones) == bytes.fromhex("0eecccecccd9460f")
    raw, _, unmappable = cp.encode_column(pa.array([tones, "\u304b\u309a", tones[:2]]), 8)
    assert [r.tobytes().hex() for r in raw] == ["0eecccecccd9460f", "0eecb50f40404040", "0eeccc0f40404040"]
