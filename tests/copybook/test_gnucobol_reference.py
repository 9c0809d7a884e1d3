"""Offsets and sizes checked against GnuCOBOL: a program COPYs the copybook
and DISPLAYs, for every named item, its distance from the record start
(ADDRESS OF arithmetic) and its LENGTH OF."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from engine.copybook import parse_copybook
from tests.conftest import requires_cobc
from tests.copybook.test_roundtrip_hypothesis import entry_words, layouts, walk

pytestmark = [requires_cobc, pytest.mark.cobol]

HANDMADE = """\
       01  REF-REC.
           05  R-A          PIC X(3).
           05  R-B          PIC S9(4) COMP.
           05  R-C          PIC 9(2) COMP.
           05  R-D          PIC S9(7)V99 COMP-3.
           05  R-E          PIC S9(5) SIGN LEADING SEPARATE.
           05  R-F          COMP-1.
           05  R-G          COMP-2.
           05  R-H          PIC 9(9) COMP-5.
           05  R-ED         PIC ZZ,ZZ9.99-.
           05  R-CUR        PIC $$$,$$9.99CR.
           05  R-P          PIC SPPP9(3) COMP-3.
           05  R-Q          PIC S9(3)PP.
           05  R-GRP.
               10  R-G1     PIC X(2).
               10  R-G2     PIC 9(18) COMP.
               10  R-G3     PIC 9(10) BINARY.
           05  R-RED        REDEFINES R-GRP PIC X(5).
           05  R-TAB        OCCURS 3 TIMES.
               10  R-T1     PIC X(2).
               10  R-T2     PIC S9(3) COMP-3.
               10  R-INNER  OCCURS 2.
                   15  R-I1 PIC S9(4) COMP-5.
           05  R-AE         PIC XXBXX/XX.
           05  R-LAST       PIC X.
"""


def program(layout, member: str) -> str:
    lines = [
        "       IDENTIFICATION DIVISION.",
        "       PROGRAM-ID. REFPROG.",
        "       DATA DIVISION.",
        "       WORKING-STORAGE SECTION.",
        "       01  BASE-PTR USAGE POINTER.",
        "       01  BASE-NUM REDEFINES BASE-PTR PIC 9(18) COMP-5.",
        "       01  ITEM-PTR USAGE POINTER.",
        "       01  ITEM-NUM REDEFINES ITEM-PTR PIC 9(18) COMP-5.",
        "       01  OFS PIC 9(9).",
        "       01  LEN PIC 9(9).",
        f"       COPY {member}.",
        "       PROCEDURE DIVISION.",
        f"           SET BASE-PTR TO ADDRESS OF {layout.root.name}",
    ]
    for f in layout.root.walk():
        if f.is_filler:
            continue
        depth, node = 0, f
        while node is not None:
            depth += 1 if node.occurs else 0
            node = node.parent
        ref = f.name + (f"({', '.join(['1'] * depth)})" if depth else "")
        lines += [f"           SET ITEM-PTR TO ADDRESS OF {ref}",
                  "           COMPUTE OFS = ITEM-NUM - BASE-NUM",
                  f"           MOVE LENGTH OF {ref} TO LEN",
                  f"           DISPLAY \"{f.name} \" OFS \" \" LEN"]
    lines.append("           STOP RUN.")
    return "\n".join(lines) + "\n"


def gnucobol_map(tmp: Path, copybook: str, layout, *flags: str) -> dict[str, tuple[int, int]]:
    (tmp / "REFCPY.cpy").write_text(copybook)
    (tmp / "refprog.cob").write_text(program(layout, "REFCPY"))
    build = subprocess.run(["cobc", "-x", "-w", *flags, "-I", str(tmp), "-o", str(tmp / "refprog"),
                            str(tmp / "refprog.cob")], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    run = subprocess.run([str(tmp / "refprog")], capture_output=True, text=True, check=True)
    out = {}
    for line in run.stdout.splitlines():
        name, ofs, length = line.split()
        out[name] = (int(ofs), int(length))
    return out


def ours(layout) -> dict[str, tuple[int, int]]:
    return {f.name: (f.offset, f.size) for f in layout.root.walk() if not f.is_filler}


def test_handmade_copybook_matches_gnucobol(tmp_path):
    layout = parse_copybook(HANDMADE, copy_path=[], dialect="gnucobol")
    assert ours(layout) == gnucobol_map(tmp_path, HANDMADE, layout)
    assert ours(layout)["REF-REC"] == (0, layout.record_length)


def test_handmade_copybook_ibm_binary_sizes_match_gnucobol_2_4_8(tmp_path):
    layout = parse_copybook(HANDMADE, copy_path=[], dialect="ibm")
    reference = gnucobol_map(tmp_path, HANDMADE, layout, "-fbinary-size=2-4-8")
    assert ours(layout) == reference
    assert reference["R-C"] == (5, 2)  # 9(2) COMP: 2 bytes on the host, 1 in GnuCOBOL's default


def render(root) -> str:
    lines = []
    for node in walk(root):
        line = " " * 11
        for word in entry_words(node):
            if len(line) + len(word) + 1 > 70:
                lines.append(line)
                line = " " * 15
            line += " " + word
        lines.append(line)
    return "\n".join(lines) + "\n"


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.filter_too_much])
@given(root=layouts())
def test_random_layouts_match_gnucobol(tmp_path, root):
    # GnuCOBOL refuses a REDEFINES larger than the item it redefines below level 01
    for node in walk(root):
        for c in node.children:
            if c.redefines:
                target = next(s for s in node.children if s.name == c.redefines)
                assume(c.size * (c.occurs or 1) <= target.size * (target.occurs or 1))
    text = render(root)
    layout = parse_copybook(text, copy_path=[], dialect="gnucobol")
    assert ours(layout) == gnucobol_map(tmp_path, text, layout), text
