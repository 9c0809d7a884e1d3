"""PICTURE strings: category, display length, digits, scale and sign.

Rules implemented (IBM Enterprise COBOL, DECIMAL-POINT IS PERIOD):
- `X(5)` repeats a symbol; `CR`/`DB` take two positions; `S`, `V` and `P`
  take none (S takes one only with SIGN SEPARATE, which the parser adds).
- numeric: `9 S V P` only. `P` scales: left of the digits (`PPP99`, `VPP9`)
  the value is smaller (scale = digits + P count); right (`99PPP`) it is
  larger (scale = -P count).
- numeric-edited: 9 with any of `Z * + - CR DB , . B 0 / $`. A floating
  string (`+++9`, `$$$9`, `---`) holds one digit less than its length; a single
  `+`/`-`/`$` is an insertion character. Scale counts digit positions after `.`
  (or V). `S` is tolerated in an edited picture (a Cobrix habit: `S9(3).99`)
  and takes no position.
- alphanumeric `X` (with `A`/`9`), alphabetic `A`, alphanumeric-edited (`X`/`A`
  with `B 0 /`), national `N`, DBCS `G` (with `B`).
"""
from __future__ import annotations

import re

from engine.copybook.model import Category, Picture
from engine.errors import CopybookError

_REPEAT = re.compile(r"(CR|DB|.)\((\d+)\)", re.IGNORECASE)
_VALID = set("XA9SVPNGZ*+-,.B0/$E")
_EDIT_ONLY = set("Z*+-,.B0/$") | {"CR", "DB"}


# The largest item densan lays out: its record limit (a job's LRECL is at most 1 MiB too;
# the host's is 32,760). Checked before a repetition is expanded, so a PICTURE such as
# X(2147483647) is refused at once instead of building a string of that size.
MAX_POSITIONS = 1 << 20


class PictureTooLong(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def expand(source: str) -> str:
    """`S9(3)V9(2)` -> `S999V99` (upper case)."""
    text = source.upper()
    out, pos, total = [], 0, 0
    for m in _REPEAT.finditer(text):
        out.append(text[pos:m.start()])
        count = int(m.group(2))
        if count == 0:
            raise ValueError(f"repetition count 0 in {source!r}")
        total += m.start() - pos + count
        if total > MAX_POSITIONS:
            raise PictureTooLong(f"{m.group(1)}({m.group(2)}) makes the item longer than densan's limit of "
                                 f"{MAX_POSITIONS:,} positions (a record's limit; the host's LRECL is at most "
                                 f"32,760)", m.start(2))
        out.append(m.group(1) * count)
        pos = m.end()
    out.append(text[pos:])
    result = "".join(out)
    if "(" in result or ")" in result:
        raise ValueError(f"unbalanced parentheses in {source!r}")
    return result


_SYMBOL = re.compile(r"CR|DB|.", re.DOTALL)


def _symbols(expanded: str) -> list[str]:
    """Split into symbols, keeping CR and DB as one."""
    return _SYMBOL.findall(expanded)


def picture_positions(source: str) -> int:
    """The length of a PICTURE once expanded, counted without expanding it."""
    text = source.upper()
    return len(_REPEAT.sub("", text)) + sum(int(m.group(2)) for m in _REPEAT.finditer(text))


def parse_picture(source: str, *, file: str | None = None, line: int | None = None,
                  column: int | None = None) -> Picture:
    """Analyse a PICTURE character string; CopybookError when it is not one."""
    where = {"file": file, "line": line, "column": column}
    try:
        expanded = expand(source)
    except PictureTooLong as exc:
        if column is not None:
            where["column"] = column + exc.offset
        raise CopybookError(f"PICTURE {source[:40]!r}: {exc}", **where,
                            hint="describe the data in items of a realistic size") from None
    except ValueError as exc:
        raise CopybookError(f"invalid PICTURE string {source!r}: {exc}", **where,
                            hint="write repetitions as 9(5), X(10)") from None
    if not expanded:
        raise CopybookError("empty PICTURE string", **where)
    symbols = _symbols(expanded)
    bad = [s for s in symbols if s not in _VALID and s not in ("CR", "DB")]
    if bad:
        if column is not None:
            where["column"] = column + source.upper().index(bad[0])
        raise CopybookError(f"invalid character {bad[0]!r} in PICTURE string {source!r}", **where,
                            hint="a PICTURE holds X A 9 S V P N G Z * + - CR DB , . B 0 / $")
    kinds = set(symbols)

    def fail(why: str) -> CopybookError:
        return CopybookError(f"invalid PICTURE string {source!r}: {why}", **where)

    if kinds & {"N"}:
        if kinds - set("NB0/"):
            raise fail("N cannot be mixed with other symbols")
        return Picture(source, expanded, Category.NATIONAL, len(symbols))
    if kinds & {"G"}:
        if kinds - set("GB"):
            raise fail("G cannot be mixed with other symbols")
        return Picture(source, expanded, Category.DBCS, len(symbols))
    if kinds & {"X", "A"}:
        if kinds - set("XA9B0/"):
            raise fail("X and A may be combined only with 9 and the insertion characters B 0 /")
        if kinds & set("B0/"):
            category = Category.ALPHANUMERIC_EDITED
        elif kinds == {"A"}:
            category = Category.ALPHABETIC
        else:
            category = Category.ALPHANUMERIC
        return Picture(source, expanded, category, len(symbols))
    if not kinds & (_EDIT_ONLY | {"E"}):
        return _numeric(source, expanded, symbols, fail)
    return _edited(source, expanded, symbols, fail)


def _numeric(source: str, expanded: str, symbols: list[str], fail) -> Picture:
    signed = False
    if symbols.count("S") > 1 or ("S" in symbols and symbols[0] != "S"):
        raise fail("S must be written once, first")
    if symbols and symbols[0] == "S":
        signed = True
        symbols = symbols[1:]
    if symbols.count("V") > 1:
        raise fail("V may appear only once")
    body = "".join(symbols)
    digits = body.count("9")
    if digits == 0:
        raise fail("a numeric PICTURE needs at least one 9")
    if not re.fullmatch(r"V?P+9+|9+P+V?|9*V?9*", body):
        raise fail("P must be contiguous at the left or the right of the 9s")
    p_count = body.count("P")
    if p_count and body.lstrip("V").startswith("P"):
        scale = p_count + digits                        # PPP99 / VPP99: .000dd
    elif p_count:
        scale = -p_count                                # 99PPP: dd000
    else:
        scale = len(body) - body.index("V") - 1 if "V" in body else 0
    return Picture(source, expanded, Category.NUMERIC, digits, digits=digits, scale=scale,
                   signed=signed)


def _edited(source: str, expanded: str, symbols: list[str], fail) -> Picture:
    if symbols.count(".") + symbols.count("V") > 1:
        raise fail("only one decimal point (. or V) is allowed")
    length = sum(2 if s in ("CR", "DB") else 0 if s in ("V", "S", "P") else 1 for s in symbols)
    # floating insertion: a +, - or $ that appears more than once
    floating = {s for s in "+-$" if symbols.count(s) > 1}
    digits = 0
    scale = 0
    seen_float: set[str] = set()
    after_point = False
    for s in symbols:
        holds_digit = False
        if s in ("9", "Z", "*"):
            holds_digit = True
        elif s in floating:
            if s in seen_float:
                holds_digit = True
            seen_float.add(s)
        elif s in (".", "V"):
            after_point = True
        if holds_digit:
            digits += 1
            if after_point:
                scale += 1
    if digits == 0 and "E" not in symbols:
        raise fail("an edited numeric PICTURE needs digit positions (9, Z, * or a floating string)")
    signed = bool(set(symbols) & {"+", "-", "CR", "DB", "S"})
    return Picture(source, expanded, Category.NUMERIC_EDITED, length, digits=digits, scale=scale,
                   signed=signed)
