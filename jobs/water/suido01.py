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
and tax truncated to 10 yen. Outputs are laid out as fixed-width byte matrices
(engine-free here; see print.py), so that they are exact in ASCII and EBCDIC.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from jobs.collection.shuno01 import charset_for
from jobs.water import bills
from jobs.water.legacy_shell import Abend, LegacyShell, recno
from jobs.water.report import PROGRAM, REASONS, Report, Totals
from jobs.water.tariff import Tariff, load_tariff

DDS = ("CUST-IN", "READ-IN", "TARIFF-IN", "CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT")
CUST_LEN, READ_LEN, TARIFF_LEN, CHOTEI_LEN, ERROR_LEN = 100, 40, 40, 100, 60
HV_LIMIT = 2000                 # m3 over the two months
HIGH_KEY = b"\xff" * 10


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
    ok &= bool(valid_date(np.array([shori, due])).all()) and due >= shori
    ok &= (yyyy - 1 if mm < 4 else yyyy) == nendo
    return text, Parm(digits) if ok else None


def valid_date(v: np.ndarray) -> np.ndarray:
    """YYYYMMDD values that are Gregorian calendar dates, year 0001-9999."""
    y, m, d = v // 10000, v // 100 % 100, v % 100
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    last = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)]
    last = np.where((m == 2) & leap, 29, last)
    return (y > 0) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last)


# ------------------------------------------------------------------------ fields
def digits(block: np.ndarray, start: int, width: int, zone: int) -> tuple[np.ndarray, np.ndarray]:
    """(NUMERIC class test, value) of an unsigned zoned PIC 9(width) column."""
    f = block[:, start:start + width]
    low = (f & 0x0F).astype(np.int64)
    ok = (((f & 0xF0) == zone) & (low <= 9)).all(axis=1)
    value = np.zeros(len(block), dtype=np.int64)
    for k in range(width):
        value = value * 10 + low[:, k]
    return ok, value


def keys(block: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(block[:, :10]).view("S10").ravel()


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
    shell = LegacyShell(PROGRAM, dds, cs)
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
        result = BillingResult(16, rpt.lines if rpt is not None else None,
                               [f"{PROGRAM:<8} {s.rstrip(' ')}" for s in ab.lines]
                               + [f"{PROGRAM:<8} ABNORMAL END, RETURN CODE 16"])
    shell.finish(result.report)
    return result


# ------------------------------------------------------------------------ balance line
def _first(mask: np.ndarray) -> int | None:
    hit = np.flatnonzero(mask)
    return int(hit[0]) if hit.size else None


def _stop_at_high_key(k: np.ndarray) -> int:
    """Records read before the balance line takes a key of HIGH-VALUES for end of file."""
    hv = _first(k == HIGH_KEY)
    return len(k) if hv is None else hv


def sequence_abend(C, R, shell: "LegacyShell", cs) -> tuple[int, int, int]:
    """The first sequence error or wrong-length record the legacy would meet, in the
    order it reads (customer i+1 when key i becomes active; reading j+1 after reading
    j is processed); else (customers, readings processed, customers read)."""
    ck, rk = keys(C.records), keys(R.records)
    nc, nr = _stop_at_high_key(ck), _stop_at_high_key(rk)
    events = []
    bad = _first(ck[1:nc + 1] <= ck[:nc][:len(ck[1:nc + 1])])
    i = None if bad is None else bad + 1
    if C.tail and len(ck) <= nc and (i is None or len(ck) < i):
        i = len(ck)
    if i is not None:
        when = (b"", 0, 0) if i == 0 else (bytes(ck[i - 1]).ljust(10, b"\0"), 0, 0)
        events.append((when, "CUST-IN", i, ck))
    bad = _first(rk[1:nr + 1] < rk[:nr][:len(rk[1:nr + 1])])
    j = None if bad is None else bad + 1
    if R.tail and len(rk) <= nr and (j is None or len(rk) < j):
        j = len(rk)
    if j is not None:
        when = (b"", 1, 0) if j == 0 else (bytes(rk[j - 1]).ljust(10, b"\0"), 1, j)
        events.append((when, "READ-IN", j, rk))
    for when, data in (((b"", 0, 0), C), ((b"", 1, 0), R)):
        if not data.readable:                   # a directory: its first READ fails
            events.append((when, data.dd, -1, ck))
    if events:
        _, dd, n, k = min(events, key=lambda e: e[0])
        if n < 0:
            (C if dd == "CUST-IN" else R).read_error()
        if n == len(k):
            raise Abend(f"WRONG LENGTH RECORD ON DD {dd} AT RECORD {recno(n + 1)}, FILE STATUS 04",
                        shell.path_line(dd))
        name = "SM-SUISEN-NO" if dd == "CUST-IN" else "KN-SUISEN-NO"
        raise Abend(f"SEQUENCE ERROR ON {dd} AT RECORD {recno(n + 1)}",
                    f"  PREVIOUS: {name} {cs.show(C.raw_key(n - 1) if dd == 'CUST-IN' else R.raw_key(n - 1))}"
                    f"  CURRENT: {name} {cs.show(C.raw_key(n) if dd == 'CUST-IN' else R.raw_key(n))}")
    return nc, nr, nc + (nc < len(ck))


# ------------------------------------------------------------------------ the rules
def charges(u: pl.Expr, basic: pl.Expr, bands: list[tuple[int, int, int]]) -> pl.Expr:
    """A month's charge with its usage u: the basic charge plus, for every band that
    u reaches, (min(u, to) - from + 1) x rate; x 1.10 truncated to 10 yen."""
    net = basic
    for kara, made, tanka in bands:
        net = net + pl.when(u >= kara).then(pl.min_horizontal(u, pl.lit(made)) - kara + 1).otherwise(0) * tanka
    return (net * 11 // 100) * 10


def segment(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """m3 a 4-digit meter turned from a to b (it wraps at 10,000)."""
    return pl.when(b >= a).then(b - a).otherwise(b + 10_000 - a)


def judge(readings: pl.DataFrame, customers: pl.DataFrame, tariff: Tariff, shori: int) -> pl.DataFrame:
    """Each reading with its customer, reason (null: accepted), usage and charges."""
    zenkai = pl.col("zenkai")
    usage = (pl.when(pl.col("kokan_yes"))
             .then(segment(zenkai, pl.col("kyu")) + segment(pl.col("shin"), pl.col("konkai")))
             .otherwise(segment(zenkai, pl.col("konkai"))))
    date = pl.col("date")
    reason = (pl.when(pl.col("cust").is_null()).then(pl.lit("NF"))
              .when(pl.col("closed")).then(pl.lit("CL"))
              .when(pl.col("rank") > 0).then(pl.lit("DU"))
              .when(~pl.col("konkai_ok") | ~pl.col("kokan_valid")
                    | (pl.col("kokan_yes") & ~(pl.col("kyu_ok") & pl.col("shin_ok")))).then(pl.lit("IV"))
              .when(~pl.col("date_valid") | (date > shori) | (date <= pl.col("zenkai_bi"))).then(pl.lit("DT"))
              .when(pl.col("usage") > HV_LIMIT).then(pl.lit("HV"))
              .when(pl.col("basic").is_null()).then(pl.lit("TF")))
    m1, m2 = pl.col("usage") // 2, pl.col("usage") - pl.col("usage") // 2
    g = pl.lit(tariff.sewer_basic)

    def sewer(u):
        return pl.when(pl.col("gesui")).then(charges(u, g, tariff.sewer_bands)).otherwise(0)

    return (readings.with_columns(rank=pl.int_range(pl.len()).over("key"))
            .join(customers, on="key", how="left", maintain_order="left")
            .join(tariff.basic_frame(), on="kokei", how="left", maintain_order="left")
            .with_columns(usage=usage)
            .with_columns(reason=reason, m1=m1, m2=m2)
            .with_columns(water1=charges(pl.col("m1"), pl.col("basic"), tariff.water_bands),
                          water2=charges(pl.col("m2"), pl.col("basic"), tariff.water_bands),
                          sewer1=sewer(pl.col("m1")), sewer2=sewer(pl.col("m2"))))


# ------------------------------------------------------------------------ the pass
def billing_pass(C, R, tariff: Tariff, p: Parm, cs, shell) -> tuple[dict, Totals]:
    nc, nr, cust_read = sequence_abend(C, R, shell, cs)
    cust, read = C.records[:nc], R.records[:nr]
    z = cs.zone
    ck, rk = keys(cust), keys(read)
    codes = np.unique(np.concatenate([ck, rk]), return_inverse=True)[1]
    c_key, r_key = codes[:nc], codes[nc:]
    _, kokei = digits(cust, 56, 3, z)
    _, zenkai = digits(cust, 62, 4, z)
    _, zenkai_bi = digits(cust, 66, 8, z)
    customers = pl.DataFrame({
        "key": c_key, "cust": np.arange(nc), "kokei": kokei, "zenkai": zenkai, "zenkai_bi": zenkai_bi,
        "gesui": cust[:, 59] == cs.text("1")[0], "closed": cust[:, 60] == cs.text("9")[0]})
    konkai_ok, konkai = digits(read, 18, 4, z)
    kyu_ok, kyu = digits(read, 23, 4, z)
    shin_ok, shin = digits(read, 27, 4, z)
    date_ok, date = digits(read, 10, 8, z)
    flag = read[:, 22]
    readings = pl.DataFrame({
        "key": r_key, "konkai_ok": konkai_ok, "konkai": konkai, "kyu_ok": kyu_ok, "kyu": kyu,
        "shin_ok": shin_ok, "shin": shin, "date": date, "date_valid": date_ok & valid_date(date),
        "kokan_yes": flag == cs.text("1")[0],
        "kokan_valid": (flag == cs.text("1")[0]) | (flag == cs.text("0")[0])})
    j = judge(readings, customers, tariff, p.shori)

    reason = j["reason"].to_numpy()
    ok = j["reason"].is_null().to_numpy()
    acc = j.filter(pl.col("reason").is_null())
    a_cust = acc["cust"].to_numpy()
    a_read = np.flatnonzero(ok)
    water = (acc["water1"] + acc["water2"]).to_numpy()
    sewer = (acc["sewer1"] + acc["sewer2"]).to_numpy()
    gesui = acc["gesui"].to_numpy()

    # CUST-OUT: the master as read, the billed taps with 前回指針 / 前回検針日 of the reading
    cust_out = cust.copy()
    cust_out[a_cust, 62:66] = read[a_read, 18:22]
    cust_out[a_cust, 66:74] = read[a_read, 10:18]
    # ERROR-OUT: the reading as read, the reason, spaces
    rej = np.flatnonzero(~ok)
    error_out = np.full((len(rej), ERROR_LEN), cs.space, dtype=np.uint8)
    error_out[:, :40] = read[rej]
    codes_txt = np.frombuffer(cs.text("".join(REASONS)), np.uint8).reshape(7, 2)
    rej_reason = reason[rej]
    rsn_ix = np.zeros(len(rej), dtype=np.int64)
    for k, code in enumerate(REASONS):
        rsn_ix[rej_reason == code] = k
    error_out[:, 40:42] = codes_txt[rsn_ix]

    chotei = assessments(cust[a_cust], water, sewer, gesui, p, cs)
    bill_lines = bills.bill_lines(cust[a_cust], read[a_read], acc, p, cs)

    # control totals
    per_cust = np.bincount(j["cust"].fill_null(-1).to_numpy() + 1, minlength=nc + 1)[1:]
    closed = customers["closed"].to_numpy()
    billed = np.zeros(nc, dtype=bool)
    billed[a_cust] = True
    t = Totals(cust_read=cust_read, cust_closed=int(closed.sum()), cust_billed=int(billed.sum()),
               cust_mikenshin=int((~closed & ~billed & (per_cust == 0)).sum()),
               cust_rejected=int((~closed & ~billed & (per_cust > 0)).sum()),
               read_read=nr, read_accepted=len(a_read),
               read_exchange=int(acc["kokan_yes"].sum()),
               by_reason=[int((rej_reason == code).sum()) for code in REASONS],
               usage=int(acc["usage"].sum()), water=int(water.sum()), sewer=int(sewer.sum()),
               cust_out=nc, chotei_water=len(a_cust), chotei_sewer=int(gesui.sum()), bills=len(a_cust))
    return {"CUST-OUT": cust_out, "CHOTEI-OUT": chotei, "BILL-OUT": bill_lines, "ERROR-OUT": error_out}, t


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
    """Non-negative values as packed decimal, sign C."""
    v = values.astype(np.int64) % 10 ** (2 * nbytes - 1)
    nib = np.zeros((len(v), 2 * nbytes), dtype=np.uint8)
    nib[:, -1] = 0x0C
    for k in range(2 * nbytes - 2, -1, -1):
        nib[:, k] = v % 10
        v //= 10
    return (nib[:, 0::2] << 4) | nib[:, 1::2]


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
        step.log(f"{PROGRAM} CUSTOMERS READ {t.cust_read}, BILLED {t.cust_billed}; READINGS READ "
                 f"{t.read_read}, ACCEPTED {t.read_accepted}, REJECTED {t.rejected}; "
                 f"BILLED YEN {t.water + t.sewer:,}; RC {result.rc}")
    return result.rc
