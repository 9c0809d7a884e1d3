"""SHUNOD, the daily job: SORT the day's payments (CITY.SHUNO.TRAN(0)) into a
temporary, then post them to MASTER(0) giving MASTER(+1) and ERROR(+1)."""
from __future__ import annotations

import random

from click.testing import CliRunner

from engine.cli import cli
from tests.conftest import LEGACY

SAMPLE = LEGACY / "samples" / "SHUNO01"


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def test_daily_job_sorts_then_posts(tmp_path, densan_home):
    trans = (SAMPLE / "tran-in.dat").read_bytes()
    records = [trans[i:i + 60] for i in range(0, len(trans), 60)]
    random.Random(4).shuffle(records)                     # the day's file arrives unsorted
    day = tmp_path / "tran-day.dat"
    day.write_bytes(b"".join(records))
    for base in ("CITY.SHUNO.MASTER", "CITY.SHUNO.TRAN", "CITY.SHUNO.ERROR"):
        assert _densan("catalog", "define-gdg", base, "--limit", "5")[0] == 0
    assert _densan("catalog", "import", "CITY.SHUNO.MASTER(+1)", str(SAMPLE / "master-in.dat"),
                   "--copybook", "SHUNOMST")[0] == 0
    assert _densan("catalog", "import", "CITY.SHUNO.TRAN(+1)", str(day), "--copybook", "NOFUTRN")[0] == 0

    rc, out = _densan("run", "SHUNOD", "--param", "date=20250131", "--quiet")
    assert rc == 4, out

    from engine.job.catalog import Catalog
    cat = Catalog(densan_home)
    try:
        masters = [d for d in cat.generations("CITY.SHUNO.MASTER")]
        errors = [d for d in cat.generations("CITY.SHUNO.ERROR")]
        newest_master = max(masters, key=lambda d: d.generation)
        newest_error = max(errors, key=lambda d: d.generation)
        assert len(masters) == 2 and len(errors) == 1
        assert _path(newest_master).read_bytes() == (SAMPLE / "master-out.dat").read_bytes()
        assert _path(newest_error).read_bytes() == (SAMPLE / "error-out.dat").read_bytes()
    finally:
        cat.close()


def _path(entry):
    from pathlib import Path
    for attr in ("path", "file"):
        if getattr(entry, attr, None):
            return Path(getattr(entry, attr))
    raise AssertionError(f"no path on catalog entry {entry!r}")
