"""Points 11-14 of the outside check: ODO to JSON lines with empty tables, binary bytes that
collide with line ends, SEQNUM sizes, OPTION EQUALS in column 1."""
from __future__ import annotations

import json

from click.testing import CliRunner

from engine.cli import cli
from engine.sort.statements import compile_statements

ODO = """       01 R.
          05 N    PIC 9.
          05 T    OCCURS 0 TO 3 DEPENDING ON N.
             10 V PIC X(2).
"""


def test_odo_to_jsonl_with_an_empty_table(tmp_path):
    """Point 11: Polars 2 drops the rows of empty lists when exploding; records must not shift."""
    (tmp_path / "odo.cpy").write_text(ODO)
    (tmp_path / "odo.ls").write_bytes(b"2aabb\n0\n1cc\n0\n")
    out = tmp_path / "odo.jsonl"
    r = CliRunner().invoke(cli, ["convert", str(tmp_path / "odo.ls"), str(out), "--copybook",
                                 str(tmp_path / "odo.cpy"), "--recfm", "LS"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [{"N": 2, "T": [{"V": "aa"}, {"V": "bb"}]}, {"N": 0, "T": []},
                    {"N": 1, "T": [{"V": "cc"}]}, {"N": 0, "T": []}]


def test_odo_fb_to_jsonl_with_an_empty_table(tmp_path):
    (tmp_path / "odo.cpy").write_text(ODO)
    (tmp_path / "odo.fb").write_bytes(b"0      2aabb  ")
    out = tmp_path / "odo.jsonl"
    r = CliRunner().invoke(cli, ["convert", str(tmp_path / "odo.fb"), str(out), "--copybook",
                                 str(tmp_path / "odo.cpy"), "--lrecl", "7"])
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["T"] for x in out.read_text().splitlines()] == [[], [{"V": "aa"}, {"V": "bb"}]]


def test_line_sequential_refuses_a_record_ending_in_a_cr_byte(tmp_path):
    """Point 12: -10 in PIC S9(3) COMP-3 is X'010D': as the last byte of a line it reads back as CR."""
    (tmp_path / "p.cpy").write_text("       01 R.\n          05 K PIC X(2).\n          05 A PIC S9(3) COMP-3.\n")
    data = tmp_path / "p.dat"
    data.write_bytes(b"ab\x00\x1cCD\x01\x0d")
    out = tmp_path / "p.ls"
    r = CliRunner().invoke(cli, ["convert", str(data), str(out), "--copybook", str(tmp_path / "p.cpy"),
                                 "--to-recfm", "LS"])
    assert r.exit_code == 2, r.output
    assert "record 2" in r.output and "X'0D'" in r.output and "RECFM=F/FB" in r.output
    assert "Traceback" not in r.output and not out.exists()


def test_line_sequential_with_a_cr_byte_inside_reads_back(tmp_path):
    (tmp_path / "p.cpy").write_text("       01 R.\n          05 A PIC S9(3) COMP-3.\n          05 K PIC X(2).\n")
    data = tmp_path / "p.dat"
    data.write_bytes(b"\x01\x0dab")
    out = tmp_path / "p.ls"
    back = tmp_path / "back.dat"
    assert CliRunner().invoke(cli, ["convert", str(data), str(out), "--copybook", str(tmp_path / "p.cpy"),
                                    "--to-recfm", "LS"]).exit_code == 0
    r = CliRunner().invoke(cli, ["convert", str(out), str(back), "--copybook", str(tmp_path / "p.cpy"),
                                 "--recfm", "LS", "--to-recfm", "F"])
    assert r.exit_code == 0, r.output
    assert back.read_bytes() == data.read_bytes()


def test_seqnum_too_long_is_rc16_with_line_and_column(tmp_path):
    """Point 13."""
    data = tmp_path / "in.dat"
    data.write_bytes(b"b\na\n")
    r = CliRunner().invoke(cli, ["sort", "--sysin", " SORT FIELDS=(1,1,CH,A)\n OUTREC BUILD=(1,1,SEQNUM,1000000000000,ZD)",
                                 "--in", str(data), "--recfm", "LS", "--out", str(tmp_path / "o.dat")])
    assert r.exit_code == 16, r.output
    assert "line 2 column" in r.output and "SEQNUM length 1000000000000" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "o.dat").exists()


def test_seqnum_start_beyond_15_digits():
    import pytest
    from engine.errors import SortStatementError
    with pytest.raises(SortStatementError, match="START=10000000000000000 has more than 15 digits"):
        compile_statements(" SORT FIELDS=COPY\n OUTREC BUILD=(1,1,SEQNUM,8,ZD,START=10000000000000000)\n")


def test_option_equals_in_column_1_is_a_statement(tmp_path):
    """Point 14: a YAML block scalar loses the leading blank."""
    sysin = tmp_path / "sysin.txt"
    sysin.write_text("SORT FIELDS=(1,1,CH,A)\nOPTION EQUALS\n")
    data = tmp_path / "in.dat"
    data.write_bytes(b"b2\na1\nb1\n")
    out = tmp_path / "o.dat"
    r = CliRunner().invoke(cli, ["sort", "--sysin", str(sysin), "--in", str(data), "--recfm", "LS", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == b"a1\nb2\nb1\n"


def test_campaign_findings_are_refused_with_line_and_column():
    """Found by tests/fuzz/campaign.py: a constant repeated 2,147,483,647 times (the sort
    never ended), 100000X."""
    import pytest
    from engine.errors import SortStatementError
    with pytest.raises(SortStatementError, match="line 2 column .*repeated 2147483647 times"):
        compile_statements(" SORT FIELDS=COPY\n OUTFIL FNAMES=OUT2,INCLUDE=(5,1,CH,EQ,2147483647C'A')\n")
    with pytest.raises(SortStatementError, match="100000X: DFSORT allows 1 to 4095"):
        compile_statements(" SORT FIELDS=COPY\n OUTREC BUILD=(1,2,100000X)\n")
    assert compile_statements(" SORT FIELDS=COPY\n OUTREC BUILD=(1,2,4095X,3C'AB')\n")


def test_campaign_finding_a_dd_path_given_as_an_empty_list():
    """Found by the campaign: `path: []` reached allocation and raised IndexError."""
    import pytest
    from engine.errors import JobDefinitionError
    from engine.job.definition import parse_job
    for key in ("path", "dsn"):
        with pytest.raises(JobDefinitionError, match=f"dd SORTIN: key {key}: an empty list names no dataset"):
            parse_job(f"job: J\nsteps:\n  - name: S\n    program: SORT\n    dd:\n      SORTIN: {{{key}: []}}\n")
