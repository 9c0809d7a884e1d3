"""The data's code page as a migrated legacy program sees it (SHUNO01, SUIDO01): whether
it is EBCDIC, its digit zone and space, and the program's literals in it. The field codecs
know much more of a page; this is what the programs' byte-level rules need."""
from __future__ import annotations

from dataclasses import dataclass

_EBCDIC_NAMES = {"cp037", "cp1047", "cp273", "cp500", "cp1140", "cp290", "cp930", "cp939",
                 "cp1390", "cp1399", "ebcdic"}


@dataclass(frozen=True)
class Charset:
    """What a legacy program needs to know of its data's code page: the zone of an
    unsigned digit, the space, and its literals (reason codes, flags) in that page."""
    name: str
    ebcdic: bool

    @property
    def zone(self) -> int:          # zone of an unsigned digit
        return 0xF0 if self.ebcdic else 0x30

    @property
    def space(self) -> int:
        return 0x40 if self.ebcdic else 0x20

    def text(self, s: str) -> bytes:
        """Program literals (reason codes, '9', '1' ...) in the data's code page."""
        if not self.ebcdic:
            return s.encode("ascii")
        cp = _codepage(self.name)
        if cp is not None:
            return cp.encode(s)
        return s.encode("cp037" if self.ebcdic else "ascii")

    def show(self, b: bytes) -> str:
        """Data bytes as report text: ASCII bytes as they are, EBCDIC through the page."""
        if not self.ebcdic:
            return b.decode("latin-1")
        cp = _codepage(self.name)
        if cp is not None:
            return cp.decode(b)
        return b.decode("cp037")


def _codepage(name: str):
    try:
        from engine.codepages import get_codepage
    except ImportError:
        return None
    try:
        return get_codepage(name)
    except Exception:  # noqa: BLE001 — the page module may not know a name yet
        return None


def charset_for(encoding: str | None) -> Charset:
    name = (encoding or "ascii").lower()
    if name in ("ascii", "us-ascii", "latin-1", "iso-8859-1"):
        return Charset(name, False)            # no code page module needed
    cp = _codepage(name)
    if cp is not None:
        return Charset(name, bool(cp.is_ebcdic))
    key = name.replace("-", "").replace("_", "").replace("ibm", "cp")
    return Charset(name, key in _EBCDIC_NAMES)
