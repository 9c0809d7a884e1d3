"""Vectorised UTF-8 <-> code points over whole buffers (NumPy only, no per-character loop)."""
from __future__ import annotations

import numpy as np

REPLACEMENT = 0xFFFD


def encode_code_points(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of each code point: (bytes (n, 4) uint8 left-aligned, lengths (n,) int8)."""
    cp = np.asarray(cps, dtype=np.int64)
    out = np.zeros((len(cp), 4), np.uint8)
    lens = np.where(cp < 0x80, 1, np.where(cp < 0x800, 2, np.where(cp < 0x10000, 3, 4))).astype(np.int8)
    one, two, three, four = lens == 1, lens == 2, lens == 3, lens == 4
    out[one, 0] = cp[one]
    out[two, 0] = 0xC0 | (cp[two] >> 6)
    out[two, 1] = 0x80 | (cp[two] & 0x3F)
    out[three, 0] = 0xE0 | (cp[three] >> 12)
    out[three, 1] = 0x80 | ((cp[three] >> 6) & 0x3F)
    out[three, 2] = 0x80 | (cp[three] & 0x3F)
    out[four, 0] = 0xF0 | (cp[four] >> 18)
    out[four, 1] = 0x80 | ((cp[four] >> 12) & 0x3F)
    out[four, 2] = 0x80 | ((cp[four] >> 6) & 0x3F)
    out[four, 3] = 0x80 | (cp[four] & 0x3F)
    return out, lens


def decode_to_code_points(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Code points of valid UTF-8 `data` (uint8, 1-D): (code points int32, start mask of data).

    The start mask marks the first byte of every character, so `cumsum(start)` maps
    byte offsets (e.g. Arrow string offsets) to character offsets.
    """
    d = np.asarray(data, dtype=np.uint8)
    start = (d & 0xC0) != 0x80
    pos = np.flatnonzero(start)
    padded = np.concatenate([d, np.zeros(3, np.uint8)]).astype(np.int32)
    b0 = padded[pos]
    b1 = padded[pos + 1] & 0x3F
    b2 = padded[pos + 2] & 0x3F
    b3 = padded[pos + 3] & 0x3F
    cp = np.where(b0 < 0x80, b0,
         np.where(b0 < 0xE0, ((b0 & 0x1F) << 6) | b1,
         np.where(b0 < 0xF0, ((b0 & 0x0F) << 12) | (b1 << 6) | b2,
                  ((b0 & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3)))
    return cp.astype(np.int32), start


def invalid_rows(block: np.ndarray) -> np.ndarray:
    """Rows of a (n, w) byte block that are not well-formed UTF-8 (a row is a whole string).

    Checks lead bytes, the number of continuation bytes (a sequence may not run past
    its row), overlong forms, surrogates and code points above U+10FFFF.
    """
    b = block
    n, w = b.shape
    cont = (b & 0xC0) == 0x80
    lead2 = (b >= 0xC2) & (b <= 0xDF)
    lead3 = (b & 0xF0) == 0xE0
    lead4 = (b >= 0xF0) & (b <= 0xF4)
    err = (b == 0xC0) | (b == 0xC1) | (b >= 0xF5)
    need = np.zeros((n, w + 3), bool)          # 3 extra columns catch sequences cut by the row end
    need[:, 1:w + 1] |= lead2 | lead3 | lead4
    need[:, 2:w + 2] |= lead3 | lead4
    need[:, 3:w + 3] |= lead4
    err |= need[:, :w] != cont
    err |= need[:, w:].any(axis=1)[:, None]
    if w > 1:
        first, second = b[:, :-1], b[:, 1:]
        err[:, :-1] |= ((first == 0xE0) & (second < 0xA0)) | ((first == 0xED) & (second > 0x9F)) \
            | ((first == 0xF0) & (second < 0x90)) | ((first == 0xF4) & (second > 0x8F))
    return err.any(axis=1)
