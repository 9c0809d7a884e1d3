"""densan verify: the parallel run against the legacy's outputs."""
from __future__ import annotations

import shutil
import textwrap

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as st
from click.testing import CliRunner

from engine.migration.verify import compare_figures, load_case, verify_case, CaseError
from tests.conftest import LEGACY, requires_cobc

SAMPLE = LEGACY / "samples" / "SHUNO01"

CASE_YAML = """\
job: SHUNO01
parm: '20250131'
rc: 4
inputs:
  MASTER-IN: master-in.dat
  TRAN-IN: tran-in.dat
outputs:
  MASTER-OUT: {file: master-out.dat, copybook: SHUNOMST, key: [SH-KEY]}
  ERROR-OUT: {file: error-out.dat, copybook: NOFUERR}
  REPORT: {file: report.txt, report: figures}
"""


@pytest.fixture
def sample_case(tmp_path):
    case = tmp_path / "sample"
    case.mkdir()
    for name in ("master-in.dat", "tran-in.dat", "master-out.dat", "error-out.dat", "report.txt"):
        shutil.copyfile(SAMPLE / name, case / name)
    (case / "case.yaml").write_text(CASE_YAML)
    return case


def run_cli(*args):
    from engine.cli import cli
    return CliRunner().invoke(cli, ["verify", *map(str, args)])


def test_sample_case_passes(sample_case):
    result = verify_case(sample_case)
    assert result.passed, result.report()
    assert (result.rc_legacy, result.rc_densan) == (4, 4)
    assert [o.dd for o in result.outputs] == ["MASTER-OUT", "ERROR-OUT", "REPORT"]
    cli = run_cli(sample_case)
    assert cli.exit_code == 0 and "PASS" in cli.output and "1 PASSED, 0 FAILED" in cli.output


def test_changed_byte_fails_with_the_field(sample_case):
    out = np.fromfile(sample_case / "master-out.dat", np.uint8).reshape(-1, 100)
    out[1, 84] = ord("9")                          # last digit of SH-KOSHIN-BI of record 2
    out.tofile(sample_case / "master-out.dat")
    result = verify_case(sample_case)
    assert not result.passed
    master = result.outputs[0]
    assert not master.passed and result.outputs[1].passed
    assert "CHANGED 1" in master.lines[0]
    assert "SH-KOSHIN-BI" in master.lines[1] and "RECORD 2" in master.lines[1]
    cli = run_cli(sample_case)
    assert cli.exit_code == 1 and "FAIL" in cli.output


def test_return_code_difference_fails(sample_case):
    (sample_case / "case.yaml").write_text(CASE_YAML.replace("rc: 4", "rc: 0"))
    result = verify_case(sample_case)
    assert not result.passed and all(o.passed for o in result.outputs)
    assert "RETURN CODES DIFFER" in result.report()


def test_report_figures_and_bytes_rules(sample_case):
    report = (sample_case / "report.txt").read_text()
    (sample_case / "report.txt").write_text(report.replace("735,557", "735,558"))
    result = verify_case(sample_case)
    rep = result.outputs[2]
    assert not rep.passed and any("735,558" in line for line in rep.lines)
    text = yaml.safe_load(CASE_YAML)
    text["outputs"]["ERROR-OUT"] = {"file": "error-out.dat", "compare": "bytes"}
    text["outputs"]["REPORT"] = {"file": "report.txt", "report": "text"}
    (sample_case / "report.txt").write_text(report)
    (sample_case / "case.yaml").write_text(yaml.safe_dump(text))
    assert verify_case(sample_case).passed


def test_figures_ignore_layout_but_not_numbers(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("TOTAL      29     17    196,435\nEND\n")
    b.write_text("TOTAL 29 17 196435\nEND\n")
    assert compare_figures(a, b)[0]
    b.write_text("TOTAL 29 17 196436\nEND\n")
    ok, lines = compare_figures(a, b)
    assert not ok and lines[0].startswith("LEGACY LINE 1")


def test_bad_case_files_are_clear_errors(tmp_path):
    case = tmp_path / "bad"
    case.mkdir()
    with pytest.raises(CaseError, match="no case.yaml"):
        load_case(case)
    (case / "case.yaml").write_text("job: SHUNO01\noutputs: {REPORT: {file: r.txt, sort: yes}}\n")
    with pytest.raises(CaseError, match="unknown key.*sort"):
        load_case(case)
    (case / "case.yaml").write_text("rc: 4\n")
    with pytest.raises(CaseError, match="'job' is missing"):
        load_case(case)
    cli = run_cli(case)
    assert cli.exit_code == 2 and "Traceback" not in cli.output


LEGACY_CASE = """\
job: SHUNO01
parm: '{parm}'
inputs:
  MASTER-IN: master-in.dat
  TRAN-IN: tran-in.dat
outputs:
  MASTER-OUT: {{file: master-out.dat, copybook: SHUNOMST, key: [SH-KEY]}}
  ERROR-OUT: {{file: error-out.dat, copybook: NOFUERR}}
  REPORT: {{file: report.txt, report: text}}
legacy:
  program: {program}
  copybooks: [{copybooks}]
"""


@requires_cobc
def test_build_legacy_from_sources_and_a_generated_city(tmp_path):
    """A team with only the COBOL source and inputs builds its own case: GnuCOBOL
    produces the legacy outputs and rc, then densan is verified against them."""
    from datasets.generate import generate_city, write_city

    case = tmp_path / "city"
    case.mkdir()
    city = generate_city(3_000, 600, seed=21)
    write_city(city, case / "master-in.dat", case / "tran-in.dat")
    (case / "case.yaml").write_text(LEGACY_CASE.format(parm=city.date,
                                                       program=LEGACY / "programs" / "SHUNO01.cob",
                                                       copybooks=LEGACY / "copybooks"))
    cli = run_cli("--build-legacy", case)
    assert cli.exit_code == 0, cli.output
    assert yaml.safe_load((case / "case.yaml").read_text())["rc"] == 4
    assert (case / "master-out.dat").stat().st_size == 3_000 * 100
    errors = np.fromfile(case / "error-out.dat", np.uint8).reshape(-1, 80)
    assert len(errors) == sum(city.intended[r] for r in ("IV", "DT", "CH", "NF", "CX"))
    assert verify_case(case).passed                     # and again from the files now in the case


@requires_cobc
def test_build_legacy_sequence_error_outputs_absent(tmp_path):
    """RC 16 (transactions out of order): the legacy's partial outputs are discarded,
    and densan must keep none either."""
    case = tmp_path / "seq"
    case.mkdir()
    shutil.copyfile(SAMPLE / "master-in.dat", case / "master-in.dat")
    tran = np.fromfile(SAMPLE / "tran-in.dat", np.uint8).reshape(-1, 60)
    tran[[3, 10]] = tran[[10, 3]]
    tran.tofile(case / "tran-in.dat")
    (case / "case.yaml").write_text(textwrap.dedent(f"""\
        job: SHUNO01
        parm: '20250131'
        inputs: {{MASTER-IN: master-in.dat, TRAN-IN: tran-in.dat}}
        outputs:
          MASTER-OUT: {{absent: true}}
          ERROR-OUT: {{absent: true}}
        legacy: {{program: {LEGACY / 'programs' / 'SHUNO01.cob'}, copybooks: [{LEGACY / 'copybooks'}]}}
        """))
    result = verify_case(case, build=True)
    assert result.rc_legacy == 16
    assert result.passed, result.report()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-10**12, 10**12), min_size=1, max_size=6), st.integers(1, 12))
def test_report_figures_read_any_layout_of_the_same_numbers(numbers, pad):
    """Python's own number formatting (with and without thousands separators, any
    spacing, trailing minus as some reports print it) reads back as the same figures."""
    from engine.migration.verify import report_figures

    plain = " ".join(str(n) for n in numbers)
    grouped = (" " * pad).join(f"{n:,}" for n in numbers)
    trailing = "  ".join(f"{abs(n):,}" + ("-" if n < 0 else "") for n in numbers)
    expect = [str(n) for n in numbers]
    for text in (plain, grouped, trailing):
        assert report_figures("TOTAL " + text + "\n")[0][2] == expect
