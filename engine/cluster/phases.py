"""Running the phases of a partitioned step: partitions an earlier run finished are
reused, the rest go to the executor; the job log shows each partition (what it
covers, the worker, retries, time), a terminal shows a bar per phase, and the
catalog records every partition (engine.cluster.ledger)."""
from __future__ import annotations

import sys
from typing import Callable

from engine.cluster.executor import Done, Executor, Task
from engine.cluster.ledger import Ledger
from engine.job.crashpoints import crash_point


class PhaseRunner:
    def __init__(self, executor: Executor, ledger: Ledger, log: Callable[[str], None]):
        self.executor, self.ledger, self.log = executor, ledger, log
        self.retried = 0
        self.partitions = 0
        self.reused = 0

    def __call__(self, phase: str, tasks: list[Task]) -> list:
        values: dict[int, object] = {}
        todo, plan = [], []
        for t in tasks:
            kept = self.ledger.finished(t.key)
            if kept is not None:
                values[t.index] = kept
                plan.append((t.index, t.label, "REUSED"))
            else:
                todo.append(t)
                plan.append((t.index, t.label, "PENDING"))
        self.ledger.plan(phase, plan)
        total = len(tasks)
        self.partitions += total
        self.reused += total - len(todo)
        self.log(f"  {phase}: {total} PARTITION(S)" + (f", {total - len(todo)} REUSED FROM AN EARLIER RUN"
                                                      if len(todo) < total else ""))
        bar = _bar(phase, len(todo))
        labels = {t.index: t.label for t in tasks}

        def on_done(done: Done, finished: int, count: int) -> None:
            self.ledger.keep(tasks_by_index[done.index].key, done.value)
            self.ledger.ended(phase, done.index, done.worker, done.attempts, done.elapsed)
            retry = ""
            if done.attempts > 1:
                self.retried += 1
                retry = f" AFTER {done.attempts - 1} RETRY(IES)"
            self.log(f"  {phase} PARTITION {done.index + 1}/{total} ENDED ON {done.worker}{retry} "
                     f"{done.elapsed:.2f}s - {labels[done.index]}")
            if bar is not None:
                bar.update(1)
            crash_point("partition-ended", f"{phase}-{done.index + 1}")   # test-only

        tasks_by_index = {t.index: t for t in tasks}
        try:
            if todo:
                for done in self.executor.run(todo, self.ledger.work, on_done=on_done):
                    values[done.index] = done.value
        finally:
            if bar is not None:
                bar.close()
        return [values[t.index] for t in tasks]


def _bar(phase: str, total: int):
    if not total or not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, desc=phase, unit="part", file=sys.stderr, leave=False)
