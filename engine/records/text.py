"""Text fields (PIC X / A, alphanumeric-edited) through the `engine.codepages`
column functions (vectorised decode and encode of whole (n, w) blocks)."""
from __future__ import annotations

import numpy as np

from engine.codepages import get_codepage as _get_codepage


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
