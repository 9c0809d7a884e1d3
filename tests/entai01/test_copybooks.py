"""The project's ENTAI01 copybooks describe the legacy layouts field for field: the
same names, pictures, usages, offsets and lengths as the legacy copybooks, and the
offsets the specification's tables give."""
from __future__ import annotations

import pytest

from engine.copybook import load_copybook
from tests.conftest import LEGACY, ROOT, SHARED

SPEC = SHARED / "spec" / "reminders-late-fees.md"


def fields(member: str, where) -> list[tuple]:
    layout = load_copybook(member, copy_path=[where])
    return [(f.name, f.offset + 1, f.size, f.picture.source if f.picture else None, str(f.usage))
            for f in layout.elementary()]


@pytest.mark.parametrize("member, lrecl", [("ENTAIRT", 20), ("TOKUSOKU", 80), ("ENTAIOUT", 100),
                                           ("ENTAIERR", 120)])
def test_same_layout_as_the_legacy(member, lrecl):
    ours = fields(member, ROOT / "copybooks")
    assert ours == fields(member, LEGACY / "copybooks")
    assert load_copybook(member, copy_path=[ROOT / "copybooks"]).record_length == lrecl


@pytest.mark.parametrize("member, section", [("ENTAIRT", "ENTAIRT"), ("TOKUSOKU", "TOKUSOKU"),
                                             ("ENTAIOUT", "ENTAIOUT")])
def test_offsets_of_the_spec_tables(member, section):
    text = SPEC.read_text(encoding="utf-8").split(f"### {section}", 1)[1].split("###", 1)[0]
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[2].isdigit() and cells[3].isdigit():
            rows.append((cells[0], int(cells[2]), int(cells[3])))
    ours = [(name, start, size) for name, start, size, *_ in fields(member, ROOT / "copybooks")]
    assert rows and [(n, s, z) for n, s, z in ours] == rows
