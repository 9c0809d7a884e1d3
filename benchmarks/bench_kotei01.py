"""KOTEI01 at the seed city's size (380,000 parcels + 73,000 houses) and at 10x:
densan's job beside the legacy program compiled with GnuCOBOL, on the same files
in the same run (benchmarks/legacy_pair.py: both as whole processes, start-up
included, each peak RSS its own). Seconds, records per second, peak memory and the
ratio go to extra_info; the four outputs are checked to be identical byte for byte.

    python -m pytest benchmarks/bench_kotei01.py --benchmark-only -s
    DENSAN_BENCH_KOTEI_SCALES=1 python -m pytest benchmarks/bench_kotei01.py    (city size only)
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from benchmarks.legacy_pair import legacy_and_densan
from tests.conftest import HAVE_COBC

SCALES = [int(s) for s in os.environ.get("DENSAN_BENCH_KOTEI_SCALES", "1,10").split(",")]
PARM = "202520250401"
OUTS = {"CHOTEI-OUT": "chotei-out.dat", "NOTICE-OUT": "notice-out.txt", "ERROR-OUT": "error-out.dat",
        "REPORT": "report.txt"}


def _sorted(rec: np.ndarray) -> np.ndarray:
    keys = np.ascontiguousarray(rec[:, :20])
    words = np.zeros((len(rec), 24), np.uint8)
    words[:, :20] = keys
    w = words.view(">u8")
    return rec[np.lexsort((w[:, 2], w[:, 1], w[:, 0]))]


def kotei_files(scale: int) -> dict[str, Path]:
    """LAND-IN, HOUSE-IN (in key order) and NOKI-IN of `scale` seed cities, cached."""
    from datasets.residents import CITY_RESIDENTS, generate_residents
    from datasets.tax import PER_PERSON, house_master, land_master
    folder = Path(os.environ.get("DENSAN_BENCH_DIR", "/tmp/densan-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    paths = {dd: folder / f"kotei-x{scale}-{dd.lower()}.dat" for dd in ("LAND-IN", "HOUSE-IN", "NOKI-IN")}
    if not all(p.exists() for p in paths.values()):
        people = generate_residents(CITY_RESIDENTS * scale, seed=2007)
        rng = np.random.default_rng([2007, scale])
        n_land, n_house = 380_000 * scale, 73_000 * scale
        for dd, rec in (("LAND-IN", land_master(rng, people, n_land)), ("HOUSE-IN", house_master(rng, people, n_house))):
            tmp = paths[dd].with_suffix(f".{os.getpid()}.tmp")
            _sorted(rec).tofile(tmp)
            os.replace(tmp, paths[dd])
        paths["NOKI-IN"].write_bytes(b"0120250430          0220250731          0320251225          0420260302          ")
        assert PER_PERSON
    return paths


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed for the baseline")
@pytest.mark.parametrize("scale", SCALES)
def test_kotei01_vs_gnucobol(benchmark, tmp_path, scale):
    inputs = kotei_files(scale)
    records = sum(inputs[dd].stat().st_size // 100 for dd in ("LAND-IN", "HOUSE-IN"))
    pair = legacy_and_densan(benchmark, tmp_path, "KOTEI01", inputs, OUTS, PARM)
    notices = pair.densan_out["NOTICE-OUT"]
    benchmark.extra_info.update({
        "scale": scale, "land": inputs["LAND-IN"].stat().st_size // 100,
        "houses": inputs["HOUSE-IN"].stat().st_size // 100, "return_code": pair.return_code,
        "notice_mib": round(notices.stat().st_size / 2 ** 20),
        "densan_seconds": round(pair.densan_seconds, 2), "gnucobol_seconds": round(pair.legacy_seconds, 2),
        "densan_over_gnucobol": round(pair.densan_seconds / pair.legacy_seconds, 2),
        "densan_records_per_s": round(records / pair.densan_seconds),
        "gnucobol_records_per_s": round(records / pair.legacy_seconds),
        "densan_peak_rss_mib": round(pair.densan_peak_mib), "gnucobol_peak_rss_mib": round(pair.legacy_peak_mib),
    })
    print(f"\nKOTEI01 x{scale} " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
