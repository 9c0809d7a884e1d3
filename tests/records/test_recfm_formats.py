"""Record formats on hand-made bytes: F/FB, V/VB (RDW big/little, with/without the
header in the length, BDW), LS (LF/CRLF, short lines) and the wrong-length errors."""
from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.errors import RecordError
from engine.records import RecordBlock, RecordFormat, iter_records, read_records, write_records


def rows(block: RecordBlock) -> list[bytes]:
    return [block.record(i) for i in range(len(block))]


def write(tmp_path, data: bytes, name="in.dat"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


# ---- fixed ---------------------------------------------------------------------------------

def test_fixed_splits_into_lrecl_rows(tmp_path):
    p = write(tmp_path, b"AAAA1111BBBB2222CCCC3333")
    block = read_records(p, RecordFormat("FB", lrecl=8))
    assert block.data.shape == (3, 8)
    assert rows(block) == [b"AAAA1111", b"BBBB2222", b"CCCC3333"]
    assert block.file_offsets.tolist() == [0, 8, 16]
    assert block.lengths.tolist() == [8, 8, 8]
    assert block.first_record == 1 and block.source == str(p)


def test_fixed_wrong_length_names_file_record_and_offset(tmp_path):
    p = write(tmp_path, b"X" * 25)
    with pytest.raises(RecordError) as err:
        read_records(p, RecordFormat("F", lrecl=10))
    e = err.value
    assert (e.record, e.offset) == (3, 20)
    assert str(p) in str(e) and "record 3" in str(e) and "byte offset 20" in str(e)
    assert "wrong-length" in str(e)


def test_fixed_needs_lrecl(tmp_path):
    with pytest.raises(RecordError, match="LRECL"):
        read_records(write(tmp_path, b"abc"), RecordFormat("F"))


def test_fixed_chunks_number_records(tmp_path):
    p = write(tmp_path, bytes(range(50)) * 2)  # 100 bytes, 20 records of 5
    blocks = list(iter_records(p, RecordFormat("FB", lrecl=5), chunk_records=7))
    assert [len(b) for b in blocks] == [7, 7, 6]
    assert [b.first_record for b in blocks] == [1, 8, 15]
    assert blocks[2].file_offsets[0] == 70
    assert b"".join(b.data.tobytes() for b in blocks) == p.read_bytes()


def test_empty_file_gives_no_records(tmp_path):
    block = read_records(write(tmp_path, b""), RecordFormat("FB", lrecl=10))
    assert len(block) == 0 and block.width == 10


# ---- variable ------------------------------------------------------------------------------

def rdw(n: int, order="big", include=True) -> bytes:
    value = n + 4 if include else n
    word = struct.pack(">HH", value, 0)
    return word if order == "big" else word[::-1]


RECS = [b"HELLO", b"", b"A", b"0123456789ABCDEF"]


@pytest.mark.parametrize("order", ["big", "little"])
@pytest.mark.parametrize("include", [True, False])
def test_variable_rdw_variants(tmp_path, order, include):
    raw = b"".join(rdw(len(r), order, include) + r for r in RECS)
    fmt = RecordFormat("VB", rdw_byteorder=order, rdw_includes_header=include)
    block = read_records(write(tmp_path, raw), fmt)
    assert rows(block) == RECS
    assert block.lengths.tolist() == [5, 0, 1, 16]
    assert block.width == 16
    assert block.file_offsets.tolist() == [0, 9, 13, 18]
    assert block.data[0, 5:].tolist() == [0] * 11           # padded with zeros
    out = tmp_path / "out.dat"
    assert write_records(out, block, fmt) == 4
    assert out.read_bytes() == raw


def test_big_endian_rdw_bytes_exact():
    # z/OS form: X'0009 0000' + 5 bytes
    fmt = RecordFormat("V")
    block = RecordBlock.from_bytes([b"HELLO"])
    import tempfile, pathlib
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "v"
        write_records(p, block, fmt)
        assert p.read_bytes() == bytes.fromhex("00090000") + b"HELLO"


def test_rdw_nonzero_bytes_say_not_vb(tmp_path):
    raw = rdw(3) + b"abc" + b"\x00\x08\x01\x02" + b"wxyz"
    with pytest.raises(RecordError) as err:
        read_records(write(tmp_path, raw), RecordFormat("VB"))
    e = err.value
    assert "not a VB file?" in str(e)
    assert (e.record, e.offset) == (2, 7)
    assert "X'00080102'" in str(e)


def test_fixed_text_read_as_vb_fails_clearly(tmp_path):
    with pytest.raises(RecordError, match="not a VB file"):
        read_records(write(tmp_path, b"ABCDEFGH" * 4), RecordFormat("VB"))


def test_rdw_overrun_and_truncation(tmp_path):
    with pytest.raises(RecordError, match="past the end") as err:
        read_records(write(tmp_path, rdw(10) + b"short"), RecordFormat("VB"))
    assert err.value.record == 1 and err.value.offset == 0
    with pytest.raises(RecordError, match="truncated") as err:
        read_records(write(tmp_path, rdw(2) + b"ab" + b"\x00\x05", "t"), RecordFormat("VB"))
    assert err.value.record == 2 and err.value.offset == 6


def test_rdw_length_below_header_is_an_error(tmp_path):
    with pytest.raises(RecordError, match="less than the 4 header bytes"):
        read_records(write(tmp_path, b"\x00\x02\x00\x00ab"), RecordFormat("VB"))


def test_variable_longer_than_lrecl(tmp_path):
    raw = rdw(4) + b"abcd" + rdw(9) + b"123456789"
    with pytest.raises(RecordError, match="longer than LRECL 12") as err:
        read_records(write(tmp_path, raw), RecordFormat("VB", lrecl=12))
    assert err.value.record == 2 and err.value.offset == 8
    block = read_records(write(tmp_path, raw, "ok"), RecordFormat("VB", lrecl=13))
    assert block.width == 9


def test_bdw_blocks(tmp_path):
    recs1 = [b"ONE", b"TWO2"]
    recs2 = [b"THREE"]
    body1 = b"".join(rdw(len(r)) + r for r in recs1)
    body2 = b"".join(rdw(len(r)) + r for r in recs2)
    raw = rdw(len(body1)) + body1 + rdw(len(body2)) + body2
    fmt = RecordFormat("VB", bdw=True)
    block = read_records(write(tmp_path, raw), fmt)
    assert rows(block) == recs1 + recs2
    assert block.file_offsets.tolist() == [4, 11, 23]
    # writing back with a block size that holds exactly the first two records
    out = tmp_path / "o"
    write_records(out, block, RecordFormat("VB", bdw=True, blksize=len(body1) + 4))
    assert out.read_bytes() == raw


def test_bdw_little_endian_and_bad_bdw(tmp_path):
    body = rdw(2, "little") + b"hi"
    raw = rdw(len(body), "little") + body
    block = read_records(write(tmp_path, raw), RecordFormat("VB", bdw=True, rdw_byteorder="little"))
    assert rows(block) == [b"hi"]
    with pytest.raises(RecordError, match="BDW"):
        read_records(write(tmp_path, b"\x00\x20\x00\x00" + body, "b"), RecordFormat("VB", bdw=True))


def test_variable_chunks(tmp_path):
    recs = [bytes([65 + i % 26]) * (i % 7) for i in range(40)]
    raw = b"".join(rdw(len(r)) + r for r in recs)
    blocks = list(iter_records(write(tmp_path, raw), RecordFormat("VB"), chunk_records=16))
    assert [len(b) for b in blocks] == [16, 16, 8]
    assert [b.first_record for b in blocks] == [1, 17, 33]
    assert sum((rows(b) for b in blocks), []) == recs


# ---- line sequential -----------------------------------------------------------------------

def test_ls_crlf_and_short_lines_padded(tmp_path):
    raw = b"ABC\r\nDEFGH\r\n\r\nX\r\n"
    block = read_records(write(tmp_path, raw), RecordFormat("LS", lrecl=6))
    assert block.data.tobytes() == b"ABC   DEFGH       X     "
    assert block.lengths.tolist() == [3, 5, 0, 1]
    assert block.line_ending == "crlf"
    assert block.file_offsets.tolist() == [0, 5, 12, 14]
    out = tmp_path / "o"
    write_records(out, block, RecordFormat("LS", lrecl=6))
    assert out.read_bytes() == raw


def test_ls_lf_and_missing_last_line_end(tmp_path):
    block = read_records(write(tmp_path, b"one\ntwo"), RecordFormat("LS"))
    assert rows(block) == [b"one", b"two"] and block.line_ending == "lf"
    out = tmp_path / "o"
    write_records(out, block, RecordFormat("LS", line_ending="crlf"))
    assert out.read_bytes() == b"one\r\ntwo\r\n"


def test_ls_long_line_is_an_error_naming_the_line(tmp_path):
    with pytest.raises(RecordError) as err:
        read_records(write(tmp_path, b"ok\ntoo long line\nok\n"), RecordFormat("LS", lrecl=5))
    assert "line 2" in str(err.value) and err.value.offset == 3


def test_ls_refuses_to_write_a_line_feed(tmp_path):
    with pytest.raises(RecordError, match="line-feed"):
        write_records(tmp_path / "o", RecordBlock.from_bytes([b"a\nb"]), RecordFormat("LS"))


# ---- writing fixed -------------------------------------------------------------------------

def test_write_fixed_from_array_and_iterable(tmp_path):
    arr = np.frombuffer(b"abcdefghijkl", np.uint8).reshape(3, 4)
    out = tmp_path / "f"
    assert write_records(out, [arr, arr[:1]], RecordFormat("FB", lrecl=4)) == 4
    assert out.read_bytes() == b"abcdefghijklabcd"
    with pytest.raises(RecordError, match="LRECL 5"):
        write_records(out, arr, RecordFormat("FB", lrecl=5))


def test_unknown_recfm():
    with pytest.raises(RecordError, match="unknown RECFM"):
        RecordFormat("U")


# ---- properties ----------------------------------------------------------------------------

records_st = st.lists(st.binary(min_size=0, max_size=40), min_size=0, max_size=60)


@settings(max_examples=60, deadline=None)
@given(recs=records_st, order=st.sampled_from(["big", "little"]), include=st.booleans(),
       bdw=st.booleans(), chunk=st.integers(1, 70))
def test_variable_round_trip_property(tmp_path_factory, recs, order, include, bdw, chunk):
    d = tmp_path_factory.mktemp("v")
    fmt = RecordFormat("VB", rdw_byteorder=order, rdw_includes_header=include, bdw=bdw, blksize=120)
    out = d / "v.dat"
    write_records(out, RecordBlock.from_bytes(recs), fmt)
    # the RDWs written are what struct (an independent encoder) gives
    if not bdw:
        assert out.read_bytes() == b"".join(rdw(len(r), order, include) + r for r in recs)
    blocks = list(iter_records(out, fmt, chunk_records=chunk))
    assert sum((rows(b) for b in blocks), []) == recs
    again = d / "again.dat"
    write_records(again, blocks, fmt)
    assert again.read_bytes() == out.read_bytes()


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"").rstrip(b"\r")),
                      max_size=40), crlf=st.booleans())
def test_ls_round_trip_property(tmp_path_factory, lines, crlf):
    d = tmp_path_factory.mktemp("ls")
    end = b"\r\n" if crlf else b"\n"
    raw = b"".join(line + end for line in lines)
    p = d / "t.txt"
    p.write_bytes(raw)
    block = read_records(p, RecordFormat("LS"))
    assert rows(block) == lines
    # cross-check against Python's own line splitting
    assert rows(block) == [ln.rstrip(b"\r") for ln in raw.split(b"\n")[:-1]]
    out = d / "o.txt"
    write_records(out, block, RecordFormat("LS"))
    if lines:
        assert out.read_bytes() == raw


def test_adjusted_headers_as_some_transfer_tools_write_them(tmp_path):
    # BDW = payload - 1 (big-endian, excluding itself), RDW = data + 1 (excluding itself)
    raw = bytes.fromhex("000b0000" "00030000" "f0f0" "00030000" "f0f1")
    fmt = RecordFormat("VB", bdw=True, bdw_includes_header=False, bdw_adjust=1,
                       rdw_includes_header=False, rdw_adjust=-1)
    block = read_records(write(tmp_path, raw), fmt)
    assert rows(block) == [b"\xf0\xf0", b"\xf0\xf1"]
    out = tmp_path / "o"
    write_records(out, block, fmt)
    assert out.read_bytes() == raw
    # little-endian BDW with big-endian RDWs
    raw = bytes.fromhex("00000c00" "00060000" "f0f0" "00060000" "f0f1")
    fmt = RecordFormat("VB", bdw=True, bdw_byteorder="little", bdw_includes_header=False)
    assert rows(read_records(write(tmp_path, raw, "le"), fmt)) == [b"\xf0\xf0", b"\xf0\xf1"]


@settings(max_examples=60, deadline=None)
@given(runs=st.lists(st.tuples(st.integers(0, 12), st.integers(1, 40)), min_size=1, max_size=8),
       order=st.sampled_from(["big", "little"]), chunk=st.integers(1, 100))
def test_variable_runs_of_equal_lengths(tmp_path_factory, runs, order, chunk):
    """Long runs of one record length (walked in steps) mixed with other lengths."""
    recs = [bytes([65 + i % 26]) * length for i, (length, count) in enumerate(runs) for _ in range(count)]
    raw = b"".join(rdw(len(r), order) + r for r in recs)
    p = tmp_path_factory.mktemp("runs") / "v.dat"
    p.write_bytes(raw)
    fmt = RecordFormat("VB", rdw_byteorder=order)
    blocks = list(iter_records(p, fmt, chunk_records=chunk))
    assert sum((rows(b) for b in blocks), []) == recs
    assert all(len(b) <= chunk for b in blocks)


def test_bad_rdw_inside_a_run_is_found(tmp_path):
    recs = [b"ABCD"] * 30
    raw = bytearray(b"".join(rdw(4) + r for r in recs))
    raw[20 * 8 + 2] = 0x40                                # record 21: RDW bytes 3-4 not zero
    with pytest.raises(RecordError, match="not a VB file") as err:
        read_records(write(tmp_path, bytes(raw)), RecordFormat("VB"))
    assert err.value.record == 21 and err.value.offset == 160
