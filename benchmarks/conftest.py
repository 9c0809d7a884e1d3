"""Shared benchmark fixtures: the sample city's collection master (SHUNOMST) and a
day's transactions (NOFUTRN), ASCII with GnuCOBOL conventions like the legacy
files, generated once and cached.

Sizes: DENSAN_BENCH_RECORDS (default 5,294,774, the legacy host's master, times
DENSAN_BENCH_SCALE when that is set) and DENSAN_BENCH_TRANSACTIONS (default 1,000,000,
a busy night). Cache folder:
DENSAN_BENCH_DIR (default /tmp/densan-bench). The transactions are sorted by
NT-KEY, NT-SHUNYU-BI, NT-RENBAN as SHUNO01 needs them; the processing date
(PARM) to run them with is `bench_date`.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from datasets.generate import (BENCH_TRANSACTIONS, CITY_MASTERS, DEFAULT_DATE, GENERATOR_VERSION, generate_city,
                               write_city)

SEED = 2007


def bench_sizes() -> tuple[int, int]:
    """(masters, transactions). DENSAN_BENCH_SCALE=4 gives 4× the city's master (the
    transactions stay a busy night's unless DENSAN_BENCH_TRANSACTIONS says otherwise)."""
    scale = float(os.environ.get("DENSAN_BENCH_SCALE", 1))
    return (int(os.environ.get("DENSAN_BENCH_RECORDS", round(CITY_MASTERS * scale))),
            int(os.environ.get("DENSAN_BENCH_TRANSACTIONS", BENCH_TRANSACTIONS)))


def bench_dir() -> Path:
    path = Path(os.environ.get("DENSAN_BENCH_DIR", "/tmp/densan-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def city_files() -> tuple[Path, Path]:
    """(master, transactions) paths, generated on first use; written under a
    temporary name and renamed, so parallel sessions never see half a file."""
    masters, transactions = bench_sizes()
    folder = bench_dir()
    stem = f"city-v{GENERATOR_VERSION}-{masters}-{transactions}-s{SEED}-{DEFAULT_DATE}"
    master, tran = folder / f"{stem}.SHUNOMST.dat", folder / f"{stem}.NOFUTRN.dat"
    if not (master.exists() and tran.exists()):
        city = generate_city(masters, transactions, seed=SEED, date=DEFAULT_DATE)
        tmp_m = master.with_suffix(f".{os.getpid()}.tmp")
        tmp_t = tran.with_suffix(f".{os.getpid()}.tmp")
        write_city(city, tmp_m, tmp_t, encoding="ascii")
        os.replace(tmp_m, master)
        os.replace(tmp_t, tran)
    return master, tran


@pytest.fixture(scope="session")
def bench_date() -> str:
    """PARM (processing date) the benchmark files were generated for."""
    return DEFAULT_DATE


@pytest.fixture(scope="session")
def collection_master() -> Path:
    """Path of an ASCII SHUNOMST file (LRECL 100, keys ascending, unique)."""
    return city_files()[0]


@pytest.fixture(scope="session")
def collection_transactions() -> Path:
    """Path of an ASCII NOFUTRN file (LRECL 60), sorted for SHUNO01."""
    return city_files()[1]


def pytest_terminal_summary(terminalreporter):
    """The rows of issue #14's table recorded in this run (benchmarks/machine.py), under
    the machine's own memcpy and raw-read rates."""
    from benchmarks.machine import ROWS, machine_rates, table
    if not ROWS:
        return
    terminalreporter.write_sep("=", "closer to the machine")
    terminalreporter.write_line("Machine: " + machine_rates().line())
    terminalreporter.write_line(table(ROWS))
