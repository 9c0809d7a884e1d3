"""What `densan cluster status` shows: the scheduler, its workers (threads, memory in
use and its limit, tasks in hand, the densan resource), and — from the catalog — the
partitions of the latest partitioned steps."""
from __future__ import annotations

from pathlib import Path


def cluster_lines(address: str, timeout: float = 10) -> list[str]:
    from engine.cluster.executor import DaskExecutor
    ex = DaskExecutor(address, timeout=timeout)
    try:
        info = ex.client.scheduler_info(n_workers=-1)
        workers = info.get("workers", {})
        lines = [f"SCHEDULER {info.get('address', address)}  WORKERS {len(workers)}  "
                 f"THREADS {sum(int(w.get('nthreads') or 0) for w in workers.values())}"]
        lines.append(f"{'WORKER':<28} {'THREADS':>7} {'MEMORY MB':>10} {'LIMIT MB':>10} {'TASKS':>6}  RESOURCES")
        for addr, w in sorted(workers.items()):
            metrics = w.get("metrics") or {}
            lines.append(f"{addr:<28} {int(w.get('nthreads') or 0):>7} "
                         f"{(metrics.get('memory') or 0) / 2**20:>10,.0f} "
                         f"{(w.get('memory_limit') or 0) / 2**20:>10,.0f} "
                         f"{int(metrics.get('executing') or 0) + int(metrics.get('in_memory') or 0):>6}  "
                         f"{w.get('resources') or '-'}")
        return lines
    finally:
        ex.close()


def partition_lines(home: Path, limit: int = 3) -> list[str]:
    """The partitions of the last `limit` runs that had partitioned steps."""
    from engine.cluster.ledger import SCHEMA
    from engine.job.catalog import Catalog
    cat = Catalog(home)
    try:
        with cat._schema_lock():
            cat.db.executescript(SCHEMA)
        runs = [r[0] for r in cat.db.execute(
            "SELECT run_id FROM step_partitions GROUP BY run_id ORDER BY MAX(updated) DESC, run_id DESC LIMIT ?",
            (limit,))]
        lines = []
        for run in runs:
            rows = cat.db.execute("SELECT * FROM step_partitions WHERE run_id = ? ORDER BY step, phase, part",
                                  (run,)).fetchall()
            ended = sum(r["status"] in ("ENDED", "REUSED") for r in rows)
            lines.append(f"RUN {run}: {len(rows)} PARTITION(S), {ended} ENDED")
            for r in rows:
                retry = f" RETRIES {r['attempts'] - 1}" if (r["attempts"] or 0) > 1 else ""
                lines.append(f"  {r['step']:<8} {r['phase']:<8} {r['part']:>5} {r['status']:<8} "
                             f"{r['worker'] or '-':<22} {(r['elapsed'] or 0):>7.2f}s{retry}  {r['covers']}")
        return lines
    finally:
        cat.close()
