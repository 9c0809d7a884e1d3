"""The legacy copybooks compile to the offsets and lengths the specification
(../shared/spec/collection-posting.md) lists for each field."""
from __future__ import annotations

import re

import pytest

from engine.copybook import Usage, load_copybook
from tests.conftest import LEGACY, SHARED

COPYLIB = LEGACY / "copybooks"
SPEC = SHARED / "spec" / "collection-posting.md"


def spec_table(section: str) -> list[tuple[str, str, int, int]]:
    """(field, PIC, 1-based offset, length) rows of the table under `### section`."""
    text = SPEC.read_text(encoding="utf-8")
    body = text.split(f"### {section}", 1)[1].split("###", 1)[0]
    rows = []
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[2].isdigit() and cells[3].isdigit():
            rows.append((cells[0], cells[1], int(cells[2]), int(cells[3])))
    return rows


@pytest.mark.parametrize("member, lrecl", [("SHUNOMST", 100), ("NOFUTRN", 60), ("NOFUERR", 80)])
def test_record_lengths(member, lrecl):
    assert load_copybook(member, copy_path=[COPYLIB]).record_length == lrecl


def test_shunomst_offsets_match_spec():
    layout = load_copybook("SHUNOMST", copy_path=[COPYLIB])
    rows = spec_table("SHUNOMST (LRECL 100)")
    assert len(rows) == 17
    fillers = [f for f in layout.elementary() if f.is_filler]
    for name, pic, start, length in rows:
        f = fillers[0] if name == "FILLER" else layout.find(name)
        assert (name, f.offset + 1, f.size) == (name, start, length)
        assert f.picture.source == pic.split()[0]
        assert (f.usage == Usage.PACKED) == ("COMP-3" in pic)


def test_shunomst_key_group_is_18_bytes():
    key = load_copybook("SHUNOMST", copy_path=[COPYLIB]).find("SH-KEY")
    assert (key.offset, key.size, [c.name for c in key.children]) == (
        0, 18, ["SH-NENDO", "SH-KAMOKU", "SH-TSUCHI-NO", "SH-KIBETSU"])


def test_nofutrn_offsets_match_spec():
    layout = load_copybook("NOFUTRN", copy_path=[COPYLIB])
    for name, pic, start, length in spec_table("NOFUTRN (LRECL 60)"):
        if name.startswith("NT-NENDO"):  # the key row lists the four key fields together
            f = layout.find("NT-KEY")
        elif name == "FILLER":
            f = [x for x in layout.elementary() if x.is_filler][0]
        else:
            f = layout.find(name)
        assert (name, f.offset + 1, f.size) == (name, start, length)
    amount = layout.find("NT-NOFU-GAKU")
    assert (amount.picture.digits, amount.picture.signed, amount.sign_leading,
            amount.sign_separate) == (11, True, False, False)


def test_nofuerr_offsets_match_spec():
    layout = load_copybook("NOFUERR", copy_path=[COPYLIB])
    got = [(f.name, f.offset + 1, f.size) for f in layout.elementary()]
    assert got == [("ER-NOFUTRN", 1, 60), ("ER-REASON", 61, 2), ("ER-FILLER", 63, 18)]
    reason = layout.find("ER-REASON")
    assert [(c.name, c.values) for c in reason.conditions] == [
        ("ER-REASON-IV", ["IV"]), ("ER-REASON-DT", ["DT"]), ("ER-REASON-CH", ["CH"]),
        ("ER-REASON-NF", ["NF"]), ("ER-REASON-CX", ["CX"])]


def test_channel_condition_range():
    layout = load_copybook("NOFUTRN", copy_path=[COPYLIB])
    channel = layout.find("NT-CHANNEL")
    valid = [c for c in channel.conditions if c.name == "NT-CHANNEL-VALID"][0]
    assert (valid.values, valid.ranges) == ([], [("1", "5")])
    assert re.fullmatch(r".*NOFUTRN\.cpy", layout.source)
