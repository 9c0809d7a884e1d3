"""Every copybook of the Cobrix conformance suite compiles (or is refused with
a clear error for a Cobrix-only extension), and the field maps agree with the
layout listings Cobrix itself printed (t*/orig/data/*/test*_layout.txt)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.copybook import load_copybook
from engine.compat.dialect import IBM, Dialect
from engine.errors import CopybookError
from tests.conftest import CONFORMANCE

pytestmark = pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="conformance suite not present")

# copybooks that use a Cobrix-only extension, and the word the error must name
COBRIX_ONLY = {"n13_little_endian_binary_comp9/copybook.cpy": "COMP-9"}


def copybooks() -> list[str]:
    if not CONFORMANCE.is_dir():
        return []
    found = [p for p in CONFORMANCE.rglob("*") if p.suffix in (".cpy", ".cob") and p.is_file()]
    return sorted(str(p.relative_to(CONFORMANCE)) for p in found)


def test_suite_has_copybooks():
    assert len(copybooks()) >= 40


@pytest.mark.parametrize("rel", copybooks())
def test_every_copybook_compiles(rel):
    path = CONFORMANCE / rel
    if rel in COBRIX_ONLY:
        with pytest.raises(CopybookError) as err:
            load_copybook(path, copy_path=[])
        message = str(err.value)
        assert COBRIX_ONLY[rel] in message and "Cobrix extension" in message
        assert re.search(r"copybook\.cpy:\d+:\d+: ", message)
        return
    layout = load_copybook(path, copy_path=[])
    assert layout.record_length > 0
    assert any(not f.children for f in layout.fields())


@dataclass(frozen=True)
class CobrixSizes(Dialect):
    """IBM sizes, but binary items of more than 18 digits take the bytes Cobrix gives
    them (the smallest two's complement that holds the digits), as its listings show."""

    def binary_size(self, digits: int) -> int:
        if digits <= 18:
            return IBM.binary_size(digits)
        return math.ceil((math.log2(10 ** digits) + 1) / 8)


COBRIX = CobrixSizes(**{k: getattr(IBM, k) for k in IBM.__dataclass_fields__})

_ROW = re.compile(r"^(\s*)(?:(\d+)\s+)?([A-Za-z0-9_]+)\s+([rR]*)\s+(?:\d+\s+)?(\d+)\s+(\d+)\s+(\d+)\s*$")


def cobrix_listing(path: Path) -> list[tuple[str, int, int, int, str]]:
    """(name, start, end, length, attribs) of each line of a Cobrix layout listing."""
    rows = []
    for line in path.read_text().splitlines()[1:]:
        m = _ROW.match(line)
        if m:
            rows.append((m.group(3), int(m.group(5)), int(m.group(6)), int(m.group(7)), m.group(4)))
    return rows


LISTINGS = [
    ("t06_type_variety", "test6_copybook.cob", "test6_expected/test6_layout.txt"),
    ("t07_fillers", "test7_fillers.cob", "test7_expected/test7_layout.txt"),
    ("t13a_fixed_file_header_footer", "test13a_file_header_footer.cob",
     "test13_expected/test13a_layout.txt"),
    ("t13b_vrl_file_headers", "test13b_vrl_file_headers.cob", "test13_expected/test13b_layout.txt"),
    ("t16_fixed_segment_redefines", "test16_fix_len_segments.cob", "test16_expected/test16_layout.txt"),
    ("t17a_rdw_seven_segments", "test17_hierarchical.cob", "test17_expected/test17a_layout.txt"),
    ("t19_display_number_parsing", "test19_display_num.cob",
     "test19_display_num_expected/test19_layout.txt"),
]


@pytest.mark.parametrize("case, copybook, listing", LISTINGS, ids=[c for c, _, _ in LISTINGS])
def test_field_map_matches_cobrix_listing(case, copybook, listing):
    data = CONFORMANCE / case / "orig" / "data"
    layout = load_copybook(data / copybook, copy_path=[], dialect=COBRIX)
    theirs = cobrix_listing(data / listing)
    ours = [f for r in layout.records for f in r.walk()]
    assert len(ours) == len(theirs)
    in_redefines = {id(f) for f in ours if f.redefines} | {
        id(s) for f in ours if f.redefines and f.parent for s in f.parent.children
        if s.name == f.redefines}
    for f, (name, start, end, length, attribs) in zip(ours, theirs):
        assert f.name.replace("-", "_") == name
        assert f.offset + 1 == start, name
        # Cobrix widens a redefined item and its redefinitions to the largest of them;
        # densan keeps each item's own size (the space taken is the same)
        if id(f) not in in_redefines:
            assert (f.total_size, f.offset + f.total_size) == (length, end), name
        assert bool(f.redefines) == ("R" in attribs), name
    assert layout.record_length == theirs[0][3]


def test_t06_sizes_of_special_pictures():
    data = CONFORMANCE / "t06_type_variety" / "orig" / "data"
    layout = load_copybook(data / "test6_copybook.cob", copy_path=[])
    expected = {  # name: (size, digits, scale) by IBM rules
        "NUM-STR-EDEC03": (6, 5, 2),        # S9(3).99: S takes no position here
        "NUM-SL-STR-INT01": (10, 9, 0),     # SIGN LEADING SEPARATE adds a byte
        "NUM-SLI-STR-DEC01": (7, 7, 7),     # SV9(7) SIGN LEADING (embedded)
        "COMMON-UPC5DDC": (3, 5, 8),        # PPP9(5) COMP-3: .000ddddd
        "COMMON-UPI5DDC": (3, 5, -3),       # 9(5)PPP COMP-3: ddddd000
        "COMMON-UPC10BIN": (8, 10, 13),
        "NUM-BIN-INT03": (2, 3, 0),         # COMP-0 taken as COMP
        "NUM-BIN-INT14": (16, 37, 0),       # > 18 digits: the dialect's 16 bytes
        "EX-NUM-DEC02": (9, 8, 2),          # Z(6)VZZ-
        "FLOAT-01": (4, None, None),
        "DOUBLE-01": (8, None, None),
    }
    for name, (size, digits, scale) in expected.items():
        f = layout.find(name)
        got = (f.size, f.picture.digits if f.picture else None, f.picture.scale if f.picture else None)
        assert got == (size, digits, scale), name


def test_t01_odo_table_sized_at_maximum():
    layout = load_copybook(CONFORMANCE / "t01_fixed_odo_comp3_redefines/orig/data/test1_copybook.cob",
                           copy_path=[])
    table = layout.find("ACCOUNT-DETAIL")
    assert (table.occurs, table.occurs_min, table.depending_on, table.size) == (
        80, 0, "NUMBER-OF-ACCTS", 27)
    assert layout.find("COMPANY-ID-STR").offset == layout.find("COMPANY-ID-NUM").offset == 12
    assert layout.record_length == 2 + 13 + 15 + 10 + 2 + 80 * 27
