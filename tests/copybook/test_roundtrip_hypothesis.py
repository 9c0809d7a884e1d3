"""Random layouts (levels, pictures, usages, OCCURS, REDEFINES, SIGN clauses)
written out as fixed-format and as free-format copybooks, with comment lines,
sequence numbers, continuation lines and junk in columns 73-80, compile back to
the same structure; every offset equals a sum of sizes computed here, from the
IBM size rules, independently of the compiler."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings, strategies as st

from engine.copybook import parse_copybook


@dataclass
class Node:
    level: int
    name: str
    pic: str | None = None          # as written
    usage: str | None = None        # as written
    size: int = 0                   # bytes of one occurrence (expected)
    digits: int = 0
    scale: int = 0
    occurs: int | None = None
    redefines: str | None = None
    sign: str | None = None         # clause text
    children: list["Node"] = field(default_factory=list)
    offset: int = 0                 # expected


BINARY_WORDS = ["COMP", "COMP-4", "BINARY", "COMPUTATIONAL", "COMP-5", "COMPUTATIONAL-5"]
PACKED_WORDS = ["COMP-3", "PACKED-DECIMAL", "COMPUTATIONAL-3"]


def ibm_binary(digits: int) -> int:
    return 2 if digits <= 4 else 4 if digits <= 9 else 8


@st.composite
def elementary(draw, level: int, name: str) -> Node:
    kind = draw(st.sampled_from(["X", "X", "9", "9", "binary", "packed", "float", "N"]))
    node = Node(level, name)
    if kind == "X":
        n = draw(st.integers(1, 30))
        node.pic = draw(st.sampled_from([f"X({n})", "X" * n if n <= 6 else f"X({n:03d})"]))
        node.size = n
        return node
    if kind == "N":
        n = draw(st.integers(1, 8))
        node.pic = f"N({n})"
        node.size = 2 * n
        return node
    if kind == "float":
        node.usage = draw(st.sampled_from(["COMP-1", "COMP-2", "USAGE COMP-1", "USAGE IS COMP-2"]))
        node.size = 4 if node.usage.endswith("1") else 8
        return node
    integer = draw(st.integers(1, 12))
    fraction = draw(st.integers(0, 6))
    signed = draw(st.booleans())
    int_part = draw(st.sampled_from([f"9({integer})", "9" * integer]))
    node.pic = ("S" if signed else "") + int_part + (f"V9({fraction})" if fraction else "")
    node.digits, node.scale = integer + fraction, fraction
    if kind == "binary":
        node.usage = draw(st.sampled_from(BINARY_WORDS + [f"USAGE {w}" for w in BINARY_WORDS]))
        node.size = ibm_binary(node.digits)
    elif kind == "packed":
        node.usage = draw(st.sampled_from(PACKED_WORDS + [f"USAGE IS {w}" for w in PACKED_WORDS]))
        node.size = node.digits // 2 + 1
    else:
        node.size = node.digits
        if signed and draw(st.booleans()):
            where = draw(st.sampled_from(["LEADING", "TRAILING"]))
            separate = draw(st.booleans())
            node.sign = draw(st.sampled_from(["SIGN ", "SIGN IS ", ""])) + where + (
                draw(st.sampled_from([" SEPARATE", " SEPARATE CHARACTER"])) if separate else "")
            node.size += 1 if separate else 0
    return node


@st.composite
def group(draw, level: int, names, depth: int) -> Node:
    node = Node(level, next(names))
    step = draw(st.integers(1, 5))
    child_level = min(49, level + step)
    count = draw(st.integers(1, 4))
    for _ in range(count):
        name = next(names)
        if depth < 3 and child_level < 45 and draw(st.integers(0, 3)) == 0:
            child = draw(group(child_level, names, depth + 1))
        else:
            child = draw(elementary(child_level, name))
        plain = [c for c in node.children if c.redefines is None and c.occurs is None]
        if plain and node.children[-1] in plain and draw(st.integers(0, 3)) == 0:
            child.redefines = plain[-1].name
        elif draw(st.integers(0, 4)) == 0:
            child.occurs = draw(st.integers(1, 5))
        node.children.append(child)
    return node


def place(node: Node, offset: int) -> None:
    """Expected offsets: children one after another; a REDEFINES starts at its
    target and the space taken is the larger of the two."""
    node.offset = offset
    if not node.children:
        return
    end = offset
    starts: dict[str, int] = {}
    for c in node.children:
        start = starts[c.redefines] if c.redefines else end
        place(c, start)
        starts[c.name] = start
        end = max(end, start + c.size * (c.occurs or 1))
    node.size = end - offset


@st.composite
def layouts(draw) -> Node:
    counter = itertools.count(1)
    words = ["AMT", "CUST", "NAME", "KEY", "DT", "CNT", "FLAG", "X", "TOTAL-VALUE"]

    def names():
        while True:
            n = next(counter)
            yield f"{words[n % len(words)]}-{n}"

    root = draw(group(1, names(), 0))
    place(root, 0)
    return root


def entry_words(node: Node) -> list[str]:
    words = [f"{node.level:02d}", node.name]
    if node.redefines:
        words += ["REDEFINES", node.redefines]
    if node.pic:
        words += [node.pic.split()[0] and "PIC", node.pic]
    if node.usage:
        words += node.usage.split()
    if node.sign:
        words += node.sign.split()
    if node.occurs:
        words += ["OCCURS", str(node.occurs), "TIMES"]
    words[-1] += "."
    return words


def walk(node: Node):
    yield node
    for c in node.children:
        yield from walk(c)


def render_fixed(root: Node, draw) -> str:
    lines: list[str] = []

    def seq() -> str:
        return draw(st.sampled_from([f"{len(lines) + 1:06d}", "      ", "ABC123", "CHG001"]))

    def emit(code: str, indicator: str = " ") -> None:
        junk = draw(st.sampled_from(["", "", "SEQ00001", "  X"]))
        lines.append(f"{seq()}{indicator}{code:<65}{junk}" if junk else f"{seq()}{indicator}{code}")

    for node in walk(root):
        if draw(st.integers(0, 4)) == 0:
            emit(draw(st.sampled_from(["* A COMMENT LINE", "  COMMENT: 05 X PIC X.", ""])),
                 indicator=draw(st.sampled_from(["*", "/"])))
        indent = " " * (0 if node.level == 1 else 4 + min(node.level, 20) // 5)
        current = indent
        for word in entry_words(node):
            if len(current) + len(word) + 1 > 60 or (len(current.strip()) and draw(st.integers(0, 6)) == 0):
                emit(current)
                current = " " * 8
            if word == node.name and len(word) > 3 and draw(st.integers(0, 2)) == 0:
                cut = draw(st.integers(1, len(word) - 1))
                emit(current + " " + word[:cut])          # the word continues on the next line
                current = "    " + word[cut:]
                emit(current, indicator="-")
                current = " " * 8
                continue
            current += ("" if not current.strip() and current.endswith(" ") and current == indent
                        else " ") + word
        emit(current)
    return "\n".join(lines) + "\n"


def render_free(root: Node, draw) -> str:
    out = []
    for node in walk(root):
        if draw(st.integers(0, 3)) == 0:
            out.append(" " * draw(st.integers(0, 8)) + "*> comment 01 X PIC X.")
        line = " " * draw(st.integers(0, 12))
        for word in entry_words(node):
            line += word + " "
            if draw(st.integers(0, 5)) == 0:
                out.append(line)
                line = " " * draw(st.integers(0, 12))
        if draw(st.booleans()):
            line += " *> trailing comment"
        out.append(line)
    return "\n".join(out) + "\n"


def expected(root: Node) -> list[tuple]:
    return [(n.level, n.name, n.offset, n.size, n.occurs, n.redefines) for n in walk(root)]


def actual(layout) -> list[tuple]:
    return [(f.level, f.name, f.offset, f.size, f.occurs, f.redefines) for f in layout.fields()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(root=layouts(), data=st.data())
def test_fixed_format_round_trip(root, data):
    text = render_fixed(root, data.draw)
    layout = parse_copybook(text, source_format=data.draw(st.sampled_from(["fixed", "auto"])),
                            copy_path=[], dialect="ibm")
    assert actual(layout) == expected(root), text
    assert layout.record_length == root.size
    for node in walk(root):
        if node.pic and "9" in node.pic:
            f = layout.find(node.name)
            assert (f.picture.digits, f.picture.scale) == (node.digits, node.scale)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(root=layouts(), data=st.data())
def test_free_format_round_trip(root, data):
    text = render_free(root, data.draw)
    # free format said so: a free text whose lines all start in column 8 or later, or
    # with a word in columns 1-6, would be a valid fixed-format text too
    layout = parse_copybook(text, source_format="free", copy_path=[], dialect="ibm")
    assert actual(layout) == expected(root), text
    assert layout.record_length == root.size
