"""ENTAI01 — reminders and late fees (督促・延滞金) over the collection master.

The migrated form of the legacy program ENTAI01.cob (spec: reminders-late-fees.md).
After the night's posting it walks the collection master once and, for every
unpaid or partly paid item:

1. validates it (IV, DT, AM, RT — the first failure is the reason, ERROR-OUT);
2. if it is overdue (due date before the processing date), computes the late fee
   up to the processing date and lists it (ENTAI-OUT);
3. if it is more than 20 days overdue and has no reminder yet, reminds it: a
   notice (NOTICE-OUT) and the reminder date on the next generation (MASTER-OUT).

The rules are column expressions over the whole master (a Polars frame); the
bytes are sliced and re-assembled with NumPy. Every output DD, the REPORT and the
return code equal the legacy's, byte for byte (tests/entai01 runs both).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from engine.program import dates
from engine.program.arithmetic import floor_to_unit
from engine.program.control_report import ControlReport
from engine.program.printfile import edit
from engine.program.records import Records
from engine.program.blocks import FixedBlocks
from engine.program.legacy_shell import (Abend, allocated, check_path_lengths, close_all, close_output, open_input,
                                         open_output, read_error, read_input, recno, Unreadable,
                                         wrong_length, write_to)
from engine.program.sequence import RunningSequence
from engine.program.validation import first_failure, reject_records

PROGRAM = "ENTAI01"
MASTER_LEN, RATE_LEN, NOTICE_LEN, ENTAI_LEN, ERROR_LEN = 100, 20, 80, 100, 120
RATE_MAX = 100
BLOCK_RECORDS = 1 << 20                 # master records per block (about 100 MB)
OPEN_END = 999_999_999                  # the last rate period has no end
REASONS = ("IV", "DT", "AM", "RT")
DATA_DDS = ("MASTER-IN", "MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT")
ALL_DDS = ("REPORT", "MASTER-IN", "RATE-IN", "MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT")


# --------------------------------------------------------------------------- the rules
def decode_master(m: Records) -> pl.DataFrame:
    """The fields the rules read from the items considered (SH-JOTAI 0 or 1), one
    column each (values of invalid fields are 0). A signed packed field is NUMERIC
    in GnuCOBOL with sign nibble C or D only."""
    def packed_ok(name):
        return m.numeric(name, packed_signs="CD")

    def value(name, ok):
        return np.where(ok, m.value(name), 0)
    due_ok, toku_ok = m.numeric("SH-NOKIGEN"), m.numeric("SH-TOKUSOKU-BI")
    chotei_ok, nofu_ok = packed_ok("SH-CHOTEI-GAKU"), packed_ok("SH-NOFU-GAKU")
    return pl.DataFrame({
        "iv": ~(m.numeric("SH-KEY") & m.numeric("SH-KOJIN-NO") & chotei_ok & nofu_ok),
        "chotei": value("SH-CHOTEI-GAKU", chotei_ok), "nofu": value("SH-NOFU-GAKU", nofu_ok),
        "due_ok": due_ok, "due": value("SH-NOKIGEN", due_ok),
        "toku_ok": toku_ok, "toku": value("SH-TOKUSOKU-BI", toku_ok)})


def item_rules(m: pl.DataFrame, *, parm_days: int, first_rate_day: int) -> pl.DataFrame:
    """Rules 3-6 of the spec on the items considered: the reason of each invalid item
    (the first failed check), whether a valid item is overdue, and whether it is
    reminded now."""
    due, due_days = pl.col("due"), pl.col("due_days")
    reason = first_failure([
        ("IV", pl.col("iv")),
        ("DT", ~pl.col("due_ok") | ~pl.col("toku_ok") | ~dates.is_valid_date(due)),
        ("AM", pl.col("mino") <= 0),
        ("RT", (due_days < parm_days) & (due_days + 1 < first_rate_day))])
    valid = pl.col("reason").is_null()
    return (m.with_columns(due_days=pl.when(dates.is_valid_date(due)).then(dates.day_number(due)).otherwise(0),
                           mino=pl.col("chotei") - pl.col("nofu"))
            .with_columns(reason=reason)
            .with_columns(overdue=valid & (due_days < parm_days))
            .with_columns(remind=pl.col("overdue") & (pl.col("toku") == 0) & (due_days + 20 < parm_days)))


def one_month_end(df: pl.DataFrame) -> pl.DataFrame:
    """納期限の翌日から1月を経過する日 (civil code art. 143) as the day number
    `month_end`: the due date's day in the next month, clipped to that month's end;
    the next month's last day when the due date is the last of its month. (Past
    9999-12-31 it is after any processing date, as the legacy's 999999999 is.)"""
    due = pl.col("due")
    return (df.with_columns(next_month=dates.add_months(due, 1), due_is_month_end=due == dates.month_end(due))
            .with_columns(month_end=pl.when(pl.col("due_is_month_end"))
                          .then(dates.month_end(pl.col("next_month"))).otherwise(pl.col("next_month")))
            .with_columns(month_end=dates.day_number(pl.col("month_end"))))


def late_fees(items: pl.DataFrame, rates: "RateTable", parm_days: int) -> pl.DataFrame:
    """Rule 7 on the overdue items: base, the days at each rate, and the fee summed
    over the pieces of each part cut at the rate periods, truncated to 100 yen."""
    start, me = pl.col("due_days") + 1, pl.col("month_end")
    first_only = me >= parm_days
    df = one_month_end(items.with_columns(kiso=floor_to_unit(pl.col("mino"), 1000))).with_columns(
        nissu_1=pl.when(first_only).then(parm_days - start + 1).otherwise(me - start + 1),
        nissu_2=pl.when(first_only).then(0).otherwise(parm_days - me),
        thousands=pl.col("kiso") // 1000)
    df = df.with_columns(lo_1=start, hi_1=start + pl.col("nissu_1") - 1, lo_2=me + 1,
                         hi_2=pl.when(pl.col("nissu_2") > 0).then(parm_days).otherwise(me))
    pieces = []
    for part, rate in ((1, rates.rate_1), (2, rates.rate_2)):
        lo, hi = pl.col(f"lo_{part}"), pl.col(f"hi_{part}")
        for p in range(len(rates)):
            days = (pl.min_horizontal(hi, rates.to_days[p]) - pl.max_horizontal(lo, rates.from_days[p]) + 1)
            pieces.append(piece_fee(pl.col("thousands") * int(rate[p]), days.clip(lower_bound=0)))
    df = df.with_columns(pieces=pl.sum_horizontal(pieces) if pieces else pl.lit(0))
    fee = floor_to_unit(pl.when(pl.col("kiso") >= 2000).then(pl.col("pieces")).otherwise(0), 100)
    return df.with_columns(entai=pl.when(fee < 1000).then(0).otherwise(fee))


def piece_fee(thousands_x_rate: pl.Expr, days: pl.Expr) -> pl.Expr:
    """floor(base × rate‰ × days / 36,500,000) with base = 1000 × thousands, exact in
    64 bits: x = thousands × rate‰ split as q × 36,500 + r."""
    q, r = thousands_x_rate // 36_500, thousands_x_rate % 36_500
    return q * days + r * days // 36_500


# --------------------------------------------------------------------------- rate table
@dataclass
class RateTable:
    start: list[int] = field(default_factory=list)      # RT-KAISHI-BI
    rate_1: list[int] = field(default_factory=list)     # per mille (RT-RITSU × 1000)
    rate_2: list[int] = field(default_factory=list)
    from_days: list[int] = field(default_factory=list)
    to_days: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.start)


def load_rates(data: np.ndarray, encoding: str, path) -> RateTable:
    """1500: every record a calendar start date above the previous one and two
    numeric rates, 1 to 100 records; the first fault in file order ends the step."""
    full, rest = divmod(len(data), RATE_LEN)
    r = Records(data[:full * RATE_LEN].reshape(full, RATE_LEN), "ENTAIRT",
                encoding=encoding)
    start_ok = r.numeric("RT-KAISHI-BI")
    start = np.where(start_ok, r.value("RT-KAISHI-BI"), 0)
    fault = first_failure([
        ("MAX", np.arange(full) >= RATE_MAX),
        ("BAD", ~start_ok | ~dates.is_valid_date(start) | ~r.numeric("RT-RITSU-1") | ~r.numeric("RT-RITSU-2")),
        ("SEQ", np.r_[False, start[1:] <= start[:-1]])])
    bad = np.flatnonzero(fault != "")
    if bad.size:
        i = int(bad[0])
        if fault[i] == "MAX":
            raise Abend("RATE TABLE (RATE-IN) HAS MORE THAN 100 PERIODS")
        if fault[i] == "BAD":
            raise Abend(f"INVALID RATE TABLE RECORD (RATE-IN) AT RECORD {recno(i + 1)}: "
                        f'"{_show(r.data[i].tobytes(), r.ebcdic)}"')
        raise Abend(f"RATE TABLE (RATE-IN) NOT IN ASCENDING ORDER OF START DATE AT RECORD {recno(i + 1)}")
    if rest:
        raise wrong_length("RATE-IN", full + 1, path)
    if not full:
        raise Abend("RATE TABLE (RATE-IN) IS EMPTY")
    from_days = dates.day_number(start).tolist()
    return RateTable(start.tolist(), r.value("RT-RITSU-1").tolist(), r.value("RT-RITSU-2").tolist(),
                     from_days, [d - 1 for d in from_days[1:]] + [OPEN_END])


def _show(b: bytes, ebcdic: bool) -> str:
    return b.decode("cp037" if ebcdic else "latin-1")


# --------------------------------------------------------------------------- the master
@dataclass
class Totals:
    rates: int = 0
    read: int = 0
    written: int = 0
    considered: int = 0
    overdue: int = 0
    reminded: int = 0
    errors: int = 0
    by_reason: tuple[int, ...] = (0, 0, 0, 0)
    rem_mino: int = 0
    rem_fee: int = 0
    rem_entai: int = 0
    ovd_mino: int = 0
    ovd_entai: int = 0

    def add(self, block: "Totals") -> None:
        """Add a block's totals (the amounts are S9(15) accumulators: low 15 digits)."""
        for name in ("read", "written", "considered", "overdue", "reminded", "errors"):
            setattr(self, name, getattr(self, name) + getattr(block, name))
        self.by_reason = tuple(a + b for a, b in zip(self.by_reason, block.by_reason))
        for name in ("rem_mino", "rem_fee", "rem_entai", "ovd_mino", "ovd_entai"):
            setattr(self, name, (getattr(self, name) + getattr(block, name)) % 10 ** 15)


@dataclass
class Outputs:
    master: np.ndarray
    notice: np.ndarray
    entai: np.ndarray
    error: np.ndarray
    totals: Totals


def process(M: np.ndarray, rates: RateTable, parm_date: int, fee: int, encoding: str) -> Outputs:
    """The run on a block of master records (n, 100), updated in place (M is the
    run's own buffer): the four outputs and the block's totals. Records are
    independent of each other, so any cut of the master into blocks gives the
    same bytes. Only unpaid and partly paid items (SH-JOTAI 0 or 1, about one in
    ten) are decoded: every other record is copied to MASTER-OUT as it is."""
    parm_days = int(dates.day_number(parm_date))
    master = Records(M, "SHUNOMST", encoding=encoding)
    considered = np.flatnonzero(master.is_in("SH-JOTAI", ("0", "1")))
    if not len(considered):
        return Outputs(M, *(np.zeros((0, n), np.uint8) for n in (NOTICE_LEN, ENTAI_LEN, ERROR_LEN)),
                       Totals(read=len(M), written=len(M)))
    C = master.take(considered)
    items = item_rules(decode_master(C), parm_days=parm_days, first_rate_day=rates.from_days[0])
    reasons = items["reason"].fill_null("").to_numpy().astype("U2")    # 5000: ERROR-OUT, as read
    bad_rows = np.flatnonzero(reasons != "")
    error_out = reject_records(C.data[bad_rows], reasons[bad_rows], ERROR_LEN, fill=master.space,
                               encode=master.literal)
    overdue = np.flatnonzero(items["overdue"].to_numpy())
    fees = late_fees(items[overdue], rates, parm_days)
    remind = fees["remind"].to_numpy()
    overdue_rows = considered[overdue]                     # rows of M
    reminded_rows = overdue_rows[remind]                   # 4000: the reminder date on the master
    master.put("SH-TOKUSOKU-BI", np.full(len(reminded_rows), parm_date), reminded_rows)
    master.put("SH-KOSHIN-BI", np.full(len(reminded_rows), parm_date), reminded_rows)

    def col(name, rows=slice(None)):
        return fees[name].to_numpy()[rows]

    O = master.take(overdue_rows)                          # 4400: the late-fee statement
    entai_out = Records(np.full((len(O), ENTAI_LEN), master.space, np.uint8), "ENTAIOUT", encoding=encoding)
    for to, frm in (("EO-KEY", "SH-KEY"), ("EO-KOJIN-NO", "SH-KOJIN-NO"), ("EO-NOKIGEN", "SH-NOKIGEN"),
                    ("EO-TOKUSOKU-BI", "SH-TOKUSOKU-BI")):
        entai_out.put(to, O.bytes(frm))
    for to, name in (("EO-MINO-GAKU", "mino"), ("EO-KISO-GAKU", "kiso"), ("EO-NISSU-1", "nissu_1"),
                     ("EO-NISSU-2", "nissu_2"), ("EO-ENTAI-GAKU", "entai")):
        entai_out.put(to, col(name))
    R = master.take(reminded_rows)                         # 4300: the reminder notice
    notice = Records(np.full((len(R), NOTICE_LEN), master.space, np.uint8), "TOKUSOKU", encoding=encoding)
    for to, frm in (("TK-KEY", "SH-KEY"), ("TK-KOJIN-NO", "SH-KOJIN-NO"), ("TK-NOKIGEN", "SH-NOKIGEN")):
        notice.put(to, R.bytes(frm))
    notice.put("TK-MINO-GAKU", col("mino", remind))
    notice.put("TK-TESURYO", np.full(len(R), fee))
    notice.put("TK-ENTAI-GAKU", col("entai", remind))
    notice.put("TK-TOKUSOKU-BI", np.full(len(R), parm_date))

    entai, mino = col("entai"), col("mino")
    t = Totals(read=len(M), written=len(M), considered=len(considered), overdue=len(overdue_rows),
               reminded=len(reminded_rows), errors=len(bad_rows),
               by_reason=tuple(int((reasons == r).sum()) for r in REASONS),
               rem_mino=_sum15(mino[remind]), rem_fee=fee * len(reminded_rows) % 10 ** 15,
               rem_entai=_sum15(entai[remind]), ovd_mino=_sum15(mino), ovd_entai=_sum15(entai))
    return Outputs(master.data, notice.data, entai_out.data, error_out, t)


def _sum15(v: np.ndarray) -> int:
    """An S9(15) accumulator of non-negative values: the low 15 digits of the sum."""
    if v.size and int(v.max()) * v.size >= 2 ** 62:
        return int(v.astype(object).sum()) % 10 ** 15
    return int(v.sum()) % 10 ** 15


def _edit(v: int, picture: str) -> str:
    return edit([v], picture)[0].tobytes().decode("ascii")


def edit_count(v: int) -> str:
    return _edit(v, "ZZZ,ZZZ,ZZ9")


# --------------------------------------------------------------------------- report
class Report(ControlReport):
    """The legacy's 132-column control-total report (GnuCOBOL line sequential)."""

    program = PROGRAM

    def header(self, date_text: str, fee_text: str) -> None:
        self.add(f"{PROGRAM:<8}{'':20}{'REMINDERS AND LATE FEES (TOKUSOKU / ENTAIKIN) -':<47}"
                 f"{' CONTROL TOTALS':<21}{'':27}PAGE {1:>4}")
        self.add(f"{'':28}PROCESSING DATE (SHORI-BI) {date_text[:10]:<10}{'':4}"
                 f"{'REMINDER FEE (TOKUSOKU TESURYO) ':<34}{fee_text:<8}")
        self.add("-" * 132)

    def count(self, label: str, v: int) -> None:
        self.add(f"  {label:<50}{'':5}{edit_count(v)}")

    def amount(self, label: str, v: int) -> None:
        self.add(f"  {label:<50}{_edit(v, '-ZZZ,ZZZ,ZZZ,ZZZ,ZZ9')}")

    def section(self, title: str) -> None:
        self.add()
        self.add(title)
        self.add()

    def totals(self, t: Totals, rc: int) -> None:
        self.section("RATE TABLE (ENTAIRT)")
        self.count("RATE PERIODS READ  (RATE-IN)", t.rates)
        self.section("COLLECTION MASTER (SHUNOMST)")
        self.count("RECORDS READ       (MASTER-IN)", t.read)
        self.count("RECORDS WRITTEN    (MASTER-OUT)", t.written)
        self.count("ITEMS CONSIDERED   (UNPAID OR PARTLY PAID)", t.considered)
        self.count("ITEMS OVERDUE      (ENTAI-OUT)", t.overdue)
        self.count("ITEMS REMINDED NOW (NOTICE-OUT)", t.reminded)
        self.count("ITEMS WITH INVALID DATA (ERROR-OUT)", t.errors)
        for label, v in zip(("  IV  KEY, KOJIN-NO OR AMOUNT NOT VALID",
                             "  DT  DUE DATE OR REMINDER DATE NOT VALID",
                             "  AM  UNPAID AMOUNT NOT ABOVE ZERO",
                             "  RT  PERIOD BEFORE THE FIRST RATE PERIOD"), t.by_reason):
            self.count(label, v)
        self.section("AMOUNTS (YEN)")
        self.amount("UNPAID ON REMINDERS      (NOTICE-OUT)", t.rem_mino)
        self.amount("REMINDER FEES            (NOTICE-OUT)", t.rem_fee)
        self.amount("LATE FEES ON REMINDERS   (NOTICE-OUT)", t.rem_entai)
        self.amount("UNPAID ON OVERDUE ITEMS  (ENTAI-OUT)", t.ovd_mino)
        self.amount("LATE FEES ON OVERDUE ITEMS (ENTAI-OUT)", t.ovd_entai)
        self.add()
        self.finish(rc, "(NO INVALID MASTER DATA)" if rc == 0 else "(INVALID MASTER DATA LISTED ON ERROR-OUT)")


# --------------------------------------------------------------------------- the run
@dataclass
class Result:
    rc: int
    report: list[str] | None
    messages: list[str]
    totals: Totals | None = None


def parse_parm(text: str) -> tuple[int, int] | None:
    """'YYYYMMDD,NNNN' (80 characters, blanks after): (date, fee) or None."""
    date, comma, fee, rest = text[:8], text[8:9], text[9:13], text[13:80]
    if not (len(date) == 8 and date.isascii() and date.isdigit() and comma == ","
            and len(fee) == 4 and fee.isascii() and fee.isdigit() and rest.strip(" ") == ""):
        return None
    return (int(date), int(fee)) if dates.is_valid_date(int(date)) else None


def run_master(files: dict, dds: dict, rates: RateTable, parm_date: int, fee: int, encoding: str,
               block_records: int) -> Totals:
    """7100/2000: the master read a block at a time, each block sequence-checked
    (from the second record on, as the legacy), processed and its outputs written
    before the next is read; a short last record ends the step after the full ones."""
    blocks = FixedBlocks(files["MASTER-IN"], MASTER_LEN, block_records)
    sequence = RunningSequence(strict=True, check_first=False)
    ebcdic = Records(np.zeros((0, MASTER_LEN), np.uint8), "SHUNOMST", encoding=encoding).ebcdic
    totals = Totals(rates=len(rates))
    for M in _read_blocks(blocks, dds["MASTER-IN"]):
        bad = sequence.check(M[:, :18])
        if bad is not None:
            M = M[:bad.record - 1 - sequence.records + len(M)]     # the records before it are processed
        out = process(M, rates, parm_date, fee, encoding)
        for dd, data in (("MASTER-OUT", out.master), ("NOTICE-OUT", out.notice),
                         ("ENTAI-OUT", out.entai), ("ERROR-OUT", out.error)):
            write_to(dd, files[dd], data, dds[dd])
        totals.add(out.totals)
        if bad is not None:
            raise Abend(f"SEQUENCE ERROR ON MASTER-IN AT RECORD {recno(bad.record)}",
                        f"  PREVIOUS: SH-KEY {_show(bad.previous, ebcdic)}",
                        f"  CURRENT:  SH-KEY {_show(bad.current, ebcdic)}")
    if blocks.rest:
        raise wrong_length("MASTER-IN", blocks.records + 1, dds["MASTER-IN"])
    for dd in DATA_DDS[1:]:
        close_output(dd, files.pop(dd), dds[dd])
    return totals


def _read_blocks(blocks: FixedBlocks, path):
    try:
        yield from blocks
    except OSError:
        raise read_error("MASTER-IN", path, blocks.records + 1) from None


def entai01(*, master_in, rate_in, master_out, notice_out, entai_out, error_out, report,
            parm: str | None, encoding: str = "ascii", block_records: int = BLOCK_RECORDS) -> Result:
    """Run ENTAI01 over files: each DD a path, or None when not allocated. The checks
    and abnormal ends come in the legacy's order: DD paths, REPORT, PARM (after the
    page header), the rate table, the data files, then the master's records, read
    `block_records` at a time (memory stays bounded whatever the master's size)."""
    dds = dict(zip(ALL_DDS, (report, master_in, rate_in, master_out, notice_out, entai_out,
                             error_out)))
    files: dict = {}
    rpt: Report | None = None
    try:
        try:
            check_path_lengths(dds)
            files["REPORT"] = open_output("REPORT", allocated("REPORT", report))
            rpt = Report()
            text = (parm or "")[:80].ljust(80)
            parsed = parse_parm(text)
            if parsed:
                rpt.header(f"{text[:4]}/{text[4:6]}/{text[6:8]}", f"{text[9:13]} YEN")
            else:
                rpt.header(text[:10], "")
                raise Abend("PARM IS NOT A VALID PROCESSING DATE AND REMINDER FEE YYYYMMDD,NNNN: "
                            f'"{text.rstrip(" ")}"')
            parm_date, fee = parsed
            raw = read_input("RATE-IN", allocated("RATE-IN", rate_in))
            if isinstance(raw, Unreadable):
                raise raw.error()
            rates = load_rates(raw, encoding, rate_in)
            files["MASTER-IN"] = open_input("MASTER-IN", allocated("MASTER-IN", master_in))
            for dd in DATA_DDS[1:]:
                files[dd] = open_output(dd, allocated(dd, dds[dd]))
            totals = run_master(files, dds, rates, parm_date, fee, encoding, block_records)
            rc = 4 if totals.errors else 0
            rpt.totals(totals, rc)
            result = Result(rc, rpt.lines, [], totals)
        except Abend as ab:
            if rpt is not None:
                rpt.abend(ab.lines)
            result = Result(16, rpt.lines if rpt is not None else None, ab.log_lines(PROGRAM))
        if "REPORT" in files and result.report is not None:
            files["REPORT"].write("".join(line + "\n" for line in result.report)
                                  .encode("latin-1", errors="replace"))
        return result
    finally:
        close_all(files.values())


# --------------------------------------------------------------------------- job step
def run(step) -> int:
    """The job step: DDs MASTER-IN, RATE-IN, MASTER-OUT, NOTICE-OUT, ENTAI-OUT,
    ERROR-OUT, REPORT; PARM 'YYYYMMDD,NNNN'. A DD missing from the step ends it with
    RC 16, as the legacy does."""
    def path(name):
        if not step.has_dd(name):
            return None
        dd = step.dd(name)
        return dd.path

    paths = {name: path(name) for name in ALL_DDS}
    first = next((step.dd(n) for n in ALL_DDS[1:] if step.has_dd(n)), None)
    encoding = getattr(first, "encoding", None) or "ascii"
    result = entai01(master_in=paths["MASTER-IN"], rate_in=paths["RATE-IN"],
                     master_out=paths["MASTER-OUT"], notice_out=paths["NOTICE-OUT"],
                     entai_out=paths["ENTAI-OUT"], error_out=paths["ERROR-OUT"],
                     report=paths["REPORT"], parm=step.parm, encoding=encoding)
    for line in result.messages:
        step.log(line)
    t = result.totals
    if t is not None:
        for name, kw in (("MASTER-IN", {"read": t.read}), ("MASTER-OUT", {"written": t.written}),
                         ("RATE-IN", {"read": t.rates}), ("NOTICE-OUT", {"written": t.reminded}),
                         ("ENTAI-OUT", {"written": t.overdue}), ("ERROR-OUT", {"written": t.errors})):
            step.dd(name).count(**kw)
        step.log(f"{PROGRAM} MASTER READ {t.read}, WRITTEN {t.written}; CONSIDERED {t.considered}, "
                 f"OVERDUE {t.overdue}, REMINDED {t.reminded}, INVALID {t.errors}; RC {result.rc}")
    return result.rc
