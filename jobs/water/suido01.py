"""SUIDO01 — bimonthly water and sewer billing (上下水道料金 調定).

The migrated form of the legacy SUIDO01.cob (spec: water-billing.md). It reads
the customer master (CUST-IN), the round's meter readings (READ-IN) and the
tariff table (TARIFF-IN) and gives, byte for byte and with the same return code,
the next master (CUST-OUT), the assessments for the collection master
(CHOTEI-OUT, 科目 11 water and 12 sewer), the bills (BILL-OUT), the rejected
readings (ERROR-OUT) and the control totals (REPORT).

The rules are column operations over all readings at once (Polars): match each
reading to its customer, the checks in the legacy's order (first failure wins),
usage with wrap-around and meter exchange, the two-month split, per-month bands
and tax truncated to 10 yen. It is written on the record-program toolkit
(engine/program: records through the copybooks, byte-order keys, sequence
checks, first-failure validation, reject records, edited print lines), with
outputs as fixed-width byte matrices, exact in ASCII and EBCDIC.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from engine.program.arithmetic import floor_to_unit
from engine.program.charset import charset_for
from engine.program.dates import is_valid_date
from engine.program.keys import key_ranks
from engine.program.legacy_shell import Abend, LegacyShell, recno
from engine.program.matching import rank_in_group
from engine.program.records import Records
from engine.program.sequence import first_out_of_order
from engine.program.validation import first_failure, reason_counts, reject_records
from engine.records.packed import PackedCodec
from jobs.water import bills
from jobs.water.report import PROGRAM, REASONS, Report, Totals
from jobs.water.tariff import Tariff, load_tariff

DDS = ("CUST-IN", "READ-IN", "TARIFF-IN", "CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT")
CUST_LEN, READ_LEN, TARIFF_LEN, CHOTEI_LEN, ERROR_LEN = 100, 40, 40, 100, 60
HV_LIMIT = 2000                 # m3 over the two months


@dataclass(frozen=True)
class Parm:
    """The 26-digit PARM: fiscal year, billing month, processing date, due date."""
    text: str

    @property
    def nendo(self) -> str: return self.text[:4]
    @property
    def month(self) -> str: return self.text[8:10]
    @property
    def yyyymm(self) -> str: return self.text[4:10]
    @property
    def shori(self) -> int: return int(self.text[10:18])
    @property
    def nokigen(self) -> str: return self.text[18:26]


def parse_parm(parm: str | None) -> tuple[str, Parm | None]:
    """(the 40 characters the legacy accepts, the PARM when valid)."""
    text = (parm or "")[:40].ljust(40)
    digits, rest = text[:26], text[26:]
    if rest.strip(" ") or not all("0" <= c <= "9" for c in digits):
        return text, None
    nendo, yyyy, mm = int(digits[:4]), int(digits[4:8]), int(digits[8:10])
    shori, due = int(digits[10:18]), int(digits[18:26])
    ok = nendo > 0 and yyyy > 0 and 1 <= mm <= 12
    ok &= bool(is_valid_date(np.array([shori, due])).all()) and due >= shori
    ok &= (yyyy - 1 if mm < 4 else yyyy) == nendo
    return text, Parm(digits) if ok else None


# ------------------------------------------------------------------------ result
@dataclass
class BillingResult:
    rc: int
    report: list[str] | None
    messages: list[str] = field(default_factory=list)
    totals: Totals | None = None


def bill(dds: dict, parm: str | None, *, encoding: str = "ascii", dialect: str | None = None,
         pdf: str | os.PathLike | None = None) -> BillingResult:
    """Run SUIDO01 over files: `dds` maps each DD (and REPORT) to a path, a list of
    paths (a concatenation) or None (not allocated). The legacy's order of abnormal
    ends is kept: DD paths, REPORT, PARM, opens, the tariff, then the data."""
    cs = charset_for(encoding)
    shell = LegacyShell(PROGRAM, dds)
    rpt: Report | None = None
    try:
        shell.check_path_lengths(("REPORT",) + DDS)
        shell.open_report()
        rpt = Report()
        text, p = parse_parm(parm)
        rpt.header(text, p is not None)
        if p is None:
            raise Abend('PARM IS NOT A VALID FISCAL YEAR + BILLING MONTH + PROCESSING DATE + DUE DATE: "'
                        + text.rstrip(" ") + '"')
        data = shell.open_data(("CUST-IN", CUST_LEN), ("READ-IN", READ_LEN), ("TARIFF-IN", TARIFF_LEN),
                               outputs=DDS[3:])
        tariff = load_tariff(data["TARIFF-IN"], cs)
        out, totals = billing_pass(data["CUST-IN"], data["READ-IN"], tariff, p, cs, shell)
        if pdf is not None:
            out["BILL-OUT"] = list(out["BILL-OUT"])
        for dd in ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT"):
            shell.write(dd, out[dd])
        if pdf is not None:
            bills.write_pdf(out["BILL-OUT"], pdf, cs)
        rc = 4 if totals.rejected else 0
        rpt.totals(totals, rc)
        result = BillingResult(rc, rpt.lines, totals=totals)
    except Abend as ab:
        if rpt is not None:
            rpt.abend(ab.lines)
        result = BillingResult(16, rpt.lines if rpt is not None else None, ab.log_lines(PROGRAM))
    shell.finish(result.report, "utf-8" if cs.ebcdic else "latin-1")
    return result


# ------------------------------------------------------------------------ balance line
HIGH_VALUES = np.full(10, 0xFF, np.uint8)


def _stop_at_high_values(k: np.ndarray) -> int:
    """Records the balance line reads before it takes a key of HIGH-VALUES for end of file."""
    hv = np.flatnonzero((k == HIGH_VALUES).all(axis=1))
    return int(hv[0]) if hv.size else len(k)


def sequence_abend(C, R, cs) -> tuple[int, int, int]:
    """The first sequence error, wrong-length record or unreadable input the legacy
    would meet, in the order it reads: customer i+1 when key i becomes active,
    reading j+1 after reading j is processed. Without one: (customers processed,
    readings processed, customers read)."""
    ck, rk = C.records[:, :10], R.records[:, :10]
    nc, nr = _stop_at_high_values(ck), _stop_at_high_values(rk)
    events = []                  # (when, input, record index 0-based, kind)
    brk = first_out_of_order(ck[1:nc + 1], strict=True, start=ck[0].tobytes()) if len(ck) > 1 else None
    i = brk.record if brk else (len(ck) if C.tail is not None and nc == len(ck) else None)
    if i is not None:
        events.append(((b"", 0, 0) if i == 0 else (ck[i - 1].tobytes(), 0, 0), C, i))
    brk = first_out_of_order(rk[:nr + 1], strict=False)
    j = brk.record - 1 if brk else (len(rk) if R.tail is not None and nr == len(rk) else None)
    if j is not None:
        events.append(((b"", 1, 0) if j == 0 else (rk[j - 1].tobytes(), 1, j), R, j))
    for when, data in (((b"", 0, 0), C), ((b"", 1, 0), R)):
        if not data.readable:                   # a directory: its first READ fails
            events.append((when, data, -1))
    if events:
        _, data, n = min(events, key=lambda e: e[0])
        if n < 0:
            data.read_error()
        if n == len(data.records):
            data.wrong_length(n + 1)
        name = "SM-SUISEN-NO" if data is C else "KN-SUISEN-NO"
        raise Abend(f"SEQUENCE ERROR ON {data.dd} AT RECORD {recno(n + 1)}",
                    f"  PREVIOUS: {name} {cs.show(data.raw_key(n - 1))}"
                    f"  CURRENT: {name} {cs.show(data.raw_key(n))}")
    return nc, nr, nc + (nc < len(ck))


# ------------------------------------------------------------------------ the rules
def volume_charges(bands: list[tuple[int, int, int]]) -> np.ndarray:
    """The volume charge of every monthly usage u = 0..1,000 m3 (half the HV limit),
    tabulated once from the bands: the sum over the bands u reaches of
    (min(u, to) - from + 1) x rate."""
    u = np.arange(HV_LIMIT // 2 + 1)
    net = np.zeros(len(u), np.int64)
    for kara, made, tanka in bands:
        net += np.clip(np.minimum(u, made) - kara + 1, 0, None) * tanka
    return net


def taxed(net: np.ndarray) -> np.ndarray:
    """x 1.10 truncated to 10 yen: floor(net x 11 / 100) x 10."""
    return floor_to_unit(net * 11 // 10, 10)


def with_charges(acc: pl.DataFrame, tariff: Tariff) -> pl.DataFrame:
    """Each month's water (basic for the diameter + volume) and sewer (if connected:
    basic + volume), each taxed on its own."""
    water, sewer = volume_charges(tariff.water_bands), volume_charges(tariff.sewer_bands)
    basic, gesui = acc["basic"].to_numpy(), acc["gesui"].to_numpy()
    months = {k: acc[k].to_numpy() for k in ("m1", "m2")}
    return acc.with_columns(
        water1=taxed(basic + water[months["m1"]]), water2=taxed(basic + water[months["m2"]]),
        sewer1=np.where(gesui, taxed(tariff.sewer_basic + sewer[months["m1"]]), 0),
        sewer2=np.where(gesui, taxed(tariff.sewer_basic + sewer[months["m2"]]), 0))


def segment(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """m3 a 4-digit meter turned from a to b (it wraps at 10,000)."""
    return pl.when(b >= a).then(b - a).otherwise(b + 10_000 - a)


def judge(readings: pl.DataFrame, customers: pl.DataFrame, tariff: Tariff, shori: int) -> pl.DataFrame:
    """Each reading with its customer (cust -1: none), its rank among the readings of
    its tap, reason (null: accepted), usage and its split over the two months (the odd
    m3 in month 2). The readings and the customers are in key order (checked before):
    a reading's customer is found by binary search, the basic charge by diameter."""
    c = pl.col
    c_key, r_key = customers["key"].to_numpy(), readings["key"].to_numpy()
    at = np.minimum(np.searchsorted(c_key, r_key), max(len(c_key) - 1, 0))
    found = (c_key[at] == r_key) if len(c_key) else np.zeros(len(r_key), bool)
    basic_of = np.full(1000, -1, np.int64)                # PIC 9(3) diameters
    for kokei, yen in tariff.basic:
        basic_of[kokei] = yen
    def pick(name):                                       # the customer's column (any, when none)
        v = customers[name].to_numpy()
        return v[at] if len(v) else np.zeros(len(r_key), v.dtype)
    kokei = pick("kokei")
    basic = np.where((kokei >= 0) & (kokei < 1000), basic_of[np.clip(kokei, 0, 999)], -1)
    joined = readings.with_columns(rank=rank_in_group(r_key), cust=np.where(found, at, -1), basic=basic,
                                   **{name: pick(name) for name in ("kokei", "zenkai", "zenkai_bi", "gesui", "closed")})
    usage = (pl.when(c("kokan_yes"))
             .then(segment(c("zenkai"), c("kyu")) + segment(c("shin"), c("konkai")))
             .otherwise(segment(c("zenkai"), c("konkai"))))
    reason = first_failure([
        ("NF", c("cust") < 0),
        ("CL", c("closed")),
        ("DU", c("rank") > 0),
        ("IV", ~c("konkai_ok") | ~c("kokan_valid") | (c("kokan_yes") & ~(c("kyu_ok") & c("shin_ok")))),
        ("DT", ~c("date_ok") | ~is_valid_date(c("date")) | (c("date") > shori) | (c("date") <= c("zenkai_bi"))),
        ("HV", c("usage") > HV_LIMIT),
        ("TF", c("basic") < 0),
    ])
    return (joined.with_columns(usage=usage)
            .with_columns(reason=reason, m1=c("usage") // 2, m2=c("usage") - c("usage") // 2))


# ------------------------------------------------------------------------ the pass
def billing_pass(C, R, tariff: Tariff, p: Parm, cs, shell) -> tuple[dict, Totals]:
    nc, nr, cust_read = sequence_abend(C, R, cs)
    cust = Records(C.records[:nc], "SUIDOMST", encoding=cs.name)
    read = Records(R.records[:nr], "KENSHIN", encoding=cs.name)
    c_key, r_key = key_ranks(cust.bytes("SM-SUISEN-NO"), read.bytes("KN-SUISEN-NO"))
    customers = pl.DataFrame({
        "key": c_key, "kokei": cust.value("SM-KOKEI"),
        "zenkai": cust.value("SM-ZENKAI-SHISHIN"), "zenkai_bi": cust.value("SM-ZENKAI-KENSHIN-BI"),
        "gesui": cust.equals("SM-GESUI-KBN", "1"), "closed": cust.equals("SM-JOTAI", "9")})
    readings = pl.DataFrame({
        "key": r_key,
        "konkai_ok": read.numeric("KN-KONKAI-SHISHIN"), "konkai": read.value("KN-KONKAI-SHISHIN"),
        "kyu_ok": read.numeric("KN-KYU-SHISHIN"), "kyu": read.value("KN-KYU-SHISHIN"),
        "shin_ok": read.numeric("KN-SHIN-SHISHIN"), "shin": read.value("KN-SHIN-SHISHIN"),
        "date_ok": read.numeric("KN-KENSHIN-BI"), "date": read.value("KN-KENSHIN-BI"),
        "kokan_yes": read.equals("KN-KOKAN-KBN", "1"), "kokan_valid": read.is_in("KN-KOKAN-KBN", "01")})
    j = judge(readings, customers, tariff, p.shori)

    reason = j["reason"].fill_null("").to_numpy()
    acc = with_charges(j.filter(pl.col("reason").is_null()), tariff)
    a_cust, a_read = acc["cust"].to_numpy(), np.flatnonzero(reason == "")
    water = (acc["water1"] + acc["water2"]).to_numpy()
    sewer = (acc["sewer1"] + acc["sewer2"]).to_numpy()
    gesui = acc["gesui"].to_numpy()
    bill_lines = bills.bill_lines(cust.data[a_cust], acc, p, cs)    # built on two threads meanwhile

    # CUST-OUT: the master as read; a billed tap gets 前回指針 / 前回検針日 of its reading
    out = Records(cust.data.copy(), "SUIDOMST", encoding=cs.name)
    out.put("SM-ZENKAI-SHISHIN", read.bytes("KN-KONKAI-SHISHIN")[a_read], a_cust)
    out.put("SM-ZENKAI-KENSHIN-BI", read.bytes("KN-KENSHIN-BI")[a_read], a_cust)
    # ERROR-OUT: the reading as read, then the reason
    rej = np.flatnonzero(reason != "")
    error_out = reject_records(read.data[rej], reason[rej], ERROR_LEN, fill=cs.space, encode=cs.text)

    chotei = assessments(cust.data[a_cust], water, sewer, gesui, p, cs)

    per_cust = np.bincount(j["cust"].fill_null(-1).to_numpy() + 1, minlength=nc + 1)[1:]
    closed = customers["closed"].to_numpy()
    billed = np.zeros(nc, dtype=bool)
    billed[a_cust] = True
    t = Totals(cust_read=cust_read, cust_closed=int(closed.sum()), cust_billed=int(billed.sum()),
               cust_mikenshin=int((~closed & ~billed & (per_cust == 0)).sum()),
               cust_rejected=int((~closed & ~billed & (per_cust > 0)).sum()),
               read_read=nr, read_accepted=len(a_read), read_exchange=int(acc["kokan_yes"].sum()),
               by_reason=reason_counts(reason, REASONS)[0].tolist(),
               usage=int(acc["usage"].sum()), water=int(water.sum()), sewer=int(sewer.sum()),
               cust_out=nc, chotei_water=len(a_cust), chotei_sewer=int(gesui.sum()), bills=len(a_cust))
    return {"CUST-OUT": out.data, "CHOTEI-OUT": chotei, "BILL-OUT": bill_lines, "ERROR-OUT": error_out}, t


def assessments(cust: np.ndarray, water: np.ndarray, sewer: np.ndarray, gesui: np.ndarray,
                p: Parm, cs) -> np.ndarray:
    """CHOTEI-OUT in SH-KEY order: every water item (科目 11), then the sewer items
    (科目 12) of the connected taps, each in tap order."""
    def items(rows, amounts, kamoku):
        n = len(rows)
        rec = np.full((n, CHOTEI_LEN), cs.space, dtype=np.uint8)
        head = np.frombuffer(cs.text(p.nendo + kamoku), np.uint8)
        rec[:, 0:6] = head
        rec[:, 6:16] = rows[:, 0:10]                                  # SH-TSUCHI-NO = tap
        rec[:, 16:18] = np.frombuffer(cs.text(p.month), np.uint8)     # SH-KIBETSU
        rec[:, 18:28] = rows[:, 10:20]                                # SH-KOJIN-NO
        rec[:, 28:36] = np.frombuffer(cs.text(p.nokigen), np.uint8)
        rec[:, 36:42] = packed(amounts, 6)                            # SH-CHOTEI-GAKU
        rec[:, 42:59] = np.frombuffer(bytes.fromhex("00000000000C" * 2 + "000000000C"), np.uint8)
        rec[:, 59:75] = cs.zone                                       # SHUNYU-BI, TOKUSOKU-BI 0
        rec[:, 75] = cs.text("0")[0]                                  # SH-JOTAI unpaid
        rec[:, 76] = rows[:, 61]                                      # SH-KOFURI-KBN as it is
        rec[:, 77:85] = np.frombuffer(cs.text(p.text[10:18]), np.uint8)
        rec[:, 85:87] = (0x00, 0x0F)                                  # SH-NOFU-KAISU 0
        return rec
    return np.concatenate([items(cust, water, "11"), items(cust[gesui], sewer[gesui], "12")])


def packed(values: np.ndarray, nbytes: int) -> np.ndarray:
    """Values as a PIC S9(2*nbytes-1) COMP-3 field, high-order digits dropped as the
    legacy's MOVE drops them."""
    codec = PackedCodec(digits=2 * nbytes - 1, signed=True)
    return codec.encode(np.asarray(values, np.int64), truncate=True)[0]


# ------------------------------------------------------------------------ job step
def run(step) -> int:
    """The job step: DDs CUST-IN, READ-IN, TARIFF-IN, CUST-OUT, CHOTEI-OUT, BILL-OUT,
    ERROR-OUT, REPORT (and optionally BILL-PDF, the bills for people); PARM as the
    legacy's. A DD missing from the step ends it with RC 16, as the legacy does."""
    names = DDS + ("REPORT",)
    dds = {n: (None if not step.has_dd(n) else
               list(step.dd(n).paths) if n.endswith("-IN") else step.dd(n).path) for n in names}
    data_dd = next((step.dd(n) for n in DDS if step.has_dd(n)), None)
    pdf = step.dd("BILL-PDF").path if step.has_dd("BILL-PDF") else None
    result = bill(dds, step.parm, encoding=getattr(data_dd, "encoding", None) or "ascii",
                  dialect=getattr(data_dd, "dialect", None), pdf=pdf)
    for line in result.messages:
        step.log(line)
    t = result.totals
    if t is not None:
        step.dd("CUST-IN").count(read=t.cust_read)
        step.dd("READ-IN").count(read=t.read_read)
        step.dd("CUST-OUT").count(written=t.cust_out)
        step.dd("CHOTEI-OUT").count(written=t.chotei_water + t.chotei_sewer)
        step.dd("ERROR-OUT").count(written=t.rejected)
        step.dd("BILL-OUT").count(written=t.bills * bills.BILL_LINES)   # (else the job layer reads the print file to count)
        step.log(f"{PROGRAM} CUSTOMERS READ {t.cust_read}, BILLED {t.cust_billed}; READINGS READ "
                 f"{t.read_read}, ACCEPTED {t.read_accepted}, REJECTED {t.rejected}; "
                 f"BILLED YEN {t.water + t.sewer:,}; RC {result.rc}")
    return result.rc
