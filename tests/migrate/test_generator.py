"""The sample-city generator: deterministic, believable, and readable by the
legacy program and the codec (references nobody on the team wrote: GnuCOBOL's
SHUNO01 run and Python's cp037 codec)."""
from __future__ import annotations

import collections

import numpy as np
import pytest

from datasets.generate import (REASON_SHARES, REASONS, ebcdic_master, ebcdic_transactions, generate_city,
                               packed, write_city, zoned)
from tests.conftest import LEGACY, requires_cobc


@pytest.fixture(scope="module")
def city():
    return generate_city(20_000, 4_000, seed=11)


def test_same_seed_same_bytes():
    a = generate_city(3_000, 500, seed=5)
    b = generate_city(3_000, 500, seed=5)
    c = generate_city(3_000, 500, seed=6)
    assert a.master.tobytes() == b.master.tobytes()
    assert a.transactions.tobytes() == b.transactions.tobytes()
    assert a.master.tobytes() != c.master.tobytes()


def test_exact_counts_and_lengths(city):
    assert city.master.shape == (20_000, 100)
    assert city.transactions.shape == (4_000, 60)
    assert generate_city(1, 0).master.shape == (1, 100)


def test_master_keys_ascending_unique(city):
    keys = city.master[:, :18].copy().view("S18").ravel()
    assert (keys[1:] > keys[:-1]).all()


def test_transactions_sorted_by_key_date_serial(city):
    t = city.transactions
    key = np.concatenate([t[:, 0:18], t[:, 19:27], t[:, 47:55]], axis=1).copy().view("S34").ravel()
    assert (key[1:] >= key[:-1]).all()
    unsorted = generate_city(20_000, 4_000, seed=11, sort=False).transactions
    ukey = np.concatenate([unsorted[:, 0:18], unsorted[:, 19:27], unsorted[:, 47:55]], axis=1).copy()
    ukey = ukey.view("S34").ravel()
    assert not (ukey[1:] >= ukey[:-1]).all()
    assert sorted(ukey.tolist()) == key.tolist()


def test_items_installments_and_states(city):
    m = city.master
    items = collections.Counter(m[:, 4:6].copy().view("S2").ravel().tolist())
    assert set(items) == {b"01", b"02", b"03", b"04", b"11", b"12"}
    kibetsu = m[:, 16:18].copy().view("S2").ravel().astype(int)
    kamoku = m[:, 4:6].copy().view("S2").ravel().astype(int)
    assert kibetsu[kamoku == 3].max() == 1
    assert kibetsu[kamoku == 1].max() == 4 and kibetsu[kamoku == 2].max() == 4
    assert kibetsu[kamoku == 11].max() == 6 and kibetsu[kamoku == 4].max() == 10
    state = collections.Counter(m[:, 75].tobytes().decode())
    assert set(state) == set("01239")
    assert state["2"] / len(m) > 0.6                      # most paid
    assert 0.002 < state["9"] / len(m) < 0.05            # a few cancelled notices
    assert (m[:, 87:100] == 0x20).all()


def test_fixed_asset_installments_follow_the_remainder_rule(city):
    """Installments 2-4 of a fixed-asset notice are equal and in 1,000 yen; the first
    takes the remainder, so it is >= the others (地方税法 20条の4の2)."""
    m = city.master
    kamoku = m[:, 4:6].copy().view("S2").ravel().astype(int)
    chotei = _packed_values(m[:, 36:42])
    rows = np.flatnonzero(kamoku == 2)
    kib = m[rows, 16:18].copy().view("S2").ravel().astype(int)
    firsts = rows[kib == 1]
    firsts = firsts[firsts + 3 < len(m)][:200]
    for r in firsts:
        later = chotei[r + 1:r + 4]
        assert later[0] == later[1] == later[2] and later[0] % 1000 == 0
        assert chotei[r] >= later[0] and (chotei[r] + 3 * later[0]) % 100 == 0


def _packed_values(raw: np.ndarray) -> np.ndarray:
    """Reference decode of COMP-3 through the hex text (slow, test only)."""
    out = []
    for r in raw:
        h = r.tobytes().hex()
        out.append(-int(h[:-1]) if h[-1] == "d" else int(h[:-1]))
    return np.array(out)


def test_byte_helpers_match_python_formatting():
    assert zoned(np.array([-1234]), 11, signed=True).tobytes() == b"0000000123t"
    assert zoned(np.array([42]), 4).tobytes() == b"0042"
    assert packed(np.array([30000]), 11).tobytes() == bytes.fromhex("00000030000C")
    assert packed(np.array([-5]), 9).tobytes() == bytes.fromhex("000000005D")
    assert packed(np.array([1]), 3, signed=False).tobytes() == bytes.fromhex("001F")


def test_every_reason_present_in_intended_shares(city):
    total = len(city.transactions)
    for reason in REASONS:
        share = city.intended[reason] / total
        assert city.intended[reason] > 0
        assert abs(share - REASON_SHARES[reason]) < 0.6 * REASON_SHARES[reason] + 0.003, reason
    channels = collections.Counter(city.transactions[:, 18].tobytes().decode())
    for ch in "12345":
        assert channels[ch] / total > 0.04


@requires_cobc
def test_legacy_program_rejects_exactly_the_intended_reasons(tmp_path, city):
    """GnuCOBOL's SHUNO01 (the reference) finds each reject reason as often as the
    generator meant it."""
    from engine.migration.legacy import run_legacy

    write_city(city, tmp_path / "m.dat", tmp_path / "t.dat")
    result = run_legacy("SHUNO01", {"MASTER-IN": tmp_path / "m.dat", "TRAN-IN": tmp_path / "t.dat",
                                    "MASTER-OUT": tmp_path / "mo.dat", "ERROR-OUT": tmp_path / "e.dat",
                                    "REPORT": tmp_path / "r.txt"}, city.date, legacy_dir=LEGACY)
    assert result.rc == 4
    err = np.fromfile(tmp_path / "e.dat", np.uint8).reshape(-1, 80)
    found = collections.Counter(err[:, 60:62].copy().view("S2").ravel().tolist())
    assert {k.decode(): v for k, v in found.items()} == {r: city.intended[r] for r in REASONS}
    assert (tmp_path / "mo.dat").stat().st_size == 20_000 * 100


def test_ebcdic_translation_is_cp037_for_text_and_ibm_signs(city):
    m, t = city.master, city.transactions
    em, et = ebcdic_master(m), ebcdic_transactions(t)
    assert em[0, :36].tobytes().decode("cp037") == m[0, :36].tobytes().decode("ascii")
    assert (em[:, 36:59] == m[:, 36:59]).all()
    assert (em[:, 87:100] == 0x40).all()
    neg = np.flatnonzero((t[:, 37] >= 0x70) & (t[:, 37] <= 0x79))
    assert len(neg) and (et[neg, 37] >> 4 == 0xD).all()
    assert (et[neg, 37] & 0xF == t[neg, 37] - 0x70).all()


def test_ebcdic_variant_decodes_to_the_same_values(tmp_path):
    """Through the engine's codec: the ASCII (GnuCOBOL) and cp930 (IBM) files hold
    the same values."""
    records = pytest.importorskip("engine.records")
    copybook = pytest.importorskip("engine.copybook")
    pytest.importorskip("engine.codepages")
    city = generate_city(2_000, 300, seed=3)
    write_city(city, tmp_path / "m.a", tmp_path / "t.a")
    write_city(city, tmp_path / "m.e", tmp_path / "t.e", encoding="cp930")
    for cpy, a, e in (("SHUNOMST", "m.a", "m.e"), ("NOFUTRN", "t.a", "t.e")):
        layout = copybook.load_copybook(LEGACY / "copybooks" / f"{cpy}.cpy")
        # rows with invalid amounts (IV) are invalid in both: lenient decoding treats them alike
        fa = records.read_dataset(tmp_path / a, layout, encoding="ascii", keep_raw=False, errors="lenient")
        fe = records.read_dataset(tmp_path / e, layout, encoding="cp930", keep_raw=False, errors="lenient")
        if cpy == "SHUNOMST":
            assert fa.height == len(city.master)
        assert fa.height > 0 and fa.equals(fe)
