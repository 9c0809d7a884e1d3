"""SHUNO01 streamed by key range: chunks of a few masters give the bytes of the
whole-file run and of the legacy program, whatever falls across a chunk boundary
(unsorted and duplicate master keys, HIGH-VALUES, sequence errors, short records,
control totals that overflow their S9(15))."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from jobs.collection.shuno01 import post
from tests.conftest import LEGACY, requires_cobc
from tests.shuno01.cases import (Case, assert_same, generate, key, master, run_densan_case,
                                 run_legacy_case, tran, write_inputs)

WHOLE = 1 << 40


def run_chunked(case: Case, folder: Path, chunk: int) -> tuple:
    mi, ti = write_inputs(case, folder / "in")
    out = folder / f"out-{chunk}"
    out.mkdir()
    files = {k: out / k for k in ("MASTER-OUT", "ERROR-OUT", "REPORT")}
    res = post(master_in=mi, tran_in=ti, master_out=files["MASTER-OUT"], error_out=files["ERROR-OUT"],
               report=files["REPORT"], parm=case.parm, chunk=chunk)
    outputs = {k: p.read_bytes() for k, p in files.items()} if res.rc < 16 else files["REPORT"].read_bytes()
    return res.rc, res.messages, outputs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), chunk=st.integers(1, 9))
def test_chunks_give_the_whole_run_bytes(seed, chunk):
    case = generate(seed)
    with tempfile.TemporaryDirectory() as tmp:
        assert run_chunked(case, Path(tmp), chunk) == run_chunked(case, Path(tmp), WHOLE), case.notes


def overflowing_case() -> Case:
    """Masters and payments whose running totals pass 10**15 (S9(15) keeps the low
    digits), some keys out of order and repeated, a cancelled one, a missing one."""
    masters, trans = [], []
    for i in range(10_030):
        k = key(2024, 1, i * 3, 1)
        masters.append(master(k, chotei=99_999_999_999 - i, nofu=99_999_999_000 if i % 7 else -5,
                              kanpu=(i % 5) * 99_999_999_990, jotai=b"9" if i % 997 == 5 else b"0"))
        if i % 4:
            for r in (1, 2):
                trans.append(tran(k, nofu=-99_999_999_999 if i % 11 == 0 else 99_999_999_999, renban=r))
            trans.append(tran(key(2024, 1, i * 3 + 1, 1), renban=3))              # not on file
    masters[500], masters[501] = masters[501], masters[500]                       # out of order
    masters.insert(900, masters[899])                                             # duplicate key
    return Case(masters, trans)


@requires_cobc
@pytest.mark.parametrize("chunk", [97, 1024])
def test_overflowing_totals_across_chunks_equal_the_legacy(tmp_path, monkeypatch, chunk):
    case = overflowing_case()
    legacy = run_legacy_case(case, tmp_path)
    monkeypatch.setenv("DENSAN_SHUNO01_CHUNK", str(chunk))
    assert_same(legacy, run_densan_case(case, tmp_path), case)
    assert legacy.rc == 4
    assert sum(99_999_999_999 - i for i in range(10_030)) >= 10**15     # SH-CHOTEI-GAKU's total wraps


@requires_cobc
@pytest.mark.parametrize("seed", range(40))
def test_generated_cases_in_chunks_of_two_equal_the_legacy(tmp_path, monkeypatch, seed):
    case = generate(10_000 + seed)
    legacy = run_legacy_case(case, tmp_path)
    monkeypatch.setenv("DENSAN_SHUNO01_CHUNK", "2")
    assert_same(legacy, run_densan_case(case, tmp_path), case)


@requires_cobc
def test_boundaries_between_equal_and_lower_keys(tmp_path, monkeypatch):
    """A chunk that ends inside a run of equal keys, a chunk holding only keys below
    the highest before it (nothing eligible), payments on both sides of each cut."""
    K = [key(2024, 3, n, 1) for n in range(1, 9)]
    masters = [master(K[0]), master(K[2]), master(K[2]), master(K[2]), master(K[1]), master(K[0]),
               master(K[1]), master(K[4]), master(K[3]), master(K[6])]
    trans = [tran(k, renban=r) for r, k in enumerate(K) for _ in range(2)]
    trans = sorted(trans, key=lambda t: t[:18] + t[19:27] + t[47:55])
    case = Case(masters, trans)
    legacy = run_legacy_case(case, tmp_path)
    for chunk in (1, 2, 3, 4):
        monkeypatch.setenv("DENSAN_SHUNO01_CHUNK", str(chunk))
        assert_same(legacy, run_densan_case(case, tmp_path / str(chunk)), case)


def test_sample_through_densan_run_in_chunks_of_three(tmp_path, densan_home, monkeypatch):
    from click.testing import CliRunner
    from engine.cli import cli as main
    sample = LEGACY / "samples" / "SHUNO01"
    monkeypatch.setenv("DENSAN_SHUNO01_CHUNK", "3")
    out = {k: tmp_path / v for k, v in (("MASTER-OUT", "master-out.dat"), ("ERROR-OUT", "error-out.dat"),
                                         ("REPORT", "report.txt"))}
    args = ["run", "SHUNO01", "--dd", f"MASTER-IN={sample / 'master-in.dat'}",
            "--dd", f"TRAN-IN={sample / 'tran-in.dat'}", "--parm", "20250131", "--quiet"]
    args += [a for k, p in out.items() for a in ("--dd", f"{k}={p}")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 4, result.output
    for dd, name in (("MASTER-OUT", "master-out.dat"), ("ERROR-OUT", "error-out.dat"),
                     ("REPORT", "report.txt")):
        assert out[dd].read_bytes() == (sample / name).read_bytes(), dd


def test_page_aligned_chunks_go_direct_and_give_the_whole_run_bytes(tmp_path, monkeypatch):
    """With DENSAN_SHUNO01_DIRECT=1, chunks of 4,096 masters (409,600 bytes: whole pages)
    are written to MASTER-OUT with O_DIRECT and the short last chunk through the page
    cache; a file system that refuses a direct write (EINVAL) gets it through the page
    cache instead; without it, nothing is direct. Every way the bytes of the whole-file run."""
    import errno
    import fcntl
    import os

    from jobs.collection import shuno01

    case = overflowing_case()                       # 10,031 masters: 2 aligned chunks + 1,839
    whole = run_chunked(case, tmp_path / "whole", WHOLE)
    calls = []
    real = shuno01._pwrite

    def recording(fd, view, offset):
        direct = bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT)
        calls.append((direct, offset, view.nbytes))
        if refuse and direct:
            raise OSError(errno.EINVAL, "no direct writes here")
        return real(fd, view, offset)

    monkeypatch.setattr(shuno01, "_pwrite", recording)
    refuse = False
    monkeypatch.delenv("DENSAN_SHUNO01_DIRECT", raising=False)
    assert run_chunked(case, tmp_path / "cached", 4096) == whole
    assert not any(direct for direct, _, _ in calls)        # the default: the page cache
    calls.clear()
    monkeypatch.setenv("DENSAN_SHUNO01_DIRECT", "1")
    assert run_chunked(case, tmp_path / "direct", 4096) == whole
    assert calls == [(True, 0, 409_600), (True, 409_600, 409_600), (False, 819_200, 1839 * 100)]
    calls.clear()
    refuse = True
    assert run_chunked(case, tmp_path / "refused", 4096) == whole
    assert calls == [(True, 0, 409_600), (False, 0, 409_600), (False, 409_600, 409_600),
                     (False, 819_200, 1839 * 100)]


def test_a_short_first_chunk_gives_the_whole_run_bytes(tmp_path, monkeypatch):
    """With chunks of 8,192 the first chunk is 1,024 masters (an eighth, so the writing
    starts sooner) and every later chunk still starts on a page of MASTER-OUT."""
    import fcntl
    import os

    from jobs.collection import shuno01

    case = overflowing_case()                       # 10,031 masters: 1,024 + 8,192 + 815
    whole = run_chunked(case, tmp_path / "whole", WHOLE)
    calls = []
    real = shuno01._pwrite

    def recording(fd, view, offset):
        calls.append((bool(fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_DIRECT), offset, view.nbytes))
        return real(fd, view, offset)

    monkeypatch.setattr(shuno01, "_pwrite", recording)
    monkeypatch.setenv("DENSAN_SHUNO01_DIRECT", "1")     # direct writes show each chunk's place
    assert run_chunked(case, tmp_path / "ramp", 8192) == whole
    assert calls == [(True, 0, 102_400), (True, 102_400, 819_200), (False, 921_600, 81_500)]
