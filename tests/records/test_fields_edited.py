"""Numeric-edited pictures: images compared with what GnuCOBOL's MOVE writes."""
from __future__ import annotations

import subprocess
from decimal import Decimal

import polars as pl
import pytest

from engine.copybook import parse_copybook
from engine.errors import EncodeError
from engine.records.codec import RecordCodec
from tests.conftest import requires_cobc

PICS = ["ZZZ9", "ZZ,ZZ9.99", "***,**9.99", "-ZZZ9", "ZZZ9-", "+ZZZ9", "ZZZ9CR", "ZZZ9DB",
        "----9", "++++9.99", "$$$,$$9.99", "9(4)B99", "99/99/99", "ZZZ.ZZ", "Z(5)", "-(5).99",
        "999.99-", "ZZZ0", "ZZZ9.99 BLANK WHEN ZERO"]
VALUES = ["0", "1", "-1", "12.5", "-1234.56", "7", "99", "-3", "1234", "0.05", "-0.05"]


def edited(pic: str) -> RecordCodec:
    return RecordCodec(parse_copybook(f"       01 R.\n           05 E PIC {pic}.\n"), "ascii", "gnucobol")


@pytest.fixture(scope="module")
def cobol_images(tmp_path_factory) -> dict[tuple[str, str], str]:
    d = tmp_path_factory.mktemp("edited")
    lines = ["       IDENTIFICATION DIVISION.", "       PROGRAM-ID. EDT.", "       DATA DIVISION.",
             "       WORKING-STORAGE SECTION.", "       01 V PIC S9(6)V99."]
    lines += [f"       01 E{i} PIC {p}." for i, p in enumerate(PICS)]
    lines.append("       PROCEDURE DIVISION.")
    for v in VALUES:
        lines.append(f"           MOVE {v} TO V")
        for i in range(len(PICS)):
            lines += [f"           MOVE V TO E{i}", f"           DISPLAY '{i}|{v}|' E{i} '|'"]
    lines.append("           STOP RUN.")
    (d / "edt.cob").write_text("\n".join(lines) + "\n")
    subprocess.run(["cobc", "-x", "-o", str(d / "edt"), str(d / "edt.cob")], check=True)
    out = subprocess.run([str(d / "edt")], check=True, capture_output=True, text=True).stdout
    images = {}
    for line in out.splitlines():
        i, v, img, _ = line.split("|")
        images[(PICS[int(i)], v)] = img
    return images


def _fits(pic: str, value: Decimal) -> bool:
    c = edited(pic)
    codec = c._plans[0].codec
    signed = any(t in ("+", "-", "CR", "DB") for t in codec.tokens)
    unscaled = value.scaleb(codec.scale)
    return unscaled == unscaled.to_integral() and abs(unscaled) < 10 ** codec.n_digits and \
        (signed or value >= 0)


@requires_cobc
@pytest.mark.parametrize("pic", PICS)
def test_encode_matches_gnucobol_move(pic, cobol_images):
    c = edited(pic)
    for v in VALUES:
        value = Decimal(v)
        if _fits(pic, value):
            got = c.encode(pl.DataFrame({"E": [value]})).tobytes().decode()
            assert got == cobol_images[(pic, v)], (pic, v)
        else:     # COBOL truncates or drops the sign; densan refuses
            with pytest.raises(EncodeError, match="row 0, field E"):
                c.encode(pl.DataFrame({"E": [value]}))


@requires_cobc
@pytest.mark.parametrize("pic", PICS)
def test_decode_gnucobol_images(pic, cobol_images):
    c = edited(pic)
    for v in VALUES:
        value = Decimal(v)
        if not _fits(pic, value):
            continue
        img = cobol_images[(pic, v)].encode()
        got = c.decode(__import__("numpy").frombuffer(img, dtype="uint8").reshape(1, -1)).frame["E"][0]
        assert Decimal(got) == value, (pic, v, img)


def test_edited_images_by_hand():
    c = edited("ZZ,ZZ9.99-")
    assert c.encode(pl.DataFrame({"E": [Decimal("-1234.5")]})).tobytes() == b" 1,234.50-"
    assert c.decode(__import__("numpy").frombuffer(b"    12.00 ", "uint8").reshape(1, -1)).frame["E"][0] \
        == Decimal("12.00")


def test_edited_pictures_beyond_18_digits_decode_to_decimal_and_back():
    """A +9(20) print image is a Decimal(20, 0), not an int64 overflow (was a traceback)."""
    import numpy as np
    from engine.copybook import parse_copybook
    from engine.records import RecordCodec

    layout = parse_copybook("01 R.\n   05 A PIC +9(20).\n   05 B PIC -9(19).99.\n", source_format="free")
    codec = RecordCodec(layout, "ascii")
    raw = b"+12345678901234567890-1234567890123456789.05"
    frame = codec.decode(np.frombuffer(raw, np.uint8).reshape(1, -1)).frame
    assert str(frame["A"][0]) == "12345678901234567890"
    assert str(frame["B"][0]) == "-1234567890123456789.05"
    assert bytes(codec.encode(frame)[0]) == raw
