"""SHUNO01 on EBCDIC (cp930, IBM dialect): the legacy's ASCII cases converted field by
field give the legacy's outputs converted the same way."""
from __future__ import annotations

import numpy as np
import pytest

from jobs.collection.shuno01 import zoned_signed
from tests.conftest import requires_cobc
from tests.shuno01.cases import (Case, convert_file, ebcdic_error, ebcdic_master, generate, key,
                                 master, run_densan_case, run_legacy_case, tran)


def test_ibm_numeric_class_test_on_the_sign_byte():
    """Every byte but the last X'F0'-X'F9'; the last zone C, D or F with a digit."""
    rows = np.array([[0xF0] * 10 + [b] for b in range(256)], dtype=np.uint8)
    valid, value = zoned_signed(rows, "ebcdic")
    expected = {z | d for z in (0xC0, 0xD0, 0xF0) for d in range(10)}
    assert set(np.flatnonzero(valid).tolist()) == expected
    assert value[0xD7] == -7 and value[0xC7] == 7 and value[0xF7] == 7
    head = np.array([[b] + [0xF0] * 9 + [0xC1] for b in range(256)], dtype=np.uint8)
    assert set(np.flatnonzero(zoned_signed(head, "ebcdic")[0]).tolist()) == set(range(0xF0, 0xFA))


def test_gnucobol_numeric_class_test_on_the_sign_byte():
    rows = np.array([[0x30] * 10 + [b] for b in range(256)], dtype=np.uint8)
    valid, value = zoned_signed(rows, "gnucobol")
    assert set(np.flatnonzero(valid).tolist()) == set(range(0x30, 0x3A)) | set(range(0x70, 0x7A))
    assert value[0x74] == -4


def _same_converted(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    ebcdic = run_densan_case(case, tmp_path, ebcdic=True)
    assert ebcdic.rc == legacy.rc
    report = legacy.report
    if report is not None:     # wrong-length messages name the (EBCDIC) input path
        report = report.replace(str(tmp_path / "in").encode(), str(tmp_path / "in-ebcdic").encode())
    assert ebcdic.report == report
    if legacy.rc < 16:
        assert ebcdic.master_out == convert_file(legacy.master_out, 100, ebcdic_master)
        assert ebcdic.error_out == convert_file(legacy.error_out, 80, ebcdic_error)
    return ebcdic


@requires_cobc
def test_every_reason_code_in_ebcdic(tmp_path):
    k1, k2, k3 = key(2024, 1, 1, 1), key(2024, 1, 2, 1), key(2024, 1, 3, 1)
    trans = [tran(k1, nofu=b"0000000100A", renban=1), tran(k1, ch=b"9", renban=2),
             tran(k1, nofu=-300, renban=3), tran(k1, nofu=500, entai=20, ch=b"4", renban=4),
             tran(k1, date=b"20250230", renban=5), tran(k2, renban=1), tran(k3, renban=1)]
    out = _same_converted(Case([master(k1, kaisu=1, nofu=300), master(k2, jotai=b"9")], trans),
                          tmp_path)
    assert out.rc == 4
    assert out.error_out[60:62] == "IV".encode("cp037")
    assert out.error_out[62:80] == b"\x40" * 18
    rec = out.master_out[:100]
    assert rec[75:77] == b"\xf1\xf1"                   # partly paid, account transfer
    assert rec[42:48] == bytes.fromhex("00000000500C")  # 300 - 300 + 500
    assert rec[77:85] == "20250131".encode("cp037")


@requires_cobc
@pytest.mark.parametrize("seed", range(60))
def test_generated_cases_in_ebcdic(tmp_path, seed):
    _same_converted(generate(seed, ascii_only=False), tmp_path)
