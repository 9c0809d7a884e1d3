"""Text fields (PIC X / A, alphanumeric-edited) and the code page lookup.

Text is decoded and encoded through `engine.codepages` (column functions).
While that package is not importable, a small stand-in built on Python's
single-byte codecs is used so that the codec works on ASCII and the common
EBCDIC pages; it has the same column interface, vectorised for decoding.
"""
from __future__ import annotations

import codecs

import numpy as np
import pyarrow as pa

from engine.errors import CodePageError

_PY_NAMES = {"ascii": "latin-1", "us-ascii": "latin-1", "cp037": "cp037", "ibm037": "cp037",
             "cp500": "cp500", "cp1140": "cp1140", "cp273": "cp273", "cp1047": "cp1047",
             "cp932": "cp932", "shift_jis": "cp932", "sjis": "cp932", "utf-8": "utf-8",
             "utf8": "utf-8", "latin-1": "latin-1", "latin1": "latin-1"}


def get_codepage(name):
    """The code page object for `name` (or `name` itself if it is one)."""
    if not isinstance(name, str):
        return name
    try:
        from engine.codepages import get_codepage as real
    except ImportError:
        return _fallback(name)
    return real(name)


def _fallback(name: str) -> "_PyCodePage":
    key = name.lower().replace("ibm-", "cp").replace("ibm", "cp")
    py = _PY_NAMES.get(name.lower()) or _PY_NAMES.get(key)
    if py is None:
        try:
            codecs.lookup(key)
            py = key
        except LookupError:
            raise CodePageError(f"unknown code page {name!r}",
                                hint="use ascii, utf-8, cp932, cp037, cp500, cp1140 or cp273") from None
    return _PyCodePage(name.lower(), py)


class _PyCodePage:
    """Stand-in for engine.codepages.CodePage on a Python single-byte codec."""

    def __init__(self, name: str, pycodec: str):
        self.name = name
        self.pycodec = pycodec
        self.multibyte = pycodec in ("cp932", "utf-8")
        self.is_ebcdic = codecs.encode("0", pycodec) == b"\xf0"
        self.space = codecs.encode(" ", pycodec)[0]
        self.digit_zero = codecs.encode("0", pycodec)[0]
        self.has_dbcs = self.multibyte
        table = np.full(256, -1, dtype=np.int32)
        for b in range(256):
            if pycodec == "latin-1" and b >= 0x80 and name in ("ascii", "us-ascii"):
                continue
            if self.multibyte and b >= 0x80:
                continue
            try:
                table[b] = ord(bytes([b]).decode(pycodec))
            except UnicodeDecodeError:
                pass
        self.sbcs_table = table
        self._utf8 = np.zeros((256, 4), dtype=np.uint8)
        self._utf8_len = np.zeros(256, dtype=np.int64)
        for b in range(256):
            cp = table[b] if table[b] >= 0 else 0xFFFD
            u = chr(cp).encode("utf-8")
            self._utf8[b, :len(u)] = list(u)
            self._utf8_len[b] = len(u)

    def decode(self, b: bytes) -> str:
        return b.decode(self.pycodec, errors="replace")

    def encode(self, s: str) -> bytes:
        try:
            return s.encode(self.pycodec if self.name not in ("ascii", "us-ascii") else "ascii")
        except UnicodeEncodeError as e:
            raise CodePageError(f"{s!r} cannot be written in code page {self.name}") from e

    def decode_column(self, block: np.ndarray, *, strip: str | None = "right"):
        n, w = block.shape
        keep = np.ones((n, w), dtype=bool)
        if strip in ("right", "both") and w:
            nonspace = block != self.space
            last = w - np.argmax(nonspace[:, ::-1], axis=1)
            last[~nonspace.any(axis=1)] = 0
            keep &= np.arange(w) < last[:, None]
            if strip == "both":
                first = np.argmax(nonspace, axis=1)
                keep &= np.arange(w) >= first[:, None]
        bad = ((self.sbcs_table[block] < 0) & keep).any(axis=1)
        if self.multibyte:
            return self._decode_multibyte(block, keep)
        codes = block[keep]
        lens = self._utf8_len[codes]
        if codes.size == 0 or lens.max() == 1:
            data = self._utf8[codes, 0]
            row_bytes = keep.sum(axis=1)
        else:
            data = self._utf8[codes][np.arange(4) < lens[:, None]]
            row_bytes = (self._utf8_len[block] * keep).sum(axis=1)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(row_bytes, out=offsets[1:])
        arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
        return arr, bad

    def _decode_multibyte(self, block, keep):
        n = block.shape[0]
        rows = np.where(keep, block, 0)
        uniq, inv = np.unique(np.ascontiguousarray(rows).view(f"V{block.shape[1]}").ravel(),
                              return_inverse=True)
        lens = keep.sum(axis=1)
        out, bad = [None] * n, np.zeros(n, dtype=bool)
        texts = []
        for u in uniq:
            texts.append(bytes(u))
        for i in range(n):  # only reached by the stand-in for multibyte pages
            raw = texts[inv[i]][:lens[i]]
            try:
                out[i] = raw.decode(self.pycodec)
            except UnicodeDecodeError:
                out[i] = raw.decode(self.pycodec, errors="replace")
                bad[i] = True
        return pa.array(out, type=pa.large_string()), bad

    def encode_column(self, values, width: int, *, justify: str = "left"):
        arr = values.to_arrow() if hasattr(values, "to_arrow") else values
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = arr.cast(pa.large_string())
        n = len(arr)
        out = np.full((n, width), self.space, dtype=np.uint8)
        bufs = arr.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int64, count=n + 1, offset=arr.offset * 8)
        data = (np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None
                else np.zeros(0, np.uint8))[offsets[0]:offsets[-1]]
        lens = np.diff(offsets)
        if arr.null_count:
            lens = np.where(arr.is_null().to_numpy(zero_copy_only=False), 0, lens)
        if self.multibyte or (data >= 0x80).any():
            return self._encode_slow(arr.to_pylist(), width, justify)
        rev = np.full(128, -1, dtype=np.int16)
        for b in range(256):
            if 0 <= self.sbcs_table[b] < 128 and rev[self.sbcs_table[b]] < 0:
                rev[self.sbcs_table[b]] = b
        enc = rev[data]
        row_of = np.repeat(np.arange(n), np.diff(offsets))
        unmappable = np.zeros(n, dtype=bool)
        unmappable[row_of[enc < 0]] = True
        overflow = lens > width
        ok = ~(overflow | unmappable)
        take = ok[row_of] & np.repeat(lens > 0, np.diff(offsets))
        pos = np.arange(width)
        if justify == "right":
            mask = pos >= (width - np.where(ok, lens, 0))[:, None]
        else:
            mask = pos < np.where(ok, lens, 0)[:, None]
        out[mask] = enc[take].astype(np.uint8)
        return out, overflow, unmappable

    def _encode_slow(self, py, width, justify):
        """Per distinct value: only for text beyond ASCII in the stand-in."""
        n = len(py)
        out = np.full((n, width), self.space, dtype=np.uint8)
        overflow = np.zeros(n, dtype=bool)
        unmappable = np.zeros(n, dtype=bool)
        codec_name = "ascii" if self.name in ("ascii", "us-ascii") else self.pycodec
        cache: dict = {}
        for i, s in enumerate(py):
            hit = cache.get(s)
            if hit is None:
                try:
                    b = (s or "").encode(codec_name)
                    hit = cache[s] = (b, len(b) > width, False)
                except UnicodeEncodeError:
                    hit = cache[s] = (b"", False, True)
            b, over, unm = hit
            overflow[i], unmappable[i] = over, unm
            if b and not over:
                row = np.frombuffer(b, dtype=np.uint8)
                if justify == "right":
                    out[i, width - len(b):] = row
                else:
                    out[i, :len(b)] = row
        return out, overflow, unmappable


class TextCodec:
    """PIC X / A / alphanumeric-edited: String, trailing spaces removed
    (leading spaces too for JUSTIFIED RIGHT fields)."""
    kind = "text"
    wide = False

    def __init__(self, *, size: int, codepage, justified: bool = False):
        self.size = size
        self.cp = codepage
        self.justified = justified

    def decode(self, raw: np.ndarray):
        arr, bad = self.cp.decode_column(raw, strip="both" if self.justified else "right")
        return arr, bad

    def encode(self, values):
        out, overflow, unmappable = self.cp.encode_column(
            values, self.size, justify="right" if self.justified else "left")
        error = overflow | unmappable
        reason = (f"text longer than {self.size} bytes" if not unmappable.any() else
                  f"text longer than {self.size} bytes or with characters code page "
                  f"{self.cp.name} cannot represent")
        return out, error, reason
