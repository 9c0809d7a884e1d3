"""A bypassed unit passes the flow on only when the units before it have ended
(engine.schedule.engine._passed_on): NIGHTLY's SHUNOD comes after JUKID through four
units bypassed on most nights, and had started beside JUKID."""
from __future__ import annotations

from engine.schedule import state as S
from engine.schedule.engine import _passed_on

# JUKID -> KOTEIY (not its day) -> SUIDOB (not its day) -> SHUNOD
AFTER = {"JUKID": [], "KOTEIY": [["JUKID", "ok"]], "SUIDOB": [["KOTEIY", "ok"]], "SHUNOD": [["SUIDOB", "ok"]]}


def chain(jukid: str) -> dict:
    return {"JUKID": jukid, "KOTEIY": S.BYPASSED, "SUIDOB": S.BYPASSED, "SHUNOD": S.WAITING}


def test_a_bypassed_unit_waits_for_what_comes_before_it():
    assert _passed_on("SUIDOB", chain(S.RUNNING), AFTER) == S.WAITING
    assert _passed_on("SUIDOB", chain(S.WAITING), AFTER) == S.WAITING


def test_it_passes_the_flow_on_once_they_ended():
    for ended in (S.NORMAL, S.WARNING, S.SKIPPED):
        assert _passed_on("SUIDOB", chain(ended), AFTER) == S.BYPASSED


def test_it_stops_the_flow_where_one_before_it_failed():
    assert _passed_on("SUIDOB", chain(S.ABNORMAL), AFTER) == S.ABNORMAL
    assert _passed_on("SUIDOB", chain(S.KILLED), AFTER) == S.ABNORMAL


def test_a_recovery_relation_that_holds_passes():
    after = {"X": [], "R": [["X", "abnormal"]], "NEXT": [["R", "end"]]}
    assert _passed_on("R", {"X": S.ABNORMAL, "R": S.BYPASSED, "NEXT": S.WAITING}, after) == S.BYPASSED


def test_other_statuses_are_their_own():
    assert _passed_on("JUKID", chain(S.NORMAL), AFTER) == S.NORMAL
    assert _passed_on("SHUNOD", chain(S.NORMAL), AFTER) == S.WAITING
