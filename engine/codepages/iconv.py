"""glibc iconv through ctypes: the reference converter for the IBM pages.

Used by `build_tables.py` (to generate the committed tables) and by the tests
(to check those tables against iconv); the runtime never needs it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.iconv_open.restype = ctypes.c_void_p
_libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_libc.iconv.restype = ctypes.c_size_t
_libc.iconv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t),
                        ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
_libc.iconv_close.argtypes = [ctypes.c_void_p]
_ERROR = ctypes.c_size_t(-1).value


class IconvError(ValueError):
    """iconv refused the input (EILSEQ: not mappable / invalid, EINVAL: incomplete)."""


def available(charset: str) -> bool:
    """True if glibc has a converter for `charset` (e.g. "IBM930")."""
    cd = _libc.iconv_open(b"UTF-8", charset.encode())
    if cd is None or cd == _ERROR:
        return False
    _libc.iconv_close(cd)
    return True


def convert(data: bytes, from_code: str, to_code: str) -> bytes:
    """Convert the whole of `data` in one iconv call sequence; IconvError if iconv stops."""
    cd = _libc.iconv_open(to_code.encode(), from_code.encode())
    if cd is None or cd == _ERROR:
        raise IconvError(f"iconv has no converter {from_code} -> {to_code}")
    try:
        out_size = 8 * len(data) + 16
        inbuf = ctypes.create_string_buffer(data, len(data))
        outbuf = ctypes.create_string_buffer(out_size)
        in_p = ctypes.cast(inbuf, ctypes.c_char_p)
        out_p = ctypes.cast(outbuf, ctypes.c_char_p)
        in_left = ctypes.c_size_t(len(data))
        out_left = ctypes.c_size_t(out_size)
        rc = _libc.iconv(cd, ctypes.byref(in_p), ctypes.byref(in_left), ctypes.byref(out_p), ctypes.byref(out_left))
        if rc == _ERROR:
            err = ctypes.get_errno()
            raise IconvError(f"iconv {from_code}->{to_code} stopped ({errno.errorcode.get(err, err)}) "
                             f"at input byte {len(data) - in_left.value}")
        # flush the shift state (emits SI for stateful encoders)
        rc = _libc.iconv(cd, None, None, ctypes.byref(out_p), ctypes.byref(out_left))
        if rc == _ERROR:
            raise IconvError(f"iconv {from_code}->{to_code} could not finish")
        return outbuf.raw[: out_size - out_left.value]
    finally:
        _libc.iconv_close(cd)


def decode(data: bytes, charset: str) -> str:
    return convert(data, charset, "UTF-8").decode("utf-8")


def encode(text: str, charset: str) -> bytes:
    return convert(text.encode("utf-8"), "UTF-8", charset)


class Converter:
    """One open iconv descriptor, reused for many small conversions (table building, tests)."""

    def __init__(self, from_code: str, to_code: str):
        self.from_code, self.to_code = from_code, to_code
        self._cd = _libc.iconv_open(to_code.encode(), from_code.encode())
        if self._cd is None or self._cd == _ERROR:
            raise IconvError(f"iconv has no converter {from_code} -> {to_code}")
        self._out = ctypes.create_string_buffer(256)

    def __call__(self, data: bytes) -> bytes | None:
        """The converted bytes, or None where iconv rejects `data` (unmapped, invalid, incomplete)."""
        cd = self._cd
        _libc.iconv(cd, None, None, None, None)           # back to the initial shift state
        in_p = ctypes.c_char_p(data)
        in_left = ctypes.c_size_t(len(data))
        out_p = ctypes.cast(self._out, ctypes.c_char_p)
        out_left = ctypes.c_size_t(256)
        if _libc.iconv(cd, ctypes.byref(in_p), ctypes.byref(in_left), ctypes.byref(out_p),
                       ctypes.byref(out_left)) == _ERROR or in_left.value:
            return None
        if _libc.iconv(cd, None, None, ctypes.byref(out_p), ctypes.byref(out_left)) == _ERROR:
            return None
        return self._out.raw[: 256 - out_left.value]

    def close(self) -> None:
        if self._cd is not None:
            _libc.iconv_close(self._cd)
            self._cd = None

    def __del__(self):
        self.close()
