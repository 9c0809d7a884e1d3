"""SUIDO01 at the city's size (60,000 customers, a bimonthly round of about 30,000
readings) and at 10x, beside the legacy program compiled with GnuCOBOL on the
same files in the same run. Ratio, records per second and peak memory go to
extra_info; the outputs are checked to be identical byte for byte.

    python -m pytest benchmarks/bench_suido01.py --benchmark-only -s
    DENSAN_BENCH_WATER=600000 python -m pytest benchmarks/bench_suido01.py -s    (10x only)

Both run as processes (`densan run SUIDO01 --dd ...` and the compiled COBOL), so
each one's time includes starting up and its peak RSS is its own.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.conftest import bench_dir
from benchmarks.legacy_pair import legacy_and_densan
from tests.conftest import HAVE_COBC

SIZES = [int(s) for s in os.environ.get("DENSAN_BENCH_WATER", "60000,600000").split(",")]
OUTPUTS = {dd: dd.lower() for dd in ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT", "REPORT")}


def water_files(n: int) -> tuple[dict[str, Path], str]:
    """The round's inputs for `n` customers (generated once, cached), and its PARM."""
    from datasets.water import generate_water
    folder = bench_dir() / f"water-{n}-s2007"
    w = None
    files = {"CUST-IN": folder / "cust-in.dat", "READ-IN": folder / "read-in.dat",
             "TARIFF-IN": folder / "tariff-in.dat"}
    parm_file = folder / "parm.txt"
    if not parm_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        w = generate_water(n, seed=2007, date="20250610")
        for dd, recs in zip(files, (w.customers, w.readings, w.tariff)):
            tmp = files[dd].with_suffix(f".{os.getpid()}.tmp")
            recs.tofile(tmp)
            os.replace(tmp, files[dd])
        parm_file.write_text(w.parm)
    return files, parm_file.read_text()


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed for the baseline")
@pytest.mark.parametrize("customers", SIZES)
def test_suido01_vs_gnucobol(benchmark, tmp_path, customers):
    inputs, parm = water_files(customers)
    readings = inputs["READ-IN"].stat().st_size // 40
    pair = legacy_and_densan(benchmark, tmp_path, "SUIDO01", inputs, OUTPUTS, parm)
    assert pair.return_code == 4
    densan_s, legacy_s = pair.densan_seconds, pair.legacy_seconds
    records = customers + readings
    benchmark.extra_info.update({
        "customers": customers, "readings": readings, "return_code": pair.return_code,
        "densan_seconds": round(densan_s, 3), "gnucobol_seconds": round(legacy_s, 3),
        "densan_time_vs_gnucobol": round(densan_s / legacy_s, 2),
        "densan_records_per_s": round(records / densan_s), "gnucobol_records_per_s": round(records / legacy_s),
        "densan_peak_rss_mib": round(pair.densan_peak_mib), "gnucobol_peak_rss_mib": round(pair.legacy_peak_mib),
    })
    print(f"\nSUIDO01 {customers:,} " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
