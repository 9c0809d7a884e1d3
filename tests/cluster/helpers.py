"""Small inputs for the cluster tests and the local run to compare with."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SHUNO_DDS = ("MASTER-OUT", "ERROR-OUT", "REPORT")


def city_files(folder: Path, masters: int = 12_000, transactions: int = 5_000, seed: int = 5):
    from datasets.generate import generate_city, write_city
    city = generate_city(masters, transactions, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    write_city(city, folder / "master.dat", folder / "tran.dat")
    return folder / "master.dat", folder / "tran.dat", city.date


def shuno_args(master: Path, tran: Path, out: Path, date: str) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    dds = {"MASTER-IN": master, "TRAN-IN": tran, "MASTER-OUT": out / "MASTER-OUT",
           "ERROR-OUT": out / "ERROR-OUT", "REPORT": out / "REPORT"}
    return ["run", "SHUNO01", "-q", "--parm", date] + [f"--dd={k}={v}" for k, v in dds.items()]


def densan(args: list[str], home: Path, **env) -> subprocess.CompletedProcess:
    e = dict(os.environ, DENSAN_HOME=str(home), **{k: str(v) for k, v in env.items()})
    e.pop("DENSAN_CLUSTER", None) if "DENSAN_CLUSTER" not in env else None
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=e, capture_output=True, text=True,
                          timeout=240)


def same_files(a: Path, b: Path, names) -> None:
    for n in names:
        assert (a / n).read_bytes() == (b / n).read_bytes(), n


def last_log(home: Path) -> str:
    logs = sorted((home / "logs").glob("J*.log"))
    return logs[-1].read_text()
