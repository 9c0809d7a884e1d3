"""INCLUDE / OMIT conditions evaluated over whole columns: one boolean per record.

Character tests (CH, AC, BI against C''/X''/B'') compare bytes unsigned, in the data's own
code page. A constant shorter than the field is padded (C'' with blanks of the code page,
X''/B'' with X'00') and a longer one truncated [U]. Two CH fields of different lengths
compare as if the shorter were padded with blanks [U]. Numeric tests (ZD, PD, FI, and BI
against a decimal number) compare values, through the order-preserving key of keys.py,
so any length works and -0 equals 0. SS searches: a constant longer than the field is
a list the field must occur in (at any position); a field longer than the constant is
searched for the constant.
"""
from __future__ import annotations

import numpy as np

from engine.errors import SortStatementError
from engine.sort import formats
from engine.sort.keys import check_numeric, compare_rows, field_block, numeric_key
from engine.sort.batch import Batch, CodePageInfo, Sources
from engine.sort.model import BoolOp, Compare, Cond, Constant, Field

_OPS = {"EQ": lambda c: c == 0, "NE": lambda c: c != 0, "GT": lambda c: c > 0,
        "GE": lambda c: c >= 0, "LT": lambda c: c < 0, "LE": lambda c: c <= 0}


class Evaluator:
    def __init__(self, batch: Batch, cp: CodePageInfo, sources: Sources, what: str):
        self.batch, self.cp, self.sources, self.what = batch, cp, sources, what

    def mask(self, cond: Cond) -> np.ndarray:
        n = len(self.batch)
        if cond.expr is None:
            return np.full(n, cond.all)
        keep = self.expr(cond.expr)
        return ~keep if cond.omit else keep

    def expr(self, node) -> np.ndarray:
        if isinstance(node, BoolOp):
            result = self.expr(node.terms[0])
            for term in node.terms[1:]:
                result = (result & self.expr(term)) if node.op == "AND" else (result | self.expr(term))
            return result
        return self.compare(node)

    # -------------------------------------------------------------- tests

    def compare(self, c: Compare) -> np.ndarray:
        f = c.left
        if f.fmt == "SS":
            return self.substring(c)
        if isinstance(c.right, Field):
            if f.fmt in ("CH", "AC"):
                cmp = self.text_vs_field(f, c.right)
            else:
                cmp = self.number_vs_field(f, c.right)
        elif c.right.kind == "N":
            cmp = self.number_vs_constant(f, c.right.value)
        else:
            cmp = self.bytes_vs_constant(f, c.right)
        return _OPS[c.op](cmp)

    def block(self, f: Field) -> np.ndarray:
        return field_block(self.batch, f, self.sources, self.what)

    def constant_bytes(self, const: Constant, length: int | None) -> bytes:
        raw = self.cp.encode(const.value) if const.kind == "C" else const.value
        if length is None:
            return raw
        pad = bytes([self.cp.space]) if const.kind == "C" else b"\x00"
        return raw[:length] + pad * (length - len(raw))

    def bytes_vs_constant(self, f: Field, const: Constant) -> np.ndarray:
        block = self.block(f)
        value = np.frombuffer(self.constant_bytes(const, f.length), np.uint8)
        if f.fmt == "AC":
            return compare_rows(self.cp.ascii_rank[block], self.cp.ascii_rank[value])
        return compare_rows(block, value)

    def text_vs_field(self, a: Field, b: Field) -> np.ndarray:
        left, right = self.block(a), self.block(b)
        width = max(a.length, b.length)
        left, right = _pad(left, width, self.cp.space), _pad(right, width, self.cp.space)
        if a.fmt == "AC":
            left, right = self.cp.ascii_rank[left], self.cp.ascii_rank[right]
        return compare_rows(left, right)

    def digits(self, f: Field) -> tuple[np.ndarray, np.ndarray]:
        if f.fmt in ("BI", "FI") and f.length > 8:
            raise SortStatementError(f"{self.what}: {f} (line {f.line}) is compared as a number, "
                                     "which densan does for BI/FI fields of up to 8 bytes")
        block = self.block(f)
        neg, digits, bad = formats.decimal_digits(block, f.fmt, self.cp.is_ebcdic)
        check_numeric(self.batch, block, bad, f, self.sources, self.what)
        return neg, digits

    def number_vs_constant(self, f: Field, value: int) -> np.ndarray:
        neg, digits = self.digits(f)
        text = str(abs(value))
        width = max(digits.shape[1], len(text))
        left = numeric_key(neg, digits, width)
        cdigits = np.frombuffer(text.encode(), np.uint8)[None, :] - np.uint8(0x30)
        right = numeric_key(np.array([value < 0]), cdigits, width)[0]
        return compare_rows(left, right)

    def number_vs_field(self, a: Field, b: Field) -> np.ndarray:
        na, da = self.digits(a)
        nb, db = self.digits(b)
        width = max(da.shape[1], db.shape[1])
        return compare_rows(numeric_key(na, da, width), numeric_key(nb, db, width))

    def substring(self, c: Compare) -> np.ndarray:
        block = self.block(c.left)
        const = self.constant_bytes(c.right, None)
        m, k = block.shape[1], len(const)
        found = np.zeros(len(block), bool)
        if k >= m:       # the field must be one of the constant's substrings
            for piece in {const[i:i + m] for i in range(k - m + 1)}:
                found |= (block == np.frombuffer(piece, np.uint8)).all(axis=1)
        else:            # the constant must occur somewhere in the field
            target = np.frombuffer(const, np.uint8)
            for i in range(m - k + 1):
                found |= (block[:, i:i + k] == target).all(axis=1)
        eq = found
        return eq if c.op == "EQ" else ~eq


def _pad(block: np.ndarray, width: int, fill: int) -> np.ndarray:
    if block.shape[1] == width:
        return block
    out = np.full((len(block), width), fill, np.uint8)
    out[:, :block.shape[1]] = block
    return out


def condition_mask(cond: Cond, batch: Batch, cp: CodePageInfo, sources: Sources, what: str) -> np.ndarray:
    return Evaluator(batch, cp, sources, what).mask(cond)
