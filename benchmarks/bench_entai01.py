"""ENTAI01 at city size (5,294,774 masters by default): densan's job beside the
legacy program compiled with GnuCOBOL, on the same files in the same run, and
beside the I/O floor (copying the master). Ratios and peak memory go to extra_info.

    python -m pytest benchmarks/bench_entai01.py --benchmark-only -s
    DENSAN_BENCH_RECORDS=500000 python -m pytest benchmarks/bench_entai01.py
    DENSAN_BENCH_ENTAI_SCALE=10 python -m pytest benchmarks/bench_entai01.py --benchmark-only -s

At 10x (52,947,740 masters, 5.3 GB; made once by benchmarks/big_master.py under
/work/big/entai-10x) densan runs once, the legacy's outputs are checked by digest and
deleted before densan writes its own, and densan's are deleted after the run: one
run's outputs (5.4 GB) are on disk at a time, besides the master.

Both run as processes (`densan run ENTAI01 --dd ...` and the compiled COBOL), so
each time includes starting up and each peak RSS is the program's own. The
outputs are checked to be identical byte for byte.
"""
from __future__ import annotations

import os
import shutil
import time

import pytest

from benchmarks.legacy_pair import legacy_and_densan
from tests.conftest import HAVE_COBC

DDS = {"MASTER-OUT": "master-out.dat", "NOTICE-OUT": "notice-out.dat", "ENTAI-OUT": "entai-out.dat",
       "ERROR-OUT": "error-out.dat", "REPORT": "report.txt"}


@pytest.mark.skipif(not HAVE_COBC, reason="GnuCOBOL (cobc) is needed for the baseline")
def test_entai01_vs_gnucobol(benchmark, tmp_path, request):
    from datasets.collection_followups import rate_table
    scale = int(os.environ.get("DENSAN_BENCH_ENTAI_SCALE", "1"))
    if scale > 1:
        from benchmarks.big_master import scaled_collection_master
        collection_master = scaled_collection_master(scale)
    else:
        collection_master = request.getfixturevalue("collection_master")

    parm = "20250131,0100"
    rates = tmp_path / "rate-in.dat"
    rates.write_bytes(rate_table())
    inputs = {"MASTER-IN": collection_master, "RATE-IN": rates}
    size = collection_master.stat().st_size

    t = time.perf_counter()
    shutil.copyfile(collection_master, tmp_path / "floor")
    os.sync()
    floor = time.perf_counter() - t
    (tmp_path / "floor").unlink()

    big = scale > 1
    pair = legacy_and_densan(benchmark, tmp_path, "ENTAI01", inputs, DDS, parm,
                             **({"rounds": 1, "drop_legacy_outputs": True} if big else {}))
    densan_rc, densan_s, densan_mb = pair.return_code, pair.densan_seconds, pair.densan_peak_mib
    legacy_s, legacy_mb, densan_out = pair.legacy_seconds, pair.legacy_peak_mib, pair.densan_out

    benchmark.extra_info.update({
        "masters": size // 100,
        "scale": scale,
        "return_code": densan_rc,
        "reminded": densan_out["NOTICE-OUT"].stat().st_size // 80,
        "overdue": densan_out["ENTAI-OUT"].stat().st_size // 100,
        "densan_seconds": round(densan_s, 3),
        "gnucobol_seconds": round(legacy_s, 3),
        "copy_floor_seconds": round(floor, 3),
        "speedup_vs_gnucobol": round(legacy_s / densan_s, 2),
        "densan_records_per_s": round(size / 100 / densan_s),
        "gnucobol_records_per_s": round(size / 100 / legacy_s),
        "densan_peak_rss_mib": round(densan_mb),
        "gnucobol_peak_rss_mib": round(legacy_mb),
    })
    print("\nENTAI01 " + "  ".join(f"{k}={v}" for k, v in benchmark.extra_info.items()))
    if big:
        for path in densan_out.values():
            path.unlink()
