"""OCCURS DEPENDING ON resolution.

A layout with ODO tables is sized at each table's maximum. To decode records,
the codec groups them by the values of the ODO counters and decodes each group
through `resolve_odo(layout, counts)`: a copy in which every ODO table has
exactly `counts[counter]` occurrences (a fixed table) and every later offset is
recomputed. Limit: a table nested inside another ODO table gets one count for
all the outer occurrences (the counts are per counter name, not per occurrence).
"""
from __future__ import annotations

import copy
from typing import Mapping

from engine.copybook.model import Field, Layout
from engine.copybook.parser import assign_offsets
from engine.errors import CopybookError, RecordError


def odo_counters(layout: Layout) -> list[str]:
    """Names of the ODO counter fields, in source order, without repeats."""
    seen: list[str] = []
    for f in layout.fields():
        if f.depending_on and f.depending_on not in seen:
            seen.append(f.depending_on)
    return seen


def resolve_odo(layout: Layout, counts: Mapping[str, int]) -> Layout:
    """A copy of `layout` with every ODO table fixed at `counts[counter name]`
    occurrences (names compared case-insensitively), offsets recomputed.

    The copy has no ODO left (`has_odo` is False). A count outside the
    table's `OCCURS m TO n` raises RecordError; a counter missing from `counts`
    raises CopybookError."""
    wanted = {str(k).upper(): v for k, v in counts.items()}
    resolved = copy.deepcopy(layout)
    _relink(resolved)
    for f in resolved.fields():
        if not f.depending_on:
            continue
        name = f.depending_on.upper()
        if name not in wanted:
            raise CopybookError(f"no occurrence count given for OCCURS DEPENDING ON {name} "
                                f"(table {f.name})")
        n = int(wanted[name])
        low = f.occurs_min or 0
        if not low <= n <= (f.occurs or 0):
            raise RecordError(f"OCCURS DEPENDING ON counter {name} = {n} is outside "
                              f"{low} TO {f.occurs} (table {f.name})", field=name,
                              hint="the counter field holds a value the copybook does not allow")
        f.occurs, f.occurs_min, f.depending_on = n, None, None
    return assign_offsets(resolved)


def _relink(layout: Layout) -> None:
    """deepcopy keeps parents, but make sure each child points at its copied parent."""
    def walk(f: Field) -> None:
        for c in f.children:
            c.parent = f
            walk(c)
    for r in layout.records:
        r.parent = None
        walk(r)
