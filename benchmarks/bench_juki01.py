"""JUKI01 at the city's size (240,270 residents, a busy day of movements) and at 10×,
beside the legacy program compiled with GnuCOBOL on the same files in the same run,
and the I/O floor (copying the inputs). Both run as processes (`densan run JUKI01
--dd ...` and the compiled COBOL); every output is checked identical byte for byte.

    python -m pytest benchmarks/bench_juki01.py -s
"""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from benchmarks.legacy_pair import legacy_and_densan
from benchmarks.conftest import bench_dir
from tests.conftest import HAVE_COBC

DATE = "20250131"
OUTS = {"RES-OUT": "res-out.dat", "ERROR-OUT": "error-out.dat", "LIST-OUT": "list-out.txt", "REPORT": "report.txt"}


def residents_files(scale: int) -> tuple[Path, Path]:
    """The city's resident master and a day's movements at `scale` × the city, cached."""
    from datasets.residents import CITY_MOVEMENTS, CITY_RESIDENTS, generate_movements, generate_residents
    n, m = CITY_RESIDENTS * scale, CITY_MOVEMENTS * scale
    stem = bench_dir() / f"juki-{n}-{m}-s2007"
    res, mov = stem.with_suffix(".JUKIMST.dat"), stem.with_suffix(".IDOTRN.dat")
    if not (res.exists() and mov.exists()):
        people = generate_residents(n, seed=2007, date=DATE)
        for path, data in ((res, people.records), (mov, generate_movements(people, m, seed=2007))):
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data.tobytes())
            os.replace(tmp, path)
    return res, mov


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed for the baseline")
@pytest.mark.parametrize("scale", [1, 10])
def test_juki01_vs_gnucobol(benchmark, tmp_path, scale):

    res, mov = residents_files(scale)
    inputs = {"RES-IN": res, "MOVE-IN": mov}
    size = res.stat().st_size + mov.stat().st_size

    floor_out = tmp_path / "floor"
    floor_out.mkdir()
    t = time.perf_counter()
    shutil.copyfile(res, floor_out / "r")
    shutil.copyfile(mov, floor_out / "m")
    os.sync()
    floor = time.perf_counter() - t
    shutil.rmtree(floor_out)

    pair = legacy_and_densan(benchmark, tmp_path, "JUKI01", inputs, OUTS, DATE)
    densan_rc, densan_s, densan_mb = pair.return_code, pair.densan_seconds, pair.densan_peak_mib
    legacy_s, legacy_mb, densan_out = pair.legacy_seconds, pair.legacy_peak_mib, pair.densan_out

    records = res.stat().st_size // 200 + mov.stat().st_size // 160
    benchmark.extra_info.update({
        "residents": res.stat().st_size // 200, "movements": mov.stat().st_size // 160, "return_code": densan_rc,
        "densan_seconds": round(densan_s, 3), "gnucobol_seconds": round(legacy_s, 3),
        "copy_floor_seconds": round(floor, 3), "speedup_vs_gnucobol": round(legacy_s / densan_s, 2),
        "densan_records_per_s": round(records / densan_s), "gnucobol_records_per_s": round(records / legacy_s),
        "densan_mb_per_s": round(size / densan_s / 1e6, 1),
        "densan_peak_rss_mib": round(densan_mb), "gnucobol_peak_rss_mib": round(legacy_mb),
    })
    print(f"\nJUKI01 x{scale} " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
