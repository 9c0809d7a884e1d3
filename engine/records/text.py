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


_NOTHING = np.zeros(0, dtype=np.uint8)


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

    def kernel_decode(self, offsets: np.ndarray, count: int, views: bool = False):
        """(specification, finish) for the compiled kernel, None for a page it does
        not take; finish gives None when the bytes hold more than one-byte characters.
        views=True gives an Arrow string_view column (what Polars keeps strings in:
        it takes the column as it is) instead of large_string."""
        tables = self._kernel_tables()
        if tables is None or self.size == 0:
            return None
        views = views and count * self.size < 2 ** 31
        str_offsets = kernel.empty(2 * count if views else count + 1, np.int64)
        data = kernel.empty(count * self.size, np.uint8)
        spec = (kernel.TEXT, offsets, str_offsets, data, self.size, tables[0],
                2 if self.justified else 1, views)

        def finish(used):
            if used < 0:
                return None
            kind = pa.string_view() if views else pa.large_string()
            arr = pa.Array.from_buffers(kind, count, [None, pa.py_buffer(str_offsets),
                                                      pa.py_buffer(data[:used])])
            return arr, np.zeros(count, dtype=bool)
        return spec, finish

    def kernel_encode(self, offsets: np.ndarray, values):
        tables = self._kernel_tables()
        if tables is None:
            return None
        if (isinstance(values, pa.Array) and pa.types.is_string_view(values.type)
                and not values.null_count):
            # Polars' string views as they are: the kernel reads each string where it lies
            # (`values` is kept by the caller until the kernel has run)
            n, bufs = len(values), values.buffers()
            views = np.frombuffer(bufs[1], np.uint8)[16 * values.offset:16 * (values.offset + n)]
            where = np.array([(b.address, b.size) if b is not None else (0, 0) for b in bufs[2:]],
                             dtype=np.int64).reshape(-1, 2)
            overflow = np.empty(n, dtype=bool)
            spec = (kernel.TEXT, offsets, views, _NOTHING, tables[1], tables[2], self.size,
                    int(self.cp.space), self.justified, overflow, where)
            return spec, lambda r: None if r < 0 else (overflow, f"text longer than {self.size} bytes")
        str_offsets, data = _string_buffers(values)
        overflow = np.empty(len(str_offsets) - 1, dtype=bool)
        spec = (kernel.TEXT, offsets, np.ascontiguousarray(str_offsets), np.ascontiguousarray(data),
                tables[1], tables[2], self.size, int(self.cp.space), self.justified, overflow)
        return spec, lambda r: None if r < 0 else (overflow, f"text longer than {self.size} bytes")

    def decode(self, raw: np.ndarray):
        if (kernel.active() is not None and isinstance(raw, np.ndarray) and raw.dtype == np.uint8
                and raw.ndim == 2 and raw.shape[0]):
            done = kernel.decode_one(self, raw)
            if done is not None:
                return done
        return self.cp.decode_column(raw, strip="both" if self.justified else "right")

    def encode(self, values):
        if kernel.active() is not None:
            done = kernel.encode_one(self, values)
            if done is not None:
                return done
        out, overflow, unmappable = self.cp.encode_column(
            values, self.size, justify="right" if self.justified else "left")
        error = overflow | unmappable
        reason = (f"text longer than {self.size} bytes" if not unmappable.any() else
                  f"text longer than {self.size} bytes or with characters code page "
                  f"{self.cp.name} cannot represent")
        return out, error, reason
