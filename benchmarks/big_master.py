"""A collection master of N times the city (10 x 5,294,774 = 52,947,740 records,
5.3 GB at N = 10) for the benchmarks at 10x, made without holding it in memory:

    python -m benchmarks.big_master 10        # prints the path; made once, then reused

The generator makes a whole city master in memory (about 2 GB at city size, so
about 20 GB at 10x): instead, N city-size masters are made with N seeds, each
written to a part file, with the notice number's leading digit (always 0 in a
city-size master) set to the part's number, so that the parts' keys never
collide. Every part is in key order, and within one fiscal year and revenue item
(the first 6 key bytes) part 0's keys come before part 1's, and so on: the
result is written group by group, each part's slice of the group in turn, and
the parts are deleted. Folder: DENSAN_BENCH_BIG_DIR (default /work/big/entai-10x
when /work/big exists, else the benchmark cache folder)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from datasets.generate import CITY_MASTERS, DEFAULT_DATE, GENERATOR_VERSION, generate_master

SEED = 2007
KEY_GROUP = slice(0, 6)             # SH-NENDO, SH-KAMOKU
PART_DIGIT = 6                      # first byte of SH-TSUCHI-NO


def big_dir() -> Path:
    default = Path("/work/big/entai-10x") if Path("/work/big").is_dir() else None
    if default is None:
        from benchmarks.conftest import bench_dir
        default = bench_dir()
    path = Path(os.environ.get("DENSAN_BENCH_BIG_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def scaled_collection_master(scale: int, *, date: str = DEFAULT_DATE) -> Path:
    """Path of an ASCII SHUNOMST file of `scale` x the city's masters (keys ascending,
    unique), generated on first use under a temporary name and renamed."""
    if not 1 <= scale <= 10:
        raise ValueError("scale must be 1 to 10 (one notice-number digit per part)")
    folder = big_dir()
    path = folder / f"city-v{GENERATOR_VERSION}-{scale}x{CITY_MASTERS}-s{SEED}-{date}.SHUNOMST.dat"
    if path.exists():
        return path
    parts, groups = [], []
    for i in range(scale):
        m, _ = generate_master(CITY_MASTERS, seed=SEED * 100 + i, date=date)
        assert (m[:, PART_DIGIT] == ord("0")).all(), "notice numbers of 10 digits"
        m[:, PART_DIGIT] = ord("0") + i
        part = folder / f"{path.name}.{os.getpid()}.part{i}"
        m.tofile(part)
        keys = m[:, KEY_GROUP].copy().view("S6").reshape(-1)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        groups.append({bytes(keys[s]): (int(s), int(e)) for s, e in zip(starts, np.r_[starts[1:], len(m)])})
        parts.append(part)
        del m, keys
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        maps = [np.memmap(p, np.uint8, mode="r").reshape(-1, 100) for p in parts]
        for group in sorted(set().union(*groups)):
            for m, g in zip(maps, groups):
                if group in g:
                    start, end = g[group]
                    out.write(np.ascontiguousarray(m[start:end]).reshape(-1))
        del maps
    for p in parts:
        p.unlink()
    os.replace(tmp, path)
    return path


if __name__ == "__main__":
    print(scaled_collection_master(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
