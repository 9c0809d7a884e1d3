"""Double-byte text: PIC N USAGE NATIONAL (UTF-16 big-endian, 2 bytes a
character) and PIC G / DISPLAY-1 (the code page's DBCS, no shift bytes).

UTF-16 is converted once per distinct field value (national fields are short
names and addresses with many repeats); trailing U+0020 / U+3000 blanks are
removed on decode and the field is padded with U+0020 on encode.
DBCS fields go through the code page's decode_dbcs_column / encode_dbcs_column.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import CodePageError


def _distinct_rows(raw: np.ndarray):
    n, w = raw.shape
    if w == 0:
        return [b""], np.zeros(n, dtype=np.int64)
    v = np.ascontiguousarray(raw).view(f"V{w}").ravel()
    uniq, inv = np.unique(v, return_inverse=True)
    return [bytes(u) for u in uniq], inv.ravel()


class NationalCodec:
    kind = "national (UTF-16)"
    wide = False

    def __init__(self, *, size: int):
        self.size = size

    def decode(self, raw: np.ndarray):
        uniq, inv = _distinct_rows(raw)
        texts, bad_u = [], []
        for b in uniq:
            try:
                texts.append(b.decode("utf-16-be").rstrip(" \u3000"))
                bad_u.append(False)
            except UnicodeDecodeError:
                texts.append(b.decode("utf-16-be", errors="replace").rstrip(" \u3000"))
                bad_u.append(True)
        arr = pa.array(texts, type=pa.large_string()).take(pa.array(inv))
        return arr, np.array(bad_u, dtype=bool)[inv]

    def encode(self, values):
        arr = values.to_arrow() if hasattr(values, "to_arrow") else values
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        enc = pc.dictionary_encode(arr)
        dictionary = enc.dictionary.to_pylist()
        idx = enc.indices.to_numpy(zero_copy_only=False)
        rows = np.zeros((len(dictionary) + 1, self.size), dtype=np.uint8)
        rows[:, 1::2] = 0x20
        too_long = np.zeros(len(dictionary) + 1, dtype=bool)
        for i, s in enumerate(dictionary):
            b = s.encode("utf-16-be", errors="surrogatepass")
            if len(b) > self.size:
                too_long[i] = True
            else:
                rows[i, :len(b)] = np.frombuffer(b, dtype=np.uint8)
        idx = enc.indices.fill_null(len(dictionary)).to_numpy(zero_copy_only=False).astype(np.int64)
        return rows[idx], too_long[idx], f"text longer than {self.size // 2} national characters"


class DbcsCodec:
    kind = "DBCS text"
    wide = False

    def __init__(self, *, size: int, codepage):
        self.size = size
        self.cp = codepage
        if not hasattr(codepage, "decode_dbcs_column"):
            raise CodePageError(f"code page {codepage.name} has no DBCS (PIC G / DISPLAY-1) support",
                                hint="read the dataset with a DBCS page such as cp930 or cp939")

    def decode(self, raw: np.ndarray):
        return self.cp.decode_dbcs_column(raw)

    def encode(self, values):
        out, overflow, unmappable = self.cp.encode_dbcs_column(values, self.size)
        return out, overflow | unmappable, (
            f"text longer than {self.size // 2} DBCS characters or not representable in {self.cp.name}")
