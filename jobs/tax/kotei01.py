"""KOTEI01 — fixed-asset tax annual assessment (固定資産税 賦課).

The migrated form of the legacy program KOTEI01.cob (spec: fixed-asset-tax.md). It
gives the legacy's CHOTEI-OUT, NOTICE-OUT, ERROR-OUT and REPORT byte for byte and
its return code, but over whole files instead of a two-file match loop:

1. every land and house record is validated column-wise (IV, NT, RC: first failure);
2. 課税標準 per record: land 評価額 x 1, / 6, / 3 truncated; house 評価額;
3. per owner (the first 10 key bytes, the union of both masters, byte order):
   totals truncated to 1,000 yen, the 免税点 (300,000 land, 200,000 houses),
   1.4 % truncated to 100 yen, four installments (remainder in the first) or one;
4. notice numbers 02 + the sequence of the taxed owners, collection records,
   notices and rejected records in owner order (land before houses, file order).

What the record loop decides by its order is decided here by the same order:
the first abnormal end (a sequence error, a wrong-length record, an owner with
more than 9,999 taxable lines) is the one the legacy's read-ahead meets first;
a key of ten X'FF' (HIGH-VALUES) ends its master, as in the legacy.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from jobs.tax import printlines as pr

PROGRAM = "KOTEI01"
LRECL = {"LAND-IN": 100, "HOUSE-IN": 100, "NOKI-IN": 20}
IN_DDS = ("LAND-IN", "HOUSE-IN", "NOKI-IN")
OUT_DDS = ("CHOTEI-OUT", "NOTICE-OUT", "ERROR-OUT")
KAMOKU = b"02"                       # 固定資産税
LAND_MENZEITEN, HOUSE_MENZEITEN = 300_000, 200_000
MAX_LINES = 9_999                    # the notice buffer of one owner
CHUNK_OWNERS = 20_000                # notices are built this many owners at a time

# numeric fields checked for IV (0-based slices) and the flag columns
LAND_NUMERIC = ((0, 10), (50, 56), (56, 58), (58, 67), (67, 78))
HOUSE_NUMERIC = ((0, 10), (50, 56), (56, 58), (58, 60), (60, 67), (67, 71), (71, 82))
LAND_JUTAKU, LAND_HIKAZEI, HOUSE_HIKAZEI = 78, 79, 82
RATIO = {0: b"  1", 1: b"1/6", 2: b"1/3"}
W = 120                              # widest notice line (amount line with its note)


class _Abend(Exception):
    """An abnormal end (RC 16) with the legacy's message lines (bytes)."""

    def __init__(self, *lines: bytes | str):
        self.lines = [ln.encode("latin-1") if isinstance(ln, str) else ln for ln in lines if ln]
        super().__init__(self.lines[0].decode("latin-1"))


@dataclass
class Totals:
    read: list[int] = field(default_factory=lambda: [0, 0])
    rejected: list[int] = field(default_factory=lambda: [0, 0])
    iv: list[int] = field(default_factory=lambda: [0, 0])
    nt: list[int] = field(default_factory=lambda: [0, 0])
    rc: list[int] = field(default_factory=lambda: [0, 0])
    accepted: list[int] = field(default_factory=lambda: [0, 0])
    hikazei: list[int] = field(default_factory=lambda: [0, 0])
    taxable: list[int] = field(default_factory=lambda: [0, 0])
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


@dataclass
class Result:
    rc: int
    report: list[bytes] | None
    messages: list[str]
    totals: Totals | None = None


# =============================================================================== the step
def assess(*, land_in, house_in, noki_in, chotei_out, notice_out, error_out, report,
           parm: str | None, notice_pdf=None) -> Result:
    """Run KOTEI01 over files. Each DD argument is a path, or None when the DD is not
    allocated. The steps and abnormal ends follow the legacy's order: DD paths, the
    REPORT, PARM (after the page header), inputs then outputs, NOKI-IN, the masters."""
    dds = {"REPORT": report, "LAND-IN": land_in, "HOUSE-IN": house_in, "NOKI-IN": noki_in,
           "CHOTEI-OUT": chotei_out, "NOTICE-OUT": notice_out, "ERROR-OUT": error_out}
    lines: list[bytes] | None = None
    files: dict = {}
    try:
        try:
            for dd, path in dds.items():
                if path is not None and len(os.fspath(path)) > 1023:
                    raise _Abend(f"DD {dd}: PATH LONGER THAN 1023 CHARACTERS IN "
                                 f"ENVIRONMENT VARIABLE {dd.replace('-', '_')}")
            if not report:
                raise _Abend("DD REPORT NOT ALLOCATED: ENVIRONMENT VARIABLE REPORT IS NOT SET")
            files["REPORT"] = _open_output("REPORT", report)
            parm20 = (parm or "").encode("utf-8", "surrogateescape")[:20].ljust(20)
            nendo, date = _parse_parm(parm20)
            date_text = (f"{date // 10000:04d}/{date // 100 % 100:02d}/{date % 100:02d}".encode()
                         if date else parm20)
            lines = _page_header(parm20[:4] if date else b"    ", date_text)
            if not date:
                raise _Abend(b'PARM IS NOT A VALID FISCAL YEAR YYYY FOLLOWED BY A PROCESSING '
                             b'DATE YYYYMMDD: "' + parm20.rstrip(b" ") + b'"')
            data = {}
            for dd in IN_DDS:
                data[dd] = _read_input(dd, dds[dd])
            for dd in OUT_DDS:
                files[dd] = _open_output(dd, _allocated(dd, dds[dd]))
            due = _due_dates(data["NOKI-IN"], dds["NOKI-IN"])
            totals = _assess(data["LAND-IN"], data["HOUSE-IN"], dds, due, nendo, date,
                             date_text[:10], files, notice_pdf)
            rc = 4 if sum(totals.rejected) else 0
            lines += _control_totals(totals, rc)
            result = Result(rc, lines, [], totals)
        except _Abend as ab:
            messages = [f"{PROGRAM} " + ln.rstrip(b" ").decode("latin-1") for ln in ab.lines]
            messages.append(f"{PROGRAM} ABNORMAL END, RETURN CODE 16")
            if lines is not None and "REPORT" in files:
                lines += _abend_block(ab.lines)
            result = Result(16, lines if "REPORT" in files else None, messages)
        if "REPORT" in files and result.report is not None:
            files["REPORT"].write(b"".join(ln[:132].rstrip(b" ") + b"\n" for ln in result.report))
        return result
    finally:
        for fh in files.values():
            fh.close()


def _allocated(dd: str, path):
    if not path:
        raise _Abend(f"DD {dd} NOT ALLOCATED: ENVIRONMENT VARIABLE {dd.replace('-', '_')} IS NOT SET")
    return path


def _open_output(dd: str, path):
    try:
        return open(path, "wb")
    except OSError as exc:
        status = "37" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else "30"
        raise _Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS {status}", f"  PATH: {os.fspath(path)}") from None


def _read_input(dd: str, path) -> np.ndarray | str:
    """The bytes of an input DD; a directory opens but cannot be read ('30')."""
    path = _allocated(dd, path)
    if os.path.isdir(path):
        return os.fspath(path)
    try:
        return np.fromfile(path, dtype=np.uint8)
    except OSError:
        raise _Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS 35", f"  PATH: {os.fspath(path)}") from None


def _parse_parm(parm20: bytes) -> tuple[int, int]:
    """(fiscal year, processing date), or (0, 0) when PARM is not valid."""
    head, rest = parm20[:12], parm20[12:]
    if rest.strip(b" ") or not head.isdigit() or not head.isascii():
        return 0, 0
    nendo, date = int(head[:4]), int(head[4:])
    return (nendo, date) if nendo > 0 and pr.valid_dates(np.array([date]))[0] else (0, 0)


def _recno(n: int) -> str:
    return pr.edit_one(n, "ZZZ,ZZZ,ZZ9").strip()


def _due_dates(data, path) -> list[bytes]:
    """1500: exactly four NOKIKGN records, 期別 01-04 in order, calendar dates."""
    if isinstance(data, str):
        raise _Abend("READ ERROR ON DD NOKI-IN AT RECORD 1, FILE STATUS 30", f"  PATH: {data}")
    raw = data.tobytes()
    dates = []
    for i in range(0, len(raw), 20):
        rec = raw[i:i + 20]
        n = i // 20 + 1
        if len(rec) < 20:
            raise _Abend(f"WRONG LENGTH RECORD ON DD NOKI-IN AT RECORD {_recno(n)}, FILE STATUS 04",
                         f"  PATH: {os.fspath(path)}")
        if n > 4:
            raise _Abend("NOKI-IN MUST HOLD 4 DUE DATES, IT HOLDS MORE")
        ki, date = rec[:2], rec[2:10]
        ok = (ki.isdigit() and ki.isascii() and date.isdigit() and date.isascii() and int(ki) == n
              and pr.valid_dates(np.array([int(date)]))[0])
        if not ok:
            raise _Abend(f"NOKI-IN RECORD {_recno(n)} INVALID: KIBETSU AND A CALENDAR DATE EXPECTED",
                         b'  RECORD: "' + rec + b'"')
        dates.append(date)
    if len(dates) != 4:
        raise _Abend(f"NOKI-IN MUST HOLD 4 DUE DATES, IT HOLDS {_recno(len(dates))}")
    return dates


# =============================================================================== the masters
@dataclass
class _Master:
    """One master's records as read: the bytes (n, 100), its owner and full keys."""
    dd: str
    src: int                          # 0 land, 1 house
    rows: np.ndarray
    tail: int                         # bytes of a partial last record
    path: object
    unreadable: bool = False

    @property
    def n(self) -> int:
        return self.rows.shape[0]

    def owner(self) -> tuple[np.ndarray, np.ndarray]:
        r = self.rows
        return (np.ascontiguousarray(r[:, 0:8]).view(">u8").ravel().astype(np.uint64),
                np.ascontiguousarray(r[:, 8:10]).view(">u2").ravel().astype(np.uint16))

    def key_parts(self) -> list[np.ndarray]:
        r = self.rows
        return [np.ascontiguousarray(r[:, 0:8]).view(">u8").ravel(),
                np.ascontiguousarray(r[:, 8:16]).view(">u8").ravel(),
                np.ascontiguousarray(r[:, 16:20]).view(">u4").ravel()]


def _master(dd: str, src: int, data, path) -> _Master:
    if isinstance(data, str):
        return _Master(dd, src, np.zeros((0, 100), np.uint8), 0, data, unreadable=True)
    n = data.size // 100
    return _Master(dd, src, data[:n * 100].reshape(n, 100), data.size - n * 100, path)


def _owner_time(m: _Master, i: int, phase: int) -> tuple:
    """When the legacy meets record i's event: during (0) or after (1) processing it."""
    if i < 0:
        return (-1, -1, m.src, -1, phase)
    k1, k2 = m.owner()
    return (int(k1[i]), int(k2[i]), m.src, i, phase)


def _read_extent(m: _Master) -> tuple[int, tuple | None, _Abend | None]:
    """How far the legacy reads a master: (records read, the time and message of the
    first read event that ends the step, if any). A HIGH-VALUES owner ends the file."""
    if m.unreadable:
        return 0, (-1, -1, m.src, -1, 1), _Abend(
            f"READ ERROR ON DD {m.dd} AT RECORD 1, FILE STATUS 30", f"  PATH: {m.path}")
    hv = np.flatnonzero((m.rows[:, :10] == 0xFF).all(1))
    last = int(hv[0]) if hv.size else m.n - 1          # last record read (0-based)
    if last >= 1:
        a = [p[:last + 1] for p in m.key_parts()]
        gt = (a[0][1:] > a[0][:-1]) | ((a[0][1:] == a[0][:-1]) & (
            (a[1][1:] > a[1][:-1]) | ((a[1][1:] == a[1][:-1]) & (a[2][1:] > a[2][:-1]))))
        bad = np.flatnonzero(~gt)
        if bad.size:
            j = int(bad[0]) + 1
            return j + 1, _owner_time(m, j - 1, 1), _Abend(
                f"SEQUENCE ERROR ON {m.dd} AT RECORD {_recno(j + 1)} (KEYS MUST BE STRICTLY ASCENDING)",
                b'  PREVIOUS KEY: "' + m.rows[j - 1, :20].tobytes() + b'"',
                b'  CURRENT KEY:  "' + m.rows[j, :20].tobytes() + b'"')
    if not hv.size and m.tail:
        return m.n, _owner_time(m, m.n - 1, 1), _Abend(
            f"WRONG LENGTH RECORD ON {'DD ' + m.dd} AT RECORD {_recno(m.n + 1)}, FILE STATUS 04",
            f"  PATH: {os.fspath(m.path)}")
    return last + 1, None, None


def _validate(m: _Master) -> tuple[np.ndarray, np.ndarray]:
    """Reason per record (0 accepted, 1 IV, 2 NT, 3 RC) and 課税標準 (accepted only)."""
    r = m.rows
    numeric = LAND_NUMERIC if m.src == 0 else HOUSE_NUMERIC
    ok = np.ones(m.n, dtype=bool)
    for a, b in numeric:
        ok &= pr.all_digits(r[:, a:b])
    flag = r[:, LAND_HIKAZEI if m.src == 0 else HOUSE_HIKAZEI]
    reason = np.where(~ok, 1, np.where((flag != 0x30) & (flag != 0x31), 2, 0))
    if m.src == 0:
        jutaku = r[:, LAND_JUTAKU]
        reason = np.where((reason == 0) & ((jutaku < 0x30) | (jutaku > 0x32)), 3, reason)
    hyoka = pr.digit_values(r[:, 67:78] if m.src == 0 else r[:, 71:82])
    if m.src == 0:
        divisor = np.array([1, 6, 3])[np.clip(r[:, LAND_JUTAKU].astype(np.int64) - 0x30, 0, 2)]
        hyoka = hyoka // divisor
    return reason.astype(np.int8), hyoka


def _assess(land_data, house_data, dds, due, nendo, date, date_text, files, notice_pdf) -> Totals:
    land = _master("LAND-IN", 0, land_data, dds["LAND-IN"])
    house = _master("HOUSE-IN", 1, house_data, dds["HOUSE-IN"])
    t = Totals()
    records = []
    events = []
    for m in (land, house):
        nread, when, abend = _read_extent(m)
        if abend is not None:
            events.append((when, abend))
        hv = np.flatnonzero((m.rows[:nread, :10] == 0xFF).all(1))
        nproc = int(hv[0]) if hv.size else nread
        t.read[m.src] = nread
        reason, kazei = _validate(m)
        k1, k2 = m.owner()
        records.append(pl.DataFrame({
            "k1": k1[:nproc], "k2": k2[:nproc], "src": np.full(nproc, m.src, np.int8),
            "idx": np.arange(nproc, dtype=np.int64), "reason": reason[:nproc], "kazei": kazei[:nproc],
            "hikazei": m.rows[:nproc, LAND_HIKAZEI if m.src == 0 else HOUSE_HIKAZEI] == 0x31}))
    recs = pl.concat(records).sort("k1", "k2", "src", "idx")
    recs = recs.with_columns(taxable=(pl.col("reason") == 0) & ~pl.col("hikazei"))
    # 9950: an owner's 10,000th taxable parcel (or house) ends the step
    over = (recs.filter("taxable")
            .with_columns(n=pl.col("idx").cum_count().over("k1", "k2", "src"))
            .filter(pl.col("n") > MAX_LINES).head(1))
    if over.height:
        row = over.row(0, named=True)
        m = land if row["src"] == 0 else house
        events.append(((row["k1"], row["k2"], row["src"], row["idx"], 0),
                       _Abend(b"OWNER " + m.rows[row["idx"], :10].tobytes()
                              + b" HAS MORE THAN 9,999 TAXABLE PARCELS OR HOUSES")))
    if events:
        raise min(events, key=lambda e: e[0])[1]

    for src in (0, 1):
        r = recs.filter(pl.col("src") == src)
        counts = r.group_by("reason").len()
        by = dict(zip(counts["reason"].to_list(), counts["len"].to_list()))
        t.iv[src], t.nt[src], t.rc[src] = by.get(1, 0), by.get(2, 0), by.get(3, 0)
        t.rejected[src] = t.iv[src] + t.nt[src] + t.rc[src]
        t.accepted[src] = by.get(0, 0)
        t.taxable[src] = int(r["taxable"].sum())
        t.hikazei[src] = t.accepted[src] - t.taxable[src]

    owners = _owners(recs, due)
    t.owners = owners.height
    t.taxed = int(owners["taxed"].sum())
    t.not_taxed = t.owners - t.taxed
    t.under_land = int(owners["land_under"].sum())
    t.under_house = int(owners["house_under"].sum())
    t.under_both = int((owners["land_under"] & owners["house_under"]).sum())
    t.land_base = int(owners["land_base"].sum())
    t.house_base = int(owners["house_base"].sum())
    t.annual_tax = int(owners["tax"].sum())

    taxed = owners.filter("taxed")
    _write_errors(files["ERROR-OUT"], recs.filter(pl.col("reason") > 0), land, house)
    t.ki_records, t.chotei_sum = _write_chotei(files["CHOTEI-OUT"], taxed, land, house, due, nendo, date)
    _write_notices(files["NOTICE-OUT"], taxed, recs.filter("taxable"), land, house, due, nendo,
                   date_text, notice_pdf)
    return t


def _owners(recs: pl.DataFrame, due) -> pl.DataFrame:
    """Per owner with an accepted record: 課税標準額, 免税点, the tax, its installments."""
    acc = recs.filter(pl.col("reason") == 0)
    land, house = pl.col("src") == 0, pl.col("src") == 1
    per = (acc.group_by("k1", "k2", maintain_order=True)
           .agg(name_src=pl.col("src").first(), name_idx=pl.col("idx").first(),
                land_count=(pl.col("taxable") & land).sum(),
                land_sum=pl.col("kazei").filter(pl.col("taxable") & land).sum(),
                house_count=(pl.col("taxable") & house).sum(),
                house_sum=pl.col("kazei").filter(pl.col("taxable") & house).sum()))
    per = per.with_columns(
        land_under=(pl.col("land_count") > 0) & (pl.col("land_sum") < LAND_MENZEITEN),
        house_under=(pl.col("house_count") > 0) & (pl.col("house_sum") < HOUSE_MENZEITEN))
    per = per.with_columns(
        land_base=pl.when("land_under").then(0).otherwise(pl.col("land_sum") // 1000 * 1000),
        house_base=pl.when("house_under").then(0).otherwise(pl.col("house_sum") // 1000 * 1000))
    per = per.with_columns(tax=(pl.col("land_base") + pl.col("house_base")) * 14 // 100_000 * 100)
    per = per.with_columns(taxed=pl.col("tax") > 0, q=pl.col("tax") // 4000 * 1000)
    return per.with_columns(
        seq=pl.col("taxed").cast(pl.Int64).cum_sum(),
        ki_count=pl.when(pl.col("q") == 0).then(1).otherwise(4),
        ki1=pl.when(pl.col("q") == 0).then(pl.col("tax")).otherwise(pl.col("tax") - 3 * pl.col("q")))


def _name_rows(taxed: pl.DataFrame, land: _Master, house: _Master) -> np.ndarray:
    """The 10-byte owner numbers and 30-byte names of the taxed owners' first accepted records."""
    src = taxed["name_src"].to_numpy()
    idx = taxed["name_idx"].to_numpy()
    out = np.empty((len(src), 40), dtype=np.uint8)
    for s, m in ((0, land), (1, house)):
        sel = src == s
        out[sel] = m.rows[idx[sel]][:, np.r_[0:10, 20:50]]
    return out


def _write_errors(fh, rejected: pl.DataFrame, land: _Master, house: _Master) -> None:
    n = rejected.height
    if not n:
        return
    out = pr.blank(n, 120)
    src, idx = rejected["src"].to_numpy(), rejected["idx"].to_numpy()
    for s, m in ((0, land), (1, house)):
        sel = src == s
        out[sel, :100] = m.rows[idx[sel]]
    out[:, 100] = np.where(src == 0, ord("T"), ord("K"))
    codes = np.frombuffer(b"  IVNTRC", dtype=np.uint8).reshape(4, 2)
    out[:, 101:103] = codes[rejected["reason"].to_numpy()]
    fh.write(out.tobytes())


def _write_chotei(fh, taxed: pl.DataFrame, land, house, due, nendo, date) -> tuple[int, int]:
    """One SHUNOMST record per installment, in notice-number (= SH-KEY) order."""
    items = (taxed.select("seq", "k1", "ki_count", "ki1", "q", "name_src", "name_idx")
             .with_columns(ki=pl.int_ranges(1, pl.col("ki_count") + 1)).explode("ki")
             .with_columns(amount=pl.when(pl.col("ki") == 1).then("ki1").otherwise("q")))
    n = items.height
    if not n:
        return 0, 0
    amount = items["amount"].to_numpy() % 10 ** 11           # S9(11) COMP-3
    owner = _name_rows(items, land, house)[:, :10]
    ki = items["ki"].to_numpy()
    out = pr.blank(n, 100)
    pr.put(out, 0, f"{nendo:04d}".encode())
    pr.put(out, 4, KAMOKU)
    pr.put(out, 6, KAMOKU)
    pr.put(out, 8, pr.digits(items["seq"].to_numpy(), 8))
    pr.put(out, 16, pr.digits(ki, 2))
    pr.put(out, 18, owner)
    pr.put(out, 28, np.frombuffer(b"".join(due), dtype=np.uint8).reshape(4, 8)[ki - 1])
    pr.put(out, 36, pr.packed(amount, 6))
    pr.put(out, 42, pr.packed(np.zeros(n), 6))
    pr.put(out, 48, pr.packed(np.zeros(n), 6))
    pr.put(out, 54, pr.packed(np.zeros(n), 5))
    pr.put(out, 59, b"0000000000000000" + b"00" + f"{date:08d}".encode() + b"\x00\x0f")
    fh.write(out.tobytes())
    return n, int(amount.sum())


# =============================================================================== notices
LAND_HEAD = b"  LOCATN  CHIBAN     CHIMOKU     AREA M2  ASSESSED VALUE  RATIO      TAX BASE"
HOUSE_HEAD = b"  LOCATN  KAOKU-NO  KOZO YOTO BUILT  FLOOR M2  ASSESSED VALUE        TAX BASE"
KI_HEAD = b"  KIBETSU  DUE DATE (NOKIGEN)                          AMOUNT"


def _amount_lines(n: int, label: bytes, values, note: np.ndarray | None = None,
                  note_text: bytes = b"") -> np.ndarray:
    """NTC-AMOUNT-LINE: the label at 3, ZZZ,ZZZ,ZZZ,ZZ9 at 63, a note at 80."""
    m = pr.const(n, W, label, 2)
    pr.put(m, 62, pr.edited(np.asarray(values) % 10 ** 12, "ZZZ,ZZZ,ZZZ,ZZ9"))
    if note is not None and note.any():
        m[np.ix_(note, np.arange(79, 79 + len(note_text)))] = np.frombuffer(note_text, np.uint8)
    return m


def _write_notices(fh, taxed: pl.DataFrame, details: pl.DataFrame, land, house, due, nendo,
                   date_text, notice_pdf) -> None:
    """納税通知書: one block per taxed owner, separated by a line of '='; built
    CHUNK_OWNERS owners at a time."""
    details = details.join(taxed.select("k1", "k2", "seq"), on=["k1", "k2"]).sort("seq", "src", "idx")
    dseq = details["seq"].to_numpy()
    for start in range(0, taxed.height, CHUNK_OWNERS):
        chunk = taxed.slice(start, CHUNK_OWNERS)
        lo, hi = np.searchsorted(dseq, [start + 1, start + chunk.height + 1])
        fh.write(pr.line_sequential(_notice_block(chunk, details.slice(lo, hi - lo), land, house,
                                                  due, nendo, date_text)))


def _notice_block(o: pl.DataFrame, d: pl.DataFrame, land, house, due, nendo, date_text) -> np.ndarray:
    n = o.height
    seq = o["seq"].to_numpy()
    parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]] = []   # (lines, seq, section, sub)

    def add(m, s, section, sub=None):
        parts.append((m, s, section, np.zeros(len(s), np.int64) if sub is None else sub))

    first = seq > 1
    add(pr.const(int(first.sum()), W, b"=" * 100), seq[first], 0)
    head1 = pr.const(n, W, b"FIXED ASSET TAX NOTICE (KOTEI SHISAN ZEI NOZEI TSUCHISHO)")
    pr.put(head1, 60, f"FISCAL YEAR {nendo:04d}   NOTICE NO. 02".encode())
    pr.put(head1, 92, pr.digits(seq, 8))
    add(head1, seq, 1)
    ident = _name_rows(o, land, house)
    head2 = pr.const(n, W, b"OWNER (SHOYUSHA) ")
    pr.put(head2, 17, ident[:, :10])
    pr.put(head2, 29, ident[:, 10:])
    pr.put(head2, 59, b"   ISSUED ON " + date_text)
    add(head2, seq, 2)

    for src, base_sec, title, heading, who, limit in (
            (0, 10, b"LAND (TOCHI)", LAND_HEAD, "LAND", b"BELOW MENZEITEN 300,000"),
            (1, 20, b"HOUSES (KAOKU)", HOUSE_HEAD, "HOUSE", b"BELOW MENZEITEN 200,000")):
        col = "land" if src == 0 else "house"
        has = o[f"{col}_count"].to_numpy() > 0
        s = seq[has]
        k = len(s)
        add(pr.blank(k, W), s, base_sec)
        add(pr.const(k, W, title), s, base_sec + 1)
        add(pr.const(k, W, heading), s, base_sec + 2)
        dd = d.filter(pl.col("src") == src)
        add(_detail_lines(dd, land if src == 0 else house, src), dd["seq"].to_numpy(), base_sec + 3,
            dd["idx"].to_numpy())
        label = b"LAND TOTAL (TOCHI KEI)" if src == 0 else b"HOUSE TOTAL (KAOKU KEI)"
        add(_amount_lines(k, label, o[f"{col}_sum"].to_numpy()[has]), s, base_sec + 4)
        add(_amount_lines(k, f"{who} TAX BASE (KAZEI HYOJUN GAKU)".encode(),
                          o[f"{col}_base"].to_numpy()[has], o[f"{col}_under"].to_numpy()[has], limit),
            s, base_sec + 5)

    tax = o["tax"].to_numpy()
    add(pr.blank(n, W), seq, 30)
    add(_amount_lines(n, b"TAX BASE TOTAL (KAZEI HYOJUN GAKU KEI)",
                      o["land_base"].to_numpy() + o["house_base"].to_numpy()), seq, 31)
    add(_amount_lines(n, b"ANNUAL TAX 1.4 PERCENT (NENGAKU)", tax), seq, 32)
    add(pr.blank(n, W), seq, 33)
    add(pr.const(n, W, KI_HEAD), seq, 34)
    ki = (o.select("seq", "ki_count", "ki1", "q").with_columns(ki=pl.int_ranges(1, pl.col("ki_count") + 1))
          .explode("ki").with_columns(amount=pl.when(pl.col("ki") == 1).then("ki1").otherwise("q")))
    kn = ki["ki"].to_numpy()
    kl = pr.blank(ki.height, W)
    pr.put(kl, 4, pr.digits(kn, 2))
    dates = np.array([d[:4] + b"/" + d[4:6] + b"/" + d[6:] for d in due], dtype="S10")
    pr.put(kl, 11, np.frombuffer(dates.tobytes(), np.uint8).reshape(4, 10)[kn - 1])
    pr.put(kl, 46, pr.edited(ki["amount"].to_numpy() % 10 ** 12, "ZZZ,ZZZ,ZZZ,ZZ9"))
    add(kl, ki["seq"].to_numpy(), 35, kn)

    lines = np.concatenate([p[0] for p in parts])
    s = np.concatenate([p[1] for p in parts])
    sec = np.concatenate([np.full(len(p[1]), p[2]) for p in parts])
    sub = np.concatenate([p[3] for p in parts])
    return lines[np.lexsort((sub, sec, s))]


def _detail_lines(d: pl.DataFrame, m: _Master, src: int) -> np.ndarray:
    rows = m.rows[d["idx"].to_numpy()]
    kazei = d["kazei"].to_numpy()
    out = pr.blank(len(rows), W)
    pr.put(out, 2, rows[:, 50:56])
    pr.put(out, 10, rows[:, 10:20])
    if src == 0:
        pr.put(out, 24, rows[:, 56:58])
        pr.put(out, 28, pr.edited(pr.digit_values(rows[:, 58:67]), "Z,ZZZ,ZZ9.99"))
        pr.put(out, 42, pr.edited(pr.digit_values(rows[:, 67:78]), "ZZ,ZZZ,ZZZ,ZZ9"))
        ratio = np.frombuffer(b"".join(RATIO.values()), np.uint8).reshape(3, 3)
        pr.put(out, 58, ratio[rows[:, LAND_JUTAKU] - 0x30])
    else:
        pr.put(out, 22, rows[:, 56:58])
        pr.put(out, 27, rows[:, 58:60])
        pr.put(out, 31, rows[:, 67:71])
        pr.put(out, 36, pr.edited(pr.digit_values(rows[:, 60:67]), "ZZ,ZZ9.99"))
        pr.put(out, 47, pr.edited(pr.digit_values(rows[:, 71:82]), "ZZ,ZZZ,ZZZ,ZZ9"))
    pr.put(out, 63, pr.edited(kazei, "ZZ,ZZZ,ZZZ,ZZ9"))
    return out


# =============================================================================== report
TITLE = b"FIXED ASSET TAX ASSESSMENT (KOTEI SHISAN ZEI FUKA) - CONTROL TOTALS"


def _page_header(nendo4: bytes, date_text: bytes) -> list[bytes]:
    return [b"KOTEI01 ".ljust(28) + TITLE.ljust(70) + b" " * 25 + b"PAGE " + b"   1",
            b" " * 28 + b"FISCAL YEAR (NENDO) " + nendo4 + b" " * 4 + b"PROCESSING DATE (SHORI-BI) "
            + date_text[:20].ljust(20),
            b"-" * 132]


def _count(v: int) -> bytes:
    return pr.edit_one(v % 10 ** 9, "ZZZ,ZZZ,ZZ9").encode()


def _rc_line(rc: int, text: bytes) -> bytes:
    return b"KOTEI01 ENDED RETURN CODE" + pr.edit_one(rc, "ZZZ9").encode() + b"   " + text


def _control_totals(t: Totals, rc: int) -> list[bytes]:
    def two(label, pair):
        return b"  " + label.ljust(46) + b" " * 5 + _count(pair[0]) + b" " * 5 + _count(pair[1])

    def one(label, v):
        return b"  " + label.ljust(46) + b" " * 5 + _count(v)

    def amount(label, v):
        return b"  " + label.ljust(46) + pr.edit_one(v % 10 ** 15, "ZZZ,ZZZ,ZZZ,ZZZ,ZZ9").encode()

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


def _abend_block(messages: list[bytes]) -> list[bytes]:
    return ([b"", b"*** ABNORMAL END ***"] + [m for m in messages if m.strip(b" ")]
            + [b"", _rc_line(16, b"(ABNORMAL END - OUTPUTS MUST NOT BE CATALOGED)"),
               b"*** END OF REPORT ***"])


# =============================================================================== job step
def run(step) -> int:
    """The job step: DDs LAND-IN, HOUSE-IN, NOKI-IN, CHOTEI-OUT, NOTICE-OUT, ERROR-OUT,
    REPORT (and NOTICE-PDF, optional: the notices rendered as PDF); PARM YYYYYYYYMMDD.
    A DD missing from the step ends it with RC 16, as the legacy does."""
    def path(name):
        if not step.has_dd(name):
            return None
        dd = step.dd(name)
        return dd.path if (dd.is_output or dd.sysout or len(dd.paths) == 1 or dd.dummy) else dd.paths[0]

    result = assess(land_in=path("LAND-IN"), house_in=path("HOUSE-IN"), noki_in=path("NOKI-IN"),
                    chotei_out=path("CHOTEI-OUT"), notice_out=path("NOTICE-OUT"),
                    error_out=path("ERROR-OUT"), report=path("REPORT"), parm=step.parm)
    for line in result.messages:
        step.log(line)
    t = result.totals
    if t is not None:
        for name, n in (("LAND-IN", t.read[0]), ("HOUSE-IN", t.read[1]), ("NOKI-IN", 4)):
            step.dd(name).count(read=n)
        step.dd("CHOTEI-OUT").count(written=t.ki_records)
        step.dd("ERROR-OUT").count(written=sum(t.rejected))
        if step.has_dd("NOTICE-PDF"):
            from jobs.tax.notices_pdf import render
            render(step.dd("NOTICE-OUT").path, step.dd("NOTICE-PDF").path, title="KOTEI01")
        step.log(f"{PROGRAM} LAND READ {t.read[0]}, HOUSES READ {t.read[1]}, REJECTED {sum(t.rejected)}; "
                 f"OWNERS {t.owners}, TAXED {t.taxed}; INSTALLMENTS {t.ki_records}, "
                 f"ASSESSED {t.chotei_sum:,}; RC {result.rc}")
    return result.rc
