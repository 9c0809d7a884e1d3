"""SYSOUT files: what a step prints to a `sysout:` DD lands in the run's log folder as
STEP.DD.<suffix>. Reports are text (.txt, the default); a DD may say `suffix: pdf` (or png,
csv…) for a document a section downloads, so that it is not served as text. One place names
and lists them, for the job log, the console and the z/OSMF spool."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SUFFIX = "txt"
SUFFIX_RE = re.compile(r"^[a-z0-9]{1,8}$")
TEXT_SUFFIXES = {"txt", "csv"}
_NAME_RE = re.compile(r"^([A-Za-z#@$][A-Za-z0-9#@$_-]*)\.([A-Za-z#@$][A-Za-z0-9#@$_-]*)\.([a-z0-9]{1,8})$")


@dataclass(frozen=True)
class SysoutFile:
    step: str
    dd: str
    suffix: str
    path: Path

    @property
    def name(self) -> str:          # STEP.DD, as a run's outputs are named
        return f"{self.step}.{self.dd}"

    @property
    def is_text(self) -> bool:
        return self.suffix in TEXT_SUFFIXES


def sysout_path(run_dir: Path, step: str, dd: str, suffix: str | None) -> Path:
    return run_dir / f"{step}.{dd}.{suffix or DEFAULT_SUFFIX}"


def sysout_files(run_dir: Path) -> list[SysoutFile]:
    """The SYSOUT files of one run, in name order (nothing else in the folder is listed)."""
    if not run_dir.is_dir():
        return []
    out = []
    for f in sorted(run_dir.iterdir()):
        m = _NAME_RE.match(f.name)
        if m and f.is_file():
            out.append(SysoutFile(m.group(1), m.group(2), m.group(3), f))
    return out
