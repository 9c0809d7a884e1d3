"""The legacy shell's file statuses against GnuCOBOL running ENTAI01: an output that is a
directory (OPEN 37), an input that is one (READ 30), a device that is full (WRITE 34), a
file that refuses writes with an I/O error (WRITE 30). Same RC and REPORT bytes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import LEGACY, requires_cobc

pytestmark = requires_cobc
OUTPUTS = ("MASTER-OUT", "NOTICE-OUT", "ENTAI-OUT", "ERROR-OUT", "REPORT")


def _both(tmp_path: Path, **over) -> list[bytes]:
    from engine.migration.legacy import run_legacy
    from jobs.collection.entai01 import entai01
    (tmp_path / "dir").mkdir(exist_ok=True)
    reports = []
    for side in ("legacy", "densan"):
        dds = {"MASTER-IN": LEGACY / "samples/ENTAI01/master-in.dat",
               "RATE-IN": LEGACY / "samples/ENTAI01/rate-in.dat",
               **{dd: tmp_path / f"{side}.{dd}" for dd in OUTPUTS}}
        dds.update({dd: tmp_path / v if v == "dir" else Path(v) for dd, v in over.items()})
        if side == "legacy":
            rc = run_legacy("ENTAI01", dds, "20260131,0100", legacy_dir=LEGACY).rc
        else:
            rc = entai01(**{k.lower().replace("-", "_"): v for k, v in dds.items()}, parm="20260131,0100").rc
        reports.append((rc, dds["REPORT"].read_bytes()))
    assert reports[0] == reports[1]
    assert reports[0][0] == 16
    return reports[0][1].splitlines()


@pytest.mark.parametrize("over, message", [
    ({"MASTER-OUT": "dir"}, b"OPEN ERROR ON DD MASTER-OUT, FILE STATUS 37"),
    ({"MASTER-IN": "dir"}, b"READ ERROR ON DD MASTER-IN AT RECORD 1, FILE STATUS 30"),
    ({"RATE-IN": "dir"}, b"READ ERROR ON DD RATE-IN AT RECORD 1, FILE STATUS 30"),
    ({"ERROR-OUT": "/dev/full"}, b"WRITE ERROR ON DD ERROR-OUT, FILE STATUS 34"),
    ({"MASTER-OUT": "/proc/version"}, b"WRITE ERROR ON DD MASTER-OUT, FILE STATUS 30"),
])
def test_file_statuses_as_gnucobol_gives_them(tmp_path, over, message):
    for path in over.values():
        if path.startswith("/") and not os.access(path, os.W_OK):
            pytest.skip(f"needs {path} writable")
    assert message in _both(tmp_path, **over)
