"""Multi-layout files: a Zengin account-transfer request (header 1 / data 2 /
trailer 8 / end 9, 120-byte records, JIS code = ASCII + half-width kana) decodes
to one frame per record type and encodes back byte for byte. The file is built
here with Python's own cp932 codec, from the layout in municipal-rules.md."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

pytest.importorskip("engine.records.codec")
pytest.importorskip("engine.copybook.parser")

from engine.errors import RecordError  # noqa: E402
from engine.records.multilayout import MultiLayout, read_multilayout, write_multilayout  # noqa: E402

HERE = Path(__file__).parent / "zengin"


def n(value: int, width: int) -> str:
    return str(value).rjust(width, "0")


def c(text: str, width: int) -> str:
    assert len(text.encode("cp932")) <= width
    return text + " " * (width - len(text.encode("cp932")))


DATA = [  # bank, bank name, branch, branch name, kind, account, holder, amount, new, customer
    (149, "ｼｽﾞｵｶｷﾞﾝｺｳ", 1, "ﾎﾝﾃﾝ", 1, 1234567, "ﾔﾏﾀﾞ ﾀﾛｳ", 18500, 1, 202400000000000012),
    (149, "ｼｽﾞｵｶｷﾞﾝｺｳ", 23, "ｼﾐｽﾞ", 2, 7654321, "ｽｽﾞｷ ﾊﾅｺ(ｶ", 61200, 0, 12345678901234567890),
    (5, "ﾐﾂﾋﾞｼUFJ", 100, "ｼｽﾞｵｶ", 1, 1, "ABC-ｼﾖｳｼﾞ.", 3000, 2, 7),
]


def zengin_records() -> list[str]:
    header = ("1" + "91" + "0" + n(12345, 10) + c("ｼｽﾞｵｶｼ ｶｲｹｲｶﾝﾘｼﾔ", 40) + "0527" + n(149, 4)
              + c("ｼｽﾞｵｶｷﾞﾝｺｳ", 15) + n(1, 3) + c("ﾎﾝﾃﾝ", 15) + "1" + n(7777777, 7) + " " * 17)
    data = ["2" + n(b, 4) + c(bn, 15) + n(br, 3) + c(brn, 15) + " " * 4 + str(k) + n(acct, 7)
            + c(holder, 30) + n(amount, 10) + str(new) + n(cust, 20) + "0" + " " * 8
            for b, bn, br, brn, k, acct, holder, amount, new, cust in DATA]
    total = sum(d[7] for d in DATA)
    trailer = "8" + n(len(DATA), 6) + n(total, 12) + n(0, 6) + n(0, 12) + n(0, 6) + n(0, 12) + " " * 65
    end = "9" + " " * 119
    records = [header, *data, trailer, end]
    assert all(len(r.encode("cp932")) == 120 for r in records)
    return records


@pytest.fixture(scope="module")
def spec() -> MultiLayout:
    return MultiLayout.by_value({"1": HERE / "ZENHDR.cpy", "2": HERE / "ZENDAT.cpy",
                                 "8": HERE / "ZENTRL.cpy", "9": HERE / "ZENEND.cpy"},
                                offset=0, length=1, encoding="cp932")


@pytest.mark.parametrize("recfm, sep", [("F", ""), ("LS", "\r\n")])
def test_zengin_decodes_to_frames_and_back_byte_for_byte(tmp_path, spec, recfm, sep):
    raw = "".join(r + sep for r in zengin_records()).encode("cp932")
    path = tmp_path / "kofuri.dat"
    path.write_bytes(raw)
    frames = read_multilayout(path, spec, encoding="cp932", recfm=recfm)
    assert list(frames) == ["ZENHDR", "ZENDAT", "ZENTRL", "ZENEND"]
    assert [f.height for f in frames.values()] == [1, 3, 1, 1]

    hdr = frames["ZENHDR"].row(0, named=True)
    assert hdr["ZH-SHUBETSU"] == "91" and hdr["ZH-ITAKUSHA-CODE"] == 12345
    assert hdr["ZH-ITAKUSHA-NAME"] == "ｼｽﾞｵｶｼ ｶｲｹｲｶﾝﾘｼﾔ" and hdr["ZH-HIKIOTOSHI-BI"] == 527

    data = frames["ZENDAT"]
    assert data["ZD-YOKINSHA-NAME"].to_list() == [d[6] for d in DATA]
    assert data["ZD-HIKIOTOSHI-GAKU"].to_list() == [18500, 61200, 3000]
    assert data["ZD-KOKYAKU-NO"].to_list() == [Decimal(d[9]) for d in DATA]   # 20 digits, exact
    assert data["__record_no__"].to_list() == [2, 3, 4]

    trl = frames["ZENTRL"].row(0, named=True)
    assert trl["ZT-GOKEI-KENSU"] == data.height
    assert trl["ZT-GOKEI-KINGAKU"] == data["ZD-HIKIOTOSHI-GAKU"].sum()
    assert frames["ZENEND"]["__record_no__"].to_list() == [6]

    out = tmp_path / "again.dat"
    # frames do not carry line ends; Zengin lines keep all 120 bytes
    ending = {"line_ending": "crlf", "ls_trim": False} if sep else {}
    assert write_multilayout(frames, out, spec, encoding="cp932", recfm=recfm, **ending) == 6
    assert out.read_bytes() == raw
    # and re-encoded from the values alone (FILLER -> spaces)
    values = {k: f.drop("__record__") for k, f in frames.items()}
    write_multilayout(values, out, spec, encoding="cp932", recfm=recfm, **ending)
    assert out.read_bytes() == raw


def test_zengin_result_file_edit(tmp_path, spec):
    """A bank's result: mark the second transfer as failed (資金不足) and fix the trailer."""
    raw = "".join(zengin_records()).encode("cp932")
    path = tmp_path / "kofuri.dat"
    path.write_bytes(raw)
    frames = read_multilayout(path, spec, encoding="cp932")
    data = frames["ZENDAT"].with_columns(
        pl.when(pl.col("__record_no__") == 3).then(1).otherwise(0).alias("ZD-FURIKAE-KEKKA"))
    failed = data.filter(pl.col("ZD-FURIKAE-KEKKA") != 0)
    trl = frames["ZENTRL"].with_columns(
        pl.lit(data.height - failed.height).alias("ZT-FURIKAEZUMI-KENSU"),
        pl.lit(data["ZD-HIKIOTOSHI-GAKU"].sum() - failed["ZD-HIKIOTOSHI-GAKU"].sum())
        .alias("ZT-FURIKAEZUMI-KINGAKU"),
        pl.lit(failed.height).alias("ZT-FUNO-KENSU"),
        pl.lit(failed["ZD-HIKIOTOSHI-GAKU"].sum()).alias("ZT-FUNO-KINGAKU"))
    out = tmp_path / "result.dat"
    write_multilayout({**frames, "ZENDAT": data, "ZENTRL": trl}, out, spec, encoding="cp932")
    records = [out.read_bytes()[i:i + 120] for i in range(0, 720, 120)]
    assert [r[111:112] for r in records[1:4]] == [b"0", b"1", b"0"]
    assert records[4][:55].decode() == "8000003000000082700000002000000021500000001000000061200"
    assert records[0] == raw[:120] and records[5] == raw[600:]


def test_unknown_record_type_is_an_error_naming_the_record(tmp_path, spec):
    records = zengin_records()
    records[3] = "7" + records[3][1:]
    path = tmp_path / "bad.dat"
    path.write_bytes("".join(records).encode("cp932"))
    with pytest.raises(RecordError) as err:
        read_multilayout(path, spec, encoding="cp932")
    assert err.value.record == 4 and err.value.offset == 360
    assert "X'37'" in str(err.value)
    rejects = tmp_path / "bad.rej"
    frames = read_multilayout(path, spec, encoding="cp932", errors="lenient", reject_path=rejects)
    assert frames["ZENDAT"].height == 2
    assert rejects.read_bytes() == records[3].encode("cp932")


def test_zengin_text_file_with_stripped_trailing_spaces(tmp_path, spec):
    """Some transfers strip trailing blanks: a short line is its record padded with
    spaces, and it is written back as it came."""
    records = [r.rstrip(" ") for r in zengin_records()]
    raw = "".join(r + "\r\n" for r in records).encode("cp932")
    path = tmp_path / "kofuri.txt"
    path.write_bytes(raw)
    frames = read_multilayout(path, spec, encoding="cp932", recfm="LS")
    assert frames["ZENEND"]["ZE-DATA-KUBUN"].to_list() == ["9"]
    assert frames["ZENDAT"]["ZD-FURIKAE-KEKKA"].to_list() == [0, 0, 0]
    out = tmp_path / "again.txt"
    write_multilayout(frames, out, spec, encoding="cp932", recfm="LS", line_ending="crlf")
    assert out.read_bytes() == raw
