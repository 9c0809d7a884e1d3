"""Text fields (PIC X / A, alphanumeric-edited) through the `engine.codepages`
column functions (vectorised decode and encode of whole (n, w) blocks). The
compiled kernel takes the common case, text of one-byte characters, in one
pass; anything else (DBCS, shift codes, unmappable characters) goes the
code page's general way."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from engine.codepages import get_codepage as _get_codepage
from engine.codepages.codepage import _string_buffers
from engine.records import kernel


def get_codepage(name):
    """The code page object for `name` (or `name` itself if it is one)."""
    return _get_codepage(name) if isinstance(name, str) else name


class TextCodec:
    """PIC X / A / alphanumeric-edited: String, trailing spaces removed
    (leading spaces too for JUSTIFIED RIGHT fields)."""
    kind = "text"
    wide = False

    def __init__(self, *, size: int, codepage, justified: bool = False):
        self.size = size
        self.cp = codepage
        self.justified = justified
        self._tables = None

    def _kernel_tables(self):
        """(decode table, encode table, encode mask) for the compiled kernel, or
        None for pages it does not take. Decode: a byte's UTF-8 byte when it is a
        plain one-byte character, 0x80 otherwise. Encode: the byte of each ASCII
        character the page writes in one byte (mask 1), every other byte stops."""
        if self._tables is None:
            cp = self.cp
            if cp.kind == "utf8":
                self._tables = False
            else:
                t = cp._decode_tables()
                if t["identity"]:
                    dec = bytes(b if b < 0x80 else 0x80 for b in range(256))
                else:
                    dec = t["plain_table"]
                ok, table = cp._ascii_encoding()
                mask = np.zeros(256, np.uint8)
                mask[np.frombuffer(ok, np.uint8)] = 1
                self._tables = (dec, table, mask.tobytes())
        return self._tables or None

    def decode(self, raw: np.ndarray):
        strip = "both" if self.justified else "right"
        ck = kernel.active()
        if ck is not None and raw.ndim == 2 and raw.shape[0] and raw.shape[1]:
            tables = self._kernel_tables()
            if tables is not None:
                n, w = raw.shape
                offsets = np.empty(n + 1, dtype=np.int64)
                data = np.empty(n * w, dtype=np.uint8)
                used = ck.text_decode(kernel.block(raw), tables[0], 2 if self.justified else 1,
                                      offsets, data)
                if used >= 0:
                    arr = pa.Array.from_buffers(pa.large_string(), n,
                                                [None, pa.py_buffer(offsets),
                                                 pa.py_buffer(data[:used])])
                    return arr, np.zeros(n, dtype=bool)
        arr, bad = self.cp.decode_column(raw, strip=strip)
        return arr, bad

    def encode(self, values):
        ck = kernel.active()
        if ck is not None:
            tables = self._kernel_tables()
            if tables is not None:
                offsets, data = _string_buffers(values)
                n = len(offsets) - 1
                out = np.empty((n, self.size), dtype=np.uint8)
                overflow = np.empty(n, dtype=bool)
                if ck.text_encode(np.ascontiguousarray(offsets), np.ascontiguousarray(data),
                                  tables[1], tables[2], self.size, int(self.cp.space),
                                  self.justified, out, overflow) == 0:
                    return out, overflow, f"text longer than {self.size} bytes"
                values = pa.LargeStringArray.from_buffers(
                    n, pa.py_buffer(offsets), pa.py_buffer(data))
        out, overflow, unmappable = self.cp.encode_column(
            values, self.size, justify="right" if self.justified else "left")
        error = overflow | unmappable
        reason = (f"text longer than {self.size} bytes" if not unmappable.any() else
                  f"text longer than {self.size} bytes or with characters code page "
                  f"{self.cp.name} cannot represent")
        return out, error, reason
