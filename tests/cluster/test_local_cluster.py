"""SHUNO01, SORT and convert on a LocalCluster of two worker processes: the same bytes
as the local run; the catalog holds the partitions; a restart reruns only what did not
finish."""
from __future__ import annotations

import sqlite3

import pytest

from engine.job.runner import run_job
from engine.job.step import DD, StepContext
from tests.cluster.helpers import SHUNO_DDS, city_files, densan, last_log, same_files, shuno_args


@pytest.fixture
def small_partitions(monkeypatch):
    monkeypatch.setenv("DENSAN_PARTITION_MB", "0.3")
    monkeypatch.delenv("DENSAN_CLUSTER", raising=False)


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    return city_files(tmp_path_factory.mktemp("city"))


def _shuno(master, tran, date, out, home, cluster=None):
    dds = {"MASTER-IN": master, "TRAN-IN": tran, **{n: out / n for n in SHUNO_DDS}}
    out.mkdir(parents=True, exist_ok=True)
    return run_job("SHUNO01", dd=[f"{k}={v}" for k, v in dds.items()], parm=date, home=home, cluster=cluster)


def test_shuno01_by_key_range_equals_the_local_run(local_cluster, city, tmp_path, small_partitions):
    master, tran, date = city
    local = _shuno(master, tran, date, tmp_path / "local", tmp_path / "home-local")
    dist = _shuno(master, tran, date, tmp_path / "dask", tmp_path / "home-dask", cluster=local_cluster)
    assert (dist.max_rc, dist.status) == (local.max_rc, local.status) == (4, "COMPLETED")
    same_files(tmp_path / "local", tmp_path / "dask", SHUNO_DDS)
    log = last_log(tmp_path / "home-dask")
    assert "PARTITIONED ON DASK" in log and "POST PARTITION 4/" in log
    db = sqlite3.connect(tmp_path / "home-dask" / "catalog.db")
    parts = db.execute("SELECT status, worker FROM step_partitions WHERE run_id = ? AND step = 'POST'",
                       (dist.run_id,)).fetchall()
    steps = db.execute("SELECT COUNT(*) FROM steps WHERE run_id = ?", (dist.run_id,)).fetchone()[0]
    assert steps == 1 and len(parts) >= 4 and {p[0] for p in parts} == {"ENDED"}
    assert not list((tmp_path / "home-dask" / "cluster").iterdir())     # nothing kept once complete


def test_shuno01_sequence_error_runs_locally_with_the_same_abend(local_cluster, city, tmp_path,
                                                                   small_partitions):
    master, tran, date = city
    bad = tmp_path / "tran-bad.dat"
    data = bytearray(tran.read_bytes())
    data[60 * 2000:60 * 2001], data[60 * 3000:60 * 3001] = data[60 * 3000:60 * 3001], data[60 * 2000:60 * 2001]
    bad.write_bytes(bytes(data))
    local = _shuno(master, bad, date, tmp_path / "local", tmp_path / "home-local")
    dist = _shuno(master, bad, date, tmp_path / "dask", tmp_path / "home-dask", cluster=local_cluster)
    assert dist.max_rc == local.max_rc == 16
    assert (tmp_path / "local" / "REPORT").read_bytes() == (tmp_path / "dask" / "REPORT").read_bytes()
    assert "RUN LOCALLY" in last_log(tmp_path / "home-dask")
    assert not (tmp_path / "dask" / "MASTER-OUT").exists()


def test_restart_reruns_only_the_unfinished_partitions(local_cluster, city, tmp_path, small_partitions):
    master, tran, date = city
    home = tmp_path / "home"
    first = densan(shuno_args(master, tran, tmp_path / "dask", date) + ["--cluster", local_cluster], home,
                   DENSAN_PARTITION_MB="0.3", DENSAN_CRASH_AT="partition-ended:POST-1")
    assert first.returncode == -9                    # the driver died after partition 1 was recorded
    assert not (tmp_path / "dask" / "MASTER-OUT").exists()
    again = densan(shuno_args(master, tran, tmp_path / "dask", date) + ["--cluster", local_cluster,
                                                                       "--restart", "POST"], home,
                   DENSAN_PARTITION_MB="0.3")
    assert again.returncode == 4, again.stderr
    log = last_log(home)
    assert "REUSED FROM AN EARLIER RUN" in log
    db = sqlite3.connect(home / "catalog.db")
    run = db.execute("SELECT run_id FROM runs ORDER BY run_no DESC LIMIT 1").fetchone()[0]
    statuses = [r[0] for r in db.execute("SELECT status FROM step_partitions WHERE run_id = ?", (run,))]
    assert "REUSED" in statuses and "ENDED" in statuses
    _shuno(master, tran, date, tmp_path / "local", tmp_path / "home-local")
    same_files(tmp_path / "local", tmp_path / "dask", SHUNO_DDS)


SORTS = {
    "sum": " SORT FIELDS=(7,3,CH,A)\n INCLUDE COND=(76,1,CH,NE,C'3')\n SUM FIELDS=(37,6,PD)\n"
           " OUTREC FIELDS=(1,18,37,6,76,1)\n",
    "outfil": " SORT FIELDS=(7,2,CH,D,60,8,CH,A)\n OUTFIL FNAMES=PAID,INCLUDE=(76,1,CH,EQ,C'2')\n"
              " OUTFIL FNAMES=REST,SAVE\n",
    "copy": " SORT FIELDS=COPY\n OMIT COND=(76,1,CH,EQ,C'0')\n",
    "heavy-key": " SORT FIELDS=(76,1,CH,A)\n",      # a few keys over every bucket, EQUALS order kept
}


def _sort_step(tmp_path, tag, text, master, outputs, home):
    log = []
    dds = {"SYSIN": DD("SYSIN", inline=text),
           "SORTIN": DD("SORTIN", paths=[master], recfm="FB", lrecl=100)}
    for name in outputs:
        dds[name] = DD(name, out_path=tmp_path / f"{tag}.{name}", is_output=True)
    return StepContext(job_name="J", step_name="S1", program="SORT", parm="", params={}, run_id="R1",
                       dds=dds, log=log.append, home=home), log


@pytest.mark.parametrize("name", sorted(SORTS))
def test_sort_statements_by_sample_sort_equal_the_local_sort(local_cluster, city, tmp_path, name,
                                                            small_partitions):
    from engine.cluster.executor import DaskExecutor
    from engine.sort.program import run, run_partitioned
    master = city[0]
    outputs = ["PAID", "REST"] if name == "outfil" else ["SORTOUT"]
    step, _ = _sort_step(tmp_path, "local", SORTS[name], master, outputs, tmp_path / "h")
    rc_local = run(step)
    dstep, log = _sort_step(tmp_path, "dask", SORTS[name], master, outputs, tmp_path / "h")
    with DaskExecutor(local_cluster) as ex:
        rc = run_partitioned(dstep, ex)
    assert rc == rc_local
    assert not any("RUN LOCALLY" in line for line in log)
    assert any("SORT PARTITION" in line or "COPY PARTITION" in line for line in log)
    for out in outputs:
        local_bytes = (tmp_path / f"local.{out}").read_bytes()
        assert local_bytes and (tmp_path / f"dask.{out}").read_bytes() == local_bytes, out
        assert dstep.dd(out).records_written == step.dd(out).records_written


def test_convert_by_record_ranges_equals_the_local_convert(local_cluster, city, tmp_path, small_partitions):
    from engine.cluster.convert import convert_on_cluster
    from engine.cluster.executor import DaskExecutor
    from engine.commands.convert import run_convert
    master = city[0]
    cases = {".csv": {}, ".dat": {"to_encoding": "cp930", "to_dialect": "ibm"}}
    log = []
    with DaskExecutor(local_cluster) as ex:
        for suffix, extra in cases.items():
            options = dict(copybook="SHUNOMST", **extra)
            local = run_convert(master, tmp_path / f"local{suffix}", progress=False, **options)
            dist = convert_on_cluster(master, tmp_path / f"dask{suffix}", executor=ex, home=tmp_path / "h",
                                      log=log.append, **options)
            assert (dist["in"], dist["out"]) == (local["in"], local["out"]) == (12_000, 12_000)
            assert (tmp_path / f"dask{suffix}").read_bytes() == (tmp_path / f"local{suffix}").read_bytes()
    assert any(line.startswith("  CONVERT PARTITION 4/") for line in log)


def test_cluster_status_shows_the_workers(local_cluster, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from engine.commands.cluster import cluster
    monkeypatch.setenv("DENSAN_HOME", str(tmp_path / "h"))
    r = CliRunner().invoke(cluster, ["status", "--cluster", local_cluster])
    assert r.exit_code == 0, r.output
    assert "WORKERS 2" in r.output and r.output.count("tcp://127.0.0.1:") >= 3
