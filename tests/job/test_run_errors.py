"""`densan run` on bad input says what and where, exits 251, never a traceback (point 8)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.job.runner import EXIT_JCL_ERROR

JOB = """
    job: ERRS
    steps:
      - name: S1
        program: {prog:upcase}
        dd:
          IN: {dsn: CITY.ERRS.IN, disp: SHR}
          OUT: {dsn: CITY.ERRS.OUT, disp: [NEW, CATLG, DELETE]}
"""


def _run(*args):
    r = CliRunner().invoke(cli, ["run", *map(str, args)])
    assert "Traceback" not in r.output
    assert not isinstance(r.exception, Exception) or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def test_a_job_file_that_is_not_utf8(lib, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"job: X\n# \x82\xa0 Shift_JIS\n")
    r = _run(bad)
    assert r.exit_code == EXIT_JCL_ERROR and "byte offset 9" in r.output and "not UTF-8" in r.output


def test_dev_null_and_other_non_jobs(lib, tmp_path):
    r = _run("/dev/null")
    assert r.exit_code == EXIT_JCL_ERROR and "a job definition is a mapping" in r.output
    r = _run(tmp_path)
    assert r.exit_code == EXIT_JCL_ERROR and "is a directory" in r.output
    r = _run("*")
    assert r.exit_code == EXIT_JCL_ERROR and "not a job name" in r.output


def test_job_not_found_hint_names_the_job(lib):
    r = _run("NOSUCHJOB")
    assert r.exit_code == EXIT_JCL_ERROR and "NOSUCHJOB.yaml under" in r.output and "{name}" not in r.output


@pytest.mark.parametrize("dd", ["IN=/", "OUT=/", "OUT=/proc/nope/x", "IN=/proc/nope/x"])
def test_dd_on_a_folder_or_an_unreachable_place(lib, tmp_path, dd):
    (tmp_path / "in.txt").write_bytes(b"x\n")
    lib.job("ERRS", JOB)
    others = [f"IN={tmp_path}/in.txt", f"OUT={tmp_path}/out.txt"]
    args = [a for o in others if o.split("=")[0] != dd.split("=")[0] for a in ("--dd", o)]
    r = _run("ERRS", "--dd", dd, *args)
    assert r.exit_code == EXIT_JCL_ERROR, r.output
    assert "JCL ERROR: step S1: dd " + dd.split("=")[0] in r.output


def test_a_dd_given_as_an_empty_list(lib):
    lib.job("EMPTYDD", """
        job: EMPTYDD
        steps:
          - name: S1
            program: {prog:upcase}
            dd: {IN: []}
    """)
    r = _run("EMPTYDD")
    assert r.exit_code == EXIT_JCL_ERROR and "dd IN: an empty list names no dataset" in r.output
