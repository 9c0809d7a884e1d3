"""The account-transfer round trip through the night's jobs: KOFURI1 (request) ->
a simulated bank answering with some codes 1-9 -> KOFURI2 (result posted as
channel-4 payments) -> SHUNOD (sort + SHUNO01): the master's next generation has
exactly the code-0 items paid, every other record as it was. A result that does
not match its request is refused and nothing is catalogued."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from datasets.collection_followups import accounts, bank_result
from engine.cli import cli
from tests.entai01.cases import key, master

DAY = 20260527


def _densan(*args):
    res = CliRunner().invoke(cli, list(args))
    return res.exit_code, res.output


def _newest(base: str, home) -> Path:
    from engine.job.catalog import Catalog
    cat = Catalog(home)
    try:
        gens = list(cat.generations(base))
        return Path(max(gens, key=lambda d: d.generation).path)
    finally:
        cat.close()


def _count(base: str, home) -> int:
    from engine.job.catalog import Catalog
    cat = Catalog(home)
    try:
        return len(list(cat.generations(base)))
    finally:
        cat.close()


@pytest.fixture
def city(tmp_path, densan_home):
    from engine.records.dataset import write_dataset
    masters = []
    for n in range(1, 41):
        kofuri = b"1" if n % 5 else b"0"
        due = b"20260527" if n % 7 else b"20260630"
        jotai = b"2" if n == 12 else (b"1" if n % 9 == 0 else b"0")
        masters.append(master(key(n, nendo=2026), due=due, chotei=10_000 + n * 100,
                              nofu=3_000 if jotai == b"1" else 0, jotai=jotai, kofuri=kofuri,
                              kojin=f"{4_000_000_000 + n:010d}".encode()))
    (tmp_path / "master.dat").write_bytes(b"".join(masters))
    persons = np.array([4_000_000_000 + n for n in range(1, 41) if n != 33])   # 33 has no account
    write_dataset(accounts(persons, seed=3, stopped=0.0), tmp_path / "koza.dat", "KOZAMST", encoding="cp932")
    for base in ("CITY.SHUNO.MASTER", "CITY.SHUNO.TRAN", "CITY.SHUNO.ERROR", "CITY.KOFURI.REQUEST",
                 "CITY.KOFURI.RESULT", "CITY.KOFURI.FUNO"):
        assert _densan("catalog", "define-gdg", base, "--limit", "5")[0] == 0
    assert _densan("catalog", "import", "CITY.SHUNO.MASTER(+1)", str(tmp_path / "master.dat"),
                   "--copybook", "SHUNOMST")[0] == 0
    rc, out = _densan("catalog", "import", "CITY.KOZA.MASTER", str(tmp_path / "koza.dat"), "--copybook", "KOZAMST")
    assert rc == 0, out
    return masters


def test_request_bank_result_shunod(tmp_path, densan_home, city):
    rc, out = _densan("run", "KOFURI1", "--param", f"date={DAY}", "--quiet")
    assert rc == 4, out                                   # item 33 has no account
    request = _newest("CITY.KOFURI.REQUEST", densan_home)
    data = bank_result(request, tmp_path / "result.dat", seed=1, failure_rate=0.3)
    codes = data["ZD-FURIKAE-KEKKA"].to_list()
    assert set(codes) - {0} and 0 in codes
    assert _densan("catalog", "import", "CITY.KOFURI.RESULT(+1)", str(tmp_path / "result.dat"))[0] == 0
    rc, out = _densan("run", "KOFURI2", "--param", f"date={DAY}", "--quiet")
    assert rc == 0, out
    rc, out = _densan("run", "SHUNOD", "--param", f"date={DAY}", "--quiet")
    assert rc == 0, out

    after = _newest("CITY.SHUNO.MASTER", densan_home).read_bytes()
    paid = {int(c) for c, k in zip(data["ZD-KOKYAKU-NO"].to_list(), codes) if k == 0}
    requested = {int(c) for c in data["ZD-KOKYAKU-NO"].to_list()}
    expected_requested = {int(m[:18]) for m in city if m[76:77] == b"1" and m[28:36] == b"20260527"
                          and m[75:76] in (b"0", b"1") and m[18:28] != b"4000000033"}
    assert requested == expected_requested
    for i, before in enumerate(city):
        rec = after[i * 100:(i + 1) * 100]
        if int(before[:18]) in paid:
            assert rec[75:76] == b"2" and rec[42:48] == rec[36:42]          # paid in full
            assert rec[59:67] == b"20260527"
        else:
            assert rec == before
    funo = _newest("CITY.KOFURI.FUNO", densan_home).read_bytes()
    assert len(funo) == 60 * sum(1 for k in codes if k)


def test_a_result_that_does_not_match_is_refused(tmp_path, densan_home, city):
    assert _densan("run", "KOFURI1", "--param", f"date={DAY}", "--quiet")[0] == 4
    request = _newest("CITY.KOFURI.REQUEST", densan_home)
    bank_result(request, tmp_path / "result.dat", seed=2)
    raw = bytearray((tmp_path / "result.dat").read_bytes())
    raw[120 + 80:120 + 90] = b"0000000001"                   # first amount changed
    (tmp_path / "result.dat").write_bytes(bytes(raw))
    assert _densan("catalog", "import", "CITY.KOFURI.RESULT(+1)", str(tmp_path / "result.dat"))[0] == 0
    rc, out = _densan("run", "KOFURI2", "--param", f"date={DAY}")
    assert rc == 16
    assert "RESULT FILE REFUSED, NOTHING POSTED" in out and "ZD-HIKIOTOSHI-GAKU" in out
    assert _count("CITY.SHUNO.TRAN", densan_home) == 0
    assert _count("CITY.KOFURI.FUNO", densan_home) == 0
