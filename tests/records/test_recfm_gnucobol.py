"""Files written by GnuCOBOL (an implementation nobody here wrote): a RECORD
VARYING sequential file (GnuCOBOL's default header: 2-byte big-endian length
without the header, 2 zero bytes) and a LINE SEQUENTIAL file (trailing spaces
dropped), read by densan and written back byte for byte."""
from __future__ import annotations

import os
import subprocess

import pytest

from engine.records import RecordFormat, read_records, write_records
from tests.conftest import HAVE_COBC, requires_cobc

PROGRAM = """\
       IDENTIFICATION DIVISION.
       PROGRAM-ID. VARW.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT VFILE ASSIGN TO "VFILE" ORGANIZATION SEQUENTIAL.
           SELECT LFILE ASSIGN TO "LFILE" ORGANIZATION LINE SEQUENTIAL.
       DATA DIVISION.
       FILE SECTION.
       FD  VFILE RECORD VARYING FROM 1 TO 20 DEPENDING ON WS-LEN.
       01  V-REC PIC X(20).
       FD  LFILE.
       01  L-REC PIC X(20).
       WORKING-STORAGE SECTION.
       01  WS-LEN PIC 9(4) COMP.
       01  I PIC 9(4) COMP.
       PROCEDURE DIVISION.
           OPEN OUTPUT VFILE LFILE
           PERFORM VARYING I FROM 1 BY 1 UNTIL I > 12
               MOVE ALL "AB" TO V-REC
               MOVE I TO WS-LEN
               WRITE V-REC
               MOVE SPACES TO L-REC
               MOVE ALL "X" TO L-REC(1:I)
               WRITE L-REC
           END-PERFORM
           CLOSE VFILE LFILE
           STOP RUN.
"""


@pytest.fixture(scope="module")
def gnucobol_files(tmp_path_factory):
    if not HAVE_COBC:
        pytest.skip("GnuCOBOL (cobc) is not installed")
    work = tmp_path_factory.mktemp("gnucobol")
    (work / "VARW.cob").write_text(PROGRAM)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COB_")}
    subprocess.run(["cobc", "-x", "VARW.cob", "-o", "VARW"], cwd=work, env=env, check=True,
                   capture_output=True)
    subprocess.run(["./VARW"], cwd=work, env=env, check=True, capture_output=True)
    return work / "VFILE", work / "LFILE"


@requires_cobc
def test_gnucobol_record_varying_file(gnucobol_files, tmp_path):
    vfile, _ = gnucobol_files
    fmt = RecordFormat("V", rdw_includes_header=False)
    block = read_records(vfile, fmt)
    assert len(block) == 12
    assert block.lengths.tolist() == list(range(1, 13))
    assert [block.record(i) for i in range(12)] == [(b"AB" * 10)[:n] for n in range(1, 13)]
    out = tmp_path / "VFILE"
    write_records(out, block, fmt)
    assert out.read_bytes() == vfile.read_bytes()


@requires_cobc
def test_gnucobol_line_sequential_file(gnucobol_files, tmp_path):
    _, lfile = gnucobol_files
    block = read_records(lfile, RecordFormat("LS", lrecl=20))
    assert block.width == 20 and block.line_ending == "lf"
    assert [block.record(i) for i in range(12)] == [b"X" * n for n in range(1, 13)]
    assert block.data[0].tobytes() == b"X" + b" " * 19          # padded to LRECL with spaces
    out = tmp_path / "LFILE"
    write_records(out, block, RecordFormat("LS", lrecl=20))
    assert out.read_bytes() == lfile.read_bytes()
