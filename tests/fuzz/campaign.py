"""The long fuzz campaign (not part of CI): at least 100,000 generated and mutated cases over
copybooks, records, SORT statements, job definitions and command lines; prints, per area, the
cases tried, tracebacks, inputs changed and hangs. Findings go to --report with their seeds.

    python -m tests.fuzz.campaign                       # 100,000 cases (about half an hour on one core)
    python -m tests.fuzz.campaign --scale 0.01          # a 1,000-case smoke run
    python -c "from tests.fuzz.harness import seeded; print(seeded('cli', 42, Path('/tmp/fz')))"

Cheap cases stop after the parser (copybooks, SORT statements, jobs); deep cases decode and
encode records, execute the SORT, run the job or the command, and check the user's files."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.fuzz.harness import AREAS, seeded

# area: (cases, every how many a deep one)
PLAN = {"copybooks": (42_000, 10), "sort": (40_000, 4), "jobs": (10_000, 10), "records": (3_000, 1),
        "cli": (5_000, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every area's case count")
    ap.add_argument("--seconds", type=int, default=30, help="a case running longer is a hang")
    ap.add_argument("--report", type=Path, default=Path("fuzz-findings.txt"))
    ap.add_argument("--areas", nargs="*", default=list(AREAS))
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="densan-fuzz-"))
    os.environ["DENSAN_HOME"] = str(work / "home")
    rows, findings = [], []
    started = time.monotonic()
    for area in args.areas:
        total, every = PLAN[area]
        total = max(1, int(total * args.scale))
        counts = {"ok": 0, "traceback": 0, "changed": 0, "hang": 0}
        t0 = time.monotonic()
        for seed in range(total):
            outcome = seeded(area, seed, work, args.seconds, deep=seed % every == 0)
            counts[outcome.kind] += 1
            if outcome.kind != "ok":
                findings.append(f"== {area} seed {seed} deep={seed % every == 0}: {outcome.kind}\n{outcome.detail}\n")
            if (seed + 1) % 1000 == 0:
                print(f"  {area}: {seed + 1:,}/{total:,} cases, {time.monotonic() - t0:,.0f} s", file=sys.stderr,
                      flush=True)
        rows.append((area, total, counts, time.monotonic() - t0))
    args.report.write_text("".join(findings) or "no findings\n", encoding="utf-8")
    print(f"{'AREA':<10} {'CASES':>8} {'TRACEBACKS':>10} {'INPUTS CHANGED':>14} {'HANGS':>6} {'SECONDS':>8}")
    for area, total, c, secs in rows:
        print(f"{area:<10} {total:>8,} {c['traceback']:>10} {c['changed']:>14} {c['hang']:>6} {secs:>8,.0f}")
    cases = sum(r[1] for r in rows)
    bad = sum(r[2]["traceback"] + r[2]["changed"] + r[2]["hang"] for r in rows)
    print(f"{'total':<10} {cases:>8,} {'':>10} {'':>14} {'':>6} {time.monotonic() - started:>8,.0f}")
    print(f"findings: {bad} (details in {args.report})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
