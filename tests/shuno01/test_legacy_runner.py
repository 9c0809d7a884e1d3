"""engine.migration.legacy: build a COBOL program once (cached by source, copybooks and cobc
version) and run it with DDs as environment variables, as the legacy harness does."""
from __future__ import annotations

import os

import pytest

from engine.errors import DensanError
from engine.migration.legacy import (LegacyError, build_key, compile_program, env_name, program_environment,
                           run_legacy, run_program)
from tests.conftest import LEGACY, requires_cobc

HELLO = """\
       IDENTIFICATION DIVISION.
       PROGRAM-ID. HELLO.
       DATA DIVISION.
       WORKING-STORAGE SECTION.
           COPY GREET.
       01  WS-PATH     PIC X(200).
       01  WS-PARM     PIC X(20).
       PROCEDURE DIVISION.
           ACCEPT WS-PATH FROM ENVIRONMENT 'OUT_FILE'
           ACCEPT WS-PARM FROM ENVIRONMENT 'PARM'
           DISPLAY WS-GREETING ' ' FUNCTION TRIM(WS-PATH) ' '
                   FUNCTION TRIM(WS-PARM)
           MOVE 7 TO RETURN-CODE
           STOP RUN.
"""


@pytest.fixture
def program(tmp_path):
    src = tmp_path / "src"
    cpy = tmp_path / "cpy"
    src.mkdir()
    cpy.mkdir()
    (src / "HELLO.cob").write_text(HELLO)
    (cpy / "GREET.cpy").write_text("       01  WS-GREETING PIC X(5) VALUE 'HELLO'.\n")
    return src / "HELLO.cob", cpy


def test_env_names_and_environment(tmp_path):
    assert env_name("MASTER-IN") == "MASTER_IN"
    env = program_environment({"MASTER-IN": "a.dat", "REPORT": None, "OUT": "/abs/x"}, "20250131",
                              cwd=tmp_path, base={"REPORT": "stale", "COB_FILE_PATH": "/x", "PARM": "old"})
    assert env["MASTER_IN"] == str(tmp_path / "a.dat")
    assert env["OUT"] == "/abs/x" and env["PARM"] == "20250131"
    assert "REPORT" not in env and "COB_FILE_PATH" not in env
    assert "PARM" not in program_environment({}, None, base={"PARM": "x"})
    with pytest.raises(LegacyError):
        program_environment({"BAD NAME": "x"}, None)


def test_build_key_covers_source_and_copybooks(program):
    src, cpy = program
    k1 = build_key(src, [cpy], "cobc (GnuCOBOL) 3.1.2.0")
    assert k1 == build_key(src, [cpy], "cobc (GnuCOBOL) 3.1.2.0")
    assert k1 != build_key(src, [cpy], "cobc (GnuCOBOL) 3.2.0")
    (cpy / "GREET.cpy").write_text("       01  WS-GREETING PIC X(5) VALUE 'HEY'.\n")
    assert k1 != build_key(src, [cpy], "cobc (GnuCOBOL) 3.1.2.0")


@requires_cobc
def test_compile_once_then_run_with_dds_and_parm(program, tmp_path):
    src, cpy = program
    cache = tmp_path / "cache"
    exe = compile_program(src, [cpy], cache_dir=cache)
    mtime = exe.stat().st_mtime_ns
    res = run_program(src, {"OUT-FILE": "rel/out.txt"}, "P1", copy_dirs=[cpy], cwd=tmp_path,
                      cache_dir=cache)
    assert res.executable == exe and exe.stat().st_mtime_ns == mtime      # cached
    assert res.rc == 7
    assert res.stdout.strip() == f"HELLO {tmp_path / 'rel/out.txt'} P1"
    (cpy / "GREET.cpy").write_text("       01  WS-GREETING PIC X(5) VALUE 'HEY'.\n")
    again = run_program(src, {"OUT-FILE": "/x"}, None, copy_dirs=[cpy], cache_dir=cache)
    assert again.executable != exe and again.stdout.startswith("HEY")


@requires_cobc
def test_compile_failure_is_a_clear_error(tmp_path):
    bad = tmp_path / "BAD.cob"
    bad.write_text("       IDENTIFICATION DIVISION.\n       PROGRAM-ID. BAD.\n"
                   "       PROCEDURE DIVISION.\n           MOVE NOWHERE TO NOTHING.\n")
    with pytest.raises(LegacyError) as info:
        compile_program(bad, cache_dir=tmp_path / "cache")
    assert "compilation of" in str(info.value) and "NOWHERE" in str(info.value)
    assert isinstance(info.value, DensanError)
    assert not list((tmp_path / "cache").glob("build.*"))       # build folder cleaned


def test_cobc_missing_is_a_clear_error(program, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    src, cpy = program
    with pytest.raises(LegacyError, match="cobc.*not found"):
        compile_program(src, [cpy], cache_dir=tmp_path / "cache")


def test_unknown_program(tmp_path):
    with pytest.raises(LegacyError, match="no such legacy program"):
        run_legacy("NOPROG", {}, legacy_dir=LEGACY)
    with pytest.raises(LegacyError, match="bad program name"):
        run_legacy("../x", {}, legacy_dir=LEGACY)


@requires_cobc
def test_run_legacy_uses_the_default_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LEGACY_CACHE_DIR", str(tmp_path / "c"))
    res = run_legacy("SHUNO01", {"REPORT": tmp_path / "r.txt"}, None, legacy_dir=LEGACY)
    assert res.rc == 16
    assert res.executable.parent.parent == tmp_path / "c"
    assert "PARM IS NOT A VALID PROCESSING DATE" in res.stderr
    assert os.path.exists(tmp_path / "r.txt")
