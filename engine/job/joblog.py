"""The job log an operator reads, like a JES log: one timestamped line per event, written
to home/logs/<run>.log as it happens (flushed, so a killed run still leaves its log) and
echoed to the terminal."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable


class JobLog:
    def __init__(self, path: Path, echo: Callable[[str], None] | None = None):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(path, "a", encoding="utf-8")
        self.echo = echo

    def __call__(self, message: str) -> None:
        for text in str(message).splitlines() or [""]:
            line = f"{time.strftime('%H:%M:%S')} {text}"
            self._fh.write(line + "\n")
            self._fh.flush()
            if self.echo is not None:
                self.echo(line)

    def close(self) -> None:
        self._fh.close()


def format_step_end(step: str, program: str, rc: int | None, abend: str | None, records_in: int,
                    records_out: int, cpu: float, elapsed: float) -> str:
    """STEP POST PGM=jobs.collection.shuno01 RC=0004 IN=29 OUT=52 CPU 0.12s ELAPSED 0.20s"""
    code = f"ABEND={abend}" if abend else f"RC={rc:04d}"
    return (f"STEP {step} PGM={program} {code} IN={records_in} OUT={records_out} "
            f"CPU {cpu:.2f}s ELAPSED {elapsed:.2f}s")
