"""Input builders for ENTAI01 tests: collection-master and rate-table records in the
legacy's ASCII conventions, a seeded generator of awkward cases, and running one
case through GnuCOBOL and densan."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import LEGACY

PARM = "20260131,0100"
CITY_RATES = [(20210101, 2500, 8800), (20220101, 2400, 8700), (20230101, 2400, 8700),
              (20240101, 2400, 8700), (20250101, 2400, 8700), (20260101, 2800, 9100)]
OUTPUTS = {"MASTER-OUT": "master-out.dat", "NOTICE-OUT": "notice-out.dat",
           "ENTAI-OUT": "entai-out.dat", "ERROR-OUT": "error-out.dat", "REPORT": "report.txt"}


def packed(value: int, nbytes: int = 6, sign: str | None = None) -> bytes:
    digits = nbytes * 2 - 1
    text = f"{abs(value):0{digits}d}"[-digits:]
    return bytes.fromhex(text + (sign or ("D" if value < 0 else "C")))


def key(n: int, nendo=2025, kamoku=1, kibetsu=1) -> bytes:
    return f"{nendo:04d}{kamoku:02d}{n:010d}{kibetsu:02d}".encode()


def master(k: bytes, *, due=b"20251231", chotei: int | bytes = 50_000, nofu: int | bytes = 0,
           toku=b"00000000", jotai=b"0", kojin=b"3000000001", kofuri=b"0",
           koshin=b"20250401", kaisu=b"\x00\x0f", filler=b" " * 13) -> bytes:
    ch = chotei if isinstance(chotei, bytes) else packed(chotei)
    nf = nofu if isinstance(nofu, bytes) else packed(nofu)
    rec = (k + kojin + due + ch + nf + packed(0) + packed(0, 5) + b"00000000" + toku + jotai
           + kofuri + koshin + kaisu + filler)
    assert len(rec) == 100, len(rec)
    return rec


def rate(start: int | bytes, r1: int | bytes, r2: int | bytes, filler=b"  ") -> bytes:
    def f(v, w):
        return v if isinstance(v, bytes) else f"{v:0{w}d}".encode()
    rec = f(start, 8) + f(r1, 5) + f(r2, 5) + filler
    assert len(rec) == 20
    return rec


CITY_TABLE = [rate(*r) for r in CITY_RATES]


@dataclass
class Case:
    masters: list[bytes]
    rates: list[bytes] = field(default_factory=lambda: list(CITY_TABLE))
    parm: str | None = PARM
    master_tail: bytes = b""
    rate_tail: bytes = b""
    missing: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- generator
def _date(rnd: random.Random, lo=2020, hi=2026) -> int:
    import datetime as dt
    d = dt.date(lo, 1, 1) + dt.timedelta(days=rnd.randrange((dt.date(hi, 12, 31) - dt.date(lo, 1, 1)).days))
    return int(d.strftime("%Y%m%d"))


MONTH_ENDS = [20240131, 20240229, 20230228, 20250228, 20240430, 20251231, 20250531, 20250131,
              20250129, 20240128, 20201231, 20201230, 20211231]
BAD_DATES = [b"20250229", b"20251301", b"20250000", b"00000101", b"2025013 ", b"20250431",
             b"19000229", b"2025A101"]


def generate(seed: int) -> Case:
    """A small random case over the rules: dates around the reminder day, month ends,
    1 January, partly paid, reminded, every reason, odd states, odd rate tables."""
    rnd = random.Random(seed)
    parm_date = rnd.choice([20260131, 20260105, 20250301, 20240301, 20241231, _date(rnd, 2021, 2026)])
    import datetime as dt
    pd = dt.datetime.strptime(str(parm_date), "%Y%m%d").date()
    masters = []
    for n in sorted(rnd.sample(range(1, 10**6), rnd.randint(0, 40))):
        r = rnd.random()
        if r < 0.3:
            due = int((pd - dt.timedelta(days=rnd.choice([0, 1, 19, 20, 21, 22, 30, 31, 32, 60]))).strftime("%Y%m%d"))
        elif r < 0.5:
            due = rnd.choice(MONTH_ENDS)
        else:
            due = _date(rnd)
        chotei = rnd.choice([1_999, 2_000, 2_999, 14_000, 15_999, 65_000, 152_500, rnd.randint(1, 10**7),
                             99_999_999_999, 0, -5])
        nofu = rnd.choice([0, 0, 0, rnd.randint(0, max(chotei, 1)), chotei, chotei + 1, -100])
        jotai = rnd.choice([b"0"] * 6 + [b"1"] * 3 + [b"2", b"3", b"9", b" ", b"X"])
        toku = rnd.choice([b"00000000"] * 4 + [b"20250620", b"00000001", b"99999999"])
        kw = {}
        fault = rnd.random()
        if fault < 0.04:
            kw["chotei"] = packed(chotei, sign="F")
        elif fault < 0.06:
            kw["nofu"] = bytes.fromhex("00000000A00C")
        elif fault < 0.08:
            kw["kojin"] = b"30000 0001"
        elif fault < 0.11:
            kw["due"] = rnd.choice(BAD_DATES)
        elif fault < 0.13:
            toku = rnd.choice([b"        ", b"2025062 "])
        masters.append(master(key(n), due=kw.pop("due", str(due).encode()), chotei=kw.pop("chotei", chotei),
                              nofu=kw.pop("nofu", nofu), toku=toku, jotai=jotai,
                              filler=rnd.choice([b" " * 13, b"FILLER-KEPT-1"]), **kw))
    rates = list(CITY_TABLE)
    r = rnd.random()
    if r < 0.1:
        rates = rates[2:]                                     # first period 2023
    elif r < 0.15:
        rates = [rate(20000101, rnd.randint(0, 99999), rnd.randint(0, 99999))]
    elif r < 0.2:
        rates = rates + [rate(20260401, 3000, 9500)]          # a period not on 1 January
    case = Case(masters, rates, parm=f"{parm_date},{rnd.choice(['0100', '0000', '9999', '0250'])}")
    if len(masters) > 2 and rnd.random() < 0.06:
        i = rnd.randrange(1, len(masters))
        case.masters[i] = case.masters[i - 1]
        case.notes.append("duplicate key")
    if rnd.random() < 0.04:
        case.master_tail = b"2025" * rnd.randint(1, 20)
        case.notes.append("short master record")
    return case


# ----------------------------------------------------------------------------- running
@dataclass
class Outcome:
    rc: int
    files: dict[str, bytes | None]


def write_inputs(case: Case, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mi, ri = folder / "master-in.dat", folder / "rate-in.dat"
    mi.write_bytes(b"".join(case.masters) + case.master_tail)
    ri.write_bytes(b"".join(case.rates) + case.rate_tail)
    return {"MASTER-IN": mi, "RATE-IN": ri}


def _dds(case: Case, inputs: dict, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    dds = {**inputs, **{dd: out / name for dd, name in OUTPUTS.items()}}
    return {k: (None if k in case.missing else v) for k, v in dds.items()}


def _outcome(rc: int, out: Path) -> Outcome:
    return Outcome(rc, {dd: (out / f).read_bytes() if (out / f).exists() else None
                        for dd, f in OUTPUTS.items()})


def run_legacy_case(case: Case, folder: Path) -> Outcome:
    from engine.migration.legacy import run_legacy
    dds = _dds(case, write_inputs(case, folder / "in"), folder / "legacy")
    return _outcome(run_legacy("ENTAI01", dds, case.parm, legacy_dir=LEGACY).rc, folder / "legacy")


def run_densan_case(case: Case, folder: Path, **options) -> Outcome:
    """densan's run of the case; `options` go to entai01() (e.g. block_records)."""
    from jobs.collection.entai01 import entai01
    dds = _dds(case, write_inputs(case, folder / "in"), folder / "densan")
    res = entai01(master_in=dds["MASTER-IN"], rate_in=dds["RATE-IN"], master_out=dds["MASTER-OUT"],
                  notice_out=dds["NOTICE-OUT"], entai_out=dds["ENTAI-OUT"],
                  error_out=dds["ERROR-OUT"], report=dds["REPORT"], parm=case.parm, **options)
    return _outcome(res.rc, folder / "densan")


def assert_same(legacy: Outcome, densan: Outcome, case: Case | None = None) -> None:
    notes = f" ({', '.join(case.notes)})" if case and case.notes else ""
    assert densan.rc == legacy.rc, f"return code{notes}"
    assert densan.files["REPORT"] == legacy.files["REPORT"], f"REPORT differs{notes}"
    if legacy.rc < 16:
        for dd in ("MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT"):
            assert densan.files[dd] == legacy.files[dd], f"{dd} differs{notes}"


# ----------------------------------------------------------------------------- EBCDIC
def ebcdic_master(rec: bytes) -> bytes:
    """A SHUNOMST record in EBCDIC: text fields translated, packed fields as they are."""
    from tests.shuno01.cases import ebcdic_master as convert
    return convert(rec)


def ebcdic_files(case: Case, folder: Path) -> dict[str, Path]:
    from tests.shuno01.cases import convert_file, ebcdic_text
    folder.mkdir(parents=True, exist_ok=True)
    mi, ri = folder / "master-in.dat", folder / "rate-in.dat"
    mi.write_bytes(convert_file(b"".join(case.masters) + case.master_tail, 100, ebcdic_master))
    ri.write_bytes(ebcdic_text(b"".join(case.rates) + case.rate_tail))
    return {"MASTER-IN": mi, "RATE-IN": ri}


def ebcdic_outputs(out: Outcome) -> dict[str, bytes | None]:
    """The legacy's ASCII outputs as the same run gives them in EBCDIC."""
    from tests.shuno01.cases import convert_file, ebcdic_text
    f = out.files

    def error(rec: bytes) -> bytes:
        return ebcdic_master(rec[:100]) + ebcdic_text(rec[100:])
    return {"MASTER-OUT": convert_file(f["MASTER-OUT"], 100, ebcdic_master),
            "NOTICE-OUT": ebcdic_text(f["NOTICE-OUT"]), "ENTAI-OUT": ebcdic_text(f["ENTAI-OUT"]),
            "ERROR-OUT": convert_file(f["ERROR-OUT"], 120, error), "REPORT": f["REPORT"]}


def run_densan_ebcdic(case: Case, folder: Path, **options) -> Outcome:
    from jobs.collection.entai01 import entai01
    dds = _dds(case, ebcdic_files(case, folder / "in-ebcdic"), folder / "densan-ebcdic")
    res = entai01(master_in=dds["MASTER-IN"], rate_in=dds["RATE-IN"], master_out=dds["MASTER-OUT"],
                  notice_out=dds["NOTICE-OUT"], entai_out=dds["ENTAI-OUT"],
                  error_out=dds["ERROR-OUT"], report=dds["REPORT"], parm=case.parm, encoding="cp930",
                  **options)
    return _outcome(res.rc, folder / "densan-ebcdic")
