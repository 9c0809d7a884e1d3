"""Where densan finds its things: the densan home (catalog, datasets, run logs),
the copybook library and the job library. Each can be set by environment
variable; the defaults suit a checkout of the project."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _paths(env: str, default: list[Path]) -> list[Path]:
    value = os.environ.get(env)
    if value:
        return [Path(p) for p in value.split(os.pathsep) if p]
    return default


def densan_home() -> Path:
    """DENSAN_HOME, else ./.densan in the current directory."""
    return Path(os.environ.get("DENSAN_HOME") or Path.cwd() / ".densan")


def copybook_path() -> list[Path]:
    """DENSAN_COPYLIB (os.pathsep-separated), else ./copybooks and the project's copybooks/."""
    return _paths("DENSAN_COPYLIB", _unique([Path.cwd() / "copybooks", PROJECT_ROOT / "copybooks"]))


def job_path() -> list[Path]:
    """DENSAN_JOBS (os.pathsep-separated), else ./jobs and the project's jobs/."""
    return _paths("DENSAN_JOBS", _unique([Path.cwd() / "jobs", PROJECT_ROOT / "jobs"]))


def _unique(paths: list[Path]) -> list[Path]:
    seen, out = set(), []
    for p in paths:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
