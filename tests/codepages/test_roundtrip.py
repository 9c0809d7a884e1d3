"""Hypothesis: columns of random text and random bytes in every page, checked against the
reference converters (iconv / Python codecs) in both directions."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from engine.codepages import get_codepage
from tests.codepages.reference import MIXED, PAGES, ref_decode, ref_encode

SO, SI = 0x0E, 0x0F
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TABLE_PAGES = [p for p in PAGES if p != "utf-8"]


@lru_cache(maxsize=None)
def canonical(page: str):
    """Characters that decode from exactly the code they encode to: (single-byte chars,
    their bytes, double-byte chars, their codes)."""
    cp = get_codepage(page)
    one_c, one_b, two_c, two_k = [], [], [], []
    for c, k in zip(cp.enc_cp.tolist(), cp.enc_code.tolist()):
        if k < 256 and cp.sbcs[k] == c:
            one_c.append(chr(c)); one_b.append(k)
        elif k >= 0x10000 and cp.dbcs is not None and cp.dbcs[k & 0xFFFF] == c:
            two_c.append(chr(c)); two_k.append(k & 0xFFFF)
    return one_c, one_b, two_c, two_k


def text_rows(page: str):
    """Lists of strings made of runs of single-byte and double-byte characters."""
    one_c, _, two_c, _ = canonical(page)
    runs = [st.text(st.sampled_from(one_c), min_size=1, max_size=6)]
    if two_c:
        runs.append(st.text(st.sampled_from(two_c), min_size=1, max_size=4))
    row = st.lists(st.one_of(runs), max_size=5).map("".join)
    return st.lists(row, min_size=1, max_size=12)


def byte_rows(page: str):
    """Lists of well-formed canonical byte strings (balanced SO/SI, no empty runs)."""
    _, one_b, _, two_k = canonical(page)
    single = st.lists(st.sampled_from(one_b), min_size=1, max_size=6).map(bytes)
    segs = [single]
    if two_k:
        pairs = st.lists(st.sampled_from(two_k), min_size=1, max_size=4).map(
            lambda ks: b"".join(k.to_bytes(2, "big") for k in ks))
        segs.append(pairs.map(lambda p: bytes([SO]) + p + bytes([SI])) if page in MIXED else pairs)

    def join(parts):
        out = b""
        for p in parts:          # adjacent DBCS runs would merge when written back: join them
            if page in MIXED and out.endswith(bytes([SI])) and p.startswith(bytes([SO])):
                out = out[:-1] + p[1:]
            else:
                out += p
        return out
    return st.lists(st.lists(st.one_of(segs), max_size=5).map(join), min_size=1, max_size=12)


def _block(rows: list[bytes], width: int, pad: int) -> np.ndarray:
    return np.frombuffer(b"".join(r.ljust(width, bytes([pad])) for r in rows), np.uint8).reshape(len(rows), width)


@pytest.mark.parametrize("page", TABLE_PAGES)
@SETTINGS
@given(data=st.data())
def test_text_encodes_as_the_reference_and_decodes_back(page, data):
    cp = get_codepage(page)
    values = data.draw(text_rows(page))
    refs = [ref_encode(page, v) for v in values]
    assert all(r is not None for r in refs)
    width = data.draw(st.integers(0, max(len(r) for r in refs) + 3))
    justify = data.draw(st.sampled_from(["left", "right"]))
    raw, overflow, unmappable = cp.encode_column(pa.array(values), width, justify=justify)
    assert raw.shape == (len(values), width) and not unmappable.any()
    pad = bytes([cp.space])
    for i, r in enumerate(refs):
        assert overflow[i] == (len(r) > width)
        if len(r) <= width:
            want = r.ljust(width, pad) if justify == "left" else r.rjust(width, pad)
            assert raw[i].tobytes() == want
        else:                    # cut as a COBOL MOVE cuts: the right end, or the left end when justified right
            assert raw[i].tobytes() == (r[:width] if justify == "left" else r[len(r) - width:])
    fits = ~overflow
    text, bad = cp.decode_column(raw[fits], strip="right" if justify == "left" else "both")
    want = [v.rstrip(" ") if justify == "left" else v.strip(" ") for v, f in zip(values, fits) if f]
    assert text.to_pylist() == want and not bad.any()


@pytest.mark.parametrize("page", TABLE_PAGES)
@SETTINGS
@given(data=st.data())
def test_canonical_bytes_decode_as_the_reference_and_encode_back_unchanged(page, data):
    cp = get_codepage(page)
    rows = data.draw(byte_rows(page))
    width = max(len(r) for r in rows) + data.draw(st.integers(0, 3))
    block = _block(rows, width, cp.space)
    text, bad = cp.decode_column(block)
    assert not bad.any()
    assert text.to_pylist() == [ref_decode(page, r.tobytes()).rstrip(" ") for r in block]
    raw, overflow, unmappable = cp.encode_column(text, width)
    assert not overflow.any() and not unmappable.any()
    assert raw.tobytes() == block.tobytes()


@pytest.mark.parametrize("page", PAGES)
@SETTINGS
@given(data=st.data())
def test_random_bytes_decode_as_the_reference(page, data):
    cp = get_codepage(page)
    n, w = data.draw(st.integers(1, 10)), data.draw(st.integers(1, 12))
    interesting = [0x0E, 0x0F, 0x40, 0x20, 0x81, 0x4F, 0x58, 0xE3, 0x80, 0xC1]
    byte = st.one_of(st.integers(0, 255), st.sampled_from(interesting))
    flat = data.draw(st.lists(byte, min_size=n * w, max_size=n * w))
    block = np.array(flat, np.uint8).reshape(n, w)
    text, bad = cp.decode_column(block)
    got = text.to_pylist()
    for i in range(n):
        want = ref_decode(page, block[i].tobytes())
        if want is None:
            assert bad[i], f"{page} {block[i].tobytes().hex()} should be flagged"
            if page == "utf-8":
                assert got[i] == block[i].tobytes().decode("utf-8", "replace").rstrip(" ")
            else:
                assert "\ufffd" in got[i]
        else:
            assert not bad[i] and got[i] == want.rstrip(" "), block[i].tobytes().hex()
    # and what decoded cleanly is written as the reference writes it
    ok = ~bad
    values = [g for g, o in zip(got, ok) if o]
    raw, overflow, unmappable = cp.encode_column(pa.array(values, pa.large_string()), 3 * w + 2)
    for i, v in enumerate(values):
        ref = ref_encode(page, v)
        if ref is None:
            assert unmappable[i]
        else:
            assert not unmappable[i] and raw[i].tobytes() == ref.ljust(3 * w + 2, bytes([cp.space]))


@SETTINGS
@given(values=st.lists(st.text(st.characters(blacklist_categories=("Cs",))), min_size=1, max_size=10),
       width=st.integers(0, 40))
def test_utf8_text_round_trip(values, width):
    cp = get_codepage("utf-8")
    raw, overflow, unmappable = cp.encode_column(pa.array(values), width)
    assert not unmappable.any()
    for i, v in enumerate(values):
        b = v.encode("utf-8")
        assert overflow[i] == (len(b) > width)
        if len(b) <= width:
            assert raw[i].tobytes() == b.ljust(width, b" ")
    text, bad = cp.decode_column(raw[~overflow])
    assert text.to_pylist() == [v.rstrip(" ") for v, o in zip(values, overflow) if not o] and not bad.any()


@pytest.mark.parametrize("page", ["cp1390", "cp1399"])
@SETTINGS
@given(data=st.data())
def test_combining_sequences_encode_as_the_reference(page, data):
    """Base characters and combining marks that IBM-1390/1399 write as one double-byte code."""
    cp = get_codepage(page)
    parts = sorted({chr(c) for c in cp.combo[:, 1:].ravel().tolist()} | set("かAｱ "))
    values = data.draw(st.lists(st.text(st.sampled_from(parts), max_size=8), min_size=1, max_size=8))
    raw, overflow, unmappable = cp.encode_column(pa.array(values), 24)
    for i, v in enumerate(values):
        ref = ref_encode(page, v)
        if ref is None:
            assert unmappable[i]
        else:
            assert not unmappable[i] and not overflow[i]
            assert raw[i].tobytes() == ref.ljust(24, bytes([cp.space]))
            assert cp.decode(ref) == ref_decode(page, ref)
