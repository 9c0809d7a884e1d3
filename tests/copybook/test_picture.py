"""PICTURE analysis: category, display length, digits, scale, sign."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from engine.copybook import Category
from engine.copybook.picture import expand, parse_picture
from engine.errors import CopybookError


@pytest.mark.parametrize("pic, category, length, digits, scale, signed", [
    ("X(10)", Category.ALPHANUMERIC, 10, 0, 0, False),
    ("XXX", Category.ALPHANUMERIC, 3, 0, 0, False),
    ("A(4)", Category.ALPHABETIC, 4, 0, 0, False),
    ("X(2)BX(2)/XX0", Category.ALPHANUMERIC_EDITED, 9, 0, 0, False),
    ("N(5)", Category.NATIONAL, 5, 0, 0, False),
    ("G(3)", Category.DBCS, 3, 0, 0, False),
    ("9(5)", Category.NUMERIC, 5, 5, 0, False),
    ("S9(7)V99", Category.NUMERIC, 9, 9, 2, True),
    ("SV9(3)", Category.NUMERIC, 3, 3, 3, True),
    ("PPP99", Category.NUMERIC, 2, 2, 5, False),
    ("VPP9", Category.NUMERIC, 1, 1, 3, False),
    ("S99PPP", Category.NUMERIC, 2, 2, -3, True),
    ("ZZ,ZZ9.99", Category.NUMERIC_EDITED, 9, 7, 2, False),
    ("ZZZ9.99-", Category.NUMERIC_EDITED, 8, 6, 2, True),
    ("**,**9.99", Category.NUMERIC_EDITED, 9, 7, 2, False),
    ("$$$,$$9.99CR", Category.NUMERIC_EDITED, 12, 7, 2, True),
    ("+++,++9", Category.NUMERIC_EDITED, 7, 5, 0, True),
    ("----9.9", Category.NUMERIC_EDITED, 7, 5, 1, True),
    ("9(4)DB", Category.NUMERIC_EDITED, 6, 4, 0, True),
    ("99/99/99", Category.NUMERIC_EDITED, 8, 6, 0, False),
    ("999B999", Category.NUMERIC_EDITED, 7, 6, 0, False),
    ("+9(3)", Category.NUMERIC_EDITED, 4, 3, 0, True),
    ("$9(3).99", Category.NUMERIC_EDITED, 7, 5, 2, False),
    ("z(3)9v99", Category.NUMERIC_EDITED, 6, 6, 2, False),
])
def test_pictures(pic, category, length, digits, scale, signed):
    p = parse_picture(pic)
    assert (p.category, p.length, p.digits, p.scale, p.signed) == (category, length, digits, scale,
                                                                   signed)
    assert p.source == pic


@pytest.mark.parametrize("pic, words", [
    ("9(0)", "repetition count 0"),
    ("X(3", "unbalanced parentheses"),
    ("9S9", "S must be written once, first"),
    ("9V9V9", "V may appear only once"),
    ("9P9", "P must be contiguous"),
    ("XN", "N cannot be mixed"),
    ("X9Z", "X and A may be combined only with 9"),
    ("9(3).9.9", "only one decimal point"),
    ("SV", "needs at least one 9"),
    ("9K", "invalid character 'K'"),
])
def test_invalid_pictures(pic, words):
    with pytest.raises(CopybookError, match=words):
        parse_picture(pic, file="F.cpy", line=3, column=20)


def test_invalid_character_column_points_at_it():
    with pytest.raises(CopybookError) as err:
        parse_picture("S9(4)K", file="F.cpy", line=3, column=20)
    assert str(err.value).startswith("F.cpy:3:25: ")


def written(symbol: str, n: int, compact: bool) -> str:
    return f"{symbol}({n})" if compact else symbol * n


@given(signed=st.booleans(), left=st.integers(0, 18), right=st.integers(0, 18),
       p_left=st.integers(0, 4), p_right=st.integers(0, 4), forms=st.lists(st.booleans(), min_size=4,
                                                                           max_size=4))
def test_numeric_pictures(signed, left, right, p_left, p_right, forms):
    """S 9s V 9s with P scaling on one side, in compact or repeated form."""
    if p_left and p_right:
        p_right = 0
    if p_left or p_right:  # P scaling: digits on one side of an implied point only
        right = 0
    if left + right == 0:
        left = 1
    text = ("S" if signed else "")
    if p_left:
        text += written("P", p_left, forms[0]) + written("9", left, forms[1])
        scale = p_left + left
    elif p_right:
        text += written("9", left, forms[1]) + written("P", p_right, forms[2])
        scale = -p_right
    else:
        text += (written("9", left, forms[1]) if left else "") + (
            "V" + written("9", right, forms[3]) if right else "")
        scale = right
    p = parse_picture(text)
    assert (p.category, p.digits, p.scale, p.length, p.signed) == (
        Category.NUMERIC, left + right, scale, left + right, signed)
    assert expand(text).count("9") == left + right
