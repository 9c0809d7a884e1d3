"""A run's outputs as the catalog knows them: its SYSOUT files (reports, home/logs/RUN/
STEP.DD.txt, or .pdf/.png… as the DD says) and the datasets it catalogued (step_dds + datasets.created_run), each named
STEP.DD. A download names one of these; the name is looked up, never joined into a path,
so no name can reach another file."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.job.catalog import Catalog
from engine.job.sysout import sysout_files
from engine.server.access import NotFound

NAME_RE = re.compile(r"^[A-Za-z0-9#@$_-]{1,32}\.[A-Za-z0-9#@$_-]{1,32}$")


@dataclass
class Output:
    name: str            # STEP.DD
    kind: str            # sysout | dataset
    path: Path
    size: int
    dsn: str | None = None
    records: int | None = None
    suffix: str = "dat"  # the downloaded file's suffix: a SYSOUT file's own, .dat for a dataset


_MEDIA = {"txt": "text/plain; charset=utf-8", "csv": "text/csv; charset=utf-8", "pdf": "application/pdf",
          "png": "image/png", "svg": "image/svg+xml", "html": "text/html; charset=utf-8"}


def media_type(suffix: str) -> str:
    """What a download is, for the browser: reports as text, documents as themselves."""
    return _MEDIA.get(suffix, "application/octet-stream")


def _document_suffix(path: Path) -> str:
    """A catalogued dataset has no suffix: a PDF or PNG one (the tax notices) is known by its
    first bytes, so that it downloads as what it is; records download as .dat."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return "dat"
    return "pdf" if head.startswith(b"%PDF-") else "png" if head == b"\x89PNG\r\n\x1a\n" else "dat"


def list_outputs(home: Path, run_id: str, only: list[str] | None = None) -> list[Output]:
    cat = Catalog(home)
    try:
        out: list[Output] = []
        for f in sysout_files(cat.logs_dir / run_id):
            out.append(Output(f.name.upper(), "sysout", f.path, f.path.stat().st_size, suffix=f.suffix))
        rows = cat.db.execute(
            "SELECT d.step, d.dd, d.dsn, s.path, s.size, s.records FROM step_dds d JOIN datasets s "
            "ON s.dsn = d.dsn AND s.created_run = d.run_id WHERE d.run_id = ? AND d.records_written > 0",
            (run_id,)).fetchall()
        for r in rows:
            p = Path(r["path"])
            if p.is_file():
                out.append(Output(f"{r['step']}.{r['dd']}".upper(), "dataset", p, r["size"] or p.stat().st_size,
                                  r["dsn"], r["records"], suffix=_document_suffix(p)))
    finally:
        cat.close()
    if only:
        out = [o for o in out if o.name in only]
    return out


def find_output(home: Path, run_id: str, name: str, only: list[str] | None = None) -> Output:
    if not NAME_RE.match(name or ""):
        raise NotFound(f"no output {name!r}")
    for o in list_outputs(home, run_id, only):
        if o.name == name.upper():
            home_real = Path(home).resolve()
            if home_real not in o.path.resolve().parents:
                raise NotFound(f"no output {name!r}")
            return o
    raise NotFound(f"run {run_id} has no output {name!r}")
