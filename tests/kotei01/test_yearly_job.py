"""KOTEIY, the yearly job: the due dates from the city calendar, SORT of masters that
arrive in any order, then KOTEI01 on catalogued generations."""
from __future__ import annotations

import random

from click.testing import CliRunner

from engine.cli import cli
from engine.job.catalog import Catalog
from tests.conftest import LEGACY

SAMPLE = LEGACY / "samples" / "KOTEI01"


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def _shuffled(tmp_path, name):
    data = (SAMPLE / name).read_bytes()
    recs = [data[i:i + 100] for i in range(0, len(data), 100)]
    random.Random(7).shuffle(recs)
    path = tmp_path / name
    path.write_bytes(b"".join(recs))
    return path


def test_yearly_job_makes_due_dates_sorts_and_assesses(tmp_path, densan_home):
    for base in ("LAND", "HOUSE", "NOKIGEN", "CHOTEI", "NOTICE", "NOTICEPDF", "ERROR"):
        assert _densan("catalog", "define-gdg", f"CITY.KOTEI.{base}", "--limit", "5")[0] == 0
    assert _densan("catalog", "import", "CITY.KOTEI.LAND(+1)", str(_shuffled(tmp_path, "land-in.dat")),
                   "--copybook", "TOCHIMST")[0] == 0
    assert _densan("catalog", "import", "CITY.KOTEI.HOUSE(+1)", str(_shuffled(tmp_path, "house-in.dat")),
                   "--copybook", "KAOKUMST")[0] == 0

    rc, out = _densan("run", "KOTEIY", "--param", "nendo=2025", "--param", "date=20250401", "--quiet")
    assert rc == 4, out

    cat = Catalog(densan_home)
    try:
        def newest(base):
            gens = cat.generations(base)
            from pathlib import Path
            return Path(max(gens, key=lambda d: d.generation).path).read_bytes()
        # 2026-02-28 is a Saturday: the fourth due date moves to Monday 2026-03-02
        assert newest("CITY.KOTEI.NOKIGEN") == (SAMPLE / "noki-in.dat").read_bytes()
        assert newest("CITY.KOTEI.CHOTEI") == (SAMPLE / "chotei-out.dat").read_bytes()
        assert newest("CITY.KOTEI.NOTICE") == (SAMPLE / "notice-out.txt").read_bytes()
        assert newest("CITY.KOTEI.ERROR") == (SAMPLE / "error-out.dat").read_bytes()
        pdf = newest("CITY.KOTEI.NOTICEPDF")
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page/") >= 1
    finally:
        cat.close()


def test_due_dates_move_to_the_next_open_day():
    from jobs.tax.duedates import FIXED_ASSET, LIGHT_VEHICLE, RESIDENT, due_dates, parse_schedule
    fmt = lambda ds: [d.strftime("%Y%m%d") for d in ds]    # noqa: E731
    assert fmt(due_dates(2026, FIXED_ASSET)) == ["20260430", "20260731", "20261225", "20270301"]
    # 2025-05-31 Saturday -> Monday 2 June; 2025-08-31 Sunday -> 1 September
    assert fmt(due_dates(2025, LIGHT_VEHICLE)) == ["20250602"]
    assert fmt(due_dates(2025, RESIDENT)) == ["20250630", "20250901", "20251031", "20260202"]
    assert parse_schedule("04-END,12-25") == ((4, 0), (12, 25))
