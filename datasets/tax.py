"""The sample city's tax masters, owned by its residents (datasets/residents.py):
land (TOCHIMST) and houses (KAOKUMST) for the fixed-asset tax, light vehicles
(KEIJIMST) and the resident-tax master (JUMINMST), each written in arrival order
(the yearly jobs KOTEIY, KEIJIY, JUMINY sort them first).

Sizes follow the seed city (municipal-rules.md "Scale"): per 115,000 people
380,000 parcels, 73,000 houses, 150,000 vehicles, 91,000 resident-tax records;
the sample scales them to its active population. Owners' names are their
half-width katakana readings, as the legacy masters hold them. Same residents and
seed, same bytes (vectorised NumPy).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from datasets.residents import F_JUSHO, F_KANA, Residents

PER_PERSON = {"land": 380_000 / 115_000, "house": 73_000 / 115_000,
              "vehicle": 150_000 / 115_000, "taxpayer": 91_000 / 115_000}
SAMPLE_SCALE = 1.0


@dataclass
class TaxMasters:
    land: np.ndarray          # (n, 100) TOCHIMST
    house: np.ndarray         # (n, 100) KAOKUMST
    vehicle: np.ndarray       # (n, 100) KEIJIMST
    taxpayer: np.ndarray      # (n, 100) JUMINMST


def _digits(values, width: int) -> np.ndarray:
    v = np.asarray(values, np.int64)
    p = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((v[:, None] // p) % 10 + 0x30).astype(np.uint8)


def _put(rec: np.ndarray, start: int, field) -> None:
    rec[:, start:start + field.shape[1]] = field


def _owners(rng, people: Residents, n: int, share_owning: float) -> np.ndarray:
    """Row indices into the residents of `n` owned things: a share of the active
    residents own something, some of them several (geometric)."""
    active = np.flatnonzero(people.active)
    holders = rng.choice(active, size=max(1, int(len(active) * share_owning)), replace=False)
    weights = rng.geometric(0.35, size=len(holders)).astype(float)
    return np.sort(rng.choice(holders, size=n, p=weights / weights.sum()))


def _seq_in_owner(rows: np.ndarray) -> np.ndarray:
    first = np.r_[True, rows[1:] != rows[:-1]]
    idx = np.arange(len(rows))
    return idx - np.maximum.accumulate(np.where(first, idx, 0)) + 1


def _base(people: Residents, rows: np.ndarray, name_at: int) -> np.ndarray:
    rec = np.full((len(rows), 100), 0x20, np.uint8)
    _put(rec, 0, _digits(people.kojin_no[rows], 10))
    _put(rec, name_at, people.records[rows, F_KANA[0]:F_KANA[0] + 30])
    return rec


def land_master(rng, people: Residents, n: int) -> np.ndarray:
    rows = _owners(rng, people, n, 0.45)
    rec = _base(people, rows, 20)
    seq = _seq_in_owner(rows)
    block = rng.integers(1, 99_999, n)
    _put(rec, 10, np.concatenate([_digits(block, 5), np.full((n, 1), ord("-"), np.uint8), _digits(seq, 4)], 1))
    _put(rec, 50, people.records[rows, F_JUSHO[0]:F_JUSHO[0] + 6])
    chimoku = rng.choice([1, 2, 3, 5, 6, 7, 10], n, p=[0.08, 0.1, 0.6, 0.01, 0.12, 0.03, 0.06])
    _put(rec, 56, _digits(chimoku, 2))
    _put(rec, 58, _digits(rng.lognormal(np.log(25_000), 0.8, n).astype(np.int64) % 10 ** 9, 9))
    value = np.where(chimoku == 3, rng.lognormal(np.log(6_000_000), 0.9, n),
                     rng.lognormal(np.log(400_000), 1.2, n)).astype(np.int64) % 10 ** 11
    _put(rec, 67, _digits(value, 11))
    jutaku = np.where(chimoku == 3, rng.choice([0, 1, 2], n, p=[0.25, 0.6, 0.15]), 0)
    rec[:, 78] = 0x30 + jutaku
    rec[:, 79] = np.where(rng.random(n) < 0.02, 0x31, 0x30)
    return rec[rng.permutation(n)]


def house_master(rng, people: Residents, n: int) -> np.ndarray:
    rows = _owners(rng, people, n, 0.35)
    rec = _base(people, rows, 20)
    seq = _seq_in_owner(rows)
    _put(rec, 10, np.concatenate([np.full((n, 1), ord("K"), np.uint8), _digits(rng.integers(1, 9999, n), 4),
                                  np.full((n, 1), ord("-"), np.uint8), _digits(seq, 4)], 1))
    _put(rec, 50, people.records[rows, F_JUSHO[0]:F_JUSHO[0] + 6])
    _put(rec, 56, _digits(rng.choice([1, 2, 3, 4, 9], n, p=[0.6, 0.15, 0.1, 0.12, 0.03]), 2))
    _put(rec, 58, _digits(rng.choice([1, 2, 3, 4, 5, 6, 9], n, p=[0.7, 0.08, 0.06, 0.05, 0.04, 0.05, 0.02]), 2))
    _put(rec, 60, _digits(rng.lognormal(np.log(11_000), 0.5, n).astype(np.int64) % 10 ** 7, 7))
    _put(rec, 67, _digits(rng.integers(1955, 2025, n), 4))
    _put(rec, 71, _digits(rng.lognormal(np.log(3_500_000), 0.9, n).astype(np.int64) % 10 ** 11, 11))
    rec[:, 82] = np.where(rng.random(n) < 0.01, 0x31, 0x30)
    return rec[rng.permutation(n)]


CLASSES = np.array([1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15])
CLASS_SHARES = np.array([0.12, 0.02, 0.05, 0.005, 0.02, 0.01, 0.07, 0.05, 0.005, 0.47, 0.01, 0.16, 0.01])


def vehicle_master(rng, people: Residents, n: int, nendo: int) -> np.ndarray:
    rows = _owners(rng, people, n, 0.5)
    rec = _base(people, rows, 20)
    seq = _seq_in_owner(rows)
    _put(rec, 10, np.concatenate([np.frombuffer(b"HMM", np.uint8)[None, :].repeat(n, 0),
                                  _digits(rng.integers(0, 999, n), 3), np.full((n, 1), ord("-"), np.uint8),
                                  _digits(seq, 3)], 1))
    cls = rng.choice(CLASSES, n, p=CLASS_SHARES / CLASS_SHARES.sum())
    _put(rec, 50, _digits(cls, 2))
    months = rng.integers(0, (nendo - 1 - 1998) * 12 + 3, n)                # 1998-01 .. (nendo-1)-03
    ym = (1998 + months // 12) * 100 + months % 12 + 1
    _put(rec, 52, _digits(np.where(cls >= 11, ym, 0), 6))
    shutoku = (1998 + months // 12 + rng.integers(0, 3, n)).clip(max=nendo - 1) * 10000 + 101 \
        + rng.integers(0, 11, n) * 100 + rng.integers(0, 28, n)
    _put(rec, 58, _digits(shutoku, 8))
    gone = rng.random(n) < 0.03                                             # 廃車 around 1 April
    haisha = np.where(gone, nendo * 10000 + rng.choice([115, 331, 401, 415, 520], n), 0)
    _put(rec, 66, _digits(haisha, 8))
    rec[:, 74] = np.where(rng.random(n) < 0.01, 0x31, 0x30)
    rec[:, 75] = np.where((cls >= 11) & (rng.random(n) < 0.02), 0x31, 0x30)
    _put(rec, 76, people.records[rows, F_JUSHO[0]:F_JUSHO[0] + 6])
    return rec[rng.permutation(n)]


def taxpayer_master(rng, people: Residents, n: int) -> np.ndarray:
    active = np.flatnonzero(people.active)
    rows = np.sort(rng.choice(active, size=min(n, len(active)), replace=False))
    n = len(rows)
    rec = np.full((n, 100), 0x20, np.uint8)
    _put(rec, 0, _digits(people.kojin_no[rows], 10))
    _put(rec, 10, people.records[rows, F_KANA[0]:F_KANA[0] + 30])
    income = np.where(rng.random(n) < 0.15, rng.integers(0, 600_000, n),
                      rng.lognormal(np.log(2_800_000), 0.7, n)).astype(np.int64)
    fuyo = rng.choice([0, 1, 2, 3], n, p=[0.55, 0.2, 0.17, 0.08])
    kojo = (430_000 + 330_000 * fuyo + income * 15 // 100).clip(max=income + 500_000)
    _put(rec, 40, _digits(income, 11))
    _put(rec, 51, _digits(kojo, 11))
    _put(rec, 62, _digits(np.where(income > 450_000, 2_500, 0), 9))
    _put(rec, 71, _digits(fuyo, 2))
    rec[:, 73] = np.where(rng.random(n) < 0.55, 0x32, 0x31)
    rec[:, 74] = np.where(rng.random(n) < 0.02, 0x31, 0x30)
    _put(rec, 75, people.records[rows, F_JUSHO[0]:F_JUSHO[0] + 6])
    return rec[rng.permutation(n)]


def generate_tax(people: Residents, *, seed: int = 1, nendo: int = 2025) -> TaxMasters:
    """The four masters for the residents' active population."""
    rng = np.random.default_rng([seed, 0x7A5])
    active = int(people.active.sum())
    size = {k: max(1, round(active * v)) for k, v in PER_PERSON.items()}
    return TaxMasters(land=land_master(rng, people, size["land"]),
                      house=house_master(rng, people, size["house"]),
                      vehicle=vehicle_master(rng, people, size["vehicle"], nendo),
                      taxpayer=taxpayer_master(rng, people, size["taxpayer"]))


# the datasets the yearly tax jobs read, and every GDG base they write
DATASETS = {"land": "CITY.KOTEI.LAND", "house": "CITY.KOTEI.HOUSE", "vehicle": "CITY.KEIJI.MASTER",
            "taxpayer": "CITY.JUMIN.MASTER"}
COPYBOOKS = {"land": "TOCHIMST", "house": "KAOKUMST", "vehicle": "KEIJIMST", "taxpayer": "JUMINMST"}
OUTPUT_BASES = [f"CITY.{t}.{o}" for t in ("KOTEI", "KEIJI", "JUMIN")
                for o in ("NOKIGEN", "CHOTEI", "NOTICE", "NOTICEPDF", "ERROR")]


def catalog_tax(masters: TaxMasters, folder, *, home=None, say=None, limit: int = 7) -> dict[str, str]:
    """Write the masters into `folder`, catalog them as new generations and define
    the GDG bases of the yearly tax jobs' outputs."""
    from pathlib import Path

    from engine.job.catalog import Catalog, import_dataset
    catalog = Catalog(home)
    try:
        for base in [*DATASETS.values(), *OUTPUT_BASES]:
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, limit)
    finally:
        catalog.close()
    out = {}
    for kind, base in DATASETS.items():
        path = Path(folder) / f"{kind}.dat"
        getattr(masters, kind).tofile(path)
        out[kind] = import_dataset(f"{base}(+1)", path, copybook=COPYBOOKS[kind], recfm="FB", lrecl=100,
                                   move=True, home=home, say=say).dsn
    return out


def city_tax(*, seed: int, full: bool, folder, home=None, say=None) -> str:
    """`densan city`: the residents' tax masters catalogued (seed-city sized with --full)."""
    from datasets.residents import CITY_RESIDENTS, SAMPLE_RESIDENTS, generate_residents
    people = generate_residents(CITY_RESIDENTS if full else SAMPLE_RESIDENTS, seed=seed)
    masters = generate_tax(people, seed=seed)
    catalog_tax(masters, folder, home=home, say=say)
    return (f"TAX   {len(masters.land):,} PARCELS, {len(masters.house):,} HOUSES, {len(masters.vehicle):,} VEHICLES, "
            f"{len(masters.taxpayer):,} RESIDENT-TAX RECORDS -> CITY.KOTEI.LAND/HOUSE, CITY.KEIJI.MASTER, "
            f"CITY.JUMIN.MASTER (yearly jobs KOTEIY, KEIJIY, JUMINY, then CHOTEIM)")
