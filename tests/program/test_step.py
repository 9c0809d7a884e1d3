"""engine.program.step: DDs as records in, bytes out, through the job layer."""
import numpy as np

from engine.job.step import DD, StepContext
from engine.program.step import ProgramStep, line_sequential, map_fixed


def test_line_sequential_strips_trailing_spaces_only():
    assert line_sequential([b"AB  ", b"", b" X\x00 "]) == b"AB\n\n X\x00\n"


def test_map_fixed_whole_records_and_a_short_tail(tmp_path):
    p = tmp_path / "f.dat"
    p.write_bytes(b"abcdefgh" + b"ij")
    f = map_fixed([p], 4)
    assert f.data.shape == (2, 4) and f.short_tail
    p.write_bytes(b"")
    f = map_fixed([p], 4)
    assert f.data.shape == (0, 4) and not f.short_tail


def test_program_step_reads_and_writes_with_counts(tmp_path):
    src = tmp_path / "in.dat"
    src.write_bytes(b"1000000001" + b" " * 150 + b"1000000002" + b" " * 150)
    out = tmp_path / "out.tmp"
    rep = tmp_path / "rep.tmp"
    dds = {"MOVE-IN": DD("MOVE-IN", paths=[src], copybook="IDOTRN"),
           "OUT": DD("OUT", out_path=out, is_output=True),
           "LIST": DD("LIST", out_path=rep, sysout="A")}
    logged = []
    ctx = StepContext(job_name="J", step_name="S", program="P", parm="20250131", params={},
                      run_id="r", dds=dds, log=logged.append)
    step = ProgramStep(ctx)
    recs = step.records("MOVE-IN")
    assert recs.value("IT-KOJIN-NO").tolist() == [1000000001, 1000000002]
    step.write("OUT", recs.data[::-1])
    step.write_lines("LIST", [b"X  ", b"Y"])
    step.write_lines("LIST", [b"Z"])
    assert out.read_bytes()[:10] == b"1000000002"
    assert rep.read_bytes() == b"X\nY\nZ\n"
    assert dds["MOVE-IN"].records_read == 2 and dds["OUT"].records_written == 2
    assert step.parm == "20250131"


def test_frames_in_and_out_through_the_copybook(tmp_path):
    import polars as pl
    src = tmp_path / "in.dat"
    src.write_bytes(b"1000000001" + b"20250131" + b" " * 142)
    out = tmp_path / "out.tmp"
    dds = {"MOVE-IN": DD("MOVE-IN", paths=[src], copybook="IDOTRN"),
           "OUT": DD("OUT", out_path=out, is_output=True, copybook="IDOTRN")}
    ctx = StepContext(job_name="J", step_name="S", program="P", parm="", params={}, run_id="r", dds=dds,
                      log=lambda m: None)
    step = ProgramStep(ctx)
    f = step.frame("MOVE-IN", ["IT-KOJIN-NO", "IT-IDO-BI", "IT-JIYU"])
    assert f["IT-KOJIN-NO"].to_list() == [1000000001] and f["IT-IDO-BI"].to_list() == [20250131]
    assert f["IT-JIYU"].to_list() == [None]                       # spaces in a 9(2): null, not an error
    step.write_frame("OUT", f.select("__record__").with_columns(pl.col("__record__")))
    assert out.read_bytes() == src.read_bytes()
