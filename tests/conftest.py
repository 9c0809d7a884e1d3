"""Shared test fixtures: where ../shared/ is, and whether GnuCOBOL is here."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("DENSAN_SHARED", ROOT.parent / "shared"))
LEGACY = SHARED / "legacy"
CONFORMANCE = SHARED / "conformance" / "cobrix"
HAVE_COBC = shutil.which("cobc") is not None

requires_cobc = pytest.mark.skipif(not HAVE_COBC and not os.environ.get("CI"),
                                   reason="GnuCOBOL (cobc) is not installed")


@pytest.fixture(scope="session")
def shared() -> Path:
    assert SHARED.is_dir(), f"../shared not found at {SHARED}"
    return SHARED


@pytest.fixture(scope="session")
def legacy() -> Path:
    return LEGACY


@pytest.fixture
def densan_home(tmp_path, monkeypatch) -> Path:
    """A fresh, empty densan home for one test."""
    home = tmp_path / "densan-home"
    monkeypatch.setenv("DENSAN_HOME", str(home))
    return home


@pytest.fixture(scope="module", params=["compiled", "python"])
def both_kernels(request):
    """Run a module's tests once with the compiled codec kernel and once with the
    NumPy fallback (modules opt in: pytestmark = pytest.mark.usefixtures("both_kernels")).
    Where the kernel was not built, the "compiled" run is skipped."""
    from engine.records import kernel
    if request.param not in kernel.available():
        pytest.skip("the compiled codec kernel was not built (no C compiler at install)")
    with kernel.use(request.param):
        yield request.param
