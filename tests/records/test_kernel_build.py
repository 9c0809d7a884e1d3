"""The compiled kernels' builds (engine.native): a build from another C source never
runs, and CI (which installs a compiler) really runs the compiled kernels."""
from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from engine import native
from engine.migration import colsums
from engine.records import kernel

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"engine.records._kernel": ROOT / "engine/records/_kernel.c",
           "engine.migration._colsums": ROOT / "engine/migration/_colsums.c"}


def test_a_build_from_other_source_is_stale(tmp_path):
    source = tmp_path / "_kernel.c"
    source.write_bytes(b"int x;\n")
    assert not native.stale(types.SimpleNamespace(SOURCE_HASH=native.source_hash(source)), source)
    assert native.stale(types.SimpleNamespace(SOURCE_HASH="0" * 16), source)
    assert native.stale(types.SimpleNamespace(), source)       # built before the hash existed


def test_a_missing_source_cannot_be_stale(tmp_path):
    assert native.source_hash(tmp_path / "absent.c") is None
    assert not native.stale(types.SimpleNamespace(), tmp_path / "absent.c")


def test_a_stale_build_is_not_loaded_and_says_why(tmp_path):
    other = tmp_path / "_kernel.c"
    other.write_bytes(b"/* another version */\n")
    with pytest.warns(RuntimeWarning, match="re-run pip install"):
        assert native.load("json", other) is None       # any module without that hash


def test_an_absent_build_is_none():
    assert native.load("engine.records._no_such_kernel", SOURCES["engine.records._kernel"]) is None


def test_densan_kernel_python_turns_every_kernel_off():
    code = ("from engine.records import kernel; from engine.migration import colsums; "
            "print(kernel.name(), colsums._kernel)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "DENSAN_KERNEL": "python"}).stdout.split()
    assert out == ["python", "None"]


@pytest.mark.parametrize("module_name", sorted(SOURCES))
def test_a_built_kernel_matches_its_source(module_name):
    module = pytest.importorskip(module_name, reason="not built here (no compiler at install)")
    assert module.SOURCE_HASH == native.source_hash(SOURCES[module_name])


@pytest.mark.skipif(not os.environ.get("CI"), reason="only CI promises a C compiler")
def test_ci_runs_the_compiled_kernels():
    assert kernel.name() == "compiled", "pip install did not build engine/records/_kernel.c"
    assert colsums._kernel is not None, "pip install did not build engine/migration/_colsums.c"
