"""JUKI01 on EBCDIC (cp930, IBM conventions): the legacy's ASCII cases converted field
by field give the legacy's outputs converted the same way; the print files (LIST-OUT,
REPORT) are the same Shift_JIS text."""
from __future__ import annotations

import numpy as np
import pytest

from engine.program.records import Records
from tests.conftest import requires_cobc
from tests.juki01.cases import (Case, convert_file, ebcdic_error, ebcdic_master, generate, master, move, person,
                                run_densan_case, run_legacy_case)


def _same_converted(case: Case, tmp_path):
    legacy = run_legacy_case(case, tmp_path)
    dens = run_densan_case(case, tmp_path, cp930=True)
    assert dens.rc == legacy.rc, case.notes
    report = legacy.files["REPORT"]
    if report is not None:        # wrong-length messages name the (EBCDIC) input path
        report = report.replace(str(tmp_path / "in").encode(), str(tmp_path / "in-cp930").encode())
    assert dens.files["REPORT"] == report, case.notes
    if legacy.rc < 16:
        assert dens.files["LIST-OUT"] == legacy.files["LIST-OUT"], case.notes
        assert dens.files["RES-OUT"] == convert_file(legacy.files["RES-OUT"], 200, ebcdic_master), case.notes
        assert dens.files["ERROR-OUT"] == convert_file(legacy.files["ERROR-OUT"], 180, ebcdic_error), case.notes
    return legacy


def test_half_width_katakana_in_cp930_are_kana():
    from engine.codepages import get_codepage
    rec = bytes([0xF1] * 68) + get_codepage("cp930").encode("ｱｲｳ ﾟ") + bytes([0x40] * 87)
    r = Records(np.frombuffer(rec[:160], np.uint8).reshape(1, 160).copy(), "IDOTRN", encoding="cp930", dialect="ibm")
    kana = r.chars_in("IT-KANA", "\uff66", "\uff9f")
    assert kana[0, :3].all() and not kana[0, 3] and kana[0, 4]


@requires_cobc
def test_every_kind_in_cp930(tmp_path):
    K = 1_000_000_100
    masters = [master(K), master(K + 10, jotai=b"1", shojo=b"20230331"), master(K + 20, koshin=b"20250129")]
    moves = [person(K - 50, b"11", renban=1), move(K, b"41", ido=b"20250121", renban=2, shimei="高橋　結衣", kana="SATO"),
             move(K, b"41", ido=b"20250122", renban=3, shimei="高橋　結衣", kana="ﾀｶﾊｼ ﾕｲ"),
             move(K, b"31", ido=b"20250123", renban=4, jusho=b"340105", banchi=b"2-14-7"),
             move(K, b"51", ido=b"20250124", renban=5, setai=b"1000000300", zoku=b"03"),
             move(K, b"22", ido=b"20250125", renban=6), person(K + 10, b"12", renban=7),
             person(K + 10, b"11", ido=b"20250130", renban=8, seinen=b"20240229"),
             move(K + 20, b"31", ido=b"20250128", renban=9, jusho=b"120405"), move(K + 25, b"23", renban=10),
             move(K + 20, b"99", ido=b"20250130", renban=11)]
    moves.sort(key=lambda t: t[:24])
    assert _same_converted(Case(masters, moves), tmp_path).rc == 4


@requires_cobc
@pytest.mark.parametrize("seed", range(12))
def test_random_days_in_cp930(seed, tmp_path):
    _same_converted(generate(1000 + seed, ascii_only=False), tmp_path)
