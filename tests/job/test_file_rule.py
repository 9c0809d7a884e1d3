"""The one rule for files (host semantics): densan never deletes, truncates or replaces a
file that existed before the job unless the job's DISP (or the user, explicitly) says so; one
file read and written by the same step is refused before anything is written; a target that
cannot be replaced is a JCL error at allocation, before the step runs; and a journalled file
operation that cannot be done never makes the densan home unusable."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import JobDefinitionError
from engine.job import run_job
from engine.job.catalog import Catalog
from engine.job.runner import EXIT_JCL_ERROR
from tests.conftest import LEGACY

SAMPLE = LEGACY / "samples" / "SHUNO01"

COPY_JOB = """
    job: {name}
    steps:
      - name: S1
        program: {{prog:upcase}}
        parm: '{parm}'
        dd:
          IN: {{dsn: CITY.{name}.IN{in_disp}}}
          OUT: {{dsn: CITY.{name}.OUT{out_disp}}}
"""


def _job(lib, name, parm="", in_disp="", out_disp=""):
    lib.job(name, COPY_JOB.format(name=name, parm=parm, in_disp=in_disp, out_disp=out_disp))


@pytest.mark.parametrize("parm", ["", "rc=16"])
def test_uncatalogued_dsn_without_disp_never_truncates_a_given_file(lib, tmp_path, parm):
    """Point 3: IN has dsn: and no disp: (JCL's default NEW for an uncatalogued name); the
    user's existing file given with --dd stays as it was, whether the step would succeed or fail."""
    data = tmp_path / "data.txt"
    data.write_bytes(b"precious\n")
    _job(lib, "NODISP", parm=parm)
    with pytest.raises(JobDefinitionError, match=r"data.txt already exists and the DD's DISP is NEW \(implied"):
        run_job("NODISP", dd=[f"IN={data}", f"OUT={tmp_path}/out.txt"])
    assert data.read_bytes() == b"precious\n"
    assert not (tmp_path / "out.txt").exists()
    assert list(tmp_path.glob("*.densan-tmp*")) == []


def test_a_file_named_in_two_steps_as_new_is_not_emptied(lib, tmp_path):
    data = tmp_path / "data.txt"
    data.write_bytes(b"keep\n")
    lib.job("TWO", """
        job: TWO
        steps:
          - name: S1
            program: {prog:upcase}
            dd: {OUT: {dsn: CITY.TWO.A}}
          - name: S2
            program: {prog:upcase}
            dd: {IN: {dsn: CITY.TWO.A}, OUT: {dsn: CITY.TWO.B}}
    """)
    with pytest.raises(JobDefinitionError, match="already exists"):
        run_job("TWO", dd=[f"S1.OUT={data}", f"S2.IN={data}", f"S2.OUT={tmp_path}/b.txt"])
    assert data.read_bytes() == b"keep\n"


def test_explicit_new_on_an_existing_file_is_a_jcl_error_naming_the_way_to_override(lib, tmp_path):
    """Point 4, with the runner: disp NEW + --dd of an existing file."""
    src = tmp_path / "in.txt"
    src.write_bytes(b"abc\n")
    out = tmp_path / "out.txt"
    out.write_bytes(b"old output\n")
    _job(lib, "NEWOUT", in_disp=", disp: SHR", out_disp=", disp: [NEW, CATLG, DELETE]")
    r = CliRunner().invoke(cli, ["run", "NEWOUT", "--dd", f"IN={src}", "--dd", f"OUT={out}"])
    assert r.exit_code == EXIT_JCL_ERROR
    assert "dd OUT" in r.output and "out.txt already exists" in r.output and "--disp S1.OUT=OLD" in r.output
    assert "Traceback" not in r.output
    assert out.read_bytes() == b"old output\n"
    # MOD extends it, OLD replaces it (both written aside and renamed at the normal end)
    r = CliRunner().invoke(cli, ["run", "NEWOUT", "--dd", f"IN={src}", "--dd", f"OUT={out}", "--disp", "OUT=MOD"])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == b"old output\nABC\n"
    r = CliRunner().invoke(cli, ["run", "NEWOUT", "--dd", f"IN={src}", "--dd", f"OUT={out}", "--disp", "OUT=OLD"])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == b"ABC\n"


def test_replacing_on_request_keeps_the_old_file_when_the_step_fails(lib, tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"abc\n")
    out = tmp_path / "out.txt"
    out.write_bytes(b"old output\n")
    _job(lib, "REPFAIL", parm="rc=16", in_disp=", disp: SHR", out_disp=", disp: [NEW, CATLG, DELETE]")
    res = run_job("REPFAIL", dd=[f"IN={src}", f"OUT={out}"], disp=["OUT=OLD"])
    assert res.status == "FAILED"
    assert out.read_bytes() == b"old output\n"


def test_shuno01_master_out_on_an_existing_file_is_refused(densan_home, tmp_path):
    """Point 4 on the shipped job: MASTER-OUT is disp NEW."""
    outs = {k: tmp_path / f"{k}.dat" for k in ("MASTER-OUT", "ERROR-OUT", "REPORT")}
    outs["MASTER-OUT"].write_bytes(b"someone's master\n")
    args = ["run", "SHUNO01", "--parm", "20250131", "--dd", f"MASTER-IN={SAMPLE / 'master-in.dat'}",
            "--dd", f"TRAN-IN={SAMPLE / 'tran-in.dat'}"]
    args += [a for k, p in outs.items() for a in ("--dd", f"{k}={p}")]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == EXIT_JCL_ERROR, r.output
    assert "MASTER-OUT" in r.output and "already exists" in r.output and "--disp" in r.output
    assert outs["MASTER-OUT"].read_bytes() == b"someone's master\n"
    assert not outs["ERROR-OUT"].exists()


def test_one_step_reading_and_writing_one_file_is_refused(lib, tmp_path):
    data = tmp_path / "data.txt"
    data.write_bytes(b"abc\n")
    _job(lib, "SAME", in_disp=", disp: SHR")
    with pytest.raises(JobDefinitionError, match=r"both read \(dd IN\) and written \(dd OUT\)"):
        run_job("SAME", dd=[f"IN={data}", f"OUT={data}"], disp=["OUT=OLD"])
    assert data.read_bytes() == b"abc\n"
    assert list(tmp_path.glob("*.densan-tmp*")) == []


@pytest.mark.parametrize("target, why", [
    ("DIR", "it is a directory"),
    ("/", "it is a directory"),
    ("/proc/nope/x", "cannot be created"),
    ("/dev/null", "not a regular file"),
    ("FILE/x", "Not a directory"),
])
def test_a_target_that_cannot_be_replaced_is_a_jcl_error_before_the_step(lib, tmp_path, target, why):
    """Point 7/8: a directory, /, /proc/..., a device: refused at allocation; the home stays usable."""
    src = tmp_path / "in.txt"
    src.write_bytes(b"abc\n")
    (tmp_path / "DIR").mkdir()
    (tmp_path / "FILE").write_bytes(b"f")
    target = target.replace("DIR", str(tmp_path / "DIR")).replace("FILE", str(tmp_path / "FILE"))
    _job(lib, "BADOUT", in_disp=", disp: SHR", out_disp=", disp: [NEW, CATLG, DELETE]")
    r = CliRunner().invoke(cli, ["run", "BADOUT", "--dd", f"IN={src}", "--dd", f"OUT={target}", "--disp", "OUT=OLD"])
    assert r.exit_code == EXIT_JCL_ERROR, r.output
    assert why in r.output and "Traceback" not in r.output
    assert "STEP S1 PGM" in r.output and "ENDED" not in r.output.split("JCL ERROR")[0].split("STEP S1")[1]
    for cmd in (["runs"], ["catalog", "list"]):
        r2 = CliRunner().invoke(cli, cmd)
        assert r2.exit_code == 0 and "Traceback" not in r2.output, r2.output
    assert (tmp_path / "DIR").is_dir() and list((tmp_path / "DIR").iterdir()) == []


def test_sortout_on_an_existing_directory(lib, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"b\na\n")
    (tmp_path / "outdir").mkdir()
    lib.job("SRTDIR", """
        job: SRTDIR
        steps:
          - name: S1
            program: SORT
            dd:
              SORTIN:  {dsn: CITY.SRTDIR.IN, disp: SHR, recfm: LS}
              SORTOUT: {dsn: CITY.SRTDIR.OUT, recfm: LS}
              SYSIN: "  SORT FIELDS=(1,1,CH,A)\\n"
    """)
    for disp in ([], ["SORTOUT=OLD"]):
        r = CliRunner().invoke(cli, ["run", "SRTDIR", "--dd", f"SORTIN={tmp_path}/in.txt",
                                     "--dd", f"SORTOUT={tmp_path}/outdir", *[f"--disp={d}" for d in disp]])
        assert r.exit_code == EXIT_JCL_ERROR, r.output
        assert "Traceback" not in r.output
    r = CliRunner().invoke(cli, ["run", "SRTDIR", "--dd", f"SORTIN={tmp_path}/in.txt",
                                 "--dd", f"SORTOUT={tmp_path}/out.txt"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out.txt").read_bytes() == b"a\nb\n"


def test_a_journalled_rename_onto_a_directory_never_poisons_the_home(densan_home, tmp_path):
    """A leftover journal row whose target cannot be replaced (as an older densan could leave
    it) is reported and forgotten; the file it would have moved is kept, not swept."""
    cat = Catalog()
    temp = tmp_path / "out.densan-tmp.J0000001.S1"
    temp.write_bytes(b"the step's output\n")
    (tmp_path / "out").mkdir()
    with cat.transaction() as db:
        db.execute("INSERT INTO runs (run_no, run_id, job, status) VALUES (1, 'J0000001', 'X', 'RUNNING')")
        cat.add_fileop(db, "J0000001", "rename", temp, tmp_path / "out")
        db.execute("INSERT INTO pending (path, run_id) VALUES (?, 'J0000001')", (str(temp),))
    messages = cat.recover()
    cat.close()
    assert any("COULD NOT rename" in m and "kept at" in m for m in messages), messages
    assert temp.read_bytes() == b"the step's output\n"
    for cmd in (["runs"], ["catalog", "list"]):
        r = CliRunner().invoke(cli, cmd)
        assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    assert Catalog().db.execute("SELECT COUNT(*) FROM fileops").fetchone()[0] == 0


def test_a_path_dd_without_disp_on_an_existing_file_is_only_read(lib, tmp_path):
    """path: without disp that exists is SHR: the job never said to replace it."""
    (tmp_path / "p.txt").write_bytes(b"the user's\n")
    (lib.jobs / f"writep_{lib.tag}.py").write_text(
        "def run(step):\n"
        "    with step.dd('P').open_text() as f:\n"
        "        f.write('overwritten\\n')\n"
        "    return 0\n")
    lib.job("WRITEP", f"""
        job: WRITEP
        steps:
          - name: S1
            program: writep_{lib.tag}
            dd: {{P: {{path: '{tmp_path}/p.txt'}}}}
    """)
    res = run_job("WRITEP")
    assert res.abend == "U4000"
    assert "DD P is not an output" in res.log_path.read_text()
    assert (tmp_path / "p.txt").read_bytes() == b"the user's\n"
