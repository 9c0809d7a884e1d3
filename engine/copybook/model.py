"""The record layout a copybook describes: the contract between the copybook
compiler (parser.py, which builds it) and the record codec (engine.records,
which decodes and encodes bytes through it).

Offsets are 0-based byte offsets from the start of the record, computed for the
*first* occurrence of every OCCURS and for the *maximum* size of every
OCCURS DEPENDING ON table. A layout containing ODO is resolved to a fixed one
per combination of counter values with `Layout.resolve`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Iterator


class Usage(str, Enum):
    DISPLAY = "DISPLAY"          # zoned numerics, text
    BINARY = "BINARY"            # COMP, COMP-4, BINARY: size by digits (dialect), big-endian
    COMP5 = "COMP-5"             # native binary: byte order by dialect
    PACKED = "COMP-3"            # COMP-3, PACKED-DECIMAL
    FLOAT4 = "COMP-1"            # single float: IBM hex (host) or IEEE by option
    FLOAT8 = "COMP-2"            # double float
    NATIONAL = "NATIONAL"        # PIC N: UTF-16 (2 bytes a character)
    DBCS = "DISPLAY-1"           # PIC G / PIC N USAGE DISPLAY-1: DBCS, no shift bytes
    INDEX = "INDEX"              # 4-byte binary
    POINTER = "POINTER"          # 4 or 8 bytes, kept raw


class Category(str, Enum):
    GROUP = "group"
    ALPHABETIC = "alphabetic"                    # PIC A
    ALPHANUMERIC = "alphanumeric"                # PIC X
    ALPHANUMERIC_EDITED = "alphanumeric-edited"  # PIC X with B 0 /
    NUMERIC = "numeric"                          # PIC 9 S V P
    NUMERIC_EDITED = "numeric-edited"            # PIC Z * + - CR DB , . B 0 /
    NATIONAL = "national"                        # PIC N
    DBCS = "dbcs"                                # PIC G


@dataclass(frozen=True)
class Picture:
    """A PICTURE string, analysed. `value = unscaled_integer * 10 ** -scale`."""
    source: str           # as written: 'S9(9)V99'
    expanded: str         # repetitions expanded, upper case: 'S999999999V99'
    category: Category
    length: int           # character positions (display length before USAGE)
    digits: int = 0       # digit positions (9, Z, *, and floating symbols that hold digits); P not counted
    scale: int = 0        # digits right of V, plus P positions; negative when P is right of the digits
    signed: bool = False  # S present (or an editing sign)


@dataclass(frozen=True)
class SourceLocation:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Condition:
    """A level-88 condition name: true when the field's value is one of `values`
    or in one of the THRU ranges `(low, high)`. Values are str for text fields,
    Decimal for numerics; the figurative constants SPACES / ZEROS / HIGH-VALUES /
    LOW-VALUES are stored as the strings 'SPACES', 'ZEROS', 'HIGH-VALUES',
    'LOW-VALUES' wrapped in `Figurative`."""
    name: str
    values: list[str | Decimal | "Figurative"] = field(default_factory=list)
    ranges: list[tuple[str | Decimal, str | Decimal]] = field(default_factory=list)
    location: SourceLocation | None = None


@dataclass(frozen=True)
class Figurative:
    name: str  # 'SPACES', 'ZEROS', 'HIGH-VALUES', 'LOW-VALUES', 'QUOTES'


@dataclass
class Field:
    level: int
    name: str                      # 'FILLER' for fillers (and unnamed items)
    offset: int = 0                # 0-based byte offset of the first occurrence
    size: int = 0                  # bytes of ONE occurrence (for a group: its children, max ODO)
    usage: Usage = Usage.DISPLAY
    picture: Picture | None = None  # None for groups, COMP-1/COMP-2, INDEX, POINTER
    children: list["Field"] = field(default_factory=list)
    occurs: int | None = None      # maximum occurrences (None: not a table)
    occurs_min: int | None = None  # OCCURS m TO n: m
    depending_on: str | None = None  # name of the counter field (ODO)
    redefines: str | None = None   # name of the item this one redefines
    sign_leading: bool = False     # SIGN LEADING (default trailing)
    sign_separate: bool = False    # SIGN ... SEPARATE CHARACTER
    justified: bool = False        # JUSTIFIED RIGHT
    blank_when_zero: bool = False
    synchronized: bool = False
    value: object = None           # VALUE clause (str, Decimal or Figurative), if any
    conditions: list[Condition] = field(default_factory=list)
    location: SourceLocation | None = None
    parent: "Field | None" = field(default=None, repr=False, compare=False)

    @property
    def is_group(self) -> bool:
        return bool(self.children)

    @property
    def is_filler(self) -> bool:
        return self.name.upper() == "FILLER"

    @property
    def is_numeric(self) -> bool:
        return self.usage in (Usage.BINARY, Usage.COMP5, Usage.PACKED, Usage.FLOAT4, Usage.FLOAT8,
                              Usage.INDEX) or (
            self.picture is not None and self.picture.category == Category.NUMERIC)

    @property
    def total_size(self) -> int:
        """Bytes taken by the item with all its (maximum) occurrences."""
        return self.size * (1 if self.occurs is None else self.occurs)  # an ODO table may hold 0

    def walk(self) -> Iterator["Field"]:
        """This field and every field below it, in source order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def qualified_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " OF ".join(names)


@dataclass
class Renames:
    """A level-66 RENAMES item: an alias for the bytes from `first` through `last`."""
    name: str
    first: str
    last: str | None
    offset: int
    size: int
    location: SourceLocation | None = None


@dataclass
class Layout:
    """The record described by one 01 level (or by a copybook of several 01s
    that redefine one record area: then `records` has each of them)."""
    name: str
    records: list[Field]            # the 01 levels (or the 77 / top-level items)
    renames: list[Renames] = field(default_factory=list)
    source: str | None = None       # file the layout came from

    @property
    def root(self) -> Field:
        return self.records[0]

    @property
    def record_length(self) -> int:
        """Maximum record length in bytes (largest 01, ODO tables at their maximum)."""
        return max(r.offset + r.total_size for r in self.records)

    def fields(self) -> Iterator[Field]:
        for record in self.records:
            yield from record.walk()

    def elementary(self) -> Iterator[Field]:
        return (f for f in self.fields() if not f.children)

    def find(self, name: str) -> Field:
        """The field called `name` (COBOL spelling, case-insensitive)."""
        wanted = name.upper()
        for f in self.fields():
            if f.name.upper() == wanted:
                return f
        raise KeyError(f"no field {name!r} in layout {self.name}")

    @property
    def has_odo(self) -> bool:
        return any(f.depending_on for f in self.fields())

    def copy(self) -> "Layout":
        return replace(self)

    def resolve(self, counts: dict[str, int]) -> "Layout":
        """This layout with every OCCURS DEPENDING ON table fixed at
        `counts[counter name]` occurrences, offsets recomputed
        (engine.copybook.resolve.resolve_odo)."""
        from engine.copybook.resolve import resolve_odo
        return resolve_odo(self, counts)

