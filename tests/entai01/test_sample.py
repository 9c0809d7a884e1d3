"""The shared ENTAI01 sample (30 masters, every rule): densan's outputs equal the
legacy's byte for byte, with no GnuCOBOL needed; and the sample README's figures."""
from __future__ import annotations

import pytest

from tests.conftest import LEGACY

SAMPLE = LEGACY / "samples" / "ENTAI01"
FILES = {"master_out": "master-out.dat", "notice_out": "notice-out.dat",
         "entai_out": "entai-out.dat", "error_out": "error-out.dat", "report": "report.txt"}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from jobs.collection.entai01 import entai01
    out = tmp_path_factory.mktemp("entai01")
    res = entai01(master_in=SAMPLE / "master-in.dat", rate_in=SAMPLE / "rate-in.dat",
                  **{k: out / v for k, v in FILES.items()}, parm="20260131,0100")
    return res, out


@pytest.mark.parametrize("name", FILES.values())
def test_sample_output_byte_for_byte(run, name):
    res, out = run
    assert res.rc == 4
    assert (out / name).read_bytes() == (SAMPLE / name).read_bytes()


def test_sample_figures(run):
    res, out = run
    t = res.totals
    assert (t.read, t.considered, t.overdue, t.reminded, t.errors) == (30, 27, 18, 9, 7)
    assert t.by_reason == (2, 2, 2, 1)
    assert (t.rem_mino, t.rem_fee, t.rem_entai, t.ovd_mino, t.ovd_entai) == \
        (2_948_566, 900, 103_300, 4_215_565, 279_800)
    entai = (out / "entai-out.dat").read_bytes()
    first = entai[:100]                       # the Toyohashi example
    assert (int(first[48:60]), int(first[60:67]), int(first[67:74]), int(first[74:86])) == \
        (65_000, 30, 215, 3_400)


def test_job_log_counts_and_run_through_the_cli(tmp_path, densan_home):
    from click.testing import CliRunner
    from engine.cli import cli
    args = ["run", "ENTAI01", "--quiet", "--parm", "20260131,0100",
            "--dd", f"MASTER-IN={SAMPLE / 'master-in.dat'}", "--dd", f"RATE-IN={SAMPLE / 'rate-in.dat'}"]
    for dd, name in (("MASTER-OUT", "master-out.dat"), ("NOTICE-OUT", "notice-out.dat"),
                     ("ENTAI-OUT", "entai-out.dat"), ("ERROR-OUT", "error-out.dat"),
                     ("REPORT", "report.txt")):
        args += ["--dd", f"{dd}={tmp_path / name}"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 4, res.output
    for name in FILES.values():
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes()


@pytest.mark.parametrize("block_records", [1, 4, 29])
def test_sample_read_in_small_blocks(tmp_path, block_records):
    """The same bytes whatever the block size: a block of one record, blocks that cut
    the sample unevenly, and one full block and a block of one."""
    from jobs.collection.entai01 import entai01
    res = entai01(master_in=SAMPLE / "master-in.dat", rate_in=SAMPLE / "rate-in.dat",
                  **{k: tmp_path / v for k, v in FILES.items()}, parm="20260131,0100",
                  block_records=block_records)
    assert res.rc == 4 and res.totals.read == 30
    for name in FILES.values():
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name
