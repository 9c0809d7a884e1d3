"""Input builders for KOTEI01 tests: land, house and due-date records in the legacy's
ASCII conventions, a seeded generator of awkward cases, the ASCII -> EBCDIC
field-aware converter, and running one case through GnuCOBOL and densan (directly
or as a `densan verify` case folder)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.conftest import LEGACY

PARM = "202520250401"
DUE = ("20250430", "20250731", "20251225", "20260302")
OUTPUTS = {"CHOTEI-OUT": "chotei-out.dat", "NOTICE-OUT": "notice-out.txt",
           "ERROR-OUT": "error-out.dat", "REPORT": "report.txt"}
INPUTS = {"LAND-IN": "land-in.dat", "HOUSE-IN": "house-in.dat", "NOKI-IN": "noki-in.dat"}
KANA = bytes(range(0xA6, 0xE0))


# ----------------------------------------------------------------------------- records
def _num(v: int | bytes, width: int) -> bytes:
    if isinstance(v, bytes):
        assert len(v) == width, (v, width)
        return v
    return f"{v:0{width}d}"[-width:].encode()


def _text(v: str | bytes, width: int) -> bytes:
    b = v if isinstance(v, bytes) else v.encode("latin-1")
    return b[:width].ljust(width, b" ")


def land(owner: int | bytes, chiban: str | bytes = "01001-0001", *, name: str | bytes = "YAMADA TARO",
         shozai: int | bytes = 101001, chimoku: int | bytes = 3, chiseki: int | bytes = 16530,
         hyoka: int | bytes = 1_000_000, jutaku: bytes = b"0", hikazei: bytes = b"0",
         filler: bytes = b" " * 20) -> bytes:
    rec = (_num(owner, 10) + _text(chiban, 10) + _text(name, 30) + _num(shozai, 6)
           + _num(chimoku, 2) + _num(chiseki, 9) + _num(hyoka, 11) + jutaku + hikazei + filler)
    assert len(rec) == 100
    return rec


def house(owner: int | bytes, kaoku: str | bytes = "K0001-0001", *, name: str | bytes = "YAMADA TARO",
          shozai: int | bytes = 101001, kozo: int | bytes = 1, yoto: int | bytes = 1,
          yuka: int | bytes = 11240, nen: int | bytes = 1995, hyoka: int | bytes = 1_000_000,
          hikazei: bytes = b"0", filler: bytes = b" " * 17) -> bytes:
    rec = (_num(owner, 10) + _text(kaoku, 10) + _text(name, 30) + _num(shozai, 6) + _num(kozo, 2)
           + _num(yoto, 2) + _num(yuka, 7) + _num(nen, 4) + _num(hyoka, 11) + hikazei + filler)
    assert len(rec) == 100
    return rec


def noki(dates=DUE, kibetsu=None) -> bytes:
    kibetsu = kibetsu or [f"{i + 1:02d}" for i in range(len(dates))]
    return b"".join(k.encode() + d.encode() + b" " * 10 for k, d in zip(kibetsu, dates))


# ----------------------------------------------------------------------------- a case
@dataclass
class Case:
    lands: list[bytes]
    houses: list[bytes]
    noki: bytes = field(default_factory=noki)
    parm: str | None = PARM
    land_tail: bytes = b""          # a partial record after the last one (wrong length)
    house_tail: bytes = b""
    missing: tuple[str, ...] = ()   # DDs not allocated
    notes: list[str] = field(default_factory=list)

    def inputs(self) -> dict[str, bytes]:
        return {"LAND-IN": b"".join(self.lands) + self.land_tail,
                "HOUSE-IN": b"".join(self.houses) + self.house_tail,
                "NOKI-IN": self.noki}


def sorted_case(lands, houses, **kw) -> Case:
    return Case(sorted(lands, key=lambda r: r[:20]), sorted(houses, key=lambda r: r[:20]), **kw)


# ----------------------------------------------------------------------------- generator
NAMES = [b"YAMADA TARO", b"SUZUKI HANAKO", b"TANAKA ICHIRO", b"SATO YUKI", b"ITO KENJI",
         bytes([0xBD, 0xDD, 0xDE, 0xB7, 0x20, 0xCA, 0xC5, 0xBA]), bytes([0xCA, 0xDF, 0xD7, 0xA6]),
         b"O'BRIEN-SMITH  J.", b"A" * 30, b""]
LAND_VALUES = [299_999, 300_000, 300_001, 1_799_999, 1_800_000, 1_800_005, 899_999, 900_002,
               12_345_678, 25_000_001, 99_999_999_999, 0, 1, 5, 6, 7, 150_000, 100_000]
HOUSE_VALUES = [199_999, 200_000, 200_001, 6_543_210, 100_000, 99_999, 0, 1, 999,
                99_999_999_999, 2_000_000, 285_714, 285_715]
BAD_NUMS = [b" ", b"A", b"p", b"-", b"+", b"\xb1", b"."]


def _bad(field_bytes: bytes, rnd: random.Random) -> bytes:
    i = rnd.randrange(len(field_bytes))
    return field_bytes[:i] + rnd.choice(BAD_NUMS) + field_bytes[i + 1:]


def _rand_land(rnd, owner: bytes, n: int, name: bytes) -> bytes:
    rec = land(owner, f"{rnd.randint(1, 99999):05d}-{n:04d}", name=name,
               shozai=rnd.randint(0, 999999), chimoku=rnd.choice([1, 2, 3, 3, 3, 5, 6, 10, 99]),
               chiseki=rnd.choice([0, 16530, 999999999, rnd.randint(0, 99_999_999)]),
               hyoka=rnd.choice(LAND_VALUES + [rnd.randint(0, 30_000_000)] * 4),
               jutaku=rnd.choice([b"0", b"1", b"2"] * 8 + [b"3", b" ", b"A"]),
               hikazei=rnd.choice([b"0"] * 12 + [b"1", b"1", b"2", b" "]),
               filler=rnd.choice([b" " * 20, b" " * 20, b"FILLER-NOT-CHECKED!!"]))
    if rnd.random() < 0.08:        # one numeric field spoiled
        start, width = rnd.choice([(0, 10), (50, 6), (56, 2), (58, 9), (67, 11)])
        rec = rec[:start] + _bad(rec[start:start + width], rnd) + rec[start + width:]
    return rec


def _rand_house(rnd, owner: bytes, n: int, name: bytes) -> bytes:
    rec = house(owner, f"K{rnd.randint(1, 9999):04d}-{n:04d}", name=name,
                shozai=rnd.randint(0, 999999), kozo=rnd.choice([1, 2, 3, 4, 9]),
                yoto=rnd.choice([1, 2, 3, 4, 5, 6, 9]), yuka=rnd.choice([0, 11240, 9_999_999]),
                nen=rnd.choice([1968, 1995, 2024, 0]),
                hyoka=rnd.choice(HOUSE_VALUES + [rnd.randint(0, 20_000_000)] * 4),
                hikazei=rnd.choice([b"0"] * 12 + [b"1", b"1", b"9", b" "]),
                filler=rnd.choice([b" " * 17, b"HOUSE-FILLER-XYZ!"]))
    if rnd.random() < 0.08:
        start, width = rnd.choice([(0, 10), (50, 6), (56, 2), (58, 2), (60, 7), (67, 4), (71, 11)])
        rec = rec[:start] + _bad(rec[start:start + width], rnd) + rec[start + width:]
    return rec


def generate(seed: int, *, ascii_only: bool = True) -> Case:
    """A small random case: owners with land, houses or both around every threshold,
    rejected records, non-taxable ones; now and then a sequence error, a bad PARM,
    a bad NOKI-IN or a short record. `ascii_only` allows owner numbers that are not
    digits (their byte order differs in EBCDIC)."""
    rnd = random.Random(seed)
    owners = sorted({f"{rnd.choice([1000000000, 2000000000]) + rnd.randint(1, 400):010d}".encode()
                     for _ in range(rnd.randint(0, 12))})
    if ascii_only and rnd.random() < 0.15:
        owners = sorted(set(owners) | {b"10000001 5", b"ABCDEFGHIJ"})
    lands, houses = [], []
    for owner in owners:
        name = rnd.choice(NAMES)
        kind = rnd.random()
        for n in range(rnd.choice([0, 1, 1, 2, 3, 5]) if kind > 0.25 else 0):
            lands.append(_rand_land(rnd, owner, n + 1, name if rnd.random() < 0.9 else rnd.choice(NAMES)))
        for n in range(rnd.choice([0, 1, 1, 2, 4]) if kind < 0.75 else 0):
            houses.append(_rand_house(rnd, owner, n + 1, rnd.choice(NAMES)))
    case = sorted_case(lands, houses)
    case.lands = [r for i, r in enumerate(case.lands) if i == 0 or r[:20] != case.lands[i - 1][:20]]
    case.houses = [r for i, r in enumerate(case.houses) if i == 0 or r[:20] != case.houses[i - 1][:20]]
    r = rnd.random()
    if r < 0.05 and len(case.lands) > 1:
        i = rnd.randrange(len(case.lands) - 1)
        case.lands[i], case.lands[i + 1] = case.lands[i + 1], case.lands[i]
        case.notes.append("swapped land records")
    elif r < 0.10 and len(case.houses) > 1:
        i = rnd.randrange(len(case.houses))
        case.houses.insert(i, case.houses[i])
        case.notes.append("duplicate house key")
    if rnd.random() < 0.03:
        case.land_tail = b"1000" * rnd.randint(1, 20)
        case.notes.append("short land record")
    if rnd.random() < 0.03:
        case.house_tail = b"1000" * rnd.randint(1, 20)
        case.notes.append("short house record")
    if rnd.random() < 0.04:
        case.parm = rnd.choice([None, "2025", "20252025040", "000020250401", "202520250229",
                                "202520240229X", "2025202504 1"])
        case.notes.append(f"PARM {case.parm!r}")
    if rnd.random() < 0.04:
        case.noki = rnd.choice([noki(DUE[:3]), noki(DUE + ("20260331",)), noki(("20250431",) + DUE[1:]),
                                noki(DUE, ["01", "02", "04", "03"]), noki(DUE)[:-1]])
        case.notes.append("bad NOKI-IN")
    return case


# ----------------------------------------------------------------------------- running
@dataclass
class Outcome:
    rc: int
    outputs: dict[str, bytes | None]

    def __getitem__(self, dd: str) -> bytes | None:
        return self.outputs[dd]


def write_inputs(case: Case, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for dd, data in case.inputs().items():
        paths[dd] = folder / INPUTS[dd]
        paths[dd].write_bytes(data)
    return paths


def _dds(case: Case, inputs: dict[str, Path], out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    dds = dict(inputs) | {dd: out / name for dd, name in OUTPUTS.items()}
    return {k: (None if k in case.missing else v) for k, v in dds.items()}


def _collect(out: Path) -> dict[str, bytes | None]:
    return {dd: (out / name).read_bytes() if (out / name).exists() else None
            for dd, name in OUTPUTS.items()}


def run_legacy_case(case: Case, folder: Path) -> Outcome:
    from engine.migration.legacy import run_legacy
    dds = _dds(case, write_inputs(case, folder / "in"), folder / "legacy")
    res = run_legacy("KOTEI01", dds, case.parm, legacy_dir=LEGACY)
    return Outcome(res.rc, _collect(folder / "legacy"))


def run_densan_case(case: Case, folder: Path) -> Outcome:
    from jobs.tax.kotei01 import assess
    dds = _dds(case, write_inputs(case, folder / "in"), folder / "densan")
    res = assess(land_in=dds["LAND-IN"], house_in=dds["HOUSE-IN"], noki_in=dds["NOKI-IN"],
                 chotei_out=dds["CHOTEI-OUT"], notice_out=dds["NOTICE-OUT"],
                 error_out=dds["ERROR-OUT"], report=dds["REPORT"], parm=case.parm)
    return Outcome(res.rc, _collect(folder / "densan"))


def assert_same(legacy: Outcome, densan: Outcome, case: Case | None = None) -> None:
    notes = f" ({', '.join(case.notes)})" if case and case.notes else ""
    assert densan.rc == legacy.rc, f"return code{notes}"
    assert densan["REPORT"] == legacy["REPORT"], f"REPORT differs{notes}"
    if legacy.rc < 16:
        for dd in ("CHOTEI-OUT", "NOTICE-OUT", "ERROR-OUT"):
            assert densan[dd] == legacy[dd], f"{dd} differs{notes}"


def write_case_folder(case: Case, folder: Path, *, job: str = "KOTEI01") -> Path:
    """A `densan verify` case folder: the inputs, and a case.yaml whose legacy outputs
    `densan verify --build-legacy` produces with GnuCOBOL. On RC 16 the data outputs
    are compared as absent (a failed step keeps no dataset), the REPORT as bytes."""
    write_inputs(case, folder)
    doc = {"job": job, "description": ", ".join(case.notes) or "KOTEI01 case",
           "inputs": dict(INPUTS),
           "outputs": {dd: {"file": name, "compare": "bytes"} for dd, name in OUTPUTS.items()},
           "legacy": {"program": str(LEGACY / "programs" / "KOTEI01.cob"),
                      "copybooks": [str(LEGACY / "copybooks")]}}
    if case.parm is not None:
        doc["parm"] = case.parm
    (folder / "case.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder
