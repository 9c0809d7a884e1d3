"""The compiled kernels (C extensions that setup.py builds at install, each optional)
and when they may run.

A kernel runs only when it was built, from the C source beside it, and the
environment does not ask for NumPy alone (DENSAN_KERNEL=python). A build from an
older source (an editable install whose .c changed since pip ran) may take other
arguments: it is ignored, with a warning that says to re-run pip install.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import warnings
from pathlib import Path


def source_hash(source: Path) -> str | None:
    """The hash setup.py compiles into a build of `source`; None where the source is
    not there (an installed wheel, which cannot be stale)."""
    try:
        return hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    except OSError:
        return None


def stale(module, source: Path) -> bool:
    """True when `module` was built from another `source` than the one on disk."""
    expected = source_hash(source)
    return expected is not None and getattr(module, "SOURCE_HASH", None) != expected


def load(module_name: str, source: Path):
    """The built module `module_name` (from C file `source`), or None where the code
    must run on NumPy: not built, built from another source, or DENSAN_KERNEL=python."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:             # no compiler at install time
        return None
    if stale(module, source):
        warnings.warn(f"{module_name} was built from an older {source.name}: it runs on NumPy "
                      f"until you re-run pip install -e .", RuntimeWarning, stacklevel=2)
        return None
    return module


def python_only() -> bool:
    """DENSAN_KERNEL=python: every kernel runs on NumPy (to compare, or to rule one out)."""
    return os.environ.get("DENSAN_KERNEL", "").strip().lower() == "python"
