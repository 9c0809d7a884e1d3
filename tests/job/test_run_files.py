"""Running jobs on plain files: --dd overrides, PARM and params, return codes, abends, CLI."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import JobDefinitionError
from engine.job import run_job
from engine.job.runner import EXIT_ABEND, EXIT_JCL_ERROR


def test_plain_files_parm_params_and_rc(lib, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"abc\ndef\n")
    lib.job("PLAIN", f"""
        job: PLAIN
        params: {{date: today, rc: '4'}}
        steps:
          - name: S1
            program: {{prog:upcase}}
            parm: 'rc={{rc}}'
            dd:
              IN: {{path: {tmp_path}/in.txt}}
              OUT: {{path: {tmp_path}/out.txt}}
    """)
    res = run_job("PLAIN", params={"rc": "8"})
    assert res.max_rc == 8 and res.status == "COMPLETED" and res.exit_code == 8
    assert (tmp_path / "out.txt").read_bytes() == b"ABC\nDEF\n"
    assert res.steps[0].records_in == 2 and res.steps[0].records_out == 2
    assert list(tmp_path.glob("*.densan-tmp*")) == []


def test_dd_override_all_steps_and_one_step(lib, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"a\n")
    (tmp_path / "b.txt").write_bytes(b"b\n")
    lib.job("OVR", """
        job: OVR
        steps:
          - name: S1
            program: {prog:upcase}
            dd:
              IN: {dsn: CITY.NOT.THERE, disp: SHR}
              OUT: {dsn: '&&T1'}
          - name: S2
            program: {prog:upcase}
            dd:
              IN: {dsn: '&&T1'}
              OUT: {dsn: CITY.NEVER.MADE, disp: [NEW, CATLG]}
    """)
    res = run_job("OVR", dd=[f"IN={tmp_path}/a.txt", f"IN={tmp_path}/b.txt", f"S2.OUT={tmp_path}/o.txt"])
    assert res.max_rc == 0
    # S1.IN is the concatenation a+b; S2.IN too (NAME alone applies to every step)
    assert (tmp_path / "o.txt").read_bytes() == b"A\nB\n"
    from engine.job.catalog import Catalog
    assert Catalog().get("CITY.NEVER.MADE") is None


def test_override_output_redirects_later_readers(lib, tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x\n")
    lib.job("RED", """
        job: RED
        steps:
          - name: S1
            program: {prog:upcase}
            dd: {IN: {path: IGNORED}, OUT: {dsn: '&&T'}}
          - name: S2
            program: {prog:upcase}
            dd: {IN: {dsn: '&&T'}, OUT: {path: OUT2}}
    """)
    res = run_job("RED", dd=[f"S1.IN={tmp_path}/a.txt", f"S1.OUT={tmp_path}/t.txt", f"S2.OUT={tmp_path}/o.txt"])
    assert res.max_rc == 0
    assert (tmp_path / "t.txt").read_bytes() == b"X\n"
    assert (tmp_path / "o.txt").read_bytes() == b"X\n"


def test_failed_step_leaves_no_override_output(lib, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"abc\n")
    (tmp_path / "keep.txt").write_bytes(b"old\n")
    lib.job("FAIL", f"""
        job: FAIL
        steps:
          - name: S1
            program: {{prog:upcase}}
            parm: rc=16
            dd: {{IN: {{path: {tmp_path}/in.txt}}, OUT: {{path: {tmp_path}/out.txt}}}}
    """)
    res = run_job("FAIL", dd=[f"OUT={tmp_path}/new.txt"])
    assert res.status == "FAILED" and res.max_rc == 16 and res.exit_code == 16
    assert not (tmp_path / "new.txt").exists()
    assert list(tmp_path.glob("*.densan-tmp*")) == []


def test_abend_codes_and_later_steps(lib, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"abc\n")
    lib.job("ABJ", f"""
        job: ABJ
        steps:
          - name: S1
            program: {{prog:upcase}}
            parm: baddata
            dd: {{IN: {{path: {tmp_path}/in.txt}}}}
          - name: S2
            program: {{prog:upcase}}
          - name: S3
            program: {{prog:upcase}}
            cond: EVEN
          - name: S4
            program: {{prog:upcase}}
            when: ABENDCC=S0C7
    """)
    res = run_job("ABJ")
    assert [(s.name, s.status, s.abend) for s in res.steps] == [
        ("S1", "ABEND", "S0C7"), ("S2", "NOT-RUN", None), ("S3", "ENDED", None), ("S4", "ENDED", None)]
    assert res.exit_code == EXIT_ABEND and res.status == "ABENDED"
    log = res.log_path.read_text()
    assert "ABEND S0C7 (data exception)" in log and "record 3" in log
    assert "STEP S1 PGM=" in log and "ABEND=S0C7" in log


def test_program_exception_is_u4000_without_traceback(lib, tmp_path):
    lib.job("BUG", """
        job: BUG
        steps:
          - {name: S1, program: '{prog:upcase}', parm: crash}
          - {name: S2, program: '{prog:upcase}', parm: abend, cond: EVEN}
    """)
    out = CliRunner().invoke(cli, ["run", "BUG"])
    assert out.exit_code == EXIT_ABEND
    assert "ABEND U4000: ValueError: boom at" in out.output
    assert "ABEND U0100: test abend" in out.output
    assert "Traceback" not in out.output


def test_cli_run_runs_log(lib, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"abc\n")
    lib.job("CLIJ", f"""
        job: CLIJ
        steps:
          - name: POST
            program: {{prog:upcase}}
            parm: rc=0
            dd:
              IN: {{path: {tmp_path}/in.txt}}
              REPORT: {{sysout: A}}
    """)
    r = CliRunner()
    out = r.invoke(cli, ["run", "clij", "--parm", "rc=4"])
    assert out.exit_code == 4, out.output
    assert f"STEP POST PGM={lib.prog('upcase')} RC=0004 IN=1 OUT=0" in out.output
    out = r.invoke(cli, ["runs"])
    assert out.exit_code == 0
    line = [ln for ln in out.output.splitlines() if ln.startswith("J0000001")][0]
    assert "CLIJ" in line and "0004" in line and "COMPLETED" in line
    out = r.invoke(cli, ["log", "1"])
    assert out.exit_code == 0 and "JOB CLIJ J0000001 ENDED MAXRC=0004" in out.output
    out = r.invoke(cli, ["log", "clij", "--sysout"])
    assert "JOB CLIJ J0000001 ENDED" in out.output and "POST       IN           IN=1" in out.output
    out = r.invoke(cli, ["log", "99"])
    assert out.exit_code == 2


def test_cli_definition_errors_exit_251(lib):
    lib.job("BADJ", """
        job: BADJ
        steps:
          - name: S1
            program: no.such.module_xyz
    """)
    out = CliRunner().invoke(cli, ["run", "BADJ"])
    assert out.exit_code == EXIT_JCL_ERROR
    assert "BADJ.yaml: step S1: key program: program module 'no.such.module_xyz' not found" in out.output
    out = CliRunner().invoke(cli, ["run", "NOSUCHJOB"])
    assert out.exit_code == EXIT_JCL_ERROR and "job NOSUCHJOB not found" in out.output
    out = CliRunner().invoke(cli, ["run", "BADJ", "--dd", "oops"])
    assert out.exit_code == EXIT_JCL_ERROR


def test_overridden_generations_need_no_catalog(lib, tmp_path):
    """A job written for GDGs runs on plain files with an empty home (migration testing)."""
    (tmp_path / "in.txt").write_bytes(b"q\n")
    lib.job("GDGF", """
        job: GDGF
        steps:
          - name: S1
            program: {prog:upcase}
            dd:
              IN:  {dsn: CITY.NOBASE(0), disp: SHR}
              OUT: {dsn: CITY.NOBASE(+1), disp: [NEW, CATLG, DELETE]}
          - name: S2
            program: {prog:upcase}
            dd:
              IN:  {dsn: CITY.NOBASE(+1)}
              OUT: {dsn: '&&X'}
    """)
    res = run_job("GDGF", dd=[f"S1.IN={tmp_path}/in.txt", f"S1.OUT={tmp_path}/out.txt",
                              f"S2.OUT={tmp_path}/out2.txt"])
    assert res.max_rc == 0
    assert (tmp_path / "out.txt").read_bytes() == b"Q\n" == (tmp_path / "out2.txt").read_bytes()
    from engine.job.catalog import Catalog
    assert Catalog().list() == []


def test_backward_references_and_date_formats(lib, tmp_path):
    (tmp_path / "in.txt").write_bytes(b"r\n")
    lib.job("BACK", f"""
        job: BACK
        params: {{date: '20250131'}}
        steps:
          - name: S1
            program: {{prog:upcase}}
            dd:
              IN:  {{path: '{tmp_path}/in.txt'}}
              OUT: {{dsn: 'CITY.D{{date:%y%m%d}}', disp: [NEW, CATLG]}}
          - name: S2
            program: {{prog:upcase}}
            dd:
              IN:  {{dsn: '*.S1.OUT'}}
              OUT: {{path: '{tmp_path}/{{date:%Y-%m-%d}}.txt'}}
    """)
    res = run_job("BACK")
    assert res.max_rc == 0
    from engine.job.catalog import Catalog
    assert Catalog().get("CITY.D250131").path.read_bytes() == b"R\n"
    assert (tmp_path / "2025-01-31.txt").read_bytes() == b"R\n"
    # the same job with S1.OUT on a plain file: *.S1.OUT follows it
    res = run_job("BACK", dd=[f"S1.OUT={tmp_path}/o1.txt"])
    assert (tmp_path / "o1.txt").read_bytes() == b"R\n" and res.max_rc == 0


def test_backward_reference_errors(lib):
    from engine.errors import JobDefinitionError
    from engine.job.definition import parse_job
    text = """
job: B
steps:
  - {name: S1, program: json, dd: {OUT: {sysout: A}}}
  - {name: S2, program: json, dd: {IN: {dsn: '*.S1.OUT'}}}
"""
    with pytest.raises(JobDefinitionError, match=r"dsn \*\.S1\.OUT: step S1 has no dataset DD OUT"):
        parse_job(text)
    with pytest.raises(JobDefinitionError, match="S9 is not an earlier step"):
        parse_job(text.replace("*.S1.OUT", "*.S9.OUT"))


def test_rerun_on_existing_output_files_stays_atomic(lib, tmp_path):
    """A --dd output whose file is left from an earlier run is still an output (the DD it
    replaces says so), refused as NEW until --disp OLD asks to replace it; a path: DD with
    disp: OLD is replaced atomically when written."""
    (tmp_path / "in.txt").write_bytes(b"s\n")
    (tmp_path / "o.txt").write_bytes(b"stale\n")
    (tmp_path / "p.txt").write_bytes(b"stale\n")
    (lib.jobs / f"rawcopy_{lib.tag}.py").write_text(
        "def run(step):\n"
        "    with step.dd('P').open_text() as f:\n"
        "        f.write('fresh\\n')\n"
        "    return 0\n")
    lib.job("RERUN", f"""
        job: RERUN
        steps:
          - name: S1
            program: {{prog:upcase}}
            dd: {{IN: {{dsn: CITY.IN, disp: SHR}}, OUT: {{dsn: CITY.OUT}}}}
          - name: S2
            program: rawcopy_{lib.tag}
            dd: {{P: {{path: '{tmp_path}/p.txt', disp: OLD}}}}
    """)
    # the existing o.txt is not replaced silently: NEW on an existing file is a JCL error
    with pytest.raises(JobDefinitionError, match=r"o.txt already exists and the DD's DISP is NEW \(implied"):
        run_job("RERUN", dd=[f"IN={tmp_path}/in.txt", f"OUT={tmp_path}/o.txt"])
    assert (tmp_path / "o.txt").read_bytes() == b"stale\n"
    # asked explicitly (--disp OUT=OLD), it is replaced atomically
    res = run_job("RERUN", dd=[f"IN={tmp_path}/in.txt", f"OUT={tmp_path}/o.txt"], disp=["OUT=OLD"])
    assert res.max_rc == 0
    assert (tmp_path / "o.txt").read_bytes() == b"S\n"       # upcase appends to its OUT: a fresh temp
    assert (tmp_path / "p.txt").read_bytes() == b"fresh\n"
    assert "ALLOC OUT        NEW" in res.log_path.read_text()
    assert "REPLACES THE EXISTING FILE" in res.log_path.read_text()


def test_sysout_replaced_by_dd_file_is_kept_when_the_step_fails(lib, tmp_path):
    """A failed step (RC >= 16) catalogues and keeps no dataset, but its SYSOUT stays: the
    legacy writes the reason for an abnormal end into its report, and an operator needs it."""
    (lib.jobs / f"failrep_{lib.tag}.py").write_text(
        "def run(step):\n"
        "    with step.dd('REPORT').open_text() as f:\n"
        "        f.write('*** ABNORMAL END ***\\n')\n"
        "    with step.dd('OUT').open_text() as f:\n"
        "        f.write('partial\\n')\n"
        "    return 16\n")
    lib.job("FAILREP", f"""
        job: FAILREP
        steps:
          - name: S1
            program: failrep_{lib.tag}
            dd:
              OUT: {{dsn: CITY.FAILREP.OUT, disp: [NEW, CATLG, DELETE]}}
              REPORT: {{sysout: A}}
    """)
    res = run_job("FAILREP", dd=[f"OUT={tmp_path}/out.txt", f"REPORT={tmp_path}/report.txt"])
    assert res.max_rc == 16 and res.status == "FAILED"
    assert (tmp_path / "report.txt").read_text() == "*** ABNORMAL END ***\n"
    assert not (tmp_path / "out.txt").exists()
    assert "KEPT (SYSOUT)" in res.log_path.read_text()


def test_sysout_documents_keep_their_suffix(lib, tmp_path):
    """A SYSOUT DD with `suffix: pdf` lands as STEP.DD.pdf, is listed as an output with that
    suffix, and `densan log --sysout` prints only the text ones (the PDF by path and size)."""
    (lib.jobs / f"twodocs_{lib.tag}.py").write_text(
        "def run(step):\n"
        "    step.dd('DOC').path.write_bytes(b'%PDF-1.4 fake')\n"
        "    step.dd('NOTICES').path.write_bytes(b'%PDF-1.4 notices')\n"
        "    step.dd('NOTICES').count(written=1)\n"
        "    with step.dd('REPORT').open_text() as f:\n"
        "        f.write('TOTAL 1\\n')\n"
        "    return 0\n")
    lib.job("DOCS", f"""
        job: DOCS
        steps:
          - name: LIST
            program: twodocs_{lib.tag}
            dd:
              DOC: {{sysout: A, suffix: pdf}}
              REPORT: {{sysout: A}}
              NOTICES: {{dsn: TEST.NOTICE.PDF, disp: [NEW, CATLG]}}
    """)
    res = run_job("DOCS")
    assert res.max_rc == 0
    from engine.job.catalog import Catalog
    from engine.job.sysout import sysout_files
    files = sysout_files(Catalog().logs_dir / res.run_id)
    assert [(f.name, f.suffix, f.is_text) for f in files] == [("LIST.DOC", "pdf", False), ("LIST.REPORT", "txt", True)]
    assert files[0].path.read_bytes() == b"%PDF-1.4 fake"
    from engine.server.outputs import list_outputs, media_type
    outs = {o.name: o for o in list_outputs(Catalog().home, res.run_id)}
    assert outs["LIST.DOC"].suffix == "pdf" and media_type("pdf") == "application/pdf"
    assert outs["LIST.REPORT"].suffix == "txt" and outs["LIST.NOTICES"].suffix == "pdf"   # known by its bytes
    out = CliRunner().invoke(cli, ["log", res.run_id, "--sysout"])
    assert "-- SYSOUT LIST.REPORT --\nTOTAL 1" in out.output
    assert "-- SYSOUT LIST.DOC (pdf, 13 bytes)" in out.output and "%PDF" not in out.output
