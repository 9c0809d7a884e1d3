"""The SORT job step (StepContext contract) and `densan sort`."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.commands.sort import sort as sort_command
from engine.job.step import DD, StepContext
from engine.sort.program import run


def make_step(tmp_path: Path, sysin: str, inputs: dict[str, list[bytes]], outputs: list[str], *,
              recfm="FB", lrecl=None, encoding="ascii", out_lrecl=None):
    log: list[str] = []
    dds = {"SYSIN": DD("SYSIN", inline=sysin)}
    for name, records in inputs.items():
        paths = []
        for k, chunk in enumerate(records):
            p = tmp_path / f"{name}.{k}.dat"
            p.write_bytes(chunk)
            paths.append(p)
        dds[name] = DD(name, paths=paths, recfm=recfm, lrecl=lrecl, encoding=encoding)
    for name in outputs:
        dds[name] = DD(name, out_path=tmp_path / f"{name}.out", is_output=True, lrecl=out_lrecl if
                       name == "SORTOUT" else None, recfm=recfm if recfm.startswith("V") else None)
    step = StepContext(job_name="JOB1", step_name="SORT1", program="SORT", parm="", params={},
                       run_id="r1", dds=dds, log=log.append)
    return step, log


def test_step_sorts_a_concatenation_and_logs_counts(tmp_path):
    step, log = make_step(tmp_path, "  SORT FIELDS=(1,2,CH,A)\n  INCLUDE COND=(3,1,CH,NE,C'x')\n",
                          {"SORTIN": [b"bb1cc2", b"aa3zzx"]}, ["SORTOUT"], lrecl=3)
    assert run(step) == 0
    assert (tmp_path / "SORTOUT.out").read_bytes() == b"aa3bb1cc2"
    assert "SORT1: ICE054I 0 RECORDS - IN: 4, OUT: 3" in log
    assert "SORT1: ICE055I 0 INSERT: 0, DELETE: 1" in log
    assert step.dd("SORTIN").records_read == 4 and step.dd("SORTOUT").records_written == 3
    assert "SORT1:   SORT FIELDS=(1,2,CH,A)" in log


def test_step_ebcdic_data_sorts_in_ebcdic_order(tmp_path):
    data = "1Aa ".encode("cp037")
    step, _ = make_step(tmp_path, "  SORT FIELDS=(1,1,CH,A)", {"SORTIN": [data]}, ["SORTOUT"],
                        lrecl=1, encoding="cp037")
    assert run(step) == 0
    assert (tmp_path / "SORTOUT.out").read_bytes().decode("cp037") == " aA1"


def test_step_outfil_outputs(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY\n  OUTFIL FNAMES=HI,INCLUDE=(1,1,CH,GT,C'5')\n"
                                    "  OUTFIL FNAMES=LO,SAVE\n",
                          {"SORTIN": [b"1928"]}, ["HI", "LO"], lrecl=1)
    assert run(step) == 0
    assert (tmp_path / "HI.out").read_bytes() == b"98"
    assert (tmp_path / "LO.out").read_bytes() == b"12"
    assert any("ICE227I 0 HI" in line for line in log)


def test_step_merge_reads_sortin01_and_sortin02(tmp_path):
    step, _ = make_step(tmp_path, "  MERGE FIELDS=(1,1,CH,A)",
                        {"SORTIN01": [b"ace"], "SORTIN02": [b"bdf"]}, ["SORTOUT"], lrecl=1)
    assert run(step) == 0
    assert (tmp_path / "SORTOUT.out").read_bytes() == b"abcdef"


def test_step_variable_records(tmp_path):
    vb = b"\x00\x07\x00\x00zzz" + b"\x00\x05\x00\x00a"
    step, _ = make_step(tmp_path, "  SORT FIELDS=(5,1,CH,A)", {"SORTIN": [vb]}, ["SORTOUT"], recfm="VB")
    assert run(step) == 0
    assert (tmp_path / "SORTOUT.out").read_bytes() == b"\x00\x05\x00\x00a" + b"\x00\x07\x00\x00zzz"


def test_step_statement_error_is_rc16_with_an_ice_message(tmp_path):
    step, log = make_step(tmp_path, "  SORT FIELDS=(1,2,XX,A)", {"SORTIN": [b"ab"]}, ["SORTOUT"], lrecl=2)
    assert run(step) == 16
    assert any("ICE007A" in line and "line 1" in line for line in log)
    assert log[-1] == "SORT1: ICE052I 3 END OF DFSORT, RC=16"


def test_step_invalid_packed_key_is_rc16(tmp_path):
    step, log = make_step(tmp_path, "  SORT FIELDS=(1,2,PD,A)", {"SORTIN": [bytes.fromhex("001C00FF")]},
                          ["SORTOUT"], lrecl=2)
    assert run(step) == 16
    assert any("ICE141A" in line and "record 2" in line for line in log)


def test_step_missing_outfil_dd_is_rc16(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY\n  OUTFIL FNAMES=NOPE", {"SORTIN": [b"a"]}, [], lrecl=1)
    assert run(step) == 16
    assert any("no NOPE DD" in line for line in log)


def test_step_pads_to_a_longer_sortout_lrecl(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY,PAD=RC4", {"SORTIN": [b"ab"]}, ["SORTOUT"], lrecl=1,
                          out_lrecl=3)
    assert run(step) == 4
    assert (tmp_path / "SORTOUT.out").read_bytes() == b"a\x00\x00b\x00\x00"


def test_cli_sort_with_outfil(tmp_path):
    src = tmp_path / "in.dat"
    src.write_bytes(b"c3a1b2")
    out, odd = tmp_path / "out.dat", tmp_path / "odd.dat"
    result = CliRunner().invoke(sort_command, [
        "--sysin", "SORT FIELDS=(1,1,CH,A)\\n OUTFIL FNAMES=ODD,INCLUDE=(2,1,ZD,NE,2)\\n OUTFIL FNAMES=SORTOUT",
        "--in", str(src), "--out", str(out), "--outfil", f"ODD={odd}", "--lrecl", "2"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"a1b2c3"
    assert odd.read_bytes() == b"a1c3"


def test_cli_error_exit_16(tmp_path):
    src = tmp_path / "in.dat"
    src.write_bytes(b"ab")
    result = CliRunner().invoke(sort_command, ["--sysin", " SORT FIELDS=(1,1,CH)", "--in", str(src),
                                               "--out", str(tmp_path / "o"), "--lrecl", "1"])
    assert result.exit_code == 16
    assert "needs A or D" in result.output


def test_sort_step_in_a_job(tmp_path, monkeypatch, densan_home):
    """program: SORT through the job runner: inline SYSIN, SORTIN/SORTOUT by path, RC of the step."""
    from engine.job import run_job
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    monkeypatch.setenv("DENSAN_JOBS", str(jobs))
    (tmp_path / "in.dat").write_bytes("CB2CA1AB3".encode("cp037"))
    (jobs / "SORTJOB.yaml").write_text(f"""
job: SORTJOB
steps:
  - name: SORT1
    program: SORT
    dd:
      SYSIN:
        inline: |
          * sort by the first byte, then add the amounts
            SORT FIELDS=(1,1,CH,A)
            SUM FIELDS=(3,1,ZD)
      SORTIN: {{path: {tmp_path}/in.dat, recfm: FB, lrecl: 3, encoding: cp037}}
      SORTOUT: {{path: {tmp_path}/out.dat, recfm: FB, lrecl: 3}}
""")
    res = run_job("SORTJOB")
    assert res.max_rc == 0 and res.status == "COMPLETED"
    assert (tmp_path / "out.dat").read_bytes().decode("cp037") == "AB3CB3"
    assert res.steps[0].records_in == 3 and res.steps[0].records_out == 2


def test_step_truncation_refused_with_trunc_rc16(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY,TRUNC=RC16", {"SORTIN": [b"abcd"]}, ["SORTOUT"], lrecl=2,
                          out_lrecl=1)
    assert run(step) == 16
    assert any("TRUNC=RC16" in line for line in log)


def test_step_empty_output_with_nullout_rc4(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY,NULLOUT=RC4\n  INCLUDE COND=NONE", {"SORTIN": [b"ab"]},
                          ["SORTOUT"], lrecl=1)
    assert run(step) == 4
    assert (tmp_path / "SORTOUT.out").read_bytes() == b""
    assert any("ICE173I" in line for line in log)


def test_step_unknown_code_page_is_rc16(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY", {"SORTIN": [b"ab"]}, ["SORTOUT"], lrecl=1,
                          encoding="cp999")
    assert run(step) == 16
    assert any("cp999" in line for line in log)


def test_step_wrong_length_input_is_rc16(tmp_path):
    step, log = make_step(tmp_path, "  OPTION COPY", {"SORTIN": [b"abc"]}, ["SORTOUT"], lrecl=2)
    assert run(step) == 16
    assert any("not a multiple of LRECL 2" in line for line in log)


def test_execute_reports_its_phases_for_a_progress_bar(tmp_path):
    """A long SORT step shows progress on a terminal: one tick per input read, the sort, the writes."""
    from engine.sort.program import execute

    src = tmp_path / "in.dat"
    src.write_bytes(b"CCAABB")
    phases, written = [], {}
    result, rc = execute("  SORT FIELDS=(1,2,CH,A)", [("SORTIN", [src, src])], encoding="ascii",
                         recfm="FB", lrecl=2,
                         write=lambda name, block: written.setdefault(name, bytes(block.data.tobytes())),
                         outputs=lambda name: name == "SORTOUT", log=lambda line: None,
                         out_lrecl=lambda name: (2, "FB"), phase=phases.append)
    assert rc == 0 and written["SORTOUT"] == b"AAAABBBBCCCC"
    assert phases == ["read SORTIN", "read SORTIN", "sort", "write"]
