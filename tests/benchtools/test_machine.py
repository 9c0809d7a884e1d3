"""The benchmark tooling: the machine's rates, the rows of issue #14's table, and the
benchmarks kept out of the test run."""
from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

from benchmarks import machine

ROOT = Path(__file__).resolve().parents[2]


def test_benchmarks_stay_out_of_the_test_run():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert options["testpaths"] == ["tests"]
    assert "bench_*.py" in options["python_files"]          # `pytest benchmarks/` finds them
    assert not list((ROOT / "tests").rglob("bench_*.py"))


def test_a_row_takes_this_run_s_scale_and_is_gathered(tmp_path, monkeypatch):
    rows = tmp_path / "rows.jsonl"
    monkeypatch.setenv("DENSAN_BENCH_ROWS", str(rows))
    monkeypatch.setenv("DENSAN_BENCH_SCALE", "4")
    monkeypatch.delenv("DENSAN_BENCH_RECORDS", raising=False)
    monkeypatch.setattr(machine, "ROWS", [])
    machine.row("SORT", densan="3.70 s", beside="GNU sort 3.20 s", ratio="1.16", bench="bench_sort.py")
    machine.row("`densan --help`", size="–", densan="0.12 s", bench="bench_startup.py")
    gathered = [json.loads(line) for line in rows.read_text().splitlines()]
    assert gathered == machine.ROWS
    assert gathered[0]["size"] == "4× (21,179,096)"
    assert machine.table(gathered).splitlines() == [
        "| what | size | densan | beside it, same run | ratio | benchmark |",
        "|---|---|---|---|---|---|",
        "| SORT | 4× (21,179,096) | 3.70 s | GNU sort 3.20 s | 1.16 | bench_sort.py |",
        "| `densan --help` | – | 0.12 s |  |  | bench_startup.py |"]


@pytest.mark.parametrize("a, b, text", [(5.0, 23.7, "0.21"), (4.9, 0.37, "13.2×"), (6.0, 0.01, "600×"),
                                        (1.0, 1.0, "1.00")])
def test_ratios_are_written_as_the_issue_writes_them(a, b, text):
    assert machine.ratio(a, b) == text


def test_a_child_s_peak_memory_is_its_own():
    """200 MiB allocated by the child: its peak, not this process's, is reported."""
    seconds, peak = machine.run_process([sys.executable, "-c", "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
    assert seconds > 0
    assert 200 * 2**20 <= peak < 400 * 2**20


def test_a_failing_child_is_an_error():
    import subprocess
    with pytest.raises(subprocess.CalledProcessError):
        machine.run_process([sys.executable, "-c", "raise SystemExit(3)"])


def test_read_and_copy_rates(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x5a" * (3 * machine.CHUNK + 17))
    cold, cached = machine.raw_read_rates(path)
    assert cached > 0 and (cold is None or cold > 0)
    assert machine.memcpy_rate(1 << 20, rounds=1) > 0
    rates = machine.Rates(memcpy_gbs=10.1, cold_read_gbs=None, cached_read_gbs=5.0, read_file=str(path),
                          read_bytes=path.stat().st_size, load=1.0)
    assert rates.line().startswith("memcpy 10.1 GB/s (one core); raw read from disk: not measured")
