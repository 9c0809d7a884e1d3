"""Input builders for SHUNO01 tests: master and transaction records in the legacy's
ASCII conventions, a seeded generator of awkward cases, the ASCII -> EBCDIC
field-aware converter, and running one case through GnuCOBOL and densan."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import LEGACY

PARM = "20250131"


# ----------------------------------------------------------------------------- records
def packed(value: int, nbytes: int, signed: bool = True) -> bytes:
    digits = nbytes * 2 - 1
    text = f"{abs(value):0{digits}d}"[-digits:]
    sign = "F" if not signed else ("D" if value < 0 else "C")
    return bytes.fromhex(text + sign)


def zoned(value: int, width: int) -> bytes:
    """GnuCOBOL signed zoned, trailing sign: 0x70+d on the last digit when negative."""
    text = f"{abs(value):0{width}d}"[-width:]
    if value < 0:
        text = text[:-1] + chr(0x70 + int(text[-1]))
    return text.encode("latin-1")


def key(nendo=2024, kamoku=1, tsuchi=1, kibetsu=1) -> bytes:
    return f"{nendo:04d}{kamoku:02d}{tsuchi:010d}{kibetsu:02d}".encode()


def master(k: bytes, *, chotei=10_000, nofu=0, kanpu=0, entai=0, shunyu=b"00000000",
           jotai=b"0", kofuri=b"0", koshin=b"20250101", kaisu=0, kaisu_raw: bytes | None = None,
           filler=b" " * 13) -> bytes:
    rec = (k + b"1000000001" + b"20250115" + packed(chotei, 6) + packed(nofu, 6)
           + packed(kanpu, 6) + packed(entai, 5) + shunyu + b"00000000" + jotai + kofuri
           + koshin + (kaisu_raw if kaisu_raw is not None else packed(kaisu, 2, signed=False))
           + filler)
    assert len(rec) == 100
    return rec


def tran(k: bytes, *, ch=b"1", date=b"20250110", nofu: int | bytes = 1000,
         entai: int | bytes = 0, renban=1, filler=b"     ") -> bytes:
    if isinstance(nofu, int):
        nofu = zoned(nofu, 11)
    if isinstance(entai, int):
        entai = zoned(entai, 9)
    rec = k + ch + date + nofu + entai + f"{renban:08d}".encode() + filler
    assert len(rec) == 60
    return rec


def sort_key(t: bytes) -> bytes:
    return t[0:18] + t[19:27] + t[47:55]


# ----------------------------------------------------------------------------- generator
@dataclass
class Case:
    masters: list[bytes]
    trans: list[bytes]
    parm: str | None = PARM
    master_tail: bytes = b""        # a partial record after the last one (wrong length)
    tran_tail: bytes = b""
    missing: tuple[str, ...] = ()   # DDs not allocated
    notes: list[str] = field(default_factory=list)

    @property
    def master_bytes(self) -> bytes:
        return b"".join(self.masters) + self.master_tail

    @property
    def tran_bytes(self) -> bytes:
        return b"".join(self.trans) + self.tran_tail


BAD_DATES = [b"00000000", b"00000115", b"20230229", b"19000229", b"20251301", b"20250100",
             b"20250132", b"20250431", b"2025013 ", b"2025O131", b"20250201", b"99991231"]
GOOD_DATES = [b"20240229", b"20000229", b"20250131", b"00010101", b"20250101", b"19991231"]
BAD_AMOUNTS = [b"000000200O0", b"0000000100 ", b" 0000001000", b"-0000001000", b"+0000001000",
               b"0000000100{", b"0000000100A", b"0000000100}", b"0000000100\xff"]
BAD_FEES = [b"00000010 ", b"0000001O0", b"00000010J", b"-00000010", b"         "]


def generate(seed: int, *, ascii_only: bool = True) -> Case:
    """A small random case touching the rules; `ascii_only` allows content whose byte
    order differs between ASCII and EBCDIC (non-digit keys and dates, HIGH-VALUES)."""
    rnd = random.Random(seed)
    n_keys = rnd.randint(0, 14)
    pool = sorted({key(2023 + rnd.randint(0, 2), rnd.choice([1, 2, 3, 4, 11, 12]),
                       rnd.randint(1, 60), rnd.randint(1, 4)) for _ in range(n_keys)})
    case = Case([], [])
    mkeys = list(pool)
    r = rnd.random()
    if r < 0.12 and len(mkeys) > 2:
        rnd.shuffle(mkeys)
        case.notes.append("unsorted masters")
    elif r < 0.24 and mkeys:
        i = rnd.randrange(len(mkeys))
        mkeys.insert(i, mkeys[i])
        case.notes.append("duplicate master key")
    for k in mkeys:
        chotei = rnd.choice([0, 5_000, 12_345, rnd.randint(1, 10**6), 99_999_999_999, -rnd.randint(1, 500)])
        nofu = rnd.choice([0, 0, rnd.randint(1, 20_000), 99_999_999_990, -99_999_999_990, -rnd.randint(1, 9)])
        kaisu = rnd.choice([0, 0, 1, 2, 998, 999, rnd.randint(0, 999)])
        kraw = None
        if rnd.random() < 0.05:
            kraw = rnd.choice([bytes.fromhex("AAAF"), bytes.fromhex("001C"), bytes.fromhex("99FF")])
        shunyu = rnd.choice([b"00000000", b"20250105", b"20250120", b"20250131", b"        "])
        if ascii_only and rnd.random() < 0.05:
            shunyu = rnd.choice([b"2025011A", b"A0000000", b"1\x7f000000"])
        m = master(k, chotei=chotei, nofu=nofu, kanpu=rnd.choice([0, 0, 100]),
                   entai=rnd.choice([0, 0, 500, 999_999_990, -20]), shunyu=shunyu,
                   jotai=rnd.choice([b"0", b"1", b"2", b"3", b"9", b"0"]),
                   kofuri=rnd.choice([b"0", b"1"]), kaisu=kaisu, kaisu_raw=kraw,
                   filler=rnd.choice([b" " * 13, b"FILLER-KEPT-1"]))
        if rnd.random() < 0.04:       # an invalid nibble in SH-NOFU-GAKU
            m = m[:42] + bytes.fromhex("0000000A0B0C") + m[48:]
        case.masters.append(m)

    others = [key(2022, 1, 99, 1), key(2026, 12, 1, 1), key(2024, 2, 999, 9)]
    n_tran = rnd.randint(0, 40)
    for i in range(n_tran):
        if pool and rnd.random() < 0.8:
            k = rnd.choice(pool)
        else:
            k = rnd.choice(others)
        if rnd.random() < 0.3 and case.trans:            # many on one key
            k = case.trans[-1][:18]
        ch = rnd.choice([b"1", b"2", b"3", b"4", b"5"] * 6 + [b"0", b"6", b"8", b" ", b"A"])
        date = rnd.choice([b"20250110", b"20250120", b"20250128", b"20250131"] * 3
                          + BAD_DATES + GOOD_DATES)
        if not ascii_only and not date.replace(b" ", b"0").isdigit():
            date = b"2025013 "                 # letters sort differently in EBCDIC
        amount: int | bytes = rnd.choice([rnd.randint(1, 50_000), -rnd.randint(1, 50_000), 0,
                                          rnd.randint(1, 50_000), 99_999_999_999, -99_999_999_999])
        if rnd.random() < 0.05:
            amount = b"0000000000p"                          # minus zero
        if rnd.random() < 0.08:
            amount = rnd.choice(BAD_AMOUNTS)
        fee: int | bytes = rnd.choice([0, 0, 0, rnd.randint(1, 999), 999_999_999, -rnd.randint(1, 99)])
        if rnd.random() < 0.05:
            fee = rnd.choice(BAD_FEES)
        case.trans.append(tran(k, ch=ch, date=date, nofu=amount, entai=fee,
                               renban=rnd.randint(0, 99_999_999)))
    case.trans.sort(key=sort_key)
    if rnd.random() < 0.08 and len(case.trans) > 2:
        i = rnd.randrange(len(case.trans) - 1)
        case.trans[i], case.trans[i + 1] = case.trans[i + 1], case.trans[i]
        case.notes.append("swapped transactions")
    if rnd.random() < 0.05:
        case.master_tail = b"2024" * rnd.randint(1, 20)
        case.notes.append("short master record")
    if rnd.random() < 0.05:
        case.tran_tail = b"2024" * rnd.randint(1, 10)
        case.notes.append("short transaction record")
    if ascii_only and rnd.random() < 0.04:
        hv = b"\xff" * 18
        if rnd.random() < 0.5 and case.masters:
            case.masters.insert(rnd.randrange(len(case.masters)), hv + case.masters[0][18:])
        else:
            case.trans.append(hv + (case.trans[0][18:] if case.trans else tran(hv)[18:]))
        case.notes.append("HIGH-VALUES key")
    if rnd.random() < 0.04:
        case.parm = rnd.choice([None, "2025023", "20250230", "20240229", "20250131 X"])
    return case


# ----------------------------------------------------------------------------- EBCDIC
def _ebcdic_table() -> bytes:
    """ASCII byte -> EBCDIC byte: cp037 (a bijection of all 256 bytes), with X'FF'
    kept as X'FF' so that HIGH-VALUES stay HIGH-VALUES."""
    table = bytearray(bytes(range(256)).decode("latin-1").encode("cp037"))
    j = table.index(0xFF)
    table[j], table[0xFF] = table[0xFF], 0xFF
    return bytes(table)


E_TABLE = _ebcdic_table()
_EBCDIC_SIGN_OK = set(range(0xC0, 0xCA)) | set(range(0xD0, 0xDA)) | set(range(0xF0, 0xFA))


def ebcdic_text(b: bytes) -> bytes:
    return b.translate(E_TABLE)


def ebcdic_zoned(b: bytes, positive_zone: int) -> bytes:
    """A GnuCOBOL signed zoned field in EBCDIC: '0'-'9' last -> zone C or F, 0x70+d ->
    zone D; bytes that were invalid stay invalid."""
    head, last = ebcdic_text(b[:-1]), b[-1]
    if 0x30 <= last <= 0x39:
        tail = positive_zone | (last & 15)
    elif 0x70 <= last <= 0x79:
        tail = 0xD0 | (last & 15)
    else:
        tail = E_TABLE[last]
        if tail in _EBCDIC_SIGN_OK:          # e.g. 'A' -> X'C1' would become valid
            tail = 0x6F
    return head + bytes([tail])


def ebcdic_master(rec: bytes) -> bytes:
    return (ebcdic_text(rec[:36]) + rec[36:59] + ebcdic_text(rec[59:85]) + rec[85:87]
            + ebcdic_text(rec[87:]))


def ebcdic_tran(rec: bytes) -> bytes:
    zone = 0xC0 if rec[54] % 2 else 0xF0          # both positive signs appear
    return (ebcdic_text(rec[:27]) + ebcdic_zoned(rec[27:38], zone)
            + ebcdic_zoned(rec[38:47], zone) + ebcdic_text(rec[47:]))


def ebcdic_error(rec: bytes) -> bytes:
    return ebcdic_tran(rec[:60]) + ebcdic_text(rec[60:])


def convert_file(data: bytes, length: int, conv) -> bytes:
    full = len(data) // length * length
    out = b"".join(conv(data[i:i + length]) for i in range(0, full, length))
    return out + ebcdic_text(data[full:])


# ----------------------------------------------------------------------------- running
@dataclass
class Outcome:
    rc: int
    master_out: bytes | None
    error_out: bytes | None
    report: bytes | None


def _read(p: Path) -> bytes | None:
    return p.read_bytes() if p.exists() else None


def write_inputs(case: Case, folder: Path, *, ebcdic: bool = False) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mi, ti = folder / "master-in.dat", folder / "tran-in.dat"
    mb, tb = case.master_bytes, case.tran_bytes
    if ebcdic:
        mb, tb = convert_file(mb, 100, ebcdic_master), convert_file(tb, 60, ebcdic_tran)
    mi.write_bytes(mb)
    ti.write_bytes(tb)
    return mi, ti


def _dds(case: Case, mi: Path, ti: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    dds = {"MASTER-IN": mi, "TRAN-IN": ti, "MASTER-OUT": out / "master-out.dat",
           "ERROR-OUT": out / "error-out.dat", "REPORT": out / "report.txt"}
    return {k: (None if k in case.missing else v) for k, v in dds.items()}


def run_legacy_case(case: Case, folder: Path) -> Outcome:
    from engine.migration.legacy import run_legacy
    mi, ti = write_inputs(case, folder / "in")
    dds = _dds(case, mi, ti, folder / "legacy")
    res = run_legacy("SHUNO01", dds, case.parm, legacy_dir=LEGACY)
    o = folder / "legacy"
    return Outcome(res.rc, _read(o / "master-out.dat"), _read(o / "error-out.dat"),
                   _read(o / "report.txt"))


def run_densan_case(case: Case, folder: Path, *, ebcdic: bool = False) -> Outcome:
    from jobs.collection.shuno01 import post
    mi, ti = write_inputs(case, folder / ("in-ebcdic" if ebcdic else "in"), ebcdic=ebcdic)
    dds = _dds(case, mi, ti, folder / ("densan-ebcdic" if ebcdic else "densan"))
    res = post(master_in=dds["MASTER-IN"], tran_in=dds["TRAN-IN"], master_out=dds["MASTER-OUT"],
               error_out=dds["ERROR-OUT"], report=dds["REPORT"], parm=case.parm,
               encoding="cp930" if ebcdic else "ascii", dialect="ibm" if ebcdic else None)
    o = folder / ("densan-ebcdic" if ebcdic else "densan")
    return Outcome(res.rc, _read(o / "master-out.dat"), _read(o / "error-out.dat"),
                   _read(o / "report.txt"))


def assert_same(legacy: Outcome, densan: Outcome, case: Case | None = None) -> None:
    notes = f" ({', '.join(case.notes)})" if case and case.notes else ""
    assert densan.rc == legacy.rc, f"return code{notes}"
    assert densan.report == legacy.report, f"REPORT differs{notes}"
    if legacy.rc < 16:
        assert densan.master_out == legacy.master_out, f"MASTER-OUT differs{notes}"
        assert densan.error_out == legacy.error_out, f"ERROR-OUT differs{notes}"
