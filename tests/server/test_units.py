"""The console's parts without a server: the request block of a job definition, form
values, password hashes and sessions, the audit chain, masking."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from hypothesis import given, strategies as st

from engine.errors import JobDefinitionError
from engine.job.definition import load_job, parse_job
from engine.job.request_spec import ParamValueError, RequestParam

BASE = """job: T
params: {date: today, fy: "2026"}
steps:
  - {name: S, program: SORT, dd: {SORTIN: {dummy: true}, SORTOUT: {dummy: true}, SYSIN: "SORT FIELDS=COPY"}}
"""


def job_with(block: str):
    return parse_job(BASE + block, source="T.yaml")


def test_shunod_declares_its_owner_and_form():
    job = load_job("SHUNOD")
    assert job.request.section == "出納室" and job.request.personal_data
    assert job.request.approval == ["approver", "operator"]
    assert job.request.params["date"].type == "date" and job.request.params["date"].required
    assert job.request.outputs == ["POST.REPORT", "POST.ERROR-OUT"]
    assert load_job("SHUNO01").request.section == "出納室"


@pytest.mark.parametrize("block, message", [
    ("request: {personal_data: true}", "key section: the owning section is required"),
    ("request: {section: 税務課, approval: [boss]}", "key approval"),
    ("request: {section: 税務課, params: {nope: {type: date}}}", "param nope: the job has no param 'nope'"),
    ("request: {section: 税務課, params: {fy: {type: year}}}", "type 'year' is not one of"),
    ("request: {section: 税務課, params: {fy: {type: choice}}}", "a choice needs choices"),
    ("request: {section: 税務課, colour: red}", "unknown key 'colour'"),
    ("request: {section: 税務課, personal_data: yes please}", "personal_data: write true or false"),
])
def test_request_block_errors_say_where(block, message):
    with pytest.raises(JobDefinitionError) as e:
        job_with(block)
    assert "T.yaml: key request" in str(e.value) and message in str(e.value)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_param_accepts_every_date_form(d):
    p = RequestParam("date", "date", required=True)
    assert p.coerce(d.isoformat()) == p.coerce(d.strftime("%Y%m%d")) == p.coerce(d.strftime("%Y/%m/%d")) \
        == d.strftime("%Y%m%d")


@given(st.text(max_size=12))
def test_district_is_exactly_three_digits(text):
    p = RequestParam("district", "district", required=True)
    if len(text.strip()) == 3 and text.strip().isdigit() and text.strip().isascii():
        assert p.coerce(text) == text.strip()
    else:
        with pytest.raises(ParamValueError):
            p.coerce(text)


def test_fiscal_year_and_choice_and_number():
    fy = RequestParam("fy", "fiscal_year")
    assert fy.coerce("R8") == fy.coerce("令和8") == fy.coerce("2026") == "2026"
    assert fy.coerce("") is None
    with pytest.raises(ParamValueError, match="not a fiscal year"):
        fy.coerce("H30x")
    ch = RequestParam("kind", "choice", choices=["本算定", "随時"], default="本算定")
    assert ch.coerce("") == "本算定"
    with pytest.raises(ParamValueError, match="not one of"):
        ch.coerce("臨時")
    n = RequestParam("copies", "number", min=1, max=9)
    assert n.coerce("3") == "3"
    with pytest.raises(ParamValueError, match="above the maximum"):
        n.coerce("10")


def test_passwords_are_argon2_and_sessions_expire(tmp_path, monkeypatch):
    from engine.server.store import Store
    from engine.server import users
    store = Store(tmp_path)
    pw = users.add_user(store, "zeimu1", "税務課", "requester")
    row = store.db.execute("SELECT pw_hash, section FROM users").fetchone()
    assert row["pw_hash"].startswith("$argon2id$") and pw not in row["pw_hash"] and row["section"] == "ZEIMU"
    assert users.authenticate(store, "zeimu1", pw).section_name == "税務課"
    assert users.authenticate(store, "zeimu1", pw + "x") is None
    assert users.authenticate(store, "nobody", pw) is None
    u = users.get_user(store, "zeimu1")
    token, csrf = users.open_session(store, u, "127.0.0.1")
    assert users.session_user(store, token) == (u, csrf)
    assert store.db.execute("SELECT COUNT(*) FROM sessions WHERE token_hash = ?", (token,)).fetchone()[0] == 0
    monkeypatch.setenv("DENSAN_SESSION_MINUTES", "0.0001")
    import time
    time.sleep(0.05)
    assert users.session_user(store, token) is None
    with pytest.raises(Exception, match="role 'boss'"):
        users.add_user(store, "x1", "ZEIMU", "boss")
    with pytest.raises(Exception, match="section 'Finance' is not known"):
        users.add_user(store, "x2", "Finance", "requester")


def test_audit_chain(tmp_path):
    from engine.server import audit
    for n in range(5):
        audit.append("login", who=f"u{n}", section="ZEIMU", ip="127.0.0.1", home=tmp_path)
    assert audit.verify(tmp_path) == (5, [])
    path = audit.audit_path(tmp_path)
    lines = path.read_text().splitlines()
    swapped = [lines[0], lines[2], lines[1], lines[3], lines[4]]
    path.write_text("\n".join(swapped) + "\n")
    count, problems = audit.verify(tmp_path)
    assert count == 5 and any(p.startswith("line 2 (seq 3): does not follow") for p in problems)
    path.write_text("\n".join(lines) + "\n")
    first = json.loads(lines[0])
    first["why"] = "edited"
    path.write_text("\n".join([json.dumps(first, ensure_ascii=False)] + lines[1:]) + "\n")
    assert audit.verify(tmp_path)[1][0] == "line 1 (seq 1): content does not match its hash (edited)"


def test_mask_person_numbers_and_names():
    from engine.server.access import mask
    assert mask("1234567890 掛川 太郎  10,000") == "12******** 掛＊＊  10,000"
    assert mask("RC 0004 2026-12-04 12:00") == "RC 0004 2026-12-04 12:00"      # dates and codes stay
    assert mask("PARAMS date=20250131 KEY 000001234567890123") == "PARAMS date=20250131 KEY 00****************"


def test_city_jobs_declare_their_sections():
    owners = {name: load_job(name).request.section for name in ("SHUNOD", "KOTEIY", "SUIDOB", "JUKID")}
    assert owners == {"SHUNOD": "出納室", "KOTEIY": "税務課", "SUIDOB": "水道課", "JUKID": "市民課"}
    with pytest.raises(ParamValueError, match="does not match"):
        load_job("SUIDOB").request.coerce({"nendo": "2026", "month": "202613", "date": "2026-06-01",
                                           "due": "2026-06-30"})


# ---------------------------------------------------------------- the operating day

NET = "jobnet: {name}\nbase_time: '{base}'\nunits:\n  - job: SHUNOD\n"


def test_the_console_dates_an_instant_as_the_scheduler_does(monkeypatch, tmp_path):
    from engine.schedule.jobnet import day_start
    from engine.server import night
    monkeypatch.setenv("DENSAN_JOBS", str(tmp_path))
    assert day_start() == 0                                   # no jobnets: the calendar day
    (tmp_path / "NIGHTLY.yaml").write_text(NET.format(name="NIGHTLY", base="08:00"))
    (tmp_path / "EARLY.yaml").write_text(NET.format(name="EARLY", base="06:30"))
    (tmp_path / "BROKEN.yaml").write_text("jobnet: BROKEN\nbase_time: '04:00'\nunits: nope\n")
    assert day_start() == 6 * 60 + 30                         # the earliest base time; BROKEN left out
    (tmp_path / "EARLY.yaml").unlink()
    assert day_start() == 8 * 60
    assert night.operating_day(dt.datetime(2026, 8, 4, 7, 59)) == dt.date(2026, 8, 3)   # still the night before
    assert night.operating_day(dt.datetime(2026, 8, 4, 8, 0)) == dt.date(2026, 8, 4)
    assert night.window(dt.date(2026, 8, 3)) == (dt.datetime(2026, 8, 3, 8, 0), dt.datetime(2026, 8, 4, 8, 0))
