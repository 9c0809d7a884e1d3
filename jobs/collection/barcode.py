"""The convenience-store payment barcode (GS1-128, AI 91, 44 digits), as columns.

    1-2 "91" · 3-8 企業コード · 9-29 自由使用欄 (here: the item's SH-KEY, 18 digits,
    then 000) · 30 再発行区分 · 31-36 支払期限 YYMMDD · 37 印紙フラグ (0 for public
    money) · 38-43 金額 · 44 check digit

The check digit weighs the 43 data digits 3, 1, 3, 1 ... from the rightmost one and
is (10 - sum mod 10) mod 10. Amounts over 300,000 yen are never barcoded.
"""
from __future__ import annotations

import polars as pl

LENGTH = 44
LIMIT = 300_000
WEIGHTS = [3 if (42 - i) % 2 == 0 else 1 for i in range(43)]     # position i (0-based) of the data


def check_digit(data43: pl.Expr) -> pl.Expr:
    """The check digit of 43-digit strings (an Int64 column)."""
    total = pl.sum_horizontal(data43.str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate(WEIGHTS))
    return (10 - total % 10) % 10


def make(company: pl.Expr, key: pl.Expr, deadline: pl.Expr, amount: pl.Expr,
         reissue: pl.Expr | int = 0) -> pl.Expr:
    """Barcodes of items: company code (6 digits), SH-KEY (18 digits), deadline
    YYYYMMDD, amount in yen, 再発行区分."""
    reissue = pl.lit(reissue) if isinstance(reissue, int) else reissue
    data = pl.concat_str(pl.lit("91"), company.cast(pl.String).str.zfill(6), key.cast(pl.String).str.zfill(18),
                         pl.lit("000"), reissue.cast(pl.String),
                         (deadline % 1_000_000).cast(pl.String).str.zfill(6), pl.lit("0"),
                         amount.cast(pl.String).str.zfill(6))
    return pl.concat_str(data, check_digit(data).cast(pl.String))


def fields(code: pl.Expr) -> dict[str, pl.Expr]:
    """The barcode's fields as expressions (meaningful when the barcode is well formed).
    The deadline's century is 20YY."""
    part = code.str.slice
    return {"company": part(2, 6).cast(pl.Int64, strict=False),
            "key": part(8, 18),
            "free_tail": part(26, 3),
            "reissue": part(29, 1),
            "deadline": (20_000_000 + part(30, 6).cast(pl.Int64, strict=False)),
            "stamp": part(36, 1),
            "amount": part(37, 6).cast(pl.Int64, strict=False),
            "check": part(43, 1).cast(pl.Int64, strict=False)}


def well_formed(code: pl.Expr) -> pl.Expr:
    return code.str.contains(r"^91[0-9]{42}$").fill_null(False)


def check_digit_ok(code: pl.Expr) -> pl.Expr:
    return check_digit(code.str.slice(0, 43)) == code.str.slice(43, 1).cast(pl.Int64, strict=False)
