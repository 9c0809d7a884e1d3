"""Job definition validation: every mistake names the file, the step and the key."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.errors import JobDefinitionError
from engine.job.definition import parse_disp, parse_job, resolve_params, substitute

GOOD = """
job: SHUNOD
description: 日次収納
params: {date: today}
steps:
  - name: SORTTRN
    program: SORT
    dd:
      SORTIN:  {dsn: CITY.SHUNO.TRAN(0)}
      SORTOUT: {dsn: '&&TRNSRT', copybook: NOFUTRN}
      SYSIN: |
        SORT FIELDS=(1,18,CH,A)
  - name: POST
    program: json
    parm: '{date}'
    when: SORTTRN.rc <= 4
    dd:
      MASTER-IN:  {dsn: CITY.SHUNO.MASTER(0), disp: SHR}
      TRAN-IN:    {dsn: '&&TRNSRT'}
      MASTER-OUT: {dsn: CITY.SHUNO.MASTER(+1), disp: [NEW, CATLG, DELETE], copybook: SHUNOMST}
      REPORT:     {sysout: A}
      BOTH:       [{dsn: A.B}, {dsn: A.C}]
      DUMMYDD:    {dummy: true}
"""


def test_good_definition():
    job = parse_job(GOOD, source="SHUNOD.yaml")
    assert job.name == "SHUNOD" and [s.name for s in job.steps] == ["SORTTRN", "POST"]
    sort, post = job.steps
    assert sort.is_sort and sort.dd["SYSIN"].inline == "SORT FIELDS=(1,18,CH,A)\n"
    out = post.dd["MASTER-OUT"]
    assert (out.status, out.normal, out.abnormal, out.copybook) == ("NEW", "CATLG", "DELETE", "SHUNOMST")
    assert post.dd["BOTH"].dsns == ["A.B", "A.C"] and post.dd["DUMMYDD"].dummy
    assert post.dd["REPORT"].sysout == "A" and post.abend_rc == 16


@pytest.mark.parametrize("change, message", [
    (("program: json", "program: no_such_mod_qq"), "SHUNOD.yaml: step POST: key program: program module 'no_such_mod_qq' not found"),
    (("disp: SHR", "disp: SHARE"), "SHUNOD.yaml: step POST: dd MASTER-IN: key disp: status 'SHARE' is not one of"),
    (("disp: [NEW, CATLG, DELETE]", "disp: [NEW, CATLG, PASS]"), "PASS is not an abnormal disposition"),
    (("disp: [NEW, CATLG, DELETE]", "disp: [NEW, KEEPIT]"), "normal disposition 'KEEPIT'"),
    (("when: SORTTRN.rc <= 4", "when: SORTTRN.rc <= "), "step POST: key when: the expression ends too early at column 14"),
    (("when: SORTTRN.rc <= 4", "when: LATER.rc <= 4"), "step POST: the condition names step LATER, which is not an earlier step"),
    (("    parm: '{date}'", "    parm: '{date}'\n    retries: 3"), "step POST: unknown key 'retries'"),
    (("{sysout: A}", "{sysout: A, colour: red}"), "step POST: dd REPORT: unknown key 'colour'"),
    (("{sysout: A}", "{sysout: A, suffix: .PDF}"), "dd REPORT: key suffix: '.PDF' is not a file suffix"),
    (("{dummy: true}", "{dummy: true, suffix: pdf}"), "dd DUMMYDD: key suffix: names a SYSOUT file's kind"),
    (("{dummy: true}", "{dummy: true, dsn: X.Y}"), "dd DUMMYDD: give exactly one of dsn:, path:, dummy: true"),
    (("{dsn: A.B}", "{dsn: 'A..B'}"), "'A..B' is not a dataset name"),
    (("copybook: NOFUTRN}", "copybook: NOFUTRN, recfm: XB}"), "key recfm: 'XB' is not one of"),
    (("copybook: NOFUTRN}", "copybook: NOFUTRN, lrecl: -5}"), "key lrecl: a record length"),
    (("  - name: POST", "  - name: SORTTRN"), "step SORTTRN: the step name is used twice"),
    (("job: SHUNOD", "job: 'bad name'"), "key job: a job name is required"),
    (("job: SHUNOD", "job: SHUNOD\ncolour: red"), "job: unknown key 'colour'"),
    (("    when: SORTTRN.rc <= 4", "    cond: (4,XX)"), "step POST: key cond: 'XX' is not GT"),
    (("    when: SORTTRN.rc <= 4", "    abend_rc: 0"), "key abend_rc: a return code 1..4095"),
    (("dd:\n      SORTIN", "dd:\n      SORTIN: [1, 2]\n      X"), "concatenation entry #1"),
    (("steps:", "steps: 3\nx:"), "unknown key 'x'"),
    (("  - name: POST", "  - name: POST\n    : x"), "not valid YAML"),
])
def test_definition_errors(change, message):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(JobDefinitionError) as info:
        parse_job(text, source="SHUNOD.yaml")
    assert message in str(info.value)


def test_disp_forms():
    assert parse_disp("SHR", "w") == ("SHR", None, None)
    assert parse_disp("(NEW,CATLG,DELETE)", "w") == ("NEW", "CATLG", "DELETE")
    assert parse_disp(["mod", "keep"], "w") == ("MOD", "KEEP", None)
    assert parse_disp("OLD,,DELETE", "w") == ("OLD", None, "DELETE")


def test_params_and_substitution():
    p = resolve_params({"date": "today", "prev": "today-1", "x": "1"}, {"x": "2"}, today=dt.date(2025, 3, 1))
    assert p == {"date": "20250301", "prev": "20250228", "x": "2"}
    assert substitute("CITY.D{date}.X", p, "w") == "CITY.D20250301.X"
    with pytest.raises(JobDefinitionError, match=r"\{nope\} is not a job param"):
        substitute("{nope}", p, "step S: parm")
    assert substitute("INREC {nope}", p, "w", strict=False) == "INREC {nope}"


def test_params_from_other_params_and_the_city_calendar():
    """A bill due at the end of the next month, on an open day; the fiscal year and month
    of the processing date (SUIDOB's defaults)."""
    from engine.calendar import parse_calendar
    cal = parse_calendar("closed:\n  - {date: 2025-07-31, why: system stop}\n")
    job = {"date": "today", "nendo": "{date|nendo}", "month": "{date:%Y%m}", "due": "{date|month+1|end|open}"}
    p = resolve_params(job, {"date": "20250610"}, calendar=cal)
    assert p == {"date": "20250610", "nendo": "2025", "month": "202506", "due": "20250801"}   # 7/31 closed here
    assert resolve_params(job, {"date": "20260131"}, calendar=cal)["due"] == "20260302"      # 2/28 a Saturday
    assert resolve_params(job, {"date": "20251130"}, calendar=cal)["due"] == "20260105"      # 12/29-1/4 closed
    assert resolve_params(job, {"date": "20260115"}, calendar=cal)["nendo"] == "2025"        # January: last year's
    assert resolve_params(job, {"date": "20250610", "due": "20250630"}, calendar=cal)["due"] == "20250630"
    p = resolve_params({"d": "20250131", "a": "{d|month+1}", "b": "{d|month-2|day+3}", "c": "{d|day+1|open-}"}, {},
                       calendar=cal)
    assert (p["a"], p["b"], p["c"]) == ("20250228", "20241203", "20250131")
    # open+N / open-N: N open days on, the day itself not counted (Fri 2026-05-22 -> Wed 5/27)
    p = resolve_params({"d": "20260522", "a": "{d|open+3}", "b": "{d|open-2}", "c": "{d|day+1|open+1}"}, {},
                       calendar=cal)
    assert (p["a"], p["b"], p["c"]) == ("20260527", "20260520", "20260525")


@pytest.mark.parametrize("value, says", [("{d|fortnight}", "'fortnight' is not a date step"),
                                         ("{d|nendo|end}", "'nendo' is not a date step"),
                                         ("{x|end}", "{x|...} is not a job param"),
                                         ("{n|end}", "moves a date, but n is 'abc'")])
def test_date_steps_errors_say_what(value, says):
    with pytest.raises(JobDefinitionError) as err:
        resolve_params({"d": "20250131", "n": "abc", "v": value}, {})
    assert says in str(err.value) and "param v=" in str(err.value)
