"""Convenience-store payments: the spec's published check-digit vectors, every reject
reason, a Hypothesis round trip of generated barcodes, two agents' layouts from the
configuration, and the job posting an agent's file as channel-3 payments."""
from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs.collection import barcode
from jobs.collection.konbini import checked, load_agent

VECTORS = ["91912345012345678901234567890101033101230003",
           "91942386178953917853935692730103073110312903"]


def one(expr, value):
    return pl.select(expr(pl.lit(value))).item()


@pytest.mark.parametrize("code", VECTORS)
def test_published_check_digit_vectors(code):
    assert pl.select(barcode.check_digit(pl.lit(code[:43]))).item() == 3
    assert one(barcode.check_digit_ok, code)
    for i in range(43):                             # any single wrong digit is caught
        bad = code[:i] + str((int(code[i]) + 7) % 10) + code[i + 1:]
        assert not one(barcode.check_digit_ok, bad)


def _code(key="202601000000123401", company=912345, deadline=20260630, amount=18_500, reissue=0):
    return pl.select(barcode.make(pl.lit(company), pl.lit(key), pl.lit(deadline), pl.lit(amount),
                                  pl.lit(reissue))).item()


@settings(max_examples=100, deadline=None)
@given(company=st.integers(0, 999_999), key=st.integers(0, 10**18 - 1),
       deadline=st.dates(min_value=__import__("datetime").date(2000, 1, 1),
                         max_value=__import__("datetime").date(2099, 12, 31)),
       amount=st.integers(1, barcode.LIMIT), reissue=st.integers(0, 9))
def test_generated_barcodes_round_trip(company, key, deadline, amount, reissue):
    ymd = int(deadline.strftime("%Y%m%d"))
    code = _code(f"{key:018d}", company, ymd, amount, reissue)
    assert len(code) == 44 and code.startswith("91")
    assert one(barcode.well_formed, code) and one(barcode.check_digit_ok, code)
    got = pl.select(**barcode.fields(pl.lit(code))).row(0, named=True)
    assert (got["company"], got["key"], got["free_tail"], got["reissue"], got["deadline"], got["stamp"],
            got["amount"]) == (company, f"{key:018d}", "000", str(reissue), ymd, "0", amount)


AGENT_A = load_agent("CVSA")


def _agent_a(rows):
    """KBCVSA records as decoded: (kind, barcode, date paid, amount at the till)."""
    return pl.DataFrame({"KA-REC-KBN": [r[0] for r in rows], "KA-BARCODE": [r[1] for r in rows],
                         "KA-SHUNO-BI": [r[2] for r in rows], "KA-KINGAKU": [r[3] for r in rows]})


def test_every_reject_reason():
    good = _code()
    swapped = good[:10] + good[11] + good[10] + good[12:]
    rows = [("H", "", "", ""),
            ("D", good, "20260527", "018500"),                                   # posted
            ("D", good[:43], "20260527", "018500"),                              # BC (43 digits)
            ("D", "92" + good[2:], "20260527", "018500"),                        # BC (not 91)
            ("D", swapped if swapped != good else good[:-1] + "0", "20260527", "018500"),  # CD
            ("D", _code(company=912346), "20260527", "018500"),                  # KG
            ("D", _code(amount=300_001), "20260527", "300001"),                  # AM over the limit
            ("D", _code(amount=0), "20260527", "000000"),                        # AM zero
            ("D", good, "20260527", "018400"),                                   # AM not the till's
            ("D", good, "20260229", "018500"),                                   # DT
            ("D", good, "20260528", "018500"),                                   # DT after today
            ("D", _code(deadline=20260526), "20260527", "018500"),              # DL
            ("D", _code(deadline=20260527), "20260527", "018500"),              # on the deadline: ok
            ("D", _code(deadline=20260231), "20260527", "018500"),              # DL (no such day)
            ("T", "", "", "")]
    # KY: a free field whose tail is not 000 (built by hand, with a right check digit)
    data = good[:26] + "123" + good[29:43]
    ky = data + str(pl.select(barcode.check_digit(pl.lit(data))).item())
    rows.insert(6, ("D", ky, "20260527", "018500"))
    out = checked(_agent_a(rows), AGENT_A, 20260527)
    assert out["reason"].to_list() == [None, "BC", "BC", "CD", "KG", "KY", "AM", "AM", "AM", "DT", "DT",
                                       "DL", None, "DL"]
    assert out["record_no"].to_list()[0] == 2                               # header not a payment


def test_unknown_agent_is_a_clear_error():
    from jobs.collection.konbini import AgentError
    with pytest.raises(AgentError, match="no convenience-store agent 'CVSZ'.*\n.*CVSA, CVSB"):
        load_agent("CVSZ")


def test_job_posts_an_agent_file(tmp_path, densan_home):
    from click.testing import CliRunner

    from engine.cli import cli

    def densan(*args):
        res = CliRunner().invoke(cli, list(args))
        return res.exit_code, res.output

    good = [_code(key=f"2026010000000{n:03d}01", amount=1000 + n) for n in range(5)]
    recs = [f"20260527CV1T{n:04d}{code}R{n:011d}        " for n, code in enumerate(good)]
    recs.append(f"20260527CV1T0009{good[0][:-1]}9R00000000009        ")       # CD
    path = tmp_path / "cvsb.dat"
    path.write_bytes("".join(recs).encode("ascii"))
    for base in ("CITY.KONBINI.CVSB", "CITY.SHUNO.TRAN", "CITY.KONBINI.REJECT"):
        assert densan("catalog", "define-gdg", base, "--limit", "5")[0] == 0
    assert densan("catalog", "import", "CITY.KONBINI.CVSB(+1)", str(path))[0] == 0
    rc, out = densan("run", "KONBINI1", "--param", "agent=CVSB", "--param", "date=20260527", "--quiet")
    assert rc == 4, out
    from engine.job.catalog import Catalog
    from pathlib import Path
    cat = Catalog(densan_home)
    try:
        tran = Path(max(cat.generations("CITY.SHUNO.TRAN"), key=lambda d: d.generation).path).read_bytes()
        rej = Path(max(cat.generations("CITY.KONBINI.REJECT"), key=lambda d: d.generation).path).read_bytes()
    finally:
        cat.close()
    assert len(tran) == 5 * 60
    assert tran[:60] == b"202601000000000001" + b"3" + b"20260527" + b"00000001000" + b"000000000" \
        + b"00000001" + b"     "
    assert rej == b"CVSB    " + b"00000006" + b"CD" + recs[5][16:60].encode() + b"20260527" + b" " * 10
