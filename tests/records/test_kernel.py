"""The compiled codec kernel against the NumPy code, field codec by field codec:
any bytes decode to the same values and the same invalid-data flags, any values
encode to the same bytes, error flags and reasons (Hypothesis)."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.codepages import get_codepage
from engine.copybook import parse_copybook
from engine.records import kernel
from engine.records.binary import BinaryCodec
from engine.records.codec import RecordCodec
from engine.records.packed import PackedCodec
from engine.records.text import TextCodec
from engine.records.zoned import ZonedCodec
from tests.records.test_codec_roundtrip import layouts

pytestmark = pytest.mark.skipif("compiled" not in kernel.available(),
                                reason="the compiled codec kernel was not built")

PAGES = ["ascii", "cp037", "cp930", "cp932", "utf8", "cp290"]


def both(fn):
    with kernel.use("compiled"):
        a = fn()
    with kernel.use("python"):
        b = fn()
    return a, b


def same_decode(codec, raw):
    (va, ba), (vb, bb) = both(lambda: codec.decode(raw))
    assert np.array_equal(ba, bb)
    assert np.array_equal(va, vb)
    return va, ba


def same_encode(codec, values, **options):
    (oa, ea, ra), (ob, eb, rb) = both(lambda: codec.encode(values, **options))
    assert np.array_equal(ea, eb)
    assert np.array_equal(oa, ob)
    assert ra == rb
    return oa, ea


def blocks(width, alphabet=None):
    """(rows, width) uint8 blocks of up to 20 rows: any bytes, or bytes of `alphabet`."""
    if alphabet is None:
        flat = st.binary(max_size=20 * width).map(lambda b: b[:len(b) - len(b) % width])
    else:
        table = bytes(alphabet)
        flat = st.binary(max_size=20 * width).map(
            lambda b: bytes(table[x % len(table)] for x in b[:len(b) - len(b) % width]))
    return flat.map(lambda b: np.frombuffer(b, dtype=np.uint8).reshape(-1, width).copy())


@st.composite
def zoned_cases(draw):
    page = get_codepage(draw(st.sampled_from(PAGES)))
    digits = draw(st.integers(1, 18))
    signed = draw(st.booleans())
    codec = ZonedCodec(digits=digits, signed=signed,
                       convention=draw(st.sampled_from(["ebcdic", "ascii-overpunch", "gnucobol"])),
                       codepage=page, sign_leading=draw(st.booleans()),
                       sign_separate=draw(st.booleans()),
                       zones=draw(st.sampled_from(["CAEFDB", "CDF"])))
    zero = page.digit_zero
    # mostly digits, some sign characters and anything else, so both branches run
    alphabet = list(range(zero, zero + 10)) + list(codec.enc_pos) + list(codec.enc_neg) + \
        list(page.encode("+-")) + [0x40, 0x20, 0xC1, 0xD9, 0x7B, 0x70, 0x00, 0xFF, 0xBA, 0xA5]
    raw = draw(blocks(codec.size, alphabet))
    return codec, raw


@given(zoned_cases())
@settings(max_examples=120, deadline=None)
def test_zoned_decode_same(case):
    codec, raw = case
    same_decode(codec, raw)


@given(zoned_cases(), st.lists(st.one_of(st.integers(-10 ** 19, 10 ** 19).filter(
    lambda v: -2 ** 63 <= v < 2 ** 63), st.integers(-999, 999)), max_size=40))
@settings(max_examples=120, deadline=None)
def test_zoned_encode_same(case, values):
    codec, _ = case
    out, err = same_encode(codec, np.array(values, dtype=np.int64))
    if len(values):     # and what fits reads back
        v, bad = codec.decode(out)
        ok = ~err
        assert not bad[ok].any()
        assert np.array_equal(v[ok], np.array(values, dtype=np.int64)[ok])


# the legacy options of the decimal encoders: explicit signs (-0), MOVE's truncation
def encode_options(n):
    return st.fixed_dictionaries({
        "negative": st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n).map(
            lambda b: np.array(b, dtype=bool))),
        "truncate": st.booleans()})


@st.composite
def packed_cases(draw):
    digits = draw(st.integers(1, 18))
    size = draw(st.sampled_from([None, digits // 2 + 1, min(10, digits // 2 + 2)]))
    signs = draw(st.sampled_from([(None, None), ("CD", "D"), ("CDF", "BD")]))
    codec = PackedCodec(digits=digits, signed=draw(st.booleans()), size=size,
                        valid_signs=signs[0], negative_signs=signs[1],
                        check_pad=draw(st.booleans()))
    return codec, draw(blocks(codec.size))


@given(packed_cases())
@settings(max_examples=120, deadline=None)
def test_packed_decode_same(case):
    codec, raw = case
    same_decode(codec, raw)


@given(packed_cases(), st.lists(st.one_of(st.integers(-2 ** 63, 2 ** 63 - 1),
                                          st.integers(-99999, 99999)), max_size=40))
@settings(max_examples=120, deadline=None)
def test_packed_encode_same(case, values):
    codec, _ = case
    same_encode(codec, np.array(values, dtype=np.int64))


@pytest.mark.parametrize("cases", [zoned_cases, packed_cases], ids=["zoned", "packed"])
@given(data=st.data())
@settings(max_examples=120, deadline=None)
def test_decimal_encode_options_same(cases, data):
    codec, _ = data.draw(cases())
    values = np.array(data.draw(st.lists(st.one_of(
        st.integers(-2 ** 63, 2 ** 63 - 1), st.integers(-99999, 99999)), max_size=40)), np.int64)
    options = data.draw(encode_options(len(values)))
    out, err = same_encode(codec, values, **options)
    if options["truncate"]:
        assert not err.any()


@st.composite
def binary_cases(draw):
    size = draw(st.sampled_from([1, 2, 4, 8]))
    codec = BinaryCodec(size=size, signed=draw(st.booleans()),
                        byteorder=draw(st.sampled_from(["big", "little"])),
                        digits=draw(st.sampled_from([None, 1, 4, 9, 18])),
                        check_digits=draw(st.booleans()))
    return codec, draw(blocks(size))


@given(binary_cases(), st.lists(st.integers(-2 ** 63, 2 ** 63 - 1), max_size=40))
@settings(max_examples=120, deadline=None)
def test_binary_same(case, values):
    codec, raw = case
    same_decode(codec, raw)
    same_encode(codec, np.array(values, dtype=np.int64))


@given(st.sampled_from(PAGES), st.integers(1, 12), st.booleans(), st.data())
@settings(max_examples=120, deadline=None)
def test_text_same(page, width, justified, data):
    cp = get_codepage(page)
    codec = TextCodec(size=width, codepage=cp, justified=justified)
    alphabet = list(cp.encode("AZ az09-.")) + [cp.space] * 4 + [0x00, 0x7F, 0x80, 0xC1, 0xFF, 0x0E, 0x0F]
    raw = data.draw(blocks(width, alphabet))
    (sa, ba), (sb, bb) = both(lambda: codec.decode(raw))
    assert np.array_equal(ba, bb)
    assert sa.to_pylist() == sb.to_pylist()
    texts = data.draw(st.lists(st.one_of(st.none(), st.text("AZaz09 -.ｱ収", max_size=width + 3)),
                               max_size=30))
    same_encode(codec, pa.array(texts, pa.large_string()))


def test_legacy_sign_options():
    """What a job whose legacy program judges signs otherwise asks of the kernel."""
    gnu = PackedCodec(digits=3, signed=True, valid_signs="CD", negative_signs="D")
    raw = np.array([[0x12, 0x3C], [0x12, 0x3D], [0x12, 0x3B], [0x12, 0x3F], [0x1A, 0x3D]], np.uint8)
    v, bad = same_decode(gnu, raw)
    assert bad.tolist() == [False, False, True, True, True]
    assert v.tolist()[:4] == [123, -123, 123, 123] and v[4] == -(100 + 10 * 10 + 3)  # A counts 10
    strict = ZonedCodec(digits=2, signed=True, convention="ebcdic", codepage=get_codepage("cp037"),
                        zones="CDF")
    v, bad = same_decode(strict, np.array([[0xF1, 0xC2], [0xF1, 0xD2], [0xF1, 0xA2], [0xF1, 0xF2]], np.uint8))
    assert bad.tolist() == [False, False, True, False] and v[[0, 1, 3]].tolist() == [12, -12, 12]


def test_strided_field_of_a_record_block():
    """A field sliced out of records (rows 100 bytes apart) needs no copy."""
    rec = np.full((5, 100), 0x30, dtype=np.uint8)
    rec[:, 10:14] = np.frombuffer(b"1234", np.uint8)
    rec[3, 12] = 0x41
    codec = ZonedCodec(digits=4, signed=False, convention="gnucobol", codepage=get_codepage("ascii"))
    v, bad = same_decode(codec, rec[:, 10:14])
    assert v.tolist()[:3] == [1234, 1234, 1234] and bad.tolist() == [False, False, False, True, False]


def test_env_switch_chooses_the_kernel():
    code = "from engine.records import kernel; print(kernel.name())"
    for want in ("python", "compiled"):
        env = dict(os.environ, DENSAN_KERNEL=want)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.stdout.strip() == want
    env = dict(os.environ, DENSAN_KERNEL="fast")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "DENSAN_KERNEL='fast' is not a kernel" in out.stderr


# ---- whole records: the one-pass decode and encode of RecordCodec

def _frames_equal(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.columns == b.columns and a.dtypes == b.dtypes and a.equals(b, null_equal=True)


@given(layouts(), st.data())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_records_decode_and_encode_the_same(case, data):
    """Any bytes through random layouts (OCCURS, every field kind, 13 code pages):
    the same frame, rejected rows and messages; the frame encodes to the same bytes."""
    codec, _, _ = case
    L = codec.record_length
    raw = np.frombuffer(data.draw(st.binary(min_size=L, max_size=6 * L).map(
        lambda b: b[:len(b) - len(b) % L])), dtype=np.uint8).reshape(-1, L)
    ra, rb = both(lambda: codec.decode(raw, errors="lenient"))
    assert _frames_equal(ra.frame, rb.frame)
    assert np.array_equal(ra.rejected, rb.rejected) and ra.messages == rb.messages
    good = ra.frame.filter(~pl.Series(np.isin(np.arange(len(raw)), ra.rejected)))

    def encode():
        try:
            return codec.encode(good)
        except Exception as e:          # the same error, the same words
            return str(e)
    ea, eb = both(encode)
    assert type(ea) is type(eb)
    assert (ea == eb) if isinstance(ea, str) else np.array_equal(ea, eb)


def test_first_error_is_the_same_field_with_either_kernel():
    """Fields are encoded together by the compiled kernel; the error raised is still
    the first field's, in layout order, as the NumPy way raises it."""
    layout = parse_copybook("       01  REC.\n           05  A PIC 9(2).\n"
                            "           05  B PIC X(2).\n           05  C PIC S9(3) COMP-3.\n")
    codec = RecordCodec(layout, "ascii", "gnucobol")
    frame = pl.DataFrame({"A": [1, 123], "B": ["x", "toolong"], "C": [5, 99999]})
    msgs = both(lambda: _error_of(lambda: codec.encode(frame)))
    assert msgs[0] == msgs[1] and "A" in msgs[0] and "more than 2 digits" in msgs[0]
    frame = frame.with_columns(pl.Series("A", [1, 2]))
    msgs = both(lambda: _error_of(lambda: codec.encode(frame)))
    assert msgs[0] == msgs[1] and "text longer than 2 bytes" in msgs[0]


def _error_of(fn) -> str:
    try:
        fn()
    except Exception as e:
        return str(e)
    return ""


# ---- text as Arrow string views, and the kernel's pool of output memory

@given(st.integers(1, 30), st.booleans(), st.sampled_from(["ascii", "cp037", "cp930"]), st.data())
@settings(max_examples=60, deadline=None)
def test_text_columns_as_string_views(width, justified, page, data):
    """A record's text fields reach Polars as string views built by the kernel
    (inline up to 12 bytes, in the data buffer beyond): the same frame as NumPy's,
    short records (null fields) included."""
    just = " JUSTIFIED RIGHT" if justified else ""
    layout = parse_copybook(f"       01  REC.\n           05  A PIC X({width}){just}.\n"
                            f"           05  B PIC X(13).\n")
    codec = RecordCodec(layout, page, "gnucobol")
    L = codec.record_length
    alphabet = data.draw(st.sampled_from([None, b" AZ09", b" "]))
    n = data.draw(st.integers(0, 12))
    cells = data.draw(st.binary(min_size=n * L, max_size=n * L) if alphabet is None else
                      st.lists(st.sampled_from(list(alphabet)), min_size=n * L, max_size=n * L)
                      .map(bytes))
    raw = np.frombuffer(cells, dtype=np.uint8).reshape(n, L)
    lengths = np.array(data.draw(st.lists(st.integers(0, L), min_size=n, max_size=n)), np.int32)

    class Block:                                  # records of the given lengths
        pass
    blk = Block()
    blk.data, blk.lengths, blk.file_offsets, blk.first_record, blk.source = raw, lengths, None, 1, None
    for obj in (raw, blk):
        ra, rb = both(lambda: codec.decode(obj, errors="lenient"))
        assert _frames_equal(ra.frame, rb.frame)
        assert np.array_equal(ra.rejected, rb.rejected)


def test_pooled_output_memory_is_never_shared():
    """Columns of a kept frame keep their memory; only a dropped frame's memory is
    used again (by the next block's columns)."""
    codec = RecordCodec(parse_copybook("       01  REC.\n           05  A PIC 9(8).\n"
                                       "           05  B PIC X(20).\n"), "ascii", "gnucobol")
    n = 20_000
    def block(digit):
        return np.frombuffer((str(digit) * 8 + chr(ord("a") + digit) * 20).encode() * n,
                             np.uint8).reshape(n, 28)
    with kernel.use("compiled"):
        kept = codec.decode(block(1)).frame
        for d in range(2, 8):
            codec.decode(block(d))                  # made and dropped: memory back to the pool
        last = codec.decode(block(9)).frame
    assert kept["A"].unique().to_list() == [11111111] and kept["B"].unique().to_list() == ["b" * 20]
    assert last["A"].unique().to_list() == [99999999] and last["B"].unique().to_list() == ["j" * 20]


@given(st.integers(0, 12), st.integers(0, 12), st.sampled_from(["zoned", "packed"]),
       st.integers(1, 18), st.booleans(), st.sampled_from(["ascii", "cp037"]), st.data())
@settings(max_examples=80, deadline=None)
def test_numbers_anywhere_in_a_record(before, after, kind, digits, signed, page, data):
    """A zoned or packed field with 0-12 bytes of the record before and after it:
    the kernel reads short fields with one 8-byte load reaching into the bytes
    beside them (before or after, whichever the record has) and must ignore those."""
    usage = " COMP-3" if kind == "packed" else ""
    pic = f"{'S' if signed else ''}9({digits}){usage}"
    text = "       01  REC.\n"
    if before:
        text += f"           05  FILLER PIC X({before}).\n"
    text += f"           05  N PIC {pic}.\n"
    if after:
        text += f"           05  FILLER PIC X({after}).\n"
    codec = RecordCodec(parse_copybook(text), page, "gnucobol")
    L = codec.record_length
    raw = np.frombuffer(data.draw(st.binary(min_size=L, max_size=8 * L).map(
        lambda b: b[:len(b) - len(b) % L])), dtype=np.uint8).reshape(-1, L).copy()
    good = data.draw(st.lists(st.integers(-(10 ** digits) + 1 if signed else 0, 10 ** digits - 1),
                              min_size=len(raw), max_size=len(raw)))
    with kernel.use("python"):
        enc = codec.encode(pl.DataFrame({"N": good}, schema={"N": pl.Int64}))
    field = codec._by_name["N"].codec.size
    mixed = np.where(np.array(data.draw(st.lists(st.booleans(), min_size=len(raw),
                                                  max_size=len(raw))))[:, None], raw, enc)
    mixed[:, before:before + field] = np.where(
        np.arange(len(raw))[:, None] % 2 == 0, enc[:, before:before + field],
        mixed[:, before:before + field])
    ra, rb = both(lambda: codec.decode(mixed, errors="lenient"))
    assert _frames_equal(ra.frame, rb.frame) and np.array_equal(ra.rejected, rb.rejected)


def test_text_encode_from_polars_string_views():
    """Polars hands its strings over as views into several data buffers; the kernel
    reads them there: the same bytes and errors as NumPy's, for a column built
    from many pieces, strings short and long, JUSTIFIED RIGHT, and a character
    the kernel leaves to the code page's general way."""
    layout = parse_copybook("       01  REC.\n           05  A PIC X(20).\n"
                            "           05  B PIC X(15) JUSTIFIED RIGHT.\n")
    codec = RecordCodec(layout, "cp930", "gnucobol")
    words = ["", "A", "ABCDEFGHIJKL", "ABCDEFGHIJKLM", "X" * 20, " lead", "trail  "]
    pieces = [pl.DataFrame({"A": [(w + str(i) * (i % 3))[:20] for w in words],
                            "B": [w[:15] for w in reversed(words)]}) for i in range(40)]
    frame = pl.concat(pieces, rechunk=False)
    a, b = both(lambda: codec.encode(frame))
    assert np.array_equal(a, b)
    assert bytes(a[3, :20]).rstrip(b"\x40") == "ABCDEFGHIJKLM".encode("cp037")
    for bad in (frame.with_columns(pl.lit("Y" * 21).alias("A")),
                frame.with_columns(pl.lit("ｱ").alias("B"))):
        msgs = both(lambda: _error_of(lambda: codec.encode(bad)))
        assert msgs[0] == msgs[1]
    kana = frame.with_columns(pl.lit("ｱｲ").alias("A"))
    a, b = both(lambda: codec.encode(kana))
    assert np.array_equal(a, b)


def test_template_only_where_fields_leave_bytes_unwritten():
    """Encoding skips the record of defaults when the frame's fields cover every
    byte; with a column left out, its bytes are still the defaults (zeros, spaces)."""
    codec = RecordCodec(parse_copybook("       01  REC.\n           05  A PIC 9(3).\n"
                                       "           05  B PIC X(2).\n"
                                       "           05  C PIC S9(3) COMP-3.\n"), "ascii", "gnucobol")
    full = pl.DataFrame({"A": [1, 22], "B": ["x", "yz"], "C": [-5, 7]})
    for which in kernel.available():
        with kernel.use(which):
            assert codec.encode(full).tobytes() == b"001x \x00\x5d022yz\x00\x7c"
            assert codec.encode(full.drop("B")).tobytes() == b"001  \x00\x5d022  \x00\x7c"
            assert codec.encode(full.drop("A")).tobytes() == b"000x \x00\x5d000yz\x00\x7c"
    assert codec._fills_every_byte(["A", "B", "C"]) and not codec._fills_every_byte(["A", "C"])
