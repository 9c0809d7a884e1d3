"""DFSORT control statement syntax: lines -> statements -> operand trees.

The rules are DFSORT's: column 1 holds a label or is blank (except that a
statement name with operands there is read as the statement, since YAML block
scalars strip the leading blank); `*` in column 1 is a
comment line; the operation name follows the label (or the leading blanks); the
operands run to the first blank outside a quoted constant, and anything after
that blank is a remark. A statement continues on the next line when its operands
end with a comma, or when column 72 is not blank. Columns 73-80 are ignored.

This module knows nothing of what a statement means; `statements.py` does.
Every token keeps its line and column so that errors can point at it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.errors import SortStatementError


@dataclass(frozen=True)
class Token:
    kind: str          # num word const lp rp comma eq colon amp bar
    value: object      # int for num; upper-case str for word; str for const (body)
    line: int
    col: int
    ctype: str = ""    # const: C, X or B
    repeat: int = 1    # const: nC'..'


@dataclass
class Atom:
    token: Token

    @property
    def line(self) -> int:
        return self.token.line

    @property
    def col(self) -> int:
        return self.token.col


@dataclass
class Group:
    """A parenthesised list: `(a,b,(c,d),K=v)`."""
    items: list
    line: int
    col: int


@dataclass
class Pair:
    """`KEY=value`; value is an Atom or a Group."""
    key: str
    value: object
    line: int
    col: int


@dataclass
class ColumnMark:
    """`c:` in a BUILD/OVERLAY list: the next item starts at output column c."""
    column: int
    line: int
    col: int


@dataclass
class Statement:
    name: str
    operands: list = field(default_factory=list)   # Pair | Atom | Group
    line: int = 0
    col: int = 0


MAX_REPEAT = 4095     # nC'..', nX, nZ: DFSORT's largest repetition


def fail(message: str, line: int, col: int, hint: str | None = None) -> None:
    raise SortStatementError(f"SYSIN line {line} column {col}: {message}", hint=hint)


# ------------------------------------------------------------------ lines

_OPERATION_NAMES = {"SORT", "MERGE", "OPTION", "INCLUDE", "OMIT", "INREC", "OUTREC", "SUM",
                    "OUTFIL", "RECORD", "END", "ALTSEQ", "JOINKEYS", "JOIN", "REFORMAT",
                    "MODS", "DEBUG"}


def _read_operands(text: str, start: int) -> int:
    """Index just past the operand field that begins at `start` (first blank outside quotes)."""
    i, quoted = start, False
    while i < len(text):
        ch = text[i]
        if ch == "'":
            quoted = not quoted   # '' inside a constant flips twice: still inside
        elif ch == " " and not quoted:
            break
        i += 1
    return i


def _check_quotes(operands: str, raw: str, line: int, col: int) -> None:
    if operands.count("'") % 2:
        if len(raw) > 71:
            fail("a constant runs past column 71 (columns 72-80 are not operands)", line, col,
                 "end the line after a comma and continue the operands on the next line")
        fail("a constant is not closed on this line", line, col,
             "close the quote; continue the operands after a comma on the next line")


def split_statements(text: str) -> list[tuple[str, int, int, list[tuple[str, int, int]]]]:
    """(operation, line, col, [(operand text, line, start col), ...]) per statement."""
    out: list = []
    continuing = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        raw = raw.rstrip("\r\n").expandtabs(1)
        if not raw.strip():
            continue
        if raw.startswith("*"):
            continue
        body = raw[:71]
        col72 = len(raw) >= 72 and raw[71] != " "
        if continuing:
            i = len(body) - len(body.lstrip(" "))
            if i >= len(body):
                continue
            j = _read_operands(body, i)
            _check_quotes(body[i:j], raw, lineno, i + 1)
            out[-1][3].append((body[i:j], lineno, i + 1))
            continuing = body[i:j].endswith(",") or col72
            last_line, last_col72 = lineno, col72
            continue
        i = 0
        if body[0] != " ":                      # label in column 1
            j = body.find(" ")
            label = body if j < 0 else body[:j]
            rest = "" if j < 0 else body[j:].strip()
            # A statement name with its operands in column 1 is taken as the statement,
            # not as a label: inline SYSIN in a YAML block scalar loses its leading
            # blank, and DFSORT would reject the line anyway (there is no such label use).
            # A label is followed by an operation name: OPTION EQUALS is the statement
            # OPTION (EQUALS is no operation), SORT SORT FIELDS=… a label SORT and a statement.
            if label.upper() in _OPERATION_NAMES and (not rest or rest.split(" ")[0].upper()
                                                      not in _OPERATION_NAMES):
                i = 0
            else:
                i = len(body) if j < 0 else j
        while i < len(body) and body[i] == " ":
            i += 1
        if i >= len(body):
            continue                            # a label alone
        j = i
        while j < len(body) and body[j] != " ":
            j += 1
        name, name_col = body[i:j].upper(), i + 1
        while j < len(body) and body[j] == " ":
            j += 1
        k = _read_operands(body, j)
        _check_quotes(body[j:k], raw, lineno, j + 1)
        ops = [(body[j:k], lineno, j + 1)] if k > j else []
        out.append((name, lineno, name_col, ops))
        continuing = (k > j and body[j:k].endswith(",")) or col72
        last_line, last_col72 = lineno, col72
    if continuing:
        why = "column 72 is not blank" if last_col72 else "the operands end with a comma"
        fail(f"{why}, so the statement continues, but no line follows", last_line,
             72 if last_col72 else 1, "operands go in columns 2-71; column 72 marks a continuation")
    return out


# ------------------------------------------------------------------ tokens

_CONST = re.compile(r"(\d*)([CXB])'((?:[^']|'')*)'", re.IGNORECASE)
_NUM = re.compile(r"[+-]?\d+")
_WORD = re.compile(r"[A-Z0-9#@$]+(?:\.[0-9]+)?", re.IGNORECASE)


def tokenize(pieces: list[tuple[str, int, int]]) -> list[Token]:
    tokens: list[Token] = []
    for text, line, col0 in pieces:
        i = 0
        while i < len(text):
            ch, col = text[i], col0 + i
            if ch in "(),=&|:":
                kind = {"(": "lp", ")": "rp", ",": "comma", "=": "eq", "&": "amp", "|": "bar",
                        ":": "colon"}[ch]
                tokens.append(Token(kind, ch, line, col))
                i += 1
                continue
            m = _CONST.match(text, i)
            if m:
                repeat = int(m.group(1)) if m.group(1) else 1
                if not 1 <= repeat <= MAX_REPEAT:
                    fail(f"a constant repeated {repeat} times: DFSORT allows 1 to {MAX_REPEAT}", line, col)
                tokens.append(Token("const", m.group(3).replace("''", "'"), line, col,
                                    ctype=m.group(2).upper(), repeat=repeat))
                i = m.end()
                continue
            m = _NUM.match(text, i)
            if m and (m.end() == len(text) or not (text[m.end()].isalpha() or text[m.end()] == ".")):
                tokens.append(Token("num", int(m.group()), line, col))
                i = m.end()
                continue
            m = _WORD.match(text, i)
            if m:
                tokens.append(Token("word", m.group().upper(), line, col))
                i = m.end()
                continue
            fail(f"unexpected character {ch!r} in the operands", line, col)
    return tokens


# ------------------------------------------------------------------ operand trees

class _Parser:
    def __init__(self, tokens: list[Token], stmt_line: int, stmt_col: int):
        self.t, self.i = tokens, 0
        self.line, self.col = stmt_line, stmt_col

    def peek(self) -> Token | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            last = self.t[-1] if self.t else None
            fail("the operands end too early", last.line if last else self.line,
                 last.col + 1 if last else self.col)
        self.i += 1
        return tok

    def items(self, closing: str | None) -> list:
        out: list = []
        while True:
            tok = self.peek()
            if tok is None or (closing and tok.kind == closing):
                if out and isinstance(out[-1], ColumnMark):
                    fail("a column 'c:' must be followed by an item", out[-1].line, out[-1].col)
                return out
            if tok.kind in ("amp", "bar"):
                self.i += 1
                out.append(Atom(Token("word", "AND" if tok.kind == "amp" else "OR", tok.line, tok.col)))
                if self.peek() is not None and self.peek().kind == "comma":
                    self.i += 1
                continue
            out.append(self.item())
            nxt = self.peek()
            if nxt is None or nxt.kind in ("rp", "amp", "bar"):
                continue
            if isinstance(out[-1], ColumnMark):
                continue
            if nxt.kind != "comma":
                fail(f"expected ',' but found {nxt.value!r}", nxt.line, nxt.col)
            self.i += 1
            after = self.peek()
            if after is None or after.kind == "rp":
                fail("an operand is missing after ','", nxt.line, nxt.col)

    def item(self):
        tok = self.take()
        if tok.kind == "lp":
            items = self.items("rp")
            close = self.peek()
            if close is None or close.kind != "rp":
                fail("')' is missing for the '(' here", tok.line, tok.col)
            self.i += 1
            return Group(items, tok.line, tok.col)
        if tok.kind == "num" and self.peek() is not None and self.peek().kind == "colon":
            self.i += 1
            return ColumnMark(tok.value, tok.line, tok.col)
        if tok.kind == "word" and self.peek() is not None and self.peek().kind == "eq":
            self.i += 1
            value = self.item()
            if isinstance(value, (ColumnMark, Pair)):
                fail(f"{tok.value}= needs a value", tok.line, tok.col)
            return Pair(tok.value, value, tok.line, tok.col)
        if tok.kind in ("num", "word", "const"):
            return Atom(tok)
        fail(f"unexpected {tok.value!r}", tok.line, tok.col)


def parse(text: str) -> list[Statement]:
    """Parse SYSIN text into statements with operand trees."""
    statements = []
    for name, line, col, pieces in split_statements(text):
        tokens = tokenize(pieces)
        p = _Parser(tokens, line, col)
        operands = p.items(None)
        if p.peek() is not None:
            tok = p.peek()
            fail(f"unexpected {tok.value!r}", tok.line, tok.col)
        statements.append(Statement(name, operands, line, col))
    return statements
