"""Test-only crash points: DENSAN_CRASH_AT=point[:STEP][,…] makes the runner kill itself
(SIGKILL) there, so the tests can prove that no moment of a job leaves a half-done catalog.

Points: job-start, before-program, after-program, before-commit, after-commit, mid-rename,
partition-ended:PHASE-N (a partitioned step, engine.cluster),
after-step (each optionally :STEP), job-end."""
from __future__ import annotations

import os
import signal


def crash_point(point: str, step: str | None = None) -> None:
    """Test-only: DENSAN_CRASH_AT=point[:STEP][,…] kills this process (SIGKILL) there."""
    spec = os.environ.get("DENSAN_CRASH_AT")
    if not spec:
        return
    for item in spec.split(","):
        p, _, s = item.strip().partition(":")
        if p == point and (not s or (step is not None and s.upper() == step.upper())):
            os.kill(os.getpid(), signal.SIGKILL)
