"""SHUNO01 on the shared sample: densan's outputs are the legacy's, byte for byte."""
from __future__ import annotations

import pytest

from jobs.collection.shuno01 import post
from tests.conftest import LEGACY, requires_cobc

SAMPLE = LEGACY / "samples" / "SHUNO01"


def _files(folder):
    return {k: folder / v for k, v in (("MASTER-OUT", "master-out.dat"), ("ERROR-OUT", "error-out.dat"),
                                       ("REPORT", "report.txt"))}


def test_sample_outputs_equal_the_legacy_files(tmp_path):
    out = _files(tmp_path)
    result = post(master_in=SAMPLE / "master-in.dat", tran_in=SAMPLE / "tran-in.dat",
                  master_out=out["MASTER-OUT"], error_out=out["ERROR-OUT"], report=out["REPORT"],
                  parm="20250131")
    assert result.rc == 4
    assert out["MASTER-OUT"].read_bytes() == (SAMPLE / "master-out.dat").read_bytes()
    assert out["ERROR-OUT"].read_bytes() == (SAMPLE / "error-out.dat").read_bytes()
    assert out["REPORT"].read_bytes() == (SAMPLE / "report.txt").read_bytes()
    t = result.totals
    assert (t.read[6], t.posted[6], t.rejected[6], t.posted_amount[6]) == (29, 17, 12, 196_435)
    assert t.by_reason[6] == [2, 3, 1, 4, 2]
    assert (t.master_read, t.master_updated, t.master_written) == (40, 12, 40)
    assert (t.chotei_sum, t.nofu_sum, t.kanpu_sum) == (801_657, 735_557, 42_300)


def test_sample_through_densan_run(tmp_path, densan_home):
    from click.testing import CliRunner
    from engine.cli import cli as main
    out = _files(tmp_path)
    args = ["run", "SHUNO01", "--dd", f"MASTER-IN={SAMPLE / 'master-in.dat'}",
            "--dd", f"TRAN-IN={SAMPLE / 'tran-in.dat'}"]
    args += [a for k, p in out.items() for a in ("--dd", f"{k}={p}")]
    args += ["--parm", "20250131", "--quiet"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 4, res.output
    assert out["MASTER-OUT"].read_bytes() == (SAMPLE / "master-out.dat").read_bytes()
    assert out["ERROR-OUT"].read_bytes() == (SAMPLE / "error-out.dat").read_bytes()
    assert out["REPORT"].read_bytes() == (SAMPLE / "report.txt").read_bytes()


def test_abend_through_densan_run_keeps_no_master(tmp_path, densan_home):
    """A sequence error is RC 16: the runner discards MASTER-OUT; the REPORT says why."""
    from click.testing import CliRunner
    from engine.cli import cli as main
    trans = (SAMPLE / "tran-in.dat").read_bytes()
    swapped = tmp_path / "tran-swapped.dat"
    swapped.write_bytes(trans[60:120] + trans[:60] + trans[120:])
    out = _files(tmp_path)
    args = ["run", "SHUNO01", "--dd", f"MASTER-IN={SAMPLE / 'master-in.dat'}", "--dd", f"TRAN-IN={swapped}"]
    args += [a for k, p in out.items() for a in ("--dd", f"{k}={p}")]
    res = CliRunner().invoke(main, args + ["--parm", "20250131", "--quiet"])
    assert res.exit_code == 16, res.output
    assert not out["MASTER-OUT"].exists()


@requires_cobc
def test_legacy_builds_with_the_project_copybooks(tmp_path):
    """Our copybooks are the legacy layouts: the legacy program compiled with them
    writes the sample's outputs."""
    from engine.migration.legacy import run_program
    from engine.config import PROJECT_ROOT
    out = _files(tmp_path)
    res = run_program(LEGACY / "programs" / "SHUNO01.cob",
                      {"MASTER-IN": SAMPLE / "master-in.dat", "TRAN-IN": SAMPLE / "tran-in.dat", **out},
                      "20250131", copy_dirs=[PROJECT_ROOT / "copybooks"], cache_dir=tmp_path / "cache")
    assert res.rc == 4
    for name, ref in (("MASTER-OUT", "master-out.dat"), ("ERROR-OUT", "error-out.dat"),
                      ("REPORT", "report.txt")):
        assert out[name].read_bytes() == (SAMPLE / ref).read_bytes()


@pytest.mark.parametrize("name", ["SHUNOMST", "NOFUTRN", "NOFUERR"])
def test_copybook_layout_equals_the_legacy(name):
    copybook = pytest.importorskip("engine.copybook")
    if not hasattr(copybook, "load_copybook"):
        pytest.skip("copybook parser not there yet")
    from engine.config import PROJECT_ROOT
    ours = copybook.load_copybook(PROJECT_ROOT / "copybooks" / f"{name}.cpy")
    theirs = copybook.load_copybook(LEGACY / "copybooks" / f"{name}.cpy")

    def shape(layout):
        return [(f.level, f.name, f.offset, f.size, f.usage.value,
                 f.picture.expanded if f.picture else None,
                 [(c.name, [str(v) for v in c.values], [(str(x), str(y)) for x, y in c.ranges])
                  for c in f.conditions])
                for f in layout.fields()]
    assert ours.record_length == theirs.record_length
    assert shape(ours) == shape(theirs)
