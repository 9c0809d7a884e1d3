"""The sample city: a believable collection master (SHUNOMST) and a day's payment
transactions (NOFUTRN), generated with NumPy over whole columns.

The records are built as bytes directly (GnuCOBOL's ASCII conventions, as the
legacy files; or the host's EBCDIC with IBM signs), not through the engine's
codec, so that the codec can be tested against them. The same seed gives the
same bytes.

Shape of the city (a city of ~115,000 people, the legacy host's 2007 figures):
five fiscal years of notices for the six revenue items, with the installments
of the municipal rules (resident tax 4, fixed-asset tax 4, light vehicle 1,
NHI 8 or 10, water and sewer bimonthly 6), amounts computed by the rules'
tariffs, and payment states in the proportions of a city that mostly pays.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from engine.calendar import roll_forward_array

MASTER_LRECL = 100
TRAN_LRECL = 60
CITY_MASTERS = 5_294_774       # the legacy host's collection master, 2007
SAMPLE_MASTERS = 20_000
BENCH_TRANSACTIONS = 1_000_000
SAMPLE_TRANSACTIONS = 1_000     # a day of the small sample city (5% of its masters)
GENERATOR_VERSION = 2           # changes whenever the same arguments give other bytes
DEFAULT_DATE = "20250131"
YEARS = 5                      # fiscal years held in the master

# revenue item -> (share of master records, installments per notice, due months of
# each installment as (month, year offset from the fiscal year))
ITEMS: dict[int, tuple[float, list[tuple[int, int]]]] = {
    1: (0.11, [(6, 0), (8, 0), (10, 0), (1, 1)]),                       # 市県民税 普通徴収
    2: (0.17, [(4, 0), (7, 0), (12, 0), (2, 1)]),                       # 固定資産税
    3: (0.05, [(5, 0)]),                                                # 軽自動車税
    4: (0.19, [(6, 0), (7, 0), (8, 0), (9, 0), (10, 0), (11, 0),
               (12, 0), (1, 1), (2, 1), (3, 1)]),                       # 国民健康保険税 (8 or 10)
    11: (0.27, [(5, 0), (7, 0), (9, 0), (11, 0), (1, 1), (3, 1)]),      # 水道料金 (bimonthly)
    12: (0.21, [(5, 0), (7, 0), (9, 0), (11, 0), (1, 1), (3, 1)]),      # 下水道使用料
}
NHI_SHORT_MONTHS = [(7, 0), (8, 0), (9, 0), (10, 0), (11, 0), (12, 0), (1, 1), (2, 1)]

# payment channels '1'..'5': counter, bank, convenience store, account transfer, smartphone
CHANNEL_SHARES = np.array([0.08, 0.25, 0.30, 0.30, 0.07])
# reject reasons of SHUNO01, in the order it checks them, and their share of a day
REASONS = ("IV", "DT", "CH", "NF", "CX")
REASON_SHARES = {"IV": 0.015, "DT": 0.015, "CH": 0.010, "NF": 0.020, "CX": 0.010}
CANCEL_SHARE = 0.005           # cancellations (negative amounts) among posted transactions

# light vehicle tax per year (municipal rules), with believable frequencies
LIGHT_VEHICLE_TAX = np.array([2000, 2400, 3600, 3900, 6000, 7200, 10800, 12900, 5900])
LIGHT_VEHICLE_FREQ = np.array([0.10, 0.03, 0.07, 0.02, 0.03, 0.18, 0.47, 0.08, 0.02])

# bytes for the host (IBM EBCDIC, cp930's SBCS part for the characters used here:
# digits, upper case, space and a few signs are the same in cp037 and cp930)
_EBCDIC = np.frombuffer(bytes(range(256)).decode("latin-1").encode("cp037"), np.uint8).copy()


@dataclass
class City:
    """A generated city: the master and a day's transactions, as ASCII records."""
    master: np.ndarray                 # uint8 (n, 100), GnuCOBOL ASCII conventions
    transactions: np.ndarray           # uint8 (m, 60)
    date: str                          # processing date YYYYMMDD
    seed: int
    intended: dict[str, int] = field(default_factory=dict)   # transactions per intended reason / 'posted'


# --------------------------------------------------------------------------- bytes

_QUAD = (np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1]) % 10).astype(np.uint8)  # 0000..9999
_QUAD32 = _QUAD.copy().view(np.uint32).ravel()          # the four digit bytes of each as one word


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """The last `width` decimal digits of |values| as (n, width) uint8 0..9, four
    digits per division (a table look-up gives each group's digits)."""
    x = np.abs(np.asarray(values, dtype=np.int64)).astype(np.float64)   # exact below 2**53
    groups = -(-width // 4)
    out = np.empty((len(x), groups), dtype=np.uint32)
    for g in range(groups - 1, -1, -1):
        q = np.floor(x / 10_000.0)
        out[:, g] = _QUAD32[(x - q * 10_000.0).astype(np.intp)]
        x = q
    return out.view(np.uint8)[:, groups * 4 - width:]


def zoned(values: np.ndarray, width: int, *, signed: bool = False) -> np.ndarray:
    """Unsigned / trailing-sign zoned decimal, GnuCOBOL ASCII: (n, width) uint8.
    A negative value carries 0x70+digit in its last byte ('p'..'y')."""
    v = np.asarray(values, dtype=np.int64)
    out = _digits(v, width) + np.uint8(0x30)
    if signed:
        out[:, -1] += np.where(v < 0, 0x40, 0).astype(np.uint8)
    return out


def packed(values: np.ndarray, digits: int, *, signed: bool = True) -> np.ndarray:
    """COMP-3: digits then a sign nibble (C/D, or F when unsigned), big-endian nibbles."""
    v = np.asarray(values, dtype=np.int64)
    nbytes = digits // 2 + 1
    ndig = nbytes * 2 - 1                       # a leading zero nibble when digits is even
    nib = np.empty((len(v), ndig + 1), dtype=np.uint8)
    nib[:, :ndig] = _digits(v, ndig)
    nib[:, ndig] = np.where(v < 0, 0xD, 0xC) if signed else 0xF
    return (nib[:, 0::2] << 4) | nib[:, 1::2]


def text(values: list[str] | np.ndarray, n: int, width: int) -> np.ndarray:
    """A constant or per-row ASCII text column, space padded."""
    if isinstance(values, str):
        row = np.frombuffer(values.ljust(width)[:width].encode("ascii"), np.uint8)
        return np.broadcast_to(row, (n, width)).copy()
    arr = np.asarray(values, dtype=f"S{width}")
    out = np.frombuffer(arr.tobytes(), np.uint8).reshape(n, width).copy()
    out[out == 0] = 0x20
    return out


def ebcdic_master(records: np.ndarray) -> np.ndarray:
    """SHUNOMST from GnuCOBOL ASCII to the host's EBCDIC (IBM conventions):
    text and zoned bytes translated, packed fields kept as they are."""
    out = _EBCDIC[records]
    out[:, 36:59] = records[:, 36:59]          # SH-CHOTEI/NOFU/KANPU/ENTAI-GAKU, COMP-3
    out[:, 85:87] = records[:, 85:87]          # SH-NOFU-KAISU, COMP-3
    return out


def ebcdic_transactions(records: np.ndarray) -> np.ndarray:
    """NOFUTRN from GnuCOBOL ASCII to EBCDIC: the trailing sign of NT-NOFU-GAKU and
    NT-ENTAI-GAKU becomes the zone C (+) or D (-) the host writes."""
    out = _EBCDIC[records]
    for last in (37, 46):                      # last byte of the two signed zoned fields
        b = records[:, last]
        pos = (b >= 0x30) & (b <= 0x39)
        neg = (b >= 0x70) & (b <= 0x79)
        out[:, last] = np.where(pos, 0xC0 + (b - 0x30), np.where(neg, 0xD0 + (b - 0x70), out[:, last]))
    return out


# --------------------------------------------------------------------------- dates

def _ymd(d: np.ndarray) -> np.ndarray:
    """datetime64[D] -> YYYYMMDD as int64, through a table of the days spanned."""
    days = np.asarray(d, dtype="datetime64[D]").astype(np.int64)
    if len(days) == 0:
        return days
    lo = int(days.min())
    return _civil(np.arange(lo, int(days.max()) + 1))[days - lo]


def _civil(days: np.ndarray) -> np.ndarray:
    """Day numbers (since 1970-01-01) -> YYYYMMDD: the proleptic Gregorian calendar
    in integer arithmetic."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    return year * 10_000 + month * 100 + day


def _next_open_day(days: np.ndarray) -> np.ndarray:
    """Move deadlines on a closed day (weekend, holiday, 12/29-1/3) to the next open
    day (municipal rules), by the city calendar."""
    return roll_forward_array(days.astype("datetime64[D]"))


def _fiscal_year(date: dt.date) -> int:
    return date.year if date.month >= 4 else date.year - 1


# --------------------------------------------------------------------------- master

def _amounts(rng: np.random.Generator, kamoku: np.ndarray, kibetsu: np.ndarray,
             nkibetsu: np.ndarray, notice_annual: np.ndarray) -> np.ndarray:
    """Assessed amount of each installment from its notice's annual amount:
    installments 2.. get annual / k truncated (1,000 yen for fixed-asset tax,
    100 yen otherwise), the first gets the remainder (地方税法 20条の4の2)."""
    unit = np.where(kamoku == 2, 1000, 100)
    later = (notice_annual // nkibetsu) // unit * unit
    first = notice_annual - later * (nkibetsu - 1)
    amount = np.where(kibetsu == 1, first, later)
    # water and sewer: every bimonthly bill is computed from its own reading
    for item, fn in ((11, _water_charge), (12, _sewer_charge)):
        sel = kamoku == item
        usage = np.maximum(rng.gamma(4.0, 9.0, sel.sum()).astype(np.int64), 0)     # m3 in two months
        amount[sel] = fn(usage)
    return amount


def _tiered(m3: np.ndarray, bounds: list[int], prices: list[int]) -> np.ndarray:
    total = np.zeros_like(m3)
    lower = 0
    for upper, price in zip(bounds, prices):
        total += np.clip(m3 - lower, 0, upper - lower) * price
        lower = upper
    return total


def _water_charge(m3_two_months: np.ndarray) -> np.ndarray:
    """Two months of water, 20 mm meter (example tariff of the municipal rules), tax 10%."""
    per_month = m3_two_months // 2
    charge = 1750 + _tiered(per_month, [10, 20, 50, 10**9], [40, 220, 270, 310])
    return (charge * 2 * 110 // 100) // 10 * 10


def _sewer_charge(m3_two_months: np.ndarray) -> np.ndarray:
    per_month = m3_two_months // 2
    charge = 1000 + _tiered(np.maximum(per_month - 10, 0), [20, 50, 90, 490, 10**9],
                            [130, 170, 210, 250, 300])
    return (charge * 2 * 110 // 100) // 10 * 10


def _annual(rng: np.random.Generator, kamoku: np.ndarray) -> np.ndarray:
    """Annual amount of each notice, believable per item (yen, 100-yen units for taxes)."""
    n = len(kamoku)
    annual = np.zeros(n, dtype=np.int64)
    sel = kamoku == 1        # resident tax: 所得割 + 均等割
    annual[sel] = (rng.lognormal(np.log(90_000), 0.8, sel.sum()).astype(np.int64) + 5_000) // 100 * 100
    sel = kamoku == 2        # fixed-asset tax: 1.4% of 課税標準 (truncated to 1,000), tax to 100
    base = rng.lognormal(np.log(5_500_000), 0.9, sel.sum()).astype(np.int64) // 1000 * 1000
    base = np.maximum(base, 300_000)
    annual[sel] = (base * 14 // 1000) // 100 * 100
    sel = kamoku == 3
    annual[sel] = rng.choice(LIGHT_VEHICLE_TAX, sel.sum(), p=LIGHT_VEHICLE_FREQ)
    sel = kamoku == 4        # NHI per household
    annual[sel] = (rng.lognormal(np.log(140_000), 0.7, sel.sum()).astype(np.int64) + 10_000) // 100 * 100
    return annual


def generate_master(n: int, *, seed: int = 1, date: str = DEFAULT_DATE) -> tuple[np.ndarray, dict]:
    """`n` SHUNOMST records (ASCII, keys ascending and unique) and their columns
    (dict of int64 / uint8 arrays) for the transaction generator."""
    rng = np.random.default_rng([seed, 0x5A1])
    proc = dt.datetime.strptime(date, "%Y%m%d").date()
    fy_last = _fiscal_year(proc)
    years = list(range(fy_last - YEARS + 1, fy_last + 1))

    # notices per (year, item): records share by item, installments per notice
    groups = []                  # (year, item, notices, installments per notice array)
    remaining = n
    per_year = n / YEARS
    plan = [(y, k) for y in years for k in ITEMS]
    for i, (year, item) in enumerate(plan):
        share, months = ITEMS[item]
        want = int(per_year * share)
        if item == 4:
            k = np.where(rng.random(max(want // 9, 1)) < 0.7, 10, 8)
        else:
            k = np.full(max(want // len(months), 1), len(months))
        csum = np.cumsum(k)
        k = k[: int(np.searchsorted(csum, min(want, remaining), side="right"))]
        groups.append([year, item, k])
        remaining -= int(k.sum())
    # the remainder (rounding) goes to light vehicle notices of the last year: one record each
    last_lv = next(g for g in reversed(groups) if g[1] == 3)
    last_lv[2] = np.concatenate([last_lv[2], np.ones(remaining, dtype=np.int64)])

    nendo_n, kamoku_n, tsuchi_n, k_n = [], [], [], []
    for year, item, k in groups:
        m = len(k)
        if m == 0:
            continue
        start = rng.integers(1, 400_000) + item * 10_000_000
        tsuchi = start + np.cumsum(rng.integers(1, 8, m))        # gaps: renumbered / withdrawn notices
        nendo_n.append(np.full(m, year)); kamoku_n.append(np.full(m, item))
        tsuchi_n.append(tsuchi); k_n.append(k)
    nendo_n = np.concatenate(nendo_n).astype(np.int64)
    kamoku_n = np.concatenate(kamoku_n).astype(np.int64)
    tsuchi_n = np.concatenate(tsuchi_n).astype(np.int64)
    k_n = np.concatenate(k_n).astype(np.int64)
    notices = len(k_n)

    # per notice: payer, annual amount, cancelled?, pays by account transfer?
    population = max(n // 46, 10)                                  # ~115,000 for the city size
    kojin_n = 1_000_000_000 + rng.integers(0, population, notices) * 97 + 13
    annual_n = _annual(rng, kamoku_n)
    cancelled_n = rng.random(notices) < 0.012
    kofuri_share = np.select([kamoku_n == 4, kamoku_n >= 11], [0.45, 0.55], 0.28)
    kofuri_n = rng.random(notices) < kofuri_share

    # records: one per installment
    rec_notice = np.repeat(np.arange(notices), k_n)
    first = np.repeat(np.cumsum(k_n) - k_n, k_n)
    kibetsu = np.arange(n) - first + 1
    nendo, kamoku, nk = nendo_n[rec_notice], kamoku_n[rec_notice], k_n[rec_notice]
    chotei = _amounts(rng, kamoku, kibetsu, nk, annual_n[rec_notice])

    # due dates: last day of the installment's month, moved to the next open day
    month = np.zeros(n, dtype=np.int64)
    yoff = np.zeros(n, dtype=np.int64)
    for item, (_, months) in ITEMS.items():
        for short, table in ((False, months), (True, NHI_SHORT_MONTHS)):
            if short and item != 4:
                continue
            sel_item = (kamoku == item) & ((nk == 8) if short else (nk != 8 if item == 4 else True))
            tab_m = np.array([m for m, _ in table]); tab_y = np.array([y for _, y in table])
            idx = np.minimum(kibetsu[sel_item] - 1, len(table) - 1)
            month[sel_item] = tab_m[idx]; yoff[sel_item] = tab_y[idx]
    first_of_month = (((nendo + yoff - 1970) * 12 + month - 1).astype("datetime64[M]"))
    due = _next_open_day((first_of_month + 1).astype("datetime64[D]") - 1)
    nokigen = _ymd(due)
    proc64 = np.datetime64(proc, "D")
    past_due = due < proc64

    # payment state, in believable proportions; a cancelled notice is cancelled whole
    u = rng.random(n)
    state = np.where(past_due,
                     np.select([u < 0.900, u < 0.925, u < 0.935], [2, 1, 3], 0),
                     np.select([u < 0.120, u < 0.130, u < 0.132], [2, 1, 3], 0))
    state = np.where(cancelled_n[rec_notice], 9, state)
    kofuri = kofuri_n[rec_notice]
    state = np.where(kofuri & past_due & (state < 9) & (rng.random(n) < 0.95), 2, state)

    nofu = np.select(
        [state == 2, state == 1, state == 3],
        [chotei,
         np.maximum((chotei * rng.uniform(0.1, 0.9, n)).astype(np.int64) // 100 * 100, 100),
         chotei + np.where(rng.random(n) < 0.6, chotei, rng.integers(1, 50, n) * 100)],
        0)
    nofu = np.where((state == 1) & (nofu >= chotei), chotei // 2, nofu)
    kanpu = np.maximum(nofu - chotei, 0)
    paid = (state == 1) | (state == 2) | (state == 3)
    late = paid & past_due & (rng.random(n) < 0.06)
    pay_day = np.where(late, due + rng.integers(20, 200, n), due - rng.integers(0, 25, n))
    pay_day = np.minimum(pay_day, proc64 - 1)
    shunyu = np.where(paid, _ymd(pay_day), 0)
    fee_base = (chotei // 1000) * 1000
    entai = np.where(late & (kamoku <= 4) & (fee_base >= 2000),
                     (fee_base * 87 // 1000 * (pay_day - due).astype(np.int64) // 365) // 100 * 100, 0)
    entai = np.where(entai < 1000, 0, entai)
    reminded = past_due & ((state == 0) | (state == 1) | late) & (kamoku <= 4)
    tokusoku = np.where(reminded, _ymd(np.minimum(due + 20, proc64 - 1)), 0)
    kofuri_kbn = np.where(kofuri & paid, ord("1"), ord("0")).astype(np.uint8)
    assessed_on = _ymd(((nendo - 1970) * 12 + 3).astype("datetime64[M]").astype("datetime64[D]"))  # 1 April
    koshin = np.where(paid, shunyu, np.maximum(tokusoku, assessed_on))
    koshin = np.where(state == 9, _ymd(np.full(n, proc64) - rng.integers(1, 300, n)), koshin)
    kaisu = np.where(paid, np.where(state == 2, 1, rng.integers(1, 3, n)), 0)
    jotai = (state + 0x30).astype(np.uint8)

    rec = np.empty((n, MASTER_LRECL), dtype=np.uint8)
    rec[:, 0:4] = zoned(nendo, 4)
    rec[:, 4:6] = zoned(kamoku, 2)
    rec[:, 6:16] = zoned(tsuchi_n[rec_notice], 10)
    rec[:, 16:18] = zoned(kibetsu, 2)
    rec[:, 18:28] = zoned(kojin_n[rec_notice], 10)
    rec[:, 28:36] = zoned(nokigen, 8)
    rec[:, 36:42] = packed(chotei, 11)
    rec[:, 42:48] = packed(nofu, 11)
    rec[:, 48:54] = packed(kanpu, 11)
    rec[:, 54:59] = packed(entai, 9)
    rec[:, 59:67] = zoned(shunyu, 8)
    rec[:, 67:75] = zoned(tokusoku, 8)
    rec[:, 75] = jotai
    rec[:, 76] = kofuri_kbn
    rec[:, 77:85] = zoned(koshin, 8)
    rec[:, 85:87] = packed(kaisu, 3, signed=False)
    rec[:, 87:100] = 0x20
    cols = dict(nendo=nendo, kamoku=kamoku, kibetsu=kibetsu, chotei=chotei, nofu=nofu,
                state=state, due=due, kofuri=kofuri, past_due=past_due)
    return rec, cols


# --------------------------------------------------------------------------- transactions

def generate_transactions(master: np.ndarray, cols: dict, m: int, *, seed: int = 1,
                          date: str = DEFAULT_DATE, sort: bool = True) -> tuple[np.ndarray, dict]:
    """A day's `m` NOFUTRN records (ASCII) against `master`: payments from the five
    channels, a few cancellations, and a few percent of each reject reason, each
    record with one fault only so that its reason is the intended one."""
    rng = np.random.default_rng([seed, 0x7A2])
    proc = np.datetime64(dt.datetime.strptime(date, "%Y%m%d").date(), "D")
    state = cols["state"]

    reason = rng.choice(len(REASONS) + 1, m, p=[*REASON_SHARES.values(), 1 - sum(REASON_SHARES.values())])
    # make sure every reason occurs in any day of 100 transactions or more
    if m >= 100:
        reason[: len(REASONS)] = np.arange(len(REASONS))
        reason = rng.permutation(reason)
    posted = reason == len(REASONS)
    cancelled_rows = np.flatnonzero(state == 9)
    if len(cancelled_rows) == 0:                   # tiny masters: CX becomes NF
        reason[reason == 4] = 3
    cancel = posted & (rng.random(m) < CANCEL_SHARE)
    pay = ~cancel & (reason != 4)                  # every other record targets a live master

    # target master record of each transaction
    open_rows = np.flatnonzero(state <= 1)
    paid_rows = np.flatnonzero(state == 2)
    live_rows = np.flatnonzero(state != 9)
    target = np.empty(m, dtype=np.int64)
    pool = open_rows if len(open_rows) else live_rows
    target[pay] = _draw(rng, pool, int(pay.sum()))
    pool = paid_rows if len(paid_rows) else live_rows
    target[cancel] = _draw(rng, pool, int(cancel.sum()))
    cx = reason == 4
    if cx.any():
        target[cx] = cancelled_rows[rng.integers(0, len(cancelled_rows), cx.sum())]

    # channel: account-transfer payers pay by transfer; the rest by shares of the others
    channel = rng.choice(5, m, p=CHANNEL_SHARES) + 1
    by_transfer = cols["kofuri"][target] & pay
    channel = np.where(by_transfer, 4, np.where(channel == 4, rng.choice([1, 2, 3, 5], m), channel))
    transfer_share = CHANNEL_SHARES[3]
    extra = ~by_transfer & (rng.random(m) < transfer_share - (by_transfer.mean() if m else 0))
    channel = np.where(extra, 4, channel)

    # amount: what remains to pay, sometimes a part; cancellations reverse a payment
    chotei, nofu = cols["chotei"][target], cols["nofu"][target]
    remaining = np.maximum(chotei - nofu, 0)
    remaining = np.where(remaining == 0, chotei, remaining)
    part = rng.random(m) < 0.05
    amount = np.where(part, np.maximum(remaining // 2 // 100 * 100, 100), remaining)
    amount = np.where(cancel, -np.maximum(nofu, 100), amount)
    due = cols["due"][target]
    overdue = (due < proc) & (cols["kamoku"][target] <= 4)
    fee = np.where(overdue & (rng.random(m) < 0.3) & (chotei >= 20_000),
                   (chotei // 1000 * 1000 * 28 // 1000 * (proc - due).astype(np.int64) // 365) // 100 * 100, 0)
    fee = np.where(fee < 1000, 0, np.minimum(fee, 999_999_999))

    # receipt date: conveniences and banks report a few days late; transfers on one day
    lag = np.select([channel == 3, channel == 2, channel == 4], [rng.integers(1, 5, m), rng.integers(0, 3, m),
                                                                 np.full(m, 3)], rng.integers(0, 2, m))
    receipt = _ymd(proc - lag)
    renban = rng.permutation(m) + 1

    key = master[target, 0:18].copy()
    rec = np.empty((m, TRAN_LRECL), dtype=np.uint8)
    rec[:, 0:18] = key
    rec[:, 18] = (channel + 0x30).astype(np.uint8)
    rec[:, 19:27] = zoned(receipt, 8)
    rec[:, 27:38] = zoned(amount, 11, signed=True)
    rec[:, 38:47] = zoned(fee, 9, signed=True)
    rec[:, 47:55] = zoned(renban, 8)
    rec[:, 55:60] = 0x20

    _fault_iv(rng, rec, reason == 0)
    _fault_dt(rng, rec, reason == 1, proc)
    sel = np.flatnonzero(reason == 2)
    rec[sel, 18] = rng.choice(np.frombuffer(b"0678 9", np.uint8), len(sel))
    _fault_nf(rng, rec, reason == 3)

    if sort:
        # NT-KEY, NT-SHUNYU-BI, NT-RENBAN: the sort key skips channel and amounts
        sortkey = np.concatenate([rec[:, 0:18], rec[:, 19:27], rec[:, 47:55]], axis=1)
        order = np.argsort(sortkey.copy().view("S34").ravel(), kind="stable")
        rec = rec[order]
    else:                                          # arrival order: channel by channel
        order = np.lexsort((renban, channel))
        rec = rec[order]
    intended = {r: int((reason == i).sum()) for i, r in enumerate(REASONS)}
    intended["posted"] = int(posted.sum())
    intended["cancellations"] = int(cancel.sum())
    return rec, intended


def _draw(rng, pool: np.ndarray, k: int) -> np.ndarray:
    """k master rows from pool: distinct while the pool lasts (an item is rarely paid
    twice in a day), repeated only beyond it (a night larger than the open items)."""
    if k <= len(pool):
        return pool[rng.choice(len(pool), k, replace=False)]
    return np.concatenate([rng.permutation(pool), pool[rng.integers(0, len(pool), k - len(pool))]])


def _fault_iv(rng, rec: np.ndarray, sel: np.ndarray) -> None:
    """Amount or late fee not a signed zoned number, faults away from the sign byte
    (so that they are invalid in ASCII and EBCDIC alike): blanks instead of leading
    zeros, a letter O for a zero, a leading minus sign."""
    rows = np.flatnonzero(sel)
    kind = rng.integers(0, 4, len(rows))
    a = rows[kind == 0]; rec[a, 27:31] = 0x20                       # '    0001200' : not zero filled
    b = rows[kind == 1]; rec[b, 33] = ord("O")                      # letter O in the amount
    c = rows[kind == 2]; rec[c, 27] = ord("-")                      # leading sign
    d = rows[kind == 3]; rec[d, 40] = 0x20                          # space in the late fee


def _fault_dt(rng, rec: np.ndarray, sel: np.ndarray, proc: np.datetime64) -> None:
    rows = np.flatnonzero(sel)
    kind = rng.integers(0, 4, len(rows))
    after = _ymd(proc + rng.integers(1, 40, len(rows)))
    dates = np.select([kind == 0, kind == 1, kind == 2],
                      [after, (after // 10000) * 10000 + 230, (after // 10000) * 10000 + 1315], 0)
    rec[rows, 19:27] = zoned(dates, 8)                              # after PARM, 30 Feb, month 13, zeros


def _fault_nf(rng, rec: np.ndarray, sel: np.ndarray) -> None:
    """Keys no master has: an installment beyond any item's (13..19), or a notice
    number above every notice of its item."""
    rows = np.flatnonzero(sel)
    kind = rng.integers(0, 2, len(rows))
    a = rows[kind == 0]
    rec[a, 16:18] = zoned(rng.integers(13, 20, len(a)), 2)
    b = rows[kind == 1]
    rec[b, 6:16] = zoned(rng.integers(9_000_000_000, 9_999_999_999, len(b)), 10)


# --------------------------------------------------------------------------- city

def generate_city(masters: int = SAMPLE_MASTERS, transactions: int = SAMPLE_TRANSACTIONS, *,
                  seed: int = 1, date: str = DEFAULT_DATE, sort: bool = True) -> City:
    """The master and a day's transactions of the sample city (ASCII records)."""
    if masters < 1 or transactions < 0:
        from engine.errors import DensanError
        raise DensanError(f"cannot make a city of {masters} masters and {transactions} transactions",
                          hint="give at least 1 master and 0 or more transactions")
    try:
        dt.datetime.strptime(date, "%Y%m%d")
    except ValueError:
        from engine.errors import DensanError
        raise DensanError(f"processing date {date!r} is not a date YYYYMMDD",
                          hint="give --date as e.g. 20250131") from None
    master, cols = generate_master(masters, seed=seed, date=date)
    tran, intended = generate_transactions(master, cols, transactions, seed=seed, date=date, sort=sort)
    return City(master, tran, date, seed, intended)


def write_records(path, records: np.ndarray) -> int:
    """Write fixed-length records (no delimiters), in large slices."""
    with open(path, "wb") as f:
        step = 1 << 18
        for start in range(0, len(records), step):
            f.write(np.ascontiguousarray(records[start:start + step]).tobytes())
    return len(records)


def write_city(city: City, master_path, tran_path, *, encoding: str = "ascii") -> None:
    """Write the city's two files, ASCII (GnuCOBOL) or cp930 (IBM host)."""
    enc = encoding.lower().replace("-", "").replace("ibm", "cp")
    if enc in ("ascii",):
        master, tran = city.master, city.transactions
    elif enc in ("cp930", "cp037", "cp1390", "cp939", "cp1399", "cp1047"):
        master, tran = ebcdic_master(city.master), ebcdic_transactions(city.transactions)
    else:
        from engine.errors import DensanError
        raise DensanError(f"the sample city cannot be written in {encoding!r}", hint="use ascii or cp930")
    write_records(master_path, master)
    write_records(tran_path, tran)
