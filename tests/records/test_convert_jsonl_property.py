"""The vectorised JSON-lines builder against Python's json module (the reference):
any text (quotes, backslashes, control characters, non-BMP), integers, scaled
decimals (their scale kept in the text) and nulls, flat and nested."""
from __future__ import annotations

import json
from decimal import Decimal

import polars as pl
from hypothesis import given, settings, strategies as st

from engine.records.output import JsonStyle, flatten_occurs, json_lines

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
ints = st.integers(-(2**63) + 1, 2**63 - 1)
scale = 2
decimals = st.decimals(min_value=Decimal("-9999999.99"), max_value=Decimal("9999999.99"),
                       places=scale, allow_nan=False, allow_infinity=False)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.none() | texts, st.none() | ints, st.none() | decimals,
                               st.lists(ints, max_size=3)), min_size=1, max_size=20))
def test_json_lines_match_python_json(rows):
    frame = pl.DataFrame(
        {"T-NAME": [r[0] for r in rows], "N-COUNT": [r[1] for r in rows],
         "D-AMT": pl.Series([r[2] for r in rows], dtype=pl.Decimal(9, scale)),
         "L-TBL": [r[3] for r in rows]},
        schema_overrides={"T-NAME": pl.String, "N-COUNT": pl.Int64, "L-TBL": pl.List(pl.Int64)})
    lines = json_lines(frame).to_list()
    assert len(lines) == len(rows)
    for line, (text, count, amount, table) in zip(lines, rows):
        got = json.loads(line, parse_float=Decimal)
        assert got == {"T-NAME": text, "N-COUNT": count, "D-AMT": amount, "L-TBL": table}
        if amount is not None:   # the scale is in the text: 30.50, 0.00
            assert isinstance(got["D-AMT"], Decimal) and got["D-AMT"].as_tuple().exponent == -scale
        assert "\n" not in line


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.none() | texts, st.none() | ints), min_size=1, max_size=10))
def test_omitted_nulls_and_key_style(rows):
    frame = pl.DataFrame({"A-B": [r[0] for r in rows], "C-D": [r[1] for r in rows]},
                         schema={"A-B": pl.String, "C-D": pl.Int64})
    style = JsonStyle(key=lambda n: n.replace("-", "_"), omit_nulls=True)
    for line, (text, number) in zip(json_lines(frame, style=style).to_list(), rows):
        want = {k: v for k, v in {"A_B": text, "C_D": number}.items() if v is not None}
        assert json.loads(line) == want


def test_flatten_occurs_names_and_nested():
    frame = pl.DataFrame({"X": [[1, 2], [3, None]], "Y": [[[1], [2, 3]], [[4], []]]})
    flat = flatten_occurs(frame)
    assert flat.columns == ["X-1", "X-2", "Y-1-1", "Y-2-1", "Y-2-2"]
    assert flat.row(0) == (1, 2, 1, 2, 3) and flat.row(1) == (3, None, 4, None, None)
