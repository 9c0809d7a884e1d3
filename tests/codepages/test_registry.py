"""Code pages by name and alias; site tables (vendor codes) loaded from text files."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from engine.codepages import (CodePage, available_codepages, get_codepage, load_codepage_table,
                              register_codepage)
from engine.errors import CodePageError, DensanError


@pytest.mark.parametrize("alias, name", [
    ("IBM-930", "cp930"), ("ibm930", "cp930"), ("x-IBM930", "cp930"), ("CCSID939", "cp939"),
    ("ibm-1390", "cp1390"), ("IBM1399", "cp1399"), ("EBCDIC-JP-kana", "cp290"), ("ibm-290", "cp290"),
    ("Shift_JIS", "cp932"), ("SJIS", "cp932"), ("windows-31j", "cp932"), ("UTF8", "utf-8"),
    ("US-ASCII", "ascii"), ("IBM037", "cp037"), ("IBM-1047", "cp1047"), ("cp273", "cp273"),
    ("ibm500", "cp500"), ("IBM-1140", "cp1140"), ("930", "cp930"), ("37", "cp037"),
])
def test_names_and_aliases(alias, name):
    assert get_codepage(alias).name == name
    assert get_codepage(alias) is get_codepage(name)


def test_unknown_page_is_a_user_error_listing_the_pages():
    with pytest.raises(CodePageError) as e:
        get_codepage("ebcdic-klingon")
    assert isinstance(e.value, DensanError)
    assert "ebcdic-klingon" in str(e.value) and "cp930" in str(e.value)


def test_available_codepages_lists_the_builtins():
    names = available_codepages()
    for n in ["ascii", "utf-8", "cp932", "cp037", "cp1047", "cp273", "cp500", "cp1140", "cp290",
              "cp930", "cp939", "cp1390", "cp1399"]:
        assert n in names


# A made-up Fujitsu-JEF-like table: EBCDIC single bytes from cp290, kanji as JIS + X'8080'
# between kanji-in X'28' (or X'38') and kanji-out X'29'.
JEF_LIKE = """\
# test table, not a real JEF table
name: jef-test
aliases: jef-sample, fujitsu-jef-test
ebcdic: yes
base: cp290
shift-out: 28 38     # kanji-in
shift-in: 29         # kanji-out
dbcs-space: A1A1
B4C1 U+6F22          # 漢
BBFA U+5B57          # 字
B0A1 U+4E9C          # 亜
C8A1 U+6F22          # a second code for 漢: decodes, but 漢 encodes as B4C1 (listed first)
A4AB U+304B          # か
A4F7 U+304B U+309A   # か + handakuten
"""


@pytest.fixture
def jef(tmp_path) -> CodePage:
    p = tmp_path / "jef-test.cpt"
    p.write_text(JEF_LIKE, encoding="utf-8")
    return load_codepage_table(p)


def test_site_table_decodes_and_encodes_with_its_shift_bytes(jef):
    assert (jef.kind, jef.is_ebcdic, jef.space, jef.digit_zero, jef.dbcs_space) == ("mixed", True, 0x40, 0xF0, 0xA1A1)
    assert jef.decode(bytes.fromhex("c128b4c1bbfa29c2")) == "A漢字B"
    assert jef.decode(bytes.fromhex("38b4c1c8a129")) == "漢漢"       # the second kanji-in byte
    assert jef.encode("A漢字B") == bytes.fromhex("c128b4c1bbfa29c2")
    assert jef.encode("ｱ") == get_codepage("cp290").encode("ｱ")      # single bytes from the base page
    assert jef.encode("か\u309a") == bytes.fromhex("28a4f729")
    raw, overflow, unmappable = jef.encode_dbcs_column(pa.array(["亜", "字漢", "€"]), 4)
    assert raw.tobytes() == bytes.fromhex("b0a1a1a1" "bbfab4c1" "a1a1a1a1")
    assert unmappable.tolist() == [False, False, True] and not overflow.any()
    text, bad = jef.decode_dbcs_column(raw[:2])
    assert text.to_pylist() == ["亜", "字漢"] and not bad.any()
    block = np.frombuffer(bytes.fromhex("28b4c1ffff29"), np.uint8).reshape(1, -1)
    text, bad = jef.decode_column(block)
    assert text.to_pylist() == ["漢\ufffd"] and bad[0]


def test_register_makes_a_site_table_usable_by_name_and_alias(jef):
    register_codepage("jef-test", jef)
    assert get_codepage("JEF-TEST") is jef
    assert get_codepage("fujitsu_jef_test") is jef
    assert "jef-test" in available_codepages()


def test_tables_in_densan_codepages_directories_register_on_lookup(tmp_path, monkeypatch):
    d = tmp_path / "pages"
    d.mkdir()
    (d / "keis.cpt").write_text(JEF_LIKE.replace("jef-sample, fujitsu-jef-test", "keis-alias-test")
                                .replace("jef-test", "keis-env-test"), encoding="utf-8")
    monkeypatch.setenv("DENSAN_CODEPAGES", str(d))
    cp = get_codepage("keis-alias-test")
    assert cp.name == "keis-env-test" and cp.decode(bytes.fromhex("28bbfa29")) == "字"


def test_lead_byte_site_table_without_shift_bytes(tmp_path):
    p = tmp_path / "jips.cpt"
    p.write_text("name: lead-test\nebcdic: no\n20 U+0020\n41 U+0041\n30 U+0030\nB4C1 U+6F22\nA1A1 U+3000\n",
                 encoding="utf-8")
    cp = load_codepage_table(p)
    assert cp.kind == "multibyte" and cp.dbcs_space == 0xA1A1
    assert cp.decode(bytes.fromhex("41b4c141")) == "A漢A"
    assert cp.encode("漢A") == bytes.fromhex("b4c141")


@pytest.mark.parametrize("text, message", [
    ("ebcdic: yes\n40 U+0020\n", "no 'name:'"),
    ("name: x\n40 U+0020\nC1 A\n", ":3: cannot read"),
    ("name: x\ncolour: blue\n", "unknown header key"),
    ("name: x\nshift-out: 0E\n40 U+0020\n", "shift-out and shift-in"),
    ("name: x\nC1 U+0041\n", "no space"),
    ("name: x\n40 U+D800\n", "not a Unicode scalar"),
])
def test_malformed_site_tables_say_where(tmp_path, text, message):
    p = tmp_path / "bad.cpt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CodePageError, match=message):
        load_codepage_table(p)


def test_missing_site_table_is_a_user_error(tmp_path):
    with pytest.raises(CodePageError, match="cannot read"):
        load_codepage_table(tmp_path / "nope.cpt")


def test_a_bad_table_in_densan_codepages_is_reported_on_every_lookup(tmp_path, monkeypatch):
    d = tmp_path / "pages"
    d.mkdir()
    (d / "broken.cpt").write_text("name: broken-test\n40 U+0020\nZZ U+0041\n", encoding="utf-8")
    monkeypatch.setenv("DENSAN_CODEPAGES", str(d))
    for _ in range(2):
        with pytest.raises(CodePageError, match="broken.cpt:3"):
            get_codepage("cp037")
    monkeypatch.setenv("DENSAN_CODEPAGES", str(tmp_path / "missing"))
    with pytest.raises(CodePageError, match="not a directory"):
        get_codepage("cp037")
    monkeypatch.delenv("DENSAN_CODEPAGES")
    assert get_codepage("cp037").name == "cp037"
