"""The election roster extract and the population statistics, against expectations
computed by hand (the 18th birthday around election day, the three-month boundary,
leap-day births)."""
import numpy as np
from click.testing import CliRunner

from engine.cli import cli
from engine.program.records import Records
from jobs.residents import roster, stats
from tests.juki01.cases import master


def _recs(*masters: bytes) -> Records:
    return Records(np.frombuffer(b"".join(masters), np.uint8).reshape(len(masters), 200).copy(), "JUKIMST")


E = 20250720          # election day; three months before it: 20250420


def test_the_18th_birthday_around_election_day():
    r = _recs(master(1, seinen=b"20070720"),     # 18th birthday on E: 18
              master(2, seinen=b"20070721"),     # on E + 1: 18 on E (the year ends the day before)
              master(3, seinen=b"20070722"))     # on E + 2: 17
    assert roster.eligible(r, E).tolist() == [True, True, False]


def test_leap_day_births_reach_18_at_the_end_of_28_february():
    r = _recs(master(1, seinen=b"20080229"))
    assert roster.eligible(r, 20260228).tolist() == [True]     # completes the year at the end of 2/28
    assert roster.eligible(r, 20260227).tolist() == [False]
    assert roster.eligible(r, 20280228).tolist() == [True]


def test_the_three_month_boundary():
    r = _recs(master(1, jumin=b"20250420"), master(2, jumin=b"20250421"), master(3, jumin=b"20250419"))
    assert roster.eligible(r, E).tolist() == [True, False, True]
    # the day three months before 5/31 does not exist: the month end, 2/28
    r = _recs(master(1, jumin=b"20250228"), master(2, jumin=b"20250301"))
    assert roster.eligible(r, 20250531).tolist() == [True, False]


def test_only_active_japanese_residents():
    r = _recs(master(1), master(2, koku=b"2"), master(3, jotai=b"1"), master(4, seinen=b"2007072 "))
    assert roster.eligible(r, E).tolist() == [True, False, False, False]


def test_roster_order_and_print_file():
    r = _recs(master(1, tohyoku=b"03", jusho=b"340105", banchi=b"2-1"), master(2, tohyoku=b"01", jusho=b"120405"),
              master(3, tohyoku=b"03", jusho=b"340105", banchi=b"1-9"), master(4, tohyoku=b"03", jusho=b"230402"))
    out = roster.extract(r, E)
    assert out.value("JM-KOJIN-NO").tolist() == [2, 4, 3, 1]
    lines, starts = roster.print_lines(out, "2025/07/20")
    assert starts == [0, 7]                              # a new page at district 03
    assert b"TOHYOKU 01 ELECTORS" in lines[6] and lines[-2].rstrip().endswith(b"          4")
    csv = roster.csv_text(out).splitlines()
    assert csv[1].startswith("01,120405,16-7,0000000002,井上　翔太,ｲﾉｳｴ ｼｮｳﾀ,19810101,1")


def test_population_bands_and_leap_day_birthdays():
    r = _recs(master(1, seinen=b"20200229", sex=b"2", tohyoku=b"05"),   # 4 on 2/28, 5 on 3/1 (common year)
              master(2, seinen=b"19250301", tohyoku=b"05"),               # 99 on 2/28, 100 on 3/1
              master(3, seinen=b"20240229", sex=b"9", tohyoku=b"05"),     # 0 either day, sex OTHER
              master(4, jotai=b"2", tohyoku=b"05"))                       # deceased: not counted
    before = stats.population(r, 20250228)
    got = {(b, s): c for _, b, s, c in before.filter(before["count"] > 0).iter_rows()}
    assert got == {(0, 1): 1, (19, 0): 1, (0, 2): 1}
    after = stats.population(r, 20250301)
    got = {(b, s): c for _, b, s, c in after.filter(after["count"] > 0).iter_rows()}
    assert got == {(1, 1): 1, (20, 0): 1, (0, 2): 1}
    report = stats.report(after, "2025/03/01")
    total = [ln for ln in report if ln.startswith(b"TOTAL")][-1]
    assert total.split() == [b"TOTAL", b"1", b"1", b"1", b"3"]


def test_jobs_run_on_files(tmp_path, densan_home):
    res = tmp_path / "res.dat"
    res.write_bytes(master(1) + master(2, seinen=b"20070722") + master(3, sex=b"2"))
    out = {n: tmp_path / n for n in ("roster.txt", "roster.csv", "roster.pdf", "report.txt", "stats.csv",
                                     "chart.png")}
    r = CliRunner().invoke(cli, ["run", "SENKYO", "-q", "--parm", "20250720", "--dd", f"RES-IN={res}",
                                 "--dd", f"ROSTER={out['roster.txt']}", "--dd", f"ROSTER-CSV={out['roster.csv']}",
                                 "--dd", f"ROSTER-PDF={out['roster.pdf']}"])
    assert r.exit_code == 0, r.output
    assert out["roster.csv"].read_text().count("\n") == 3          # header + 2 electors
    assert out["roster.pdf"].read_bytes().startswith(b"%PDF")
    r = CliRunner().invoke(cli, ["run", "JINKO", "-q", "--parm", "20250131", "--dd", f"RES-IN={res}",
                                 "--dd", f"REPORT={out['report.txt']}", "--dd", f"STATS-CSV={out['stats.csv']}",
                                 "--dd", f"CHART={out['chart.png']}"])
    assert r.exit_code == 0, r.output
    assert out["chart.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = out["stats.csv"].read_text().splitlines()
    assert rows[0] == "district,band,sex,count" and len(rows) == 1 + 21 * 3
