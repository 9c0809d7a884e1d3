"""Account transfer (口座振替): the request file checked field by field against the
published Zengin layout (municipal-rules.md: positions, N/C fields, JIS and EBCDIC
code), item selection from the master and the account master, and the refusal of
a bank result that does not answer its request."""
from __future__ import annotations

import polars as pl
import pytest

from datasets.collection_followups import bank_result
from jobs.collection import zengin
from jobs.collection.kofuri_request import ControlError, parse_consignor, select_items
from jobs.collection.kofuri_result import post_result

CITY = zengin.Consignor(12345, "ｼｼﾞﾖｳｼ ｶｲｹｲｶﾝﾘｼﾔ", 149, "ｼｽﾞｵｶｷﾞﾝｺｳ", 1, "ﾎﾝﾃﾝ", 1, 7777777)
ITEMS = pl.DataFrame({
    "bank_no": [149, 5, 9900], "bank_name": ["ｼｽﾞｵｶｷﾞﾝｺｳ", "ﾐﾂﾋﾞｼUFJ", "ﾕｳﾁﾖ"], "branch_no": [1, 100, 48],
    "branch_name": ["ﾎﾝﾃﾝ", "ｼｽﾞｵｶ", "ｷﾀ"], "kind": [1, 2, 1], "account": [1234567, 1, 7654321],
    "holder": ["ﾔﾏﾀﾞ ﾀﾛｳ", "ABC-ｼﾖｳｼﾞ(ｶ).", "ｽｽﾞｷ ﾊﾅｺ"], "amount": [18_500, 3_000, 9_999_999_999],
    "new_code": [1, 0, 2], "customer": [202501000000200101, 202502000000000104, 202611000000123401]})


def C(text: str, width: int, enc: str = "cp932") -> bytes:
    b = text.encode(enc) if enc == "cp932" else _cp930(text)
    return b + (b" " if enc == "cp932" else b"\x40") * (width - len(b))


def N(v: int, width: int, enc: str = "cp932") -> bytes:
    return C(f"{v:0{width}d}", width, enc)


def _cp930(text: str) -> bytes:
    from engine.codepages import get_codepage
    return get_codepage("cp930").encode(text)


@pytest.mark.parametrize("kubun, enc", [("0", "cp932"), ("1", "cp930")])
def test_request_field_by_field(tmp_path, kubun, enc):
    path = tmp_path / "request.dat"
    zengin.write_request(ITEMS, CITY, 20260527, path, code_kubun=kubun)
    raw = path.read_bytes()
    assert len(raw) == 120 * 6
    recs = [raw[i:i + 120] for i in range(0, len(raw), 120)]
    hdr = recs[0]                       # positions 1-based in the spec; slices 0-based
    assert hdr[0:1] == C("1", 1, enc) and hdr[1:3] == C("91", 2, enc) and hdr[3:4] == C(kubun, 1, enc)
    assert hdr[4:14] == N(12345, 10, enc) and hdr[14:54] == C("ｼｼﾞﾖｳｼ ｶｲｹｲｶﾝﾘｼﾔ", 40, enc)
    assert hdr[54:58] == N(527, 4, enc) and hdr[58:62] == N(149, 4, enc)
    assert hdr[62:77] == C("ｼｽﾞｵｶｷﾞﾝｺｳ", 15, enc) and hdr[77:80] == N(1, 3, enc)
    assert hdr[80:95] == C("ﾎﾝﾃﾝ", 15, enc) and hdr[95:96] == N(1, 1, enc)
    assert hdr[96:103] == N(7777777, 7, enc) and hdr[103:120] == C("", 17, enc)
    for rec, row in zip(recs[1:4], ITEMS.iter_rows(named=True)):
        assert rec[0:1] == C("2", 1, enc) and rec[1:5] == N(row["bank_no"], 4, enc)
        assert rec[5:20] == C(row["bank_name"], 15, enc) and rec[20:23] == N(row["branch_no"], 3, enc)
        assert rec[23:38] == C(row["branch_name"], 15, enc) and rec[38:42] == C("", 4, enc)
        assert rec[42:43] == N(row["kind"], 1, enc) and rec[43:50] == N(row["account"], 7, enc)
        assert rec[50:80] == C(row["holder"], 30, enc) and rec[80:90] == N(row["amount"], 10, enc)
        assert rec[90:91] == N(row["new_code"], 1, enc) and rec[91:111] == N(row["customer"], 20, enc)
        assert rec[111:112] == C("0", 1, enc) and rec[112:120] == C("", 8, enc)
    total = int(ITEMS["amount"].sum())
    assert recs[4] == (C("8", 1, enc) + N(3, 6, enc) + N(total, 12, enc) + N(0, 6, enc) + N(0, 12, enc)
                       + N(0, 6, enc) + N(0, 12, enc) + C("", 65, enc))
    assert recs[5] == C("9", 1, enc) + C("", 119, enc)


def test_jis_request_with_crlf_reads_back(tmp_path):
    path = tmp_path / "request.txt"
    zengin.write_request(ITEMS, CITY, 20260527, path, crlf=True)
    raw = path.read_bytes()
    assert len(raw) == 122 * 6 and raw[120:122] == b"\r\n"
    assert zengin.read(path)[zengin.DATA]["ZD-YOKINSHA-NAME"].to_list() == ITEMS["holder"].to_list()


def _request(tmp_path, kubun="0"):
    path = tmp_path / "request.dat"
    zengin.write_request(ITEMS, CITY, 20260527, path, code_kubun=kubun)
    return path


@pytest.mark.parametrize("kubun", ["0", "1"])
def test_result_posting(tmp_path, kubun):
    req = _request(tmp_path, kubun)
    bank_result(req, tmp_path / "result.dat", codes=[0, 1, 0], code_kubun=kubun)
    pay, unpaid, data = post_result(req, tmp_path / "result.dat", 20260527, code_kubun=kubun)
    assert pay["NT-CHANNEL"].to_list() == ["4", "4"]
    assert pay["NT-NOFU-GAKU"].to_list() == [18_500, 9_999_999_999]
    assert pay.select("NT-NENDO", "NT-KAMOKU", "NT-TSUCHI-NO", "NT-KIBETSU").rows() == \
        [(2025, 1, 2001, 1), (2026, 11, 1234, 1)]
    assert unpaid.rows() == [(1, "202502000000000104", 20260527, 3_000, 5, 100, 1, 3)]


def _edit_result(tmp_path, **change):
    """A valid result for the request, then one thing changed."""
    req = _request(tmp_path)
    frames = zengin.read(req, what="request")
    data = frames[zengin.DATA].with_columns(pl.Series("ZD-FURIKAE-KEKKA", [0, 1, 0]))
    trl = zengin.trailer(data, result=True).with_columns(frames[zengin.TRAILER]["__record_no__"])
    result = {**frames, zengin.DATA: data, zengin.TRAILER: trl}
    for name, fn in change.items():
        result[name] = fn(result[name])
    out = tmp_path / "result.dat"
    zengin.write({k: v.drop("__record__", strict=False) for k, v in result.items()}, out)
    return req, out


@pytest.mark.parametrize("change, message", [
    ({"ZENTRL": lambda t: t.with_columns(pl.lit(1).alias("ZT-FURIKAEZUMI-KENSU"))},
     "trailer field ZT-FURIKAEZUMI-KENSU is 1, the data records give 2"),
    ({"ZENTRL": lambda t: t.with_columns(pl.lit(5).alias("ZT-FUNO-KINGAKU"))}, "ZT-FUNO-KINGAKU"),
    ({"ZENDAT": lambda d: d.with_columns(pl.when(pl.col("__record_no__") == 3).then(2)
                                         .otherwise(pl.col("ZD-KOZA-NO")).alias("ZD-KOZA-NO"))},
     "record 3 (data record 2) field ZD-KOZA-NO is 2, the request has 1"),
    ({"ZENDAT": lambda d: d.with_columns(pl.when(pl.col("__record_no__") == 4).then(1)
                                         .otherwise(pl.col("ZD-HIKIOTOSHI-GAKU")).alias("ZD-HIKIOTOSHI-GAKU"))},
     "field ZD-HIKIOTOSHI-GAKU"),
    ({"ZENDAT": lambda d: d.with_columns(pl.when(pl.col("__record_no__") == 2).then(6)
                                         .otherwise(pl.col("ZD-FURIKAE-KEKKA")).alias("ZD-FURIKAE-KEKKA"))},
     "record 2 field ZD-FURIKAE-KEKKA is 6"),
    ({"ZENHDR": lambda h: h.with_columns(pl.lit(528).alias("ZH-HIKIOTOSHI-BI"))}, "debit day 0528"),
    ({"ZENHDR": lambda h: h.with_columns(pl.lit(99).alias("ZH-ITAKUSHA-CODE"))}, "ZH-ITAKUSHA-CODE is 99"),
])
def test_result_not_matching_the_request_is_refused(tmp_path, change, message):
    req, out = _edit_result(tmp_path, **change)
    with pytest.raises(zengin.ZenginError) as err:
        post_result(req, out, 20260527)
    assert message in str(err.value)


def test_missing_record_and_bad_structure(tmp_path):
    req, out = _edit_result(tmp_path)
    raw = out.read_bytes()
    (tmp_path / "short.dat").write_bytes(raw[:240] + raw[360:])          # a data record dropped
    with pytest.raises(zengin.ZenginError, match="2 data records, the request has 3"):
        post_result(req, tmp_path / "short.dat", 20260527)
    (tmp_path / "noend.dat").write_bytes(raw[:-120])
    with pytest.raises(zengin.ZenginError, match="end"):
        post_result(req, tmp_path / "noend.dat", 20260527)
    (tmp_path / "odd.dat").write_bytes(raw[:360] + b"7" + raw[361:])
    with pytest.raises(zengin.ZenginError, match="not a Zengin"):
        post_result(req, tmp_path / "odd.dat", 20260527)


def test_consignor_statements():
    text = ("* city\nITAKUSHA-CODE=0000012345\nITAKUSHA-NAME=ｼｼﾞﾖｳｼ\nBANK-NO=0149\nBANK-NAME=ｼｽﾞｵｶ\n"
            "BRANCH-NO=001\nBRANCH-NAME=ﾎﾝﾃﾝ\nYOKIN-SHUMOKU=1\nKOZA-NO=7777777\nCODE-KUBUN=1\n")
    c, kubun = parse_consignor(text)
    assert (c.code, c.bank_no, c.account, kubun) == (12345, 149, 7777777, "1")
    with pytest.raises(ControlError, match="line 3 column 1"):
        parse_consignor(text.replace("ITAKUSHA-NAME", "ITAKUSHA-NAM"))
    with pytest.raises(ControlError, match="line 4 column 9: BANK-NO must be digits"):
        parse_consignor(text.replace("BANK-NO=0149", "BANK-NO=01A9"))
    with pytest.raises(ControlError, match="cannot carry"):
        parse_consignor(text.replace("ｼｼﾞﾖｳｼ", "市役所"))
    with pytest.raises(ControlError, match="missing KOZA-NO"):
        parse_consignor(text.replace("KOZA-NO=7777777", ""))


def test_item_selection():
    master = pl.DataFrame({
        "SH-NENDO": [2026] * 7, "SH-KAMOKU": [1, 1, 2, 1, 1, 1, 11],
        "SH-TSUCHI-NO": [1, 2, 3, 4, 5, 6, 7], "SH-KIBETSU": [1] * 7,
        "SH-KOJIN-NO": [10, 10, 10, 20, 30, 40, 50],
        "SH-NOKIGEN": [20260527, 20260527, 20260527, 20260527, 20260528, 20260527, 20260527],
        "SH-CHOTEI-GAKU": [5000, 5000, 7000, 4000, 1000, 3000, 100_000_000_000],
        "SH-NOFU-GAKU": [0, 5000, 1000, 0, 0, 0, 0],
        "SH-JOTAI": ["0", "2", "1", "0", "0", "0", "0"],
        "SH-KOFURI-KBN": ["1", "1", "1", "1", "1", "0", "1"]})
    acct = pl.DataFrame({
        "KZ-KOJIN-NO": [10, 10, 50], "KZ-KAMOKU": [0, 2, 0], "KZ-BANK-NO": [149, 5, 1],
        "KZ-BANK-NAME": ["ｼｽﾞｵｶ", "ﾐﾂﾋﾞｼ", "ﾐｽﾞﾎ"], "KZ-BRANCH-NO": [1, 2, 3],
        "KZ-BRANCH-NAME": ["ﾎﾝﾃﾝ", "ｷﾀ", "ﾐﾅﾐ"], "KZ-YOKIN-SHUMOKU": [1, 1, 1],
        "KZ-KOZA-NO": [1, 2, 3], "KZ-YOKINSHA-NAME": ["ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ", "ｽｽﾞｷ"],
        "KZ-SHINKI-CODE": [0, 1, 0], "KZ-KAISHI-BI": [20200101] * 3, "KZ-TEISHI-BI": [0, 0, 0]})
    items = select_items(master, acct, 20260527)
    assert items["SH-TSUCHI-NO"].to_list() == [1, 3, 4, 7]
    assert items["bank_no"].to_list() == [149, 5, None, 1]          # the item's own account first
    assert items["amount"].to_list() == [5000, 6000, 4000, 100_000_000_000]
    assert items["reason"].to_list() == [None, None, "NA", "AM"]
    stopped = select_items(master, acct.with_columns(pl.lit(20260527).alias("KZ-TEISHI-BI")), 20260527)
    assert stopped["reason"].to_list() == ["NA", "NA", "NA", "NA"]
