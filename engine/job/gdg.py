"""Generation data groups: base.GnnnnV00 names and relative references (0) (-n) (+n).

Relative numbers are resolved once, at job start, against the catalogued generations, and
stay frozen for the whole job (cataloguing and roll-off still happen at each step end).
"""
from __future__ import annotations

import re

from engine.errors import JobDefinitionError

GEN_RE = re.compile(r"^(?P<base>.+)\.G(?P<gen>\d{4})V(?P<ver>\d{2})$")
REL_RE = re.compile(r"^(?P<base>[^()]+)\((?P<rel>[+-]?\d+)\)$")
DSN_OK = re.compile(r"^[A-Za-z#@$][A-Za-z0-9#@$_-]*(\.[A-Za-z#@$][A-Za-z0-9#@$_-]*)*$")
QUAL_RE = re.compile(r"^[A-Za-z#@$][A-Za-z0-9#@$_-]*$")


def check_base(base: str) -> None:
    if not all(QUAL_RE.match(q) for q in base.split(".")) or len(base) > 35:
        raise JobDefinitionError(f"{base!r} is not a GDG base name (qualifiers A.B.C, at most 35 characters)")


def generation_name(base: str, gen: int) -> str:
    return f"{base}.G{gen:04d}V00"


def split_relative(dsn: str) -> tuple[str, int] | None:
    """'CITY.X(+1)' -> ('CITY.X', 1); None for a plain name."""
    m = REL_RE.match(dsn)
    if not m:
        return None
    return m.group("base"), int(m.group("rel"))


def normalize(dsn: str) -> str:
    """'A.B(1)' and 'A.B(+1)' are the same reference: 'A.B(+1)'; plain names unchanged."""
    rel = split_relative(dsn)
    if rel is None:
        return dsn
    base, n = rel
    return f"{base}({n:+d})" if n else f"{base}(0)"


def split_absolute(dsn: str) -> tuple[str, int] | None:
    """'CITY.X.G0003V00' -> ('CITY.X', 3)."""
    m = GEN_RE.match(dsn)
    if not m:
        return None
    return m.group("base"), int(m.group("gen"))


def next_number(gen: int, n: int) -> int:
    """Generation numbers run 1..9999 and wrap to 1."""
    return (gen - 1 + n) % 9999 + 1


def resolve(base: str, rel: int, catalogued: list[int], where: str) -> str:
    """The absolute name of base(rel), given the catalogued generation numbers (oldest first)."""
    if rel > 0:
        newest = catalogued[-1] if catalogued else 0
        return generation_name(base, next_number(newest, rel))
    if not catalogued:
        raise JobDefinitionError(f"{where}: {base}({rel}) — GDG {base} has no generations",
                                 hint=f"create one first (densan catalog import '{base}(+1)' FILE) or use (+1)")
    if -rel >= len(catalogued):
        raise JobDefinitionError(f"{where}: {base}({rel}) — GDG {base} has only {len(catalogued)} generation(s)")
    return generation_name(base, catalogued[len(catalogued) - 1 + rel])


def roll_off(catalogued: list[int], new: list[int], limit: int, empty: bool) -> list[int]:
    """Generation numbers to remove after `new` are catalogued (oldest first).

    NOEMPTY: the oldest beyond LIMIT; EMPTY: every older generation once LIMIT is exceeded."""
    all_gens = catalogued + [g for g in new if g not in catalogued]
    if len(all_gens) <= limit:
        return []
    if empty:
        return [g for g in all_gens if g not in new]
    return all_gens[: len(all_gens) - limit]


def all_generations(generations: list[str], order: str | None) -> list[str]:
    """The generations a DD naming a GDG base reads, in the order they are concatenated.

    On z/OS, `DSN=base` without a generation number allocates every catalogued generation
    as one concatenation, newest first (GDGORDER=LIFO, the default) or oldest first
    (GDGORDER=FIFO). The list is taken at job start (as relative numbers are), so a
    DISP=(OLD,DELETE) on the base at a step's normal end deletes exactly the generations
    the job read, and a generation another job catalogues meanwhile waits for the next
    run. `generations` is oldest first, as the catalog lists them."""
    return list(generations) if (order or "LIFO").upper() == "FIFO" else list(reversed(generations))
