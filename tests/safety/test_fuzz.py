"""Fuzzing in the suite: generated and mutated copybooks, records, SORT statements, job
definitions and command lines; no traceback escapes, no file the user gave as an input
changes, nothing hangs. A few hundred cases here; tests/fuzz/campaign.py runs 100,000."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import run_case

EXAMPLES = {"copybooks": 60, "sort": 60, "jobs": 25, "records": 20, "cli": 30}


@pytest.mark.parametrize("area", list(EXAMPLES))
def test_no_traceback_no_input_changed_no_hang(area, monkeypatch):
    work = Path(tempfile.mkdtemp(prefix=f"densan-fuzz-{area}-"))
    monkeypatch.setenv("DENSAN_HOME", str(work / "home"))

    @settings(max_examples=EXAMPLES[area], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(rng=st.randoms(use_true_random=False))
    def case(rng):
        outcome = run_case(area, rng, work / area, seconds=60)
        assert outcome.kind == "ok", f"{outcome.kind}: {outcome.detail}"

    case()


def test_the_harness_sees_a_traceback_and_a_changed_input(tmp_path, monkeypatch):
    """The checks can fail: an exception that is not a DensanError is a traceback; a user's
    file that changes is reported."""
    import random

    import tests.fuzz.harness as h

    def boom(rng, work, deep):
        raise KeyError("x")

    def clobber(rng, work, deep):
        inputs, _ = h._user_files(rng, work)
        before = h._digest(inputs)
        inputs[0].write_bytes(b"gone")
        return h.Outcome("changed" if h._digest(inputs) != before else "ok")

    monkeypatch.setitem(h._AREAS, "copybooks", boom)
    assert run_case("copybooks", random.Random(1), tmp_path).kind == "traceback"
    monkeypatch.setitem(h._AREAS, "copybooks", clobber)
    assert run_case("copybooks", random.Random(1), tmp_path).kind == "changed"
    monkeypatch.setitem(h._AREAS, "copybooks", lambda rng, work, deep: __import__("time").sleep(5))
    assert run_case("copybooks", random.Random(1), tmp_path, seconds=1).kind == "hang"
