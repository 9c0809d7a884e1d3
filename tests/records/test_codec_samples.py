"""RecordCodec on the legacy SHUNO01 sample files, strict and lenient errors,
EncodeError, OCCURS / REDEFINES / ODO."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from engine.copybook import parse_copybook
from engine.errors import EncodeError, RecordError
from engine.records.codec import RecordCodec
from tests.conftest import LEGACY
from tests.records.test_codec_support import nofutrn, shunomst

SAMPLES = LEGACY / "samples" / "SHUNO01"


def load(name: str, width: int) -> np.ndarray:
    return np.fromfile(SAMPLES / name, dtype=np.uint8).reshape(-1, width)


def codec(body: str, codepage="ascii", dialect="gnucobol") -> RecordCodec:
    text = "       01  REC.\n" + "".join(f"           {line}\n" for line in body.strip().splitlines())
    return RecordCodec(parse_copybook(text, dialect=dialect), codepage, dialect)


@pytest.fixture(scope="module")
def master_codec():
    return RecordCodec(parse_copybook((LEGACY / "copybooks" / "SHUNOMST.cpy").read_text()),
                       "ascii", "gnucobol")


def test_master_out_control_totals(master_codec):
    f = master_codec.decode(load("master-out.dat", 100)).frame
    assert f.height == 40
    assert f["SH-CHOTEI-GAKU"].sum() == 801_657
    assert f["SH-NOFU-GAKU"].sum() == 735_557
    assert f["SH-KANPU-GAKU"].sum() == 42_300


def test_master_spot_checks(master_codec):
    f = master_codec.decode(load("master-in.dat", 100)).frame
    row = f.filter((pl.col("SH-TSUCHI-NO") == 310005) & (pl.col("SH-KIBETSU") == 3)).row(0, named=True)
    assert row["SH-NENDO"] == 2024 and row["SH-KAMOKU"] == 2
    assert row["SH-NOFU-GAKU"] == 30_000 and row["SH-CHOTEI-GAKU"] == 61_200
    assert row["SH-JOTAI"] == "1"
    cancelled = f.filter(pl.col("SH-TSUCHI-NO") == 200024)["SH-JOTAI"].to_list()
    assert cancelled == ["9", "9"]
    assert f.columns[:2] == ["SH-NENDO", "SH-KAMOKU"] and "FILLER" not in f.columns


def test_hand_layout_matches_parsed_copybook(master_codec):
    data = load("master-out.dat", 100)
    a = master_codec.decode(data).frame
    b = RecordCodec(shunomst(), "ascii", "gnucobol").decode(data).frame
    assert a.equals(b)


@pytest.mark.parametrize("name, width, make", [("master-in.dat", 100, shunomst),
                                               ("master-out.dat", 100, shunomst),
                                               ("tran-in.dat", 60, nofutrn)])
def test_decode_encode_identical_bytes(name, width, make):
    data = load(name, width)
    c = RecordCodec(make(), "ascii", "gnucobol")
    r = c.decode(data, keep_raw=True, errors="lenient")
    assert np.array_equal(c.encode(r.frame), data)


def test_master_reencodes_without_raw(master_codec):
    data = load("master-out.dat", 100)
    frame = master_codec.decode(data).frame
    assert np.array_equal(master_codec.encode(frame), data)


def test_changed_field_reencoded_others_kept():
    data = load("tran-in.dat", 60)
    c = RecordCodec(nofutrn(), "ascii", "gnucobol")
    f = c.decode(data, keep_raw=True, errors="lenient").frame
    f = f.with_columns(pl.when(pl.int_range(pl.len()) == 0).then(-1234)
                       .otherwise(pl.col("NT-NOFU-GAKU")).alias("NT-NOFU-GAKU"))
    out = c.encode(f)
    assert out[0, 27:38].tobytes() == b"0000000123t"
    assert np.array_equal(out[1:], data[1:])
    assert np.array_equal(out[0, :27], data[0, :27]) and np.array_equal(out[0, 38:], data[0, 38:])
    # record 11 has a letter O in NT-NOFU-GAKU: null decoded, unchanged, bytes kept
    assert out[10, 27:38].tobytes() == b"000000200O0"


def test_strict_error_names_record_offset_field_and_hex():
    c = RecordCodec(nofutrn(), "ascii", "gnucobol")
    with pytest.raises(RecordError) as e:
        c.decode(load("tran-in.dat", 60), file="tran-in.dat")
    msg = str(e.value)
    assert "record 11" in msg and "byte offset 627" in msg      # 10 * 60 + 27
    assert "field NT-NOFU-GAKU" in msg and "X'3030303030303230304F30'" in msg
    assert "file tran-in.dat" in msg and "errors=lenient" in msg


def test_lenient_gives_null_and_rejects_rows_once():
    c = RecordCodec(nofutrn(), "ascii", "gnucobol")
    r = c.decode(load("tran-in.dat", 60), errors="lenient")
    assert list(r.rejected) == [10, 27]
    assert r.frame["NT-NOFU-GAKU"][10] is None and r.frame["NT-ENTAI-GAKU"][27] is None
    assert r.frame["NT-ENTAI-GAKU"][10] == 0
    assert any("NT-ENTAI-GAKU: 1 record" in m and "record 28" in m for m in r.messages)


class _Block:
    def __init__(self, data, first, offsets):
        self.data, self.first_record, self.file_offsets = data, first, offsets
        self.lengths = np.full(len(data), data.shape[1], np.int32)
        self.source = "BLOCKS.DAT"


def test_strict_error_uses_block_numbering():
    data = load("tran-in.dat", 60)[8:12]
    block = _Block(np.ascontiguousarray(data), 9, np.arange(4, dtype=np.int64) * 60 + 480)
    with pytest.raises(RecordError) as e:
        RecordCodec(nofutrn(), "ascii", "gnucobol").decode(block)
    assert "file BLOCKS.DAT" in str(e.value) and "record 11" in str(e.value)
    assert "byte offset 627" in str(e.value)


@pytest.mark.parametrize("raw, what", [(bytes.fromhex("00000030000A") + b"x", "sign"),
                                       (bytes.fromhex("0000003A000C") + b"x", "digit")])
def test_invalid_packed_strict_and_lenient(raw, what):
    c = codec("05 P PIC S9(11) COMP-3.\n05 X PIC X.")
    data = np.frombuffer(raw * 3, np.uint8).reshape(3, 7).copy()
    data[0, :6] = list(bytes.fromhex("00000000001C"))
    if what == "sign":
        assert c.decode(data).frame["P"].to_list() == [1, 30000, 30000]   # A is a valid + sign
    with pytest.raises(RecordError, match="record 2, byte offset 7, field P"):
        c.decode(np.vstack([data[:1], np.frombuffer(bytes.fromhex("00000030000" + "7") + b"x",
                                                    np.uint8).reshape(1, 7)]))
    r = c.decode(data, errors="lenient")
    assert r.frame["P"][0] == 1
    if what == "digit":
        assert list(r.rejected) == [1, 2] and r.frame["P"][1] is None


def test_encode_errors():
    c = codec("05 N PIC S9(3).\n05 U PIC 9(3) COMP-3.\n05 T PIC X(3).")
    ok = {"N": [1, 2], "U": [1, 2], "T": ["a", "b"]}
    with pytest.raises(EncodeError, match=r"row 1, field N"):
        c.encode(pl.DataFrame({**ok, "N": [1, 1000]}))
    with pytest.raises(EncodeError, match=r"negative into an unsigned field \(row 0, field U"):
        c.encode(pl.DataFrame({**ok, "U": [-1, 2]}))
    with pytest.raises(EncodeError, match=r"row 1, field T"):
        c.encode(pl.DataFrame({**ok, "T": ["abc", "abcd"]}))
    with pytest.raises(EncodeError, match=r"null value.*row 0, field N"):
        c.encode(pl.DataFrame({**ok, "N": [None, 1]}))
    assert c.encode(pl.DataFrame({**ok, "T": [None, "b"]}))[0, -3:].tobytes() == b"   "


def test_encode_scale_finer_than_picture():
    c = codec("05 A PIC S9(5)V99.")
    with pytest.raises(EncodeError, match="decimal places.*row 0, field A"):
        c.encode(pl.DataFrame({"A": [Decimal("1.234")]}))
    assert c.encode(pl.DataFrame({"A": [Decimal("1.2")]})).tobytes() == b"0000120"
    assert c.encode(pl.DataFrame({"A": [3]})).tobytes() == b"0000300"


def test_missing_columns_take_defaults_and_filler_value():
    c = codec("05 A PIC 9(3).\n05 FILLER PIC X(3) VALUE 'ABC'.\n05 B PIC X(2).")
    assert c.encode(pl.DataFrame({"B": ["Q"]})).tobytes() == b"000ABCQ "


def test_occurs_list_and_flatten():
    text = ("05 T OCCURS 3 TIMES.\n   10 A PIC 9(2).\n   10 B PIC X.\n05 C PIC 9 OCCURS 2.")
    c = codec(text)
    raw = np.frombuffer(b"01x02y03z45", np.uint8).reshape(1, -1)
    f = c.decode(raw).frame
    assert f["A"].to_list() == [[1, 2, 3]] and f["B"].to_list() == [["x", "y", "z"]]
    assert f["C"].to_list() == [[4, 5]]
    assert np.array_equal(c.encode(f), raw)
    flat = RecordCodec(c.layout, "ascii", "gnucobol", flatten=True)
    g = flat.decode(raw).frame
    assert g.columns == ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1", "C-2"]
    assert g["A-3"][0] == 3


def test_nested_occurs():
    c = codec("05 R OCCURS 2.\n   10 S OCCURS 3.\n      15 D PIC 9.")
    raw = np.frombuffer(b"123456", np.uint8).reshape(1, -1)
    f = c.decode(raw).frame
    assert f["D"].to_list() == [[[1, 2, 3], [4, 5, 6]]]
    assert np.array_equal(c.encode(f), raw)


def test_redefines_alternative_is_null_not_error():
    c = codec("05 A PIC X(4).\n05 N REDEFINES A PIC 9(4).\n05 Z PIC X.")
    raw = np.frombuffer(b"12a4z1234z", np.uint8).reshape(2, 5)
    r = c.decode(raw)
    assert r.frame["A"].to_list() == ["12a4", "1234"]
    assert r.frame["N"].to_list() == [None, 1234]
    assert len(r.rejected) == 0
    assert np.array_equal(c.encode(r.frame), raw)


def test_odo_lists_have_actual_length():
    c = codec("05 CNT PIC 9.\n05 ITEM PIC X(2) OCCURS 0 TO 3 DEPENDING ON CNT.\n05 TAIL PIC X.")
    recs = [b"2aabbT", b"0T", b"3aabbccT", b"1zzT"]
    data = np.full((4, 8), 0x20, np.uint8)
    for i, r in enumerate(recs):
        data[i, :len(r)] = list(r)
    lengths = np.array([len(r) for r in recs], np.int32)

    class B:
        pass
    b = B()
    b.data, b.lengths, b.file_offsets, b.first_record, b.source = data, lengths, None, 1, None
    f = c.decode(b).frame
    assert f["CNT"].to_list() == [2, 0, 3, 1]
    assert f["ITEM"].to_list() == [["aa", "bb"], [], ["aa", "bb", "cc"], ["zz"]]
    assert f["TAIL"].to_list() == ["T"] * 4


def test_odo_counter_out_of_range_strict():
    c = codec("05 CNT PIC 9.\n05 ITEM PIC X OCCURS 1 TO 3 DEPENDING ON CNT.")
    with pytest.raises(RecordError, match="out of range.*record 2.*field CNT"):
        c.decode(np.frombuffer(b"1abc5abc", np.uint8).reshape(2, 4))


def _odo_block(recs, width):
    data = np.full((len(recs), width), 0x20, np.uint8)
    for i, r in enumerate(recs):
        data[i, :len(r)] = list(r)

    class B:
        pass
    b = B()
    b.data, b.lengths = data, np.array([len(r) for r in recs], np.int32)
    b.file_offsets, b.first_record, b.source = None, 1, None
    return b


def test_odo_encode_roundtrip_and_lengths():
    c = codec("05 CNT PIC 9.\n05 ITEM PIC X(2) OCCURS 0 TO 3 DEPENDING ON CNT.\n05 TAIL PIC X.")
    recs = [b"2aabbT", b"0T", b"3aabbccT", b"1zzT"]
    block = _odo_block(recs, 8)
    for keep in (True, False):
        f = c.decode(block, keep_raw=keep).frame
        data, lengths = c.encode_with_lengths(f)
        assert lengths.tolist() == [6, 2, 8, 4]
        assert [bytes(data[i, :n]) for i, n in enumerate(lengths)] == recs
    # a new row: the counter decides the layout, the list must match it
    f = pl.DataFrame({"CNT": [1], "ITEM": [["qq"]], "TAIL": ["Z"]})
    data, lengths = c.encode_with_lengths(f)
    assert bytes(data[0, :lengths[0]]) == b"1qqZ"
    with pytest.raises(EncodeError, match="OCCURS list of 2 values where the table has 1"):
        c.encode(pl.DataFrame({"CNT": [1], "ITEM": [["qq", "rr"]], "TAIL": ["Z"]}))


def test_odo_counter_change_with_raw_moves_the_tail():
    c = codec("05 CNT PIC 9.\n05 ITEM PIC X OCCURS 0 TO 3 DEPENDING ON CNT.\n05 TAIL PIC X(2).")
    f = c.decode(_odo_block([b"2abTT"], 6), keep_raw=True).frame
    f = f.with_columns(pl.lit(3, dtype=pl.Int64).alias("CNT"),
                       pl.Series("ITEM", [["a", "b", "c"]]))
    data, lengths = c.encode_with_lengths(f)
    assert bytes(data[0, :lengths[0]]) == b"3abcTT"


def test_nested_occurs_flatten_names_and_encode():
    layout = codec("05 R OCCURS 2.\n   10 S OCCURS 3.\n      15 D PIC 9.\n05 E PIC X.").layout
    c = RecordCodec(layout, "ascii", "gnucobol", flatten=True)
    raw = np.frombuffer(b"123456Z", np.uint8).reshape(1, -1)
    f = c.decode(raw).frame
    assert f.columns == ["D-1-1", "D-1-2", "D-1-3", "D-2-1", "D-2-2", "D-2-3", "E"]
    assert f["D-2-1"][0] == 4
    assert np.array_equal(c.encode(f), raw)
    assert c.encode(f.with_columns(pl.lit(9).alias("D-1-2"))).tobytes() == b"193456Z"


def test_columns_selection_plain_and_flattened():
    layout = codec("05 A PIC 9.\n05 T PIC X OCCURS 2.\n05 B PIC X.").layout
    raw = np.frombuffer(b"1xyB", np.uint8).reshape(1, -1)
    assert RecordCodec(layout, "ascii").decode(raw, columns=["B"]).frame.columns == ["B"]
    flat = RecordCodec(layout, "ascii", flatten=True)
    assert flat.decode(raw, columns=["T-2"]).frame.to_dicts() == [{"T-2": "y"}]
    from engine.errors import DensanError
    with pytest.raises(DensanError, match="no field NOPE"):
        flat.decode(raw, columns=["NOPE"])


def test_two_odo_tables_group_elements_and_fields_between():
    c = codec("05 N1 PIC 9.\n05 N2 PIC 9.\n05 T1 OCCURS 0 TO 2 DEPENDING ON N1.\n"
              "   10 A PIC X.\n   10 B PIC 9.\n05 MID PIC X(2).\n"
              "05 T2 PIC X OCCURS 1 TO 3 DEPENDING ON N2.\n05 LAST PIC X.")
    recs = [b"12a5MMxyE", b"03MMxyzE", b"21a1b2MMqE"]
    block = _odo_block(recs, c.record_length)
    f = c.decode(block, keep_raw=True).frame
    assert f["A"].to_list() == [["a"], [], ["a", "b"]]
    assert f["B"].to_list() == [[5], [], [1, 2]]
    assert f["MID"].to_list() == ["MM"] * 3
    assert f["T2"].to_list() == [["x", "y"], ["x", "y", "z"], ["q"]]
    assert f["LAST"].to_list() == ["E"] * 3
    for frame in (f, f.drop("__record__")):
        data, lengths = c.encode_with_lengths(frame)
        assert [bytes(data[i, :k]) for i, k in enumerate(lengths)] == recs
