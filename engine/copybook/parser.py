"""Data description entries -> `Layout`: clauses, the level hierarchy, and the
byte offset of every item.

Layout rules (documented here because the codec and the listings rely on them):
- Sizes: DISPLAY = picture positions (+1 for SIGN SEPARATE); NATIONAL and
  DBCS (PIC N, PIC G, DISPLAY-1) = 2 bytes a character; COMP/COMP-4/BINARY and
  COMP-5 by digit count per the dialect (IBM 2/4/8, GnuCOBOL 1/2/4/8); COMP-3 =
  digits // 2 + 1; COMP-1 = 4; COMP-2 = 8; INDEX = 4; POINTER = 4 (IBM, 31-bit)
  or 8 (GnuCOBOL, 64-bit).
- OCCURS DEPENDING ON: sized at the maximum; items after the table follow it.
- REDEFINES: starts where the redefined item starts; the space taken by the
  redefined item and all its redefinitions is the largest of them (a larger
  redefinition is accepted and makes the group, or the record, grow).
- Several 01 (or 77) levels describe the same record area: `Layout.records`.
  A copybook whose first item is not an 01 (a fragment starting at 05, say)
  gets an implicit 01 named after the member.
- SYNCHRONIZED (IBM rule): an elementary binary, COMP-5, COMP-1, COMP-2,
  INDEX or POINTER item is aligned to its natural boundary (its size: 2, 4 or
  8; 8 for larger) counted from the start of the 01; slack bytes go before the
  item and belong to the enclosing group. A table of groups holding such items
  is padded to a whole number of its largest boundary per occurrence. SYNC on
  a group applies to the items in it; on other items it is accepted and does
  nothing.
- USAGE, SIGN and SYNC on a group apply to the items below it that do not say
  otherwise. `COMP-0` is taken as COMP (as several compilers and Cobrix do).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Iterable

from engine.copybook.model import (Category, Condition, Field, Figurative, Layout, Renames,
                                   SourceLocation, Usage)
from engine.copybook.picture import MAX_POSITIONS, parse_picture, picture_positions
from engine.copybook.source import CopyExpander, Token, detect_format, find_member, read_text
from engine.compat.dialect import IBM, Dialect, get_dialect
from engine.errors import CopybookError

USAGES = {
    "DISPLAY": Usage.DISPLAY,
    "DISPLAY-1": Usage.DBCS,
    "NATIONAL": Usage.NATIONAL,
    "BINARY": Usage.BINARY,
    "COMP": Usage.BINARY, "COMPUTATIONAL": Usage.BINARY,
    "COMP-0": Usage.BINARY, "COMPUTATIONAL-0": Usage.BINARY,
    "COMP-4": Usage.BINARY, "COMPUTATIONAL-4": Usage.BINARY,
    "COMP-5": Usage.COMP5, "COMPUTATIONAL-5": Usage.COMP5,
    "COMP-3": Usage.PACKED, "COMPUTATIONAL-3": Usage.PACKED, "PACKED-DECIMAL": Usage.PACKED,
    "COMP-1": Usage.FLOAT4, "COMPUTATIONAL-1": Usage.FLOAT4,
    "COMP-2": Usage.FLOAT8, "COMPUTATIONAL-2": Usage.FLOAT8,
    "INDEX": Usage.INDEX,
    "POINTER": Usage.POINTER, "PROCEDURE-POINTER": Usage.POINTER,
    "FUNCTION-POINTER": Usage.POINTER,
}
COBRIX_USAGES = {"COMP-9", "COMPUTATIONAL-9", "COMP-3U", "COMPUTATIONAL-3U"}
FIGURATIVES = {
    "SPACE": "SPACES", "SPACES": "SPACES",
    "ZERO": "ZEROS", "ZEROS": "ZEROS", "ZEROES": "ZEROS",
    "HIGH-VALUE": "HIGH-VALUES", "HIGH-VALUES": "HIGH-VALUES",
    "LOW-VALUE": "LOW-VALUES", "LOW-VALUES": "LOW-VALUES",
    "QUOTE": "QUOTES", "QUOTES": "QUOTES",
    "NULL": "LOW-VALUES", "NULLS": "LOW-VALUES",
}
CLAUSE_WORDS = {
    "PIC", "PICTURE", "USAGE", "VALUE", "VALUES", "REDEFINES", "OCCURS", "SIGN", "LEADING",
    "TRAILING", "JUST", "JUSTIFIED", "BLANK", "SYNC", "SYNCHRONIZED", "EXTERNAL", "GLOBAL",
    "RENAMES", "IS", "GROUP-USAGE", *USAGES, *COBRIX_USAGES,
}
_STOP_WORDS = CLAUSE_WORDS | {"ASCENDING", "DESCENDING", "INDEXED", "DEPENDING", "TIMES", "KEY",
                              "BY", "ON", "TO", "THRU", "THROUGH", "WHEN"}
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)$")
_USAGE_LIKE = re.compile(r"(COMP|COMPUTATIONAL)(-\w+)?$|[A-Z]+-(DECIMAL|POINTER)$", re.IGNORECASE)
ALIGNED_USAGES = (Usage.BINARY, Usage.COMP5, Usage.FLOAT4, Usage.FLOAT8, Usage.INDEX, Usage.POINTER)


@dataclass
class _Entry:
    """One data description entry as written (before the hierarchy is built)."""
    level: int
    level_tok: Token
    name: str = "FILLER"
    picture_tok: Token | None = None
    usage: Usage | None = None
    usage_tok: Token | None = None
    occurs: int | None = None
    occurs_min: int | None = None
    depending_tok: Token | None = None
    redefines_tok: Token | None = None
    sign: tuple[bool, bool] | None = None  # (leading, separate)
    justified: bool = False
    blank_when_zero: bool = False
    sync: bool = False
    value: object = None
    values: list = dc_field(default_factory=list)
    ranges: list = dc_field(default_factory=list)
    renames: tuple[Token, Token | None] | None = None

    @property
    def loc(self) -> SourceLocation:
        t = self.level_tok
        return SourceLocation(t.file, t.line, t.column)


class _Parser:
    def __init__(self, tokens: list[Token], end: Token):
        self.tokens = tokens
        self.i = 0
        self.end = end  # a stand-in for "end of text" in messages

    # token helpers
    def peek(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self, expected: str) -> Token:
        tok = self.peek()
        if tok is None:
            raise self.last().error(f"expected {expected}, found the end of the copybook")
        self.i += 1
        return tok

    def last(self) -> Token:
        return self.tokens[self.i - 1] if self.i else self.end

    def word_is(self, *words: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok is not None and tok.kind == "word" and tok.upper in words

    def optional(self, *words: str) -> bool:
        if self.word_is(*words):
            self.i += 1
            return True
        return False

    # entries
    def entries(self) -> list[_Entry]:
        out = []
        while self.peek() is not None:
            tok = self.peek()
            if tok.kind == "period":  # a stray period
                self.i += 1
                continue
            out.append(self.entry())
        return out

    def entry(self) -> _Entry:
        tok = self.next("a level number")
        if tok.kind != "word" or not tok.value.isdigit():
            raise tok.error(f"expected a level number (01-49, 66, 77 or 88), found {tok}",
                            hint="each data description entry starts with its level number")
        level = int(tok.value)
        if not (1 <= level <= 49 or level in (66, 77, 88)) or len(tok.value) > 2:
            raise tok.error(f"level number {tok.value} out of range: use 01-49, 66, 77 or 88")
        entry = _Entry(level, tok)
        name_tok = self.peek()
        if name_tok is not None and name_tok.kind == "word" and name_tok.upper not in CLAUSE_WORDS \
                and not name_tok.value.isdigit():
            self.i += 1
            entry.name = name_tok.value.upper()
            # letters, digits, hyphens (and underscores, and DBCS/Japanese names, as
            # compilers accept them); not starting or ending with a hyphen
            if not re.fullmatch(r"[^\s'\"().,;:=*/+<>&]+", entry.name) \
                    or entry.name.startswith("-") or entry.name.endswith("-"):
                raise name_tok.error(f"invalid data name {name_tok.value!r}",
                                     hint="a data name is letters, digits and hyphens, "
                                          "not starting or ending with a hyphen")
        elif level in (66, 88):
            raise (name_tok or tok).error(f"a level-{level} entry needs a name")
        if level == 88:
            self.condition(entry)
        elif level == 66:
            self.renames(entry)
        else:
            while True:
                tok = self.peek()
                if tok is None:  # a missing final period is forgiven
                    break
                if tok.kind == "period":
                    self.i += 1
                    break
                self.clause(entry)
        return entry

    def end_of_entry(self, entry: _Entry) -> None:
        tok = self.peek()
        if tok is None:
            return
        if tok.kind != "period":
            raise tok.error(f"expected a period to end the entry for {entry.name}, found {tok}")
        self.i += 1

    def clause(self, e: _Entry) -> None:
        tok = self.next("a clause")
        word = tok.upper if tok.kind == "word" else None
        if word in ("PIC", "PICTURE"):
            self.optional("IS")
            pic = self.peek()
            if pic is None or pic.kind != "word" or pic.upper in CLAUSE_WORDS:
                raise (pic or tok).error(f"expected a PICTURE string after {tok.value}"
                                         + (f", found {pic}" if pic is not None else ""),
                                         hint="for example PIC X(10), PIC S9(7)V99")
            if e.picture_tok is not None:
                raise tok.error(f"{e.name} has two PICTURE clauses")
            self.i += 1
            e.picture_tok = pic
        elif word == "USAGE":
            self.optional("IS")
            u = self.next("a USAGE")
            e.usage, e.usage_tok = self.usage_of(u, explicit=True), u
        elif word in USAGES or word in COBRIX_USAGES:
            e.usage, e.usage_tok = self.usage_of(tok, explicit=False), tok
        elif word == "REDEFINES":
            target = self.next("the name of the item redefined")
            if target.kind != "word":
                raise target.error(f"expected a data name after REDEFINES, found {target}")
            e.redefines_tok = target
        elif word == "OCCURS":
            self.occurs(e, tok)
        elif word in ("SIGN", "LEADING", "TRAILING"):
            if word == "SIGN":
                self.optional("IS")
                where = self.next("LEADING or TRAILING")
                if where.upper not in ("LEADING", "TRAILING"):
                    raise where.error(f"expected LEADING or TRAILING after SIGN, found {where}")
                word = where.upper
            separate = self.optional("SEPARATE")
            if separate:
                self.optional("CHARACTER")
            e.sign = (word == "LEADING", separate)
        elif word in ("JUST", "JUSTIFIED"):
            self.optional("RIGHT")
            e.justified = True
        elif word == "BLANK":
            self.optional("WHEN")
            z = self.next("ZERO")
            if z.upper not in ("ZERO", "ZEROS", "ZEROES"):
                raise z.error(f"expected ZERO after BLANK WHEN, found {z}")
            e.blank_when_zero = True
        elif word in ("SYNC", "SYNCHRONIZED"):
            self.optional("LEFT", "RIGHT")
            e.sync = True
        elif word in ("EXTERNAL", "GLOBAL"):
            pass
        elif word == "GROUP-USAGE":
            self.optional("IS")
            self.next("NATIONAL")
        elif word in ("VALUE", "VALUES"):
            self.optional("IS", "ARE")
            e.value = self.value_item()
            if self.optional("THRU", "THROUGH"):
                raise self.last().error("THRU is allowed only in a level-88 VALUE clause")
        elif word is not None and _USAGE_LIKE.match(word):
            self.usage_of(tok, explicit=True)
        else:
            raise tok.error(f"unexpected {tok} in the entry for {e.name}: expected a clause (PIC, "
                            "USAGE, VALUE, OCCURS, REDEFINES, SIGN, SYNC, JUSTIFIED, BLANK WHEN ZERO) "
                            "or a period", hint="check for a missing period on the line before")

    def usage_of(self, tok: Token, *, explicit: bool) -> Usage:
        word = tok.upper if tok.kind == "word" else str(tok)
        if word in USAGES:
            return USAGES[word]
        if word in COBRIX_USAGES:
            raise tok.error(f"USAGE {word} is a Cobrix extension, not COBOL",
                            hint="COMP-9 is little-endian binary: use COMP-5 with the gnucobol "
                                 "dialect; COMP-3U (unsigned packed, no sign nibble) has no "
                                 "standard equivalent")
        raise tok.error(f"unknown USAGE {word}",
                        hint="use DISPLAY, COMP/BINARY, COMP-3/PACKED-DECIMAL, COMP-5, COMP-1, "
                             "COMP-2, NATIONAL, DISPLAY-1, INDEX or POINTER")

    def occurs(self, e: _Entry, tok: Token) -> None:
        n = self.next("the number of occurrences")
        if n.kind != "word" or not n.value.isdigit():
            raise n.error(f"expected the number of occurrences after OCCURS, found {n}")
        low, high = None, int(n.value)
        if self.optional("TO"):
            m = self.next("the maximum number of occurrences")
            if m.kind != "word" or not m.value.isdigit():
                raise m.error(f"expected the maximum after OCCURS {n.value} TO, found {m}")
            low, high = high, int(m.value)
            if high < low:
                raise m.error(f"OCCURS {low} TO {high}: the maximum is below the minimum")
        self.optional("TIMES")
        if self.optional("DEPENDING"):
            self.optional("ON")
            d = self.next("the name of the counter")
            if d.kind != "word":
                raise d.error(f"expected a data name after DEPENDING ON, found {d}")
            e.depending_tok = d
            if low is None:
                low = 0
        elif low is not None:
            raise self.last().error(f"OCCURS {low} TO {high} needs DEPENDING ON a counter")
        while self.word_is("ASCENDING", "DESCENDING", "INDEXED"):
            kind = self.next("").upper
            if kind == "INDEXED":
                self.optional("BY")
            else:
                self.optional("KEY")
                self.optional("IS")
            names = 0
            while True:
                t = self.peek()
                if t is None or t.kind != "word" or t.upper in _STOP_WORDS:
                    break
                self.i += 1
                names += 1
            if not names:
                raise self.last().error(f"expected data names after {kind}")
        if high == 0 and e.depending_tok is None:
            raise n.error("OCCURS 0: a fixed table needs at least one occurrence")
        e.occurs, e.occurs_min = high, low

    def value_item(self):
        """One VALUE operand: literal, number, figurative constant or ALL literal."""
        tok = self.next("a value")
        if tok.kind == "literal":
            if tok.prefix == "X":
                try:
                    return bytes.fromhex(tok.value)
                except ValueError:
                    raise tok.error(f"invalid hexadecimal literal X'{tok.value}'") from None
            return tok.value
        if tok.kind == "word":
            word = tok.upper
            if word in FIGURATIVES:
                return Figurative(FIGURATIVES[word])
            if word == "ALL":
                lit = self.next("a literal after ALL")
                if lit.kind == "literal":
                    return Figurative(f"ALL:{lit.value}")
                if lit.kind == "word" and lit.upper in FIGURATIVES:
                    return Figurative(FIGURATIVES[lit.upper])
                raise lit.error(f"expected a literal after ALL, found {lit}")
            if _NUMBER.match(tok.value):
                try:
                    return Decimal(tok.value)
                except InvalidOperation:
                    pass
        raise tok.error(f"expected a literal, number or figurative constant as a value, found {tok}")

    def condition(self, e: _Entry) -> None:
        tok = self.next("VALUE")
        if tok.upper not in ("VALUE", "VALUES"):
            raise tok.error(f"expected VALUE after the level-88 name {e.name}, found {tok}")
        self.optional("IS", "ARE")
        while True:
            low = self.value_item()
            if self.optional("THRU", "THROUGH"):
                e.ranges.append((low, self.value_item()))
            else:
                e.values.append(low)
            nxt = self.peek()
            if nxt is None or nxt.kind == "period" or (nxt.kind == "word" and nxt.upper == "WHEN"):
                break
        if self.optional("WHEN"):  # WHEN SET TO FALSE IS literal: not needed to read data
            self.optional("SET")
            self.optional("TO")
            self.optional("FALSE")
            self.optional("IS")
            self.value_item()
        self.end_of_entry(e)

    def renames(self, e: _Entry) -> None:
        tok = self.next("RENAMES")
        if tok.upper != "RENAMES":
            raise tok.error(f"expected RENAMES after the level-66 name {e.name}, found {tok}")
        first = self.next("the first data name renamed")
        last = None
        if self.optional("THRU", "THROUGH"):
            last = self.next("the last data name renamed")
        e.renames = (first, last)
        self.end_of_entry(e)


# --------------------------------------------------------------------------- hierarchy


MAX_COPYBOOK_POSITIONS = 4 << 20   # every PICTURE of one copybook together (REDEFINES overlap)


def _check_picture_total(entries) -> None:
    """Refuse a copybook whose PICTUREs add up past any record densan lays out, before any of
    them is expanded: the time to lay out a copybook stays bounded."""
    total = 0
    for e in entries:
        tok = e.picture_tok
        if tok is None:
            continue
        n = picture_positions(tok.value)
        if n > MAX_POSITIONS:           # one PICTURE too long: its own message, with its column
            parse_picture(tok.value, file=tok.file, line=tok.line, column=tok.column)
        total += n
        if total > MAX_COPYBOOK_POSITIONS:
            raise tok.error(f"the PICTUREs up to here describe {total:,} positions, more than densan lays out "
                            f"in one copybook ({MAX_COPYBOOK_POSITIONS:,})",
                            hint="check the PICTURE sizes (a record's limit is 1,048,576 bytes)")


def _build(entries: list[_Entry], root_name: str) -> tuple[list[Field], list, dict]:
    records: list[Field] = []
    stack: list[Field] = []
    declared: dict[int, _Entry] = {}
    renames: list[tuple[_Entry, Field]] = []
    last: Field | None = None
    for e in entries:
        if e.level == 88:
            if last is None:
                raise e.level_tok.error(f"level-88 {e.name} does not follow a data item")
            last.conditions.append(Condition(e.name, list(e.values), list(e.ranges), e.loc))
            continue
        if e.level == 66:
            if not records:
                raise e.level_tok.error(f"level-66 {e.name} does not follow a record")
            renames.append((e, records[-1]))
            continue
        f = Field(level=e.level, name=e.name, location=e.loc, occurs=e.occurs,
                  occurs_min=e.occurs_min, justified=e.justified,
                  blank_when_zero=e.blank_when_zero, synchronized=e.sync, value=e.value)
        if e.depending_tok is not None:
            f.depending_on = e.depending_tok.value.upper()
        if e.redefines_tok is not None:
            f.redefines = e.redefines_tok.value.upper()
        declared[id(f)] = e
        if e.level in (1, 77):
            records.append(f)
            stack = [f]
        else:
            if not stack:
                implicit = Field(level=1, name=root_name, location=e.loc)
                records.append(implicit)
                stack = [implicit]
            while stack[-1].level >= e.level and len(stack) > 1:
                stack.pop()
            parent = stack[-1]
            if parent.level >= e.level:  # below an 01/77 only deeper levels fit
                raise e.level_tok.error(f"level {e.level:02d} {e.name} cannot follow level "
                                        f"{parent.level:02d} {parent.name}")
            pe = declared.get(id(parent))
            if pe is not None and pe.picture_tok is not None:
                raise CopybookError(
                    f"level {parent.level:02d} {parent.name} has both PICTURE and children "
                    f"(level {e.level:02d} {e.name} at line {e.level_tok.line})",
                    file=parent.location.file, line=parent.location.line,
                    column=parent.location.column,
                    hint="a group item takes no PICTURE; remove it or the items below")
            f.parent = parent
            parent.children.append(f)
            stack.append(f)
        last = f
    for record in records:
        _inherit(record, declared, usage=None, sign=None, sync=False)
    for record in records:
        for f in record.walk():
            _check_redefines(f, records, declared)
    return records, renames, declared


def _inherit(f: Field, declared: dict[int, _Entry], usage: Usage | None,
             sign: tuple[bool, bool] | None, sync: bool) -> None:
    e = declared.get(id(f))
    if e is not None:
        usage = e.usage or usage
        sign = e.sign or sign
        sync = e.sync or sync
    if f.children:
        for child in f.children:
            _inherit(child, declared, usage, sign, sync)
        return
    _elementary(f, e, usage, sign, sync)


def _elementary(f: Field, e: _Entry | None, usage: Usage | None,
                sign: tuple[bool, bool] | None, sync: bool) -> None:
    loc = f.location
    where = {"file": loc.file, "line": loc.line, "column": loc.column} if loc else {}
    pic_tok = e.picture_tok if e is not None else None
    pic = None
    if pic_tok is not None:
        pic = parse_picture(pic_tok.value, file=pic_tok.file, line=pic_tok.line,
                            column=pic_tok.column)
    if usage is None:
        if pic is not None and pic.category == Category.NATIONAL:
            usage = Usage.NATIONAL
        elif pic is not None and pic.category == Category.DBCS:
            usage = Usage.DBCS
        else:
            usage = Usage.DISPLAY
    utok = (e.usage_tok if e is not None and e.usage_tok is not None else pic_tok)
    uwhere = utok.where() if utok is not None else where
    if usage in (Usage.FLOAT4, Usage.FLOAT8, Usage.INDEX, Usage.POINTER):
        if pic is not None:
            raise CopybookError(f"{f.name}: USAGE {usage.value} takes no PICTURE clause", **uwhere,
                                hint="remove the PIC clause")
    elif pic is None:
        raise CopybookError(f"level {f.level:02d} {f.name} has no PICTURE clause", **where,
                            hint="an elementary item needs PIC unless its USAGE is COMP-1, "
                                 "COMP-2, INDEX or POINTER")
    elif usage in (Usage.BINARY, Usage.COMP5, Usage.PACKED):
        if pic.category != Category.NUMERIC:
            raise CopybookError(f"{f.name}: USAGE {usage.value} needs a numeric PICTURE (9 S V P), "
                                f"not {pic.source}", **uwhere)
    elif usage == Usage.DBCS:
        if pic.category == Category.NATIONAL:
            pic = replace(pic, category=Category.DBCS)
        elif pic.category != Category.DBCS:
            raise CopybookError(f"{f.name}: USAGE DISPLAY-1 needs PIC G or PIC N, not {pic.source}",
                                **uwhere)
    elif usage == Usage.NATIONAL:
        if pic.category in (Category.ALPHANUMERIC, Category.ALPHABETIC, Category.DBCS):
            raise CopybookError(f"{f.name}: USAGE NATIONAL needs PIC N or a numeric PICTURE, "
                                f"not {pic.source}", **uwhere)
    elif usage == Usage.DISPLAY and pic.category in (Category.NATIONAL, Category.DBCS):
        usage = Usage.NATIONAL if pic.category == Category.NATIONAL else Usage.DBCS
    if sign is not None and pic is not None and usage == Usage.DISPLAY \
            and pic.category == Category.NUMERIC:
        explicit = e is not None and e.sign is not None
        if pic.signed or explicit:
            f.sign_leading, f.sign_separate = sign
            if not pic.signed:  # SIGN on an unsigned PICTURE: taken as signed (Cobrix does too)
                pic = replace(pic, signed=True)
    f.usage = usage
    f.picture = pic
    f.synchronized = sync


def _check_redefines(f: Field, records: list[Field], declared: dict[int, _Entry]) -> None:
    if f.redefines is None:
        return
    e = declared[id(f)]
    siblings = f.parent.children if f.parent is not None else records
    before = siblings[:siblings.index(f)]
    if not any(s.name == f.redefines and s.level == f.level for s in before):
        tok = e.redefines_tok
        raise tok.error(f"REDEFINES names {f.redefines}, which is not a preceding item at the same "
                        f"level ({f.level:02d}) in the same group",
                        hint="REDEFINES must name an earlier item with the same level number and "
                             "parent")


# --------------------------------------------------------------------------- offsets


def elementary_size(f: Field, dialect: Dialect) -> int:
    """Bytes of one occurrence of an elementary item (see the module docstring)."""
    u, pic = f.usage, f.picture
    if u in (Usage.BINARY, Usage.COMP5):
        return dialect.binary_size(pic.digits)
    if u == Usage.PACKED:
        return pic.digits // 2 + 1
    if u == Usage.FLOAT4 or u == Usage.INDEX:
        return 4
    if u == Usage.FLOAT8:
        return 8
    if u == Usage.POINTER:
        return 8 if dialect.name == "gnucobol" else 4
    if u in (Usage.NATIONAL, Usage.DBCS):
        return 2 * pic.length
    return pic.length + (1 if f.sign_separate else 0)


def _alignment(f: Field) -> int:
    if f.children or not f.synchronized or f.usage not in ALIGNED_USAGES:
        return 1
    return min(8, max(1, f.size)) if f.size in (1, 2, 4, 8) else 8


def _place(f: Field, offset: int, dialect: Dialect | None) -> int:
    """Give `f` and everything below it offsets; returns the largest alignment inside."""
    f.offset = offset
    if not f.children:
        if dialect is not None:
            f.size = elementary_size(f, dialect)
        return _alignment(f)
    end = offset
    largest = 1
    placed: dict[str, Field] = {}
    for child in f.children:
        if child.redefines is not None and child.redefines in placed:
            start = placed[child.redefines].offset
        else:
            start = end
        if not child.children and child.synchronized:
            if dialect is not None:
                child.size = elementary_size(child, dialect)
            a = _alignment(child)
            start += (-start) % a
        largest = max(largest, _place(child, start, dialect))
        placed.setdefault(child.name, child)
        end = max(end, start + child.total_size)
    size = end - offset
    if f.occurs and largest > 1:  # each occurrence keeps its items aligned
        size += (-size) % largest
    f.size = size
    return largest


MAX_RECORD_BYTES = 1 << 20       # densan's record limit (a job's LRECL too); the host's is 32,760
MAX_ELEMENTARY = 100_000         # elementary items of one record, every OCCURS expanded


def _too_big(f: Field, size) -> bool:
    return size(f) > (MAX_RECORD_BYTES if size is _limit_bytes else MAX_ELEMENTARY)


def _limit_bytes(f: Field) -> int:
    return f.total_size


def _limit_items(f: Field) -> int:
    inner = sum(_limit_items(c) for c in f.children) if f.children else 1
    return inner * (f.occurs or 1)


def _culprit(record: Field, size) -> Field:
    """The innermost item that is itself beyond the limit (its OCCURS or PICTURE), else the record."""
    node = record
    while True:
        inner = [c for c in node.children if _too_big(c, size)]
        if not inner:
            return node
        node = inner[0]


def check_limits(layout: Layout) -> None:
    """Sizes that cannot fit are refused with the item's file:line:column before anything is
    allocated for them (a nested OCCURS can describe gigabytes in three lines)."""
    for record in layout.records:
        for size, what, limit in ((_limit_bytes, "bytes", MAX_RECORD_BYTES), (_limit_items, "elementary items", MAX_ELEMENTARY)):
            total = size(record)
            if total <= limit:
                continue
            f = _culprit(record, size)
            loc = f.location
            occurs = f" (OCCURS {f.occurs})" if f.occurs else ""
            raise CopybookError(f"{f.name}{occurs}: record {record.name} would hold {total:,} {what}, more than "
                                f"densan's limit of {limit:,}",
                                file=loc.file if loc else layout.source, line=loc.line if loc else None,
                                column=loc.column if loc else None,
                                hint="check the OCCURS counts and PICTURE sizes (the host's LRECL is at most 32,760)")


def assign_offsets(layout: Layout, dialect: "str | Dialect | None" = None) -> Layout:
    """(Re)compute the size and 0-based offset of every item, in place. With a
    dialect, elementary sizes are recomputed for it (binary and pointer sizes
    differ); with None the elementary sizes already in the layout are kept
    (used after an ODO table's occurrence count changed). Returns the layout."""
    d = get_dialect(dialect) if dialect is not None else None
    for record in layout.records:
        _place(record, 0, d)
    check_limits(layout)
    for r in layout.renames:
        first = layout.find(r.first)
        last = layout.find(r.last) if r.last else first
        r.offset = first.offset
        r.size = max(last.offset + last.total_size, first.offset + first.total_size) - first.offset
    return layout


# --------------------------------------------------------------------------- entry points


def _check_odo(layout: Layout, entries_by_field: dict[int, _Entry]) -> None:
    names = {f.name for f in layout.fields()}
    for f in layout.fields():
        if f.depending_on and f.depending_on not in names:
            tok = entries_by_field[id(f)].depending_tok
            raise tok.error(f"OCCURS DEPENDING ON names an unknown field {f.depending_on}",
                            hint="the counter must be a data item of the copybook")


def parse_tokens(tokens: list[Token], *, name: str, source: str | None,
                 dialect: "str | Dialect | None" = None) -> Layout:
    end = tokens[-1] if tokens else Token("word", "", source or "<string>", 1, 1)
    entries = _Parser(tokens, end).entries()
    if not entries:
        raise CopybookError("the copybook describes no data items", file=source or "<string>",
                            line=1, column=1, hint="a copybook starts with a level number such as 01")
    _check_picture_total(entries)
    records, pending, declared = _build(entries, name.upper())
    layout = Layout(name=name, records=records, source=source)
    _check_odo(layout, declared)
    for e, record in pending:
        first, last = e.renames
        known = {f.name for f in record.walk()}
        for t in (first, last):
            if t is not None and t.upper not in known:
                raise t.error(f"RENAMES names {t.value}, which is not an item of record {record.name}")
        layout.renames.append(Renames(e.name, first.upper, last.upper if last else None, 0, 0, e.loc))
    return assign_offsets(layout, dialect if dialect is not None else IBM)


def _tokens(text: str, filename: str, copy_path: list[Path], source_format: str,
            debug_lines: bool) -> list[Token]:
    """Tokens after COPY expansion. In auto mode a text taken for fixed format that
    does not compile as such is tried once more as free format; if that fails too,
    the fixed-format error is the one reported."""
    fmt = detect_format(text) if source_format == "auto" else source_format
    try:
        tokens = CopyExpander(copy_path, source_format, debug_lines).tokens_of_text(
            text, filename, fmt=fmt)
        if source_format == "auto" and fmt == "fixed":
            _Parser(tokens, tokens[-1] if tokens else None).entries()
        return tokens
    except CopybookError:
        if source_format != "auto" or fmt != "fixed":
            raise
        try:
            return CopyExpander(copy_path, source_format, debug_lines).tokens_of_text(
                text, filename, fmt="free")
        except CopybookError:
            pass
        raise


def parse_copybook(text: str, *, filename: str = "<string>", source_format: str = "auto",
                   copy_path: Iterable[Path | str] | None = None,
                   dialect: "str | Dialect | None" = None, debug_lines: bool = False) -> Layout:
    """Compile copybook text to a Layout. `dialect` sets binary and pointer sizes
    (None: IBM). COPY members are searched in the including file's folder, then
    `copy_path` (default `engine.config.copybook_path()`)."""
    if copy_path is None:
        from engine.config import copybook_path
        copy_path = copybook_path()
    tokens = _tokens(text, filename, [Path(p) for p in copy_path], source_format, debug_lines)
    if filename.startswith("<"):
        name = None
    else:
        name = Path(filename).stem.upper()
    layout = parse_tokens(tokens, name=name or "RECORD", source=None if name is None else filename,
                          dialect=dialect)
    if name is None:
        layout.name = layout.records[0].name
    return layout


def load_copybook(name_or_path: "str | Path", *, copy_path: Iterable[Path | str] | None = None,
                  dialect: "str | Dialect | None" = None, source_format: str = "auto") -> Layout:
    """A copybook by member name (searched on `copy_path`, default
    `engine.config.copybook_path()`) or by file path."""
    if copy_path is None:
        from engine.config import copybook_path
        copy_path = copybook_path()
    dirs = [Path(p) for p in copy_path]
    candidate = Path(name_or_path)
    if candidate.is_file():
        path = candidate
    else:
        path = find_member(str(name_or_path), None, dirs)
        if path is None:
            searched = ", ".join(str(d) for d in dirs) or "(no directories)"
            raise CopybookError(f"copybook {name_or_path} not found in {searched}",
                                hint="give a file path, pass --copy-path, or set DENSAN_COPYLIB")
    return parse_copybook(read_text(path), filename=str(path), source_format=source_format,
                          copy_path=dirs, dialect=dialect)
