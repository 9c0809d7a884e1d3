"""Issue #14's table in one command: every row's benchmark at 1× and 4× the city's master,
each with its baseline in the same run, then the rows gathered under the machine's rates.

    python3 -m benchmarks.closer                  # 1× and 4×
    python3 -m benchmarks.closer --scale 1        # one size
    python3 -m benchmarks.closer --only bench_sort.py --only bench_convert.py

Each scale is one pytest run (`DENSAN_BENCH_SCALE=N`); the benchmarks record their rows
with benchmarks.machine.row, which this command collects through DENSAN_BENCH_ROWS. The
start-up rows do not depend on the master's size and run with the first scale only.
The 4× city (21,179,096 masters, 2.1 GB) is generated on first use under DENSAN_BENCH_DIR.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
# the benchmarks of issue #14's rows, in the order of its table
ROW_BENCHMARKS = ["bench_shuno01.py", "bench_codec.py", "bench_convert.py", "bench_sort.py", "bench_compare.py"]
SIZE_FREE = ["bench_startup.py"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks.closer", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", action="append", type=float, help="times the city's master (default: 1 and 4)")
    parser.add_argument("--only", action="append", metavar="FILE", help="run only these benchmark files")
    args = parser.parse_args(argv)
    scales = args.scale or [1, 4]
    wanted = args.only or SIZE_FREE + ROW_BENCHMARKS
    rows_file = Path(tempfile.mkstemp(prefix="densan-closer-", suffix=".jsonl")[1])
    failed = []
    for i, scale in enumerate(scales):
        files = [f for f in wanted if (HERE / f).exists() and (i == 0 or f not in SIZE_FREE)]
        missing = [f for f in wanted if not (HERE / f).exists()]
        if missing and i == 0:
            print(f"closer: not (yet) in benchmarks/: {', '.join(missing)}", file=sys.stderr)
        if not files:
            continue
        env = {**os.environ, "DENSAN_BENCH_SCALE": f"{scale:g}", "DENSAN_BENCH_ROWS": str(rows_file)}
        cmd = [sys.executable, "-m", "pytest", *[str(HERE / f) for f in files], "-q", "-s", "-p", "no:cacheprovider"]
        print(f"closer: {scale:g}× the city's master: {' '.join(files)}", file=sys.stderr, flush=True)
        if subprocess.run(cmd, env=env).returncode != 0:
            failed.append(f"{scale:g}×")
    from benchmarks.machine import machine_rates, table
    rows = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows_file.unlink()
    order = {f: i for i, f in enumerate(SIZE_FREE + ROW_BENCHMARKS)}
    rows.sort(key=lambda r: order.get(r["bench"], len(order)))       # stable: sizes stay in order
    print("\nMachine: " + machine_rates().line())
    print(table(rows))
    if failed:
        print(f"\ncloser: some benchmarks failed at {', '.join(failed)} (see above)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
