"""Numeric-edited fields (print images): PICTURE symbols 9 Z * . , B 0 / + - CR
DB $ and V, with BLANK WHEN ZERO.

Images are formatted the way a COBOL MOVE to the field does (zero suppression,
floating + - $ insertion, fixed signs, CR/DB) and parsed back by taking the
digit positions. Both run once per distinct value: edited fields live in
reports, where values repeat, and the work is string layout, not arithmetic.
The decimal point is '.' (DECIMAL-POINT IS COMMA is not supported).
"""
from __future__ import annotations

import re

import numpy as np

_DIGIT = set("9Z*")


def _tokens(expanded: str) -> list[str]:
    out, i = [], 0
    s = expanded.upper()
    while i < len(s):
        if s[i:i + 2] in ("CR", "DB"):
            out.append(s[i:i + 2])
            i += 2
        else:
            out.append(s[i])
            i += 1
    return [t for t in out if t not in ("V", "S", "P")]


class EditedCodec:
    kind = "numeric-edited"
    wide = False

    def __init__(self, *, picture, size: int, codepage, blank_when_zero: bool = False):
        self.pic = picture
        self.size = size
        self.cp = codepage
        self.bwz = blank_when_zero
        self.tokens = _tokens(picture.expanded)
        self.scale = max(picture.scale, 0)
        toks = self.tokens
        # a floating string: two or more of the same + - $ (first is not a digit position)
        self.floating = None
        for sym in "+-$":
            idx = [i for i, t in enumerate(toks) if t == sym]
            if len(idx) > 1:
                self.floating = (sym, idx[0], idx[-1])
        self.digit_pos = [i for i, t in enumerate(toks) if t in _DIGIT or (
            self.floating and t == self.floating[0] and self.floating[1] < i <= self.floating[2])]
        self.point = toks.index(".") if "." in toks else None
        self.n_digits = len(self.digit_pos)

    # ------------------------------------------------------------- format
    def format(self, v: int) -> str:
        """The image COBOL gives for unscaled value `v` (already at this scale)."""
        toks = self.tokens
        neg = v < 0
        digits = str(abs(v)).rjust(self.n_digits, "0")
        if len(digits) > self.n_digits:
            raise OverflowError
        if v == 0 and self.bwz:
            return " " * self.size
        out = [""] * len(toks)
        di = 0
        dval = {}
        for i in self.digit_pos:
            dval[i] = digits[di]
            di += 1
        # significance starts at the first nonzero digit, a '9' or the decimal point
        start = len(toks)
        for i, t in enumerate(toks):
            if (i in dval and (dval[i] != "0" or t == "9")) or t == ".":
                start = i
                break
        star = "*" in toks
        if v == 0 and all(toks[i] != "9" for i in self.digit_pos):
            # a zero value in an all-suppression picture: spaces, or '*' but the point
            if star:
                return "".join("." if t == "." else "*" for t in toks).ljust(self.size)
            return " " * self.size
        fl = self.floating
        for i, t in enumerate(toks):
            suppressed = i < start
            if i in dval and not (fl and t == fl[0]):
                if t == "9" or not suppressed:
                    out[i] = dval[i]
                else:
                    out[i] = "*" if t == "*" else " "
            elif fl and t == fl[0] and fl[1] <= i <= fl[2]:
                if i in dval and not suppressed:
                    out[i] = dval[i]
                else:
                    out[i] = " "
            elif t in (",", "B", "0", "/"):
                ch = {"B": " "}.get(t, t)
                out[i] = ch if not suppressed else ("*" if star else " ")
            elif t == ".":
                out[i] = "."
            elif t == "+":
                out[i] = "-" if neg else "+"
            elif t == "-":
                out[i] = "-" if neg else " "
            elif t in ("CR", "DB"):
                out[i] = t if neg else "  "
            elif t == "$":
                out[i] = "$"
            else:
                out[i] = t
        if fl:
            sym, first, last = fl
            # the floating symbol goes just left of the first significant position
            place = min(start, last + 1) - 1
            place = max(place, first)
            ch = sym if sym == "$" else ("-" if neg else ("+" if sym == "+" else " "))
            out[place] = ch
        return "".join(out)

    def encode(self, values: np.ndarray):
        v = np.asarray(values)
        if v.ndim == 2:                  # int128 [low, high] pairs (more than 18 digits)
            v = np.array([_pair_to_int(lo, hi) for lo, hi in v.tolist()], dtype=object) \
                if len(v) else np.zeros(0, dtype=object)
        uniq, inv = np.unique(v, return_inverse=True)
        rows = np.empty((len(uniq), self.size), dtype=np.uint8)
        err = np.zeros(len(uniq), dtype=bool)
        for i, x in enumerate(uniq.tolist()):
            try:
                img = self.format(int(x))
                if int(x) < 0 and not any(t in ("+", "-", "CR", "DB") for t in self.tokens):
                    raise OverflowError
                rows[i] = np.frombuffer(self.cp.encode(img.ljust(self.size)[:self.size]), np.uint8)
            except OverflowError:
                rows[i] = self.cp.space
                err[i] = True
        inv = inv.ravel()
        return rows[inv], err[inv], (f"more than {self.n_digits} digits, or negative into a "
                                     "picture without a sign")

    # ------------------------------------------------------------- parse
    def decode(self, raw: np.ndarray):
        n, w = raw.shape
        if w == 0 or n == 0:
            return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        view = np.ascontiguousarray(raw).view(f"V{w}").ravel()
        uniq, inv = np.unique(view, return_inverse=True)
        wide = self.n_digits > 18        # values as int128 [low, high] pairs, like zoned
        vals = np.zeros((len(uniq), 2) if wide else len(uniq), dtype=np.int64)
        bad = np.zeros(len(uniq), dtype=bool)
        for i, u in enumerate(uniq):     # once per distinct print image, not per record
            got = self.parse(self.cp.decode(bytes(u)))
            if got is None:
                bad[i] = True
            elif wide:
                vals[i] = _int_to_pair(got)
            else:
                vals[i] = got
        inv = inv.ravel()
        return vals[inv], bad[inv]

    def parse(self, image: str) -> int | None:
        if len(image) != len(self.tokens) and len(image) != self.size:
            return None
        if image.strip() == "" and (self.bwz or all(self.tokens[i] != "9" for i in self.digit_pos)):
            return 0
        ds = []
        for i in self.digit_pos:
            ch = image[i] if i < len(image) else " "
            if ch.isdigit():
                ds.append(ch)
            elif ch in " *" or (self.floating and ch == self.floating[0]) or ch in "+-$":
                ds.append("0")
            else:
                return None
        neg = "-" in image or bool(re.search(r"CR|DB", image))
        v = int("".join(ds) or "0")
        return -v if neg else v



def _int_to_pair(v: int) -> tuple[int, int]:
    """A Python int as the signed [low, high] int64 halves of an int128."""
    u = v & ((1 << 128) - 1)
    lo, hi = u & ((1 << 64) - 1), u >> 64
    return (lo - (1 << 64) if lo >= 1 << 63 else lo), (hi - (1 << 64) if hi >= 1 << 63 else hi)


def _pair_to_int(lo: int, hi: int) -> int:
    return (hi << 64) | (lo & ((1 << 64) - 1))
