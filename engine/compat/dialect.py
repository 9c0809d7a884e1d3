"""Compiler dialects: how a compiler stores the same PICTURE/USAGE in bytes.

IBM Enterprise COBOL (the host) and GnuCOBOL (the legacy files in ../shared/legacy,
written on x86) differ in binary sizes, COMP-5 byte order, the sign of zoned
numbers and the float format. A dataset is read with one dialect; the default is
IBM for EBCDIC data and GnuCOBOL for ASCII data.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

ZonedSign = Literal["ebcdic", "ascii-overpunch", "gnucobol"]


@dataclass(frozen=True)
class Dialect:
    name: str
    # bytes of a COMP/BINARY field by digit count: IBM 1-4 -> 2, 5-9 -> 4, 10-18 -> 8;
    # GnuCOBOL (binary-size 1-2-4-8) 1-2 -> 1, 3-4 -> 2, 5-9 -> 4, 10-18 -> 8
    binary_sizes: Literal["ibm", "gnucobol"]
    comp5_byteorder: Literal["big", "little"]
    # sign of a zoned (DISPLAY) number in the last (or first, SIGN LEADING) byte:
    #   ebcdic          zone C (+) / D (-) / F (unsigned), digits F0-F9
    #   ascii-overpunch '{' 'A'-'I' (+0..+9), '}' 'J'-'R' (-0..-9)
    #   gnucobol        '0'-'9' (+), 0x70+digit 'p'-'y' (-)   (also Micro Focus)
    # None: by code page (ebcdic for EBCDIC pages, ascii-overpunch otherwise)
    zoned_sign: ZonedSign | None
    float_format: Literal["ibm", "ieee"]
    float_byteorder: Literal["big", "little"]

    def binary_size(self, digits: int) -> int:
        if self.binary_sizes == "gnucobol" and digits <= 2:
            return 1
        if digits <= 4:
            return 2
        if digits <= 9:
            return 4
        if digits <= 18:
            return 8
        return 16

    def sign_convention(self, is_ebcdic: bool) -> ZonedSign:
        if self.zoned_sign is not None:
            return self.zoned_sign
        return "ebcdic" if is_ebcdic else "ascii-overpunch"

    def with_options(self, **changes) -> "Dialect":
        return replace(self, **changes)


IBM = Dialect("ibm", binary_sizes="ibm", comp5_byteorder="big", zoned_sign=None,
              float_format="ibm", float_byteorder="big")
GNUCOBOL = Dialect("gnucobol", binary_sizes="gnucobol", comp5_byteorder="little",
                   zoned_sign="gnucobol", float_format="ieee", float_byteorder="little")

DIALECTS = {"ibm": IBM, "gnucobol": GNUCOBOL}


def get_dialect(name: "str | Dialect | None", *, is_ebcdic: bool = True) -> Dialect:
    """A dialect by name; None gives the default for the data's character set."""
    if isinstance(name, Dialect):
        return name
    if name is None:
        return IBM if is_ebcdic else GNUCOBOL
    try:
        return DIALECTS[name.lower()]
    except KeyError:
        from engine.errors import DensanError
        raise DensanError(f"unknown dialect {name!r}",
                          hint=f"use one of: {', '.join(sorted(DIALECTS))}") from None
