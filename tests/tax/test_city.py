"""The sample city's tax year: the residents own land, houses and vehicles and pay
resident tax; the three yearly assessments write their collection items, CHOTEIM
merges them into the collection master, and SHUNOD posts the day's payments
against the new items. The control totals reconcile."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from click.testing import CliRunner

from engine.cli import cli
from engine.job.catalog import Catalog


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def _newest(cat, base) -> bytes:
    gens = cat.generations(base)
    return Path(max(gens, key=lambda d: d.generation).path).read_bytes()


def _payment(item: bytes, renban: int, date: bytes = b"20250610") -> bytes:
    amount = int(item[36:42].hex()[:-1])
    rec = item[:18] + b"1" + date + f"{amount:011d}".encode() + b"0" * 9 + f"{renban:08d}".encode() + b" " * 5
    assert len(rec) == 60
    return rec


def test_three_assessments_then_the_days_payments(tmp_path, densan_home):
    from datasets.generate import generate_city, write_city
    from datasets.residents import generate_residents
    from datasets.tax import catalog_tax, generate_tax
    from datasets.cli import catalog_city

    people = generate_residents(1_000, seed=5)
    masters = generate_tax(people, seed=5, nendo=2025)
    catalog_tax(masters, tmp_path, home=densan_home)
    city = generate_city(500, 0, seed=5)
    write_city(city, tmp_path / "m.dat", tmp_path / "t.dat")
    catalog_city(tmp_path / "m.dat", tmp_path / "t.dat", encoding="ascii", home=densan_home)

    for job, date in (("KOTEIY", "20250401"), ("KEIJIY", "20250401"), ("JUMINY", "20250601")):
        rc, out = _densan("run", job, "--param", "nendo=2025", "--param", f"date={date}", "--quiet")
        assert rc == 0, out
    cat = Catalog(densan_home)
    try:
        before = _newest(cat, "CITY.SHUNO.MASTER")
        items = {t: _newest(cat, f"CITY.{t}.CHOTEI") for t in ("KOTEI", "KEIJI", "JUMIN")}
        assert all(len(v) > 0 for v in items.values())
        assert _newest(cat, "CITY.KOTEI.NOTICEPDF").startswith(b"%PDF")
    finally:
        cat.close()
    rc, out = _densan("run", "CHOTEIM", "--quiet")
    assert rc == 0, out

    cat = Catalog(densan_home)
    try:
        merged = _newest(cat, "CITY.SHUNO.MASTER")
    finally:
        cat.close()
    created = sum(len(v) for v in items.values()) // 100
    assert len(merged) // 100 == len(before) // 100 + created          # items created = items added
    keys = np.frombuffer(merged, np.uint8).reshape(-1, 100)[:, :18]
    assert len({k.tobytes() for k in keys}) == len(keys)                 # no notice number collides
    owners = {bytes(r[18:28]) for v in items.values() for r in np.frombuffer(v, np.uint8).reshape(-1, 100)}
    assert owners <= {f"{k:010d}".encode() for k in people.kojin_no}

    # the day's payments: the first installment of every tenth new item of each tax
    new = [v[i:i + 100] for v in items.values() for i in range(0, len(v), 100)]
    pay = sorted((p for p in new if p[16:18] == b"01"), key=lambda r: r[:18])[::10]
    trans = b"".join(_payment(p, i) for i, p in enumerate(pay))
    (tmp_path / "day.dat").write_bytes(trans)
    assert _densan("catalog", "import", "CITY.SHUNO.TRAN(+1)", str(tmp_path / "day.dat"),
                   "--copybook", "NOFUTRN")[0] == 0
    rc, out = _densan("run", "SHUNOD", "--param", "date=20250610", "--quiet")
    assert rc == 0, out
    cat = Catalog(densan_home)
    try:
        posted = np.frombuffer(_newest(cat, "CITY.SHUNO.MASTER"), np.uint8).reshape(-1, 100)
    finally:
        cat.close()
    assert len(posted) == len(merged) // 100
    paid_keys = {p[:18] for p in pay}
    rows = [r for r in posted if r[:18].tobytes() in paid_keys]
    assert len(rows) == len(pay) and all(r[75] == ord("2") for r in rows)     # 完納
    assert sum(int(r[42:48].tobytes().hex()[:-1]) for r in rows) == sum(int(p[36:42].hex()[:-1]) for p in pay)
