"""The collection cycle on a generated city, through the night's jobs on catalogued
generations: assessment items -> ENTAI01 (reminders) -> KOFURI1 (transfer request)
-> the bank's result (some codes 1-9) -> KOFURI2 -> SHUNOD -> ENTAI01 again, with
the master's control totals reconciling at each step."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from datasets.collection_followups import bank_result, catalog_followups, with_transfer_flags
from datasets.generate import generate_master
from engine.cli import cli

PROC = "20260131"


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def _newest(base: str, home) -> np.ndarray:
    from engine.job.catalog import Catalog
    cat = Catalog(home)
    try:
        path = Path(max(cat.generations(base), key=lambda d: d.generation).path)
    finally:
        cat.close()
    return np.fromfile(path, np.uint8)


def _records(raw: np.ndarray, lrecl: int) -> np.ndarray:
    return raw.reshape(-1, lrecl)


def _num(cols: np.ndarray) -> np.ndarray:
    return ((cols - 0x30).astype(np.int64) @ (10 ** np.arange(cols.shape[1] - 1, -1, -1, dtype=np.int64)))


def _packed_values(cols: np.ndarray) -> np.ndarray:
    hi, lo = (cols >> 4).astype(np.int64), (cols & 15).astype(np.int64)
    nib = np.stack([hi, lo], axis=2).reshape(len(cols), -1)
    v = nib[:, :-1] @ (10 ** np.arange(nib.shape[1] - 2, -1, -1, dtype=np.int64))
    return np.where(nib[:, -1] == 0xD, -v, v)


def _totals(m: np.ndarray) -> dict:
    return {"records": len(m), "chotei": int(_packed_values(m[:, 36:42]).sum()),
            "nofu": int(_packed_values(m[:, 42:48]).sum())}


@pytest.fixture
def city(tmp_path, densan_home):
    master, cols = generate_master(20_000, seed=5, date=PROC)
    master = with_transfer_flags(master, cols)
    path = tmp_path / "master.dat"
    master.tofile(path)
    for base in ("CITY.SHUNO.MASTER", "CITY.SHUNO.TRAN", "CITY.SHUNO.ERROR"):
        assert _densan("catalog", "define-gdg", base, "--limit", "9")[0] == 0
    assert _densan("catalog", "import", "CITY.SHUNO.MASTER(+1)", str(path), "--copybook", "SHUNOMST")[0] == 0
    catalog_followups(master, home=densan_home, seed=5)
    return master


def test_collection_cycle_reconciles(tmp_path, densan_home, city):
    m0 = city
    # 1. reminders on the processing date: only the reminder dates change
    rc, out = _densan("run", "ENTAI01", "--param", f"date={PROC}", "--quiet")
    assert rc in (0, 4), out
    m1 = _records(_newest("CITY.SHUNO.MASTER", densan_home), 100)
    notices = _records(_newest("CITY.ENTAI.NOTICE", densan_home), 80)
    changed = np.flatnonzero((m1 != m0).any(axis=1))
    assert len(changed) == len(notices) > 0
    assert (m1[changed, 67:75] == np.frombuffer(PROC.encode(), np.uint8)).all()
    assert _totals(m1) == _totals(m0)
    assert _num(notices[:, 36:48]).sum() == (_packed_values(m0[changed, 36:42])
                                              - _packed_values(m0[changed, 42:48])).sum()

    # 2. the transfer request for the next debit day with transfer items
    due = _num(m1[:, 28:36])
    unpaid = _packed_values(m1[:, 36:42]) - _packed_values(m1[:, 42:48])
    eligible = (m1[:, 76] == ord("1")) & np.isin(m1[:, 75], [ord("0"), ord("1")]) & (unpaid > 0)
    day = int(np.min(due[eligible & (due > int(PROC))]))
    rc, out = _densan("run", "KOFURI1", "--param", f"date={day}", "--quiet")
    assert rc in (0, 4), out
    from engine.job.catalog import Catalog
    cat = Catalog(densan_home)
    try:
        request = Path(max(cat.generations("CITY.KOFURI.REQUEST"), key=lambda d: d.generation).path)
    finally:
        cat.close()
    req = _records(np.fromfile(request, np.uint8), 120)
    picked = eligible & (due == day)
    trailer = req[-2]
    keys = _num(m1[:, :18])
    requested = np.isin(keys, _num(req[1:-2, 93:111]))             # 顧客番号 = SH-KEY
    assert not (requested & ~picked).any()
    stopped = int(picked.sum()) - int(requested.sum())             # accounts stopped: in the REPORT
    assert (rc == 4) == (stopped > 0) and stopped < 0.1 * picked.sum()
    assert _num(trailer[None, 1:7])[0] == len(req) - 3 == int(requested.sum())
    assert _num(trailer[None, 7:19])[0] == int(unpaid[requested].sum())

    # 3. the bank answers; the result is posted as payments
    data = bank_result(request, tmp_path / "result.dat", seed=9, failure_rate=0.2)
    codes = np.array(data["ZD-FURIKAE-KEKKA"].to_list())
    amounts = np.array(data["ZD-HIKIOTOSHI-GAKU"].to_list())
    assert (codes != 0).any() and (codes == 0).any()
    assert _densan("catalog", "import", "CITY.KOFURI.RESULT(+1)", str(tmp_path / "result.dat"))[0] == 0
    rc, out = _densan("run", "KOFURI2", "--param", f"date={day}", "--quiet")
    assert rc == 0, out
    tran = _records(_newest("CITY.SHUNO.TRAN", densan_home), 60)
    funo = _records(_newest("CITY.KOFURI.FUNO", densan_home), 60)
    assert len(tran) == int((codes == 0).sum()) and len(funo) == int((codes != 0).sum())
    assert _num(tran[:, 27:38]).sum() == amounts[codes == 0].sum()

    # 4. SHUNOD posts them: the paid total grows by exactly the debited amount
    rc, out = _densan("run", "SHUNOD", "--param", f"date={day}", "--quiet")
    assert rc == 0, out
    m2 = _records(_newest("CITY.SHUNO.MASTER", densan_home), 100)
    t1, t2 = _totals(m1), _totals(m2)
    assert t2["records"] == t1["records"] and t2["chotei"] == t1["chotei"]
    assert t2["nofu"] - t1["nofu"] == int(amounts[codes == 0].sum())
    cleared = np.flatnonzero((m2 != m1).any(axis=1))
    assert len(cleared) == int((codes == 0).sum())
    assert (m2[cleared, 75] == ord("2")).all()

    # 5. reminders again, 25 days after the debit day: the failed transfers are
    #    reminded, the cleared items are no longer considered
    later = (dt.datetime.strptime(str(day), "%Y%m%d") + dt.timedelta(days=25)).strftime("%Y%m%d")
    rc, out = _densan("run", "ENTAI01", "--param", f"date={later}", "--quiet")
    assert rc in (0, 4), out
    m3 = _records(_newest("CITY.SHUNO.MASTER", densan_home), 100)
    notices2 = _records(_newest("CITY.ENTAI.NOTICE", densan_home), 80)
    listed = _records(_newest("CITY.ENTAI.LIST", densan_home), 100)
    reminded = {bytes(k) for k in notices2[:, :18]}
    failed = {f"{int(c):018d}".encode() for c, k in zip(data["ZD-KOKYAKU-NO"].to_list(), codes) if k}
    paid = {bytes(m2[i, :18]) for i in cleared}
    assert failed <= reminded and not (paid & reminded)
    assert not (paid & {bytes(k) for k in listed[:, :18]})
    assert _totals(m3) == t2
    assert len(np.flatnonzero((m3 != m2).any(axis=1))) == len(notices2)
