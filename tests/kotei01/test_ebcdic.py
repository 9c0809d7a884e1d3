"""KOTEI01 on EBCDIC (cp930, IBM conventions): the legacy's ASCII cases converted
character by character give the legacy's outputs converted the same way (the
collection records' packed fields as they are), and the same notices and report."""
from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import LEGACY, requires_cobc
from tests.kotei01.cases import (DUE, Case, OUTPUTS, generate, house, land, noki, run_legacy_case,
                                 write_inputs)

pytestmark = requires_cobc
A, B = 1000000101, 1000000102


def _table() -> np.ndarray:
    """ASCII / cp932 single byte -> cp930 byte (X'3F' where cp930 has no such character)."""
    from engine.codepages import get_codepage
    cp = get_codepage("cp930")
    out = np.full(256, 0x3F, np.uint8)
    for b in range(256):
        try:
            ch = bytes([b]).decode("cp932")
        except UnicodeDecodeError:
            continue
        try:
            e = cp.encode(ch)
        except Exception:       # noqa: BLE001 — not in the page
            continue
        if len(e) == 1:
            out[b] = e[0]
    return out


E = _table()


def to_ebcdic(data: bytes) -> bytes:
    return E[np.frombuffer(data, np.uint8)].tobytes()


def chotei_to_ebcdic(data: bytes) -> bytes:
    rows = np.frombuffer(data, np.uint8).reshape(-1, 100).copy()
    for a, b in ((0, 36), (59, 85), (87, 100)):
        rows[:, a:b] = E[rows[:, a:b]]
    return rows.tobytes()


def same_in_ebcdic(case: Case, tmp_path):
    from jobs.tax.kotei01 import assess
    legacy = run_legacy_case(case, tmp_path)
    ebc = tmp_path / "in-ebcdic"
    ebc.mkdir()
    inputs = {}
    for dd, path in write_inputs(case, tmp_path / "in").items():
        inputs[dd] = ebc / path.name
        inputs[dd].write_bytes(to_ebcdic(path.read_bytes()))
    out = tmp_path / "densan-ebcdic"
    out.mkdir()
    outs = {dd: out / name for dd, name in OUTPUTS.items()}
    res = assess(land_in=inputs["LAND-IN"], house_in=inputs["HOUSE-IN"], noki_in=inputs["NOKI-IN"],
                 chotei_out=outs["CHOTEI-OUT"], notice_out=outs["NOTICE-OUT"], error_out=outs["ERROR-OUT"],
                 report=outs["REPORT"], parm=case.parm, encoding="cp930", dialect="ibm")
    assert res.rc == legacy.rc
    report = legacy["REPORT"].replace(str(tmp_path / "in").encode(), str(ebc).encode())
    assert outs["REPORT"].read_bytes() == report
    if legacy.rc < 16:
        assert outs["NOTICE-OUT"].read_bytes() == legacy["NOTICE-OUT"]
        assert outs["ERROR-OUT"].read_bytes() == to_ebcdic(legacy["ERROR-OUT"])
        assert outs["CHOTEI-OUT"].read_bytes() == chotei_to_ebcdic(legacy["CHOTEI-OUT"])
    return res


def test_the_sample_in_ebcdic(tmp_path):
    s = LEGACY / "samples" / "KOTEI01"
    lands = [s.joinpath("land-in.dat").read_bytes()[i:i + 100] for i in range(0, 1200, 100)]
    houses = [s.joinpath("house-in.dat").read_bytes()[i:i + 100] for i in range(0, 800, 100)]
    res = same_in_ebcdic(Case(lands, houses), tmp_path)
    assert res.rc == 4


def test_reasons_and_abends_in_ebcdic(tmp_path):
    same_in_ebcdic(Case([land(A, "P1", hyoka=b"0000000001 "), land(A, "P2", hikazei=b"X"),
                         land(A, "P3", jutaku=b"5"), land(A, "P4", jutaku=b"1")],
                        [house(A, nen=b"H10 "), house(B, hyoka=199_999)]), tmp_path / "a")
    same_in_ebcdic(Case([land(A, "P2"), land(A, "P1")], []), tmp_path / "b")
    same_in_ebcdic(Case([land(A)], [], noki=noki(("20250431",) + DUE[1:])), tmp_path / "c")


@pytest.mark.parametrize("seed", range(12))
def test_generated_cases_in_ebcdic(tmp_path, seed):
    case = generate(500 + seed, ascii_only=False)
    # a letter in an owner number sorts before the digits in EBCDIC, after them in ASCII
    case.lands = [r for r in case.lands if r[:10].isdigit()]
    case.houses = [r for r in case.houses if r[:10].isdigit()]
    same_in_ebcdic(case, tmp_path)
