from __future__ import annotations

import pytest

from tests.job.helpers import JobLib


@pytest.fixture
def lib(tmp_path, monkeypatch, densan_home) -> JobLib:
    """A job library (DENSAN_JOBS) and an empty densan home (DENSAN_HOME)."""
    jl = JobLib(tmp_path / "lib")
    monkeypatch.setenv("DENSAN_JOBS", str(jl.jobs))
    monkeypatch.delenv("DENSAN_CRASH_AT", raising=False)
    jl.home = densan_home
    jl.env = {"DENSAN_JOBS": str(jl.jobs), "DENSAN_HOME": str(densan_home)}
    return jl
