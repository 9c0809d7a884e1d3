"""The data's code page as the migrated programs see it (engine/program/charset.py)."""
from engine.program.charset import Charset, charset_for


def test_code_pages_zone_space_and_literals():
    assert charset_for("cp930").ebcdic and charset_for("IBM-037").ebcdic and charset_for("cp1047").ebcdic
    assert not charset_for("ascii").ebcdic and not charset_for(None).ebcdic
    ebc, asc = charset_for("cp037"), charset_for("ascii")
    assert (ebc.zone, ebc.space, asc.zone, asc.space) == (0xF0, 0x40, 0x30, 0x20)
    assert Charset("cp930", True).text("CX") == b"\xc3\xe7" and asc.text("CX") == b"CX"
    assert ebc.show(b"\xc1\xf1") == "A1" and asc.show(b"A1") == "A1"
