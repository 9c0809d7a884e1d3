"""The sample city's population (datasets/residents.py)."""
import numpy as np
import polars as pl

from datasets.residents import (CITY_RESIDENTS, generate_residents, person_numbers, tohyoku,
                                write_residents)
from engine.records import read_dataset
from tests.conftest import requires_cobc


def test_same_seed_same_bytes_other_seed_other_bytes():
    a, b, c = generate_residents(500, seed=3), generate_residents(500, seed=3), generate_residents(500, seed=4)
    assert a.records.tobytes() == b.records.tobytes()
    assert a.records.tobytes() != c.records.tobytes()


def test_keys_ascending_unique_ten_digits():
    people = generate_residents(5000, seed=1)
    k = people.kojin_no
    assert (np.diff(k) > 0).all()
    assert k.min() >= 1_000_000_000 and k.max() <= 9_999_999_999
    assert people.records[:, :10].tobytes() == b"".join(b"%010d" % v for v in k)


def test_records_decode_through_the_copybook(tmp_path):
    people = generate_residents(2000, seed=2)
    path = tmp_path / "res.dat"
    assert write_residents(people, path) == 2000
    assert path.stat().st_size == 2000 * 200
    f = read_dataset(path, "JUKIMST", encoding="cp932", recfm="F", dialect="gnucobol", keep_raw=False)
    assert f["JM-KOJIN-NO"].to_list() == people.kojin_no.tolist()
    assert set(f["JM-JOTAI"].unique()) <= {"0", "1", "2", "3"}
    assert (f["JM-TOHYOKU"] == (f["JM-JUSHO-CD"] // 10000 % 12 + 1)).all()
    assert f["JM-JUSHO-CD"].is_between(100000, 899999).all()
    active = f.filter(pl.col("JM-JOTAI") == "0")
    assert (active["JM-SHOJO-BI"] == 0).all()
    assert (f["JM-KOSHIN-BI"] <= 20250131).all()
    assert (f["JM-SEINEN-BI"] <= f["JM-JUMIN-BI"]).all()
    # every household has exactly one head, and the head's number is the household's
    heads = f.filter(pl.col("JM-ZOKUGARA") == 1)
    assert heads["JM-SETAI-NO"].n_unique() == heads.height
    assert set(f["JM-SETAI-NO"].unique()) <= set(heads["JM-KOJIN-NO"])
    # kana are half-width katakana and spaces only
    kana = people.records[:, 52:82]
    assert (((kana >= 0xA6) & (kana <= 0xDF)) | (kana == 0x20)).all()


def test_city_share_of_active_residents():
    people = generate_residents(20_000, seed=1)
    assert abs(people.active.mean() - 115_000 / CITY_RESIDENTS) < 0.02
    owners = person_numbers(20_000, seed=1)
    assert owners.tolist() == people.kojin_no[people.active].tolist()


def test_polling_district_rule():
    assert tohyoku(np.array([340105, 120405, 230402, 890101])).tolist() == [11, 1, 12, 6]


def test_a_day_of_movements_has_every_kind_and_decodes(tmp_path):
    from datasets.residents import JIYU, generate_movements
    people = generate_residents(3000, seed=5)
    moves = generate_movements(people, 400, seed=5)
    assert moves.shape == (400, 160)
    keys = [bytes(r[:24]) for r in moves]
    assert keys == sorted(keys)
    kinds = {bytes(r[24:26]) for r in moves}
    assert {b"%02d" % j for j in JIYU} <= kinds
    assert generate_movements(people, 400, seed=5).tobytes() == moves.tobytes()
    unsorted = generate_movements(people, 400, seed=5, sort=False)
    assert sorted(bytes(r) for r in unsorted) == sorted(bytes(r) for r in moves)


def test_host_copy_is_the_field_aware_cp930_conversion():
    from datasets.residents import F_SHIMEI, generate_movements, to_host
    from tests.juki01.cases import ebcdic_master, ebcdic_move
    people = generate_residents(200, seed=6)
    moves = generate_movements(people, 50, seed=6)
    host = to_host(people.records, F_SHIMEI)
    assert all(bytes(host[i]) == ebcdic_master(bytes(people.records[i])) for i in range(200))
    host = to_host(moves, (38, 30))
    assert all(bytes(host[i]) == ebcdic_move(bytes(moves[i])) for i in range(50))


@requires_cobc
def test_a_generated_day_is_byte_exact_with_the_legacy(tmp_path):
    from datasets.residents import generate_movements
    from tests.juki01.cases import Case, assert_same, run_densan_case, run_legacy_case
    people = generate_residents(2000, seed=7)
    moves = generate_movements(people, 300, seed=7)
    case = Case([bytes(r) for r in people.records], [bytes(r) for r in moves])
    legacy = run_legacy_case(case, tmp_path)
    assert legacy.rc == 4
    assert_same(legacy, run_densan_case(case, tmp_path), case)


def test_city_catalogues_the_residents(tmp_path, densan_home):
    from click.testing import CliRunner

    from engine.cli import cli
    r = CliRunner().invoke(cli, ["city", "--no-run", "--masters", "200", "--transactions", "10"])
    assert r.exit_code == 0, r.output
    assert "RESIDENTS -> CITY.JUKI.MASTER" in r.output
    r = CliRunner().invoke(cli, ["run", "JUKID", "--param", "date=20250131", "-q"])
    assert r.exit_code == 4, r.output
