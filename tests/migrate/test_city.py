"""`densan city`: the sample city catalogued in the densan home, and its nightly job."""
from __future__ import annotations

import re

from click.testing import CliRunner

from datasets.generate import generate_city, write_city
from tests.conftest import requires_cobc


def run_city(*args):
    from engine.cli import cli
    return CliRunner().invoke(cli, ["city", *map(str, args)])


def test_city_catalogs_generations(densan_home, tmp_path):
    from engine.job.catalog import Catalog

    result = run_city("--masters", 2_000, "--transactions", 200, "--seed", 4, "--no-run")
    assert result.exit_code == 0, result.output
    assert "CITY.SHUNO.MASTER.G0001V00" in result.output
    catalog = Catalog(densan_home)
    master, tran = catalog.get("CITY.SHUNO.MASTER.G0001V00"), catalog.get("CITY.SHUNO.TRAN.G0001V00")
    assert (master.records, master.lrecl, master.copybook) == (2_000, 100, "SHUNOMST")
    assert (tran.records, tran.lrecl, tran.copybook) == (200, 60, "NOFUTRN")
    assert catalog.gdg("CITY.SHUNO.ERROR") is not None
    city = generate_city(2_000, 200, seed=4)
    from datasets.collection_followups import flag_transfer_notices    # densan city flags unpaid transfer items too
    flagged = flag_transfer_notices(city.master)
    assert (flagged[:, 76] == ord("1")).sum() > (city.master[:, 76] == ord("1")).sum()
    assert ((flagged != city.master).sum(axis=0).nonzero()[0] == [76]).all()     # only SH-KOFURI-KBN changes
    city.master = flagged
    write_city(city, tmp_path / "m", tmp_path / "t")
    assert master.path.read_bytes() == (tmp_path / "m").read_bytes()
    assert tran.path.read_bytes() == (tmp_path / "t").read_bytes()
    # a second city is the next generation
    assert run_city("--masters", 100, "--transactions", 10, "--no-run").exit_code == 0
    assert catalog.get("CITY.SHUNO.MASTER.G0002V00").records == 100
    catalog.close()


def test_city_cp930(densan_home):
    from engine.job.catalog import Catalog

    result = run_city("--masters", 500, "--transactions", 50, "--encoding", "cp930", "--no-run")
    assert result.exit_code == 0, result.output
    catalog = Catalog(densan_home)
    master = catalog.get("CITY.SHUNO.MASTER.G0001V00")
    assert master.encoding == "cp930" and master.path.read_bytes()[:4] == "2020".encode("cp037")
    catalog.close()


def test_bad_date_is_a_clear_error(densan_home):
    result = run_city("--date", "20251341", "--no-run")
    assert result.exit_code == 2 and "not a date" in result.output and "Traceback" not in result.output


def test_city_runs_the_nightly_job(densan_home):
    """The nightly SHUNOD (SORT, then SHUNO01) on an unsorted day: RC 4, the report
    counts every transaction, the next master generation is catalogued."""
    from engine.job.catalog import Catalog

    result = run_city("--masters", 3_000, "--transactions", 400, "--unsorted", "--seed", 9)
    assert result.exit_code == 4, result.output
    assert re.search(r"^TOTAL +400 ", result.output, re.M), result.output
    city = generate_city(3_000, 400, seed=9)
    rejected = sum(city.intended[r] for r in ("IV", "DT", "CH", "NF", "CX"))
    assert re.search(rf"^TOTAL +400 +{city.intended['posted']} +[\d,]+ +{rejected} ", result.output, re.M)
    catalog = Catalog(densan_home)
    assert catalog.get("CITY.SHUNO.MASTER.G0002V00").records == 3_000
    assert catalog.get("CITY.SHUNO.ERROR.G0001V00").records == rejected
    catalog.close()
