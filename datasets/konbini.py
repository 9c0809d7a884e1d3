"""The sample city's convenience-store feeds: each agent's daily result file (速報 of
agent CVSA with header and trailer, 確報 of agent CVSB, payments only), paying unpaid
items whose payment slips are still valid, catalogued as CITY.KONBINI.<agent>(+1) for
the night's KONBINI1 units."""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from jobs.collection import barcode
from jobs.collection.konbini import load_agent

AGENTS = ("CVSA", "CVSB")
SHARE = 0.002                 # of the master's records paid at a convenience store in a day
GDG_LIMIT = 14                # a file a day is kept until KONBINI1 posts it: two weeks


def _num(cols: np.ndarray) -> np.ndarray:
    return (cols - 0x30).astype(np.int64) @ (10 ** np.arange(cols.shape[1] - 1, -1, -1, dtype=np.int64))


def _packed(cols: np.ndarray) -> np.ndarray:
    hi, lo = (cols >> 4).astype(np.int64), (cols & 15).astype(np.int64)
    nib = np.stack([hi, lo], axis=2).reshape(len(cols), -1)
    v = nib[:, :-1] @ (10 ** np.arange(nib.shape[1] - 2, -1, -1, dtype=np.int64))
    return np.where(nib[:, -1] == 0xD, -v, v)


def payments(master: np.ndarray, transactions: np.ndarray, *, date: str, seed: int = 1) -> pl.DataFrame:
    """The day's convenience-store payments: unpaid items (SH-JOTAI '0', not by account
    transfer, barcoded amount ≤ 300,000, not yet due on `date`) not already paid in the
    day's other transactions, paid whole on `date`; each with its barcode and agent."""
    rng = np.random.default_rng([seed, 0xC5])
    due = _num(master[:, 28:36])
    amount = _packed(master[:, 36:42])
    keys = _num(master[:, 0:18])
    paid_today = np.isin(keys, _num(transactions[:, 0:18])) if len(transactions) else np.zeros(len(keys), bool)
    ok = ((master[:, 75] == ord("0")) & (master[:, 76] == ord("0")) & (amount > 0) & (amount <= barcode.LIMIT)
          & (due >= int(date)) & ~paid_today)
    rows = np.flatnonzero(ok)
    n = min(len(rows), max(1, int(len(master) * SHARE)))
    rows = np.sort(rng.choice(rows, n, replace=False)) if n else rows[:0]
    agent = np.where(rng.random(len(rows)) < 0.6, AGENTS[0], AGENTS[1])
    df = pl.DataFrame({"key": [f"{k:018d}" for k in keys[rows]], "due": due[rows], "amount": amount[rows],
                       "agent": agent, "store": rng.integers(1, 99_999, len(rows))})
    company = int(load_agent(AGENTS[0])["company"])
    return df.with_columns(barcode=barcode.make(pl.lit(company), pl.col("key"), pl.col("due"), pl.col("amount")))


def agent_file(name: str, pays: pl.DataFrame, date: str) -> bytes:
    """One agent's daily result in its own layout (KBCVSA 100 bytes, KBCVSB 80 bytes)."""
    mine = pays.filter(pl.col("agent") == name)
    if name == "CVSA":
        head = f"H{'CITY 912345':<44}{date}{'':<47}"
        data = [f"D{r['barcode']}{date}{120000 + i:06d}{r['store']:010d}{r['amount']:06d}1{'':<24}"
                for i, r in enumerate(mine.iter_rows(named=True))]
        tail = f"T{len(data):044d}{date}{'':<47}"
        records = [head, *data, tail]
    else:
        records = [f"{date}CV2{r['store'] % 100_000:05d}{r['barcode']}R{i + 1:011d}{'':<8}"
                   for i, r in enumerate(mine.iter_rows(named=True))]
    return "".join(records).encode("ascii")


def catalog_konbini(master: np.ndarray, transactions: np.ndarray, *, date: str, seed: int = 1, home=None,
                    say=None, folder=None) -> dict[str, int]:
    """Catalog each agent's file of the day as CITY.KONBINI.<agent>(+1) (defining the GDG
    bases the night's KONBINI1 reads and writes). Returns the payments per agent."""
    import tempfile
    from pathlib import Path

    from engine.job.catalog import Catalog, import_dataset

    dt.datetime.strptime(date, "%Y%m%d")
    pays = payments(master, transactions, date=date, seed=seed)
    catalog = Catalog(home)
    try:
        for base in [f"CITY.KONBINI.{a}" for a in AGENTS] + ["CITY.KONBINI.REJECT"]:
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, GDG_LIMIT)
    finally:
        catalog.close()
    counts = {}
    with tempfile.TemporaryDirectory(prefix="konbini-", dir=folder) as tmp:
        for name in AGENTS:
            agent = load_agent(name)
            f = Path(tmp) / f"{name}.dat"
            f.write_bytes(agent_file(name, pays, date))
            import_dataset(f"CITY.KONBINI.{name}(+1)", f, copybook=agent["copybook"], encoding=agent["encoding"],
                           recfm="FB", move=True, home=home, say=say)
            counts[name] = int((pays["agent"] == name).sum())
    return counts
