"""A code page: vectorised decoding and encoding of fixed-width text columns.

A column is a block of n records x w bytes (one field of every record). Decoding
maps every byte position to a "key" — a single byte (0-255), a double-byte code
(256 + code), EMPTY (shift bytes and second bytes of a pair, which produce no
text) or FFFD (unmapped) — and gathers each key's UTF-8 bytes into an Arrow
large_string buffer. Nothing loops per record.

Kinds of page:
  sbcs       one byte, one character (ASCII, cp037, cp290, ...)
  mixed      SBCS, plus DBCS between shift-out (SO, X'0E') and shift-in (SI, X'0F'):
             cp930/cp939/cp1390/cp1399 and site tables (JEF: SO X'28'/X'38', SI X'29')
  multibyte  lead bytes start a two-byte character, no shift bytes (cp932)
  utf8       UTF-8

Rules the whole project relies on:
  * strip="right" removes trailing U+0020 only, after decoding. The DBCS space
    (U+3000) is kept in PIC X fields; decode_dbcs_column strips trailing U+3000.
  * An SO without its SI: the field is DBCS up to its end (as the host treats it).
    A DBCS run of odd length leaves a lone byte: U+FFFD, row flagged bad.
  * Unmapped bytes or byte pairs decode to U+FFFD and flag the row bad.
  * Encoding pads with the page's space (DBCS space for PIC G/N); a value too long is
    flagged `overflow` (the row holds the first `width` bytes, or the last ones when
    justify="right", as a COBOL MOVE would cut) and an unrepresentable character is
    flagged `unmappable` (written as X'3F', the SUB character). Callers decide.
  * Encoding a character that exists both as a single byte and as a DBCS code uses
    the converter's choice (for the IBM pages: glibc iconv's, normally the single byte).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# pyarrow is imported inside the functions that build Arrow arrays: the sort loads this module
# for a page's byte tables alone, and pyarrow would add ~0.1 s to every `densan run`.
from engine.errors import CodePageError
from engine.codepages.utf8 import decode_to_code_points, encode_code_points, invalid_rows

SUB = 0x3F          # substitution byte for unmappable characters (EBCDIC SUB, ASCII '?')
_DBCS = 0x10000     # flag in encode codes: a double-byte code


@dataclass(eq=False)
class CodePage:
    """One code page, from its tables. Usually obtained with `get_codepage(name)`; site pages
    come from `load_codepage_table(path)`."""

    name: str
    kind: str                                   # "sbcs" | "mixed" | "multibyte" | "utf8"
    is_ebcdic: bool
    sbcs: np.ndarray                            # int32 (256,): code point, -1 unmapped, -2 shift/lead byte
    dbcs: np.ndarray | None = None              # int32 (65536,): code point, -1 unmapped
    combo: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), np.int32))  # [code, cp1, cp2]
    enc_cp: np.ndarray | None = None            # sorted code points ...
    enc_code: np.ndarray | None = None          # ... -> byte, or _DBCS | double-byte code
    shift_out: tuple[int, ...] = ()
    shift_in: tuple[int, ...] = ()
    dbcs_space: int | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""

    # ------------------------------------------------------------------ properties
    def __post_init__(self):
        self.sbcs = np.asarray(self.sbcs, np.int32)
        if self.kind not in ("sbcs", "mixed", "multibyte", "utf8"):
            raise CodePageError(f"code page {self.name}: unknown kind {self.kind!r}")
        if self.enc_cp is None:
            self.enc_cp, self.enc_code = _reverse(self.sbcs, self.dbcs, self.combo)
        order = np.argsort(self.enc_cp, kind="stable")
        self.enc_cp = np.asarray(self.enc_cp, np.int32)[order]
        self.enc_code = np.asarray(self.enc_code, np.int32)[order]
        self._so = np.zeros(256, bool)
        self._so[list(self.shift_out)] = True
        self._si = np.zeros(256, bool)
        self._si[list(self.shift_in)] = True
        self._cache: dict = {}

    def __repr__(self) -> str:
        return f"CodePage({self.name!r}, kind={self.kind!r})"

    @property
    def sbcs_table(self) -> np.ndarray:
        """Code point of each single byte; -1 where unmapped, a shift byte or a lead byte."""
        return np.where(self.sbcs >= 0, self.sbcs, -1).astype(np.int32)

    @property
    def has_dbcs(self) -> bool:
        return self.kind in ("mixed", "multibyte", "utf8")

    @property
    def space(self) -> int:
        return self._single_byte(" ")

    @property
    def digit_zero(self) -> int:
        return self._single_byte("0")

    def _single_byte(self, ch: str) -> int:
        key = ("byte", ch)
        if key not in self._cache:
            code = ord(ch) if self.kind == "utf8" else int(self._encode_codes(np.array([ord(ch)], np.int32))[0])
            if not 0 <= code < 256:
                raise CodePageError(f"code page {self.name} has no single byte for {ch!r}")
            self._cache[key] = code
        return self._cache[key]

    # ------------------------------------------------------------------ decode tables
    def _decode_tables(self) -> dict:
        """Lookup tables over keys (0-255 single bytes, 256 + double-byte code, EMPTY, FFFD):
        words (UTF-8 bytes as one uint32/uint64), present (1 for each of those bytes that is
        output), bad (unmapped); plus bytes.translate tables for the single-byte fast path."""
        if "dec" in self._cache:
            return self._cache["dec"]
        n_dbcs = 65536 if self.dbcs is not None else 0
        k = 256 + n_dbcs + 2
        cps = np.full(k, -1, np.int64)
        cps[:256] = self.sbcs
        if n_dbcs:
            cps[256:256 + n_dbcs] = self.dbcs
        empty, fffd = k - 2, k - 1
        bad = cps == -1
        bad[empty] = False
        if self.kind == "multibyte":
            bad[:256] |= self.sbcs == -2           # a lead byte with no second byte
        mapped = np.where(cps >= 0, cps, 0xFFFD)
        b4, lens = encode_code_points(mapped)
        out = np.zeros((k, 8), np.uint8)
        out[:, :4] = b4
        lens = lens.astype(np.int32)
        lens[(cps == -2) & ~bad] = 0              # shift bytes produce no text
        lens[empty] = 0
        for code, a, b in self.combo.tolist():    # the few codes that decode to two code points
            (x, y), (lx, ly) = encode_code_points(np.array([a, b]))
            out[256 + code, :lx + ly] = np.concatenate([x[:lx], y[:ly]])
            lens[256 + code] = lx + ly
            bad[256 + code] = False
        words = np.ascontiguousarray(out if lens.max() > 4 else out[:, :4])
        wtype = np.uint64 if words.shape[1] == 8 else np.uint32
        present = (np.arange(words.shape[1]) < lens[:, None]).astype(np.uint8)
        t = dict(words=words.view(wtype).reshape(k), present=present.view(wtype).reshape(k),
                 bad=bad,
                 empty=empty, fffd=fffd)
        # single bytes that decode to exactly one UTF-8 byte: the fast path
        one = (lens[:256] == 1) & ~bad[:256]
        t["plain_bytes"] = bytes(np.flatnonzero(one).tolist())
        t["plain_table"] = bytes(np.where(one, out[:256, 0], 0x80).astype(np.uint8))
        t["lead"] = self.sbcs == -2
        t["not_lead"] = bytes(np.flatnonzero(self.sbcs != -2).tolist())
        t["identity"] = bool(np.array_equal(out[:256, 0][one], np.flatnonzero(one)))
        self._cache["dec"] = t
        return t

    # ------------------------------------------------------------------ decode
    def decode_column(self, block: np.ndarray, *, strip: str | None = "right"
                      ) -> tuple[pa.Array, np.ndarray]:
        """Decode a (n, w) uint8 block of PIC X text: (large_string array (n,), bad rows (n,))."""
        block = _as_block(block)
        if self.kind == "utf8":
            return _decode_utf8(block, strip)
        t = self._decode_tables()
        n, w = block.shape
        if n == 0 or w == 0:
            return _strings(np.zeros(n + 1, np.int64), np.zeros(0, np.uint8)), np.zeros(n, bool)
        _check_strip(strip)
        if t["identity"] and block.max() < 0x80:            # ASCII text in an ASCII-based page
            return _trim(_fixed_strings(block), strip), np.zeros(n, bool)
        # bytes.translate runs in C over the whole block: plain one-byte characters become
        # their UTF-8 byte, every other byte (shift, lead, non-ASCII, unmapped) becomes X'80'
        raw = block.tobytes()
        text = np.frombuffer(raw.translate(t["plain_table"]), np.uint8).reshape(n, w)
        if text.max() < 0x80:
            return _trim(_fixed_strings(text), strip), np.zeros(n, bool)
        others = raw.translate(None, t["plain_bytes"])
        if self.kind == "mixed" and any(others.find(bytes([b])) >= 0 for b in self.shift_out):
            keys = self._mixed_keys(block, t)
        elif self.kind == "multibyte" and others.translate(None, t["not_lead"]):
            keys = self._multibyte_keys(block, t)
        else:
            keys = block.astype(np.int32)
        return self._finish_keys(keys, t, " ", strip)

    def decode_dbcs_column(self, block: np.ndarray, *, strip: str | None = "right"
                           ) -> tuple[pa.Array, np.ndarray]:
        """Decode PIC G / PIC N DISPLAY-1: double-byte codes with no shift bytes.

        strip="right" removes trailing DBCS spaces (U+3000); an odd last byte is U+FFFD (bad).
        """
        if self.dbcs is None:
            raise CodePageError(f"code page {self.name} has no double-byte characters",
                                hint="read PIC G / DISPLAY-1 fields with a DBCS page such as cp930 or cp932")
        block = _as_block(block)
        t = self._decode_tables()
        n, w = block.shape
        keys = np.full((n, w), t["empty"], np.int32)
        pairs = w // 2
        if pairs:
            codes = block[:, 0:2 * pairs:2].astype(np.int32) * 256 + block[:, 1:2 * pairs:2]
            keys[:, 0:2 * pairs:2] = 256 + codes
        if w % 2:
            keys[:, -1] = t["fffd"]
        return self._finish_keys(keys, t, "\u3000", strip)

    def _mixed_keys(self, block: np.ndarray, t) -> np.ndarray:
        """Keys of a block with SO/SI. The rows holding an SO are flattened; every byte takes
        the shift state of the last event before it — an SO, an SI, or the start of its row
        (which resets to single-byte) — and the parity of that event's position, which
        tells the first byte of each pair from the second."""
        keys = block.astype(np.int32)
        so = self._is(block, self.shift_out)
        rows = np.flatnonzero(so.any(axis=1))           # only rows with DBCS need the state machine
        sub = block[rows] if len(rows) < len(block) else block
        w = sub.shape[1]
        flat, so = sub.reshape(-1), (so[rows] if sub is not block else so).reshape(-1)
        si = self._is(flat, self.shift_in)
        event = so | si
        event[::w] = True
        at = np.flatnonzero(event)
        last = _forward_fill(len(flat), at, 2 * so[at] + (at & 1))
        in_dbcs = (last >= 2) & ~so & ~si
        parity = _parity(len(flat))
        lead = np.flatnonzero(in_dbcs & ((last & 1) != parity))   # 1st, 3rd, ... byte after the SO
        nxt = np.minimum(lead + 1, len(flat) - 1)
        ok = in_dbcs[nxt] & (lead + 1 < len(flat))      # the next byte is in the same run
        self._pair_keys(keys, rows, w, flat, t, lead, ok)
        return keys

    def _multibyte_keys(self, block: np.ndarray, t) -> np.ndarray:
        """Keys for lead-byte pages: in a run of lead-range bytes, leads and trails alternate,
        counted from the start of the run (or of the row): same parity as the start, a lead."""
        keys = block.astype(np.int32)
        cand = t["lead"][block]
        rows = np.flatnonzero(cand.any(axis=1))
        sub = block[rows] if len(rows) < len(block) else block
        w = sub.shape[1]
        flat, cand = sub.reshape(-1), (cand[rows] if sub is not block else cand).reshape(-1)
        starts = cand.copy()
        starts[1:] &= ~cand[:-1]
        starts[::w] = cand[::w]
        at = np.flatnonzero(starts)
        start_parity = _forward_fill(len(flat), at, at & 1)
        parity = _parity(len(flat))
        lead = np.flatnonzero(cand & (start_parity == parity))
        ok = lead % w != w - 1                          # any byte may follow, within the row
        self._pair_keys(keys, rows, w, flat, t, lead, ok)
        return keys

    def _is(self, a: np.ndarray, values: tuple[int, ...]) -> np.ndarray:
        out = a == values[0]
        for v in values[1:]:
            out |= a == v
        return out

    @staticmethod
    def _pair_keys(keys, rows, w, flat, t, lead, ok) -> None:
        """Write the keys of double-byte pairs (and of lone first bytes) into `keys`."""
        lead = lead.astype(np.int64)
        pos = rows[lead // w] * w + lead % w             # position in `keys`
        good, lone = lead[ok], pos[~ok]
        codes = flat[good].astype(np.int32) * 256 + flat[good + 1]
        kf = keys.reshape(-1)
        kf[pos[ok]] = 256 + codes
        kf[pos[ok] + 1] = t["empty"]
        kf[lone] = t["fffd"]

    def _finish_keys(self, keys: np.ndarray, t, space: str, strip):
        """Gather the UTF-8 bytes of every key into a large_string array, then trim `space`.

        Every position gets its key's UTF-8 bytes as one 4-byte (8 with two-code-point
        codes) word; a boolean mask "byte k is output" over (n, w, 4) then packs them, in
        row, position, byte order — exactly the order of the output buffer.
        """
        _check_strip(strip)
        n, w = keys.shape
        bad = t["bad"][keys].any(axis=1)
        words = t["words"][keys]
        width = words.itemsize
        mask = t["present"][keys].view(np.bool_).reshape(n, w, width)
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(mask.reshape(n, -1).sum(axis=1, dtype=np.int64), out=offsets[1:])
        data = words.view(np.uint8).reshape(n, w, width)[mask]
        return _trim(_strings(offsets, data), strip, space), bad

    # ------------------------------------------------------------------ encode tables
    def _encode_codes(self, cps: np.ndarray) -> np.ndarray:
        """Encode code of each code point: byte 0-255, _DBCS | code, or -1 unmappable."""
        if "enc_rev" not in self._cache:
            self._cache["enc_rev"] = _Reverse(self.enc_cp, self.enc_code)
        return self._cache["enc_rev"].lookup(np.asarray(cps))

    def _dbcs_codes(self, cps: np.ndarray) -> np.ndarray:
        """Double-byte code of each code point for PIC G fields (-1 where there is none):
        the converter's own choice where it encodes the character as a double-byte code,
        else the lowest double-byte code that decodes to it."""
        if "dbcs_rev" not in self._cache:
            is_d = self.enc_code >= _DBCS
            valid = np.flatnonzero(self.dbcs >= 0)
            cp = np.concatenate([self.enc_cp[is_d], self.dbcs[valid]]).astype(np.int64)
            code = np.concatenate([self.enc_code[is_d] & 0xFFFF, valid]).astype(np.int32)
            self._cache["dbcs_rev"] = _Reverse(cp, code)
        return self._cache["dbcs_rev"].lookup(cps)

    # ------------------------------------------------------------------ encode
    def encode_column(self, values, width: int, *, justify: str = "left"
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Encode strings into (n, width) bytes padded with the page's space.

        Returns (bytes, overflow rows, unmappable rows). Nulls encode as spaces.
        """
        offsets, data = _string_buffers(values)
        flat, row_bytes, unmappable = self._encode_units(offsets, data)
        out = _place(flat, row_bytes, width, self.space, justify)
        return out, row_bytes > width, unmappable

    def encode_dbcs_column(self, values, width: int, *, justify: str = "left"
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Encode PIC G / PIC N DISPLAY-1 values: double-byte codes only, no shift bytes,
        padded with the DBCS space. A character with no double-byte code is unmappable."""
        if self.dbcs is None or self.dbcs_space is None:
            raise CodePageError(f"code page {self.name} has no double-byte characters",
                                hint="write PIC G / DISPLAY-1 fields with a DBCS page such as cp930 or cp932")
        if width % 2:
            raise CodePageError(f"a DBCS field must have an even width in bytes, not {width}")
        offsets, data = _string_buffers(values)
        n = len(offsets) - 1
        cps, start = decode_to_code_points(data)
        cp_off = np.concatenate([[0], np.cumsum(start)])[offsets]
        codes = self._dbcs_codes(cps)
        absorbed = np.zeros(len(cps), bool)
        if len(self.combo) and len(cps) > 1:
            self._encode_combos(cps, cp_off, codes, absorbed)
        bad = (codes < 0) & ~absorbed
        codes = np.where(bad, self.dbcs_space, codes) & 0xFFFF
        keep = ~absorbed
        unit = np.stack([codes[keep] >> 8, codes[keep] & 0xFF], axis=1).astype(np.uint8).ravel()
        kept = np.concatenate([[0], np.cumsum(keep)])
        row_bytes = 2 * (kept[cp_off[1:]] - kept[cp_off[:-1]])
        unmappable = _rows_with(bad, cp_off, n)
        out = _place(unit, row_bytes, width, None, justify)
        if out.size:
            pad = np.array([self.dbcs_space >> 8, self.dbcs_space & 0xFF], np.uint8)
            filler = np.tile(pad, width // 2)
            unused = _unused_mask(row_bytes, width, justify)
            out[unused] = np.broadcast_to(filler, out.shape)[unused]
        return out, row_bytes > width, unmappable

    def _ascii_encoding(self) -> tuple[bytes, bytes]:
        """(ASCII characters written as one byte, bytes.translate table for them)."""
        if "ascii" not in self._cache:
            codes = self._encode_codes(np.arange(128, dtype=np.int32))
            ok = (codes >= 0) & (codes < 256)
            table = np.zeros(256, np.uint8)
            table[:128][ok] = codes[ok]
            self._cache["ascii"] = (bytes(np.flatnonzero(ok).tolist()), table.tobytes())
        return self._cache["ascii"]

    def _encode_units(self, offsets: np.ndarray, data: np.ndarray):
        """Encoded bytes of every string, concatenated: (flat bytes, bytes per row, unmappable rows)."""
        n = len(offsets) - 1
        if self.kind == "utf8":
            return data, np.diff(offsets), np.zeros(n, bool)
        ok, table = self._ascii_encoding()
        raw = data.tobytes()
        if not raw.translate(None, ok):     # only ASCII characters with a single byte each (C loop)
            return np.frombuffer(raw.translate(table), np.uint8), np.diff(offsets), np.zeros(n, bool)
        cps, start = decode_to_code_points(data)
        cp_off = np.concatenate([[0], np.cumsum(start)])[offsets]
        codes = self._encode_codes(cps)
        absorbed = np.zeros(len(cps), bool)
        if len(self.combo) and len(cps) > 1:
            self._encode_combos(cps, cp_off, codes, absorbed)
        unm = (codes < 0) & ~absorbed
        codes = np.where(unm, SUB, codes)
        dbl = (codes >= _DBCS) & ~absorbed
        unit_len = np.where(dbl, 2, 1).astype(np.int64)
        unit_len[absorbed] = 0
        m = len(cps)
        if self.kind == "mixed":
            # a DBCS run opens (SO) at a double-byte character whose predecessor in the same
            # string is not one, and closes (SI) at one whose successor is not
            first_of_row = np.zeros(m + 1, bool)
            first_of_row[cp_off[:-1]] = True
            d = dbl | absorbed
            prev_d = np.zeros(m, bool)
            prev_d[1:] = d[:-1]
            begins = d & ~(prev_d & ~first_of_row[:m])
            next_d = np.zeros(m, bool)
            next_d[:-1] = d[1:] & ~first_of_row[1:m]
            ends = d & ~next_d
            unit_len += begins
            unit_len += ends
        bounds = np.zeros(m + 1, np.int64)
        np.cumsum(unit_len, out=bounds[1:])
        flat = np.empty(int(bounds[-1]), np.uint8)
        pos = bounds[:-1]
        if self.kind == "mixed":
            flat[pos[begins]] = self.shift_out[0]
            pos = pos + begins
        main = ~absorbed
        flat[pos[main]] = (np.where(dbl, codes >> 8, codes) & 0xFF)[main]
        flat[pos[dbl] + 1] = codes[dbl] & 0xFF
        if self.kind == "mixed":
            flat[bounds[1:][ends] - 1] = self.shift_in[0]
        row_bytes = bounds[cp_off[1:]] - bounds[cp_off[:-1]]
        return flat, row_bytes, _rows_with(unm, cp_off, n)

    def _encode_combos(self, cps, cp_off, codes, absorbed) -> None:
        """Two-code-point sequences with one double-byte code (e.g. U+304B U+309A in IBM-1390)."""
        combo = self.combo
        seconds = np.unique(combo[:, 2])
        cand = np.flatnonzero(np.isin(cps[1:], seconds))        # cps[i+1] may complete a pair
        if not len(cand):
            return
        starts_row = np.zeros(len(cps), bool)
        starts_row[cp_off[:-1][cp_off[:-1] < len(cps)]] = True
        cand = cand[~starts_row[cand + 1]]                       # both in the same string
        keys = combo[:, 1].astype(np.int64) << 21 | combo[:, 2]
        order = np.argsort(keys)
        keys, combo_codes = keys[order], combo[order, 0]
        want = cps[cand].astype(np.int64) << 21 | cps[cand + 1]
        i = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        hit = keys[i] == want
        at, code = cand[hit], combo_codes[i[hit]] | _DBCS
        # overlapping pairs (e.g. tone letters U+02E9 U+02E5 U+02E9): take them left to right,
        # i.e. every other one of each chain of consecutive positions, from the chain's start
        chained = np.zeros(len(at), bool)
        chained[1:] = at[1:] == at[:-1] + 1
        k = np.arange(len(at))
        chain_start = np.maximum.accumulate(np.where(chained, 0, k)) if len(at) else k
        take = (k - chain_start) % 2 == 0
        codes[at[take]] = code[take]
        absorbed[at[take] + 1] = True

    # ------------------------------------------------------------------ scalar helpers
    def decode(self, b: bytes, *, strip: str | None = None) -> str:
        """Decode one byte string (no stripping unless asked); unmapped bytes become U+FFFD."""
        arr = np.frombuffer(bytes(b), np.uint8).reshape(1, -1)
        return self.decode_column(arr, strip=strip)[0][0].as_py()

    def encode(self, s: str) -> bytes:
        """Encode one string at its natural length; CodePageError if a character is unmappable."""
        import pyarrow as pa
        offsets, data = _string_buffers(pa.array([s], pa.large_string()))
        flat, _, unmappable = self._encode_units(offsets, data)
        if unmappable[0]:
            bad = [c for c in s if not self._representable(c)]
            raise CodePageError(f"{s!r} cannot be written in code page {self.name}: "
                                f"no code for {', '.join(f'U+{ord(c):04X}' for c in bad[:5])}",
                                hint="correct the data or choose a code page that has these characters")
        return flat.tobytes()

    def _representable(self, ch: str) -> bool:
        if self.kind == "utf8":
            return True
        return bool(self._encode_codes(np.array([ord(ch)], np.int32))[0] >= 0)


class _Reverse:
    """code point -> code (the first pair listed wins): dense for the BMP, binary search above."""

    def __init__(self, cps: np.ndarray, codes: np.ndarray):
        cps, codes = np.asarray(cps, np.int64), np.asarray(codes, np.int32)
        order = np.argsort(cps, kind="stable")
        cps, codes = cps[order], codes[order]
        first = np.ones(len(cps), bool)
        first[1:] = cps[1:] != cps[:-1]
        cps, codes = cps[first], codes[first]
        bmp = cps < 0x10000
        self.dense = np.full(0x10000, -1, np.int32)
        self.dense[cps[bmp]] = codes[bmp]
        self.scp, self.scode = cps[~bmp], codes[~bmp]

    def lookup(self, cps: np.ndarray) -> np.ndarray:
        out = self.dense[np.minimum(cps, 0xFFFF)]
        big = cps > 0xFFFF
        if big.any():
            found = np.full(int(big.sum()), -1, np.int32)
            if len(self.scp):
                i = np.minimum(np.searchsorted(self.scp, cps[big]), len(self.scp) - 1)
                found = np.where(self.scp[i] == cps[big], self.scode[i], -1)
            out[big] = found
        return out


# ---------------------------------------------------------------------- helpers
def _parity(length: int) -> np.ndarray:
    """0, 1, 0, 1, ... as int8: the parity of every position."""
    p = np.zeros(length, np.int8)
    p[1::2] = 1
    return p


def _forward_fill(length: int, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """int8 array where each position holds the value of the last event at or before it
    (values 0..3 at the sorted positions `at`; 0 before the first): the running sum of the
    differences between successive event values telescopes to the last value."""
    out = np.zeros(length, np.int8)
    v = np.asarray(values, np.int8)
    if len(v):
        d = v.copy()
        d[1:] -= v[:-1]
        out[at] = d
    return np.cumsum(out, dtype=np.int8)


def _reverse(sbcs: np.ndarray, dbcs: np.ndarray | None, combo: np.ndarray):
    """Encode table from decode tables (site tables): the first byte code listed wins,
    single bytes before double-byte codes."""
    cps = [sbcs[sbcs >= 0]]
    codes = [np.flatnonzero(sbcs >= 0)]
    if dbcs is not None:
        d = np.flatnonzero(dbcs >= 0)
        cps.append(dbcs[d])
        codes.append(d | _DBCS)
    cp = np.concatenate(cps).astype(np.int64)
    code = np.concatenate(codes).astype(np.int32)
    order = np.argsort(cp, kind="stable")
    cp, code = cp[order], code[order]
    first = np.ones(len(cp), bool)
    first[1:] = cp[1:] != cp[:-1]
    return cp[first].astype(np.int32), code[first]


def _as_block(block) -> np.ndarray:
    block = np.asarray(block)
    if block.dtype != np.uint8:
        raise CodePageError(f"a text column must be bytes (uint8), not {block.dtype}")
    if block.ndim != 2:
        raise CodePageError(f"a text column must be a 2-D block (records x bytes), not {block.ndim}-D")
    return np.ascontiguousarray(block)


def _check_strip(strip) -> None:
    if strip not in ("right", "both", None):
        raise CodePageError(f"strip must be 'right', 'both' or None, not {strip!r}")


def _trim(arr: pa.Array, strip, space: str = " ") -> pa.Array:
    """Remove trailing (and with strip="both" leading) `space` characters: Arrow's kernels."""
    import pyarrow.compute as pc
    if strip is None:
        return arr
    if space == " ":       # in UTF-8 a 0x20 byte is always a whole U+0020
        return pc.ascii_rtrim(arr, characters=" ") if strip == "right" else pc.ascii_trim(arr, characters=" ")
    return pc.utf8_rtrim(arr, characters=space) if strip == "right" else pc.utf8_trim(arr, characters=space)


def _fixed_strings(text: np.ndarray) -> pa.Array:
    """Every row of a (n, w) UTF-8 block as one string, without copying."""
    n, w = text.shape
    return _strings(np.arange(0, (n + 1) * w, w, dtype=np.int64), text.reshape(-1))


def _all_rows_valid_utf8(block: np.ndarray) -> bool:
    """True when every row is well-formed UTF-8: the whole buffer decodes (in C) and no row
    starts with a continuation byte, so no character runs across two rows."""
    raw = block.tobytes()
    if not raw.translate(None, bytes(range(128))):
        return True
    if ((block[:, 0] & 0xC0) == 0x80).any():
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_utf8(block: np.ndarray, strip) -> tuple[pa.Array, np.ndarray]:
    """UTF-8 fields are already UTF-8: validate, strip, pack. Invalid rows (rare) go through
    Python's decoder one by one so they get the standard U+FFFD replacement."""
    n, w = block.shape
    if n == 0 or w == 0:
        return _strings(np.zeros(n + 1, np.int64), np.zeros(0, np.uint8)), np.zeros(n, bool)
    _check_strip(strip)
    bad = np.zeros(n, bool) if _all_rows_valid_utf8(block) else invalid_rows(block)
    if not bad.any():
        return _trim(_fixed_strings(block), strip), bad
    # rows that are not valid UTF-8 (rare): Python's decoder with U+FFFD, one call per bad row
    w = block.shape[1]
    lens = np.full(n, w, np.int64)
    pieces = {}
    for r in np.flatnonzero(bad).tolist():
        pieces[r] = block[r].tobytes().decode("utf-8", "replace").encode("utf-8")
        lens[r] = len(pieces[r])
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lens, out=offsets[1:])
    out = np.empty(int(offsets[-1]), np.uint8)
    good = ~bad
    out[(offsets[:-1][good, None] + np.arange(w)).reshape(-1)] = block[good].reshape(-1)
    for r, p in pieces.items():
        out[offsets[r]:offsets[r + 1]] = np.frombuffer(p, np.uint8)
    return _trim(_strings(offsets, out), strip), bad


def _strings(offsets: np.ndarray, data: np.ndarray) -> pa.Array:
    """A large_string array straight from an offsets and a data buffer (no copy)."""
    import pyarrow as pa
    n = len(offsets) - 1
    return pa.Array.from_buffers(pa.large_string(), n,
                                 [None, pa.py_buffer(np.ascontiguousarray(offsets, np.int64)),
                                  pa.py_buffer(np.ascontiguousarray(data, np.uint8))])


def _string_buffers(values) -> tuple[np.ndarray, np.ndarray]:
    """(offsets int64 (n+1,) starting at 0, UTF-8 data uint8) of a string column; nulls -> ''."""
    import pyarrow as pa
    if hasattr(values, "to_arrow") and not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = values.to_arrow()                          # polars Series
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = pa.array(list(values), pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    if pa.types.is_dictionary(values.type):                 # polars Categorical / Enum
        values = values.dictionary_decode()
    if values.type != pa.large_string():
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
                or pa.types.is_string_view(values.type) or pa.types.is_null(values.type)):
            raise CodePageError(f"a text column must hold strings, not {values.type}")
        values = values.cast(pa.large_string())
    if values.null_count:
        values = values.fill_null("")
    n = len(values)
    bufs = values.buffers()
    offsets = np.frombuffer(bufs[1], np.int64)[values.offset: values.offset + n + 1] if n else np.zeros(1, np.int64)
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    data = data[offsets[0]:offsets[-1]]
    return offsets - offsets[0], data


def _rows_with(flags: np.ndarray, cp_off: np.ndarray, n: int) -> np.ndarray:
    """Rows that contain at least one flagged character."""
    counts = np.concatenate([[0], np.cumsum(flags)])
    return (counts[cp_off[1:]] - counts[cp_off[:-1]]) > 0 if n else np.zeros(0, bool)


def _unused_mask(row_bytes: np.ndarray, width: int, justify: str) -> np.ndarray:
    j = np.arange(width)
    used = np.minimum(row_bytes, width)[:, None]
    return j >= used if justify == "left" else j < (width - used)


def _place(flat: np.ndarray, row_bytes: np.ndarray, width: int, pad: int | None, justify: str) -> np.ndarray:
    """Lay the concatenated bytes of each row into a (n, width) block, padded, cut at width
    (the right end, or the left end when justified right)."""
    if justify not in ("left", "right"):
        raise CodePageError(f"justify must be 'left' or 'right', not {justify!r}")
    n = len(row_bytes)
    out = np.full((n, width), 0 if pad is None else pad, np.uint8)
    if not len(flat) or not width:
        return out
    over = row_bytes > width
    if over.any():                                   # drop the bytes that do not fit
        row_start = np.concatenate([[0], np.cumsum(row_bytes)])
        row = np.repeat(np.arange(n), row_bytes)
        col = np.arange(len(flat)) - row_start[row]
        if justify == "right":
            col -= np.maximum(row_bytes - width, 0)[row]
        flat = flat[(col >= 0) & (col < width)]
    used = np.minimum(row_bytes, width)[:, None]
    j = np.arange(width)
    # boolean assignment fills row by row, left to right: exactly the order of `flat`
    out[j < used if justify == "left" else j >= width - used] = flat
    return out
