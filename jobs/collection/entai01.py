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

import errno
import os
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from jobs.collection.report import edit_count
from jobs.collection.fields import (Charset, calendar_date_ok, charset_for, day_number,
                                     digits_ok, digits_value, last_day_of_month, packed_ok,
                                     packed_value, zoned_digits)

PROGRAM = "ENTAI01"
MASTER_LEN, RATE_LEN, NOTICE_LEN, ENTAI_LEN, ERROR_LEN = 100, 20, 80, 100, 120
RATE_MAX = 100
OPEN_END = 999_999_999                  # the last rate period's end, a one-month end past 9999
REASONS = ("IV", "DT", "AM", "RT")
DATA_DDS = ("MASTER-IN", "MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT")
ALL_DDS = ("REPORT", "MASTER-IN", "RATE-IN", "MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT")

# SHUNOMST (0-based slices)
SH_KEY, SH_KOJIN, SH_NOKIGEN = slice(0, 18), slice(18, 28), slice(28, 36)
SH_CHOTEI, SH_NOFU = slice(36, 42), slice(42, 48)
SH_TOKUSOKU, SH_JOTAI, SH_KOSHIN = slice(67, 75), 75, slice(77, 85)


# --------------------------------------------------------------------------- the rules
def item_rules(m: pl.DataFrame, *, parm_days: int, first_rate_day: int) -> pl.DataFrame:
    """Rules 3-6 of the spec over the decoded master: the reason of each invalid
    item, whether it is overdue and whether it is reminded now."""
    due_days = day_number(pl.col("due"))
    reason = (pl.when(~pl.col("considered")).then(None)
              .when(~(pl.col("key_ok") & pl.col("kojin_ok") & pl.col("chotei_ok") & pl.col("nofu_ok")))
              .then(pl.lit("IV"))
              .when(~(pl.col("due_ok") & pl.col("toku_ok")) | ~calendar_date_ok(pl.col("due")))
              .then(pl.lit("DT"))
              .when(pl.col("mino") <= 0).then(pl.lit("AM"))
              .when((pl.col("due_days") < parm_days) & (pl.col("due_days") + 1 < first_rate_day))
              .then(pl.lit("RT")))
    return (m.with_columns(due_days=pl.when(pl.col("due_ok")).then(due_days).otherwise(0),
                           mino=pl.col("chotei") - pl.col("nofu"))
            .with_columns(reason=reason)
            .with_columns(valid=pl.col("considered") & pl.col("reason").is_null())
            .with_columns(overdue=pl.col("valid") & (pl.col("due_days") < parm_days))
            .with_columns(remind=pl.col("overdue") & (pl.col("toku") == 0)
                          & (pl.col("due_days") + 20 < parm_days)))


def one_month_end(due: pl.Expr) -> pl.Expr:
    """納期限の翌日から1月を経過する日 (civil code art. 143) as a day number: the due
    date's day in the next month, clipped to that month's end; the next month's last
    day when the due date is the last of its month. Past 9999: OPEN_END."""
    y, mo, d = due // 10000, due // 100 % 100, due % 100
    ny = pl.when(mo == 12).then(y + 1).otherwise(y)
    nm = pl.when(mo == 12).then(1).otherwise(mo + 1)
    next_last = last_day_of_month(ny, nm)
    nd = pl.when((d == last_day_of_month(y, mo)) | (d > next_last)).then(next_last).otherwise(d)
    return pl.when(ny > 9999).then(OPEN_END).otherwise(day_number(ny * 10000 + nm * 100 + nd))


def late_fees(items: pl.DataFrame, rates: "RateTable", parm_days: int) -> pl.DataFrame:
    """Rule 7 on the overdue items: base, the days at each rate, and the fee summed
    over the pieces of each part cut at the rate periods, truncated to 100 yen."""
    start = pl.col("due_days") + 1
    me = pl.col("month_end")
    first_only = me >= parm_days
    df = items.with_columns(kiso=pl.col("mino") // 1000 * 1000,
                            month_end=one_month_end(pl.col("due"))).with_columns(
        nissu_1=pl.when(first_only).then(parm_days - start + 1).otherwise(me - start + 1),
        nissu_2=pl.when(first_only).then(0).otherwise(parm_days - me))
    parts = ((start, start + pl.col("nissu_1") - 1, rates.rate_1),
             (me + 1, pl.lit(parm_days), rates.rate_2))
    pieces = []
    for part, (lo, hi, rate) in enumerate(parts):
        for p in range(len(rates)):
            days = (pl.min_horizontal(hi, rates.to_days[p]) - pl.max_horizontal(lo, rates.from_days[p]) + 1)
            days = pl.when(days > 0).then(days).otherwise(0)
            if part == 1:
                days = pl.when(pl.col("nissu_2") > 0).then(days).otherwise(0)
            pieces.append(piece_fee(pl.col("kiso") // 1000 * int(rate[p]), days))
    total = pl.sum_horizontal(pieces) if pieces else pl.lit(0)
    fee = pl.when(pl.col("kiso") >= 2000).then(total).otherwise(0) // 100 * 100
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


def load_rates(data: bytes, cs: Charset, path) -> RateTable:
    """1500: every record a calendar start date above the previous and two numeric
    rates, 1 to 100 records; the first fault ends the step (in file order)."""
    t = RateTable()
    full, rest = divmod(len(data), RATE_LEN)
    for i in range(full):
        rec = data[i * RATE_LEN:(i + 1) * RATE_LEN]
        if len(t) >= RATE_MAX:
            raise Abend("RATE TABLE (RATE-IN) HAS MORE THAN 100 PERIODS")
        start, r1, r2 = rec[0:8], rec[8:13], rec[13:18]
        ok = cs.is_digits(start) and cs.is_digits(r1) and cs.is_digits(r2)
        value = int(cs.show(start)) if cs.is_digits(start) else 0
        if not ok or not _valid_date(value):
            raise Abend(f"INVALID RATE TABLE RECORD (RATE-IN) AT RECORD {_recno(i + 1)}: "
                        f'"{cs.show(rec)}"')
        if t.start and value <= t.start[-1]:
            raise Abend("RATE TABLE (RATE-IN) NOT IN ASCENDING ORDER OF START DATE AT RECORD "
                        + _recno(i + 1))
        t.start.append(value)
        t.rate_1.append(int(cs.show(r1)))
        t.rate_2.append(int(cs.show(r2)))
        t.from_days.append(_day_number(value))
    if rest:
        raise Abend(f"WRONG LENGTH RECORD ON DD RATE-IN AT RECORD {_recno(full + 1)}, FILE STATUS 04",
                    _path_line(path))
    if not t.start:
        raise Abend("RATE TABLE (RATE-IN) IS EMPTY")
    t.to_days = [d - 1 for d in t.from_days[1:]] + [OPEN_END]
    return t


def _valid_date(v: int) -> bool:
    return bool(pl.select(calendar_date_ok(pl.lit(v, pl.Int64))).item())


def _day_number(v: int) -> int:
    return int(pl.select(day_number(pl.lit(v, pl.Int64))).item())


# --------------------------------------------------------------------------- the master
def decode_master(M: np.ndarray, cs: Charset) -> pl.DataFrame:
    """The fields the rules read, one column each (values of invalid fields are 0)."""
    due_ok = digits_ok(M[:, SH_NOKIGEN], cs.zone)
    toku_ok = digits_ok(M[:, SH_TOKUSOKU], cs.zone)
    jotai = M[:, SH_JOTAI]
    return pl.DataFrame({
        "considered": (jotai == cs.zone) | (jotai == cs.zone + 1),
        "key_ok": digits_ok(M[:, SH_KEY], cs.zone),
        "kojin_ok": digits_ok(M[:, SH_KOJIN], cs.zone),
        "chotei_ok": packed_ok(M[:, SH_CHOTEI]),
        "nofu_ok": packed_ok(M[:, SH_NOFU]),
        "chotei": packed_value(M[:, SH_CHOTEI]),
        "nofu": packed_value(M[:, SH_NOFU]),
        "due_ok": due_ok,
        "due": np.where(due_ok, digits_value(M[:, SH_NOKIGEN]), 0),
        "toku_ok": toku_ok,
        "toku": np.where(toku_ok, digits_value(M[:, SH_TOKUSOKU]), 0),
    })


def first_out_of_sequence(M: np.ndarray) -> int | None:
    """Index of the first record whose key is not above the previous one (bytes)."""
    if len(M) < 2:
        return None
    keys = np.ascontiguousarray(M[:, SH_KEY]).view("S18").ravel()
    bad = np.flatnonzero(keys[1:] <= keys[:-1])
    return int(bad[0]) + 1 if bad.size else None


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


@dataclass
class Outputs:
    master: np.ndarray
    notice: np.ndarray
    entai: np.ndarray
    error: np.ndarray
    totals: Totals


def process(M: np.ndarray, rates: RateTable, parm_date: int, fee: int, cs: Charset) -> Outputs:
    """The whole run on the master records (n, 100): the four outputs and totals."""
    parm_days = _day_number(parm_date)
    items = item_rules(decode_master(M, cs), parm_days=parm_days, first_rate_day=rates.from_days[0])
    overdue_rows = np.flatnonzero(items["overdue"].to_numpy())
    fees = late_fees(items[overdue_rows], rates, parm_days)
    remind = fees["remind"].to_numpy()

    master = M.copy()
    today = np.frombuffer(cs.digits(parm_date, 8), np.uint8)
    reminded_rows = overdue_rows[remind]
    master[reminded_rows, SH_TOKUSOKU] = today
    master[reminded_rows, SH_KOSHIN] = today

    def z(col, width, frame=fees, rows=None):
        v = frame[col].to_numpy()
        return zoned_digits(v if rows is None else v[rows], width, cs.zone)

    O = master[overdue_rows]
    entai_out = np.concatenate([
        O[:, SH_KEY], O[:, SH_KOJIN], O[:, SH_NOKIGEN], z("mino", 12), z("kiso", 12),
        z("nissu_1", 7), z("nissu_2", 7), z("entai", 12), O[:, SH_TOKUSOKU],
        np.full((len(O), 6), cs.space, np.uint8)], axis=1)
    R = master[reminded_rows]
    notice_out = np.concatenate([
        R[:, SH_KEY], R[:, SH_KOJIN], R[:, SH_NOKIGEN], z("mino", 12, rows=remind),
        np.tile(np.frombuffer(cs.digits(fee, 4), np.uint8), (len(R), 1)),
        z("entai", 12, rows=remind), np.tile(today, (len(R), 1)),
        np.full((len(R), 8), cs.space, np.uint8)], axis=1)

    reason = items["reason"]
    bad_rows = np.flatnonzero(reason.is_not_null().to_numpy())
    codes = np.frombuffer(b"".join(cs.text(r) for r in reason[bad_rows].to_list()), np.uint8)
    error_out = np.concatenate([M[bad_rows], codes.reshape(-1, 2),
                                np.full((len(bad_rows), 18), cs.space, np.uint8)], axis=1)

    counts = reason[bad_rows].value_counts()
    by = dict(zip(counts["reason"].to_list(), counts["count"].to_list()))
    entai = fees["entai"].to_numpy()
    mino = fees["mino"].to_numpy()
    t = Totals(rates=len(rates), read=len(M), written=len(M),
               considered=int(items["considered"].sum()), overdue=len(overdue_rows),
               reminded=int(remind.sum()), errors=len(bad_rows),
               by_reason=tuple(by.get(r, 0) for r in REASONS),
               rem_mino=_sum15(mino[remind]), rem_fee=_sum15(np.full(int(remind.sum()), fee)),
               rem_entai=_sum15(entai[remind]), ovd_mino=_sum15(mino), ovd_entai=_sum15(entai))
    return Outputs(master, notice_out.reshape(-1, NOTICE_LEN), entai_out.reshape(-1, ENTAI_LEN),
                   error_out.reshape(-1, ERROR_LEN), t)


def _sum15(v: np.ndarray) -> int:
    """An S9(15) accumulator of non-negative values: the low 15 digits of the sum."""
    if v.size and int(v.max()) * v.size >= 2 ** 62:
        return int(v.astype(object).sum()) % 10 ** 15
    return int(v.sum()) % 10 ** 15


# --------------------------------------------------------------------------- report
def _line(s: str) -> str:
    return s[:132].rstrip(" ")


class Report:
    """The legacy's 132-column control-total report (GnuCOBOL line sequential)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str = "") -> None:
        self.lines.append(_line(s))

    def header(self, date_text: str, fee_text: str) -> None:
        self.add(f"{PROGRAM:<8}{'':20}{'REMINDERS AND LATE FEES (TOKUSOKU / ENTAIKIN) -':<47}"
                 f"{' CONTROL TOTALS':<21}{'':27}PAGE {1:>4}")
        self.add(f"{'':28}PROCESSING DATE (SHORI-BI) {date_text[:10]:<10}{'':4}"
                 f"{'REMINDER FEE (TOKUSOKU TESURYO) ':<34}{fee_text:<8}")
        self.add("-" * 132)

    def count(self, label: str, v: int) -> None:
        self.add(f"  {label:<50}{'':5}{edit_count(v)}")

    def amount(self, label: str, v: int) -> None:
        self.add(f"  {label:<50}{'-' if v < 0 else ' '}{edit_count(abs(v), 15)}")

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
        self.rc_line(rc, "(NO INVALID MASTER DATA)" if rc == 0
                     else "(INVALID MASTER DATA LISTED ON ERROR-OUT)")
        self.add("*** END OF REPORT ***")

    def rc_line(self, rc: int, text: str) -> None:
        self.add(f"{PROGRAM} ENDED RETURN CODE{rc:>4}   {text}")

    def abend(self, messages: list[str]) -> None:
        self.add()
        self.add("*** ABNORMAL END ***")
        for m in messages:
            self.add(m)
        self.add()
        self.rc_line(16, "(ABNORMAL END - MASTER-OUT MUST NOT BE CATALOGED)")
        self.add("*** END OF REPORT ***")


# --------------------------------------------------------------------------- the run
class Abend(Exception):
    """An abnormal end (RC 16) with the legacy's message lines."""

    def __init__(self, *lines: str):
        super().__init__(lines[0])
        self.lines = [line for line in lines if line.strip()]


@dataclass
class Result:
    rc: int
    report: list[str] | None
    messages: list[str]
    totals: Totals | None = None


def _recno(n: int) -> str:
    return edit_count(n).strip()


def _path_line(path) -> str:
    return "  PATH: " + os.fspath(path)


def _unallocated(value) -> bool:
    return value is None or os.fspath(value) == ""


def _open_status(exc: OSError, output: bool) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "37"
    if exc.errno == errno.ENOENT and not output:
        return "35"
    return "30"


def _allocated(dd: str, value) -> None:
    if _unallocated(value):
        raise Abend(f"DD {dd} NOT ALLOCATED: ENVIRONMENT VARIABLE {dd.replace('-', '_')} IS NOT SET")


def _read_input(dd: str, path) -> bytes:
    try:
        if os.path.isdir(path):
            raise Abend(f"READ ERROR ON DD {dd} AT RECORD 1, FILE STATUS 30", _path_line(path))
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS {_open_status(exc, False)}",
                    _path_line(path)) from None


def _open_output(dd: str, path):
    try:
        return open(path, "wb")
    except OSError as exc:
        raise Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS {_open_status(exc, True)}",
                    _path_line(path)) from None


def parse_parm(text: str) -> tuple[int, int] | None:
    """'YYYYMMDD,NNNN' (80 characters, blanks after): (date, fee) or None."""
    date, comma, fee, rest = text[:8], text[8:9], text[9:13], text[13:80]
    if not (len(date) == 8 and date.isascii() and date.isdigit() and comma == ","
            and len(fee) == 4 and fee.isascii() and fee.isdigit() and rest.strip(" ") == ""):
        return None
    return (int(date), int(fee)) if _valid_date(int(date)) else None


def entai01(*, master_in, rate_in, master_out, notice_out, entai_out, error_out, report,
            parm: str | None, encoding: str = "ascii") -> Result:
    """Run ENTAI01 over files: each DD a path, or None when not allocated. The checks
    and abnormal ends come in the legacy's order: DD paths, REPORT, PARM (after the
    page header), the rate table, the data files, then the master's records."""
    cs = charset_for(encoding)
    dds = dict(zip(ALL_DDS, (report, master_in, rate_in, master_out, notice_out, entai_out,
                             error_out)))
    files: dict = {}
    rpt: Report | None = None
    try:
        try:
            for dd, value in dds.items():
                if value is not None and len(os.fspath(value)) > 1023:
                    raise Abend(f"DD {dd}: PATH LONGER THAN 1023 CHARACTERS IN "
                                f"ENVIRONMENT VARIABLE {dd.replace('-', '_')}")
            if _unallocated(report):
                raise Abend("DD REPORT NOT ALLOCATED: ENVIRONMENT VARIABLE REPORT IS NOT SET")
            files["REPORT"] = _open_output("REPORT", report)
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
            _allocated("RATE-IN", rate_in)
            rates = load_rates(_read_input("RATE-IN", rate_in), cs, rate_in)
            _allocated("MASTER-IN", master_in)
            mdata = _read_input("MASTER-IN", master_in)
            for dd in DATA_DDS[1:]:
                _allocated(dd, dds[dd])
                files[dd] = _open_output(dd, dds[dd])
            full, rest = divmod(len(mdata), MASTER_LEN)
            M = np.frombuffer(mdata, np.uint8, count=full * MASTER_LEN).reshape(full, MASTER_LEN)
            bad = first_out_of_sequence(M)
            if bad is not None:
                raise Abend(f"SEQUENCE ERROR ON MASTER-IN AT RECORD {_recno(bad + 1)}",
                            f"  PREVIOUS: SH-KEY {cs.show(M[bad - 1, SH_KEY].tobytes())}",
                            f"  CURRENT:  SH-KEY {cs.show(M[bad, SH_KEY].tobytes())}")
            if rest:
                raise Abend(f"WRONG LENGTH RECORD ON DD MASTER-IN AT RECORD {_recno(full + 1)}, "
                            "FILE STATUS 04", _path_line(master_in))
            out = process(M, rates, parm_date, fee, cs)
            for dd, data in (("MASTER-OUT", out.master), ("NOTICE-OUT", out.notice),
                             ("ENTAI-OUT", out.entai), ("ERROR-OUT", out.error)):
                try:
                    files[dd].write(np.ascontiguousarray(data).tobytes())
                    files.pop(dd).close()
                except OSError:
                    raise Abend(f"WRITE ERROR ON DD {dd}, FILE STATUS 34", _path_line(dds[dd])) from None
            rc = 4 if out.totals.errors else 0
            rpt.totals(out.totals, rc)
            result = Result(rc, rpt.lines, [], out.totals)
        except Abend as ab:
            messages = [f"{PROGRAM:<8} {line.rstrip(' ')}" for line in ab.lines]
            messages.append(f"{PROGRAM:<8} ABNORMAL END, RETURN CODE 16")
            if rpt is not None:
                rpt.abend(ab.lines)
            result = Result(16, rpt.lines if rpt is not None else None, messages)
        if "REPORT" in files and result.report is not None:
            files["REPORT"].write("".join(line + "\n" for line in result.report)
                                  .encode("latin-1", errors="replace"))
        return result
    finally:
        for fh in files.values():
            try:
                fh.close()
            except OSError:
                pass


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
