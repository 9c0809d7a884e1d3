"""The sample city's water: `densan city` makes the taps (owned by the residents),
bills the round (SUIDOB: SORT, SUIDO01, load into the collection master), adds the
day's water payments, and SHUNOD posts them: the new items are cleared. The
billing of the city's round equals GnuCOBOL's on the same files."""
from __future__ import annotations

import functools
import subprocess
import sys

import numpy as np
import pytest

from datasets.residents import person_numbers
from datasets.generate import DEFAULT_DATE
from datasets.water import generate_water, water_payments
from engine.job.catalog import Catalog
from tests.conftest import LEGACY, ROOT, requires_cobc


def _catalogued(home, base):
    cat = Catalog(home)
    try:
        return cat.generations(base)
    finally:
        cat.close()


def _generation(home, base, rel=0, lrecl=100, encoding="ascii"):
    """The generation's records, their text bytes back in ASCII (packed fields as they are)."""
    cat = Catalog(home)
    try:
        gens = cat.generations(base)
        ds = gens[len(gens) - 1 + rel]
        assert (ds.encoding or "ascii") == encoding, (ds.dsn, ds.encoding)
        recs = np.fromfile(ds.path, np.uint8).reshape(-1, lrecl)
    finally:
        cat.close()
    if encoding != "ascii":
        from datasets.generate import _EBCDIC
        back = np.argsort(_EBCDIC).astype(np.uint8)
        text = [slice(0, 36), slice(75, 77)] if lrecl == 100 else [slice(0, 18)]
        for cols in text:
            recs[:, cols] = back[recs[:, cols]]
    return recs


@pytest.mark.parametrize("encoding", ["ascii", "cp930"])
def test_city_bills_water_and_shunod_clears_the_payments(tmp_path, encoding):
    """Also in EBCDIC: every new generation of the night (SUIDOB's sorted readings, the
    next water master, the items, the collection master) is catalogued cp930 as written."""
    home = tmp_path / "home"
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "city", "--bill-water", "--encoding", encoding],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**__import__("os").environ, "DENSAN_HOME": str(home)})
    assert proc.returncode == 4, proc.stdout[-3000:] + proc.stderr
    assert "JOB SUIDOB" in proc.stdout and "STATUS COMPLETED" in proc.stdout
    gen = functools.partial(_generation, home, encoding=encoding)
    assert len(gen("CITY.SUIDO.MASTER")) == len(gen("CITY.SUIDO.MASTER", -1)) > 1000
    chotei = gen("CITY.SUIDO.CHOTEI")
    assert len(chotei) > 1000 and set(chotei[:, 4:6].view("S2").ravel()) == {b"11", b"12"}
    owners = set(person_numbers().tolist())
    assert set(int(b) for b in chotei[:, 18:28].copy().view("S10").ravel()) <= owners
    # the day's water payments (their own CITY.SHUNO.TRAN generation, posted and deleted by
    # SHUNOD: made again here from the items), posted against the items SUIDOB loaded
    assert _catalogued(home, "CITY.SHUNO.TRAN") == []
    tran = water_payments(chotei, date=DEFAULT_DATE, seed=1)
    water_pay = tran[np.isin(tran[:, 4:6].copy().view("S2").ravel(), [b"11", b"12"])
                     & (tran[:, 0:10].copy().view("S10").ravel() == chotei[0, 0:10].tobytes())]
    master = gen("CITY.SHUNO.MASTER")
    keys = master[:, :18].copy().view("S18").ravel()
    rows = np.searchsorted(keys, water_pay[:, :18].copy().view("S18").ravel())
    assert len(water_pay) > 500
    assert (keys[rows] == water_pay[:, :18].copy().view("S18").ravel()).all()
    assert (master[rows, 75] == ord("2")).all()                      # paid in full
    assert (master[rows, 36:42] == master[rows, 42:48]).all()         # paid = assessed


@requires_cobc
def test_city_round_equals_the_legacy(tmp_path):
    from engine.migration.legacy import run_legacy
    from jobs.water.suido01 import bill
    w = generate_water(2_000, seed=5, date="20250610")
    files = {"CUST-IN": w.customers, "READ-IN": w.readings, "TARIFF-IN": w.tariff}
    dds = {}
    for dd, recs in files.items():
        dds[dd] = tmp_path / dd
        dds[dd].write_bytes(recs.tobytes())
    outs = {}
    for side in ("legacy", "densan"):
        o = {dd: tmp_path / f"{side}.{dd}" for dd in ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT",
                                                     "REPORT")}
        if side == "legacy":
            rc = run_legacy("SUIDO01", {**dds, **o}, w.parm, legacy_dir=LEGACY).rc
        else:
            rc = bill({**dds, **o}, w.parm).rc
        outs[side] = (rc, {k: p.read_bytes() for k, p in o.items()})
    assert outs["legacy"] == outs["densan"]
    assert outs["densan"][0] == 4
    report = outs["densan"][1]["REPORT"].decode()
    for reason in ("NF", "CL", "DU", "IV", "DT", "HV", "TF"):
        line = next(s for s in report.splitlines() if s.strip().startswith(reason + "  "))
        assert int(line.split()[-1].replace(",", "")) > 0, line
