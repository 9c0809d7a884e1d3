"""Exclusive and shared use of datasets between jobs: fcntl.flock on home/locks/<name>.lock.

Locks die with the process (kill -9 included), and a job takes all of its locks at start in
sorted name order, as the host allocates, so two jobs cannot deadlock. While it waits the job
says, every few seconds, which job holds the dataset."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import Callable


class DatasetLocks:
    def __init__(self, locks_dir: Path, holder: str, *, say: Callable[[str], None], interval: float = 3.0):
        self.dir = locks_dir
        self.holder = holder            # "job SHUNOD run J0000042 pid 123"
        self.say = say
        self.interval = interval
        self.held: list[tuple[str, int]] = []

    def _file(self, name: str) -> Path:
        safe = name.replace("/", "_")
        return self.dir / f"{safe}.lock"

    def acquire(self, wanted: dict[str, bool]) -> float:
        """wanted: name -> exclusive? Returns the seconds spent waiting."""
        waited = 0.0
        for name in sorted(wanted):
            exclusive = wanted[name]
            fd = os.open(self._file(name), os.O_RDWR | os.O_CREAT, 0o644)
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            start = time.monotonic()
            last = None
            while True:
                try:
                    fcntl.flock(fd, mode | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    t = time.monotonic()
                    if last is None or t - last >= self.interval:
                        who = _holder(fd) or "another job"
                        self.say(f"WAITING FOR {name} ({'EXCLUSIVE' if exclusive else 'SHARED'}) "
                                 f"HELD BY {who}")
                        last = t
                    time.sleep(0.1)
            waited += time.monotonic() - start
            if last is not None:
                self.say(f"{name} ALLOCATED AFTER WAITING {time.monotonic() - start:.1f}s")
            os.ftruncate(fd, 0)                 # who holds it, for those who wait
            os.pwrite(fd, self.holder.encode(), 0)
            self.held.append((name, fd))
        return waited

    def release(self) -> None:
        for _, fd in reversed(self.held):
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        self.held.clear()


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
