"""Every channel's payments are posted in the city's night, exactly once.

The sample city (`densan city`, date 2025-01-24), then its nights in the foreground:
  1/24  KOFURI1 sends the account-transfer request for the debit day 1/31 (5 open days on);
        the agents' files of the day are posted with the counters' and banks' payments.
  (the bank answers the request; the agents send their files of 2/4)
  2/4   the bank's result is due (2 open days after 1/31): KOFURI2 and both KONBINI1 units
        each write a CITY.SHUNO.TRAN generation; SHUNOD fails on a damaged master, keeps
        the three generations; the rerun sorts again and posts each payment once, the same
        bytes as a clean SHUNOD run on the same files.
  2/5   nothing new: SHUNOD is bypassed and the master's paid total does not move.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from engine.job.catalog import Catalog
from engine.schedule import state as S
from tests.schedule.helpers import ROOT


def _packed(cols: np.ndarray) -> np.ndarray:
    hi, lo = (cols >> 4).astype(np.int64), (cols & 15).astype(np.int64)
    nib = np.stack([hi, lo], axis=2).reshape(len(cols), -1)
    v = nib[:, :-1] @ (10 ** np.arange(nib.shape[1] - 2, -1, -1, dtype=np.int64))
    return np.where(nib[:, -1] == 0xD, -v, v)


def _paid_total(path: Path) -> int:
    return int(_packed(np.fromfile(path, np.uint8).reshape(-1, 100)[:, 42:48]).sum())


class City:
    def __init__(self, tmp_path: Path):
        self.home = tmp_path / "city"
        self.cwd = tmp_path
        self.env = dict(os.environ, DENSAN_HOME=str(self.home), PYTHONPATH=str(ROOT))
        for k in ("DENSAN_JOBS", "DENSAN_CALENDAR", "DENSAN_CRASH_AT"):
            self.env.pop(k, None)

    def densan(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=self.env, capture_output=True,
                              text=True, cwd=self.cwd, timeout=900)

    def gens(self, base: str) -> list:
        cat = Catalog(self.home)
        try:
            return cat.generations(base)
        finally:
            cat.close()

    def units(self, day: str) -> dict:
        [run] = S.status(day, home=self.home)
        return {u["unit"]: u for u in run["units"]}

    def log(self, job_run: str, job: str) -> str:
        return (self.home / "logs" / f"{job_run}-{job}.log").read_text(encoding="utf-8")


def _report_row(report: str, channel: str) -> tuple[int, int, int]:
    """(read, posted, posted amount) of a channel in SHUNO01's control totals."""
    m = re.search(rf"^'{channel}' .*?\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s", report, re.M)
    return tuple(int(x.replace(",", "")) for x in m.groups())


def test_a_night_with_a_bank_result_and_konbini_files_posts_each_payment_once(tmp_path):
    from datasets.collection_followups import bank_result
    from datasets.konbini import catalog_konbini

    city = City(tmp_path)
    r = city.densan("city", "--no-run", "--masters", "3000", "--transactions", "60", "--date", "20250124")
    assert r.returncode == 0, r.stderr
    assert re.search(r"konbini: CVSA \d+ -> CITY.KONBINI.CVSA  CVSB \d+ -> CITY.KONBINI.CVSB", r.stdout)

    # 1/24: the request for 1/31 goes to the bank; the day's payments are posted
    r = city.densan("run", "NIGHTLY", "--param", "date=20250124")
    assert r.returncode in (0, 4), r.stdout + r.stderr
    u = city.units("2025-01-24")
    assert u["KOFURI1"]["status"] in (S.NORMAL, S.WARNING) and u["KOFURI2"]["status"] == S.BYPASSED
    assert "PARAMS date=20250124 debit=20250131" in city.log(u["KOFURI1"]["job_run"], "KOFURI1")
    assert city.gens("CITY.SHUNO.TRAN") == [] and city.gens("CITY.KONBINI.CVSA") == []    # posted, consumed
    [request] = city.gens("CITY.KOFURI.REQUEST")

    # the bank answers (some transfers refused); the agents send their files of 2/4
    data = bank_result(request.path, tmp_path / "result.dat", seed=3, failure_rate=0.2)
    codes = np.array(data["ZD-FURIKAE-KEKKA"].to_list())
    debited = np.array(data["ZD-HIKIOTOSHI-GAKU"].to_list())[codes == 0]
    assert len(debited) >= 3 and (codes != 0).any()
    assert city.densan("catalog", "import", "CITY.KOFURI.RESULT(+1)", str(tmp_path / "result.dat")).returncode == 0
    master = city.gens("CITY.SHUNO.MASTER")[-1].path
    before = _paid_total(master)
    raw = np.fromfile(master, np.uint8).reshape(-1, 100)
    counts = catalog_konbini(raw, raw[:0, :60], date="20250204", seed=7, home=city.home)
    konbini = {name: int(v) for name, v in counts.items()}
    assert min(konbini.values()) >= 1

    # 2/4, first attempt: SHUNOD's POST abends on a damaged master; nothing is lost
    good = master.read_bytes()
    master.write_bytes(good[:-1])
    r = city.densan("run", "NIGHTLY", "--param", "date=20250204")
    u = city.units("2025-02-04")
    assert u["SHUNOD"]["status"] == S.ABNORMAL and u["ENTAI01"]["status"] == S.WAITING, r.stdout
    for unit in ("KONBINIA", "KONBINIB", "KOFURI2"):
        assert u[unit]["status"] in (S.NORMAL, S.WARNING), r.stdout
    trans = city.gens("CITY.SHUNO.TRAN")
    assert [d.created_job for d in trans] == ["KONBINI1", "KONBINI1", "KOFURI2"]      # all three kept
    kept = [d.path.read_bytes() for d in trans]
    assert city.gens("CITY.KOFURI.RESULT") == [] and city.gens("CITY.KONBINI.CVSB") == []

    # the operator repairs the master and reruns the failed unit: SORT again, then POST
    master.write_bytes(good)
    r = city.densan("run", "NIGHTLY", "--param", "date=20250204", "--restart", "*")
    assert r.returncode in (0, 4), r.stdout + r.stderr
    u = city.units("2025-02-04")
    assert u["SHUNOD"]["status"] in (S.NORMAL, S.WARNING) and u["ENTAI01"]["status"] in (S.NORMAL, S.WARNING)
    log = city.log(u["SHUNOD"]["job_run"], "SHUNOD")
    assert "RESTART AT STEP SORT" in log and "STEP SORT PGM=SORT STARTED" in log
    assert city.gens("CITY.SHUNO.TRAN") == []
    report = (city.home / "logs" / u["SHUNOD"]["job_run"] / "POST.REPORT.txt").read_text()
    read3, posted3, amount3 = _report_row(report, "3")
    read4, posted4, amount4 = _report_row(report, "4")
    assert (read3, posted3, read4, posted4) == (sum(konbini.values()), sum(konbini.values()),
                                                len(debited), len(debited))
    assert amount4 == int(debited.sum())
    posted = [d for d in city.gens("CITY.SHUNO.MASTER") if d.created_job == "SHUNOD"][-1]
    assert _paid_total(posted.path) == before + amount3 + amount4          # once, not twice

    # the same bytes as a clean SHUNOD run on the same three files and master
    files = []
    for i, data_ in enumerate(kept):
        f = tmp_path / f"tran{i}.dat"
        f.write_bytes(data_)
        files += ["--dd", f"SORTIN={f}"]
    (tmp_path / "master0.dat").write_bytes(good)
    clean = tmp_path / "clean-master.dat"
    r = city.densan("run", "SHUNOD", "--param", "date=20250204", *files, "--dd", f"MASTER-IN={tmp_path / 'master0.dat'}",
                    "--dd", f"MASTER-OUT={clean}", "--dd", f"ERROR-OUT={tmp_path / 'err.dat'}",
                    "--dd", f"REPORT={tmp_path / 'rep.txt'}", "--quiet")
    assert r.returncode in (0, 4), r.stdout + r.stderr
    assert clean.read_bytes() == posted.path.read_bytes()
    assert [(tmp_path / f"tran{i}.dat").read_bytes() for i in range(3)] == kept     # a user's files: kept

    # 2/5: nothing came in; nothing is posted again
    r = city.densan("run", "NIGHTLY", "--param", "date=20250205")
    assert r.returncode in (0, 4), r.stdout + r.stderr
    u = city.units("2025-02-05")
    assert u["SHUNOD"]["status"] == u["KONBINIA"]["status"] == u["KOFURI2"]["status"] == S.BYPASSED
    assert "NIGHTLY/SHUNOD BYPASSED: nothing to do: CITY.SHUNO.TRAN has no generation" in r.stdout
    assert _paid_total(city.gens("CITY.SHUNO.MASTER")[-1].path) == _paid_total(posted.path)


def test_plan_shows_the_channels_units(tmp_path):
    city = City(tmp_path)
    r = city.densan("schedule", "plan", "--month", "2025-01", "--units")
    assert r.returncode == 0, r.stderr
    day = r.stdout.split("2025-01-24 Fri NIGHTLY")[1].split("\n2025-")[0]
    assert re.search(r"KONBINIA +KONBINI1 +runs if CITY.KONBINI.CVSA has a generation", day)
    assert re.search(r"SHUNOD +SHUNOD +runs if CITY.SHUNO.TRAN has a generation", day)
    assert re.search(r"KOFURI1 +KOFURI1 +runs  \(the month end 2025-01-31; 5 open days before -> 2025-01-24\)", day)
    assert re.search(r"KOFURI2 +KOFURI2 +bypassed", day)
    r = city.densan("schedule", "plan", "--month", "2025-02", "--units")
    day = r.stdout.split("2025-02-04 Tue NIGHTLY")[1].split("\n2025-")[0]
    assert re.search(r"KOFURI2 +KOFURI2 +runs if CITY.KOFURI.RESULT has a generation", day)


def test_a_konbini_unit_for_each_agent(monkeypatch):
    """Adding an agent to konbini_agents.yaml without its unit in the night would leave its
    files unposted: each agent has a KONBINI1 unit that needs its file."""
    import yaml

    from engine.schedule.jobnet import load_jobnet
    agents = yaml.safe_load((ROOT / "jobs" / "collection" / "konbini_agents.yaml").read_text(encoding="utf-8"))
    monkeypatch.delenv("DENSAN_JOBS", raising=False)
    net = load_jobnet(str(ROOT / "jobs" / "NIGHTLY.yaml"))
    units = {u.params.get("agent"): u for u in net.units if u.job == "KONBINI1"}
    assert set(units) == set(agents)
    for name, u in units.items():
        assert u.needs == [f"CITY.KONBINI.{name}"]
    order = [u.path for u in net.units]
    assert max(order.index(u.path) for u in units.values()) < order.index("SHUNOD")
    assert order.index("KOFURI2") < order.index("SHUNOD") < order.index("ENTAI01") < order.index("KOFURI1")
