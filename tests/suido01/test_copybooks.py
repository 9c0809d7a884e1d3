"""The project's SUIDO01 copybooks describe the legacy layouts field for field:
the same names, offsets, sizes, pictures and condition values."""
from __future__ import annotations

import pytest

from engine.copybook import load_copybook
from tests.conftest import LEGACY, ROOT


def fields(layout):
    out = []
    for f in layout.elementary():
        pic = f.picture.source if f.picture is not None else None
        out.append((f.name, f.offset, f.size, pic, str(f.usage)))
    return out


@pytest.mark.parametrize("member, lrecl", [("SUIDOMST", 100), ("KENSHIN", 40), ("RYOKIN", 40),
                                           ("KENSHERR", 60), ("SHUNOMST", 100)])
def test_same_layout_as_the_legacy(member, lrecl):
    ours = load_copybook(member, copy_path=[ROOT / "copybooks"])
    theirs = load_copybook(member, copy_path=[LEGACY / "copybooks"])
    assert ours.record_length == theirs.record_length == lrecl
    assert fields(ours) == fields(theirs)


@pytest.mark.parametrize("member", ["SUIDOMST", "KENSHIN", "RYOKIN", "KENSHERR"])
def test_same_condition_names(member):
    def conditions(layout):
        return sorted((c.name, repr(c.values)) for r in layout.records for f in r.walk() for c in getattr(f, "conditions", []))
    ours = load_copybook(member, copy_path=[ROOT / "copybooks"])
    theirs = load_copybook(member, copy_path=[LEGACY / "copybooks"])
    assert conditions(ours) == conditions(theirs)
    assert conditions(ours)
