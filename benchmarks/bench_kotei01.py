"""KOTEI01 at the seed city's size (380,000 parcels + 73,000 houses) and at 10x:
densan's job beside the legacy program compiled with GnuCOBOL, on the same files
in the same run. Seconds, records per second, peak memory and the ratio go to
extra_info; the four outputs are checked to be identical byte for byte.

    python -m pytest benchmarks/bench_kotei01.py --benchmark-only -s
    DENSAN_BENCH_KOTEI_SCALES=1 python -m pytest benchmarks/bench_kotei01.py    (city size only)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.bench_shuno01 import run_measured
from tests.conftest import HAVE_COBC, LEGACY

SCALES = [int(s) for s in os.environ.get("DENSAN_BENCH_KOTEI_SCALES", "1,10").split(",")]
ROUNDS = int(os.environ.get("DENSAN_BENCH_ROUNDS", "1"))
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
    from engine.migration.legacy import compile_program, program_environment
    from engine.migration.verify import prepare_home

    inputs = kotei_files(scale)
    records = sum(inputs[dd].stat().st_size // 100 for dd in ("LAND-IN", "HOUSE-IN"))
    exe = compile_program(LEGACY / "programs" / "KOTEI01.cob", [LEGACY / "copybooks"])
    legacy_out = {dd: tmp_path / "legacy" / f for dd, f in OUTS.items()}
    (tmp_path / "legacy").mkdir()
    os.sync()
    legacy_rc, legacy_s, legacy_mb = run_measured([str(exe)], program_environment({**inputs, **legacy_out}, PARM))

    home = tmp_path / "home"
    prepare_home("KOTEI01", home)
    densan_out = {dd: tmp_path / "densan" / f for dd, f in OUTS.items()}
    (tmp_path / "densan").mkdir()
    cmd = [sys.executable, "-m", "engine.cli", "run", "KOTEI01", "-q", "--parm", PARM]
    for dd, path in {**inputs, **densan_out}.items():
        cmd += ["--dd", f"{dd}={path}"]
    env = dict(os.environ, DENSAN_HOME=str(home))
    runs = []

    def densan_run():
        for p in densan_out.values():
            p.unlink(missing_ok=True)
        os.sync()
        runs.append(run_measured(cmd, env))

    benchmark.pedantic(densan_run, rounds=ROUNDS, iterations=1)
    densan_rc, densan_s, densan_mb = min(runs, key=lambda r: r[1])
    assert densan_rc == legacy_rc
    for dd in OUTS:
        assert densan_out[dd].read_bytes() == legacy_out[dd].read_bytes(), dd
    benchmark.extra_info.update({
        "scale": scale, "land": inputs["LAND-IN"].stat().st_size // 100,
        "houses": inputs["HOUSE-IN"].stat().st_size // 100, "return_code": densan_rc,
        "densan_seconds": round(densan_s, 2), "gnucobol_seconds": round(legacy_s, 2),
        "densan_over_gnucobol": round(densan_s / legacy_s, 2),
        "densan_records_per_s": round(records / densan_s), "gnucobol_records_per_s": round(records / legacy_s),
        "densan_peak_rss_mib": round(densan_mb), "gnucobol_peak_rss_mib": round(legacy_mb),
    })
    print(f"\nKOTEI01 x{scale} " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
