"""The Cobrix conformance suite (../shared/conformance/cobrix): every case
variant in its index.json is decoded by densan through `engine.compat.cobrix`
(the Cobrix option names mapped onto densan's record formats, code pages and
dialects), written as JSON lines in Cobrix's conventions, and checked with the
suite's own `_tools/compare.py`. Variants that depend on a Cobrix behaviour IBM
does not share (or an option densan does not reproduce) are listed, with the
reason, in known_differences.py and marked xfail."""
from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from tests.conftest import CONFORMANCE
from tests.conformance.known_differences import KNOWN_DIFFERENCES

pytest.importorskip("engine.records.codec")
pytest.importorskip("engine.copybook.parser")

INDEX = CONFORMANCE / "index.json"
COMPARE = CONFORMANCE / "_tools" / "compare.py"


def _variants():
    if not INDEX.exists():
        return []
    cases = json.loads(INDEX.read_text(encoding="utf-8"))["cases"]
    return [(case["id"], v["name"]) for case in cases for v in case["variants"]]


VARIANTS = _variants()


def test_the_suite_is_all_here():
    """98 variants in 32 cases, as its README says; every table entry names one."""
    if not INDEX.exists():
        pytest.skip("conformance suite not available")
    assert len(VARIANTS) == 98 and len({c for c, _ in VARIANTS}) == 32
    assert set(KNOWN_DIFFERENCES) <= set(VARIANTS)
    assert all(reason.strip() for reason in KNOWN_DIFFERENCES.values())


def _na_fill_0(frame: pl.DataFrame) -> pl.DataFrame:
    """Spark's na.fill(0): null numbers (not inside arrays) become 0."""
    numeric = [c for c, t in frame.schema.items() if t.is_numeric()]
    return frame.with_columns([pl.col(c).fill_null(0) for c in numeric])


@pytest.mark.parametrize("case_id, variant", VARIANTS, ids=[f"{c}/{v}" for c, v in VARIANTS])
def test_cobrix_variant(case_id, variant, tmp_path, request):
    from engine.compat.cobrix import cobrix_json_lines, read_cobrix
    from engine.copybook import load_copybook

    reason = KNOWN_DIFFERENCES.get((case_id, variant))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=False))
    case_dir = CONFORMANCE / case_id
    case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    spec = next(v for v in case["variants"] if v["name"] == variant)
    files = case.get("files", {})
    copybook = case_dir / (spec.get("copybook") or files.get("copybook") or "copybook.cpy")
    data = [case_dir / d for d in (spec.get("data") or files.get("data"))]
    options = spec.get("cobrix_options", {})

    layout = load_copybook(str(copybook))
    frame = read_cobrix(data, layout, options, work_dir=tmp_path)
    if spec.get("selection", {}).get("na_fill_0"):
        frame = _na_fill_0(frame)
    actual = tmp_path / "actual.jsonl"
    lines = cobrix_json_lines(frame, layout, options)
    actual.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    proc = subprocess.run([sys.executable, str(COMPARE), str(case_dir), variant, str(actual)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
