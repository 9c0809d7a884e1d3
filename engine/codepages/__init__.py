"""Code pages: vectorised decoding/encoding of fixed-width text columns.

    from engine.codepages import get_codepage
    cp = get_codepage("cp930")
    text, bad = cp.decode_column(block)            # block: (n, w) uint8 -> large_string (n,)
    raw, overflow, unmappable = cp.encode_column(values, width)

Built-in: ascii, utf-8, cp932, cp037, cp1047, cp273, cp500, cp1140, cp290, cp930, cp939,
cp1390, cp1399. Site pages (Fujitsu JEF, Hitachi KEIS, NEC JIPS ...): see sitetable.py.
"""
from engine.codepages.codepage import CodePage
from engine.codepages.registry import available_codepages, get_codepage, register_codepage
from engine.codepages.sitetable import load_codepage_table

__all__ = ["CodePage", "get_codepage", "register_codepage", "load_codepage_table", "available_codepages"]
