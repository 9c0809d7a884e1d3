"""JUKI01 test cases: JUKIMST / IDOTRN records in the legacy's conventions, a seeded
generator of awkward days, the ASCII -> cp930 field-aware converter, and running a
case through GnuCOBOL (the legacy program) and through densan (the job step)."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import LEGACY

PARM = "20250131"
SP = b" "


def sj(text: str, width: int) -> bytes:
    b = text.encode("cp932")
    assert len(b) <= width
    return b.ljust(width)


def master(key: int | bytes, *, setai=b"1000000001", zoku=b"01", shimei="井上　翔太", kana="ｲﾉｳｴ ｼｮｳﾀ",
           seinen=b"19810101", sex=b"1", koku=b"1", jusho=b"130402", banchi=b"16-7", jumin=b"20000401",
           jutei=b"20000401", tohyoku=b"02", jotai=b"0", shojo=b"00000000", koshin=b"20200401",
           filler=b" " * 47) -> bytes:
    k = key if isinstance(key, bytes) else b"%010d" % key
    rec = (k + setai + zoku + sj(shimei, 30) + sj(kana, 30) + seinen + sex + koku + jusho + banchi.ljust(20)
           + jumin + jutei + tohyoku + jotai + shojo + koshin + filler)
    assert len(rec) == 200, len(rec)
    return rec


def move(key: int | bytes, jiyu: bytes, *, ido=b"20250130", renban: int | bytes = 1, setai=SP * 10, zoku=SP * 2,
         shimei="", kana="", seinen=SP * 8, sex=SP, koku=SP, jusho=SP * 6, banchi=b"", filler=SP * 26) -> bytes:
    k = key if isinstance(key, bytes) else b"%010d" % key
    rb = renban if isinstance(renban, bytes) else b"%06d" % renban
    rec = (k + ido + rb + jiyu + setai + zoku + sj(shimei, 30) + sj(kana, 30) + seinen + sex + koku + jusho
           + banchi.ljust(20) + filler)
    assert len(rec) == 160, len(rec)
    return rec


def person(key, jiyu=b"11", **kw) -> bytes:
    """A 転入 / 出生 with every person field valid."""
    base = dict(setai=b"2000000001", zoku=b"01", shimei="山田　太郎", kana="ﾔﾏﾀﾞ ﾀﾛｳ", seinen=b"19900515",
                sex=b"1", koku=b"1", jusho=b"230402", banchi=b"5-8-13")
    base.update(kw)
    return move(key, jiyu, **base)


def sort_key(t: bytes) -> bytes:
    return t[:24]


@dataclass
class Case:
    masters: list[bytes]
    moves: list[bytes]
    parm: str | None = PARM
    master_tail: bytes = b""
    move_tail: bytes = b""
    missing: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def master_bytes(self) -> bytes:
        return b"".join(self.masters) + self.master_tail

    @property
    def move_bytes(self) -> bytes:
        return b"".join(self.moves) + self.move_tail


# ----------------------------------------------------------------------------- generator
BAD_DATES = [b"00000000", b"20230229", b"19000229", b"20251301", b"20250100", b"20250132", b"20250431",
             b"2025013 ", b"2025O131", b"20250201", b"99991231"]
GOOD_DATES = [b"20240229", b"20000229", b"20250131", b"20250101", b"20250115", b"20250130"]
KANA = ["ｲﾉｳｴ ｼｮｳﾀ", "ﾀｶﾊｼ ﾕｲ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ｻﾄｳ ﾐｻｷ"]
BAD_KANA = ["SATO", "ｻﾄｳ･ﾐｻｷ", "佐藤", "", "ｻﾄｳ\x7fﾐ"]
NAMES = ["山田　太郎", "高橋　結衣", "佐藤　美咲", "林　誠"]


def generate(seed: int, *, ascii_only: bool = True) -> Case:
    """A small random day: masters in every state, movements of every reason with
    valid and invalid values, several per person. `ascii_only` also allows bytes
    whose order or meaning differs in EBCDIC (letters in keys, control bytes)."""
    rnd = random.Random(seed)
    keys = sorted(rnd.sample(range(1_000_000_100, 1_000_000_100 + 60 * 10, 10), rnd.randint(0, 14)))
    case = Case([], [])
    for k in keys:
        jotai = rnd.choice([b"0"] * 6 + [b"1", b"2", b"3", b"9"] + ([b" "] if ascii_only else []))
        case.masters.append(master(
            k, jotai=jotai, sex=rnd.choice([b"1", b"2", b"1", b"2", b"9"]),
            koshin=rnd.choice([b"20200401", b"20250129", b"20250131", b"20240229"]),
            shojo=b"00000000" if jotai == b"0" else b"20230331",
            kana=rnd.choice(KANA), jusho=rnd.choice([b"130402", b"890101", b"100000"]),
            filler=rnd.choice([b" " * 47, b"KEEP-THIS-FILLER".ljust(47)])))
    others = [1_000_000_005, 1_000_000_105, 1_000_000_999, 9_999_999_999]
    for _ in range(rnd.randint(0, 40)):
        if case.moves and rnd.random() < 0.35:
            k = case.moves[-1][:10]
        else:
            k = b"%010d" % (rnd.choice(keys) if keys and rnd.random() < 0.7 else rnd.choice(others))
        if ascii_only and rnd.random() < 0.03:
            k = rnd.choice([b"100000010A", b"          "])
        jiyu = rnd.choice([b"11", b"12", b"21", b"22", b"23", b"31", b"41", b"51"] * 3 + [b"99", b"1 ", b"00"])
        ido = rnd.choice(GOOD_DATES * 3 + BAD_DATES) if rnd.random() < 0.3 else rnd.choice(
            [b"20250120", b"20250130", b"20250131", b"20240229"])
        if not ascii_only and not ido.replace(b" ", b"0").isdigit():
            ido = b"2025013 "
        renban = rnd.randint(0, 999_999) if rnd.random() < 0.97 else b"00001A"
        kw = dict(ido=ido, renban=renban)
        if jiyu in (b"11", b"12"):
            t = person(k, jiyu, **kw, seinen=rnd.choice([b"19900515", b"20240229", b"20250131", b"20250201",
                                                          b"19000229", b"1990051 "]),
                       shimei=rnd.choice(NAMES + [""] * 1), kana=rnd.choice(KANA * 4 + BAD_KANA),
                       sex=rnd.choice([b"1", b"2"] * 5 + [b"3", b" "]), koku=rnd.choice([b"1", b"2"] * 5 + [b"0"]),
                       jusho=rnd.choice([b"230402", b"340105", b"100000", b"899999", b"099999", b"900000",
                                         b"12345 "]),
                       setai=rnd.choice([b"2000000001"] * 6 + [b"0000000000", b"20000000 1"]),
                       zoku=rnd.choice([b"01", b"02", b"03"] * 3 + [b"00", b"0 "]))
        elif jiyu == b"31":
            t = move(k, jiyu, **kw, jusho=rnd.choice([b"340105", b"120405", b"950101", b"89010 ", b"899999"]),
                     banchi=rnd.choice([b"2-14-7", b"1-1", b""]))
        elif jiyu == b"41":
            t = move(k, jiyu, **kw, shimei=rnd.choice(NAMES + [""]), kana=rnd.choice(KANA * 3 + BAD_KANA))
        elif jiyu == b"51":
            t = move(k, jiyu, **kw, setai=rnd.choice([b"1000000300", b"0000000000", b"10000003X0"]),
                     zoku=rnd.choice([b"01", b"02", b"03", b"00"]))
        else:
            t = move(k, jiyu, **kw)
        case.moves.append(t)
    case.moves.sort(key=sort_key)
    r = rnd.random()
    if r < 0.06 and len(case.moves) > 2:
        i = rnd.randrange(len(case.moves) - 1)
        if case.moves[i][:24] != case.moves[i + 1][:24]:
            case.moves[i], case.moves[i + 1] = case.moves[i + 1], case.moves[i]
            case.notes.append("swapped movements")
    elif r < 0.12 and len(case.masters) > 2:
        i = rnd.randrange(len(case.masters))
        case.masters.insert(i, case.masters[i])
        case.notes.append("duplicate master key")
    if rnd.random() < 0.04:
        case.master_tail = b"1" * rnd.randint(1, 199)
        case.notes.append("short master record")
    if rnd.random() < 0.04:
        case.move_tail = b"1" * rnd.randint(1, 159)
        case.notes.append("short movement record")
    if rnd.random() < 0.04:
        case.parm = rnd.choice([None, "2025023", "20250230", "20240229", "20250131 X", "2025013A"])
        case.notes.append(f"PARM {case.parm!r}")
    return case


# ----------------------------------------------------------------------------- cp930
def _sbcs_table() -> bytes:
    """Single bytes of the ASCII files (ASCII and JIS X 0201 katakana) -> cp930."""
    from engine.codepages import get_codepage
    cp = get_codepage("cp930")
    out = bytearray(b"\x6f" * 256)
    for b in range(256):
        try:
            ch = bytes([b]).decode("cp932")
        except UnicodeDecodeError:
            continue
        try:
            e = cp.encode(ch)
        except Exception:  # noqa: BLE001 — a character cp930 does not have
            continue
        if len(e) == 1:
            out[b] = e[0]
    return bytes(out)


_TABLE: bytes | None = None


def ebcdic(b: bytes) -> bytes:
    global _TABLE
    if _TABLE is None:
        _TABLE = _sbcs_table()
    return b.translate(_TABLE)


def ebcdic_name(b: bytes) -> bytes:
    """Shift_JIS kanji of a name -> cp930 (SO ... SI), space padded (X'40')."""
    from engine.codepages import get_codepage
    text = b.decode("cp932").rstrip(" ")
    e = get_codepage("cp930").encode(text) if text else b""
    assert len(e) <= len(b), "name too long for cp930 with SO/SI"
    return e + b"\x40" * (len(b) - len(e))


def ebcdic_master(rec: bytes) -> bytes:
    return ebcdic(rec[:22]) + ebcdic_name(rec[22:52]) + ebcdic(rec[52:])


def ebcdic_move(rec: bytes) -> bytes:
    return ebcdic(rec[:38]) + ebcdic_name(rec[38:68]) + ebcdic(rec[68:])


def ebcdic_error(rec: bytes) -> bytes:
    return ebcdic_move(rec[:160]) + ebcdic(rec[160:])


def convert_file(data: bytes | None, lrecl: int, fn) -> bytes | None:
    if data is None:
        return None
    return b"".join(fn(data[i:i + lrecl]) for i in range(0, len(data) - len(data) % lrecl, lrecl))


# ----------------------------------------------------------------------------- running
OUTPUTS = ("RES-OUT", "ERROR-OUT", "LIST-OUT", "REPORT")
FILES = {"RES-OUT": "res-out.dat", "ERROR-OUT": "error-out.dat", "LIST-OUT": "list-out.txt",
         "REPORT": "report.txt"}


@dataclass
class Outcome:
    rc: int
    files: dict


def write_inputs(case: Case, folder: Path, *, cp930: bool = False) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mi, ti = folder / "res-in.dat", folder / "move-in.dat"
    mb, tb = case.master_bytes, case.move_bytes
    if cp930:
        mb = convert_file(mb, 200, ebcdic_master) + ebcdic(case.master_tail)
        tb = convert_file(tb, 160, ebcdic_move) + ebcdic(case.move_tail)
    mi.write_bytes(mb)
    ti.write_bytes(tb)
    return mi, ti


def _dds(case: Case, mi: Path, ti: Path, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    dds = {"RES-IN": mi, "MOVE-IN": ti, **{dd: out / f for dd, f in FILES.items()}}
    return {k: (None if k in case.missing else v) for k, v in dds.items()}


def _collect(rc: int, out: Path) -> Outcome:
    return Outcome(rc, {dd: (out / f).read_bytes() if (out / f).exists() else None for dd, f in FILES.items()})


def run_legacy_case(case: Case, folder: Path) -> Outcome:
    from engine.migration.legacy import run_legacy
    mi, ti = write_inputs(case, folder / "in")
    dds = _dds(case, mi, ti, folder / "legacy")
    res = run_legacy("JUKI01", dds, case.parm, legacy_dir=LEGACY)
    return _collect(res.rc, folder / "legacy")


def run_densan_case(case: Case, folder: Path, *, cp930: bool = False) -> Outcome:
    """The program step with the job layer's DDs on the case's files (no catalog)."""
    from engine.job.step import DD, StepContext
    from jobs.residents.juki01 import run

    mi, ti = write_inputs(case, folder / ("in-cp930" if cp930 else "in"), cp930=cp930)
    out = folder / ("densan-cp930" if cp930 else "densan")
    dds = _dds(case, mi, ti, out)
    enc, dialect = ("cp930", "ibm") if cp930 else ("ascii", None)
    step_dds = {}
    for name, path in dds.items():
        if path is None:
            continue
        if name in ("RES-IN", "MOVE-IN"):
            step_dds[name] = DD(name, paths=[path], encoding=enc, dialect=dialect)
        else:
            step_dds[name] = DD(name, out_path=path, is_output=True, encoding=enc, dialect=dialect)
    ctx = StepContext(job_name="T", step_name="UPDATE", program="JUKI01", parm=case.parm or "", params={},
                      run_id="t", dds=step_dds, log=lambda m: None)
    rc = run(ctx)
    return _collect(rc, out)


def assert_same(legacy: Outcome, densan: Outcome, case: Case | None = None) -> None:
    notes = f" ({', '.join(case.notes)})" if case and case.notes else ""
    assert densan.rc == legacy.rc, f"return code{notes}"
    assert densan.files["REPORT"] == legacy.files["REPORT"], f"REPORT differs{notes}"
    if legacy.rc < 16:
        for dd in ("RES-OUT", "ERROR-OUT", "LIST-OUT"):
            assert densan.files[dd] == legacy.files[dd], f"{dd} differs{notes}"


def write_case_folder(case: Case, folder: Path) -> Path:
    """A `densan verify` case folder: the inputs and a case.yaml whose legacy outputs
    `densan verify --build-legacy` makes with GnuCOBOL from the legacy source."""
    import yaml
    write_inputs(case, folder)
    doc = {"job": "JUKI01", "description": ", ".join(case.notes) or "JUKI01 case",
           "inputs": {"RES-IN": "res-in.dat", "MOVE-IN": "move-in.dat"},
           "outputs": {dd: {"file": f, "compare": "bytes"} for dd, f in FILES.items()},
           "legacy": {"program": str(LEGACY / "programs" / "JUKI01.cob"), "copybooks": [str(LEGACY / "copybooks")]}}
    if case.parm is not None:
        doc["parm"] = case.parm
    (folder / "case.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder
