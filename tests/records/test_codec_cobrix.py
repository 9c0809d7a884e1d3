"""Field decoding checked against cases of a public peer's test suite (Cobrix,
../shared/conformance/cobrix): national UTF-16 and IBM / IEEE floats."""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine.copybook import parse_copybook
from engine.compat.dialect import IBM
from engine.records.codec import RecordCodec
from tests.conftest import CONFORMANCE

pytestmark = [pytest.mark.skipif(not CONFORMANCE.is_dir(), reason="conformance suite not present"),
              pytest.mark.usefixtures("both_kernels")]   # compiled kernel and NumPy fallback


def expected(case: str, variant: str) -> list[dict]:
    path = CONFORMANCE / case / f"expected_{variant}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_n01_national_utf16_be():
    case = CONFORMANCE / "n01_national_pic_n_utf16"
    layout = parse_copybook((case / "copybook.cpy").read_text())
    data = np.fromfile(case / "data_utf16_be.bin", dtype=np.uint8).reshape(-1, 9)
    codec = RecordCodec(layout, "cp037", "ibm")
    frame = codec.decode(data, keep_raw=True).frame
    assert frame.drop("__record__").to_dicts() == expected("n01_national_pic_n_utf16", "utf16_be")
    assert np.array_equal(codec.encode(frame.drop("__record__")), data)


@pytest.mark.parametrize("variant, fmt, order", [
    ("ibm_big_endian", "ibm", "big"), ("ibm_little_endian", "ibm", "little"),
    ("ieee754_big_endian", "ieee", "big"), ("ieee754_little_endian", "ieee", "little")])
def test_n02_floats(variant, fmt, order):
    case = CONFORMANCE / "n02_floating_point_comp1_comp2"
    layout = parse_copybook((case / "copybook.cpy").read_text())
    raw = np.fromfile(case / f"data_{variant}.bin", dtype=np.uint8).reshape(-1, 16)
    data = np.ascontiguousarray(raw[:, 4:])           # drop the 4-byte RDW
    codec = RecordCodec(layout, "cp037", IBM.with_options(float_format=fmt, float_byteorder=order))
    frame = codec.decode(data).frame
    for got, want in zip(frame.to_dicts(), expected(case.name, variant), strict=True):
        assert got["F"] == pytest.approx(want["F"], rel=1e-6)
        assert got["D"] == pytest.approx(want["D"], rel=1e-9)
    assert np.array_equal(codec.encode(frame), data)


def _nulls_dropped(frame):
    return [{k: v for k, v in row.items() if v is not None} for row in frame.to_dicts()]


def test_n03_overpunch_ebcdic():
    """densan reads a C zone on an unsigned field as IBM does (Cobrix's relaxed
    mode); a D zone there is invalid (null) in both."""
    case = CONFORMANCE / "n03_sign_overpunch"
    layout = parse_copybook((case / "copybook.cpy").read_text())
    codec = RecordCodec(layout, "cp037", "ibm")
    data = np.fromfile(case / "data_ebcdic_relaxed.bin", dtype=np.uint8).reshape(-1, 8)
    result = codec.decode(data, errors="lenient")
    assert _nulls_dropped(result.frame) == expected(case.name, "ebcdic_relaxed")
    assert result.rejected.tolist() == [1]
    strict = expected(case.name, "ebcdic_default")
    assert [r["B"] for r in strict] == result.frame["B"].to_list()


def test_n03_overpunch_ascii_text():
    case = CONFORMANCE / "n03_sign_overpunch"
    layout = parse_copybook((case / "copybook.cpy").read_text())
    lines = (case / "data_ascii_text_default.txt").read_bytes().splitlines()
    data = np.frombuffer(b"".join(lines), dtype=np.uint8).reshape(-1, 8)
    codec = RecordCodec(layout, "ascii", IBM.with_options(zoned_sign="ascii-overpunch"))
    result = codec.decode(data, errors="lenient")
    assert _nulls_dropped(result.frame) == expected(case.name, "ascii_text_default")
