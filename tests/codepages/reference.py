"""Reference converters the tests compare against: glibc iconv and Python's codecs."""
from __future__ import annotations

from functools import lru_cache

import pytest

from engine.codepages.iconv import Converter, available

# page -> ("python", codec) or ("iconv", charset)
REFERENCE = {
    "ascii": ("python", "ascii"),
    "utf-8": ("python", "utf-8"),
    "cp932": ("python", "cp932"),
    "cp037": ("python", "cp037"),
    "cp273": ("python", "cp273"),
    "cp500": ("python", "cp500"),
    "cp1140": ("python", "cp1140"),
    "cp1047": ("iconv", "IBM1047"),
    # EBCDIK: the `ebcdic` package (IBM's CCSID 290 table). glibc's IBM290 decodes the katakana
    # to full-width forms, unlike its own IBM930; test_cp290_is_the_single_byte_part_of_ibm930
    # checks cp290 against glibc IBM930 as well.
    "cp290": ("python", "cp290"),
    "cp930": ("iconv", "IBM930"),
    "cp939": ("iconv", "IBM939"),
    "cp1390": ("iconv", "IBM1390"),
    "cp1399": ("iconv", "IBM1399"),
}
PAGES = list(REFERENCE)
MIXED = ["cp930", "cp939", "cp1390", "cp1399"]
SBCS = ["ascii", "cp037", "cp273", "cp500", "cp1140", "cp1047", "cp290"]


@lru_cache(maxsize=None)
def _converters(page: str):
    kind, name = REFERENCE[page]
    if kind == "iconv":
        if not available(name):
            pytest.skip(f"glibc iconv has no {name} here (libc6 gconv modules missing)")
        return Converter(name, "UTF-8"), Converter("UTF-8", name)
    return None


def ref_decode(page: str, data: bytes) -> str | None:
    """The reference's text for `data`, or None where it rejects the bytes."""
    kind, name = REFERENCE[page]
    if kind == "python":
        _need(page)
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            return None
        return None if page == "cp290" and "\ufffd" in text else text   # `ebcdic`'s undefined bytes
    r = _converters(page)[0](data)
    return None if r is None else r.decode("utf-8")


def ref_encode(page: str, text: str) -> bytes | None:
    """The reference's bytes for `text`, or None where it cannot encode it."""
    kind, name = REFERENCE[page]
    if kind == "python":
        _need(page)
        if page == "cp290" and "\ufffd" in text:
            return None
        try:
            return text.encode(name)
        except UnicodeEncodeError:
            return None
    return _converters(page)[1](text.encode("utf-8"))


def _need(page: str) -> None:
    if page == "cp290":
        pytest.importorskip("ebcdic", reason="the cp290 reference is the `ebcdic` package")
