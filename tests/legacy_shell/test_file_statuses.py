"""The engine's legacy shell in the migrated jobs against GnuCOBOL running the legacy
programs on their samples: an output that is a directory (OPEN 37), an input that is
one (READ 30), a full device (WRITE 34), a file that refuses writes with an I/O error
(WRITE 30). Same return code, same REPORT bytes, the status in the report, and the
job log's lines as the legacy DISPLAYs them on SYSERR."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import LEGACY, requires_cobc

pytestmark = requires_cobc


def _entai01(dds, parm):
    from jobs.collection.entai01 import entai01
    return entai01(**{k.lower().replace("-", "_"): v for k, v in dds.items()}, parm=parm)


def _kotei01(dds, parm):
    from jobs.tax.kotei01 import assess
    return assess(**{k.lower().replace("-", "_"): v for k, v in dds.items()}, parm=parm)


def _suido01(dds, parm):
    from jobs.water.suido01 import bill
    return bill(dict(dds), parm)


def _shuno01(dds, parm):
    from jobs.collection.shuno01 import post
    return post(**{k.lower().replace("-", "_"): v for k, v in dds.items()}, parm=parm)


def _juki01(dds, parm):
    from types import SimpleNamespace
    from engine.job.step import DD, StepContext
    from jobs.residents.juki01 import run
    step_dds = {name: DD(name, paths=[path]) if name.endswith("-IN") else DD(name, out_path=path, is_output=True)
                for name, path in dds.items()}
    log: list[str] = []
    ctx = StepContext(job_name="T", step_name="UPDATE", program="JUKI01", parm=parm, params={}, run_id="t",
                      dds=step_dds, log=log.append)
    return SimpleNamespace(rc=run(ctx), messages=[m.removeprefix("UPDATE: ") for m in log])


JOBS = {   # program: (densan, inputs -> sample file, outputs, PARM)
    "ENTAI01": (_entai01, {"MASTER-IN": "master-in.dat", "RATE-IN": "rate-in.dat"},
                ("MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT", "REPORT"), "20260131,0100"),
    "KOTEI01": (_kotei01, {"LAND-IN": "land-in.dat", "HOUSE-IN": "house-in.dat", "NOKI-IN": "noki-in.dat"},
                ("CHOTEI-OUT", "NOTICE-OUT", "ERROR-OUT", "REPORT"), "202520250401"),
    "SUIDO01": (_suido01, {"CUST-IN": "cust-in.dat", "READ-IN": "read-in.dat", "TARIFF-IN": "tariff-in.dat"},
                ("CUST-OUT", "CHOTEI-OUT", "BILL-OUT", "ERROR-OUT", "REPORT"), "20252025062025061020250630"),
    "SHUNO01": (_shuno01, {"MASTER-IN": "master-in.dat", "TRAN-IN": "tran-in.dat"},
                ("MASTER-OUT", "ERROR-OUT", "REPORT"), "20250131"),
    "JUKI01": (_juki01, {"RES-IN": "res-in.dat", "MOVE-IN": "move-in.dat"},
               ("RES-OUT", "ERROR-OUT", "LIST-OUT", "REPORT"), "20250131"),
}
CASES = [
    ("ENTAI01", "MASTER-OUT", "dir", b"OPEN ERROR ON DD MASTER-OUT, FILE STATUS 37"),
    ("ENTAI01", "MASTER-IN", "dir", b"READ ERROR ON DD MASTER-IN AT RECORD 1, FILE STATUS 30"),
    ("ENTAI01", "RATE-IN", "dir", b"READ ERROR ON DD RATE-IN AT RECORD 1, FILE STATUS 30"),
    ("ENTAI01", "ERROR-OUT", "/dev/full", b"WRITE ERROR ON DD ERROR-OUT, FILE STATUS 34"),
    ("ENTAI01", "MASTER-OUT", "/proc/version", b"WRITE ERROR ON DD MASTER-OUT, FILE STATUS 30"),
    ("KOTEI01", "NOTICE-OUT", "dir", b"OPEN ERROR ON DD NOTICE-OUT, FILE STATUS 37"),
    ("KOTEI01", "REPORT", "dir", None),
    ("KOTEI01", "NOKI-IN", "dir", b"READ ERROR ON DD NOKI-IN AT RECORD 1, FILE STATUS 30"),
    ("KOTEI01", "HOUSE-IN", "missing", b"OPEN ERROR ON DD HOUSE-IN, FILE STATUS 35"),
    ("SUIDO01", "BILL-OUT", "dir", b"OPEN ERROR ON DD BILL-OUT, FILE STATUS 37"),
    ("SUIDO01", "READ-IN", "dir", None),
    ("SUIDO01", "CUST-OUT", "/dev/full", b"WRITE ERROR ON DD CUST-OUT, FILE STATUS 34"),
    ("SHUNO01", "MASTER-OUT", "dir", b"OPEN ERROR ON DD MASTER-OUT, FILE STATUS 37"),
    ("SHUNO01", "TRAN-IN", "dir", b"READ ERROR ON DD TRAN-IN AT RECORD 1, FILE STATUS 30"),
    ("SHUNO01", "ERROR-OUT", "/dev/full", None),
    ("JUKI01", "MOVE-IN", "missing", b"OPEN ERROR ON DD MOVE-IN, FILE STATUS 35"),
    ("JUKI01", "RES-IN", "dir", b"READ ERROR ON DD RES-IN AT RECORD 1, FILE STATUS 30"),
    ("JUKI01", "MOVE-IN", "dir", b"READ ERROR ON DD MOVE-IN AT RECORD 1, FILE STATUS 30"),
    ("JUKI01", "LIST-OUT", "dir", b"OPEN ERROR ON DD LIST-OUT, FILE STATUS 37"),
    ("JUKI01", "REPORT", "dir", None),
    ("JUKI01", "ERROR-OUT", "/dev/full", b"WRITE ERROR ON DD ERROR-OUT, FILE STATUS 34"),
]


@pytest.mark.parametrize("program, dd, where, message", CASES)
def test_file_statuses_as_gnucobol_gives_them(tmp_path, program, dd, where, message):
    from engine.migration.legacy import run_legacy
    densan, inputs, outputs, parm = JOBS[program]
    if where.startswith("/") and not os.access(where, os.W_OK):
        pytest.skip(f"needs {where} writable")
    (tmp_path / "dir").mkdir()
    got = []
    for side in ("legacy", "densan"):
        dds = {**{d: LEGACY / "samples" / program / name for d, name in inputs.items()},
               **{d: tmp_path / f"{side}.{d}" for d in outputs}}
        dds[dd] = {"dir": tmp_path / "dir", "missing": tmp_path / "missing"}.get(where, Path(where))
        if side == "legacy":
            res = run_legacy(program, dds, parm, legacy_dir=LEGACY)
            rc, log = res.rc, res.stderr.splitlines()
        else:
            res = densan(dds, parm)
            rc, log = res.rc, res.messages
        report = dds["REPORT"]
        got.append((rc, report.read_bytes() if report.is_file() else None, log))
    assert got[0] == got[1]
    assert got[0][0] == 16
    if message is not None:
        assert message in got[0][1].splitlines()
