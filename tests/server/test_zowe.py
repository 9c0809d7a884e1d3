"""The real Zowe CLI (npm @zowe/cli, installed by .ci/run) against densan's z/OSMF jobs
subset on loopback: list, submit and wait, status, spool files, view, download, cancel."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.server.conftest import PASSWORD

ZOWE = shutil.which("zowe")
pytestmark = pytest.mark.skipif(ZOWE is None, reason="the Zowe CLI is not installed (npm install -g @zowe/cli)")


def zowe(console, tmp_path, *args: str, user: str = "oper1") -> dict:
    env = dict(os.environ, ZOWE_CLI_HOME=str(tmp_path / "zowe-home"), FORCE_COLOR="0")
    cmd = [ZOWE, *args, "--host", "127.0.0.1", "--port", str(console.port), "--user", user, "--password", PASSWORD,
           "--protocol", "http", "--reject-unauthorized", "false", "--rfj"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path)
    return json.loads(out.stdout)


def test_zowe_cli_drives_densan(console, tmp_path):
    jcl = tmp_path / "ztax.jcl"
    jcl.write_text("//ZTAXLIST JOB (ACCT),'OPER'\n// SET DISTRICT=061\n")
    sub = zowe(console, tmp_path, "zos-jobs", "submit", "local-file", str(jcl), "--wait-for-output")
    assert sub["success"], sub
    job = sub["data"]
    assert (job["jobname"], job["status"], job["retcode"], job["owner"]) == ("ZTAXLIST", "OUTPUT", "CC 0000", "OPER1")
    jobid = job["jobid"]
    listed = zowe(console, tmp_path, "zos-jobs", "list", "jobs", "--owner", "*", "--prefix", "ZTAX*")
    assert jobid in [j["jobid"] for j in listed["data"]]
    files = zowe(console, tmp_path, "zos-jobs", "list", "spool-files-by-jobid", jobid)
    assert [f["ddname"] for f in files["data"]] == ["JESMSGLG", "JESJCL", "REPORT"]
    report = zowe(console, tmp_path, "zos-jobs", "view", "spool-file-by-id", jobid, "3")
    assert "地区 061" in report["data"] and "12********" in report["data"]       # the operator: masked
    out = zowe(console, tmp_path, "zos-jobs", "download", "output", jobid, "-d", str(tmp_path / "out"))
    assert out["success"]
    assert "STARTED" in (tmp_path / "out" / jobid / "JES2" / "JESMSGLG.txt").read_text()
    # a 水道課 user sees nothing of it
    water = zowe(console, tmp_path, "zos-jobs", "view", "job-status-by-jobid", jobid, user="suido1")
    assert not water["success"]
