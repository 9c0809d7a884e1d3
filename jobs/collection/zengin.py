"""The Zengin account-transfer file (口座振替, 種別コード 91): 120-byte records, header
"1" / data "2" / trailer "8" / end "9", in JIS (コード区分 0: ASCII + JIS X 0201
half-width katakana) or EBCDIC (コード区分 1). The layouts are the copybooks ZENHDR,
ZENDAT, ZENTRL and ZENEND; this module builds a request from the items to debit,
and checks a bank's result against the request it answers."""
from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from engine.errors import DensanError
from engine.records.multilayout import MultiLayout, read_multilayout, write_multilayout

HEADER, DATA, TRAILER, END = "ZENHDR", "ZENDAT", "ZENTRL", "ZENEND"
ENCODINGS = {"0": "cp932", "1": "cp930"}          # コード区分 -> code page of the file
RESULT_CODES = {0: "FURIKAEZUMI (DEBITED)", 1: "SHIKIN FUSOKU (INSUFFICIENT FUNDS)",
                2: "TORIHIKI NASHI (NO SUCH ACCOUNT)", 3: "YOKINSHA TSUGO (STOPPED BY PAYER)",
                4: "IRAISHO NASHI (NO DIRECT-DEBIT MANDATE)", 8: "ITAKUSHA TSUGO (STOPPED BY CITY)",
                9: "SONOTA (OTHER)"}
# the characters a Zengin C field may hold: space ( ) - . digits A-Z half-width katakana
ZENGIN_TEXT = re.compile(r"[ ()\-.0-9A-Z\uff66-\uff9f]*")


class ZenginError(DensanError):
    """A Zengin file that is not what it must be (structure, totals, or its request)."""


def layout(code_kubun: str = "0") -> MultiLayout:
    return MultiLayout.by_value({"1": HEADER, "2": DATA, "8": TRAILER, "9": END}, offset=0, length=1,
                                encoding=ENCODINGS[code_kubun])


@dataclass(frozen=True)
class Consignor:
    """The city as 委託者: its code and name, and the account the money goes to."""
    code: int
    name: str
    bank_no: int
    bank_name: str
    branch_no: int
    branch_name: str
    kind: int
    account: int


def write_request(items: pl.DataFrame, consignor: Consignor, debit_date: int, path, *,
                  code_kubun: str = "0", crlf: bool = False) -> dict[str, pl.DataFrame]:
    """Write the request file for `items` (columns: bank_no, bank_name, branch_no,
    branch_name, kind, account, holder, amount, new_code, customer) in their order."""
    header = pl.DataFrame({"ZH-DATA-KUBUN": ["1"], "ZH-SHUBETSU": ["91"], "ZH-CODE-KUBUN": [code_kubun],
                           "ZH-ITAKUSHA-CODE": [consignor.code], "ZH-ITAKUSHA-NAME": [consignor.name],
                           "ZH-HIKIOTOSHI-BI": [debit_date % 10000], "ZH-BANK-NO": [consignor.bank_no],
                           "ZH-BANK-NAME": [consignor.bank_name], "ZH-BRANCH-NO": [consignor.branch_no],
                           "ZH-BRANCH-NAME": [consignor.branch_name],
                           "ZH-YOKIN-SHUMOKU": [consignor.kind], "ZH-KOZA-NO": [consignor.account]})
    data = items.select(
        pl.lit("2").alias("ZD-DATA-KUBUN"), pl.col("bank_no").alias("ZD-BANK-NO"),
        pl.col("bank_name").alias("ZD-BANK-NAME"), pl.col("branch_no").alias("ZD-BRANCH-NO"),
        pl.col("branch_name").alias("ZD-BRANCH-NAME"), pl.col("kind").alias("ZD-YOKIN-SHUMOKU"),
        pl.col("account").alias("ZD-KOZA-NO"), pl.col("holder").alias("ZD-YOKINSHA-NAME"),
        pl.col("amount").alias("ZD-HIKIOTOSHI-GAKU"), pl.col("new_code").alias("ZD-SHINKI-CODE"),
        pl.col("customer").cast(pl.Decimal(20, 0)).alias("ZD-KOKYAKU-NO"),
        pl.lit(0).alias("ZD-FURIKAE-KEKKA"))
    frames = {HEADER: header, DATA: data, TRAILER: trailer(data, result=False),
              END: pl.DataFrame({"ZE-DATA-KUBUN": ["9"]})}
    for name, frame in frames.items():
        frames[name] = frame.with_columns(pl.Series("__record_no__", _numbers(name, data.height)))
    write(frames, path, code_kubun=code_kubun, crlf=crlf)
    return frames


def trailer(data: pl.DataFrame, *, result: bool) -> pl.DataFrame:
    """The trailer of a request (済 / 不能 zero) or of a result (by result code)."""
    amount = data["ZD-HIKIOTOSHI-GAKU"]
    done = data["ZD-FURIKAE-KEKKA"] == 0 if result else pl.Series([False] * data.height)
    return pl.DataFrame({
        "ZT-DATA-KUBUN": ["8"], "ZT-GOKEI-KENSU": [data.height], "ZT-GOKEI-KINGAKU": [int(amount.sum())],
        "ZT-FURIKAEZUMI-KENSU": [int(done.sum()) if result else 0],
        "ZT-FURIKAEZUMI-KINGAKU": [int(amount.filter(done).sum()) if result else 0],
        "ZT-FUNO-KENSU": [int((~done).sum()) if result else 0],
        "ZT-FUNO-KINGAKU": [int(amount.filter(~done).sum()) if result else 0]})


def _numbers(name: str, n: int) -> list[int]:
    return {HEADER: [1], DATA: list(range(2, n + 2)), TRAILER: [n + 2], END: [n + 3]}[name]


def write(frames: dict[str, pl.DataFrame], path, *, code_kubun: str = "0", crlf: bool = False) -> int:
    options = {"recfm": "LS", "line_ending": "crlf", "ls_trim": False} if crlf else {"recfm": "F"}
    return write_multilayout(frames, path, layout(code_kubun), encoding=ENCODINGS[code_kubun], **options)


def read(path, *, code_kubun: str = "0", what: str = "file") -> dict[str, pl.DataFrame]:
    """The four frames of a Zengin file, its structure checked: one header first, the
    data, one trailer, one end record last; every data record in between."""
    with open(path, "rb") as fh:
        head = fh.read(122)
    crlf = len(head) >= 122 and head[120:122] == b"\r\n"
    options = {"recfm": "LS"} if crlf else {"recfm": "F"}
    try:
        frames = read_multilayout(path, layout(code_kubun), encoding=ENCODINGS[code_kubun], **options)
    except DensanError as exc:
        raise ZenginError(f"{what} {path} is not a Zengin account-transfer file: {exc.message}",
                          hint="a record type (byte 1) must be 1, 2, 8 or 9, each record 120 bytes") from None
    n = frames[DATA].height
    for name, label in ((HEADER, "header (1)"), (TRAILER, "trailer (8)"), (END, "end (9)")):
        got = frames[name]["__record_no__"].to_list()
        if got != _numbers(name, n):
            raise ZenginError(f"{what} {path}: expected one {label} record at record "
                              f"{_numbers(name, n)[0]}, found it at {got or 'no record'}",
                              hint="a Zengin file is a header, the data records, a trailer and an end record")
    if frames[DATA]["__record_no__"].to_list() != _numbers(DATA, n):
        raise ZenginError(f"{what} {path}: data records (2) must all come between the header and the trailer")
    hdr = frames[HEADER].row(0, named=True)
    if hdr["ZH-SHUBETSU"] != "91" or hdr["ZH-CODE-KUBUN"] != code_kubun:
        raise ZenginError(f"{what} {path}: header says 種別 {hdr['ZH-SHUBETSU']!r} コード区分 "
                          f"{hdr['ZH-CODE-KUBUN']!r}; expected '91' and {code_kubun!r}")
    return frames


COMPARED_HEADER = ("ZH-SHUBETSU", "ZH-CODE-KUBUN", "ZH-ITAKUSHA-CODE", "ZH-ITAKUSHA-NAME",
                   "ZH-HIKIOTOSHI-BI", "ZH-BANK-NO", "ZH-BRANCH-NO", "ZH-YOKIN-SHUMOKU", "ZH-KOZA-NO")
COMPARED_DATA = ("ZD-BANK-NO", "ZD-BRANCH-NO", "ZD-YOKIN-SHUMOKU", "ZD-KOZA-NO", "ZD-YOKINSHA-NAME",
                 "ZD-HIKIOTOSHI-GAKU", "ZD-KOKYAKU-NO")


def check_result(request: dict[str, pl.DataFrame], result: dict[str, pl.DataFrame], *,
                 where: str = "result") -> None:
    """The bank's result must answer the request record for record: the same header,
    the same data records in the same order with only the result code filled in
    (one of 0-4, 8, 9), and a trailer whose totals add up. The first difference is
    raised, naming the record and the field."""
    rq, rs = request[HEADER].row(0, named=True), result[HEADER].row(0, named=True)
    for f in COMPARED_HEADER:
        if rq[f] != rs[f]:
            raise ZenginError(f"{where}: header record field {f} is {rs[f]!r}, the request has {rq[f]!r}",
                              hint="the result file must answer this request (same consignor and debit day)")
    a, b = request[DATA], result[DATA]
    if a.height != b.height:
        raise ZenginError(f"{where}: {b.height} data records, the request has {a.height}",
                          hint="the bank must return every requested record")
    for f in COMPARED_DATA:
        diff = (a[f] != b[f]).arg_true()
        if diff.len():
            i = int(diff[0])
            raise ZenginError(f"{where}: record {i + 2} (data record {i + 1}) field {f} is "
                              f"{b[f][i]!r}, the request has {a[f][i]!r}",
                              hint="the result must hold the requested records unchanged, in the same order")
    bad = (~b["ZD-FURIKAE-KEKKA"].is_in(list(RESULT_CODES))).arg_true()
    if bad.len():
        i = int(bad[0])
        raise ZenginError(f"{where}: record {i + 2} field ZD-FURIKAE-KEKKA is {b['ZD-FURIKAE-KEKKA'][i]}, "
                          "not a result code (0-4, 8, 9)")
    expected = trailer(b, result=True).row(0, named=True)
    got = result[TRAILER].row(0, named=True)
    for f in ("ZT-GOKEI-KENSU", "ZT-GOKEI-KINGAKU", "ZT-FURIKAEZUMI-KENSU", "ZT-FURIKAEZUMI-KINGAKU",
              "ZT-FUNO-KENSU", "ZT-FUNO-KINGAKU"):
        if got[f] != expected[f]:
            raise ZenginError(f"{where}: trailer field {f} is {got[f]}, the data records give {expected[f]}",
                              hint="the totals of the result do not match its records: ask the bank again")
    rt = request[TRAILER].row(0, named=True)
    if (rt["ZT-GOKEI-KENSU"], rt["ZT-GOKEI-KINGAKU"]) != (got["ZT-GOKEI-KENSU"], got["ZT-GOKEI-KINGAKU"]):
        raise ZenginError(f"{where}: trailer totals {got['ZT-GOKEI-KENSU']} / {got['ZT-GOKEI-KINGAKU']} "
                          f"differ from the request's {rt['ZT-GOKEI-KENSU']} / {rt['ZT-GOKEI-KINGAKU']}")
