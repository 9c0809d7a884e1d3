"""DFSORT control statements -> a `Control` plan (what to do, not how).

Accepted: SORT / MERGE FIELDS=(p,m,f,s…|COPY)[,FORMAT=f][,EQUALS|NOEQUALS][,SKIPREC=][,STOPAFT=];
OPTION COPY|EQUALS|NOEQUALS|SKIPREC=|STOPAFT= (plus a few performance hints that change
nothing here: DYNALLOC, FILSZ, SIZE, MAINSIZE, AVGRLEN, NOLIST, LIST, MSGPRT);
INCLUDE / OMIT COND=(…)|ALL|NONE[,FORMAT=f]; SUM FIELDS=(p,m,f…)|NONE;
INREC / OUTREC BUILD=|FIELDS=|OVERLAY=; OUTFIL FNAMES=, INCLUDE=, OMIT=, SAVE,
BUILD=|OUTREC=|FIELDS=|OVERLAY=, STARTREC=, ENDREC=; END.
Anything else is refused with the statement, line and column — never ignored.
"""
from __future__ import annotations

from engine.sort.model import (BoolOp, Compare, Cond, Constant, Control, Field, Item, Key,  # noqa: F401
                               Outfil, Reformat)
from engine.sort.syntax import MAX_REPEAT, Atom, ColumnMark, Group, Pair, Statement, fail, parse

KEY_FORMATS = {"CH", "ZD", "PD", "BI", "FI", "AC"}
COND_FORMATS = {"CH", "ZD", "PD", "BI", "FI", "AC", "SS"}
SUM_FORMATS = {"ZD", "PD", "BI", "FI"}
OPERATORS = {"EQ", "NE", "GT", "GE", "LT", "LE"}
# DFSORT formats densan does not implement: named in the error instead of "A or D expected"
OTHER_FORMATS = {"AQ", "ASL", "AST", "CLO", "CSF", "CSL", "CST", "CTO", "D1", "D2", "FL", "FS", "LS",
                 "OL", "OT", "SFF", "TS", "UFF", "Y2B", "Y2C", "Y2D", "Y2P", "Y2S", "Y2T", "Y2U",
                 "Y2V", "Y2X", "Y2Y", "Y2Z"}
_HINTS = {"DYNALLOC", "FILSZ", "SIZE", "MAINSIZE", "AVGRLEN", "NOLIST", "LIST", "MSGPRT",
          "MSGDDN", "HIPRMAX", "DSPSIZE"}
MAX_LENGTH = {"CH": 4092, "AC": 4092, "ZD": 31, "PD": 16, "BI": 4092, "FI": 256}


# ------------------------------------------------------------------ helpers

def _where(node) -> tuple[int, int]:
    return node.line, node.col


_SEQ_MAX_LENGTH = {"ZD": 16, "PD": 8, "BI": 8, "FI": 8}     # DFSORT's SEQNUM lengths
_SEQ_MAX_VALUE = 10 ** 15 - 1                             # START= / INCR=: up to 15 digits


def _int(node, what: str, minimum: int = 0) -> int:
    if not (isinstance(node, Atom) and node.token.kind == "num"):
        fail(f"{what} must be a number", *_where(node))
    if node.token.value < minimum:
        fail(f"{what} must be at least {minimum}", *_where(node))
    return node.token.value


def _word(node, what: str) -> str:
    if not (isinstance(node, Atom) and node.token.kind == "word"):
        fail(f"{what} expected", *_where(node))
    return node.token.value


def _list(node) -> list:
    return node.items if isinstance(node, Group) else [node]


def _is_word(node, *words: str) -> bool:
    return isinstance(node, Atom) and node.token.kind == "word" and node.token.value in words


def _check_field(pos: int, length: int, fmt: str, node) -> None:
    if length < 1 or length > MAX_LENGTH[fmt]:
        fail(f"length {length} is not allowed for format {fmt} (1 to {MAX_LENGTH[fmt]})", *_where(node))
    if pos < 1:
        fail("positions start at 1", *_where(node))


def _constant(node) -> Constant:
    tok = node.token
    if tok.kind == "num":
        return Constant("N", tok.value, tok.line, tok.col)
    if tok.kind != "const":
        fail(f"a constant was expected, not {tok.value!r}", tok.line, tok.col)
    if tok.ctype == "C":
        return Constant("C", tok.value * tok.repeat, tok.line, tok.col)
    body = tok.value
    if tok.ctype == "X":
        if len(body) % 2 or any(c not in "0123456789abcdefABCDEF" for c in body):
            fail(f"X'{body}' needs an even number of hexadecimal digits", tok.line, tok.col)
        return Constant("X", bytes.fromhex(body) * tok.repeat, tok.line, tok.col)
    if not body or len(body) % 8 or any(c not in "01" for c in body):
        fail(f"B'{body}' needs groups of eight binary digits", tok.line, tok.col)
    value = int(body, 2).to_bytes(len(body) // 8, "big")
    return Constant("B", value * tok.repeat, tok.line, tok.col)


# ------------------------------------------------------------------ SORT / MERGE keys

def _keys(node, fmt_default: str | None, stmt: str) -> list[Key]:
    items = _list(node)
    keys, i = [], 0
    while i < len(items):
        start = items[i]
        if i + 1 >= len(items):
            fail(f"{stmt} FIELDS: a key needs position and length", *_where(start))
        pos = _int(items[i], "the key position", 1)
        length = _int(items[i + 1], "the key length", 1)
        i += 2
        fmt = fmt_default
        if i < len(items) and _is_word(items[i], *(KEY_FORMATS | OTHER_FORMATS)):
            fmt = items[i].token.value
            if fmt not in KEY_FORMATS:
                fail(f"{stmt} FIELDS: format {fmt} is not supported (CH, ZD, PD, BI, FI, AC are)",
                     *_where(items[i]))
            i += 1
        if fmt is None:
            fail(f"{stmt} FIELDS: the key at {pos},{length} has no format and there is no FORMAT=",
                 *_where(start), hint="write p,m,f,s (e.g. 1,18,CH,A) or add FORMAT=CH")
        if i >= len(items) or not _is_word(items[i], "A", "D"):
            bad = items[i] if i < len(items) else start
            fail(f"{stmt} FIELDS: the key at {pos},{length} needs A or D", *_where(bad))
        desc = items[i].token.value == "D"
        i += 1
        _check_field(pos, length, fmt, start)
        keys.append(Key(Field(pos, length, fmt, start.line, start.col), desc))
    if not keys:
        fail(f"{stmt} FIELDS= has no keys", *_where(node))
    return keys


# ------------------------------------------------------------------ INCLUDE / OMIT

def _condition(node, fmt_default: str | None, where: str):
    """Parse a COND list into Compare / BoolOp, AND binding tighter than OR."""
    items = _list(node)
    terms: list = []       # alternating operand, 'AND'/'OR'
    i = 0
    while i < len(items):
        if isinstance(items[i], Group):
            terms.append(_condition(items[i], fmt_default, where))
            i += 1
        else:
            j = i
            while j < len(items) and not _is_word(items[j], "AND", "OR"):
                if isinstance(items[j], Group):
                    fail(f"{where}: '(' inside a comparison", *_where(items[j]))
                j += 1
            terms.append(_compare(items[i:j], fmt_default, where))
            i = j
        if i < len(items):
            if not _is_word(items[i], "AND", "OR"):
                fail(f"{where}: AND or OR expected", *_where(items[i]))
            if i + 1 >= len(items):
                fail(f"{where}: a test is missing after {items[i].token.value}", *_where(items[i]))
            terms.append(items[i].token.value)
            i += 1
    if not terms:
        fail(f"{where}: an empty condition", *_where(node))
    ors, current = [], [terms[0]]
    for k in range(1, len(terms), 2):
        if terms[k] == "AND":
            current.append(terms[k + 1])
        else:
            ors.append(current)
            current = [terms[k + 1]]
    ors.append(current)
    groups = [g[0] if len(g) == 1 else BoolOp("AND", g) for g in ors]
    return groups[0] if len(groups) == 1 else BoolOp("OR", groups)


def _compare(items: list, fmt_default: str | None, where: str) -> Compare:
    first = items[0]
    if len(items) < 4:
        fail(f"{where}: a comparison needs p,m,f,op,constant or p1,m1,f1,op,p2,m2,f2", *_where(first))
    for it in items:
        if not isinstance(it, Atom):
            fail(f"{where}: unexpected item in a comparison", *_where(it))
    pos = _int(items[0], "the position", 1)
    length = _int(items[1], "the length", 1)
    i = 2
    fmt = fmt_default
    if items[i].token.kind == "word" and items[i].token.value not in OPERATORS:
        fmt = items[i].token.value
        if fmt not in COND_FORMATS:
            fail(f"{where}: format {fmt} is not supported (CH, ZD, PD, BI, FI, AC, SS are)",
                 *_where(items[i]))
        i += 1
    if fmt is None:
        fail(f"{where}: the field {pos},{length} has no format and there is no FORMAT=", *_where(first))
    if i >= len(items) or not _is_word(items[i], *OPERATORS):
        bad = items[i] if i < len(items) else first
        fail(f"{where}: a comparison operator (EQ NE GT GE LT LE) is expected", *_where(bad))
    op = items[i].token.value
    i += 1
    _check_field(pos, length, "CH" if fmt == "SS" else fmt, first)
    left = Field(pos, length, fmt, first.line, first.col)
    rest = items[i:]
    if not rest:
        fail(f"{where}: the comparison {left} {op} has nothing to compare with", *_where(items[i - 1]))
    if len(rest) == 1:
        right = _constant(rest[0])
        _check_constant(left, right, where)
        if fmt == "SS" and op not in ("EQ", "NE"):
            fail(f"{where}: SS allows only EQ and NE", *_where(items[i - 1]))
        return Compare(left, op, right)
    if fmt == "SS":
        fail(f"{where}: SS compares with a character constant only", *_where(rest[0]))
    if len(rest) not in (2, 3):
        fail(f"{where}: too many items in the comparison", *_where(rest[-1]))
    p2 = _int(rest[0], "the position", 1)
    m2 = _int(rest[1], "the length", 1)
    f2 = fmt_default if len(rest) == 2 else _word(rest[2], "a format")
    if f2 is None or f2 not in KEY_FORMATS:
        fail(f"{where}: the second field needs a format (CH, ZD, PD, BI, FI, AC)", *_where(rest[-1]))
    _check_field(p2, m2, f2, rest[0])
    if (fmt in ("CH", "AC")) != (f2 in ("CH", "AC")) or ((fmt in ("CH", "AC")) and fmt != f2):
        fail(f"{where}: {fmt} cannot be compared with {f2}", *_where(rest[0]))
    return Compare(left, op, Field(p2, m2, f2, rest[0].line, rest[0].col))


def _check_constant(left: Field, c: Constant, where: str) -> None:
    ok = {"CH": "CX", "AC": "CX", "SS": "CX", "BI": "NCXB", "ZD": "N", "PD": "N", "FI": "N"}[left.fmt]
    if c.kind == "B" and left.fmt in ("CH", "AC", "SS"):
        ok += "B"
    if c.kind not in ok:
        kinds = {"N": "a decimal number", "C": "C'..'", "X": "X'..'", "B": "B'..'"}
        fail(f"{where}: a {left.fmt} field cannot be compared with {kinds[c.kind]}", c.line, c.col,
             hint="ZD, PD and FI compare with decimal numbers; CH with C'..' or X'..'")


def _cond_operand(stmt_name: str, operands: list, omit: bool, line: int, col: int) -> Cond:
    cond_node, fmt = None, None
    for op in operands:
        if isinstance(op, Pair) and op.key == "COND":
            cond_node = op.value
        elif isinstance(op, Pair) and op.key == "FORMAT":
            fmt = _word(op.value, "a format")
            if fmt not in COND_FORMATS:
                fail(f"{stmt_name}: FORMAT={fmt} is not supported", *_where(op))
        else:
            fail(f"{stmt_name}: operand not supported here", *_where(op),
                 hint="INCLUDE/OMIT take COND=(...) and FORMAT=")
    if cond_node is None:
        fail(f"{stmt_name} needs COND=", line, col)
    if _is_word(cond_node, "ALL"):
        return Cond(None, omit, all=not omit)
    if _is_word(cond_node, "NONE"):
        return Cond(None, omit, all=omit)
    if not isinstance(cond_node, Group):
        fail(f"{stmt_name}: COND= needs a parenthesised condition, ALL or NONE", *_where(cond_node))
    return Cond(_condition(cond_node, fmt, stmt_name), omit)


# ------------------------------------------------------------------ BUILD / OVERLAY

_SEQ_FORMATS = {"ZD", "PD", "BI", "FI"}
_CONVERSIONS = {"CH", "ZD", "PD", "BI", "FI", "AC", "HEX", "M0", "M1", "M2", "M3", "M4", "M5", "M6",
                "M7", "M8", "M9", "M10", "M11", "M12", "M13", "M14", "M15", "M16", "M17", "M18",
                "M19", "M20", "M21", "M22", "M23", "M24", "M25", "M26", "CSF", "FS", "UFF", "SFF",
                "PD0", "ZDF", "ZDC", "PDF", "PDC", "TRAN"}


def _reformat(mode: str, node, where: str) -> Reformat:
    items_in = _list(node)
    items: list[Item] = []
    column = None
    i = 0
    while i < len(items_in):
        it = items_in[i]
        if isinstance(it, ColumnMark):
            if it.column < 1:
                fail(f"{where}: columns start at 1", *_where(it))
            column = it.column
            i += 1
            continue
        line, col = _where(it)
        if isinstance(it, Atom) and it.token.kind == "const":
            items.append(Item("const", column, value=_constant(it), line=line, col=col))
            i += 1
        elif isinstance(it, Atom) and it.token.kind == "num":
            pos = it.token.value
            if pos < 1:
                fail(f"{where}: positions start at 1", line, col)
            length = None
            if i + 1 < len(items_in) and isinstance(items_in[i + 1], Atom) \
                    and items_in[i + 1].token.kind == "num":
                length = _int(items_in[i + 1], "the length", 1)
                i += 1
                nxt = items_in[i + 1] if i + 1 < len(items_in) else None
                if (isinstance(nxt, Atom) and nxt.token.kind == "word" and nxt.token.value in _CONVERSIONS) \
                        or (isinstance(nxt, Pair) and nxt.key in ("EDIT", "TO", "TRAN", "CHANGE", "LENGTH",
                                                                    "SIGNS", "NOMATCH")):
                    fail(f"{where}: conversions (p,m,f / EDIT= / TO=) are not supported",
                         *_where(items_in[i + 1]))
            items.append(Item("field", column, pos=pos, length=length, line=line, col=col))
            i += 1
        elif isinstance(it, Atom) and it.token.kind == "word" and it.token.value == "SEQNUM":
            if i + 2 >= len(items_in):
                fail(f"{where}: SEQNUM needs a length and a format (SEQNUM,8,ZD)", line, col)
            length = _int(items_in[i + 1], "the SEQNUM length", 1)
            fmt = _word(items_in[i + 2], "the SEQNUM format")
            if fmt not in _SEQ_FORMATS:
                fail(f"{where}: SEQNUM format {fmt} is not supported (ZD, PD, BI, FI are)",
                     *_where(items_in[i + 2]))
            if length > _SEQ_MAX_LENGTH[fmt]:
                fail(f"{where}: SEQNUM length {length} is too long for {fmt} (1 to {_SEQ_MAX_LENGTH[fmt]} bytes)",
                     *_where(items_in[i + 1]))
            item = Item("seqnum", column, length=length, fmt=fmt, line=line, col=col)
            i += 3
            while i < len(items_in) and isinstance(items_in[i], Pair) and items_in[i].key in ("START", "INCR"):
                value = _int(items_in[i].value, items_in[i].key, 0)
                if value > _SEQ_MAX_VALUE:
                    fail(f"{where}: SEQNUM {items_in[i].key}={value} has more than 15 digits",
                         *_where(items_in[i].value))
                if items_in[i].key == "START":
                    item.start = value
                else:
                    item.incr = value
                i += 1
            items.append(item)
        elif isinstance(it, Atom) and it.token.kind == "word" and it.token.value.rstrip("XZ").isdigit() \
                and it.token.value[-1] in "XZ" and len(it.token.value) >= 1:
            count = int(it.token.value[:-1] or 1)
            if count < 1:
                fail(f"{where}: {it.token.value} is empty", line, col)
            if count > MAX_REPEAT:
                fail(f"{where}: {it.token.value}: DFSORT allows 1 to {MAX_REPEAT} blanks or zeros", line, col)
            items.append(Item("blank" if it.token.value[-1] == "X" else "zero", column, count=count,
                              line=line, col=col))
            i += 1
        elif _is_word(it, "X", "Z"):
            items.append(Item("blank" if it.token.value == "X" else "zero", column, line=line, col=col))
            i += 1
        else:
            what = it.key + "=" if isinstance(it, Pair) else getattr(getattr(it, "token", None), "value", "(")
            fail(f"{where}: item {what!s} is not supported", line, col,
                 hint="supported items: p,m  p  c:  nX  nZ  C'..'  nC'..'  X'..'  SEQNUM,n,f")
        column = None
    if not items:
        fail(f"{where}: nothing to build", *_where(node))
    if mode == "overlay" and any(it.kind == "field" and it.length is None for it in items):
        fail(f"{where}: OVERLAY items need a length", *_where(node))
    return Reformat(mode, items, where)


def _reformat_operands(stmt: Statement, where: str) -> Reformat:
    result = None
    for op in stmt.operands:
        if isinstance(op, Pair) and op.key in ("BUILD", "FIELDS", "OUTREC", "OVERLAY"):
            if result is not None:
                fail(f"{where}: only one of BUILD=, FIELDS=, OVERLAY= is allowed", *_where(op))
            result = _reformat("overlay" if op.key == "OVERLAY" else "build", op.value, where)
        else:
            fail(f"{where}: operand not supported", *_where(op),
                 hint="use BUILD=(...), FIELDS=(...) or OVERLAY=(...)")
    if result is None:
        fail(f"{where} needs BUILD=, FIELDS= or OVERLAY=", stmt.line, stmt.col)
    return result


# ------------------------------------------------------------------ statements

def _sort_statement(stmt: Statement, control: Control, options: dict) -> None:
    fields_node, fmt = None, None
    for op in stmt.operands:
        if isinstance(op, Pair) and op.key == "FIELDS":
            fields_node = op.value
        elif isinstance(op, Pair) and op.key == "FORMAT":
            fmt = _word(op.value, "a format")
            if fmt not in KEY_FORMATS:
                fail(f"{stmt.name}: FORMAT={fmt} is not supported", *_where(op))
        elif isinstance(op, Pair) and op.key in ("SKIPREC", "STOPAFT"):
            options.setdefault(op.key, ("stmt", _int(op.value, op.key, 0)))
        elif _is_word(op, "EQUALS", "NOEQUALS"):
            options.setdefault("EQUALS", ("stmt", op.token.value == "EQUALS"))
        elif (isinstance(op, Pair) and op.key in _HINTS) or _is_word(op, *_HINTS):
            pass
        else:
            name = op.key if isinstance(op, Pair) else getattr(getattr(op, "token", None), "value", "?")
            fail(f"{stmt.name}: operand {name} is not supported", *_where(op))
    if fields_node is None:
        fail(f"{stmt.name} needs FIELDS=", stmt.line, stmt.col)
    control.mode = stmt.name.lower()
    if _is_word(fields_node, "COPY") or (isinstance(fields_node, Group) and len(fields_node.items) == 1
                                         and _is_word(fields_node.items[0], "COPY")):
        control.mode = "copy"
        return
    control.keys = _keys(fields_node, fmt, stmt.name)


def _option(stmt: Statement, options: dict) -> bool:
    copy = False
    for op in stmt.operands:
        if _is_word(op, "COPY"):
            copy = True
        elif _is_word(op, "EQUALS", "NOEQUALS"):
            options["EQUALS"] = ("option", op.token.value == "EQUALS")
        elif isinstance(op, Pair) and op.key in ("SKIPREC", "STOPAFT"):
            options[op.key] = ("option", _int(op.value, op.key, 0))
        elif isinstance(op, Pair) and op.key in ("PAD", "TRUNC", "NULLOUT", "NULLOFL"):
            value = _word(op.value, f"{op.key}=RC0|RC4|RC16")
            if value not in ("RC0", "RC4", "RC16"):
                fail(f"OPTION {op.key}={value}: use RC0, RC4 or RC16", *_where(op.value))
            options[op.key] = ("option", int(value[2:]))
        elif (isinstance(op, Pair) and op.key in _HINTS) or _is_word(op, *_HINTS):
            pass
        else:
            name = op.key if isinstance(op, Pair) else getattr(getattr(op, "token", None), "value", "?")
            fail(f"OPTION {name} is not supported", *_where(op),
                 hint="supported: COPY, EQUALS, NOEQUALS, SKIPREC=, STOPAFT=, PAD=, TRUNC=, NULLOUT=")
    return copy


def _sum(stmt: Statement) -> list[Field]:
    node = None
    for op in stmt.operands:
        if isinstance(op, Pair) and op.key == "FIELDS":
            node = op.value
        else:
            fail("SUM: operand not supported", *_where(op), hint="SUM FIELDS=(p,m,f,...) or SUM FIELDS=NONE")
    if node is None:
        fail("SUM needs FIELDS=", stmt.line, stmt.col)
    if _is_word(node, "NONE") or (isinstance(node, Group) and len(node.items) == 1
                                  and _is_word(node.items[0], "NONE")):
        return []
    items = _list(node)
    fields, i = [], 0
    while i < len(items):
        if i + 2 >= len(items):
            fail("SUM FIELDS: each field needs p,m,f", *_where(items[i]))
        pos = _int(items[i], "the position", 1)
        length = _int(items[i + 1], "the length", 1)
        fmt = _word(items[i + 2], "a format")
        if fmt not in SUM_FORMATS:
            fail(f"SUM FIELDS: format {fmt} is not supported (ZD, PD, BI, FI are)", *_where(items[i + 2]))
        if (fmt == "ZD" and length > 18) or (fmt == "PD" and length > 9) or (fmt in ("BI", "FI") and length > 8):
            fail(f"SUM FIELDS: {pos},{length},{fmt} is longer than densan sums "
                 "(18 digits: ZD 18, PD 9, BI/FI 8 bytes)", *_where(items[i]))
        fields.append(Field(pos, length, fmt, items[i].line, items[i].col))
        i += 3
    return fields


def _outfil(stmt: Statement) -> Outfil:
    out = Outfil([], line=stmt.line)
    where = "OUTFIL"
    for op in stmt.operands:
        if isinstance(op, Pair) and op.key in ("FNAMES", "FNAME"):
            names = [_word(n, "a DD name") for n in _list(op.value)]
            out.fnames.extend(names)
            where = f"OUTFIL {names[0]}"
    for op in stmt.operands:
        if isinstance(op, Pair) and op.key in ("FNAMES", "FNAME"):
            continue
        if isinstance(op, Pair) and op.key in ("INCLUDE", "OMIT"):
            if out.cond is not None or out.save:
                fail(f"{where}: only one of INCLUDE=, OMIT=, SAVE is allowed", *_where(op))
            omit = op.key == "OMIT"
            if _is_word(op.value, "ALL", "NONE"):
                out.cond = Cond(None, omit, all=(op.value.token.value == "ALL") != omit)
            else:
                if not isinstance(op.value, Group):
                    fail(f"{where}: {op.key}= needs (conditions)", *_where(op))
                node = op.value
                if node.items and isinstance(node.items[0], Pair):   # INCLUDE=(COND=(...),FORMAT=f)
                    out.cond = _cond_operand(f"{where} {op.key}", node.items, omit, op.line, op.col)
                else:
                    out.cond = Cond(_condition(node, None, f"{where} {op.key}"), omit)
        elif _is_word(op, "SAVE"):
            if out.cond is not None:
                fail(f"{where}: only one of INCLUDE=, OMIT=, SAVE is allowed", *_where(op))
            out.save = True
        elif isinstance(op, Pair) and op.key in ("BUILD", "OUTREC", "FIELDS", "OVERLAY"):
            if out.reformat is not None:
                fail(f"{where}: only one of BUILD=, OUTREC=, OVERLAY= is allowed", *_where(op))
            out.reformat = _reformat("overlay" if op.key == "OVERLAY" else "build", op.value, where)
        elif isinstance(op, Pair) and op.key in ("STARTREC", "ENDREC"):
            setattr(out, op.key.lower(), _int(op.value, op.key, 1))
        else:
            name = op.key if isinstance(op, Pair) else getattr(getattr(op, "token", None), "value", "?")
            fail(f"{where}: operand {name} is not supported", *_where(op),
                 hint="supported: FNAMES=, INCLUDE=, OMIT=, SAVE, BUILD=/OUTREC=/OVERLAY=, STARTREC=, ENDREC=")
    if not out.fnames:
        out.fnames = ["SORTOUT"]
    return out


def compile_statements(text: str) -> Control:
    """Parse SYSIN text into a Control plan, checking DFSORT's rules."""
    control = Control()
    options: dict = {}
    seen: dict[str, Statement] = {}
    option_copy = False
    for stmt in parse(text):
        name = stmt.name
        if name == "END":
            break
        if name in ("SORT", "MERGE", "INCLUDE", "OMIT", "INREC", "OUTREC", "SUM"):
            key = "INCLUDE/OMIT" if name in ("INCLUDE", "OMIT") else name
            if key in seen:
                prev = seen[key]
                fail(f"{name}: a second {key} statement (the first is on line {prev.line})",
                     stmt.line, stmt.col)
            seen[key] = stmt
        if name in ("SORT", "MERGE"):
            if "SORT/MERGE" in seen:
                fail(f"{name}: only one SORT or MERGE statement is allowed", stmt.line, stmt.col)
            seen["SORT/MERGE"] = stmt
            _sort_statement(stmt, control, options)
        elif name == "OPTION":
            option_copy = _option(stmt, options) or option_copy
            seen["OPTION"] = stmt
        elif name in ("INCLUDE", "OMIT"):
            control.cond = _cond_operand(name, stmt.operands, name == "OMIT", stmt.line, stmt.col)
        elif name in ("INREC", "OUTREC"):
            ref = _reformat_operands(stmt, name)
            setattr(control, name.lower(), ref)
        elif name == "SUM":
            control.sum = _sum(stmt)
        elif name == "OUTFIL":
            control.outfils.append(_outfil(stmt))
        else:
            fail(f"statement {name} is not supported", stmt.line, stmt.col,
                 hint="densan supports SORT, MERGE, OPTION, INCLUDE, OMIT, INREC, OUTREC, SUM, OUTFIL, END")
    if "SORT/MERGE" in seen and option_copy:
        s = seen["SORT/MERGE"]
        fail(f"OPTION COPY and a {s.name} statement (line {s.line}) cannot both be given",
             seen["OPTION"].line, seen["OPTION"].col)
    if "SORT/MERGE" not in seen and not option_copy:
        fail("no SORT, MERGE or OPTION COPY statement", 1, 1,
             hint="give exactly one of SORT FIELDS=..., MERGE FIELDS=..., OPTION COPY")
    if option_copy:
        control.mode = "copy"
    for name in ("SKIPREC", "STOPAFT"):
        if name in options:
            setattr(control, name.lower(), options[name][1])
    for name in ("PAD", "TRUNC", "NULLOUT"):
        if name in options:
            setattr(control, name.lower() + "_rc", options[name][1])
    if "EQUALS" in options:
        control.equals = options["EQUALS"][1]
    if control.sum is not None and control.mode == "copy":
        s = seen["SUM"]
        fail("SUM needs SORT or MERGE keys; it cannot be used with COPY", s.line, s.col)
    if control.mode == "merge" and control.skiprec:
        fail("SKIPREC cannot be used with MERGE", seen["SORT/MERGE"].line, seen["SORT/MERGE"].col)
    names = [n for o in control.outfils for n in o.fnames]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        fail(f"OUTFIL: {sorted(dup)[0]} is named by more than one OUTFIL", control.outfils[0].line, 1)
    return control
