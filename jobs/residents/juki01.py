"""JUKI01 — resident movements (住民記録 異動処理) applied to the resident master (個人マスタ).

The migrated form of the legacy program JUKI01.cob, on the record-program toolkit
(engine/program), following ../shared/spec/resident-movements.md rule by rule:

1. sequence: RES-IN strictly ascending on JM-KOJIN-NO, MOVE-IN ascending on its
   first 24 bytes; the step stops (RC 16) at the first record out of order, at the
   moment the legacy's balance line would have read it;
2. matching: the balance line, several movements of a person in file order;
3. checks: IV, DT, IV (new values), DU / NF / ST (the person's state), DT (更新日);
4. valid new values; 5. applying; 6. 投票区; 7. RES-OUT in key order, untouched
   records as read; 9. return codes 0 / 4 / 16.

DDs RES-IN, MOVE-IN, RES-OUT, ERROR-OUT, LIST-OUT, REPORT; PARM the processing date.
ASCII data follows GnuCOBOL's conventions, EBCDIC (cp930) IBM's; LIST-OUT and REPORT
are print files in Shift_JIS either way (what the host's printer showed).
"""
from __future__ import annotations

import numpy as np

from engine.program.balance_line import update
from engine.program.dates import is_valid_date
from engine.program.keys import compare
from engine.program.legacy_shell import (Abend, not_allocated, open_error, open_output, read_error, recno,
                                         wrong_length, writing)
from engine.program.printfile import write_pdf
from engine.program.records import Records
from engine.program.sequence import first_out_of_order
from engine.program.step import ProgramStep
from engine.program.validation import first_failure, reason_counts, reject_records
from jobs.residents.report import ListFile, Totals, abend_report, control_report, print_table

PROGRAM = "JUKI01"
JIYU = ("11", "12", "21", "22", "23", "31", "41", "51")     # 異動事由, in the report's row order
TENNYU, SHUSSEI, TENSHUTSU, SHIBO, SHOKKEN, TENKYO, SHIMEI, SETAI, OTHER = range(9)
REASONS = ("NF", "DU", "DT", "IV", "ST")                   # the report's columns
CITY_CODES = (100000, 899999)                              # 住所コード of the city


def run(ctx) -> int:
    step = ProgramStep(ctx)
    try:
        _open_output(step, "REPORT")
    except Abend as stop:
        return _abend(step, None, stop)
    text = (step.parm or "").encode("utf-8", "surrogateescape")[:16].ljust(16)    # ACCEPT ... PIC X(16)
    parm = text[:8].decode("ascii") if text[:8].isdigit() and not text[8:].strip(b" ") else None
    if parm is not None and not is_valid_date(np.array([int(parm)]))[0]:
        parm = None
    shown = f"{parm[:4]}/{parm[4:6]}/{parm[6:]}".encode() if parm else text[:10]
    try:
        if parm is None:
            raise Abend(b'PARM IS NOT A VALID PROCESSING DATE YYYYMMDD: "' + text.rstrip(b" ") + b'"')
        _open_data(step)
        return _process(step, int(parm), shown)
    except Abend as stop:
        return _abend(step, shown, stop)


def _process(step: ProgramStep, parm: int, shown: bytes) -> int:
    enc, dialect = step.encoding("RES-IN", "MOVE-IN"), step.dialect("RES-IN", "MOVE-IN")
    mf, tf = step.fixed("RES-IN", 200), step.fixed("MOVE-IN", 160)
    master = Records(mf.data, "JUKIMST", encoding=enc, dialect=dialect)
    moves = Records(tf.data, "IDOTRN", encoding=enc, dialect=dialect)
    _check_sequence(step, master, moves, mf.short_tail, tf.short_tail)

    # rule 3: the checks that do not depend on the person's state, over all movements
    kind = np.full(len(moves), OTHER)
    for i, code in enumerate(JIYU):
        kind[moves.equals("IT-JIYU-X", code)] = i
    ido_bi = moves.value("IT-IDO-BI")
    first_checks = first_failure([
        ("IV", ~moves.numeric("IT-KOJIN-NO") | ~moves.numeric("IT-RENBAN") | (kind == OTHER)),
        ("DT", ~moves.numeric("IT-IDO-BI") | ~is_valid_date(ido_bi) | (ido_bi > parm)),
        ("IV", _invalid_new_values(moves, kind, ido_bi)),
    ])

    # rules 2, 3.4-3.5 and 5: the balance line, movements of one rank at a time
    lines = np.full((len(moves), 132), 0x20, np.uint8)
    print_bytes = _print_table(enc)

    def apply(batch):
        t, k = batch.tran, kind[batch.tran]
        rec = Records(batch.rec, master.layout, encoding=enc, dialect=dialect)
        mv = moves.take(t)
        active = rec.equals("JM-JOTAI", "0")
        present = batch.present
        removal = k >= TENSHUTSU
        reason = np.where(first_checks[t] != "", first_checks[t], first_failure([
            ("DU", (k == TENNYU) & present & active),
            ("DU", (k == SHUSSEI) & present),
            ("NF", removal & ~present),
            ("ST", removal & ~active),
            ("DT", present & (compare(mv.bytes("IT-IDO-BI"), rec.bytes("JM-KOSHIN-BI")) < 0)),
        ]))
        ok = reason == ""
        old = _print_before(rec, k, print_bytes)
        _apply(rec, mv, k, ok, present)
        lines[t[ok]] = ListFile.detail(mv.take(ok), k[ok], old[ok], _print_after(rec, k, print_bytes)[ok],
                                       print_bytes)
        return reason

    result = update(master.data, master.bytes("JM-KOJIN-NO"), moves.bytes("IT-KOJIN-NO"), apply, blank=b" "
                    if not master.ebcdic else b"\x40")
    applied = result.applied

    # outputs
    with writing("RES-OUT", step.dd("RES-OUT").path), step.open("RES-OUT", len(result)) as fh:
        written = result.write(fh)
    rejected = ~applied
    errors = reject_records(moves.data[rejected], result.reasons[rejected], 180, fill=master.space,
                            encode=master.literal)
    with writing("ERROR-OUT", step.dd("ERROR-OUT").path):
        step.write("ERROR-OUT", errors)
    listing = ListFile(shown)
    list_lines = listing.lay_out(lines[applied])
    with writing("LIST-OUT", step.dd("LIST-OUT").path):
        step.write_lines("LIST-OUT", list_lines)
    if step.has("LIST-PDF"):                  # not the legacy's: the list rendered for people
        step.dd("LIST-PDF").count(written=write_pdf(list_lines, step.dd("LIST-PDF").path, title="異動者一覧",
                                                     page_starts=listing.page_starts))

    totals = Totals(
        table=print_table(kind, applied, result.reasons, reason_counts(result.reasons, REASONS, kind, 9), REASONS),
        read=len(master), updated=result.updated, added=result.added, written=written, listed=int(applied.sum()),
        before=_population(master.bytes("JM-JOTAI"), master.bytes("JM-SEIBETSU"), master),
        after=_population_after(master, result))
    rc = 4 if rejected.any() else 0
    step.write_lines("REPORT", control_report(shown, totals, rc))
    step.log(f"{PROGRAM} RES-IN {len(master)}, MOVE-IN {len(moves)}: APPLIED {int(applied.sum())}, "
             f"REJECTED {int(rejected.sum())}; RES-OUT {written} (ADDED {result.added}); RC {rc}")
    return rc


def _invalid_new_values(mv: Records, kind: np.ndarray, ido_bi: np.ndarray) -> np.ndarray:
    """Rule 4: the values the movement's reason needs."""
    person = (kind == TENNYU) | (kind == SHUSSEI)
    household = ~mv.numeric("IT-SETAI-NO") | ~mv.numeric("IT-ZOKUGARA") | (mv.value("IT-SETAI-NO") == 0) \
        | (mv.value("IT-ZOKUGARA") == 0)
    kana = mv.chars_in("IT-KANA", "\uff66", "\uff9f") | (mv.bytes("IT-KANA") == mv.space)   # ｦ..ﾟ or space
    name = mv.spaces("IT-SHIMEI") | mv.spaces("IT-KANA") | ~kana.all(axis=1)
    sex_nat = ~mv.is_in("IT-SEIBETSU", "12") | ~mv.is_in("IT-KOKUSEKI", "12")
    code = mv.value("IT-JUSHO-CD")
    address = ~mv.numeric("IT-JUSHO-CD") | (code < CITY_CODES[0]) | (code > CITY_CODES[1])
    birth = mv.value("IT-SEINEN-BI")
    born = ~mv.numeric("IT-SEINEN-BI") | ~is_valid_date(birth) | (birth > ido_bi)
    return ((person | (kind == SETAI)) & household) | ((person | (kind == SHIMEI)) & name) \
        | (person & sex_nat) | ((person | (kind == TENKYO)) & address) | ((kind == TENNYU) & born)


def _apply(rec: Records, mv: Records, k: np.ndarray, ok: np.ndarray, present: np.ndarray) -> None:
    """Rule 5 for the accepted movements (rows `ok`), in place."""
    adds = ok & ((k == TENNYU) | (k == SHUSSEI))
    new = adds & ~present
    rec.data[new] = rec.space
    rec.put("JM-KOJIN-NO", mv.bytes("IT-KOJIN-NO")[new], new)
    for to, frm in (("JM-SETAI-NO", "IT-SETAI-NO"), ("JM-ZOKUGARA", "IT-ZOKUGARA"), ("JM-SHIMEI", "IT-SHIMEI"),
                    ("JM-KANA", "IT-KANA"), ("JM-SEIBETSU", "IT-SEIBETSU"), ("JM-KOKUSEKI", "IT-KOKUSEKI"),
                    ("JM-JUSHO-CD", "IT-JUSHO-CD"), ("JM-BANCHI", "IT-BANCHI"), ("JM-JUMIN-BI", "IT-IDO-BI"),
                    ("JM-JUTEI-BI", "IT-IDO-BI")):
        rec.put(to, mv.bytes(frm)[adds], adds)
    rec.put("JM-SEINEN-BI", np.where((k == SHUSSEI)[:, None], mv.bytes("IT-IDO-BI"), mv.bytes("IT-SEINEN-BI"))[adds],
            adds)
    rec.put("JM-JOTAI", rec.literal("0"), adds)
    rec.put("JM-SHOJO-BI", np.zeros(int(adds.sum()), np.int64), adds)
    present[adds] = True
    for kind_, status in ((TENSHUTSU, "1"), (SHIBO, "2"), (SHOKKEN, "3")):
        rows = ok & (k == kind_)
        rec.put("JM-JOTAI", rec.literal(status), rows)
        rec.put("JM-SHOJO-BI", mv.bytes("IT-IDO-BI")[rows], rows)
    moved = ok & (k == TENKYO)
    for to, frm in (("JM-JUSHO-CD", "IT-JUSHO-CD"), ("JM-BANCHI", "IT-BANCHI"), ("JM-JUTEI-BI", "IT-IDO-BI")):
        rec.put(to, mv.bytes(frm)[moved], moved)
    for rows, fields in ((ok & (k == SHIMEI), ("SHIMEI", "KANA")), (ok & (k == SETAI), ("SETAI-NO", "ZOKUGARA"))):
        for f in fields:
            rec.put(f"JM-{f}", mv.bytes(f"IT-{f}")[rows], rows)
    district = adds | moved                       # rule 6: 投票区 = first two digits mod 12, plus 1
    rec.put("JM-TOHYOKU", rec.value("JM-JUSHO-CD")[district] // 10_000 % 12 + 1, district)
    rec.put("JM-KOSHIN-BI", mv.bytes("IT-IDO-BI")[ok], ok)


def _address(rec: Records, print_bytes) -> np.ndarray:
    out = np.full((len(rec), 30), 0x20, np.uint8)
    out[:, :6] = print_bytes[rec.bytes("JM-JUSHO-CD")]
    out[:, 7:27] = print_bytes[rec.bytes("JM-BANCHI")]
    return out


def _household(rec: Records, print_bytes) -> np.ndarray:
    out = np.full((len(rec), 30), 0x20, np.uint8)
    out[:, :10] = print_bytes[rec.bytes("JM-SETAI-NO")]
    out[:, 11:13] = print_bytes[rec.bytes("JM-ZOKUGARA")]
    return out


def _print_before(rec: Records, k: np.ndarray, print_bytes) -> np.ndarray:
    """The list's BEFORE (旧) column from the person's state before the movement."""
    out = np.full((len(rec), 30), 0x20, np.uint8)
    addr = (k >= TENSHUTSU) & (k <= TENKYO)
    out[addr] = _address(rec, print_bytes)[addr]
    out[k == SHIMEI] = print_bytes[rec.bytes("JM-KANA")][k == SHIMEI]
    out[k == SETAI] = _household(rec, print_bytes)[k == SETAI]
    return out


def _print_after(rec: Records, k: np.ndarray, print_bytes) -> np.ndarray:
    """The list's AFTER (新) column from the record after the movement."""
    out = np.full((len(rec), 30), 0x20, np.uint8)
    addr = (k == TENNYU) | (k == SHUSSEI) | (k == TENKYO)
    out[addr] = _address(rec, print_bytes)[addr]
    out[k == SHIMEI] = print_bytes[rec.bytes("JM-KANA")][k == SHIMEI]
    out[k == SETAI] = _household(rec, print_bytes)[k == SETAI]
    return out


def _population(jotai: np.ndarray, sex: np.ndarray, rec: Records) -> np.ndarray:
    """Active residents (JM-JOTAI '0') by sex: male, female, other, total."""
    active = jotai[:, 0] == rec.literal("0")[0]
    s = sex[:, 0]
    m, f = active & (s == rec.literal("1")[0]), active & (s == rec.literal("2")[0])
    return np.array([m.sum(), f.sum(), (active & ~m & ~f).sum(), active.sum()], np.int64)


def _population_after(master: Records, result) -> np.ndarray:
    """The population over RES-OUT: RES-IN's, less the touched master records as
    read, plus the touched keys' records as written."""
    before = _population(master.bytes("JM-JOTAI"), master.bytes("JM-SEIBETSU"), master)
    rows = result.group_master[result.group_master >= 0]
    touched = master.take(rows)
    final = Records(result.group_rec[result.group_present], master.layout, encoding=master.encoding,
                    dialect=master.dialect)
    return (before - _population(touched.bytes("JM-JOTAI"), touched.bytes("JM-SEIBETSU"), master)
            + _population(final.bytes("JM-JOTAI"), final.bytes("JM-SEIBETSU"), master))


def _print_table(encoding: str) -> np.ndarray:
    """Data bytes -> the print file's Shift_JIS bytes (identity for ASCII data)."""
    if encoding.lower() in ("ascii", "cp932", "shift_jis"):
        return np.arange(256, dtype=np.uint8)
    from engine.codepages import get_codepage
    cp = get_codepage(encoding)
    table = np.full(256, ord("?"), np.uint8)
    for b in range(256):
        try:
            ch = cp.decode(bytes([b]))
            enc = ch.encode("cp932") if len(ch) == 1 else b""
        except (UnicodeError, ValueError):
            enc = b""
        if len(enc) == 1:
            table[b] = enc[0]
    return table


# --------------------------------------------------------------------------- the abnormal ends
def _open_output(step: ProgramStep, dd: str) -> None:
    """OPEN OUTPUT: allocated, and the file can be created (GnuCOBOL's status if not)."""
    if not step.has(dd):
        raise not_allocated(dd)
    d = step.dd(dd)
    if not d.dummy:
        open_output(dd, d.path, extend=d.append).close()


def _open_data(step: ProgramStep) -> None:
    """1400: RES-IN, MOVE-IN (each file there; a directory opens), then the outputs;
    then the first READ of an input that cannot be read (a directory: status 30)."""
    unreadable = []
    for dd in ("RES-IN", "MOVE-IN"):
        if not step.has(dd):
            raise not_allocated(dd)
        d = step.dd(dd)
        for p in [] if d.dummy else d.paths:
            if not p.exists():
                raise open_error(dd, p, "35")
            if p.is_dir():
                unreadable.append(read_error(dd, p))
    for dd in ("RES-OUT", "ERROR-OUT", "LIST-OUT"):
        _open_output(step, dd)
    if unreadable:
        raise unreadable[0]


def _check_sequence(step, master: Records, moves: Records, master_short: bool, moves_short: bool) -> None:
    """Rule 1 and wrong-length records: the first error the legacy's reads meet.
    Master record i is read when master i-1's key becomes active; movement j
    after movement j-1 is processed (the master read of a key comes first)."""
    m_stop = first_out_of_order(master.bytes("JM-KOJIN-NO"), strict=True)
    t_stop = first_out_of_order(moves.data[:, :24], strict=False)
    m_at = m_stop.record if m_stop else (len(master) + 1 if master_short else None)
    t_at = t_stop.record if t_stop else (len(moves) + 1 if moves_short else None)
    if m_at is None and t_at is None:
        return
    m_key = master.data[m_at - 2, :10] if m_at and m_at >= 2 else None     # the key active at that read
    t_key = moves.data[t_at - 2, :10] if t_at and t_at >= 2 else None
    master_first = t_at is None or (m_at is not None and (
        m_key is None or (t_key is not None and compare(m_key[None], t_key[None])[0] <= 0)))
    if master_first:
        if m_stop:
            raise Abend(f"SEQUENCE ERROR ON RES-IN AT RECORD {recno(m_at)}",
                        b"  PREVIOUS: JM-KOJIN-NO " + m_stop.previous, b"  CURRENT:  JM-KOJIN-NO " + m_stop.current)
        raise wrong_length("RES-IN", m_at, step.dd("RES-IN").paths)
    if t_stop:
        raise Abend(f"SEQUENCE ERROR ON MOVE-IN AT RECORD {recno(t_at)}",
                    b"  PREVIOUS: KOJIN-NO IDO-BI RENBAN " + t_stop.previous,
                    b"  CURRENT:  KOJIN-NO IDO-BI RENBAN " + t_stop.current)
    raise wrong_length("MOVE-IN", t_at, step.dd("MOVE-IN").paths)


def _abend(step: ProgramStep, shown: bytes | None, stop: Abend) -> int:
    for line in stop.log_lines(PROGRAM, "utf-8", "replace"):
        step.log(line)
    if shown is not None:
        step.write_lines("REPORT", abend_report(shown, stop))
    return 16
