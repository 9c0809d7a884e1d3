"""The legacy program shell: GnuCOBOL's file statuses, the legacy's messages, RC 16."""
from __future__ import annotations

import errno
import os

import numpy as np
import pytest

from engine.program import legacy_shell as ls
from engine.program.control_report import ControlReport, abend_block


def _err(code: int) -> OSError:
    return OSError(code, os.strerror(code))


@pytest.mark.parametrize("code, output, status", [
    (errno.EACCES, False, "37"), (errno.EACCES, True, "37"),
    (errno.EPERM, False, "37"), (errno.EPERM, True, "37"),
    (errno.EROFS, True, "37"), (errno.EISDIR, True, "37"),
    (errno.ENOENT, False, "35"), (errno.ENOENT, True, "30"),
    (errno.ENOTDIR, False, "30"), (errno.ENOSPC, True, "30"), (errno.EIO, False, "30"),
])
def test_open_status_for_each_errno(code, output, status):
    assert ls.open_status(_err(code), output) == status


@pytest.mark.parametrize("code, status", [
    (errno.ENOSPC, "34"), (errno.EDQUOT, "34"), (errno.EFBIG, "34"),
    (errno.EIO, "30"), (errno.EPIPE, "30"), (errno.EBADF, "30"),
])
def test_write_status_for_each_errno(code, status):
    assert ls.write_status(_err(code)) == status


def test_record_numbers_as_the_legacy_edits_them():
    assert [ls.recno(n) for n in (1, 999, 1000, 1_234_567, 999_999_999)] == \
        ["1", "999", "1,000", "1,234,567", "999,999,999"]
    assert ls.recno(1_000_000_007) == "000,000,007"     # beyond ZZZ,ZZZ,ZZ9: the low digits


def test_abend_keeps_its_lines_but_blank_ones_and_gives_the_log_lines():
    ab = ls.Abend("SEQUENCE ERROR ON TRAN-IN AT RECORD 7  ", "   ", b'  KEY: "\xb1\xb2"', "")
    assert ab.lines == ["SEQUENCE ERROR ON TRAN-IN AT RECORD 7  ", b'  KEY: "\xb1\xb2"']
    assert str(ab) == "SEQUENCE ERROR ON TRAN-IN AT RECORD 7  "
    assert ab.encoded() == [b"SEQUENCE ERROR ON TRAN-IN AT RECORD 7  ", b'  KEY: "\xb1\xb2"']
    assert ab.log_lines("ENTAI01") == ["ENTAI01  SEQUENCE ERROR ON TRAN-IN AT RECORD 7",
                                         'ENTAI01    KEY: "\xb1\xb2"',
                                         "ENTAI01  ABNORMAL END, RETURN CODE 16"]
    assert ls.ABEND_RC == 16


def test_the_abend_block_under_the_report_header_text_and_bytes():
    rc = "DEMO01 ENDED RETURN CODE  16   (ABNORMAL END - OUTPUTS MUST NOT BE CATALOGED)"
    assert abend_block(["A" * 140, " ", "  PATH: /x"], rc) == [
        "", "*** ABNORMAL END ***", "A" * 132, "  PATH: /x", "", rc, "*** END OF REPORT ***"]
    assert abend_block([b"X"], rc.encode()) == [b"", b"*** ABNORMAL END ***", b"X", b"", rc.encode(),
                                                b"*** END OF REPORT ***"]
    r = type("Demo", (ControlReport,), {"program": "DEMO01", "not_catalogued": "OUTPUTS"})()
    r.abend(["X"])
    assert r.lines == abend_block(["X"], rc)


def test_dd_values_paths_and_path_lines():
    assert ls.dd_paths(None) == [] and ls.dd_paths("a") == ["a"] and ls.dd_paths(("a", "b")) == ["a", "b"]
    assert ls.unallocated(None) and ls.unallocated("") and not ls.unallocated([]) and not ls.unallocated("a")
    assert ls.path_line(["/d/one", "/d/two"]) == "  PATH: /d/one"
    assert ls.path_line(None) == "  PATH: "


def test_not_allocated_and_path_too_long():
    with pytest.raises(ls.Abend) as e:
        ls.allocated("MASTER-IN", None)
    assert e.value.lines == ["DD MASTER-IN NOT ALLOCATED: ENVIRONMENT VARIABLE MASTER_IN IS NOT SET"]
    assert ls.allocated("MASTER-IN", "x") == "x"
    ls.check_path_lengths({"A-IN": "/" + "x" * 1022})
    with pytest.raises(ls.Abend) as e:
        ls.check_path_lengths({"A-IN": "ok", "B-OUT": ["ok", "/" + "x" * 1023]})
    assert e.value.lines == ["DD B-OUT: PATH LONGER THAN 1023 CHARACTERS IN ENVIRONMENT VARIABLE B_OUT"]


def test_open_output_statuses_on_real_files(tmp_path):
    with pytest.raises(ls.Abend) as e:
        ls.open_output("MASTER-OUT", tmp_path / "no-dir" / "out")
    assert e.value.lines == ["OPEN ERROR ON DD MASTER-OUT, FILE STATUS 30", f"  PATH: {tmp_path}/no-dir/out"]
    with pytest.raises(ls.Abend) as e:
        ls.open_output("REPORT", tmp_path)
    assert e.value.lines[0] == "OPEN ERROR ON DD REPORT, FILE STATUS 37"


def test_inputs_missing_directory_and_concatenated(tmp_path):
    with pytest.raises(ls.Abend) as e:
        ls.read_input("TRAN-IN", tmp_path / "none")
    assert e.value.lines == ["OPEN ERROR ON DD TRAN-IN, FILE STATUS 35", f"  PATH: {tmp_path}/none"]
    bad = ls.read_input("TRAN-IN", tmp_path)
    assert isinstance(bad, ls.Unreadable)
    assert bad.error().lines == ["READ ERROR ON DD TRAN-IN AT RECORD 1, FILE STATUS 30", f"  PATH: {tmp_path}"]
    (tmp_path / "a").write_bytes(b"AAAA")
    (tmp_path / "b").write_bytes(b"BB")
    assert ls.read_input("X", [tmp_path / "a", tmp_path / "b"]).tobytes() == b"AAAABB"
    assert ls.read_input("X", []).size == 0
    mapped = ls.read_input("X", tmp_path / "a", mapped=True)
    assert mapped.tobytes() == b"AAAA" and not mapped.flags.writeable
    assert ls.read_input("X", tmp_path / "a", mapped=True, outputs=[tmp_path / "a"]).flags.writeable


def test_fixed_input_wrong_length_and_unreadable(tmp_path):
    f = ls.FixedInput.split("CUST-IN", np.frombuffer(b"0123456789AB", np.uint8), 5, tmp_path / "c")
    assert f.records.shape == (2, 5) and f.tail == b"AB" and f.raw_key(1, 3) == b"567"
    with pytest.raises(ls.Abend) as e:
        f.wrong_length(3)
    assert e.value.lines == ["WRONG LENGTH RECORD ON DD CUST-IN AT RECORD 3, FILE STATUS 04", f"  PATH: {tmp_path}/c"]
    assert ls.wrong_length("CUST-IN", 1234, "/p").lines[0] == \
        "WRONG LENGTH RECORD ON DD CUST-IN AT RECORD 1,234, FILE STATUS 04"
    d = ls.FixedInput.split("READ-IN", ls.Unreadable("READ-IN", tmp_path), 40, [tmp_path])
    assert not d.readable and d.records.shape == (0, 40)
    with pytest.raises(ls.Abend) as e:
        d.read_error()
    assert e.value.lines[0] == "READ ERROR ON DD READ-IN AT RECORD 1, FILE STATUS 30"


def test_a_directory_streamed_fails_on_its_first_read(tmp_path):
    stream = ls.open_input("MASTER-IN", tmp_path)
    with pytest.raises(IsADirectoryError):
        stream.readinto(bytearray(10))
    with pytest.raises(ls.Abend) as e:
        ls.open_input("MASTER-IN", tmp_path / "none")
    assert e.value.lines[0] == "OPEN ERROR ON DD MASTER-IN, FILE STATUS 35"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_write_on_a_full_device_is_status_34():
    with open("/dev/full", "wb", buffering=0) as fh:
        with pytest.raises(ls.Abend) as e:
            ls.write_to("ERROR-OUT", fh, np.zeros((3, 4), np.uint8), "/dev/full")
    assert e.value.lines == ["WRITE ERROR ON DD ERROR-OUT, FILE STATUS 34", "  PATH: /dev/full"]


def test_the_shell_opens_in_order_writes_and_closes(tmp_path):
    (tmp_path / "in").write_bytes(b"x" * 25)
    dds = {"REPORT": tmp_path / "rpt", "A-IN": tmp_path / "in", "A-OUT": tmp_path / "out", "B-OUT": None}
    shell = ls.LegacyShell("DEMO01", dds)
    shell.open_report()
    with pytest.raises(ls.Abend) as e:             # A-OUT is created before B-OUT is found missing
        shell.open_data(("A-IN", 10), outputs=("A-OUT", "B-OUT"))
    assert e.value.lines == ["DD B-OUT NOT ALLOCATED: ENVIRONMENT VARIABLE B_OUT IS NOT SET"]
    assert (tmp_path / "out").exists()
    dds["B-OUT"] = tmp_path / "out2"
    data = shell.open_data(("A-IN", 10), outputs=("A-OUT", "B-OUT"))
    assert data["A-IN"].records.shape == (2, 10) and data["A-IN"].tail == b"xxxxx"
    shell.write("A-OUT", [b"ab", np.frombuffer(b"cd", np.uint8)])
    shell.finish(["LINE 1", "ｱ"], "utf-8")
    assert (tmp_path / "out").read_bytes() == b"abcd"
    assert (tmp_path / "rpt").read_bytes() == "LINE 1\nｱ\n".encode()
    assert not shell.files


def test_writing_turns_an_os_error_into_the_write_abend_and_extend_keeps_the_file(tmp_path):
    with pytest.raises(ls.Abend) as e:
        with ls.writing("LIST-OUT", [tmp_path / "l"]):
            raise OSError(errno.EDQUOT, "quota")
    assert e.value.lines == ["WRITE ERROR ON DD LIST-OUT, FILE STATUS 34", f"  PATH: {tmp_path}/l"]
    (tmp_path / "mod").write_bytes(b"OLD")
    ls.open_output("ERROR-OUT", tmp_path / "mod", extend=True).close()
    assert (tmp_path / "mod").read_bytes() == b"OLD"
    ls.open_output("ERROR-OUT", tmp_path / "mod").close()
    assert (tmp_path / "mod").read_bytes() == b""
