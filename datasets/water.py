"""The sample city's water: customers (水道マスタ, SUIDOMST), a bimonthly round of
meter readings (検針データ, KENSHIN), the tariff table (料金表, RYOKIN), and the
day's payments of the water items once they are billed.

The taps belong to the residents of datasets/residents.py (their 個人番号 are
SM-KOJIN-NO, so the collection items SUIDO01 writes are theirs). The round reads
about half of the taps; a small share of the readings is faulty in each of the
ways SUIDO01 rejects, so that its report and ERROR-OUT are never empty.

    from datasets.water import generate_water
    w = generate_water(60_000, seed=1, date="20250131")
    w.customers, w.readings, w.tariff       # uint8 record matrices (GnuCOBOL ASCII)
    w.parm                                  # SUIDO01's PARM for the round

Same arguments, same bytes (vectorised NumPy, no loop per tap).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from datasets.residents import person_numbers

CITY_CUSTOMERS = 60_000          # 水道マスタ of the seed city (municipal-rules.md)
SAMPLE_CUSTOMERS = 3_000
ROUND_SHARE = 0.5                # taps read in one round (water-billing.md, an estimate)
FIRST_TAP = 2_000_000_000
CUST_LRECL, READ_LRECL, TARIFF_LRECL = 100, 40, 40

# the 七ヶ浜町 tariff of municipal-rules.md ("Water and sewer")
BASIC = {13: 1_400, 20: 1_750, 25: 2_970, 30: 4_230, 40: 7_740, 50: 11_610, 75: 27_000,
         100: 51_900, 150: 93_100}
SEWER_BASIC = 1_000
WATER_BANDS = [(1, 10, 40), (11, 20, 220), (21, 50, 270), (51, 99_999, 310)]
SEWER_BANDS = [(11, 30, 130), (31, 60, 170), (61, 100, 210), (101, 500, 250), (501, 99_999, 300)]

DIAMETERS = np.array([13, 20, 25, 30, 40, 50, 75, 100, 150, 200])
DIAMETER_SHARES = np.array([0.40, 0.45, 0.07, 0.025, 0.02, 0.015, 0.008, 0.006, 0.004, 0.002])
FAULT_SHARES = {"NF": 0.002, "DU": 0.003, "IV": 0.002, "DT": 0.003, "HV": 0.001}

SURNAMES = ["SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "ITO", "WATANABE", "YAMAMOTO", "NAKAMURA",
            "KOBAYASHI", "KATO", "YOSHIDA", "YAMADA", "SASAKI", "YAMAGUCHI", "MATSUMOTO", "INOUE",
            "KIMURA", "HAYASHI", "SAITO", "SHIMIZU", "ABE", "CHIBA", "ENDO", "ONO", "OIKAWA"]
GIVEN = ["ICHIRO", "HANAKO", "TARO", "MISAKI", "SHOTA", "YUKO", "MAKOTO", "AOI", "SHIGERU", "YUI",
         "REN", "HARUTO", "SAKURA", "KENJI", "MEGUMI", "HIROSHI", "EMI", "TAKESHI", "NAOMI", "DAIKI"]


@dataclass
class Water:
    customers: np.ndarray        # uint8 (n, 100) SUIDOMST, ascending tap numbers
    readings: np.ndarray         # uint8 (m, 40) KENSHIN, in the round's order (unsorted) or sorted
    tariff: np.ndarray           # uint8 (19, 40) RYOKIN
    parm: str                    # fiscal year, billing month, processing date, due date
    intended: dict[str, int]     # faults put in, by reason


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    v = np.asarray(values, dtype=np.int64)
    out = np.empty((len(v), width), np.uint8)
    for k in range(width - 1, -1, -1):
        out[:, k] = 0x30 + v % 10
        v = v // 10
    return out


def _text(strings: list[str], index: np.ndarray, width: int) -> np.ndarray:
    table = np.frombuffer(b"".join(s.encode("ascii")[:width].ljust(width) for s in strings),
                          np.uint8).reshape(len(strings), width)
    return table[index]


def _days(yyyymmdd: np.ndarray) -> np.ndarray:
    v = np.asarray(yyyymmdd)
    s = np.char.add(np.char.add((v // 10000).astype("U4"), "-"),
                    np.char.add(np.char.add(np.char.zfill((v // 100 % 100).astype("U2"), 2), "-"),
                                np.char.zfill((v % 100).astype("U2"), 2)))
    return s.astype("datetime64[D]")


def _ymd(days: np.ndarray) -> np.ndarray:
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y * 10000 + m * 100 + dd


def round_parm(date: str) -> str:
    """SUIDO01's PARM for a round processed on `date`: the billing month is the
    processing month, due at the end of the next month (moved to an open day)."""
    d = dt.datetime.strptime(date, "%Y%m%d").date()
    nendo = d.year - 1 if d.month < 4 else d.year
    nxt = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last = (nxt + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    from engine.calendar import default_calendar
    due = default_calendar().roll_forward(last).strftime("%Y%m%d")
    return f"{nendo:04d}{d:%Y%m}{date}{due}"


def tariff_records() -> np.ndarray:
    recs = [b"B" + f"{k:03d}".encode() + b"0" * 15 + f"{y:07d}".encode() for k, y in BASIC.items()]
    recs.append(b"G" + b"0" * 18 + f"{SEWER_BASIC:07d}".encode())
    for kind, bands in ((b"W", WATER_BANDS), (b"S", SEWER_BANDS)):
        recs += [kind + b"000" + f"{a:05d}{b:05d}{r:05d}".encode() + b"0" * 7 for a, b, r in bands]
    return np.frombuffer(b"".join(r.ljust(TARIFF_LRECL) for r in recs), np.uint8).reshape(-1, TARIFF_LRECL)


def generate_water(n: int = SAMPLE_CUSTOMERS, *, seed: int = 1, date: str = "20250131",
                   residents: int | None = None, sort: bool = True) -> Water:
    """`n` water customers owned by the city's residents and a round of readings
    taken in the weeks before `date` (the processing date)."""
    rng = np.random.default_rng([seed, 0x5D1])
    owners = person_numbers(residents, seed=seed) if residents else person_numbers(seed=seed)  # active ones
    proc = np.datetime64(dt.datetime.strptime(date, "%Y%m%d").date(), "D")

    taps = FIRST_TAP + np.cumsum(rng.integers(1, 30, n)) * 10
    cust = np.full((n, CUST_LRECL), 0x20, np.uint8)
    cust[:, 0:10] = _digits(taps, 10)
    cust[:, 10:20] = _digits(rng.choice(owners, n), 10)
    name = np.char.add(np.char.add(np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)], " "),
                       np.array(GIVEN)[rng.integers(0, len(GIVEN), n)])
    uniq, inv = np.unique(name, return_inverse=True)
    cust[:, 20:50] = _text(list(uniq), inv, 30)
    cust[:, 50:56] = _digits(rng.integers(10, 90, n) * 10_000 + rng.integers(101, 9_999, n), 6)
    kokei = rng.choice(DIAMETERS, n, p=DIAMETER_SHARES)
    cust[:, 56:59] = _digits(kokei, 3)
    cust[:, 59] = np.where(rng.random(n) < 0.85, ord("1"), ord("0"))          # sewer connected
    closed = rng.random(n) < 0.03
    cust[:, 60] = np.where(closed, ord("9"), ord("0"))
    cust[:, 61] = np.where(rng.random(n) < 0.6, ord("1"), ord("0"))          # account transfer
    zenkai = rng.integers(0, 10_000, n)
    cust[:, 62:66] = _digits(zenkai, 4)
    prev_day = proc - 61 - rng.integers(0, 14, n)
    never = rng.random(n) < 0.01                                              # new taps, never read
    cust[:, 66:74] = _digits(np.where(never, 0, _ymd(prev_day)), 8)

    # the round: about half of the taps, read 1-20 days before processing
    read = np.flatnonzero(rng.random(n) < ROUND_SHARE)
    m = len(read)
    usage = np.clip(rng.lognormal(np.log(38), 0.6, m).astype(np.int64), 0, 1_900)
    big = kokei[read] >= 50
    usage[big] = usage[big] * 8
    usage = np.minimum(usage, 1_990)
    rec = np.full((m, READ_LRECL), 0x20, np.uint8)
    rec[:, 0:10] = cust[read, 0:10]
    rec[:, 10:18] = _digits(_ymd(proc - rng.integers(1, 21, m)), 8)
    exchange = rng.random(m) < 0.02
    konkai = (zenkai[read] + usage) % 10_000
    old_final = (zenkai[read] + usage // 2) % 10_000
    konkai[exchange] = usage[exchange] - usage[exchange] // 2                   # new meter from 0
    rec[:, 18:22] = _digits(konkai, 4)
    rec[:, 22] = np.where(exchange, ord("1"), ord("0"))
    rec[:, 23:27] = _digits(np.where(exchange, old_final, 0), 4)
    rec[:, 27:31] = _digits([0], 4)[0]

    intended = {}
    slots = rng.permutation(m)
    pos = 0
    for reason, share in FAULT_SHARES.items():
        k = int(round(share * m))
        sel = slots[pos:pos + k]
        pos += k
        intended[reason] = k
        if reason == "NF":
            rec[sel, 0:10] = _digits(FIRST_TAP - 1 - rng.integers(0, 10**6, k) * 10, 10)
        elif reason == "IV":
            rec[sel, 20] = ord("X")
        elif reason == "DT":
            rec[sel, 10:18] = _digits(_ymd(proc + rng.integers(1, 30, k)), 8)
        elif reason == "HV":
            rec[sel, 18:22] = _digits((zenkai[read[sel]] + 2_500) % 10_000, 4)
            rec[sel, 22] = ord("0")
    du = slots[pos:pos + int(round(FAULT_SHARES["DU"] * m))]
    intended["DU"] = len(du)
    readings = np.concatenate([rec, rec[du]])
    if sort:
        readings = readings[np.argsort(readings[:, :10].copy().view("S10").ravel(), kind="stable")]
    else:
        readings = readings[rng.permutation(len(readings))]
    intended["CL"] = int(closed[read].sum())
    intended["TF"] = int((kokei[read] == 200).sum())
    return Water(cust, readings, tariff_records(), round_parm(date), intended)


def water_payments(chotei: np.ndarray, *, date: str, seed: int = 1, share: float = 0.4) -> np.ndarray:
    """NOFUTRN records paying `share` of the water and sewer items SUIDO01 wrote
    (CHOTEI-OUT, SHUNOMST), in full, on `date`: account transfers for the taps
    paid that way, else the bank or a convenience store."""
    rng = np.random.default_rng([seed, 0x5D2])
    pick = np.flatnonzero(rng.random(len(chotei)) < share)
    items = chotei[pick]
    nib = np.stack([items[:, 36:42] >> 4, items[:, 36:42] & 15], axis=2).reshape(len(items), 12)[:, :11]
    amount = (nib.astype(np.int64) * 10 ** np.arange(10, -1, -1)).sum(axis=1)
    tran = np.full((len(items), 60), 0x20, np.uint8)
    tran[:, 0:18] = items[:, 0:18]
    tran[:, 18] = np.where(items[:, 76] == ord("1"), ord("4"), rng.choice([ord("2"), ord("3")], len(items)))
    tran[:, 19:27] = np.frombuffer(date.encode(), np.uint8)
    tran[:, 27:38] = _digits(amount, 11)
    tran[:, 38:47] = _digits([0], 9)[0]
    tran[:, 47:55] = _digits(900_000 + np.arange(len(items)), 8)
    return tran


# --------------------------------------------------------------------------- the city's catalog
WATER_DSNS = {"master": "CITY.SUIDO.MASTER", "read": "CITY.SUIDO.KENSHIN", "chotei": "CITY.SUIDO.CHOTEI",
              "bill": "CITY.SUIDO.BILL", "error": "CITY.SUIDO.ERROR"}
TARIFF_DSN = "CITY.SUIDO.RYOKIN"
GDG_LIMIT = 7


def _host(records: np.ndarray, encoding: str) -> np.ndarray:
    """SUIDOMST / KENSHIN / RYOKIN are text and unsigned digits only: EBCDIC is a
    byte-for-byte translation."""
    from datasets.generate import _EBCDIC
    return records if encoding == "ascii" else _EBCDIC[records]


def catalog_water(w: Water, *, encoding: str = "ascii", home=None, say=None) -> dict[str, str]:
    """The customers and readings as new generations, the tariff as a plain dataset."""
    import tempfile
    from pathlib import Path

    from datasets.generate import write_records
    from engine.job.catalog import Catalog, import_dataset

    catalog = Catalog(home)
    try:
        for base in WATER_DSNS.values():
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, GDG_LIMIT)
        have_tariff = catalog.get(TARIFF_DSN) is not None
    finally:
        catalog.close()
    dialect = "ibm" if encoding != "ascii" else "gnucobol"
    made = {}
    with tempfile.TemporaryDirectory(prefix="water-", dir=home) as tmp:
        files = [("master", "SUIDOMST", 100, w.customers, f"{WATER_DSNS['master']}(+1)"),
                 ("read", "KENSHIN", 40, w.readings, f"{WATER_DSNS['read']}(+1)")]
        if not have_tariff:
            files.append(("tariff", "RYOKIN", 40, w.tariff, TARIFF_DSN))
        for key, copybook, lrecl, records, dsn in files:
            path = Path(tmp) / f"{key}.dat"
            write_records(path, _host(records, encoding))
            made[key] = import_dataset(dsn, path, copybook=copybook, encoding=encoding, recfm="FB",
                                       lrecl=lrecl, dialect=dialect, move=True, home=home, say=say).dsn
    return made


def add_water_payments(*, date: str, seed: int = 1, encoding: str = "ascii", home=None,
                       say=None) -> int:
    """The day's payments of the water items just billed (CITY.SUIDO.CHOTEI(0)), as a
    generation of their own, CITY.SHUNO.TRAN(+1): SHUNOD posts every generation (it was
    TRAN(0) + the payments when SHUNOD read TRAN(0) alone; now that would post the day's
    other payments twice)."""
    import tempfile
    from pathlib import Path

    from datasets.generate import _EBCDIC, ebcdic_transactions, write_records
    from engine.job.catalog import Catalog, import_dataset

    catalog = Catalog(home)
    try:
        chotei_path = catalog.generations(WATER_DSNS["chotei"])[-1].path
    finally:
        catalog.close()
    chotei = np.fromfile(chotei_path, np.uint8).reshape(-1, 100)
    if encoding != "ascii":                      # key and 口座振替区分 back to ASCII
        back = np.argsort(_EBCDIC).astype(np.uint8)
        chotei = chotei.copy()
        chotei[:, 0:18] = back[chotei[:, 0:18]]
        chotei[:, 76] = back[chotei[:, 76]]
    pay = water_payments(chotei, date=date, seed=seed)
    if encoding != "ascii":
        pay = ebcdic_transactions(pay)
    with tempfile.TemporaryDirectory(prefix="water-", dir=home) as tmp:
        path = Path(tmp) / "tran.dat"
        write_records(path, pay)
        import_dataset("CITY.SHUNO.TRAN(+1)", path, copybook="NOFUTRN", encoding=encoding, recfm="FB",
                       lrecl=60, dialect="ibm" if encoding != "ascii" else "gnucobol", move=True,
                       home=home, say=say)
    return len(pay)
