"""Catalog, GDG resolution and roll-off, dispositions, temporaries, DUMMY, concatenation, restart."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import JobDefinitionError
from engine.job import run_job
from engine.job import gdg
from engine.job.catalog import Catalog, import_dataset
from engine.job.runner import EXIT_JCL_ERROR


def files(cat: Catalog) -> set[str]:
    return {p.name for p in cat.datasets_dir.iterdir()}


def test_gdg_names_and_resolution():
    assert gdg.generation_name("CITY.X", 7) == "CITY.X.G0007V00"
    assert gdg.split_absolute("CITY.X.G0007V00") == ("CITY.X", 7)
    assert gdg.normalize("A.B(1)") == "A.B(+1)" and gdg.normalize("A.B(-0)") == "A.B(0)"
    assert gdg.resolve("A", 0, [3, 4, 5], "t") == "A.G0005V00"
    assert gdg.resolve("A", -2, [3, 4, 5], "t") == "A.G0003V00"
    assert gdg.resolve("A", 1, [3, 4, 5], "t") == "A.G0006V00"
    assert gdg.resolve("A", 2, [], "t") == "A.G0002V00"
    assert gdg.resolve("A", 1, [9998, 9999], "t") == "A.G0001V00"   # wraps
    with pytest.raises(JobDefinitionError, match="only 3 generation"):
        gdg.resolve("A", -3, [3, 4, 5], "t")
    with pytest.raises(JobDefinitionError, match="has no generations"):
        gdg.resolve("A", 0, [], "t")
    assert gdg.roll_off([1, 2, 3], [4], 3, False) == [1]
    assert gdg.roll_off([1, 2, 3], [4], 3, True) == [1, 2, 3]
    assert gdg.roll_off([1, 2], [3], 3, True) == []


def test_import_and_roll_off_cli(densan_home, tmp_path):
    r = CliRunner()
    out = r.invoke(cli, ["catalog", "define-gdg", "CITY.T", "--limit", "2"])
    assert out.exit_code == 0 and "LIMIT(2) NOEMPTY SCRATCH" in out.output
    for i in range(3):
        f = tmp_path / f"g{i}.dat"
        f.write_bytes(bytes([65 + i]) * 20)
        out = r.invoke(cli, ["catalog", "import", "CITY.T(+1)", str(f), "--lrecl", "10"])
        assert out.exit_code == 0, out.output
        assert f"CITY.T.G{i + 1:04d}V00 CATALOGED 20 bytes, 2 records" in out.output
    cat = Catalog()
    assert [d.dsn for d in cat.generations("CITY.T")] == ["CITY.T.G0002V00", "CITY.T.G0003V00"]
    assert files(cat) == {"CITY.T.G0002V00", "CITY.T.G0003V00"}        # G0001 scratched
    out = r.invoke(cli, ["catalog", "show", "CITY.T(0)"])
    assert "DSN           CITY.T.G0003V00" in out.output and "RECORDS       2" in out.output
    out = r.invoke(cli, ["catalog", "show", "CITY.T"])
    assert "(0) CITY.T.G0003V00" in out.output and "(-1) CITY.T.G0002V00" in out.output
    out = r.invoke(cli, ["catalog", "list", "CITY"])
    assert "CITY.T.G0002V00" in out.output and "CITY.T " in out.output
    out = r.invoke(cli, ["catalog", "delete", "CITY.T"])
    assert out.exit_code == 2 and "still has 2 generation" in out.output
    out = r.invoke(cli, ["catalog", "delete", "CITY.T", "--purge"])
    assert out.exit_code == 0 and files(Catalog()) == set()
    out = r.invoke(cli, ["catalog", "import", "CITY.NOGDG(+1)", str(tmp_path / "g0.dat")])
    assert out.exit_code == 2 and "not a GDG base" in out.output


def test_gdg_empty_noscratch(densan_home, tmp_path):
    cat = Catalog()
    cat.define_gdg("CITY.E", 2, empty=True, scratch=False)
    f = tmp_path / "f"
    f.write_bytes(b"x")
    for _ in range(3):
        import_dataset("CITY.E(+1)", f)
    assert [d.dsn for d in cat.generations("CITY.E")] == ["CITY.E.G0003V00"]
    assert files(cat) == {"CITY.E.G0001V00", "CITY.E.G0002V00", "CITY.E.G0003V00"}   # uncatalogued only


def _counter_job(lib, name="CNT", extra=""):
    lib.job(name, f"""
        job: {name}
        steps:
          - name: BUMP
            program: {{prog:bump}}
            dd:
              IN:  {{dsn: CITY.CNT(0), disp: SHR}}
              OUT: {{dsn: CITY.CNT(+1), disp: [NEW, CATLG, DELETE], lrecl: 1}}
          - name: CHECK
            program: {{prog:upcase}}
            dd:
              IN: [{{dsn: CITY.CNT(+1)}}, {{dsn: CITY.CNT(0)}}]
              OUT: {{dsn: CITY.CHECK, disp: [MOD, CATLG]}}
        {extra}
    """)


def test_gdg_frozen_within_job_and_catalogued_at_step_end(lib, tmp_path):
    Catalog().define_gdg("CITY.CNT", 3)
    f = tmp_path / "zero"
    f.write_text("0\n")
    import_dataset("CITY.CNT(+1)", f)
    _counter_job(lib)
    res = run_job("CNT")
    assert res.max_rc == 0
    cat = Catalog()
    assert cat.get("CITY.CNT.G0002V00").path.read_text() == "0\n1\n"
    # in CHECK, (+1) is still the generation BUMP made and (0) the one before the job
    assert cat.get("CITY.CHECK").path.read_text() == "0\n1\n" + "0\n"
    ds = cat.get("CITY.CNT.G0002V00")
    assert (ds.created_job, ds.created_step, ds.created_run, ds.records) == ("CNT", "BUMP", res.run_id, 4)
    log = res.log_path.read_text()
    assert "CITY.CNT(+1) = CITY.CNT.G0002V00" in log and "CITY.CNT.G0002V00 CATALOGED" in log
    for _ in range(3):
        run_job("CNT")
    assert [d.generation for d in cat.generations("CITY.CNT")] == [3, 4, 5]
    assert cat.get("CITY.CNT.G0005V00").path.read_text() == "0\n1\n2\n3\n4\n"
    last_log = open(Catalog().runs()[0]["log_path"]).read()
    assert "CITY.CNT.G0002V00 ROLLED OFF (SCRATCHED; GDG LIMIT 3)" in last_log
    assert files(cat) == {"CITY.CHECK", "CITY.CNT.G0003V00", "CITY.CNT.G0004V00", "CITY.CNT.G0005V00"}
    assert cat.get("CITY.CHECK").size == cat.get("CITY.CHECK").path.stat().st_size


def test_failed_step_catalogs_nothing_and_mod_is_not_extended(lib, tmp_path):
    Catalog().define_gdg("CITY.CNT", 3)
    (tmp_path / "zero").write_text("0\n")
    import_dataset("CITY.CNT(+1)", tmp_path / "zero")
    import_dataset("CITY.LOG", tmp_path / "zero")
    lib.job("FAILJ", """
        job: FAILJ
        params: {rc: rc=16}
        steps:
          - name: S1
            program: {prog:upcase}
            parm: '{rc}'
            dd:
              IN:  {dsn: CITY.CNT(0)}
              OUT: {dsn: CITY.CNT(+1), disp: [NEW, CATLG, DELETE]}
          - name: S2
            program: {prog:upcase}
            parm: '{rc}'
            dd:
              IN:  {dsn: CITY.CNT(0)}
              OUT: {dsn: CITY.LOG, disp: MOD}
    """)
    res = run_job("FAILJ")
    assert [s.status for s in res.steps] == ["FAILED", "FAILED"] and res.exit_code == 16
    cat = Catalog()
    assert [d.generation for d in cat.generations("CITY.CNT")] == [1]
    assert cat.get("CITY.LOG").path.read_text() == "0\n"
    assert files(cat) == {"CITY.CNT.G0001V00", "CITY.LOG"}
    assert "CITY.CNT.G0002V00 DELETED (STEP FAILED)" in res.log_path.read_text()
    res = run_job("FAILJ", params={"rc": "rc=0"})
    assert cat.get("CITY.LOG").path.read_text() == "0\n0\n"
    assert cat.get("CITY.LOG").size == 4


def test_dispositions_temp_dummy_and_defaults(lib, tmp_path):
    (tmp_path / "a").write_text("a\n")
    import_dataset("CITY.A", tmp_path / "a")
    import_dataset("CITY.GONE", tmp_path / "a")
    import_dataset("CITY.UNCAT", tmp_path / "a")
    lib.job("DISP", """
        job: DISP
        steps:
          - name: S1
            program: {prog:upcase}
            dd:
              IN:  {dsn: CITY.A}
              OUT: {dsn: '&&TMP'}
              X1:  {dsn: CITY.GONE, disp: [OLD, DELETE]}
              X2:  {dsn: CITY.UNCAT, disp: [SHR, UNCATLG]}
              X3:  {dsn: CITY.NODISP}
          - name: S2
            program: {prog:upcase}
            dd:
              IN:  [{dsn: '&&TMP'}, {dsn: CITY.A}]
              OUT: {dsn: CITY.OLDW, disp: [NEW, PASS]}
          - name: S3
            program: {prog:upcase}
            dd:
              IN:  {dsn: CITY.OLDW, disp: [OLD, CATLG]}
              OUT: {dummy: true}
          - name: S4
            program: {prog:upcase}
            dd:
              IN:  {dummy: true}
              OUT: {dsn: CITY.PASSED.ONLY, disp: [NEW, PASS]}
    """)
    res = run_job("DISP")
    assert res.max_rc == 0, res.log_path.read_text()
    cat = Catalog()
    assert cat.get("CITY.GONE") is None and cat.get("CITY.UNCAT") is None
    assert cat.get("CITY.NODISP") is None                       # NEW without a normal disp: deleted
    assert cat.get("CITY.OLDW").path.read_text() == "A\nA\n"    # passed, then catalogued by S3
    assert cat.get("CITY.PASSED.ONLY") is None
    assert files(cat) == {"CITY.A", "CITY.UNCAT", "CITY.OLDW"}  # UNCATLG keeps the file
    assert list(cat.temp_dir.iterdir()) == []
    log = res.log_path.read_text()
    for line in ("CITY.NODISP DELETED (NO NORMAL DISPOSITION GIVEN)", "CITY.GONE DELETED",
                 "CITY.UNCAT UNCATALOGED", "&&TMP PASSED", "CITY.OLDW CATALOGED",
                 "CITY.PASSED.ONLY DELETED AT JOB END", "TEMPORARY DATASETS DELETED: &&TMP",
                 "ALLOC OUT        SHR  DUMMY"):
        assert line in log, line
    assert cat.db.execute("SELECT COUNT(*) FROM pending").fetchone()[0] == 0


def test_allocation_errors_are_jcl_errors(lib, tmp_path):
    (tmp_path / "a").write_text("a\n")
    import_dataset("CITY.A", tmp_path / "a")
    lib.job("DUP", """
        job: DUP
        steps:
          - {name: S1, program: '{prog:upcase}', dd: {OUT: {dsn: CITY.A, disp: [NEW, CATLG]}}}
    """)
    out = CliRunner().invoke(cli, ["run", "DUP"])
    assert out.exit_code == EXIT_JCL_ERROR
    assert "step S1: dd OUT: CITY.A already exists (created by job IMPORT" in out.output
    lib.job("MISS", """
        job: MISS
        steps:
          - {name: S1, program: '{prog:upcase}', dd: {IN: {dsn: CITY.MISSING, disp: SHR}}}
          - {name: S2, program: '{prog:upcase}', dd: {IN: {dsn: CITY.NOGDG(0)}}}
    """)
    out = CliRunner().invoke(cli, ["run", "MISS"])
    assert out.exit_code == EXIT_JCL_ERROR and "CITY.NOGDG is not a GDG base" in out.output
    assert Catalog().runs()[0]["status"] == "JCLERR"


def test_restart_skips_steps_and_matches_clean_run(lib, tmp_path, monkeypatch):
    def setup(home):
        monkeypatch.setenv("DENSAN_HOME", str(home))
        Catalog().define_gdg("CITY.CNT", 5)
        (tmp_path / "zero").write_text("0\n")
        import_dataset("CITY.CNT(+1)", tmp_path / "zero")
    lib.job("RST", """
        job: RST
        params: {rc: rc=0}
        steps:
          - name: S1
            program: {prog:bump}
            dd: {IN: {dsn: CITY.CNT(0)}, OUT: {dsn: CITY.CNT(+1), disp: [NEW, CATLG]}}
          - name: S2
            program: {prog:upcase}
            parm: '{rc}'
            when: S1.RC = 0 AND NOT S1.ABEND
            cond: (0,NE,S1)
            dd:
              IN: [{dsn: CITY.CNT(+1)}, {dsn: CITY.CNT(0)}]
              OUT: {dsn: CITY.OUT(+1), disp: [NEW, CATLG, DELETE]}
    """)
    setup(tmp_path / "clean")
    Catalog().define_gdg("CITY.OUT", 3)
    clean = run_job("RST")
    assert clean.max_rc == 0
    want = Catalog().get("CITY.OUT.G0001V00").path.read_bytes()
    setup(tmp_path / "restart")
    Catalog().define_gdg("CITY.OUT", 3)
    first = run_job("RST", params={"rc": "rc=16"})
    assert first.status == "FAILED" and Catalog().get("CITY.OUT.G0001V00") is None
    second = run_job("RST", restart="*")
    assert [s.status for s in second.steps] == ["RESTART-SKIPPED", "ENDED"]
    cat = Catalog()
    assert cat.get("CITY.OUT.G0001V00").path.read_bytes() == want == b"0\n1\n0\n"
    assert [d.generation for d in cat.generations("CITY.CNT")] == [1, 2]
    log = second.log_path.read_text()
    assert "RESTART AT STEP S2 (RESTARTS RUN J0000001)" in log and "NOT RUN: RESTART AT S2" in log
    runs = CliRunner().invoke(cli, ["runs"]).output
    assert "S2 of J0000001" in runs
    again = CliRunner().invoke(cli, ["run", "RST", "--restart", "*"])
    assert again.exit_code == EXIT_JCL_ERROR and "nothing to restart" in again.output


def test_import_counts_variable_records(densan_home, tmp_path):
    pytest.importorskip("engine.records")
    f = tmp_path / "v.dat"
    f.write_bytes(b"\x00\x07\x00\x00abc" + b"\x00\x06\x00\x00de" + b"\x00\x04\x00\x00")
    ds = import_dataset("CITY.VAR", f, recfm="V")
    assert (ds.size, ds.records, ds.recfm) == (17, 3, "V")
    assert Catalog().get("CITY.VAR").path.read_bytes() == f.read_bytes()


def test_new_datasets_take_the_code_page_their_step_reads(lib, tmp_path):
    """A cp930 city stays cp930: SORT's temporary, the next generation written from it and
    a passed dataset catalogued later all take the inputs' code page and dialect; a print
    file (LS), a DD with its own code page and a step reading two code pages keep theirs."""
    ebcdic, ascii_ = tmp_path / "e.dat", tmp_path / "a.dat"
    ebcdic.write_bytes(bytes([0xF3, 0xF1, 0xF2, 0x40]))          # "31", "2 "
    ascii_.write_bytes(b"21 3")
    import_dataset("CITY.E", ebcdic, encoding="cp930", recfm="FB", lrecl=2, dialect="ibm")
    import_dataset("CITY.A", ascii_, encoding="ascii", recfm="FB", lrecl=2)
    lib.job("CP", """
        job: CP
        steps:
          - name: SORT
            program: SORT
            dd:
              SORTIN:  {dsn: CITY.E, disp: SHR}
              SORTOUT: {dsn: '&&SRT', disp: [NEW, PASS], recfm: FB, lrecl: 2}
              SYSIN: "SORT FIELDS=(1,2,CH,A)"
          - name: COPY
            program: SORT
            dd:
              SORTIN:  {dsn: '&&SRT', disp: [OLD, DELETE]}
              SORTOUT: {dsn: CITY.NEXT, disp: [NEW, CATLG], recfm: FB, lrecl: 2}
              OUTFIL1: {dsn: CITY.PASSED, disp: [NEW, PASS], recfm: FB, lrecl: 2}
              OUTFIL2: {dsn: CITY.OWN, disp: [NEW, CATLG], recfm: FB, lrecl: 2, encoding: ascii}
              SYSIN: "SORT FIELDS=COPY\\nOUTFIL FNAMES=(OUTFIL1,OUTFIL2)"
          - name: KEEP
            program: SORT
            dd:
              SORTIN:  {dsn: CITY.PASSED, disp: [OLD, CATLG]}
              SORTOUT: {dsn: CITY.LIST, disp: [NEW, CATLG], recfm: LS}
              SYSIN: "SORT FIELDS=COPY"
          - name: MIXED
            program: SORT
            dd:
              SORTIN:  {dsn: CITY.E, disp: SHR}
              OTHER:   {dsn: CITY.A, disp: SHR}
              SORTOUT: {dsn: CITY.MIXED, disp: [NEW, CATLG], recfm: FB, lrecl: 2}
              SYSIN: "SORT FIELDS=COPY"
    """)
    res = run_job("CP")
    assert res.max_rc == 0, res.log_path.read_text()
    cat = Catalog()
    pages = {d: (cat.get(d).encoding, cat.get(d).dialect) for d in ("CITY.NEXT", "CITY.PASSED", "CITY.OWN")}
    assert pages == {"CITY.NEXT": ("cp930", "ibm"), "CITY.PASSED": ("cp930", "ibm"), "CITY.OWN": ("ascii", None)}
    assert cat.get("CITY.NEXT").path.read_bytes() == bytes([0xF2, 0x40, 0xF3, 0xF1])
    assert cat.get("CITY.LIST").encoding in (None, "ascii") and cat.get("CITY.MIXED").encoding in (None, "ascii")
