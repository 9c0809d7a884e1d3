"""A migrated job beside its legacy program in the same run: the GnuCOBOL build of the
legacy program and `densan run PROG` on the same inputs, each a whole process (start-up
included, peak RSS its own), every output compared byte for byte (a block at a time)."""
from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bench_shuno01 import ROUNDS, run_measured
from tests.conftest import LEGACY


@dataclass
class Pair:
    return_code: int
    densan_seconds: float
    densan_peak_mib: float
    legacy_seconds: float
    legacy_peak_mib: float
    densan_out: dict[str, Path]
    densan_anon_mib: float = 0.0      # densan's peak anonymous RSS (beyond mapped files)


def same_bytes(a: Path, b: Path, block: int = 64 << 20) -> bool:
    """Two files equal, compared a block at a time (never both read whole)."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(block), fb.read(block)
            if x != y:
                return False
            if not x:
                return True


def digest(path: Path) -> str:
    """SHA-256 of a file read 16 MiB at a time (outputs of several GB are never held whole)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            h.update(block)
    return h.hexdigest()


def legacy_and_densan(benchmark, tmp_path: Path, program: str, inputs: dict[str, Path],
                      outputs: dict[str, str], parm: str, *, sync: bool = False, rounds: int = ROUNDS,
                      drop_legacy_outputs: bool = False) -> Pair:
    """Run the legacy `program` once and densan ROUNDS times (the fastest counts) with the
    same DDs; assert the same return code and the same bytes in every output DD. With
    `sync`, each timed run ends with a sync (its outputs written out, as an I/O floor
    measured with a sync is). `drop_legacy_outputs` keeps only the SHA-256 of the legacy's
    outputs and deletes them before densan writes, so that one run's outputs are on disk
    at a time (ENTAI01 at 10x); densan runs `rounds` times."""
    from engine.migration.legacy import compile_program, program_environment
    from engine.migration.verify import prepare_home

    exe = compile_program(LEGACY / "programs" / f"{program}.cob", [LEGACY / "copybooks"])
    (tmp_path / "legacy").mkdir()
    legacy_out = {dd: tmp_path / "legacy" / f for dd, f in outputs.items()}
    os.sync()
    legacy_rc, legacy_s, legacy_mb = run_measured([str(exe)], program_environment({**inputs, **legacy_out}, parm),
                                                  sync=sync)
    legacy_digest = {dd: digest(p) for dd, p in legacy_out.items()} if drop_legacy_outputs else {}
    for p in legacy_out.values() if drop_legacy_outputs else ():
        p.unlink()

    home = tmp_path / "home"
    prepare_home(program, home)
    (tmp_path / "densan").mkdir()
    densan_out = {dd: tmp_path / "densan" / f for dd, f in outputs.items()}
    cmd = [sys.executable, "-m", "engine.cli", "run", program, "-q", "--parm", parm]
    for dd, path in {**inputs, **densan_out}.items():
        cmd += ["--dd", f"{dd}={path}"]
    denv = dict(os.environ, DENSAN_HOME=str(home))
    runs = []

    def densan_run():
        for p in densan_out.values():
            p.unlink(missing_ok=True)
        os.sync()
        runs.append(run_measured(cmd, denv, sync=sync, anon=True))

    benchmark.pedantic(densan_run, rounds=rounds, iterations=1)
    densan_rc, densan_s, densan_mb, _ = min(runs, key=lambda r: r[1])
    assert densan_rc == legacy_rc
    for dd in outputs:
        if drop_legacy_outputs:
            assert digest(densan_out[dd]) == legacy_digest[dd], dd
        else:
            assert same_bytes(densan_out[dd], legacy_out[dd]), dd
    return Pair(densan_rc, densan_s, densan_mb, legacy_s, legacy_mb, densan_out,
                max(r[3] for r in runs))
