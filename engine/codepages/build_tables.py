"""Generate the committed code-page tables in engine/codepages/tables/ (run once).

    python -m engine.codepages.build_tables            # all pages
    python -m engine.codepages.build_tables cp930      # some pages

Each page's table is taken from a converter nobody on the team wrote:
glibc iconv (through ctypes) for the pages Python lacks — cp1047, cp290 and the
Japanese mixed pages cp930/cp939/cp1390/cp1399 — and Python's own codecs for
ascii, cp037, cp273, cp500, cp1140 and cp932. Both directions are recorded as the
converter gives them: the decode tables from decoding every byte and every
double-byte code, the encode table from encoding every Unicode scalar value of
the BMP (and planes 1-2 for double-byte pages).

cp290 (EBCDIK) comes from the `ebcdic` package's cp290 codec (pip install ebcdic; built
from IBM's CCSID 290 mapping), not from glibc's IBM290, which decodes the katakana to
full-width forms (X'81' -> U+30A2 ア) unlike every other converter and unlike glibc's own
IBM930, whose single bytes are CCSID 290 with half-width katakana (X'81' -> U+FF71 ｱ).
The tests check cp290 against glibc IBM930's single bytes and against `ebcdic`.

Where a converter is one-way
(several byte codes decode to one character), the encode table therefore holds
the converter's own choice, e.g. IBM-1390 X'42E1' decodes to U+20AC but U+20AC
encodes to the single byte X'E1'.

File format (NumPy .npz, compressed):
  meta         JSON: name, kind ("sbcs" | "mixed" | "multibyte"), ebcdic, shift_out, shift_in,
               dbcs_space, source
  sbcs         int32 (256,)   code point of each byte; -1 unmapped; -2 shift byte / lead byte
  dbcs         int32 (65536,) code point of each double-byte code (hi * 256 + lo); -1 unmapped
  combo        int32 (k, 3)   [code, cp1, cp2]: double-byte codes that decode to two code points
  enc_cp       int32 (m,)     sorted code points that encode ...
  enc_code     int32 (m,)     ... to a single byte (0-255) or a double-byte code (0x10000 | code)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

TABLES = Path(__file__).resolve().parent / "tables"

# name -> (source, converter name, kind)
PAGES: dict[str, tuple[str, str, str]] = {
    "ascii": ("python", "ascii", "sbcs"),
    "cp037": ("python", "cp037", "sbcs"),
    "cp273": ("python", "cp273", "sbcs"),
    "cp500": ("python", "cp500", "sbcs"),
    "cp1140": ("python", "cp1140", "sbcs"),
    "cp932": ("python", "cp932", "multibyte"),
    "cp1047": ("iconv", "IBM1047", "sbcs"),
    "cp290": ("python", "cp290", "sbcs"),      # from the `ebcdic` package (see below)
    "cp930": ("iconv", "IBM930", "mixed"),
    "cp939": ("iconv", "IBM939", "mixed"),
    "cp1390": ("iconv", "IBM1390", "mixed"),
    "cp1399": ("iconv", "IBM1399", "mixed"),
}
SO, SI = 0x0E, 0x0F
EBCDIC = {"cp037", "cp273", "cp500", "cp1140", "cp1047", "cp290", "cp930", "cp939", "cp1390", "cp1399"}


def _scalar_values(planes: int):
    """Every Unicode scalar value of the first `planes` planes (no surrogates)."""
    for cp in range(0x10000 * planes):
        if not 0xD800 <= cp <= 0xDFFF:
            yield cp


def _decoders(source: str, charset: str):
    """(decode(bytes) -> str | None, encode(str) -> bytes | None) for one converter."""
    if source == "iconv":
        from engine.codepages.iconv import Converter
        dec, enc = Converter(charset, "UTF-8"), Converter("UTF-8", charset)

        def decode(b: bytes):
            r = dec(b)
            return None if r is None else r.decode("utf-8")

        def encode(s: str):
            return enc(s.encode("utf-8"))
        return decode, encode

    if charset == "cp290":
        import ebcdic  # noqa: F401  (registers the codec)

    def decode(b: bytes):
        try:
            return b.decode(charset)
        except UnicodeDecodeError:
            return None

    def encode(s: str):
        try:
            return s.encode(charset)
        except UnicodeEncodeError:
            return None
    return decode, encode


def build(name: str) -> dict:
    source, charset, kind = PAGES[name]
    decode, encode = _decoders(source, charset)
    sbcs = np.full(256, -1, np.int32)
    dbcs = np.full(65536, -1, np.int32)
    combo: list[tuple[int, int, int]] = []
    for b in range(256):
        if kind == "mixed" and b in (SO, SI):
            sbcs[b] = -2
            continue
        s = decode(bytes([b]))
        if s is not None and len(s) == 1 and s != "\ufffd":    # `ebcdic` decodes undefined bytes to U+FFFD
            sbcs[b] = ord(s)
    if kind == "multibyte":
        # a lead byte is one that does not decode alone but starts some valid pair
        for hi in range(256):
            if sbcs[hi] != -1:
                continue
            for lo in range(256):
                s = decode(bytes([hi, lo]))
                if s is not None and len(s) == 1:
                    dbcs[hi * 256 + lo] = ord(s)
            if (dbcs[hi * 256: hi * 256 + 256] >= 0).any():
                sbcs[hi] = -2
    elif kind == "mixed":
        for hi in range(256):
            for lo in range(256):
                if hi in (SO, SI) or lo in (SO, SI):
                    continue
                s = decode(bytes([SO, hi, lo, SI]))
                if s is None or s == "":
                    continue
                code = hi * 256 + lo
                if len(s) == 1:
                    dbcs[code] = ord(s)
                elif len(s) == 2:
                    combo.append((code, ord(s[0]), ord(s[1])))
                else:
                    raise SystemExit(f"{name}: X'{code:04X}' decodes to {len(s)} code points")

    enc_cp, enc_code = [], []
    for cp in _scalar_values(3 if kind != "sbcs" else 1):
        if cp == 0xFFFD:
            continue
        e = encode(chr(cp))
        if e is None:
            continue
        if kind == "mixed" and len(e) == 4 and e[0] == SO and e[3] == SI:
            code = 0x10000 | (e[1] << 8 | e[2])
        elif len(e) == 1:
            code = e[0]
        elif kind == "multibyte" and len(e) == 2:
            code = 0x10000 | (e[0] << 8 | e[1])
        else:
            raise SystemExit(f"{name}: U+{cp:04X} encodes to unexpected {e.hex()}")
        enc_cp.append(cp)
        enc_code.append(code)
    # two-code-point sequences: check that the converter encodes them back to their code
    for code, a, b in combo:
        e = encode(chr(a) + chr(b))
        if e != bytes([SO, code >> 8, code & 255, SI]):
            raise SystemExit(f"{name}: U+{a:04X} U+{b:04X} does not encode back to X'{code:04X}'")

    has_dbcs = kind != "sbcs"
    meta = {
        "name": name, "kind": kind, "ebcdic": name in EBCDIC,
        "shift_out": [SO] if kind == "mixed" else [], "shift_in": [SI] if kind == "mixed" else [],
        "dbcs_space": (0x4040 if kind == "mixed" else 0x8140) if has_dbcs else None,
        "source": f"{source} {charset}",
    }
    return {
        "meta": np.array(json.dumps(meta)),
        "sbcs": sbcs,
        "dbcs": dbcs if has_dbcs else np.zeros(0, np.int32),
        "combo": np.array(combo, np.int32).reshape(-1, 3),
        "enc_cp": np.array(enc_cp, np.int32),
        "enc_code": np.array(enc_code, np.int32),
    }


def main(argv: list[str]) -> int:
    TABLES.mkdir(exist_ok=True)
    for name in argv or list(PAGES):
        arrays = build(name)
        np.savez_compressed(TABLES / f"{name}.npz", **arrays)
        print(f"{name}: {int((arrays['sbcs'] >= 0).sum())} single bytes, "
              f"{int((arrays['dbcs'] >= 0).sum()) + len(arrays['combo'])} double-byte codes, "
              f"{len(arrays['enc_cp'])} encodable code points")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
