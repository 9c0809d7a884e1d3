"""The plan a set of DFSORT control statements compiles to: what to do, not how.
Built by statements.py, run by plan.py."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    pos: int        # 1-based
    length: int
    fmt: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        return f"{self.pos},{self.length},{self.fmt}"


@dataclass(frozen=True)
class Key:
    field: Field
    descending: bool


@dataclass(frozen=True)
class Constant:
    kind: str        # C (text, encoded in the data's code page), X / B (bytes), N (decimal number)
    value: object    # str for C, bytes for X/B, int for N
    line: int = 0
    col: int = 0


@dataclass
class Compare:
    left: Field
    op: str
    right: "Field | Constant"


@dataclass
class BoolOp:
    op: str          # AND / OR
    terms: list


@dataclass
class Cond:
    """An INCLUDE/OMIT condition; `omit` inverts it. expr None: COND=ALL (or NONE, all=False)."""
    expr: "Compare | BoolOp | None"
    omit: bool = False
    all: bool = True


@dataclass
class Item:
    """One BUILD/OVERLAY item. kind: field (pos, length; length None = to the end),
    const (value: Constant, repeated), blank/zero (count), seqnum (length, fmt, start, incr)."""
    kind: str
    column: int | None = None
    pos: int = 0
    length: int | None = None
    value: Constant | None = None
    count: int = 1
    fmt: str = "ZD"
    start: int = 1
    incr: int = 1
    line: int = 0
    col: int = 0


@dataclass
class Reformat:
    mode: str                     # build / overlay
    items: list[Item]
    where: str = ""               # "INREC", "OUTREC", "OUTFIL OUT1"


@dataclass
class Outfil:
    fnames: list[str]
    cond: Cond | None = None
    save: bool = False
    reformat: Reformat | None = None
    startrec: int | None = None
    endrec: int | None = None
    line: int = 0


@dataclass
class Control:
    mode: str = "sort"                     # sort / merge / copy
    keys: list[Key] = field(default_factory=list)
    equals: bool = True
    skiprec: int = 0
    stopaft: int | None = None
    cond: Cond | None = None
    inrec: Reformat | None = None
    outrec: Reformat | None = None
    sum: list[Field] | None = None          # [] = SUM FIELDS=NONE
    outfils: list[Outfil] = field(default_factory=list)
    pad_rc: int = 0                        # OPTION PAD=RCn: SORTOUT LRECL longer than the records
    trunc_rc: int = 0                      # OPTION TRUNC=RCn: shorter (16: refuse)
    nullout_rc: int = 0                    # OPTION NULLOUT=RCn: SORTOUT empty
