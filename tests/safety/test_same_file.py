"""A path given twice in one command, as input and output, is refused before anything is
written: convert --reject = INPUT (point 5), sort --out / --outfil = --in (point 6)."""
from __future__ import annotations

from click.testing import CliRunner

from engine.cli import cli

COPYBOOK = "       01 REC.\n          05 KEY   PIC X(3).\n          05 AMT   PIC 9(3).\n"


def _files(tmp_path):
    cpy = tmp_path / "rec.cpy"
    cpy.write_text(COPYBOOK)
    data = tmp_path / "data.dat"
    data.write_bytes(b"AAA001BBBxyzCCC003")        # BBB's amount is bad: a reject in lenient mode
    return cpy, data


def test_convert_reject_on_the_input_is_refused(tmp_path):
    cpy, data = _files(tmp_path)
    before = data.read_bytes()
    r = CliRunner().invoke(cli, ["convert", str(data), str(tmp_path / "out.jsonl"), "--copybook", str(cpy),
                                 "--errors", "lenient", "--reject", str(data)])
    assert r.exit_code == 2 and "--reject" in r.output and "is the input INPUT" in r.output, r.output
    assert data.read_bytes() == before
    assert not (tmp_path / "out.jsonl").exists()


def test_convert_reject_and_output_one_file_is_refused(tmp_path):
    cpy, data = _files(tmp_path)
    out = tmp_path / "out.dat"
    r = CliRunner().invoke(cli, ["convert", str(data), str(out), "--copybook", str(cpy),
                                 "--errors", "lenient", "--reject", str(out)])
    assert r.exit_code == 2 and "is also OUTPUT" in r.output, r.output


def test_convert_through_a_symlink_to_the_input_is_refused(tmp_path):
    cpy, data = _files(tmp_path)
    (tmp_path / "link.dat").symlink_to(data)
    r = CliRunner().invoke(cli, ["convert", str(data), str(tmp_path / "link.dat"), "--copybook", str(cpy)])
    assert r.exit_code == 2 and "is the input" in r.output
    assert data.read_bytes() == b"AAA001BBBxyzCCC003"


def test_sort_outfil_on_the_input_is_refused(tmp_path):
    data = tmp_path / "in.dat"
    data.write_bytes(b"b\na\n")
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=(1,1,CH,A)\n OUTFIL FNAMES=O1,INCLUDE=(1,1,CH,EQ,C'z')",
                                 "--in", str(data), "--recfm", "LS", "--outfil", f"O1={data}"])
    assert r.exit_code == 16 and "--outfil O1" in r.output and "is the input --in" in r.output, r.output
    assert data.read_bytes() == b"b\na\n"


def test_sort_out_on_the_input_is_refused(tmp_path):
    data = tmp_path / "in.dat"
    data.write_bytes(b"b\na\n")
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=(1,1,CH,A)", "--in", str(data),
                                 "--recfm", "LS", "--out", str(data)])
    assert r.exit_code == 16 and "--out" in r.output, r.output
    assert data.read_bytes() == b"b\na\n"
    out = tmp_path / "out.dat"
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=(1,1,CH,A)", "--in", str(data),
                                 "--recfm", "LS", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == b"a\nb\n"


def test_sort_failing_leaves_an_existing_output_as_it_was(tmp_path):
    data = tmp_path / "in.dat"
    data.write_bytes(b"b\na\n")
    out = tmp_path / "out.dat"
    out.write_bytes(b"previous\n")
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=(1,1,CH,A)\n OPTION NULLOUT=RC16\n"
                                 " INCLUDE COND=(1,1,CH,EQ,C'z')",
                                 "--in", str(data), "--recfm", "LS", "--out", str(out)])
    assert r.exit_code == 16, r.output
    assert out.read_bytes() == b"previous\n"


def test_dev_null_as_an_output_stays_a_device(tmp_path):
    """Writing to /dev/null must never rename a file over it (it once did: convert and sort
    wrote a temporary beside the target and renamed it into place)."""
    import os
    import stat
    cpy, data = _files(tmp_path)
    r = CliRunner().invoke(cli, ["convert", str(data), "/dev/null", "--copybook", str(cpy), "--errors", "lenient"])
    assert r.exit_code == 4, r.output
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=(1,1,CH,A)", "--in", str(data),
                                 "--recfm", "LS", "--out", "/dev/null"])
    assert r.exit_code == 0, r.output
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
