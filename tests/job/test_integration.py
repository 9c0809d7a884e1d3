"""The StepContext/DD contract end to end: decoded reads and writes through the record codec,
a SORT step, restart condition rules, locks in-process, progress off a terminal."""
from __future__ import annotations

import textwrap
import threading
import time

import pytest

from engine.errors import JobDefinitionError
from engine.job import run_job
from engine.job.catalog import Catalog, import_dataset
from engine.job.locks import DatasetLocks
from engine.job.step import DD, StepContext

COPYBOOK = """\
       01  PAY-REC.
           05  PAY-KEY        PIC X(4).
           05  PAY-AMT        PIC S9(5) COMP-3.
           05  FILLER         PIC X(3).
"""


@pytest.fixture
def copylib(tmp_path, monkeypatch):
    d = tmp_path / "copy"
    d.mkdir()
    (d / "PAYREC.cpy").write_text(COPYBOOK)
    monkeypatch.setenv("DENSAN_COPYLIB", str(d))
    return d


def _record(key: bytes, amount: int) -> bytes:
    digits = f"{abs(amount):05d}"
    nibbles = digits + ("D" if amount < 0 else "C")
    return key + bytes.fromhex(nibbles) + b"   "


def test_decoded_read_and_write_through_the_codec(lib, tmp_path, copylib):
    pytest.importorskip("engine.records.dataset")
    (lib.jobs / f"double_{lib.tag}.py").write_text(textwrap.dedent("""
        import polars as pl
        def run(step):
            frame = step.dd("IN").read(keep_raw=False)
            out = frame.with_columns((pl.col("PAY-AMT") * 2).alias("PAY-AMT"))
            step.dd("OUT").write(out.head(2))
            step.dd("OUT").write(out.tail(1))          # a second write appends
            step.dd("RAW").write_raw(step.dd("IN").read_raw())
            return 0
    """))
    src = tmp_path / "pay.dat"
    src.write_bytes(_record(b"K001", 120) + _record(b"K002", -5) + _record(b"K003", 0))
    import_dataset("CITY.PAY", src, copybook="PAYREC")
    ds = Catalog().get("CITY.PAY")
    assert (ds.lrecl, ds.records) == (10, 3)            # LRECL from the copybook
    lib.job("DBL", f"""
        job: DBL
        steps:
          - name: S1
            program: double_{lib.tag}
            dd:
              IN:  {{dsn: CITY.PAY}}
              OUT: {{dsn: CITY.PAY2, disp: [NEW, CATLG], copybook: PAYREC}}
              RAW: {{dsn: CITY.PAYRAW, disp: [NEW, CATLG], copybook: PAYREC}}
    """)
    res = run_job("DBL")
    assert res.max_rc == 0, res.log_path.read_text()
    cat = Catalog()
    assert cat.get("CITY.PAY2").path.read_bytes() == \
        _record(b"K001", 240) + _record(b"K002", -10) + _record(b"K003", 0)
    assert cat.get("CITY.PAYRAW").path.read_bytes() == src.read_bytes()          # byte-exact copy
    assert (cat.get("CITY.PAY2").records, cat.get("CITY.PAY2").copybook) == (3, "PAYREC")
    assert "STEP S1 PGM=double_" in res.log_path.read_text() and "IN=6 OUT=6" in res.log_path.read_text()


def test_sort_step(lib, tmp_path, copylib):
    pytest.importorskip("engine.sort.program")
    src = tmp_path / "pay.dat"
    src.write_bytes(_record(b"K003", 1) + _record(b"K001", 2) + _record(b"K002", 3))
    import_dataset("CITY.PAY", src, copybook="PAYREC")
    lib.job("SRT", """
        job: SRT
        steps:
          - name: SORTIT
            program: SORT
            dd:
              SORTIN:  {dsn: CITY.PAY}
              SORTOUT: {dsn: CITY.PAY.SORTED, disp: [NEW, CATLG, DELETE], copybook: PAYREC}
              SYSIN: "  SORT FIELDS=(1,4,CH,D)\\n"
    """)
    res = run_job("SRT")
    assert res.max_rc == 0, res.log_path.read_text()
    out = Catalog().get("CITY.PAY.SORTED")
    assert out.path.read_bytes() == _record(b"K003", 1) + _record(b"K002", 3) + _record(b"K001", 2)
    assert out.records == 3 and "IN=3 OUT=3" in res.log_path.read_text()


def test_restart_condition_rules(lib, tmp_path):
    lib.job("RR", """
        job: RR
        params: {p: rc=16}
        steps:
          - {name: S1, program: '{prog:upcase}', parm: rc=0}
          - {name: S2, program: '{prog:upcase}', parm: '{p}', dd: {OUT: {dsn: '&&T'}}}
          - {name: S3, program: '{prog:upcase}', when: S1.RC = 0}          # IF on a skipped step: false
          - {name: S4, program: '{prog:upcase}', cond: '(0,LE,S1)'}          # COND on it: ignored
          - {name: S5, program: '{prog:upcase}', when: NOT S1.RUN}
          - {name: S6, program: '{prog:upcase}', dd: {IN: {dsn: '&&T'}}}
    """)
    # S3: IF on a restart-skipped step is false; S4: COND on it is ignored; S5: NOT S1.RUN is true
    with pytest.raises(JobDefinitionError, match="temporary dataset &&T has not been created"):
        run_job("RR")
    cat = Catalog()
    statuses = lambda run: [r["status"] for r in cat.steps(run)]   # noqa: E731
    assert statuses("J0000001") == ["ENDED", "FAILED", "ENDED", "BYPASSED", "BYPASSED", "JCLERR"]
    assert cat.run("1")["status"] == "JCLERR"
    second = run_job("RR", restart="S2", params={"p": "rc=0"})
    assert [x.status for x in second.steps] == ["RESTART-SKIPPED", "ENDED", "BYPASSED", "ENDED", "ENDED", "ENDED"]
    assert second.status == "COMPLETED"
    with pytest.raises(JobDefinitionError, match="restart at the step that creates it"):
        run_job("RR", restart="S3", params={"p": "rc=0"})      # S6 needs &&T, made by the skipped S2
    # the restart step runs whatever its own condition says
    assert statuses("J0000003")[:3] == ["RESTART-SKIPPED", "RESTART-SKIPPED", "ENDED"]


def test_locks_wait_for_exclusive_and_share_shr(tmp_path):
    said: list[str] = []
    a = DatasetLocks(tmp_path, "job A run J1", say=said.append, interval=0.2)
    b = DatasetLocks(tmp_path, "job B run J2", say=said.append, interval=0.2)
    c = DatasetLocks(tmp_path, "job C run J3", say=said.append, interval=0.2)
    a.acquire({"CITY.X": False, "CITY.Y": True})
    c.acquire({"CITY.X": False})                        # SHR with SHR: no wait
    assert said == []
    c.release()
    done = threading.Event()

    def second():
        b.acquire({"CITY.Y": False})
        done.set()
    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.5)
    assert not done.is_set()
    assert "WAITING FOR CITY.Y (SHARED) HELD BY job A run J1" in said
    a.release()
    t.join(10)
    assert done.is_set() and any(m.startswith("CITY.Y ALLOCATED AFTER WAITING") for m in said)
    b.release()


def test_progress_is_silent_off_a_terminal(capsys):
    ctx = StepContext(job_name="J", step_name="S", program="p", parm="", params={}, run_id="J0000001",
                      dds={"IN": DD("IN", dummy=True)}, log=lambda m: None)
    with ctx.progress(10, "records") as bar:
        bar.update(5)
    assert capsys.readouterr().err == ""
    assert ctx.has_dd("in") and not ctx.has_dd("OUT") and ctx.dd("IN").path.name == "null"
    with pytest.raises(Exception, match="needs DD OUT"):
        ctx.dd("OUT")
