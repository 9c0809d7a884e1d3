"""The sample city's population: the resident master (個人マスタ, JUKIMST records).

Everyone else in the sample city hangs off these people: the 10-digit 個人番号 of
the resident master is the owner of land and houses, the payer of the collection
master, the customer of a water tap. Use it like this:

    from datasets.residents import generate_residents, person_numbers

    people = generate_residents(seed=1)          # SAMPLE_RESIDENTS records
    people.records                               # uint8 (n, 200), JUKIMST bytes (GnuCOBOL ASCII, cp932 names)
    people.kojin_no                              # int64 (n,), ascending, unique, 10 digits
    people.active                                # bool (n,): JM-JOTAI '0', living in the city
    owners = person_numbers(seed=1)              # the active residents' numbers (what others draw from)

Same `n` and `seed`, same bytes (vectorised NumPy, no loop per person). `n` is
the number of master records, removed persons included: the seed city's
個人マスタ held CITY_RESIDENTS = 240,270 records for a population of 115,000
(about 48% active; the rest moved out, died or were removed ex officio and keep
their record). Names are Shift_JIS kanji (cp932) with their half-width katakana
readings, as keyed at the counter.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

LRECL = 200
CITY_RESIDENTS = 240_270           # 個人マスタ of the seed city (2007)
SAMPLE_RESIDENTS = 10_000
DEFAULT_DATE = "20250131"          # the day the master is as of (its last 更新日 at most)
FIRST_KEY = 1_000_000_001
ACTIVE_SHARE = 115_000 / CITY_RESIDENTS
# of the removed: moved out '1', deceased '2', removed ex officio '3'
REMOVED_SHARES = np.array([0.70, 0.27, 0.03])
FOREIGN_SHARE = 0.025
TOWNS = np.arange(10, 90)          # the first two digits of the city's address codes (100000-899999)

# surnames and given names with their readings (half-width katakana, as on the register)
SURNAMES = [("佐藤", "ｻﾄｳ"), ("鈴木", "ｽｽﾞｷ"), ("高橋", "ﾀｶﾊｼ"), ("田中", "ﾀﾅｶ"), ("伊藤", "ｲﾄｳ"),
            ("渡辺", "ﾜﾀﾅﾍﾞ"), ("山本", "ﾔﾏﾓﾄ"), ("中村", "ﾅｶﾑﾗ"), ("小林", "ｺﾊﾞﾔｼ"), ("加藤", "ｶﾄｳ"),
            ("吉田", "ﾖｼﾀﾞ"), ("山田", "ﾔﾏﾀﾞ"), ("佐々木", "ｻｻｷ"), ("山口", "ﾔﾏｸﾞﾁ"), ("松本", "ﾏﾂﾓﾄ"),
            ("井上", "ｲﾉｳｴ"), ("木村", "ｷﾑﾗ"), ("林", "ﾊﾔｼ"), ("斎藤", "ｻｲﾄｳ"), ("清水", "ｼﾐｽﾞ"),
            ("山崎", "ﾔﾏｻﾞｷ"), ("森", "ﾓﾘ"), ("池田", "ｲｹﾀﾞ"), ("橋本", "ﾊｼﾓﾄ"), ("阿部", "ｱﾍﾞ"),
            ("石川", "ｲｼｶﾜ"), ("杉山", "ｽｷﾞﾔﾏ"), ("大石", "ｵｵｲｼ"), ("望月", "ﾓﾁﾂﾞｷ"), ("鈴村", "ｽｽﾞﾑﾗ")]
MALE_NAMES = [("一郎", "ｲﾁﾛｳ"), ("翔太", "ｼｮｳﾀ"), ("誠", "ﾏｺﾄ"), ("茂", "ｼｹﾞﾙ"), ("蓮", "ﾚﾝ"),
              ("大翔", "ﾋﾛﾄ"), ("健一", "ｹﾝｲﾁ"), ("浩", "ﾋﾛｼ"), ("悠真", "ﾕｳﾏ"), ("隆", "ﾀｶｼ"),
              ("和夫", "ｶｽﾞｵ"), ("拓也", "ﾀｸﾔ"), ("陽翔", "ﾊﾙﾄ"), ("修", "ｵｻﾑ"), ("湊", "ﾐﾅﾄ")]
FEMALE_NAMES = [("花子", "ﾊﾅｺ"), ("美咲", "ﾐｻｷ"), ("優子", "ﾕｳｺ"), ("葵", "ｱｵｲ"), ("結衣", "ﾕｲ"),
                ("陽菜", "ﾋﾅ"), ("恵子", "ｹｲｺ"), ("幸子", "ｻﾁｺ"), ("さくら", "ｻｸﾗ"), ("芽依", "ﾒｲ"),
                ("直美", "ﾅｵﾐ"), ("由美", "ﾕﾐ"), ("凛", "ﾘﾝ"), ("和子", "ｶｽﾞｺ"), ("莉子", "ﾘｺ")]

# JUKIMST byte offsets (0-based start, length)
F_KOJIN, F_SETAI, F_ZOKU, F_SHIMEI, F_KANA = (0, 10), (10, 10), (20, 2), (22, 30), (52, 30)
F_SEINEN, F_SEIBETSU, F_KOKUSEKI, F_JUSHO, F_BANCHI = (82, 8), (90, 1), (91, 1), (92, 6), (98, 20)
F_JUMIN, F_JUTEI, F_TOHYOKU, F_JOTAI, F_SHOJO, F_KOSHIN = (118, 8), (126, 8), (134, 2), (136, 1), (137, 8), (145, 8)


@dataclass
class Residents:
    """A generated resident master."""
    records: np.ndarray            # uint8 (n, 200): JUKIMST, GnuCOBOL ASCII, names in cp932
    kojin_no: np.ndarray           # int64 (n,), ascending and unique
    active: np.ndarray             # bool (n,): JM-JOTAI '0'
    date: str                      # the date the master is as of
    seed: int

    @property
    def active_numbers(self) -> np.ndarray:
        """個人番号 of the people living in the city (JM-JOTAI '0')."""
        return self.kojin_no[self.active]


# --------------------------------------------------------------------------- bytes

def digits(values: np.ndarray, width: int) -> np.ndarray:
    """Unsigned zoned ASCII digits of `values` (last `width` digits): (n, width) uint8."""
    v = np.asarray(values, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((v[:, None] // powers[None, :]) % 10 + 0x30).astype(np.uint8)


def _table(strings: list[str], width: int, encoding: str = "cp932") -> np.ndarray:
    """Strings as a (k, width) table of space-padded bytes."""
    out = np.full((len(strings), width), 0x20, np.uint8)
    for i, s in enumerate(strings):
        b = s.encode(encoding)[:width]
        out[i, :len(b)] = np.frombuffer(b, np.uint8)
    return out


def _ymd(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> YYYYMMDD int64 (proleptic Gregorian, integer arithmetic)."""
    z = np.asarray(days, np.int64) + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return (yoe + era * 400 + (month <= 2)) * 10_000 + month * 100 + day


def _day(yyyymmdd: str) -> int:
    return int(np.datetime64(f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:]}", "D").astype(np.int64))


def tohyoku(jusho_cd: np.ndarray) -> np.ndarray:
    """Polling district (投票区) of an address code: first two digits mod 12, plus 1."""
    return np.asarray(jusho_cd, np.int64) // 10_000 % 12 + 1


def names(rng: np.random.Generator, male: np.ndarray, surname: np.ndarray | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """(氏名, カナ氏名) bytes, (n, 30) each, for people of the given sex; `surname`
    (indices into SURNAMES) is drawn when not given."""
    n = len(male)
    if surname is None:
        surname = rng.integers(0, len(SURNAMES), n)
    given = rng.integers(0, len(MALE_NAMES), n)
    kanji, kana = _name_tables()
    per = len(MALE_NAMES) + len(FEMALE_NAMES)
    idx = surname * per + np.where(male, given, len(MALE_NAMES) + given)
    return kanji[idx], kana[idx]


@lru_cache(maxsize=1)
def _name_tables() -> tuple[np.ndarray, np.ndarray]:
    kanji = [f"{s}\u3000{g}" for s, _ in SURNAMES for g, _ in MALE_NAMES + FEMALE_NAMES]
    kana = [f"{s} {g}" for _, s in SURNAMES for _, g in MALE_NAMES + FEMALE_NAMES]
    return _table(kanji, 30), _table(kana, 30)


def banchi(rng: np.random.Generator, n: int) -> np.ndarray:
    """番地・方書 such as '16-7' or '2-14-7' (ASCII, space padded): (n, 20), drawn
    from a table of every form (no string work per person)."""
    table = _banchi_table()
    return table[rng.integers(0, len(table), n)]


@lru_cache(maxsize=1)
def _banchi_table() -> np.ndarray:
    forms = [f"{b}-{c}" for b in range(1, 40) for c in range(1, 20)]
    forms += [f"{a}-{b}-{c}" for a in range(1, 30) for b in range(1, 40) for c in range(1, 20)]
    return _table(forms, 20, "ascii")


def address_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    """住所コード (町丁目) within the city's codes 100000-899999."""
    return rng.choice(TOWNS, n) * 10_000 + rng.integers(1, 8, n) * 100 + rng.integers(1, 30, n)


# --------------------------------------------------------------------------- generator

def generate_residents(n: int = SAMPLE_RESIDENTS, *, seed: int = 1, date: str = DEFAULT_DATE) -> Residents:
    """The resident master of the sample city: `n` JUKIMST records in key order."""
    if n < 0:
        from engine.errors import DensanError
        raise DensanError(f"cannot make {n} residents", hint="give 0 or more")
    rng = np.random.default_rng([seed, 240_270])
    today = _day(date)
    keys = FIRST_KEY - 1 + np.cumsum(rng.integers(1, 4, n)) * 100     # gaps leave room for new keys
    # households of 1-5 persons; members are not neighbours in key order; the first is the head
    size = rng.choice([1, 2, 3, 4, 5], n, p=[0.35, 0.28, 0.18, 0.14, 0.05])
    group = np.repeat(np.arange(n), size)[:n]                   # household of slot i
    start = np.searchsorted(group, group)                       # its first slot
    person = rng.permutation(n)                                 # person in slot i
    hh = np.empty(n, np.int64)
    hh[person] = group
    pos = np.empty(n, np.int64)
    pos[person] = np.arange(n) - start
    zokugara = np.where(pos == 0, 1, np.where(pos == 1, 2, 3))   # head, spouse, children
    setai_no = np.empty(n, np.int64)
    setai_no[person] = keys[person[start]]

    male = rng.random(n) < 0.49
    surname = rng.integers(0, len(SURNAMES), n)[hh]                 # one surname per household
    shimei, kana = names(rng, male, surname)
    age_days = (rng.beta(1.6, 2.0, n) * 100 * 365.25).astype(np.int64)
    birth = today - age_days
    birth = np.where(rng.random(n) < 0.002, _day("20000229") + (rng.integers(0, 6, n) * 1461), birth)  # leap-day births
    birth = np.minimum(birth, today)
    jumin = np.maximum(birth, today - rng.integers(0, 40 * 365, n))
    jumin = np.where(rng.random(n) < 0.55, birth, jumin)             # born here
    jutei = jumin + ((today - jumin) * rng.random(n) * (rng.random(n) < 0.3)).astype(np.int64)
    jusho = address_codes(rng, n)[hh]                                # the household shares its address
    home = banchi(rng, n)[hh]

    active = rng.random(n) < ACTIVE_SHARE
    jotai = np.where(active, 0, rng.choice([1, 2, 3], n, p=REMOVED_SHARES))
    shojo = np.where(active, 0, jutei + ((today - jutei) * rng.random(n)).astype(np.int64))
    koshin = np.maximum(jutei, shojo)

    rec = np.full((n, LRECL), 0x20, np.uint8)

    def put(f, val):
        rec[:, f[0]:f[0] + f[1]] = val

    put(F_KOJIN, digits(keys, 10))
    put(F_SETAI, digits(setai_no, 10))
    put(F_ZOKU, digits(zokugara, 2))
    put(F_SHIMEI, shimei)
    put(F_KANA, kana)
    put(F_SEINEN, digits(_ymd(birth), 8))
    put(F_SEIBETSU, np.where(male, 0x31, 0x32).astype(np.uint8)[:, None])
    put(F_KOKUSEKI, np.where(rng.random(n) < FOREIGN_SHARE, 0x32, 0x31).astype(np.uint8)[:, None])
    put(F_JUSHO, digits(jusho, 6))
    put(F_BANCHI, home)
    put(F_JUMIN, digits(_ymd(jumin), 8))
    put(F_JUTEI, digits(_ymd(jutei), 8))
    put(F_TOHYOKU, digits(tohyoku(jusho), 2))
    put(F_JOTAI, (0x30 + jotai).astype(np.uint8)[:, None])
    put(F_SHOJO, digits(np.where(active, 0, _ymd(shojo)), 8))
    put(F_KOSHIN, digits(_ymd(koshin), 8))
    return Residents(rec, keys.astype(np.int64), active, date, seed)


def person_numbers(n: int = SAMPLE_RESIDENTS, *, seed: int = 1, active_only: bool = True) -> np.ndarray:
    """The 個人番号 (int64, ascending) of the city generated with `n` and `seed`:
    the people living in it (default), or every record of the master."""
    people = generate_residents(n, seed=seed)
    return people.active_numbers if active_only else people.kojin_no


def write_residents(people: Residents, path) -> int:
    """Write the master as GnuCOBOL record sequential (200-byte records, no delimiters)."""
    with open(path, "wb") as f:
        f.write(np.ascontiguousarray(people.records).tobytes())
    return len(people.records)


# --------------------------------------------------------------------------- a day of movements
MOVE_LRECL = 160
SAMPLE_MOVEMENTS = 300             # a normal day: a few hundred
CITY_MOVEMENTS = 3_000             # the end of March / beginning of April: several thousand
# 異動事由 and their share of a day: 転入 出生 転出 死亡 職権消除 転居 氏名変更 世帯変更
JIYU = np.array([11, 12, 21, 22, 23, 31, 41, 51])
JIYU_SHARES = np.array([0.18, 0.06, 0.20, 0.07, 0.01, 0.25, 0.08, 0.15])
BAD_SHARE = 0.03                   # keyed with an error at the counter (IV); others are rejected by state


def generate_movements(people: Residents, count: int = SAMPLE_MOVEMENTS, *, seed: int = 1,
                       sort: bool = True) -> np.ndarray:
    """A day's movements (IDOTRN records, (count, 160) uint8) against `people`:
    every 異動事由, new persons on unused keys, a few revivals, several
    movements for some persons, a few keyed wrong. In key order (`sort`), or in
    the order keyed at the counter (the daily job JUKID sorts them)."""
    rng = np.random.default_rng([seed, 160, count])
    n = len(people.kojin_no)
    today = _day(people.date)
    jiyu = rng.choice(JIYU, count, p=JIYU_SHARES)
    active = np.flatnonzero(people.active)
    removed = np.flatnonzero(~people.active)
    # whose movement: an active resident, a removed one (revival), or a new key in a gap
    who = rng.choice(active, count) if len(active) else np.zeros(count, np.int64)
    revival = (jiyu == 11) & (rng.random(count) < 0.1) & (len(removed) > 0)
    if len(removed):
        who = np.where(revival, rng.choice(removed, count), who)
    again = rng.random(count) < 0.08                                           # a second movement of someone
    who[1:] = np.where(again[1:], who[:-1], who[1:])
    key = people.kojin_no[who] if n else np.full(count, FIRST_KEY)
    new = ((jiyu == 11) & ~revival) | (jiyu == 12)
    key = np.where(new, key + rng.integers(1, 100, count), key)                 # masters are 100 apart
    ido = _ymd(today - rng.integers(0, 5, count))
    rec = np.full((count, MOVE_LRECL), 0x20, np.uint8)

    def put(start, width, val, rows=slice(None)):
        rec[rows, start:start + width] = val

    put(0, 10, digits(key, 10))
    put(10, 8, digits(ido, 8))
    put(18, 6, digits(np.arange(1, count + 1), 6))
    put(24, 2, digits(jiyu, 2))
    male = rng.random(count) < 0.5
    shimei, kana = names(rng, male)
    jusho = address_codes(rng, count)
    person = new | revival
    household = person | (jiyu == 51)
    setai = np.where(jiyu == 12, people.kojin_no[who] if n else key, key)   # a baby joins the parent's household
    zoku = np.where(jiyu == 12, 3, 1)                                         # others head their own
    put(26, 10, digits(setai, 10)[household], household)
    put(36, 2, digits(zoku, 2)[household], household)
    named = person | (jiyu == 41)
    put(38, 30, shimei[named], named)
    put(68, 30, kana[named], named)
    born = jiyu == 11
    put(98, 8, digits(_ymd(today - rng.integers(365, 80 * 365, count)), 8)[born], born)
    put(106, 1, np.where(male, 0x31, 0x32).astype(np.uint8)[person, None], person)
    put(107, 1, np.where(rng.random(count) < FOREIGN_SHARE, 0x32, 0x31).astype(np.uint8)[person, None], person)
    moved = person | (jiyu == 31)
    put(108, 6, digits(jusho, 6)[moved], moved)
    put(114, 20, banchi(rng, count)[moved], moved)
    # a few keyed wrong at the counter: ASCII in the kana, an address outside the city, an unknown reason
    bad = np.flatnonzero(rng.random(count) < BAD_SHARE)
    kind = rng.integers(0, 3, len(bad))
    rec[bad[kind == 0], 24:26] = np.frombuffer(b"99", np.uint8)
    rec[bad[kind == 1], 108:114] = np.frombuffer(b"950101", np.uint8)
    rec[bad[kind == 2], 68:72] = np.frombuffer(b"SATO", np.uint8)
    rec[bad[kind == 2], 24:26] = np.frombuffer(b"41", np.uint8)
    if sort and count:
        from engine.program.keys import key_ranks
        rank = key_ranks(rec[:, :24])[0]
        rec = rec[np.argsort(rank, kind="stable")]
    return rec


# --------------------------------------------------------------------------- into the city's catalog
MASTER_DSN, MOVE_DSN, ERROR_DSN = "CITY.JUKI.MASTER", "CITY.JUKI.MOVE", "CITY.JUKI.ERROR"


def to_host(records: np.ndarray, name_field: tuple[int, int], encoding: str = "cp930") -> np.ndarray:
    """ASCII / Shift_JIS records as the host holds them (EBCDIC): every byte through
    the code page's one-byte table (digits, letters, half-width katakana), the
    kanji name field re-encoded with SO/SI and padded with X'40'."""
    from engine.codepages import get_codepage
    cp = get_codepage(encoding)
    table = np.full(256, 0x6F, np.uint8)
    for b in range(256):
        try:
            e = cp.encode(bytes([b]).decode("cp932"))
        except Exception:  # noqa: BLE001 — a byte with no one-byte character
            continue
        if len(e) == 1:
            table[b] = e[0]
    out = table[records]
    start, width = name_field
    names, inverse = np.unique(records[:, start:start + width], axis=0, return_inverse=True)
    host = np.full((len(names), width), 0x40, np.uint8)
    for i, raw in enumerate(names):
        e = cp.encode(bytes(raw).decode("cp932").rstrip(" "))[:width]
        host[i, :len(e)] = np.frombuffer(e, np.uint8)
    out[:, start:start + width] = host[inverse.reshape(-1)]
    return out


def catalog_residents(folder, *, full: bool = False, seed: int = 1, date: str = DEFAULT_DATE,
                      encoding: str = "ascii", home=None, say=None) -> tuple[int, int]:
    """Generate the residents and a day's movements (in counter order: the daily job
    JUKID sorts them) and catalog them as new generations of CITY.JUKI.MASTER and
    CITY.JUKI.MOVE (defining the GDGs, and CITY.JUKI.ERROR, when missing)."""
    from pathlib import Path

    from engine.job.catalog import Catalog, import_dataset

    people = generate_residents(CITY_RESIDENTS if full else SAMPLE_RESIDENTS, seed=seed, date=date)
    moves = generate_movements(people, CITY_MOVEMENTS if full else SAMPLE_MOVEMENTS, seed=seed, sort=False)
    master = people.records
    if encoding != "ascii":
        master, moves = to_host(master, F_SHIMEI, encoding), to_host(moves, (38, 30), encoding)
    catalog = Catalog(home)
    try:
        for base in (MASTER_DSN, MOVE_DSN, ERROR_DSN):
            if catalog.gdg(base) is None:
                catalog.define_gdg(base, 7)
    finally:
        catalog.close()
    dialect = "ibm" if encoding != "ascii" else "gnucobol"
    for dsn, data, copybook, lrecl in ((MASTER_DSN, master, "JUKIMST", LRECL), (MOVE_DSN, moves, "IDOTRN", MOVE_LRECL)):
        path = Path(folder) / f"{copybook}.dat"
        path.write_bytes(np.ascontiguousarray(data).tobytes())
        import_dataset(f"{dsn}(+1)", path, copybook=copybook, encoding=encoding, recfm="FB", lrecl=lrecl,
                       dialect=dialect, move=True, home=home, say=say)
    return len(master), len(moves)
