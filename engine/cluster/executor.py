"""Where partition tasks run: in this process (LocalExecutor, today's behaviour) or on a
Dask distributed cluster (DaskExecutor). Both take the same list of tasks and give
their results in partition order; everything else in engine.cluster is engine-neutral,
so another engine (Ray, Spark) is one more class here.

Each attempt of a task appends a line (host, pid, time) to ``<work>/attempts/<key>``
before it starts: the count of lines is the number of attempts (a worker killed
mid-task shows as a retry in the job log), and a test can find the process to kill.
A task's outputs are written under a temporary name and renamed when complete, so
an attempt that dies leaves nothing a retry or a restart would take for finished.
"""
from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from engine.errors import DensanError

ENV_HOLD = "DENSAN_CLUSTER_HOLD"     # test-only: attempts wait while this file exists
RETRIES = 2                          # re-runs of a task that raised (a killed worker is rescheduled by Dask)


@dataclass
class Task:
    """One partition's work: func(*args) run where the executor puts it."""
    index: int
    key: str                       # stable and unique within the step: "POST-p0003"
    func: Callable[..., Any]       # a module-level function (picklable)
    args: tuple = ()
    label: str = ""                # what the job log says about it ("records 1-1000000")


@dataclass
class Done:
    index: int
    value: Any
    worker: str
    attempts: int
    elapsed: float


class TaskFailed(DensanError):
    """A partition that failed on every attempt."""

    def __init__(self, key: str, reason: str):
        self.key, self.reason = key, reason
        super().__init__(f"partition {key} failed: {reason}",
                         hint="see the job log; restart the step to rerun only the unfinished partitions")


def attempt(work: str, key: str, hold: str | None, func, args) -> tuple[Any, str, float]:
    """Run one task on a worker, recording the attempt first."""
    folder = Path(work) / "attempts"
    folder.mkdir(parents=True, exist_ok=True)
    who = f"{socket.gethostname()}:{os.getpid()}"
    with open(folder / key, "a") as fh:
        fh.write(f"{who} {time.time():.3f}\n")
    while hold and os.path.exists(hold):
        time.sleep(0.05)
    t0 = time.monotonic()
    value = func(*args)
    return value, who, time.monotonic() - t0


def attempts_of(work: Path, key: str) -> list[str]:
    try:
        return (Path(work) / "attempts" / key).read_text().split("\n")[:-1]
    except OSError:
        return []


class Executor:
    """Runs tasks; results in task order. `on_done(done, finished, total)` as each ends."""
    name = "local"

    def run(self, tasks: list[Task], work: Path, *, on_done: Callable[[Done, int, int], None] = None
            ) -> list[Done]:
        raise NotImplementedError

    def describe(self) -> list[str]:
        return [f"EXECUTOR {self.name}"]

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LocalExecutor(Executor):
    """Today's behaviour: each task in turn, in this process."""
    name = "local"

    def run(self, tasks, work, *, on_done=None):
        out = []
        for k, t in enumerate(tasks, 1):
            value, who, elapsed = attempt(str(work), t.key, None, t.func, t.args)
            done = Done(t.index, value, f"local:{who}", len(attempts_of(work, t.key)), elapsed)
            out.append(done)
            if on_done:
                on_done(done, k, len(tasks))
        return out


class DaskExecutor(Executor):
    """A Dask distributed cluster at `address` (tcp://host:8786).

    Bounded memory: at most `slots` partitions per worker at a time — through the
    workers' ``densan`` resource when they advertise one (``dask worker --resources
    densan=1``), and by never having more tasks in flight than the workers' slots."""
    name = "dask"

    def __init__(self, address: str, *, slots: int | None = None, timeout: float = 20):
        try:
            from distributed import Client
        except ImportError:
            raise DensanError("running on a cluster needs Dask distributed",
                              hint="pip install 'densan[cluster]'") from None
        self.address = address
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise DensanError(f"cannot reach the Dask scheduler at {address}: {exc}",
                              hint="start it (dask scheduler; dask worker tcp://HOST:8786) or check "
                                   "--cluster / DENSAN_CLUSTER") from None
        self.slots = slots or int(os.environ.get("DENSAN_CLUSTER_SLOTS") or 1)

    def _workers(self) -> dict:
        return self.client.scheduler_info(n_workers=-1).get("workers", {})

    def describe(self) -> list[str]:
        workers = self._workers()
        lines = [f"EXECUTOR dask {self.address}: {len(workers)} WORKERS, "
                 f"{self.slots} PARTITION(S) AT A TIME EACH"]
        for addr, w in sorted(workers.items()):
            mem = w.get("memory_limit") or 0
            lines.append(f"  WORKER {addr} THREADS {w.get('nthreads')} MEMORY LIMIT "
                         f"{mem / 2**20:,.0f} MB RESOURCES {w.get('resources') or {}}")
        return lines

    def run(self, tasks, work, *, on_done=None):
        from distributed import as_completed

        workers = self._workers()
        if not workers:
            raise DensanError(f"the Dask cluster at {self.address} has no workers",
                              hint="start one: dask worker " + self.address)
        with_resource = all("densan" in (w.get("resources") or {}) for w in workers.values())
        capacity = sum(min(self.slots, int(w.get("nthreads") or 1)) for w in workers.values())
        hold = os.environ.get(ENV_HOLD)
        pending = list(tasks)
        by_key = {t.key: t for t in tasks}
        results: dict[int, Done] = {}

        def submit(t: Task):
            return self.client.submit(attempt, str(work), t.key, hold, t.func, t.args,
                                      key=f"densan-{os.getpid()}-{t.key}-{time.time_ns()}", pure=False,
                                      retries=RETRIES,
                                      resources={"densan": 1} if with_resource else None)

        futures, live = {}, []
        while pending and len(futures) < max(1, capacity):
            t = pending.pop(0)
            f = submit(t)
            futures[f.key] = t
            live.append(f)
        running = as_completed(live, loop=self.client.loop)
        finished = 0
        try:
            for f in running:
                t = futures.pop(f.key)
                if f.status != "finished":
                    try:
                        f.result()
                        reason = f.status
                    except Exception as exc:   # noqa: BLE001 — the task's own error, reported
                        reason = f"{type(exc).__name__}: {exc}"
                    raise TaskFailed(key=t.key, reason=reason)
                value, who, elapsed = f.result()
                f.release()
                finished += 1
                done = Done(t.index, value, who, len(attempts_of(work, t.key)), elapsed)
                results[t.index] = done
                if on_done:
                    on_done(done, finished, len(by_key))
                if pending:
                    nt = pending.pop(0)
                    nf = submit(nt)
                    futures[nf.key] = nt
                    running.add(nf)
        finally:
            for f in list(running.futures):
                f.cancel()
        return [results[t.index] for t in tasks]

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:   # noqa: BLE001 — closing a client to a dead scheduler
            pass


def executor_for(address: str | None) -> Executor:
    """LocalExecutor when no cluster is given, else a DaskExecutor connected to it."""
    return LocalExecutor() if address is None else DaskExecutor(address)
