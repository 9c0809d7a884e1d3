"""What the machine itself can do, printed beside every figure of issue #14's table, and
the table's rows.

    from benchmarks.machine import row
    row("SORT 1,18,CH of the shuffled master", densan="3.7 s", beside="GNU sort 3.2 s", ratio="1.16",
        bench="bench_sort.py")

Rows recorded during a pytest run are printed as one Markdown table at its end (see
conftest.py), under a line with the machine's rates:

- memcpy: NumPy copying a 512 MiB buffer into another (one core, best of three);
- raw read: reading a file's bytes into a buffer, 16 MiB at a time, after its pages were
  dropped from the page cache (`posix_fadvise(DONTNEED)` on that file alone, after a sync;
  other engineers' cached files are left alone), and the same file read again from the cache.

`python3 -m benchmarks.machine [FILE]` prints the line alone.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

ROWS: list[dict] = []
CHUNK = 16 << 20


@dataclass
class Rates:
    memcpy_gbs: float
    cold_read_gbs: float | None      # None: the pages could not be dropped
    cached_read_gbs: float
    read_file: str
    read_bytes: int
    load: float                      # 1-minute load average when measured

    def line(self) -> str:
        cold = (f"raw read from disk {self.cold_read_gbs:.2f} GB/s, " if self.cold_read_gbs is not None
                else "raw read from disk: not measured (pages could not be dropped), ")
        return (f"memcpy {self.memcpy_gbs:.1f} GB/s (one core); {cold}"
                f"from the page cache {self.cached_read_gbs:.2f} GB/s "
                f"({self.read_bytes / 1e9:.2f} GB file); {os.cpu_count()} cores, load average {self.load:.1f}")


def memcpy_rate(nbytes: int = 512 << 20, rounds: int = 3) -> float:
    """Bytes per second NumPy copies between two preallocated buffers (pages touched first)."""
    import numpy as np
    src = np.ones(nbytes, np.uint8)
    dst = np.zeros(nbytes, np.uint8)
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return nbytes / best


def drop_from_cache(path: Path) -> bool:
    """Ask the kernel to drop this file's clean pages; True when it was accepted."""
    os.sync()
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
        return True
    except (AttributeError, OSError):
        return False


def read_rate(path: Path) -> float:
    """Bytes per second reading the whole file into one reused 16 MiB buffer."""
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    total = 0
    t = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(view):
            total += n
    return total / (time.perf_counter() - t)


def raw_read_rates(path: Path) -> tuple[float | None, float]:
    """(cold, cached) read rates of `path`; cold is None when its pages cannot be dropped."""
    cold = read_rate(path) if drop_from_cache(path) else None
    return cold, read_rate(path)


def _scratch_file(nbytes: int = 512 << 20) -> Path:
    from benchmarks.conftest import bench_dir
    path = bench_dir() / f"machine-read-{nbytes}.dat"
    if not path.exists() or path.stat().st_size != nbytes:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            block = os.urandom(CHUNK)
            for _ in range(nbytes // CHUNK):
                f.write(block)
        os.replace(tmp, path)
    return path


@lru_cache(maxsize=None)
def machine_rates(path: str | None = None) -> Rates:
    """The machine's rates, measured once per process; raw reads of `path` (default: the
    benchmark master when it exists, else a 512 MiB scratch file)."""
    if path is None:
        from benchmarks.conftest import bench_sizes, bench_dir
        masters = [p for p in bench_dir().glob(f"city-v*-{bench_sizes()[0]}-*.SHUNOMST.dat")]
        target = masters[0] if masters else _scratch_file()
    else:
        target = Path(path)
    cold, cached = raw_read_rates(target)
    return Rates(memcpy_gbs=memcpy_rate() / 1e9, cold_read_gbs=None if cold is None else cold / 1e9,
                 cached_read_gbs=cached / 1e9, read_file=str(target), read_bytes=target.stat().st_size,
                 load=os.getloadavg()[0])


def run_process(argv: list[str], env: dict | None = None, **popen) -> tuple[float, int]:
    """Run a whole process; (wall seconds, its own peak RSS in bytes). The peak is that
    child's (os.wait4), not the high-water mark of every child this process waited for."""
    import subprocess
    t = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, **popen)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, argv)
    return elapsed, usage.ru_maxrss * 1024


def row(what: str, *, densan: str, beside: str = "", ratio: str = "", size: str | None = None,
        bench: str = "") -> dict:
    """Record one row of the table; `size` defaults to this run's scale of the city master.
    With DENSAN_BENCH_ROWS set, the row is also appended to that file (JSON lines), so that
    `python3 -m benchmarks.closer` can gather the rows of several runs."""
    if size is None:
        from benchmarks.conftest import bench_sizes
        from datasets.generate import CITY_MASTERS
        records = bench_sizes()[0]
        scale = records / CITY_MASTERS
        size = f"{scale:g}× ({records:,})" if abs(scale - round(scale)) < 1e-9 else f"{records:,}"
    entry = {"what": what, "size": size, "densan": densan, "beside": beside, "ratio": ratio, "bench": bench}
    ROWS.append(entry)
    target = os.environ.get("DENSAN_BENCH_ROWS")
    if target:
        with open(target, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def table(rows: list[dict]) -> str:
    lines = ["| what | size | densan | beside it, same run | ratio | benchmark |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['what']} | {r['size']} | {r['densan']} | {r['beside']} | {r['ratio']} | {r['bench']} |"
              for r in rows]
    return "\n".join(lines)


def mib(nbytes: int) -> str:
    return f"{nbytes / 2**20:,.0f} MiB" if nbytes < 2**30 else f"{nbytes / 2**30:.2f} GiB"


def seconds(t: float) -> str:
    return f"{t:.2f} s" if t < 10 else f"{t:.1f} s"


def ratio(a: float, b: float) -> str:
    """a / b, written as the issue's table writes it (0.21; 13×)."""
    r = a / b
    return f"{r:.2f}" if r < 2 else f"{r:.1f}×" if r < 100 else f"{r:,.0f}×"


if __name__ == "__main__":
    rates = machine_rates(sys.argv[1] if len(sys.argv) > 1 else None)
    print(rates.line())
    print(json.dumps(asdict(rates)))
