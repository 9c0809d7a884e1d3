"""Column behaviour: stripping, shift bytes, DBCS fields, flags, input shapes."""
from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from engine.codepages import get_codepage
from engine.errors import CodePageError


def rows(*bs: bytes, pad: bytes = b"\x40") -> np.ndarray:
    """A block of records, the short ones padded (with the EBCDIC space unless told)."""
    w = max(len(b) for b in bs)
    return np.frombuffer(b"".join(b.ljust(w, pad) for b in bs), np.uint8).reshape(len(bs), w)


def test_decode_returns_large_strings_and_strips_trailing_spaces_only():
    cp = get_codepage("cp037")
    block = rows(b"\x40\xc1\x40\xc2\x40\x40", b"\x40\x40\x40\x40\x40\x40")
    text, bad = cp.decode_column(block)
    assert text.type == pa.large_string()
    assert text.to_pylist() == [" A B", ""] and bad.tolist() == [False, False]
    assert cp.decode_column(block, strip="both")[0].to_pylist() == ["A B", ""]
    assert cp.decode_column(block, strip=None)[0].to_pylist() == [" A B  ", "      "]


def test_ideographic_space_is_kept_in_pic_x_but_stripped_in_pic_g():
    cp = get_codepage("cp930")
    x = np.frombuffer(bytes.fromhex("c10e4f5840400f4040"), np.uint8).reshape(1, -1)
    assert cp.decode_column(x)[0].to_pylist() == ["A漢\u3000"]
    g = np.frombuffer(bytes.fromhex("4f5840404040"), np.uint8).reshape(1, -1)
    assert cp.decode_dbcs_column(g)[0].to_pylist() == ["漢"]
    assert cp.decode_dbcs_column(g, strip=None)[0].to_pylist() == ["漢\u3000\u3000"]


def test_shift_out_without_shift_in_is_dbcs_to_the_end_of_the_field():
    cp = get_codepage("cp930")
    text, bad = cp.decode_column(rows(bytes.fromhex("c10e4f5848f2")))
    assert text.to_pylist() == ["A漢字"] and not bad[0]


def test_odd_dbcs_run_leaves_a_flagged_replacement_character():
    cp = get_codepage("cp930")
    text, bad = cp.decode_column(rows(bytes.fromhex("c10e4f580f"), bytes.fromhex("0e4f5848"), b"\xc1\xc2"))
    assert text.to_pylist() == ["A漢", "漢\ufffd", "AB"]
    assert bad.tolist() == [False, True, False]
    assert cp.decode_column(rows(bytes.fromhex("0e4f584f")))[0].to_pylist() == ["漢\ufffd"]


def test_unmapped_bytes_flag_their_row():
    cp = get_codepage("cp930")
    text, bad = cp.decode_column(rows(b"\xc1\x57", b"\xc1\xc2", bytes.fromhex("0e40c10f")))   # X'40C1' unassigned
    assert text.to_pylist() == ["A\ufffd", "AB", "\ufffd"] and bad.tolist() == [True, False, True]
    assert get_codepage("ascii").decode_column(rows(b"a\x80"))[1].tolist() == [True]


def test_shift_jis_trail_bytes_in_the_lead_range_are_paired_by_position():
    cp = get_codepage("cp932")
    # X'8181' is '＝': a run of lead-range bytes pairs up from its start
    block = rows(bytes.fromhex("818181814120"), bytes.fromhex("b18181835c41"), bytes.fromhex("41818181"), pad=b" ")
    text, bad = cp.decode_column(block)
    assert text.to_pylist() == ["＝＝A", "ｱ＝ソA", "A＝\ufffd"]      # X'8120' is no character
    assert bad.tolist() == [False, False, True]
    text, bad = cp.decode_column(rows(bytes.fromhex("41818181")))    # a lead byte ends the field
    assert text.to_pylist() == ["A＝\ufffd"] and bad[0]


def test_encode_pads_flags_overflow_and_unmappable():
    cp = get_codepage("cp930")
    raw, overflow, unmappable = cp.encode_column(pa.array(["AB", "ABCDE", "A€", None, "漢字"]), 4)
    assert raw[0].tobytes() == bytes.fromhex("c1c24040")
    assert raw[1].tobytes() == bytes.fromhex("c1c2c3c4")          # cut, and flagged
    assert raw[2].tobytes() == bytes.fromhex("c13f4040")          # SUB, and flagged
    assert raw[3].tobytes() == bytes.fromhex("40404040")          # null -> spaces
    assert raw[4].tobytes() == bytes.fromhex("0e4f5848")          # 6 bytes needed
    assert overflow.tolist() == [False, True, False, False, True]
    assert unmappable.tolist() == [False, False, True, False, False]


def test_encode_right_justified_and_shift_bytes_per_row():
    cp = get_codepage("cp930")
    raw, overflow, _ = cp.encode_column(pa.array(["漢", "字", "A漢B"]), 6, justify="right")
    assert [r.tobytes().hex() for r in raw] == ["40400e4f580f", "40400e48f20f", "c10e4f580fc2"]
    assert not overflow.any()


def test_dbcs_fields_pad_with_the_dbcs_space_and_reject_single_byte_characters():
    cp = get_codepage("cp930")
    raw, overflow, unmappable = cp.encode_dbcs_column(pa.array(["漢字", "A", "漢字漢字"]), 6)
    assert raw[0].tobytes() == bytes.fromhex("4f5848f24040")
    assert unmappable.tolist() == [False, True, False]
    assert overflow.tolist() == [False, False, True]
    sj = get_codepage("sjis")
    assert sj.encode_dbcs_column(pa.array(["漢"]), 4)[0][0].tobytes() == bytes.fromhex("8abf8140")
    with pytest.raises(CodePageError, match="even"):
        cp.encode_dbcs_column(pa.array(["漢"]), 3)
    with pytest.raises(CodePageError, match="no double-byte"):
        get_codepage("cp037").decode_dbcs_column(rows(b"\x40\x40"))


def test_odd_width_dbcs_field_flags_the_last_byte():
    text, bad = get_codepage("cp930").decode_dbcs_column(rows(bytes.fromhex("4f5848")))
    assert text.to_pylist() == ["漢\ufffd"] and bad[0]


def test_inputs_polars_chunked_sliced_and_empty():
    cp = get_codepage("cp1047")
    series = pl.Series(["a", None, "xyz"])
    raw, _, _ = cp.encode_column(series, 3)
    assert raw.tobytes() == bytes.fromhex("814040404040a7a8a9")
    chunked = pa.chunked_array([["a"], ["bc"]])
    assert cp.encode_column(chunked, 2)[0].tobytes() == bytes.fromhex("81408283")
    categorical = pl.Series(["a", None, "a"], dtype=pl.Categorical)
    assert cp.encode_column(categorical, 1)[0].tobytes() == bytes.fromhex("814081")
    sliced = pa.array(["zz", "a", "b"]).slice(1)
    assert cp.encode_column(sliced, 1)[0].tobytes() == bytes.fromhex("8182")
    empty = np.zeros((0, 5), np.uint8)
    text, bad = cp.decode_column(empty)
    assert len(text) == 0 and len(bad) == 0
    assert cp.encode_column(pa.array([], pa.string()), 4)[0].shape == (0, 4)
    assert cp.decode_column(np.zeros((2, 0), np.uint8))[0].to_pylist() == ["", ""]


def test_bad_arguments_are_code_page_errors():
    cp = get_codepage("ascii")
    with pytest.raises(CodePageError):
        cp.decode_column(np.zeros(4, np.uint8))
    with pytest.raises(CodePageError):
        cp.decode_column(np.zeros((1, 4), np.int32))
    with pytest.raises(CodePageError):
        cp.decode_column(np.zeros((1, 4), np.uint8) + 0x41, strip="left")
    with pytest.raises(CodePageError):
        cp.encode_column(pa.array([1, 2]), 4)
    with pytest.raises(CodePageError, match="U\\+6F22"):
        cp.encode("a漢")


def test_scalar_helpers():
    cp = get_codepage("cp930")
    assert cp.decode(b"\xc1\x40\x40") == "A  "
    assert cp.decode(b"\xc1\x40\x40", strip="right") == "A"
    assert cp.encode("ｱ漢") == bytes.fromhex("810e4f580f")
    assert get_codepage("utf-8").encode("漢") == "漢".encode()


def test_page_properties():
    cp930, sj, ascii_ = get_codepage("cp930"), get_codepage("cp932"), get_codepage("ascii")
    assert (cp930.is_ebcdic, cp930.space, cp930.digit_zero, cp930.has_dbcs) == (True, 0x40, 0xF0, True)
    assert (sj.is_ebcdic, sj.space, sj.digit_zero, sj.has_dbcs) == (False, 0x20, 0x30, True)
    assert not ascii_.has_dbcs and not get_codepage("cp290").has_dbcs
    assert cp930.sbcs_table.dtype == np.int32 and cp930.sbcs_table.shape == (256,)
    assert cp930.sbcs_table[0x0E] == -1 and cp930.sbcs_table[0xC1] == ord("A")
    assert sj.sbcs_table[0x81] == -1 and sj.sbcs_table[0xB1] == ord("ｱ")


def test_large_column_matches_python_per_row():
    """A city-sized chunk, checked against bytes.decode row by row (correctness, not speed)."""
    rng = np.random.default_rng(7)
    cp = get_codepage("cp037")
    block = rng.choice(np.frombuffer(bytes.fromhex("40c1c2c3f0f1f9818284"), np.uint8), size=(20_000, 17))
    block[::3, 10:] = 0x40
    text, bad = cp.decode_column(block)
    assert text.to_pylist() == [r.tobytes().decode("cp037").rstrip(" ") for r in block]
    assert not bad.any()
