"""Level-88 condition names as Polars boolean expressions on decoded columns.

`condition_expr(layout, "SH-JOTAI-PAID")` is true where the field the 88 level
belongs to holds one of the condition's values or lies in one of its THRU
ranges. Text fields are compared without their trailing spaces (as the codec
decodes them), numeric fields by value. Figurative constants become the text a
field full of them decodes to (SPACES -> '', ZEROS -> '000…', QUOTES, ALL 'x');
HIGH-VALUES matches a field of 0xFF bytes as the code pages decode it (U+00FF,
U+009F or U+FFFD), LOW-VALUES a field of U+0000. THRU ranges of text compare in
Unicode order, which matches the EBCDIC collating sequence for digits and for
letters of one case only. A field inside an OCCURS table is a List column: the
expression then gives a list of booleans, one per occurrence.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import polars as pl

from engine.copybook.model import Category, Condition, Field, Figurative, Layout, Usage
from engine.errors import CopybookError

_HIGH = "[\u00ff\u009f\ufffd]"


def find_condition(layout: Layout, name: str) -> tuple[Field, Condition]:
    wanted = name.upper()
    for f in layout.fields():
        for c in f.conditions:
            if c.name.upper() == wanted:
                return f, c
    raise CopybookError(f"no level-88 condition {name} in copybook {layout.name}",
                        hint="use a condition name defined at level 88 under a data item")


def _in_table(f: Field) -> bool:
    node = f
    while node is not None:
        if node.occurs:
            return True
        node = node.parent
    return False


def _is_text(f: Field) -> bool:
    if f.usage in (Usage.BINARY, Usage.COMP5, Usage.PACKED, Usage.FLOAT4, Usage.FLOAT8, Usage.INDEX):
        return False
    return f.picture is None or f.picture.category != Category.NUMERIC


def condition_expr(layout: Layout, name: str) -> pl.Expr:
    """The level-88 condition `name` as a boolean expression on the decoded column
    of its field (named as in the copybook). See the module docstring."""
    f, cond = find_condition(layout, name)
    if f.children:
        raise CopybookError(f"condition {cond.name} belongs to group {f.name}, which has no column "
                            "of its own", hint="test the elementary items of the group instead")
    if f.is_filler:
        raise CopybookError(f"condition {cond.name} belongs to a FILLER, which has no column",
                            hint="give the item a name in the copybook")
    if _in_table(f):
        return pl.col(f.name).list.eval(_condition(f, cond, pl.element()))
    return _condition(f, cond, pl.col(f.name)).alias(cond.name)


def _condition(f: Field, cond: Condition, col: pl.Expr) -> pl.Expr:
    parts: list[pl.Expr] = []
    if _is_text(f):
        text = col.str.strip_chars_end(" \u3000")
        for v in cond.values:
            parts.append(_text_equals(f, cond, text, v))
        for low, high in cond.ranges:
            parts.append((text >= _text_value(f, cond, low)) & (text <= _text_value(f, cond, high)))
    else:
        for v in cond.values:
            parts.append(col == _number_value(f, cond, v))
        for low, high in cond.ranges:
            parts.append(col.is_between(_number_value(f, cond, low), _number_value(f, cond, high)))
    if not parts:
        return pl.lit(False)
    result = parts[0]
    for p in parts[1:]:
        result = result | p
    return result


def _length(f: Field) -> int:
    return f.picture.length if f.picture is not None else f.size


def _text_equals(f: Field, cond: Condition, text: pl.Expr, v) -> pl.Expr:
    if isinstance(v, Figurative) and v.name == "HIGH-VALUES":
        return text.str.contains(f"^{_HIGH}+$")
    return text == _text_value(f, cond, v)


def _text_value(f: Field, cond: Condition, v) -> pl.Expr:
    n = _length(f)
    if isinstance(v, Figurative):
        if v.name == "SPACES":
            s = ""
        elif v.name == "ZEROS":
            s = "0" * n
        elif v.name == "QUOTES":
            s = '"' * n
        elif v.name == "LOW-VALUES":
            s = "\x00" * n
        elif v.name == "HIGH-VALUES":
            s = "\u00ff" * n
        elif v.name.startswith("ALL:"):
            unit = v.name[4:] or " "
            s = (unit * (n // len(unit) + 1))[:n]
        else:
            raise CopybookError(f"condition {cond.name}: figurative {v.name} is not supported")
    elif isinstance(v, bytes):
        s = v.decode("latin-1")
    elif isinstance(v, Decimal):
        s = format(v, "f")
    else:
        s = str(v)
    return pl.lit(s.rstrip(" \u3000"))


def _number_value(f: Field, cond: Condition, v):
    if isinstance(v, Figurative):
        if v.name == "ZEROS":
            v = Decimal(0)
        else:
            raise CopybookError(f"condition {cond.name}: {v.name} cannot be tested on the decoded "
                                f"numeric field {f.name}",
                                hint="test the raw record bytes, or give the condition numeric values")
    elif isinstance(v, str):
        try:
            v = Decimal(v.strip())
        except InvalidOperation:
            raise CopybookError(f"condition {cond.name}: value {v!r} is not a number, but "
                                f"{f.name} is numeric") from None
    if isinstance(v, bytes):
        raise CopybookError(f"condition {cond.name}: a hexadecimal value cannot be tested on the "
                            f"decoded numeric field {f.name}")
    if f.usage in (Usage.FLOAT4, Usage.FLOAT8):
        return pl.lit(float(v))
    if v == v.to_integral_value():
        return pl.lit(int(v))
    return pl.lit(v)
