"""The sort against references written apart from it: a Python reference sort with its own
scalar key decoding (Hypothesis), GNU sort (LC_ALL=C) and the SORT verb of GnuCOBOL."""
from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine.sort import sort_records
from tests.conftest import requires_cobc
from tests.sort.helpers import fixed, rows

# Layout of the random records (EBCDIC data, 12 bytes):
#   1-3 CH   4-5 PD (3 digits)   6-8 ZD (3 digits)   9-10 FI   11 BI   12 a record id
FIELDS = {"CH": (1, 3), "PD": (4, 2), "ZD": (6, 3), "FI": (9, 2), "BI": (11, 1)}
LETTERS = "aAzZ 09-".encode("cp037")


def ref_value(rec: bytes, fmt: str):
    """Scalar decoding, written independently of engine.sort.formats."""
    p, m = FIELDS[fmt]
    raw = rec[p - 1:p - 1 + m]
    if fmt == "CH":
        return raw
    if fmt == "BI":
        return int.from_bytes(raw, "big")
    if fmt == "FI":
        return int.from_bytes(raw, "big", signed=True)
    if fmt == "PD":
        text = raw.hex()
        value = int(text[:-1])
        return -value if text[-1] in "bd" else value
    digits = "".join(str(b & 0x0F) for b in raw)
    return -int(digits) if (raw[-1] >> 4) in (0xD, 0xB) else int(digits)


@st.composite
def record(draw, ident):
    ch = bytes(draw(st.lists(st.sampled_from(LETTERS), min_size=3, max_size=3)))
    pd_digits = draw(st.integers(0, 999))
    pd = bytes.fromhex(f"{pd_digits:03d}" + draw(st.sampled_from("cdf")))
    zd_digits = f"{draw(st.integers(0, 999)):03d}"
    zone = draw(st.sampled_from([0xC, 0xD, 0xF]))
    zd = bytes(0xF0 | int(d) for d in zd_digits[:2]) + bytes([(zone << 4) | int(zd_digits[2])])
    fi = draw(st.integers(-32768, 32767)).to_bytes(2, "big", signed=True)
    bi = bytes([draw(st.integers(0, 255))])
    return ch + pd + zd + fi + bi + bytes([ident % 256])


@st.composite
def dataset(draw):
    n = draw(st.integers(1, 40))
    return [draw(record(i)) for i in range(n)]


keys_strategy = st.lists(st.tuples(st.sampled_from(sorted(FIELDS)), st.booleans()),
                         min_size=1, max_size=4, unique_by=lambda k: k[0])


def reference_sort(records, keys):
    out = list(records)
    for fmt, desc in reversed(keys):          # stable passes, least significant key first
        out = sorted(out, key=lambda r: ref_value(r, fmt), reverse=desc)
    return out


def statement(keys) -> str:
    parts = [f"{FIELDS[f][0]},{FIELDS[f][1]},{f},{'D' if d else 'A'}" for f, d in keys]
    return f"  SORT FIELDS=({','.join(parts)})"


@settings(max_examples=150, deadline=None)
@given(dataset(), keys_strategy)
def test_sort_matches_a_python_reference(records, keys):
    out = rows(sort_records(statement(keys), [fixed(*records)], codepage="cp037").outputs["SORTOUT"])
    assert out == reference_sort(records, keys)


@settings(max_examples=100, deadline=None)
@given(dataset(), keys_strategy)
def test_sum_none_keeps_the_first_of_each_key(records, keys):
    out = rows(sort_records(statement(keys) + "\n  SUM FIELDS=NONE", [fixed(*records)],
                            codepage="cp037").outputs["SORTOUT"])
    expected, seen = [], set()
    for r in reference_sort(records, keys):
        k = tuple(ref_value(r, f) for f, _ in keys)
        if k not in seen:
            seen.add(k)
            expected.append(r)
    assert out == expected


@settings(max_examples=100, deadline=None)
@given(dataset(), st.sampled_from(["PD", "ZD", "FI"]), st.sampled_from(["EQ", "NE", "GT", "GE", "LT", "LE"]),
       st.integers(-1200, 1200))
def test_numeric_include_matches_python(records, fmt, op, constant):
    import operator
    p, m = FIELDS[fmt]
    out = rows(sort_records(f"  OPTION COPY\n  INCLUDE COND=({p},{m},{fmt},{op},{constant})",
                            [fixed(*records)], codepage="cp037").outputs["SORTOUT"])
    test = {"EQ": operator.eq, "NE": operator.ne, "GT": operator.gt, "GE": operator.ge,
            "LT": operator.lt, "LE": operator.le}[op]
    assert out == [r for r in records if test(ref_value(r, fmt), constant)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=6, max_size=6), min_size=1, max_size=30))
def test_ch_sort_is_unsigned_byte_order(records):
    out = rows(sort_records("  SORT FIELDS=(2,3,CH,A)", [fixed(*records)]).outputs["SORTOUT"])
    assert out == sorted(records, key=lambda r: r[1:4])


# ------------------------------------------------------------------ GNU sort

@pytest.mark.skipif(shutil.which("sort") is None, reason="GNU sort not installed")
def test_ch_key_agrees_with_gnu_sort(tmp_path):
    rng = np.random.default_rng(7)
    alphabet = np.frombuffer(b"ABCabc 019-", np.uint8)
    data = alphabet[rng.integers(0, len(alphabet), size=(3000, 12))]
    lines = tmp_path / "in.txt"
    lines.write_bytes(b"".join(bytes(r) + b"\n" for r in data))
    gnu = subprocess.run(["sort", "-s", "-k1.3,1.8"], stdin=open(lines, "rb"), capture_output=True,
                         env={**os.environ, "LC_ALL": "C"}, check=True).stdout
    out = rows(sort_records("  SORT FIELDS=(3,6,CH,A)", [data]).outputs["SORTOUT"])
    assert b"".join(r + b"\n" for r in out) == gnu


# ------------------------------------------------------------------ GnuCOBOL SORT verb

COBOL_SORT = """\
       IDENTIFICATION DIVISION.
       PROGRAM-ID. REFSORT.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT IN-F ASSIGN TO "in.dat"
               ORGANIZATION IS SEQUENTIAL.
           SELECT OUT-F ASSIGN TO "out.dat"
               ORGANIZATION IS SEQUENTIAL.
           SELECT WORK-F ASSIGN TO "work.tmp".
       DATA DIVISION.
       FILE SECTION.
       FD  IN-F.
       01  IN-R              PIC X(12).
       FD  OUT-F.
       01  OUT-R             PIC X(12).
       SD  WORK-F.
       01  W-R.
           05  W-CH          PIC X(3).
           05  W-PD          PIC S9(3) COMP-3.
           05  W-ZD          PIC S9(3).
           05  W-ID          PIC X(4).
       PROCEDURE DIVISION.
           SORT WORK-F ON DESCENDING KEY W-PD
                          ASCENDING KEY W-ZD
                          ASCENDING KEY W-CH
                WITH DUPLICATES IN ORDER
                USING IN-F GIVING OUT-F.
           STOP RUN.
"""


@requires_cobc
@pytest.mark.cobol
def test_signed_keys_agree_with_the_gnucobol_sort_verb(tmp_path):
    rng = np.random.default_rng(11)
    n = 400
    ch = np.frombuffer(b"AaZz 09", np.uint8)[rng.integers(0, 7, size=(n, 3))]
    pd_val = rng.integers(0, 60, n)
    pd_sign = np.array([0xC, 0xD, 0xF], np.uint8)[rng.integers(0, 3, n)]
    zd_val = rng.integers(0, 40, n)
    zd_neg = rng.integers(0, 2, n).astype(bool)
    recs = []
    for i in range(n):
        pd = bytes.fromhex(f"{pd_val[i]:03d}" + f"{pd_sign[i]:x}")
        digits = f"{zd_val[i]:03d}".encode()
        last = (0x70 + digits[2] - 0x30) if zd_neg[i] else digits[2]   # GnuCOBOL: 'p'-'y' negative
        recs.append(bytes(ch[i]) + pd + digits[:2] + bytes([last]) + f"{i:04d}".encode())
    (tmp_path / "in.dat").write_bytes(b"".join(recs))
    (tmp_path / "refsort.cob").write_text(COBOL_SORT)
    subprocess.run(["cobc", "-x", "-o", "refsort", "refsort.cob"], cwd=tmp_path, check=True,
                   capture_output=True)
    subprocess.run(["./refsort"], cwd=tmp_path, check=True, capture_output=True)
    expected = (tmp_path / "out.dat").read_bytes()
    out = rows(sort_records("  SORT FIELDS=(4,2,PD,D,6,3,ZD,A,1,3,CH,A)", [fixed(*recs)],
                            codepage="ascii", dialect="gnucobol").outputs["SORTOUT"])
    assert b"".join(out) == expected
