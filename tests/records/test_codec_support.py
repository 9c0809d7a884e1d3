"""Hand-built layouts for the codec tests (independent of the copybook parser),
and the SHUNOMST layout written out field by field from its copybook."""
from __future__ import annotations

import re

from engine.copybook.model import Category, Field, Layout, Picture, Usage
from engine.compat.dialect import GNUCOBOL, Dialect


def pic(source: str) -> Picture:
    """Analyse a simple PICTURE: S 9 V P X A N G with (n) repeats."""
    exp = re.sub(r"(.)\((\d+)\)", lambda m: m.group(1) * int(m.group(2)), source.upper())
    if set(exp) <= set("X"):
        return Picture(source, exp, Category.ALPHANUMERIC, len(exp))
    if set(exp) <= set("A"):
        return Picture(source, exp, Category.ALPHABETIC, len(exp))
    if set(exp) <= set("N"):
        return Picture(source, exp, Category.NATIONAL, len(exp))
    if set(exp) <= set("G"):
        return Picture(source, exp, Category.DBCS, len(exp))
    body = exp.lstrip("S")
    signed = exp.startswith("S")
    digits = body.count("9")
    if "V" in body:
        left, right = body.split("V")
    else:
        left, right = body, ""
    scale = right.count("9") + right.count("P")
    if not right and left.endswith("P"):
        scale = -(len(left) - len(left.rstrip("P")))
    elif left.startswith("P"):
        scale = digits + (len(left) - len(left.lstrip("P")))
    return Picture(source, exp, Category.NUMERIC, digits + exp.count("P") * 0, digits, scale, signed)


def fld(name: str, picture: str | None, usage: Usage = Usage.DISPLAY, *, dialect: Dialect = GNUCOBOL,
        size: int | None = None, **kw) -> Field:
    p = pic(picture) if picture else None
    if size is None:
        if usage in (Usage.FLOAT4, Usage.FLOAT8):
            size = 4 if usage == Usage.FLOAT4 else 8
        elif usage == Usage.PACKED:
            size = p.digits // 2 + 1
        elif usage in (Usage.BINARY, Usage.COMP5):
            size = dialect.binary_size(p.digits)
        elif usage == Usage.NATIONAL or (p and p.category in (Category.NATIONAL, Category.DBCS)):
            size = 2 * p.length
        elif p.category == Category.NUMERIC:
            size = p.digits + (1 if kw.get("sign_separate") else 0)
        else:
            size = p.length
    return Field(level=kw.pop("level", 5), name=name, size=size, usage=usage, picture=p, **kw)


def group(name: str, *children: Field, level: int = 5, **kw) -> Field:
    g = Field(level=level, name=name, children=list(children), **kw)
    for c in children:
        c.parent = g
    return g


def layout(name: str, *fields: Field) -> Layout:
    """A one-record layout: 01 `name` with `fields`, offsets assigned in order
    (REDEFINES items start where the item they redefine starts)."""
    root = group(name, *fields, level=1)
    _place(root, 0)
    return Layout(name=name, records=[root])


def _place(f: Field, offset: int) -> int:
    f.offset = offset
    if f.children:
        pos, where = offset, {}
        for c in f.children:
            start = where[c.redefines] if c.redefines else pos
            where[c.name] = start
            end = _place(c, start)
            if not c.redefines:
                pos = end
            else:
                pos = max(pos, end)
        f.size = pos - offset if not f.occurs else (pos - offset)
        # for an OCCURS group, children were placed for the first occurrence
        return offset + f.size * (f.occurs or 1)
    return offset + f.size * (f.occurs or 1)


def shunomst() -> Layout:
    P = Usage.PACKED
    return layout(
        "SHUNOMST-REC",
        group("SH-KEY", fld("SH-NENDO", "9(4)"), fld("SH-KAMOKU", "9(2)"),
              fld("SH-TSUCHI-NO", "9(10)"), fld("SH-KIBETSU", "9(2)")),
        fld("SH-KOJIN-NO", "9(10)"), fld("SH-NOKIGEN", "9(8)"),
        fld("SH-CHOTEI-GAKU", "S9(11)", P), fld("SH-NOFU-GAKU", "S9(11)", P),
        fld("SH-KANPU-GAKU", "S9(11)", P), fld("SH-ENTAI-GAKU", "S9(9)", P),
        fld("SH-SHUNYU-BI", "9(8)"), fld("SH-TOKUSOKU-BI", "9(8)"),
        fld("SH-JOTAI", "X(1)"), fld("SH-KOFURI-KBN", "X(1)"), fld("SH-KOSHIN-BI", "9(8)"),
        fld("SH-NOFU-KAISU", "9(3)", P), fld("FILLER", "X(13)"))


def nofutrn() -> Layout:
    return layout(
        "NOFUTRN-REC",
        group("NT-KEY", fld("NT-NENDO", "9(4)"), fld("NT-KAMOKU", "9(2)"),
              fld("NT-TSUCHI-NO", "9(10)"), fld("NT-KIBETSU", "9(2)")),
        fld("NT-CHANNEL", "X(1)"), fld("NT-SHUNYU-BI", "9(8)"), fld("NT-NOFU-GAKU", "S9(11)"),
        fld("NT-ENTAI-GAKU", "S9(9)"), fld("NT-RENBAN", "9(8)"), fld("FILLER", "X(5)"))


def test_shunomst_layout_is_100_bytes():
    lay = shunomst()
    assert lay.record_length == 100
    assert lay.find("SH-CHOTEI-GAKU").offset == 36
    assert lay.find("SH-NOFU-KAISU").offset == 85
    assert nofutrn().record_length == 60
