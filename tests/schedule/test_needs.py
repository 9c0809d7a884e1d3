"""A unit's needs: it starts only when its input datasets are there (a GDG base with a
generation), decided when its turn comes; bypassed (not failed) otherwise, and the flow
goes on through it."""
from __future__ import annotations

import pytest

from engine.job.catalog import Catalog, import_dataset
from engine.schedule import state as S
from engine.schedule.jobnet import JobnetError, parse_jobnet
from tests.schedule.helpers import NET, densan, env, make_library, seed_home

NEEDS_NET = NET.replace("{job: C, after: [A]}", "{job: C, after: [A], needs: [T.INBOX]}")


@pytest.fixture
def home(tmp_path, monkeypatch):
    jobs = make_library(tmp_path / "lib", NEEDS_NET)
    monkeypatch.setenv("DENSAN_JOBS", str(jobs))
    h = tmp_path / "home"
    monkeypatch.setenv("DENSAN_HOME", str(h))
    seed_home(h)
    cat = Catalog(h)
    cat.define_gdg("T.INBOX", 5)
    cat.close()
    return h, env(h, jobs)


def _units(home, day):
    return {u["unit"]: u for u in S.status(day, home=home)[0]["units"]}


def test_bypassed_without_its_input_and_run_with_it(home, tmp_path):
    h, e = home
    r = densan(["run", "TESTNET", "--param", "date=20260105"], e)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "TESTNET/C BYPASSED: nothing to do: T.INBOX has no generation" in r.stdout
    u = _units(h, "2026-01-05")
    assert (u["A"]["status"], u["C"]["status"], u["D"]["status"]) == (S.NORMAL, S.BYPASSED, S.NORMAL)
    assert u["C"]["job_run"] is None                         # never started

    f = tmp_path / "file.dat"
    f.write_text("arrived\n")
    import_dataset("T.INBOX(+1)", f, home=h)
    r = densan(["run", "TESTNET", "--param", "date=20260106"], e)
    assert r.returncode == 0, r.stdout + r.stderr
    u = _units(h, "2026-01-06")
    assert u["C"]["status"] == S.NORMAL and u["C"]["job_run"] < u["D"]["job_run"]


def test_needs_is_checked_when_loaded():
    bad = NET.replace("{job: C, after: [A]}", "{job: C, after: [A], needs: [not a name]}")
    with pytest.raises(JobnetError, match="needs: .*write a list of dataset names"):
        parse_jobnet(bad)
    net = parse_jobnet(NEEDS_NET)
    assert net.unit("C").needs == ["T.INBOX"] and net.unit("D").needs == []


def test_a_rerun_from_the_top_leaves_units_bypassed_for_the_day(tmp_path, monkeypatch):
    """KOTEIY (the April assessment) must not run on a January night because the night
    was rerun from the top: days are kept; a unit bypassed for a missing input (needs:) or
    by a relation is reconsidered."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "DAYS.yaml").write_text("""jobnet: DAYS
schedule: [{every: open-day}]
units:
  - job: A
  - {job: Y, days: [{open_day: 1, months: [4]}]}
  - {job: N, needs: [T.NOTHING]}
  - job: Z
""")
    monkeypatch.setenv("DENSAN_JOBS", str(lib))
    home = tmp_path / "home"
    S.hold("DAYS", "2026-01-05", why="test", home=home)             # makes the planned run
    S.release("DAYS", "2026-01-05", home=home)
    st = S.State(home)
    run = st.find_run("DAYS", "2026-01-05")
    assert {u["unit"]: u["status"] for u in st.units_of(run["id"])}["Y"] == S.BYPASSED
    with st.tx() as db:
        db.execute("UPDATE units SET status = ?, job_run = 'J0000001' WHERE run = ? AND unit IN ('A', 'Z')",
                   (S.NORMAL, run["id"]))
        db.execute("UPDATE units SET status = ? WHERE run = ? AND unit = 'N'", (S.BYPASSED, run["id"]))
    assert S.rerun("DAYS", "2026-01-05", "top", home=home) == ["A", "N", "Z"]
    st2 = {u["unit"]: u["status"] for u in st.units_of(run["id"])}
    assert st2 == {"A": S.WAITING, "Y": S.BYPASSED, "N": S.WAITING, "Z": S.WAITING}
    assert S.rerun("DAYS", "2026-01-05", "top", unit="Y", home=home) == ["N", "Z"]    # its followers only
    assert {u["unit"]: u["status"] for u in st.units_of(run["id"])}["Y"] == S.BYPASSED
    st.close()
