"""A DD naming a GDG base reads every generation (z/OS concatenation), fixed at job start;
DISP=(OLD,DELETE,KEEP) on it deletes exactly what was read, only at a normal end; a
`--restart *` after a step reading a && temporary restarts at the step that made it."""
from __future__ import annotations

import pytest

from engine.errors import JobDefinitionError
from engine.job import gdg, run_job
from engine.job.catalog import Catalog, import_dataset


def _gens(base: str) -> list[str]:
    cat = Catalog()
    try:
        return [d.dsn for d in cat.generations(base)]
    finally:
        cat.close()


def _newest(base: str) -> bytes:
    cat = Catalog()
    try:
        return cat.generations(base)[-1].path.read_bytes()
    finally:
        cat.close()


@pytest.fixture
def three(lib, tmp_path):
    """CITY.IN with three generations a, b, c (oldest first); CITY.OUT empty."""
    cat = Catalog()
    cat.define_gdg("CITY.IN", 9)
    cat.define_gdg("CITY.OUT", 9)
    cat.close()
    for text in ("a\n", "b\n", "c\n"):
        f = tmp_path / "g.dat"
        f.write_text(text)
        import_dataset("CITY.IN(+1)", f, move=True)
    return lib


def test_all_generations_order():
    gens = ["X.G0001V00", "X.G0002V00"]
    assert gdg.all_generations(gens, None) == ["X.G0002V00", "X.G0001V00"]     # LIFO: the host's default
    assert gdg.all_generations(gens, "FIFO") == gens


def test_base_reads_all_newest_first_and_fifo(three):
    three.job("CAT", """
        job: CAT
        steps:
          - {name: LIFO, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN, disp: SHR},
                                                         OUT: {dsn: CITY.OUT(+1), disp: [NEW, CATLG]}}}
          - {name: FIFO, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN, disp: SHR, gdgorder: fifo},
                                                         OUT: {dsn: CITY.OUT(+2), disp: [NEW, CATLG]}}}
    """)
    res = run_job("CAT")
    assert res.status == "COMPLETED"
    cat = Catalog()
    outs = [d.path.read_bytes() for d in cat.generations("CITY.OUT")]
    cat.close()
    assert outs == [b"C\nB\nA\n", b"A\nB\nC\n"]
    assert len(_gens("CITY.IN")) == 3                       # SHR: nothing deleted
    log = res.log_path.read_text()
    assert "GDG CITY.IN = ALL 3 GENERATION(S): CITY.IN.G0001V00, CITY.IN.G0002V00, CITY.IN.G0003V00" in log


CONSUME = """
    job: CONSUME
    steps:
      - name: COPY
        program: "{prog:upcase}"
        parm: "{rc}"
        dd:
          IN:   {dsn: CITY.IN, disp: [OLD, DELETE, KEEP]}
          OUT:  {dsn: CITY.OUT(+1), disp: [NEW, CATLG, DELETE]}
    params: {rc: rc=0}
"""


def test_old_delete_consumes_exactly_what_was_read(three):
    three.job("CONSUME", CONSUME)
    res = run_job("CONSUME", params={"rc": "rc=16"})      # fails: nothing catalogued, nothing deleted
    assert res.status == "FAILED"
    assert _gens("CITY.IN") == ["CITY.IN.G0001V00", "CITY.IN.G0002V00", "CITY.IN.G0003V00"]
    assert _gens("CITY.OUT") == []
    res = run_job("CONSUME")                              # the rerun reads them all once
    assert res.status == "COMPLETED"
    assert _gens("CITY.IN") == [] and _newest("CITY.OUT") == b"C\nB\nA\n"
    cat = Catalog()
    assert not any(p.name.startswith("CITY.IN.") for p in cat.datasets_dir.iterdir())    # files gone too
    cat.close()
    assert "CITY.IN.G0002V00 DELETED" in res.log_path.read_text()
    with pytest.raises(JobDefinitionError, match="GDG base .every generation. and has no generations"):
        run_job("CONSUME")                                # nothing left to read: a clear JCL error


def test_base_cannot_be_written(three):
    three.job("BAD", """
        job: BAD
        steps:
          - {name: S, program: "{prog:upcase}", dd: {OUT: {dsn: CITY.IN, disp: [MOD, KEEP]}}}
    """)
    with pytest.raises(JobDefinitionError, match=r"(?s)CITY.IN is a GDG base .* not written .disp MOD.*CITY.IN\(\+1\)"):
        run_job("BAD")
    three.job("BAD2", """
        job: BAD2
        steps:
          - {name: S, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN(0), disp: SHR, gdgorder: FIFO}}}
    """)
    with pytest.raises(JobDefinitionError, match="gdgorder: FIFO is for a DD naming a GDG base"):
        run_job("BAD2")


def test_restart_star_goes_back_to_the_temporarys_step(three):
    """A rerun after the second step failed sorts again: its input was a && temporary."""
    three.job("TWO", """
        job: TWO
        params: {rc: rc=0}
        steps:
          - {name: SORT, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN, disp: SHR},
                                                         OUT: {dsn: '&&T', disp: [NEW, PASS]}}}
          - name: POST
            program: "{prog:upcase}"
            parm: "{rc}"
            dd:
              IN:   {dsn: '&&T', disp: [OLD, DELETE]}
              OUT:  {dsn: CITY.OUT(+1), disp: [NEW, CATLG, DELETE]}
              USED: {dsn: CITY.IN, disp: [OLD, DELETE, KEEP]}
    """)
    assert run_job("TWO", params={"rc": "rc=16"}).status == "FAILED"
    assert len(_gens("CITY.IN")) == 3 and _gens("CITY.OUT") == []
    res = run_job("TWO", restart="*")
    assert res.status == "COMPLETED"
    assert [s.name for s in res.steps] == ["SORT", "POST"]
    assert _newest("CITY.OUT") == b"C\nB\nA\n" and _gens("CITY.IN") == []


def test_a_backreference_deletes_what_the_earlier_step_read_never_a_users_file(three, tmp_path):
    """SHUNOD's POSTED is *.SORT.SORTIN: the generations SORT read are deleted once posted;
    when --dd gives SORT plain files instead, those files are read and kept."""
    three.job("BACK", """
        job: BACK
        steps:
          - {name: SORT, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN, disp: SHR},
                                                         OUT: {dsn: '&&T', disp: [NEW, PASS]}}}
          - name: POST
            program: "{prog:upcase}"
            dd:
              IN:   {dsn: '&&T', disp: [OLD, DELETE]}
              OUT:  {dsn: CITY.OUT(+1), disp: [NEW, CATLG, DELETE]}
              USED: {dsn: '*.SORT.IN', disp: [OLD, DELETE, KEEP]}
    """)
    files = []
    for name in ("x.dat", "y.dat"):
        f = tmp_path / name
        f.write_text(name + "\n")
        files.append(f"SORT.IN={f}")
    res = run_job("BACK", dd=files)
    assert res.status == "COMPLETED"
    assert (tmp_path / "x.dat").read_text() == "x.dat\n" and (tmp_path / "y.dat").exists()
    assert len(_gens("CITY.IN")) == 3 and _newest("CITY.OUT") == b"X.DAT\nY.DAT\n"
    assert run_job("BACK").status == "COMPLETED"
    assert _gens("CITY.IN") == [] and _newest("CITY.OUT") == b"C\nB\nA\n"


def test_like_gives_a_new_generation_the_models_code_page_and_mixed_pages_are_refused(three, tmp_path):
    """KONBINI1 writes the city's payments LIKE the collection master (cp930 in an EBCDIC
    city), not in the agent's code page; a GDG base whose generations are in different code
    pages is refused, not misread."""
    f = tmp_path / "m.dat"
    f.write_bytes("X\n".encode("cp037"))
    import_dataset("CITY.MODEL", f, encoding="cp930", move=True)
    three.job("LIKE", """
        job: LIKE
        steps:
          - {name: S, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN(0), disp: SHR},
              OUT: {dsn: CITY.IN(+1), disp: [NEW, CATLG, DELETE], like: CITY.MODEL}}}
    """)
    res = run_job("LIKE")
    assert res.status == "COMPLETED"
    cat = Catalog()
    assert [d.encoding for d in cat.generations("CITY.IN")] == ["ascii", "ascii", "ascii", "cp930"]
    cat.close()
    three.job("MIXED", """
        job: MIXED
        steps:
          - {name: S, program: "{prog:upcase}", dd: {IN: {dsn: CITY.IN, disp: SHR}}}
    """)
    with pytest.raises(JobDefinitionError, match=r"(?s)different code pages \(CITY.IN.G0004V00 cp930, CITY.IN.G0003V00 "
                                                 r"ascii.*like:"):
        run_job("MIXED")
