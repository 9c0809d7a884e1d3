"""Sizes that cannot fit are refused with file:line:column or the option's name before memory
is allocated (points 9, 10), and reading is streamed: a block of records holds at most a
chunk's bytes, whatever the LRECL or the file's size."""
from __future__ import annotations

import time

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.copybook import parse_copybook
from engine.errors import CopybookError, RecordError
from engine.records import recfm
from engine.records.recfm import RecordFormat, iter_records


def _cpy(body: str) -> str:
    return "       01 R.\n" + "".join(f"       {line}\n" for line in body.splitlines())


@pytest.mark.parametrize("body, where, what", [
    ("   05 A PIC X(99999999999999999999).", ":2:22:", "X(99999999999999999999)"),
    ("   05 A PIC X(2147483647).", ":2:22:", "X(2147483647)"),
    ("   05 A PIC 9(5)X(2000000).", ":2:26:", "X(2000000)"),
    ("   05 A OCCURS 2147483647.\n      10 B PIC X.", ":2:11:", "A (OCCURS 2147483647)"),
    ("   05 A OCCURS 1000.\n    07 C OCCURS 1000.\n      10 B OCCURS 1000 PIC X.", ":2:11:", "1,000,000,000 bytes"),
    ("   05 A OCCURS 400.\n    07 C OCCURS 400.\n      10 B PIC X.", ":2:11:", "160,000 elementary items"),
])
def test_copybook_sizes_beyond_the_limit_are_refused_at_once(body, where, what):
    t = time.monotonic()
    with pytest.raises(CopybookError) as err:
        parse_copybook(_cpy(body), filename="big.cpy")
    assert time.monotonic() - t < 5          # refused before anything of that size is built
    assert f"big.cpy{where}" in str(err.value) and what in str(err.value)


def test_layout_command_says_where(tmp_path):
    cpy = tmp_path / "big.cpy"
    cpy.write_text(_cpy("   05 A OCCURS 1000.\n    07 C OCCURS 1000.\n      10 B OCCURS 1000 PIC X."))
    r = CliRunner().invoke(cli, ["layout", str(cpy)])
    assert r.exit_code == 2 and f"{cpy}:2:11:" in r.output and "Traceback" not in r.output


def test_a_record_at_the_limit_still_lays_out():
    layout = parse_copybook(_cpy("   05 A PIC X(1048576)."))
    assert layout.record_length == 1 << 20


@pytest.mark.parametrize("option", ["--lrecl", "--to-lrecl"])
def test_convert_lrecl_beyond_the_limit_names_the_option(tmp_path, option):
    (tmp_path / "c.cpy").write_text(_cpy("   05 A PIC X(3)."))
    (tmp_path / "d.dat").write_bytes(b"abcdef")
    r = CliRunner().invoke(cli, ["convert", str(tmp_path / "d.dat"), str(tmp_path / "o.dat"),
                                 "--copybook", str(tmp_path / "c.cpy"), option, "1000000000"])
    assert r.exit_code == 2 and f"'{option}'" in r.output and "1000000000" in r.output
    assert not (tmp_path / "o.dat").exists()


def test_sort_lrecl_beyond_the_limit_names_the_option(tmp_path):
    (tmp_path / "d.dat").write_bytes(b"abcdef")
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=COPY", "--in", str(tmp_path / "d.dat"),
                                 "--out", str(tmp_path / "o.dat"), "--lrecl", "1000000000"])
    assert r.exit_code == 2 and "'--lrecl'" in r.output


def test_record_format_refuses_an_lrecl_beyond_the_limit():
    with pytest.raises(RecordError, match="LRECL 1,000,000,000 is beyond"):
        RecordFormat("FB", 1_000_000_000)


@pytest.mark.parametrize("fmt, data", [
    (RecordFormat("FB", 1000), b"x" * 1000 * 50),
    (RecordFormat("LS", 1000), b"".join(b"y" * (i % 900) + b"\n" for i in range(300))),
    (RecordFormat("VB", 1004), b"".join(len(b"z" * 996 + b"\0\0\0\0").to_bytes(2, "big") + b"\0\0" + b"z" * 996
                                       for _ in range(40))),
])
def test_blocks_hold_at_most_a_chunk_of_bytes(tmp_path, monkeypatch, fmt, data):
    monkeypatch.setattr(recfm, "CHUNK_BYTES", 8 * 1024)
    p = tmp_path / "d"
    p.write_bytes(data)
    blocks = list(iter_records(p, fmt, 262_144))
    assert len(blocks) > 1
    assert all(b.data.nbytes <= 8 * 1024 for b in blocks)
    numbers = [b.first_record for b in blocks]
    counts = [len(b) for b in blocks]
    assert numbers == [1 + sum(counts[:i]) for i in range(len(counts))]


def test_line_sequential_windows_keep_every_line_and_its_ending(tmp_path, monkeypatch):
    monkeypatch.setattr(recfm, "CHUNK_BYTES", 64)
    lines = [b"L%03d" % i * (i % 5) for i in range(200)]
    p = tmp_path / "d"
    p.write_bytes(b"".join(x + b"\r\n" for x in lines) + b"last")
    blocks = list(iter_records(p, RecordFormat("LS"), 7))
    got = [bytes(b.data[i, :b.lengths[i]]) for b in blocks for i in range(len(b))]
    assert got == lines + [b"last"]
    assert {b.line_ending for b in blocks} == {"crlf"}


def test_a_line_longer_than_lrecl_says_which(tmp_path, monkeypatch):
    monkeypatch.setattr(recfm, "CHUNK_BYTES", 64)
    p = tmp_path / "d"
    p.write_bytes(b"ab\n" * 100 + b"c" * 500 + b"\n")
    with pytest.raises(RecordError, match="line 101 is longer than LRECL 10"):
        list(iter_records(p, RecordFormat("LS", 10), 7))


def test_many_large_pictures_are_refused_before_they_are_expanded():
    body = "\n".join(f"   05 A{k} PIC X(1000000)." for k in range(200))
    t = time.monotonic()
    with pytest.raises(CopybookError, match=r"big.cpy:6:\d+: the PICTUREs up to here describe 5,000,000 positions"):
        parse_copybook(_cpy(body), filename="big.cpy")
    assert time.monotonic() - t < 5
