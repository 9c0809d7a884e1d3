"""Site-supplied code-page tables (*.cpt) for vendor codes with no public converter
(Fujitsu JEF, Hitachi KEIS, NEC JIPS).

A table is UTF-8 text; '#' starts a comment. Header lines are `key: value`, then one
mapping per line:

    name: jef-city                 # required; used with get_codepage("jef-city")
    aliases: jef, fujitsu-jef      # optional, comma-separated
    ebcdic: yes                    # yes/no: zoned numbers and sort order follow EBCDIC rules
    base: cp290                    # optional: start from a built-in page's single bytes
    shift-out: 28 38               # optional, hex: bytes that start double-byte text (JEF kanji-in)
    shift-in: 29                   # optional, hex: bytes that end it (JEF kanji-out)
    space: 40                      # optional, hex: the single-byte space (default: the byte of U+0020)
    dbcs-space: A1A1               # optional, hex: the double-byte space (default: the code of U+3000)
    C1 U+0041                      # single byte -> character
    B0A1 U+4E9C                    # double-byte code -> character
    A4F7 U+304B U+309A             # a code may stand for two code points (base + combining mark)

Double-byte codes appear between the shift bytes in PIC X fields, and alone (pairs, no
shift bytes) in PIC G fields. A table with double-byte codes but no shift bytes is a
lead-byte page like Shift_JIS: every first byte of a double-byte code is a lead byte.
Where several codes map to one character, the first line listed is used for encoding
(lines of the table before the base page's bytes).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from engine.errors import CodePageError
from engine.codepages.codepage import CodePage, _DBCS

_KEYS = {"name", "aliases", "ebcdic", "base", "shift-out", "shift-in", "space", "dbcs-space"}
_MAP = re.compile(r"^([0-9A-Fa-f]{2}|[0-9A-Fa-f]{4})\s+(U\+[0-9A-Fa-f]{4,6}(?:\s+U\+[0-9A-Fa-f]{4,6})?)$")


def load_codepage_table(path: "str | Path") -> CodePage:
    """Read a site code-page table; CodePageError (file and line) if it is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CodePageError(f"cannot read code-page table {path}: {e}",
                            hint="check the path; a table is a UTF-8 text file") from None
    head: dict[str, str] = {}
    sbcs_lines: list[tuple[int, list[int]]] = []
    dbcs_lines: list[tuple[int, list[int]]] = []

    def fail(lineno: int, what: str):
        raise CodePageError(f"{path}:{lineno}: {what}",
                            hint="lines are 'key: value' headers, 'XX U+XXXX' or 'XXXX U+XXXX' "
                                 "(see engine/codepages/sitetable.py)")

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if ":" in line and not line.upper().startswith("U+"):
            key, _, value = line.partition(":")
            key = key.strip().lower()
            if key not in _KEYS:
                fail(lineno, f"unknown header key {key!r} (known: {', '.join(sorted(_KEYS))})")
            head[key] = value.strip()
            continue
        m = _MAP.match(line)
        if not m:
            fail(lineno, f"cannot read {raw.strip()!r}")
        code = int(m.group(1), 16)
        cps = [int(u[2:], 16) for u in m.group(2).split()]
        if any(c > 0x10FFFF or 0xD800 <= c <= 0xDFFF for c in cps):
            fail(lineno, f"{m.group(2)} is not a Unicode scalar value")
        (sbcs_lines if len(m.group(1)) == 2 else dbcs_lines).append((code, cps))
        if len(m.group(1)) == 2 and len(cps) != 1:
            fail(lineno, "a single byte maps to one code point")

    name = head.get("name")
    if not name:
        raise CodePageError(f"{path}: the table has no 'name:' line",
                            hint="add e.g. 'name: jef-city' at the top")

    def hexbytes(key: str) -> list[int]:
        try:
            return [int(x, 16) for x in head.get(key, "").replace(",", " ").split()]
        except ValueError:
            raise CodePageError(f"{path}: header {key}: {head[key]!r} is not hex bytes") from None

    shift_out, shift_in = hexbytes("shift-out"), hexbytes("shift-in")
    if bool(shift_out) != bool(shift_in):
        raise CodePageError(f"{path}: give both shift-out and shift-in bytes, or neither")
    ebcdic = head.get("ebcdic", "no").lower() in ("yes", "y", "true", "1")

    sbcs = np.full(256, -1, np.int32)
    enc: list[tuple[int, int]] = []
    if "base" in head:
        from engine.codepages.registry import get_codepage
        base = get_codepage(head["base"])
        sbcs[:] = base.sbcs_table
    for code, (cp,) in sbcs_lines:
        sbcs[code] = cp
        enc.append((cp, code))
    if "base" in head:
        enc += [(int(c), int(b)) for c, b in zip(base.enc_cp, base.enc_code) if b < 256 and sbcs[b] == c]
    for b in hexbytes("space")[:1]:            # the space byte maps to U+0020 and is written for it
        sbcs[b] = 0x20
        enc.insert(0, (0x20, b))

    dbcs = None
    combos: list[tuple[int, int, int]] = []
    if dbcs_lines:
        dbcs = np.full(65536, -1, np.int32)
        for code, cps in dbcs_lines:
            if len(cps) == 1:
                dbcs[code] = cps[0]
                enc.append((cps[0], _DBCS | code))
            else:
                combos.append((code, cps[0], cps[1]))
        dspace = hexbytes("dbcs-space")
        if dspace:
            dbcs[dspace[0]] = 0x3000
            enc.insert(0, (0x3000, _DBCS | dspace[0]))
    combo = np.array(combos, np.int32).reshape(-1, 3)

    if dbcs is None:
        kind = "sbcs"
    elif shift_out:
        kind = "mixed"
    else:
        kind = "multibyte"
        leads = sorted({code >> 8 for code, _ in dbcs_lines})
        clash = [b for b in leads if sbcs[b] >= 0 and any(c == b for c, _ in sbcs_lines)]
        if clash:
            raise CodePageError(f"{path}: byte(s) {', '.join(f'{b:02X}' for b in clash)} are both single "
                                "characters and first bytes of double-byte codes",
                                hint="add shift-out/shift-in headers, or remove the single-byte lines")
        sbcs[leads] = -2
        enc = [(c, b) for c, b in enc if b >= 256 or sbcs[b] != -2]
    for b in shift_out + shift_in:
        sbcs[b] = -2
    enc = [(c, b) for c, b in enc if b >= _DBCS or sbcs[b] >= 0]
    dbcs_space = None
    if dbcs is not None:
        spaces = np.flatnonzero(dbcs == 0x3000)
        dspace = hexbytes("dbcs-space")
        dbcs_space = dspace[0] if dspace else (int(spaces[0]) if len(spaces) else None)
    aliases = tuple(a.strip() for a in head.get("aliases", "").split(",") if a.strip())
    enc_cp = np.array([c for c, _ in enc], np.int32)
    enc_code = np.array([b for _, b in enc], np.int32)
    cp = CodePage(name, kind, ebcdic, sbcs, dbcs, combo, enc_cp, enc_code, tuple(shift_out),
                  tuple(shift_in), dbcs_space, aliases, f"site table {path}")
    if " " not in _chars(cp):
        raise CodePageError(f"{path}: the table has no space character",
                            hint="add a line mapping the space byte, e.g. '40 U+0020', or a 'space:' header")
    return cp


def _chars(cp: CodePage) -> set[str]:
    return {chr(c) for c in cp.sbcs if c >= 0}
