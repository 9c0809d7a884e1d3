"""KOTEI01 — fixed-asset tax annual assessment (固定資産税 賦課).

The migrated form of the legacy program KOTEI01.cob (spec: fixed-asset-tax.md). It
gives the legacy's CHOTEI-OUT, NOTICE-OUT, ERROR-OUT and REPORT byte for byte and
its return code, over whole files instead of a two-file match loop:

1. every land and house record is validated column-wise (IV, NT, RC: first failure);
2. 課税標準 per record: land 評価額 x 1, / 6, / 3 truncated; house 評価額;
3. per owner (the first 10 key bytes, both masters, in byte order): totals truncated
   to 1,000 yen, the 免税点 (300,000 land, 200,000 houses), 1.4 % truncated to
   100 yen, four installments (the remainder in the first) or one;
4. notice numbers 02 + the sequence of the taxed owners; collection items, notices
   and rejected records in owner order (land before houses, each in file order).

What the record loop decides by its order is decided here by the same order: the
first abnormal end (a sequence error, a wrong-length record, an owner with more
than 9,999 taxable lines) is the one the legacy's read-ahead meets first; an owner
of ten X'FF' (HIGH-VALUES) ends its master, as in the legacy.
"""
from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from engine.program import arithmetic as ar
from engine.program.control_report import abend_block
from engine.program.dates import is_valid_date
from engine.program.documents import Documents
from engine.program.keys import key_ranks
from engine.program.legacy_shell import (Abend, Unreadable, allocated, check_path_lengths, open_output, read_error,
                                         read_input, recno, wrong_length)
from engine.program.printfile import blank_lines, edit, edit_one, put
from engine.program.records import Records
from engine.program.sequence import first_out_of_order
from engine.program.step import line_sequential
from engine.program.validation import first_failure, reject_records
from jobs.tax.assessment import collection_items, installments, write_items

PROGRAM = "KOTEI01"
KAMOKU = 2                           # 固定資産税
LAND_MENZEITEN, HOUSE_MENZEITEN = 300_000, 200_000
MAX_LINES = 9_999                    # the notice buffer of one owner
CHUNK_OWNERS = 40_000                # notices are built this many owners at a time
IN_DDS = ("LAND-IN", "HOUSE-IN", "NOKI-IN")
OUT_DDS = ("CHOTEI-OUT", "NOTICE-OUT", "ERROR-OUT")
W = 104                              # the widest notice line: an amount with its note, 102 columns


@dataclass
class Totals:
    """The control totals, LAND / HOUSE pairs first."""
    read: list = field(default_factory=lambda: [0, 0])
    rejected: list = field(default_factory=lambda: [0, 0])
    iv: list = field(default_factory=lambda: [0, 0])
    nt: list = field(default_factory=lambda: [0, 0])
    rc: list = field(default_factory=lambda: [0, 0])
    accepted: list = field(default_factory=lambda: [0, 0])
    hikazei: list = field(default_factory=lambda: [0, 0])
    taxable: list = field(default_factory=lambda: [0, 0])
    owners: int = 0
    taxed: int = 0
    not_taxed: int = 0
    under_land: int = 0
    under_house: int = 0
    under_both: int = 0
    land_base: int = 0
    house_base: int = 0
    annual_tax: int = 0
    ki_records: int = 0
    chotei_sum: int = 0
    notice_lines: int = 0


@dataclass(frozen=True)
class Charset:
    """The data's code page: ASCII with GnuCOBOL conventions (the legacy files), or an
    EBCDIC page (cp930) with IBM's. The print files (notices, report) stay in the
    workstation's code (ASCII, half-width katakana as cp932 single bytes): data
    bytes printed go through `to_print`."""
    encoding: str = "ascii"
    dialect: str | None = None
    space: int = 0x20
    to_print: np.ndarray = None

    def text(self, s: str) -> bytes:
        if self.encoding == "ascii":
            return s.encode("ascii")
        from engine.codepages import get_codepage
        return get_codepage(self.encoding).encode(s)

    def printable(self, b):
        if self.to_print is None:
            return b
        if isinstance(b, (bytes, bytearray)):
            return self.to_print[np.frombuffer(bytes(b), np.uint8)].tobytes()
        return self.to_print[b]


def charset(encoding: str | None, dialect: str | None = None) -> Charset:
    enc = (encoding or "ascii").lower()
    if enc in ("ascii", "utf-8", "utf8", "cp932", "latin-1"):
        return Charset()
    from engine.codepages import get_codepage
    cp = get_codepage(enc)
    if not cp.is_ebcdic:
        return Charset()
    table = np.full(256, ord("?"), np.uint8)
    for b in range(256):
        c = int(cp.sbcs[b])
        if c >= 0:
            try:
                x = chr(c).encode("cp932")
            except UnicodeEncodeError:
                continue
            if len(x) == 1:
                table[b] = x[0]
    return Charset(enc, dialect or "ibm", 0x40, table)


@dataclass
class Result:
    rc: int
    report: list[bytes] | None
    messages: list[str]
    totals: Totals | None = None


# =============================================================================== the step
def assess(*, land_in, house_in, noki_in, chotei_out, notice_out, error_out, report,
           parm: str | None, notice_pdf=None, encoding: str = "ascii", dialect: str | None = None) -> Result:
    """Run KOTEI01 over files. Each DD argument is a path, or None when the DD is not
    allocated. The steps and abnormal ends follow the legacy's order: DD paths, the
    REPORT, PARM (after the page header), inputs then outputs, NOKI-IN, the masters.
    `notice_pdf` also renders the notices as PDF. `encoding` cp930: the data files in
    EBCDIC with IBM conventions (the same rules; the print files as for ASCII)."""
    cs = charset(encoding, dialect)
    dds = {"REPORT": report, "LAND-IN": land_in, "HOUSE-IN": house_in, "NOKI-IN": noki_in,
           "CHOTEI-OUT": chotei_out, "NOTICE-OUT": notice_out, "ERROR-OUT": error_out}
    lines: list[bytes] | None = None
    report_fh = None
    try:
        check_path_lengths(dds)
        report_fh = open_output("REPORT", allocated("REPORT", report))
        parm20 = (parm or "").encode("utf-8", "surrogateescape")[:20].ljust(20)
        nendo, date = _parse_parm(parm20)
        date_text = f"{date // 10000:04d}/{date // 100 % 100:02d}/{date % 100:02d}".encode() if date else parm20
        lines = _page_header(parm20[:4] if date else b"    ", date_text)
        if not date:
            raise Abend(b'PARM IS NOT A VALID FISCAL YEAR YYYY FOLLOWED BY A PROCESSING DATE YYYYMMDD: "'
                        + parm20.rstrip(b" ") + b'"')
        outputs = [dds[dd] for dd in OUT_DDS if dds[dd]]
        data = {dd: read_input(dd, allocated(dd, dds[dd]), mapped=True, outputs=outputs) for dd in IN_DDS}
        for dd in OUT_DDS:
            open_output(dd, allocated(dd, dds[dd])).close()
        due = _due_dates(data["NOKI-IN"], dds["NOKI-IN"], cs)
        totals = _assess(data["LAND-IN"], data["HOUSE-IN"], dds, due, nendo, date, date_text[:10], notice_pdf, cs)
        rc = 4 if sum(totals.rejected) else 0
        lines += _control_totals(totals, rc)
        result = Result(rc, lines, [], totals)
    except Abend as ab:
        if lines is not None:
            lines += abend_block(ab.encoded(), _rc_line(16, b"(ABNORMAL END - OUTPUTS MUST NOT BE CATALOGED)"))
        result = Result(16, lines, ab.log_lines(PROGRAM))
    if report_fh is not None:
        with report_fh:
            report_fh.write(line_sequential(ln[:132] for ln in result.report or []))
    return result


def _parse_parm(parm20: bytes) -> tuple[int, int]:
    """(fiscal year, processing date), or (0, 0) when PARM is not valid."""
    head, rest = parm20[:12], parm20[12:]
    if rest.strip(b" ") or not (head.isascii() and head.isdigit()):
        return 0, 0
    nendo, date = int(head[:4]), int(head[4:])
    return (nendo, date) if nendo > 0 and is_valid_date(date) else (0, 0)


def _due_dates(data, path, cs: Charset) -> list[int]:
    """1500: exactly four NOKIKGN records, 期別 01-04 in order, calendar dates,
    checked as they are read."""
    if isinstance(data, Unreadable):
        raise data.error()
    raw = data.tobytes()
    dates = []
    for n, i in enumerate(range(0, len(raw), 20), 1):
        rec = cs.printable(raw[i:i + 20])
        if len(rec) < 20:
            raise wrong_length("NOKI-IN", n, path)
        if n > 4:
            raise Abend("NOKI-IN MUST HOLD 4 DUE DATES, IT HOLDS MORE")
        ki, date = rec[:2], rec[2:10]
        if not (ki.isascii() and ki.isdigit() and date.isascii() and date.isdigit()
                and int(ki) == n and is_valid_date(int(date))):
            raise Abend(f"NOKI-IN RECORD {recno(n)} INVALID: KIBETSU AND A CALENDAR DATE EXPECTED",
                         b'  RECORD: "' + rec + b'"')
        dates.append(int(date))
    if len(dates) != 4:
        raise Abend(f"NOKI-IN MUST HOLD 4 DUE DATES, IT HOLDS {recno(len(dates))}")
    return dates


# =============================================================================== the masters
@dataclass
class _Master:
    """One master as read: its records through the copybook, the bytes of a partial
    last record, its place in the match (0 land, 1 house)."""
    dd: str
    src: int
    rec: Records
    tail: int
    path: object
    unreadable: bool = False
    owner: np.ndarray = None
    cs: Charset = Charset()          # the owner's rank among both masters' owners (byte order)

    @property
    def rows(self) -> np.ndarray:
        return self.rec.data

    @property
    def n(self) -> int:
        return len(self.rec)

    def f(self, name: str) -> str:
        return ("TM-" if self.src == 0 else "KM-") + name


def _master(dd: str, src: int, data, path, cs: Charset) -> _Master:
    copybook = "TOCHIMST" if src == 0 else "KAOKUMST"
    if isinstance(data, Unreadable):
        data, unreadable = np.zeros(0, np.uint8), True
    else:
        unreadable = False
    n = data.size // 100
    rec = Records(data[:n * 100].reshape(n, 100), copybook, encoding=cs.encoding, dialect=cs.dialect)
    return _Master(dd, src, rec, data.size - n * 100, path, unreadable, cs=cs)


def _when(m: _Master, i: int, phase: int) -> tuple:
    """When the legacy meets an event at record i: while processing it (0) or when
    reading the next one right after (1). Owners are processed in byte order; an
    owner's land before his houses. Before the first owner: the priming reads."""
    return (-1, m.src, -1, phase) if i < 0 else (int(m.owner[i]), m.src, i, phase)


def _read_extent(m: _Master) -> tuple[int, tuple | None, Abend | None]:
    """How far the legacy reads a master: (records read, the time and message of the
    read that ends the step, if any). A HIGH-VALUES owner ends the file."""
    if m.unreadable:
        return 0, (-1, m.src, -1, 1), read_error(m.dd, m.path)
    hv = np.flatnonzero((m.rows[:, :10] == 0xFF).all(axis=1))
    last = int(hv[0]) if hv.size else m.n - 1           # the last record read (0-based)
    keys = m.rec.bytes(m.f("KEY"))[:last + 1]
    brk = first_out_of_order(keys, strict=True)
    if brk is not None and brk.record == 1:              # the first record is not compared
        brk = first_out_of_order(keys[1:], strict=True, start=keys[0].tobytes())
        brk = brk and type(brk)(brk.record + 1, brk.previous, brk.current)
    if brk is not None:
        j = brk.record - 1
        return j + 1, _when(m, j - 1, 1), Abend(
            f"SEQUENCE ERROR ON {m.dd} AT RECORD {recno(j + 1)} (KEYS MUST BE STRICTLY ASCENDING)",
            b'  PREVIOUS KEY: "' + m.cs.printable(brk.previous) + b'"',
            b'  CURRENT KEY:  "' + m.cs.printable(brk.current) + b'"')
    if not hv.size and m.tail:
        return m.n, _when(m, m.n - 1, 1), wrong_length(m.dd, m.n + 1, m.path)
    return last + 1, None, None


def _validate(m: _Master) -> tuple[np.ndarray, np.ndarray]:
    """Rule 4 (the first failed check is the reason, '' accepted) and rule 8 (課税標準)."""
    r = m.rec
    if m.src == 0:
        numeric = ("KOJIN-NO", "SHOZAI-CD", "CHIMOKU", "CHISEKI", "HYOKA-GAKU")
        checks = [("RC", ~r.is_in("TM-JUTAKU-KBN", ["0", "1", "2"]))]
    else:
        numeric = ("KOJIN-NO", "SHOZAI-CD", "KOZO", "YOTO", "YUKA-MENSEKI", "KENCHIKU-NEN", "HYOKA-GAKU")
        checks = []
    all_numeric = r.all_numeric(*(m.f(name) for name in numeric))
    reason = first_failure([("IV", ~all_numeric), ("NT", ~r.is_in(m.f("HIKAZEI-KBN"), ["0", "1"])), *checks])
    hyoka = r.value(m.f("HYOKA-GAKU"))
    if m.src == 0:      # class '1' 1/6, '2' 1/3, else 1: truncated to the yen per parcel
        divisor = np.select([r.equals("TM-JUTAKU-KBN", "1"), r.equals("TM-JUTAKU-KBN", "2")], [6, 3], 1)
        hyoka = ar.divide(hyoka, divisor)
    return reason, hyoka


def _assess(land_data, house_data, dds, due, nendo, date, date_text, notice_pdf, cs) -> Totals:
    land = _master("LAND-IN", 0, land_data, dds["LAND-IN"], cs)
    house = _master("HOUSE-IN", 1, house_data, dds["HOUSE-IN"], cs)
    with ThreadPoolExecutor(2) as pool:               # three independent passes side by side
        ranks = pool.submit(key_ranks, land.rows[:, :10], house.rows[:, :10])
        house_checked = pool.submit(_validate, house)
        checked = {0: _validate(land), 1: house_checked.result()}
        land.owner, house.owner = ranks.result()
    t = Totals()
    events = []
    for m in (land, house):
        nread, when, abend = _read_extent(m)
        if abend is not None:
            events.append((when, abend))
        hv = np.flatnonzero((m.rows[:nread, :10] == 0xFF).all(axis=1))
        n = int(hv[0]) if hv.size else nread          # processed: up to a HIGH-VALUES owner
        t.read[m.src] = nread
        reason, kazei = checked[m.src]
        m.owner, m.reason, m.kazei = m.owner[:n], reason[:n], kazei[:n]
        m.accepted = m.reason == ""
        m.taxable = m.accepted & ~m.rec.equals(m.f("HIKAZEI-KBN"), "1")[:n]
    over = _over_max_lines(land, house)
    if over is not None:
        events.append(over)
    if events:
        raise min(events, key=lambda e: e[0])[1]

    # from here on each master is in owner order (no sequence error): no merge, no sort
    for m in (land, house):
        s = m.src
        t.iv[s], t.nt[s], t.rc[s] = (int((m.reason == code).sum()) for code in ("IV", "NT", "RC"))
        t.rejected[s] = t.iv[s] + t.nt[s] + t.rc[s]
        t.accepted[s] = int(m.accepted.sum())
        t.taxable[s] = int(m.taxable.sum())
        t.hikazei[s] = t.accepted[s] - t.taxable[s]

    owners = _owners(land, house)
    t.owners = owners.height
    t.taxed = int(owners["taxed"].sum())
    t.not_taxed = t.owners - t.taxed
    t.under_land = int(owners["land_under"].sum())
    t.under_house = int(owners["house_under"].sum())
    t.under_both = int((owners["land_under"] & owners["house_under"]).sum())
    t.land_base, t.house_base = int(owners["land_base"].sum()), int(owners["house_base"].sum())
    t.annual_tax = int(owners["tax"].sum())

    _write_errors(dds["ERROR-OUT"], land, house)
    taxed = owners.filter("taxed")
    items = installments(taxed, count=4, unit=1000)
    chotei = collection_items(nendo=nendo, kamoku=KAMOKU, items=items, due=due, date=date)
    t.ki_records, t.chotei_sum = chotei.height, int(chotei["SH-CHOTEI-GAKU"].sum())
    # the collection items and the notices are independent: written side by side (the
    # codecs and NumPy release the GIL), as a host would run two output streams
    with ThreadPoolExecutor(2) as pool:
        items_written = pool.submit(write_items, chotei, dds["CHOTEI-OUT"], encoding=cs.encoding,
                                    dialect=cs.dialect)
        t.notice_lines = _write_notices(dds["NOTICE-OUT"], owners, taxed, items, land, house, due, nendo,
                                        date_text, notice_pdf, pool)
        items_written.result()
    return t


def _over_max_lines(land: _Master, house: _Master):
    """9950: the first taxable line beyond 9,999 of one owner in one master (the
    notice buffer), in processing order, as (when, abend); None when there is none."""
    found = []
    for m in (land, house):
        idx = np.flatnonzero(m.taxable)
        o = m.owner[idx]
        if not len(o) or np.bincount(o).max() <= MAX_LINES:
            continue
        by = np.argsort(o, kind="stable")
        o, idx = o[by], idx[by]
        j = np.flatnonzero(np.arange(len(o)) - np.searchsorted(o, o) >= MAX_LINES)[0]
        found.append((int(o[j]), m.src, int(idx[j])))
    if not found:
        return None
    owner, src, i = min(found)
    m = land if src == 0 else house
    return ((owner, src, i, 0), Abend(b"OWNER " + m.cs.printable(m.rows[i, :10].tobytes())
                                       + b" HAS MORE THAN 9,999 TAXABLE PARCELS OR HOUSES"))


def _runs(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal keys starts (keys in order)."""
    return np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else np.zeros(0, np.int64)


def _owners(land: _Master, house: _Master) -> pl.DataFrame:
    """Rules 5-10 per owner with an accepted record, in owner order: 課税標準額,
    免税点, the tax; the owner's first accepted record (land before houses) gives
    his number and name. Both masters are in owner order: sums by runs of owners."""
    size = 1 + max([int(m.owner.max()) for m in (land, house) if len(m.owner)], default=-1)
    col, first = {}, []
    for m, cat in ((land, "land"), (house, "house")):
        f = np.full(size, -1, np.int64)
        ia = np.flatnonzero(m.accepted)
        starts = _runs(m.owner[ia])
        f[m.owner[ia[starts]]] = ia[starts]
        first.append(f)
        it = np.flatnonzero(m.taxable)
        starts = _runs(m.owner[it])
        total = np.zeros(size, np.int64)
        if len(it):
            total[m.owner[it[starts]]] = np.add.reduceat(m.kazei[it], starts)
        col[f"{cat}_count"] = np.bincount(m.owner[it], minlength=size)
        col[f"{cat}_sum"] = total
    owner = np.flatnonzero((first[0] >= 0) | (first[1] >= 0))
    name_src = np.where(first[0][owner] >= 0, 0, 1).astype(np.int8)
    name_idx = np.where(name_src == 0, first[0][owner], first[1][owner])
    kojin = np.zeros(len(owner), np.int64)
    for m in (land, house):
        sel = name_src == m.src
        kojin[sel] = m.rec.take(name_idx[sel]).value(m.f("KOJIN-NO"))
    frame = pl.DataFrame({"owner": owner, "name_src": name_src, "name_idx": name_idx, "kojin": kojin,
                          **{k: v[owner] for k, v in col.items()}})
    return (frame
            .with_columns(land_under=(pl.col("land_count") > 0) & (pl.col("land_sum") < LAND_MENZEITEN),
                          house_under=(pl.col("house_count") > 0) & (pl.col("house_sum") < HOUSE_MENZEITEN))
            .with_columns(land_base=pl.when("land_under").then(0).otherwise(pl.col("land_sum") // 1000 * 1000),
                          house_base=pl.when("house_under").then(0).otherwise(pl.col("house_sum") // 1000 * 1000))
            .with_columns(tax=(pl.col("land_base") + pl.col("house_base")) * 14 // 100_000 * 100)
            .with_columns(taxed=pl.col("tax") > 0)
            .with_columns(seq=pl.col("taxed").cum_sum()))


def _identity(o: pl.DataFrame, land: _Master, house: _Master) -> np.ndarray:
    """Owner number (10 bytes) and name (30) of each owner's first accepted record."""
    src, idx = o["name_src"].to_numpy(), o["name_idx"].to_numpy()
    out = np.empty((len(src), 40), np.uint8)
    for s, m in ((0, land), (1, house)):
        sel = src == s
        out[sel] = m.rows[idx[sel]][:, np.r_[0:10, 20:50]]
    return land.cs.printable(out)


def _write_errors(path, land: _Master, house: _Master) -> None:
    """KOTEIERR: the record as read, 'T' or 'K', the reason, spaces; in owner order,
    land before houses, each in file order."""
    rows, owner, src = [], [], []
    for m in (land, house):
        idx = np.flatnonzero(~m.accepted)
        rows.append((m, idx))
        owner.append(m.owner[idx])
        src.append(np.full(len(idx), m.src, np.int8))
    by = np.lexsort((np.concatenate(src), np.concatenate(owner)))       # stable: file order kept
    cs = land.cs
    out = np.empty((len(by), 101), np.uint8)
    reasons = np.empty(len(by), "U2")
    k = 0
    for m, idx in rows:
        out[k:k + len(idx), :100] = m.rows[idx]
        out[k:k + len(idx), 100] = cs.text("T" if m.src == 0 else "K")[0]
        reasons[k:k + len(idx)] = m.reason[idx]
        k += len(idx)
    with open(path, "wb") as fh:
        fh.write(reject_records(out[by], reasons[by], 120, at=101, fill=cs.space, encode=cs.text).tobytes())


# =============================================================================== notices
LAND_HEAD = b"  LOCATN  CHIBAN     CHIMOKU     AREA M2  ASSESSED VALUE  RATIO      TAX BASE"
HOUSE_HEAD = b"  LOCATN  KAOKU-NO  KOZO YOTO BUILT  FLOOR M2  ASSESSED VALUE        TAX BASE"
KI_HEAD = b"  KIBETSU  DUE DATE (NOKIGEN)                          AMOUNT"
AMOUNT = "ZZZ,ZZZ,ZZZ,ZZ9"
RATIOS = np.frombuffer(b"  11/61/3", np.uint8).reshape(3, 3)


def _write_notices(path, owners, taxed, items, land, house, due, nendo, date_text, notice_pdf, pool) -> int:
    """納税通知書: one block per taxed owner, separated by a line of '=', built
    CHUNK_OWNERS owners at a time on the `pool` (two chunks at once: NumPy releases
    the GIL) and written in order. Returns the lines written."""
    seq_of = np.zeros(1 + max([len(m.owner) and int(m.owner.max()) for m in (land, house)]), np.int64)
    seq_of[owners["owner"].to_numpy()] = np.where(owners["taxed"].to_numpy(), owners["seq"].to_numpy(), 0)
    details = []                           # per master: the taxed owners' taxable records, their notice
    for m in (land, house):
        idx = np.flatnonzero(m.taxable & (seq_of[m.owner] > 0))
        details.append((idx, seq_of[m.owner[idx]]))
    iseq = items["seq"].to_numpy()

    def chunk(start: int):
        o = taxed.slice(start, CHUNK_OWNERS)
        bounds = (start + 1, start + o.height + 1)
        mine = []
        for idx, seq in details:
            d0, d1 = np.searchsorted(seq, bounds)
            mine.append((idx[d0:d1], seq[d0:d1]))
        i0, i1 = np.searchsorted(iseq, bounds)
        doc = _notice_lines(o, mine, items.slice(i0, i1 - i0), land, house, due, nendo, date_text)
        return doc.line_sequential(), doc.count, doc.lines() if notice_pdf else None

    pdf_lines, written, building = [], 0, deque()
    with open(path, "wb") as fh:
        try:
            for start in range(0, taxed.height, CHUNK_OWNERS):
                building.append(pool.submit(chunk, start))
                if len(building) > 1:
                    written += _write_chunk(fh, building.popleft().result(), pdf_lines)
            while building:
                written += _write_chunk(fh, building.popleft().result(), pdf_lines)
        finally:
            for f in building:
                f.cancel()
    if notice_pdf:
        from jobs.tax.assessment import notices_pdf
        notices_pdf(np.concatenate(pdf_lines) if pdf_lines else blank_lines(0, W), notice_pdf, f"{PROGRAM} {nendo}")
    return written


def _write_chunk(fh, built, pdf_lines: list) -> int:
    data, count, lines = built
    fh.write(data)
    if lines is not None:
        pdf_lines.append(lines)
    return count


def _amounts(values, label: bytes, under=None, note: bytes = b"") -> np.ndarray:
    """NTC-AMOUNT-LINE: the label at 3, ZZZ,ZZZ,ZZZ,ZZ9 at 63, a note at 80 (the
    line only as wide as its last field)."""
    with_note = under is not None and under.any()
    lines = blank_lines(len(values), 79 + len(note) if with_note else 77)
    put(lines, 3, label)
    put(lines, 63, edit(values, AMOUNT))
    if with_note:
        lines[under, 79:] = np.frombuffer(note, np.uint8)
    return lines


def _notice_lines(o, details, items, land, house, due, nendo, date_text) -> Documents:
    doc = Documents(W)
    seq = o["seq"].to_numpy()
    doc.fixed(seq[seq > 1], 0, (1, b"=" * 100))
    head = doc.text(seq, 1, (1, b"FIXED ASSET TAX NOTICE (KOTEI SHISAN ZEI NOZEI TSUCHISHO)"),
                    (61, f"FISCAL YEAR {nendo:04d}   NOTICE NO. 02".encode()), width=100)
    put(head, 93, edit(seq, "99999999"))
    owner = _identity(o, land, house)
    head = doc.text(seq, 2, (1, b"OWNER (SHOYUSHA) "), (60, b"   ISSUED ON " + date_text))
    put(head, 18, owner[:, :10])
    put(head, 30, owner[:, 10:])

    for (src, m, title, heading, who, note), (idx, dseq) in zip((
            (0, land, b"LAND (TOCHI)", LAND_HEAD, b"LAND", b"BELOW MENZEITEN 300,000"),
            (1, house, b"HOUSES (KAOKU)", HOUSE_HEAD, b"HOUSE", b"BELOW MENZEITEN 200,000")), details):
        cat = "land" if src == 0 else "house"
        has = o.filter(pl.col(f"{cat}_count") > 0)
        s, sec = has["seq"].to_numpy(), 10 * (src + 1)
        doc.fixed(s, sec)
        doc.fixed(s, sec + 1, (1, title))
        doc.fixed(s, sec + 2, (1, heading))
        doc.add(_details(idx, m), dseq, sec + 3, idx)
        label = b"LAND TOTAL (TOCHI KEI)" if src == 0 else b"HOUSE TOTAL (KAOKU KEI)"
        doc.add(_amounts(has[f"{cat}_sum"].to_numpy(), label), s, sec + 4)
        doc.add(_amounts(has[f"{cat}_base"].to_numpy(), who + b" TAX BASE (KAZEI HYOJUN GAKU)",
                         has[f"{cat}_under"].to_numpy(), note), s, sec + 5)

    doc.fixed(seq, 30)
    doc.add(_amounts((o["land_base"] + o["house_base"]).to_numpy(), b"TAX BASE TOTAL (KAZEI HYOJUN GAKU KEI)"),
            seq, 31)
    doc.add(_amounts(o["tax"].to_numpy(), b"ANNUAL TAX 1.4 PERCENT (NENGAKU)"), seq, 32)
    doc.fixed(seq, 33)
    doc.fixed(seq, 34, (1, KI_HEAD))
    ki = items["ki"].to_numpy()
    lines = blank_lines(len(ki), 61)
    put(lines, 5, edit(ki, "99"))
    slashed = np.array([f"{d // 10000:04d}/{d // 100 % 100:02d}/{d % 100:02d}".encode() for d in due])
    put(lines, 12, np.frombuffer(slashed.tobytes(), np.uint8).reshape(4, 10)[ki - 1])
    put(lines, 47, edit(items["amount"].to_numpy(), AMOUNT))
    doc.add(lines, items["seq"].to_numpy(), 35, ki)
    return doc


def _details(idx: np.ndarray, m: _Master) -> np.ndarray:
    """NTC-LAND-DETAIL / NTC-HOUSE-DETAIL of the owners' taxable records."""
    r = m.rec.take(idx)
    lines = blank_lines(len(r), 77)
    put(lines, 3, m.cs.printable(r.bytes(m.f("SHOZAI-CD"))))
    hyoka = r.value(m.f("HYOKA-GAKU"))
    hyoka_printed = edit(hyoka, "ZZ,ZZZ,ZZZ,ZZ9")
    if m.src == 0:
        put(lines, 11, m.cs.printable(r.bytes("TM-CHIBAN")))
        put(lines, 25, m.cs.printable(r.bytes("TM-CHIMOKU")))
        put(lines, 29, edit(r.value("TM-CHISEKI"), "Z,ZZZ,ZZ9.99"))
        put(lines, 43, hyoka_printed)
        put(lines, 59, RATIOS[r.bytes("TM-JUTAKU-KBN")[:, 0] - r.zone])
    else:
        put(lines, 11, m.cs.printable(r.bytes("KM-KAOKU-NO")))
        put(lines, 23, m.cs.printable(r.bytes("KM-KOZO")))
        put(lines, 28, m.cs.printable(r.bytes("KM-YOTO")))
        put(lines, 32, m.cs.printable(r.bytes("KM-KENCHIKU-NEN")))
        put(lines, 37, edit(r.value("KM-YUKA-MENSEKI"), "ZZ,ZZ9.99"))
        put(lines, 48, hyoka_printed)
    kazei = m.kazei[idx]
    reduced = np.flatnonzero(kazei != hyoka)           # land at 1/6 or 1/3; else the value itself
    hyoka_printed[reduced] = edit(kazei[reduced], "ZZ,ZZZ,ZZZ,ZZ9")
    put(lines, 64, hyoka_printed)
    return lines


# =============================================================================== report
TITLE = b"FIXED ASSET TAX ASSESSMENT (KOTEI SHISAN ZEI FUKA) - CONTROL TOTALS"


def _page_header(nendo4: bytes, date_text: bytes) -> list[bytes]:
    return [PROGRAM.encode().ljust(28) + TITLE.ljust(70) + b" " * 25 + b"PAGE    1",
            b" " * 28 + b"FISCAL YEAR (NENDO) " + nendo4 + b" " * 4 + b"PROCESSING DATE (SHORI-BI) " + date_text,
            b"-" * 132]


def _rc_line(rc: int, text: bytes) -> bytes:
    return PROGRAM.encode() + b" ENDED RETURN CODE" + edit_one(rc, "ZZZ9").encode() + b"   " + text


def _control_totals(t: Totals, rc: int) -> list[bytes]:
    def count(v):
        return edit_one(v, "ZZZ,ZZZ,ZZ9").encode()

    def two(label, pair):
        return b"  " + label.ljust(46) + b" " * 5 + count(pair[0]) + b" " * 5 + count(pair[1])

    def one(label, v):
        return b"  " + label.ljust(46) + b" " * 5 + count(v)

    def amount(label, v):
        return b"  " + label.ljust(46) + edit_one(v, "ZZZ,ZZZ,ZZZ,ZZZ,ZZ9").encode()

    return [b"", b"MASTER RECORDS".ljust(48) + b"  LAND (TOCHI)".ljust(16) + b"  HOUSE (KAOKU)", b"",
            two(b"RECORDS READ (LAND-IN / HOUSE-IN)", t.read),
            two(b"REJECTED TO ERROR-OUT", t.rejected),
            two(b"  IV  INVALID NUMERIC FIELD", t.iv),
            two(b"  NT  INVALID NON-TAXABLE FLAG (HIKAZEI)", t.nt),
            two(b"  RC  INVALID RESIDENTIAL CLASS (JUTAKU)", t.rc),
            two(b"ACCEPTED", t.accepted),
            two(b"  NON-TAXABLE (HIKAZEI)", t.hikazei),
            two(b"  TAXABLE (KAZEI)", t.taxable),
            b"", b"OWNERS (SHOYUSHA)", b"",
            one(b"OWNERS WITH ACCEPTED RECORDS", t.owners),
            one(b"OWNERS TAXED (NOTICES WRITTEN)", t.taxed),
            one(b"OWNERS NOT TAXED (TAX ZERO, NO NOTICE)", t.not_taxed),
            one(b"UNDER MENZEITEN, LAND", t.under_land),
            one(b"UNDER MENZEITEN, HOUSES", t.under_house),
            one(b"UNDER MENZEITEN, LAND AND HOUSES", t.under_both),
            b"", b"AMOUNTS (YEN)", b"",
            amount(b"TAX BASE, LAND (KAZEI HYOJUN GAKU)", t.land_base),
            amount(b"TAX BASE, HOUSES (KAZEI HYOJUN GAKU)", t.house_base),
            amount(b"ANNUAL TAX (NENGAKU)", t.annual_tax),
            b"", b"COLLECTION MASTER (CHOTEI-OUT)", b"",
            one(b"INSTALLMENT RECORDS WRITTEN (KIBETSU)", t.ki_records),
            amount(b"ASSESSED SH-CHOTEI-GAKU (CHOTEI-OUT)", t.chotei_sum),
            b"",
            _rc_line(rc, b"(NO RECORD REJECTED)" if rc == 0 else b"(RECORDS REJECTED TO ERROR-OUT)"),
            b"*** END OF REPORT ***"]


# =============================================================================== job step
def _dd_attr(step, attr: str):
    """The data's encoding (or dialect), as the master DDs say."""
    for name in ("LAND-IN", "HOUSE-IN", "CHOTEI-OUT"):
        if step.has_dd(name) and getattr(step.dd(name), attr, None):
            return getattr(step.dd(name), attr)
    return "ascii" if attr == "encoding" else None


def run(step) -> int:
    """The job step: DDs LAND-IN, HOUSE-IN, NOKI-IN, CHOTEI-OUT, NOTICE-OUT, ERROR-OUT,
    REPORT, and NOTICE-PDF (optional: the notices as PDF); PARM YYYYYYYYMMDD.
    A DD missing from the step ends it with RC 16, as the legacy does."""
    def path(name):
        if not step.has_dd(name):
            return None
        dd = step.dd(name)
        return dd.path if (dd.is_output or dd.sysout or dd.dummy or len(dd.paths) == 1) else dd.paths[0]

    result = assess(land_in=path("LAND-IN"), house_in=path("HOUSE-IN"), noki_in=path("NOKI-IN"),
                    chotei_out=path("CHOTEI-OUT"), notice_out=path("NOTICE-OUT"), error_out=path("ERROR-OUT"),
                    report=path("REPORT"), parm=step.parm, notice_pdf=path("NOTICE-PDF"),
                    encoding=_dd_attr(step, "encoding"), dialect=_dd_attr(step, "dialect"))
    for line in result.messages:
        step.log(line)
    t = result.totals
    if t is not None:
        step.dd("LAND-IN").count(read=t.read[0])
        step.dd("HOUSE-IN").count(read=t.read[1])
        step.dd("NOKI-IN").count(read=4)
        step.dd("CHOTEI-OUT").count(written=t.ki_records)
        step.dd("ERROR-OUT").count(written=sum(t.rejected))
        step.dd("NOTICE-OUT").count(written=t.notice_lines)
        step.log(f"{PROGRAM} LAND READ {t.read[0]}, HOUSES READ {t.read[1]}, REJECTED {sum(t.rejected)}; "
                 f"OWNERS {t.owners}, TAXED {t.taxed}; INSTALLMENTS {t.ki_records}, "
                 f"ASSESSED {t.chotei_sum:,}; RC {result.rc}")
    return result.rc
