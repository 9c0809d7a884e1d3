"""Input builders for SUIDO01 tests: customer, reading and tariff records in the
legacy's ASCII conventions, two towns' tariffs, a seeded generator of awkward
cases, and running one case through GnuCOBOL and through densan."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import LEGACY

PARM = "20252025062025061020250630"     # FY 2025, billing 2025/06, run 06-10, due 06-30
DDS_IN = ("CUST-IN", "READ-IN", "TARIFF-IN")
DDS_OUT = ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT", "REPORT")
FILES = {"CUST-IN": "cust-in.dat", "READ-IN": "read-in.dat", "TARIFF-IN": "tariff-in.dat",
         "CUST-OUT": "cust-out.dat", "CHOTEI-OUT": "chotei-out.dat", "BILL-OUT": "bill-out.txt",
         "ERROR-OUT": "error-out.dat", "REPORT": "report.txt"}
LRECL = {"CUST-IN": 100, "READ-IN": 40, "TARIFF-IN": 40, "CUST-OUT": 100, "CHOTEI-OUT": 100,
         "ERROR-OUT": 60}


# ----------------------------------------------------------------------------- records
def customer(tap: int | bytes, *, kojin=1000000001, name=b"YAMADA TARO", basho=10101, kokei=20,
             gesui=b"1", jotai=b"0", kofuri=b"0", zenkai: int | bytes = 1200,
             zenkai_bi: int | bytes = 20250320, filler=b" " * 26) -> bytes:
    tap = tap if isinstance(tap, bytes) else f"{tap:010d}".encode()
    zenkai = zenkai if isinstance(zenkai, bytes) else f"{zenkai:04d}".encode()
    zenkai_bi = zenkai_bi if isinstance(zenkai_bi, bytes) else f"{zenkai_bi:08d}".encode()
    rec = (tap + f"{kojin:010d}".encode() + name.ljust(30)[:30] + f"{basho:06d}".encode()
           + f"{kokei:03d}".encode() + gesui + jotai + kofuri + zenkai + zenkai_bi + filler)
    assert len(rec) == 100
    return rec


def reading(tap: int | bytes, *, date: int | bytes = 20250520, konkai: int | bytes = 1240,
            kokan=b"0", kyu: int | bytes = 0, shin: int | bytes = 0, filler=b" " * 9) -> bytes:
    def digits(v, n):
        return v if isinstance(v, bytes) else f"{v:0{n}d}".encode()
    rec = (digits(tap, 10) + digits(date, 8) + digits(konkai, 4) + kokan + digits(kyu, 4)
           + digits(shin, 4) + filler)
    assert len(rec) == 40
    return rec


def t_basic(kokei: int | bytes, yen: int | bytes) -> bytes:
    kokei = kokei if isinstance(kokei, bytes) else f"{kokei:03d}".encode()
    yen = yen if isinstance(yen, bytes) else f"{yen:07d}".encode()
    return (b"B" + kokei + b"0" * 15 + yen).ljust(40)


def t_sewer_basic(yen: int | bytes) -> bytes:
    yen = yen if isinstance(yen, bytes) else f"{yen:07d}".encode()
    return (b"G" + b"0" * 18 + yen).ljust(40)


def t_band(kind: bytes, kara: int | bytes, made: int | bytes, tanka: int | bytes) -> bytes:
    def d5(v):
        return v if isinstance(v, bytes) else f"{v:05d}".encode()
    return (kind + b"000" + d5(kara) + d5(made) + d5(tanka) + b"0" * 7).ljust(40)


def tariff(basic: dict[int, int], sewer_basic: int, water: list[tuple[int, int, int]],
           sewer: list[tuple[int, int, int]]) -> list[bytes]:
    return ([t_basic(k, y) for k, y in basic.items()] + [t_sewer_basic(sewer_basic)]
            + [t_band(b"W", *b) for b in water] + [t_band(b"S", *b) for b in sewer])


# 七ヶ浜町 (municipal-rules.md; the legacy sample's table)
SHICHIGAHAMA = tariff({13: 1400, 20: 1750, 25: 2970, 30: 4230, 40: 7740, 50: 11610, 75: 27000,
                       100: 51900, 150: 93100}, 1000,
                      [(1, 10, 40), (11, 20, 220), (21, 50, 270), (51, 99999, 310)],
                      [(11, 30, 130), (31, 60, 170), (61, 100, 210), (101, 500, 250),
                       (501, 99999, 300)])
# another town (invented figures, not a real ordinance): the basic charge covers
# the first 8 m3 of water, five sewer bands from 1 m3, other diameters, and the
# record types interleaved
OTHER_TOWN = ([t_band(b"S", 1, 20, 95), t_basic(13, 880), t_band(b"W", 9, 20, 165), t_basic(20, 1210),
               t_sewer_basic(600), t_band(b"S", 21, 40, 120), t_basic(25, 1980),
               t_band(b"W", 21, 40, 198), t_band(b"S", 41, 100, 150), t_basic(40, 6050),
               t_band(b"W", 41, 99999, 242), t_band(b"S", 101, 99999, 180), t_basic(50, 12100),
               t_basic(200, 99999)])
DIAMETERS = (13, 20, 25, 30, 40, 50, 75, 100, 150, 200)


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    customers: list[bytes]
    readings: list[bytes]
    tariff: list[bytes] = field(default_factory=lambda: list(SHICHIGAHAMA))
    parm: str | None = PARM
    tails: dict[str, bytes] = field(default_factory=dict)   # DD -> bytes after the records
    missing: tuple[str, ...] = ()                            # DDs not allocated
    notes: list[str] = field(default_factory=list)

    def data(self, dd: str) -> bytes:
        recs = {"CUST-IN": self.customers, "READ-IN": self.readings, "TARIFF-IN": self.tariff}[dd]
        return b"".join(recs) + self.tails.get(dd, b"")


def tap(n: int) -> int:
    return 3000000000 + n * 10


BAD_DATES = [b"20250229", b"20250431", b"20251301", b"20250000", b"00000520", b"2025052 ",
             b"2025O520", b"20250611", b"20250320", b"20250319", b"19000229"]
GOOD_DATES = [b"20250321", b"20250610", b"20240229", b"20250101"]
BAD_DIGITS = [b"12 4", b" 124", b"12A4", b"-124", b"\xff124", b"    "]


def generate(seed: int, *, ascii_only: bool = True) -> Case:
    """A small random case touching the rules. `ascii_only` allows bytes whose order
    or class differs between ASCII and EBCDIC (letters in keys, X'FF')."""
    rnd = random.Random(seed)
    n = rnd.randint(0, 24)
    nums = sorted(rnd.sample(range(1, 400), n))
    customers = []
    for i in nums:
        zb = rnd.choice([20250320, 20250321, 20250401, 20250105, 0, 20250520, 20250609])
        customers.append(customer(
            tap(i), kojin=rnd.randint(1, 9_999_999_999), name=rnd.choice([b"SATO", b"ITO HANA", b"X" * 30]),
            basho=rnd.randint(0, 999_999), kokei=rnd.choice(DIAMETERS + (20, 13, 13, 999)),
            gesui=rnd.choice([b"1", b"1", b"0", b"2", b" "]), jotai=rnd.choice([b"0"] * 6 + [b"9", b"1"]),
            kofuri=rnd.choice([b"0", b"1", b"X"]), zenkai=rnd.choice([0, 1200, 9990, 9999, rnd.randint(0, 9999)]),
            zenkai_bi=zb, filler=rnd.choice([b" " * 26, b"KEEP-THIS-FILLER-AS-IT-IS!"])))
    readings = []
    pool = [tap(i) for i in nums] or [tap(1)]
    for _ in range(rnd.randint(0, 30)):
        t = rnd.choice(pool) if rnd.random() < 0.85 else tap(rnd.randint(1, 400))
        if rnd.random() < 0.15 and readings:
            t = int(readings[-1][:10])                          # a duplicate
        prev = rnd.choice([0, 1200, 9990, rnd.randint(0, 9999)])
        use = rnd.choice([0, 1, 2, 19, 20, 21, 22, 40, 41, 100, 101, 102, 1000, 1002, 1999, 2000, 2001,
                          rnd.randint(0, 300), rnd.randint(0, 2500)])
        konkai: int | bytes = (prev + use) % 10000
        kokan, kyu, shin = b"0", rnd.choice([0, 1234, 9999]), rnd.choice([0, 5, 9999])
        if rnd.random() < 0.2:
            kokan = b"1"
            kyu, shin = rnd.randint(0, 9999), rnd.choice([0, 0, 1, 9998, rnd.randint(0, 9999)])
        if rnd.random() < 0.05:
            kokan = rnd.choice([b"2", b" ", b"Y"])
        date: int | bytes = rnd.choice([20250520, 20250521, 20250610, 20250401])
        if rnd.random() < 0.1:
            date = rnd.choice(BAD_DATES + GOOD_DATES)
        if rnd.random() < 0.05:
            konkai = rnd.choice(BAD_DIGITS)
        if kokan == b"1" and rnd.random() < 0.1:
            kyu = rnd.choice(BAD_DIGITS)
        if kokan == b"1" and rnd.random() < 0.1:
            shin = rnd.choice(BAD_DIGITS)
        readings.append(reading(t, date=date, konkai=konkai, kokan=kokan, kyu=kyu, shin=shin,
                                filler=rnd.choice([b" " * 9, b"RDR-00042"])))
    readings.sort(key=lambda r: r[:10])
    case = Case(customers, readings)
    case.tariff = list(rnd.choice([SHICHIGAHAMA, OTHER_TOWN]))
    r = rnd.random()
    if r < 0.05 and len(customers) > 2:
        i = rnd.randrange(len(customers) - 1)
        customers[i], customers[i + 1] = customers[i + 1], customers[i]
        case.notes.append("customers out of order")
    elif r < 0.08 and customers:
        i = rnd.randrange(len(customers))
        customers.insert(i, customers[i])
        case.notes.append("duplicate customer key")
    elif r < 0.13 and len(readings) > 2:
        i = rnd.randrange(len(readings) - 1)
        if readings[i][:10] != readings[i + 1][:10]:
            readings[i], readings[i + 1] = readings[i + 1], readings[i]
            case.notes.append("readings out of order")
    if rnd.random() < 0.04:
        case.tails["CUST-IN"] = b"3" * rnd.randint(1, 99)
        case.notes.append("short customer record")
    if rnd.random() < 0.04:
        case.tails["READ-IN"] = b"3" * rnd.randint(1, 39)
        case.notes.append("short reading record")
    if rnd.random() < 0.03:
        case.tails["TARIFF-IN"] = b"W"
        case.notes.append("short tariff record")
    if rnd.random() < 0.06:
        case.tariff = malformed_tariff(rnd)
        case.notes.append("malformed tariff")
    if ascii_only and rnd.random() < 0.03:
        hv = b"\xff" * 10
        if rnd.random() < 0.5:
            case.readings.append(hv + (readings[0][10:] if readings else reading(1)[10:]))
        else:
            case.customers.append(hv + customer(1)[10:])
        case.notes.append("HIGH-VALUES key")
    if ascii_only and rnd.random() < 0.05:
        case.readings.insert(0, reading(b"30000000A0", date=20250520))
        case.readings.sort(key=lambda r: r[:10])
        case.notes.append("letters in a reading's tap number")
    if rnd.random() < 0.04:
        case.parm = rnd.choice(BAD_PARMS)
        case.notes.append("bad PARM")
    return case


def malformed_tariff(rnd: random.Random) -> list[bytes]:
    t = list(SHICHIGAHAMA)
    return rnd.choice(list(MALFORMED_TARIFFS.values()))(t)


def _replace(t: list[bytes], i: int, rec: bytes) -> list[bytes]:
    t = list(t)
    t[i] = rec
    return t


# SHICHIGAHAMA: 0-8 B, 9 G, 10-13 W, 14-18 S
MALFORMED_TARIFFS = {
    "type": lambda t: _replace(t, 3, b"X" + t[3][1:]),
    "type-blank": lambda t: _replace(t, 18, b" " * 40),
    "type-lower": lambda t: _replace(t, 0, b"b" + t[0][1:]),
    "b-kokei": lambda t: _replace(t, 2, t_basic(b"2 5", 2970)),
    "b-amount": lambda t: _replace(t, 2, t_basic(25, b"00029X0")),
    "b-second": lambda t: t[:5] + [t_basic(20, 999)] + t[5:],
    "b-21": lambda t: t + [t_basic(200 + i, 100) for i in range(12)],
    "b-20-ok": lambda t: t + [t_basic(200 + i, 100) for i in range(11)],
    "g-amount": lambda t: _replace(t, 9, t_sewer_basic(b"0001 00")),
    "g-second": lambda t: t + [t_sewer_basic(1000)],
    "w-nonnum": lambda t: _replace(t, 11, t_band(b"W", 11, b"0002O", 220)),
    "w-rate": lambda t: _replace(t, 11, t_band(b"W", 11, 20, b"  220")),
    "w-from-zero": lambda t: _replace(t, 10, t_band(b"W", 0, 10, 40)),
    "w-from-above-to": lambda t: _replace(t, 11, t_band(b"W", 21, 20, 220)),
    "w-gap": lambda t: _replace(t, 11, t_band(b"W", 12, 20, 220)),
    "w-overlap": lambda t: _replace(t, 11, t_band(b"W", 10, 20, 220)),
    "w-after-last": lambda t: t + [t_band(b"W", 99999, 99999, 1)],
    "w-11": lambda t: (t[:13] + [t_band(b"W", 51 + i, 51 + i, 300) for i in range(7)]
                       + [t_band(b"W", 58, 99999, 310)] + t[14:]),
    "w-10-ok": lambda t: (t[:13] + [t_band(b"W", 51 + i, 51 + i, 300) for i in range(6)]
                          + [t_band(b"W", 57, 99999, 310)] + t[14:]),
    "s-gap": lambda t: _replace(t, 16, t_band(b"S", 62, 100, 210)),
    "s-11": lambda t: (t[:18] + [t_band(b"S", 501 + i, 501 + i, 300) for i in range(6)]
                       + [t_band(b"S", 507, 99999, 300)]),
    "s-from-zero": lambda t: _replace(t, 14, t_band(b"S", 0, 30, 130)),
    "no-b": lambda t: t[9:],
    "no-g": lambda t: t[:9] + t[10:],
    "no-w": lambda t: t[:10] + t[14:],
    "no-s": lambda t: t[:14],
    "w-last-not-99999": lambda t: _replace(t, 13, t_band(b"W", 51, 99998, 310)),
    "s-last-not-99999": lambda t: _replace(t, 18, t_band(b"S", 501, 9999, 300)),
    "empty": lambda t: [],
    "unsorted-bands": lambda t: t[:10] + [t[11], t[10]] + t[12:],
    "first-band-from-5": lambda t: _replace(t, 10, t_band(b"W", 5, 10, 40)),
    "unused-fields-not-checked": lambda t: [r[:1] + b"XYZ" + r[4:] if r[:1] in b"GWS" else r[:4] + b"ABCDEFGHIJKLMNO" + r[19:]
                                            for r in t],
}

BAD_PARMS = [None, "", "2025202506202506102025063", "20252025062025061020250630 X",
             "2025202506202506102025063O", "20252025132025061020250630", "20252025002025061020250630",
             "20242025062025061020250630", "20252026032025061020250630", "20252026012025061020250630",
             "20252025062025061020250609", "20252025062025022920250630", "20252025062025061020250631",
             "00002025062025061020250630", "20250000062025061020250630",
             "20252025062025061020250610", "20252025062025061020250630          ",
             "20242025022025022920250301", "2025-2025-06-2025-06-10-20250630"]


# ----------------------------------------------------------------------------- EBCDIC
def _ebcdic_table() -> bytes:
    """ASCII byte -> EBCDIC byte: cp037 (a bijection), X'FF' kept as X'FF'."""
    table = bytearray(bytes(range(256)).decode("latin-1").encode("cp037"))
    j = table.index(0xFF)
    table[j], table[0xFF] = table[0xFF], 0xFF
    return bytes(table)


E_TABLE = _ebcdic_table()


def ebcdic(b: bytes) -> bytes:
    """Every SUIDO01 record is text and unsigned zoned digits, except the packed
    money of SHUNOMST (bytes 37-59 and 86-87), kept as they are."""
    return b.translate(E_TABLE)


def ebcdic_records(data: bytes, lrecl: int, packed=()) -> bytes:
    out = bytearray(ebcdic(data))
    for start in range(0, len(data) - lrecl + 1, lrecl):
        for a, b in packed:
            out[start + a:start + b] = data[start + a:start + b]
    return bytes(out)


SHUNOMST_PACKED = ((36, 59), (85, 87))


# ----------------------------------------------------------------------------- running
@dataclass
class Outcome:
    rc: int
    files: dict[str, bytes | None]

    def __getitem__(self, dd: str) -> bytes | None:
        return self.files[dd]


def write_inputs(case: Case, folder: Path, *, ebcdic_data: bool = False) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for dd in DDS_IN:
        p = folder / FILES[dd]
        data = case.data(dd)
        p.write_bytes(ebcdic(data) if ebcdic_data else data)
        paths[dd] = p
    return paths


def _dds(case: Case, inputs: dict[str, Path], out: Path) -> dict[str, Path | None]:
    out.mkdir(parents=True, exist_ok=True)
    dds: dict[str, Path | None] = {**inputs, **{dd: out / FILES[dd] for dd in DDS_OUT}}
    return {k: (None if k in case.missing else v) for k, v in dds.items()}


def _outcome(rc: int, dds: dict) -> Outcome:
    return Outcome(rc, {dd: (Path(dds[dd]).read_bytes() if dds[dd] is not None and Path(dds[dd]).exists()
                             else None) for dd in DDS_OUT})


def run_legacy_case(case: Case, folder: Path) -> Outcome:
    from engine.migration.legacy import run_legacy
    dds = _dds(case, write_inputs(case, folder / "in"), folder / "legacy")
    res = run_legacy("SUIDO01", dds, case.parm, legacy_dir=LEGACY)
    return _outcome(res.rc, dds)


def run_densan_case(case: Case, folder: Path, *, ebcdic_data: bool = False) -> Outcome:
    from jobs.water.suido01 import bill
    sub = "ebcdic" if ebcdic_data else "densan"
    infolder = folder / ("in-ebcdic" if ebcdic_data else "in")
    dds = _dds(case, write_inputs(case, infolder, ebcdic_data=ebcdic_data), folder / sub)
    res = bill(dds, case.parm, encoding="cp930" if ebcdic_data else "ascii",
               dialect="ibm" if ebcdic_data else None)
    return _outcome(res.rc, dds)


def assert_same(legacy: Outcome, densan: Outcome, case: Case | None = None) -> None:
    notes = f" ({', '.join(case.notes)})" if case and case.notes else ""
    assert densan.rc == legacy.rc, f"return code{notes}"
    assert densan["REPORT"] == legacy["REPORT"], f"REPORT differs{notes}"
    if legacy.rc < 16:
        for dd in ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT"):
            assert densan[dd] == legacy[dd], f"{dd} differs{notes}"
