"""ENTAI01 in the night: on the catalogued generations, MASTER(0) -> MASTER(+1) with
the reminders, the late-fee list and the errors as new generations; an abnormal
end catalogues nothing."""
from __future__ import annotations

from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import LEGACY

SAMPLE = LEGACY / "samples" / "ENTAI01"


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def _setup():
    for base in ("CITY.SHUNO.MASTER", "CITY.ENTAI.NOTICE", "CITY.ENTAI.LIST", "CITY.ENTAI.ERROR"):
        assert _densan("catalog", "define-gdg", base, "--limit", "5")[0] == 0
    assert _densan("catalog", "import", "CITY.SHUNO.MASTER(+1)", str(SAMPLE / "master-in.dat"),
                   "--copybook", "SHUNOMST")[0] == 0
    rc, out = _densan("catalog", "import", "CITY.ENTAI.RATE", str(SAMPLE / "rate-in.dat"),
                      "--copybook", "ENTAIRT")
    assert rc == 0, out


def _newest(cat, base):
    from pathlib import Path
    gens = list(cat.generations(base))
    return len(gens), (Path(max(gens, key=lambda d: d.generation).path).read_bytes() if gens else None)


def test_nightly_generations(densan_home):
    _setup()
    rc, out = _densan("run", "ENTAI01", "--param", "date=20260131", "--quiet")
    assert rc == 4, out
    from engine.job.catalog import Catalog
    cat = Catalog(densan_home)
    try:
        assert _newest(cat, "CITY.SHUNO.MASTER") == (2, (SAMPLE / "master-out.dat").read_bytes())
        assert _newest(cat, "CITY.ENTAI.NOTICE") == (1, (SAMPLE / "notice-out.dat").read_bytes())
        assert _newest(cat, "CITY.ENTAI.LIST") == (1, (SAMPLE / "entai-out.dat").read_bytes())
        assert _newest(cat, "CITY.ENTAI.ERROR") == (1, (SAMPLE / "error-out.dat").read_bytes())
    finally:
        cat.close()


def test_abnormal_end_catalogues_nothing(densan_home):
    _setup()
    rc, out = _densan("run", "ENTAI01", "--param", "date=20260231", "--quiet")
    assert rc != 0
    from engine.job.catalog import Catalog
    cat = Catalog(densan_home)
    try:
        assert _newest(cat, "CITY.SHUNO.MASTER")[0] == 1
        assert _newest(cat, "CITY.ENTAI.LIST")[0] == 0
    finally:
        cat.close()
