"""Builders of light-vehicle (KEIJIMST) and resident-tax (JUMINMST) master records."""
from __future__ import annotations


def _n(v, w):
    return v if isinstance(v, bytes) else f"{v:0{w}d}".encode()


def vehicle(owner, no="HMM-A-0001", cls=12, *, reg=0, shutoku=20200101, haisha=0, genmen=b"0", nenryo=b"0",
            name="YAMADA TARO", shozai=101001) -> bytes:
    rec = (_n(owner, 10) + no.encode().ljust(10) + name.encode().ljust(30) + _n(cls, 2) + _n(reg, 6)
           + _n(shutoku, 8) + _n(haisha, 8) + genmen + nenryo + _n(shozai, 6) + b" " * 18)
    assert len(rec) == 100
    return rec


def taxpayer(owner, *, income=0, kojo=0, credit=0, fuyo=0, choshu=b"1", hikazei=b"0",
             name="SUZUKI HANAKO", jusho=101001) -> bytes:
    rec = (_n(owner, 10) + name.encode().ljust(30) + _n(income, 11) + _n(kojo, 11) + _n(credit, 9)
           + _n(fuyo, 2) + choshu + hikazei + _n(jusho, 6) + b" " * 19)
    assert len(rec) == 100
    return rec


def noki(*dates: str) -> bytes:
    return b"".join(f"{i:02d}{d}".encode() + b" " * 10 for i, d in enumerate(dates, 1))


def items(chotei: bytes) -> list[tuple[bytes, bytes, bytes, int]]:
    """(notice number, 期別, payer, amount) of each SHUNOMST record."""
    return [(chotei[i + 6:i + 16], chotei[i + 16:i + 18], chotei[i + 18:i + 28],
             int(chotei[i + 36:i + 42].hex()[:-1])) for i in range(0, len(chotei), 100)]
