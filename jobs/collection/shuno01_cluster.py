"""SHUNO01 on a cluster, by key range.

MASTER-IN (sorted on SH-KEY) is cut at evenly spaced records, each cut moved to the
first record of its key; TRAN-IN (sorted on NT-KEY, NT-SHUNYU-BI, NT-RENBAN) is cut
at the same keys. Each key range runs the ordinary posting (`post_records`) on a
worker; MASTER-OUT and ERROR-OUT are the ranges' outputs concatenated in key order,
and the REPORT is built from the ranges' control totals summed (`combine_totals`),
so the run gives the local run's bytes.

Runs that end abnormally or depend on reading order across ranges run locally,
whole, and so give exactly the local RC, messages and outputs: a DD missing, a
concatenation or DUMMY input, an invalid PARM, a file that is not whole records, a
HIGH-VALUES key, a master not in strictly ascending key order or transactions out of
sequence (found at the cuts before the run, inside a range by its task), and control
totals near their S9(15) limit.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from engine.cluster import partition_bytes
from engine.cluster.executor import Task
from engine.cluster.ledger import Ledger, signature
from engine.cluster.partitioning import ByteRange, KeyedFile, concatenate, key_ranges
from engine.cluster.phases import PhaseRunner
from engine.program.legacy_shell import write_all
from jobs.collection import shuno01 as program

KEY_LEN = 18
SORT_KEY = ((0, 18), (19, 27), (47, 55))        # NT-KEY, NT-SHUNYU-BI, NT-RENBAN


def post_range(master: ByteRange, tran: ByteRange, parm: str, encoding: str, dialect: str | None,
               work: str, index: int) -> dict:
    """One key range on a worker: the posting, its two outputs as part files, its totals."""
    M = master.read_bytes()
    T = tran.read_bytes()
    result = program.post_records(M, T, parm, encoding=encoding, dialect=dialect,
                                  paths={"MASTER-IN": master.path, "TRAN-IN": tran.path})
    if result.rc >= 16:
        return {"rc": result.rc}
    keys = program.key_view(M.reshape(-1, program.MASTER_LEN), program.SH_KEY)
    ascending = bool((keys[1:] > keys[:-1]).all()) if len(keys) > 1 else True
    files = {}
    for name, data in (("MASTER-OUT", result.master_out), ("ERROR-OUT", result.error_out)):
        path = Path(work) / f"post-{index:05d}.{name}"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            write_all(fh, data)
        os.replace(tmp, path)
        files[name] = str(path)
    return {"rc": result.rc, "totals": result.totals, "files": files, "ascending": ascending}


def _why_local(step) -> str | None:
    for name in ("MASTER-IN", "TRAN-IN", "MASTER-OUT", "ERROR-OUT", "REPORT"):
        if not step.has_dd(name):
            return f"DD {name} is missing"
    for name in ("MASTER-IN", "TRAN-IN"):
        dd = step.dd(name)
        if dd.dummy or len(dd.paths) != 1 or not os.path.isfile(dd.paths[0]):
            return f"DD {name} is not one file"
    if step.dd("MASTER-OUT").append or step.dd("ERROR-OUT").append:
        return "an output is MOD"
    parm16 = ((step.parm or "")[:16]).ljust(16)
    if program._parse_parm(parm16) is None:
        return "the PARM is not a valid date"
    for name, lrecl in (("MASTER-IN", program.MASTER_LEN), ("TRAN-IN", program.TRAN_LEN)):
        size = os.path.getsize(step.dd(name).paths[0])
        if size % lrecl:
            return f"{name} is not whole {lrecl}-byte records"
        if size == 0:
            return f"{name} is empty"
    for name, lrecl in (("MASTER-IN", program.MASTER_LEN), ("TRAN-IN", program.TRAN_LEN)):
        path = step.dd(name).paths[0]
        with open(path, "rb") as fh:
            fh.seek(os.path.getsize(path) - lrecl)
            if fh.read(KEY_LEN) == program.HIGH_KEY:
                return f"{name} ends with a HIGH-VALUES key"
    try:
        if os.path.samefile(step.dd("MASTER-IN").paths[0], step.dd("MASTER-OUT").path):
            return "MASTER-OUT is MASTER-IN"
    except OSError:
        pass
    return None


def _cuts_in_order(ranges: list[list[ByteRange]]) -> bool:
    """Around each cut: the master key strictly rises, the transactions' sort key does not fall."""
    for prev, cur in zip(ranges, ranges[1:]):
        for r_prev, r_cur, lrecl, fields in ((prev[0], cur[0], program.MASTER_LEN, ((0, 18),)),
                                              (prev[1], cur[1], program.TRAN_LEN, SORT_KEY)):
            if r_prev.records == 0 or r_cur.records == 0:
                continue
            with open(r_cur.path, "rb") as fh:
                fh.seek(r_cur.start - lrecl)
                pair = fh.read(2 * lrecl)
            a, b = (b"".join(rec[s:e] for s, e in fields) for rec in (pair[:lrecl], pair[lrecl:]))
            if a > b or (lrecl == program.MASTER_LEN and a == b):
                return False
    return True


def run_by_key_range(step, executor) -> int:
    log = step.log
    why = _why_local(step)
    if why is None:
        mi, ti = step.dd("MASTER-IN"), step.dd("TRAN-IN")
        lead = KeyedFile(str(mi.paths[0]), program.MASTER_LEN, 0, KEY_LEN)
        tran = KeyedFile(str(ti.paths[0]), program.TRAN_LEN, 0, KEY_LEN)
        target = partition_bytes()
        bounds, ranges = key_ranges(lead, [tran], target)
        if not _cuts_in_order(ranges):
            why = "MASTER-IN or TRAN-IN is out of order at a cut"
    if why is not None:
        log(f"  RUN LOCALLY: {why} (the whole run, for the local run's RC and outputs)")
        return program.run(step)

    data_dd = step.dd("MASTER-IN")
    encoding = getattr(data_dd, "encoding", None) or "ascii"
    dialect = getattr(data_dd, "dialect", None)
    sig = signature(step.job_name, step.step_name, step.program, step.parm,
                    [lead.path, tran.path], {"partition_bytes": target})
    ledger = Ledger(step.home, step.run_id, step.step_name, sig)
    finished = False
    try:
        for line in executor.describe():
            log("  " + line)
        log(f"  KEY RANGES: {len(ranges)} (MASTER-IN {lead.records:,} RECORDS, TRAN-IN {tran.records:,})")
        tasks = [Task(p, f"post-{p:05d}", post_range,
                      (m, t, step.parm, encoding, dialect, str(ledger.work), p),
                      f"MASTER {m.describe()}, TRAN {t.describe()}")
                 for p, (m, t) in enumerate(ranges)]
        runner = PhaseRunner(executor, ledger, log)
        results = runner("POST", tasks)
        why = None
        if any(r["rc"] >= 16 for r in results):
            why = "a key range ended abnormally"
        elif not all(r["ascending"] for r in results):
            why = "MASTER-IN is not in strictly ascending key order"
        totals = None if why else program.combine_totals([r["totals"] for r in results])
        if why is None and totals is None:
            why = "a control total is near its S9(15) limit"
        if why is not None:
            log(f"  RUN LOCALLY: {why} (the whole run, for the local run's RC and outputs)")
            finished = True
            return program.run(step)
        mo, eo, rp = step.dd("MASTER-OUT"), step.dd("ERROR-OUT"), step.dd("REPORT")
        for dd in (mo, eo):
            Path(dd.path).unlink(missing_ok=True)
            concatenate([Path(r["files"][dd.name]) for r in results], Path(dd.path))
            dd.written = True
        rc = 4 if totals.rejected[6] else 0
        lines = program.report_lines(step.parm, totals, rc)
        charset = program.charset_for(encoding)
        report = program.PostingResult(rc, lines, None, None, [], totals)
        with open(rp.path, "wb") as fh:
            fh.write(report.report_bytes(charset))
        rp.written = True
        rp.count(written=len(lines))
        mi.count(read=totals.master_read)
        ti.count(read=totals.read[6])
        mo.count(written=totals.master_written)
        eo.count(written=totals.rejected[6])
        log(f"  {runner.partitions} KEY RANGES ENDED ({runner.reused} REUSED, {runner.retried} RETRIED); "
            f"MASTER-OUT AND ERROR-OUT CONCATENATED IN KEY ORDER; REPORT FROM THE SUMMED TOTALS")
        log(f"{program.PROGRAM} MASTER READ {totals.master_read}, UPDATED {totals.master_updated}, "
            f"WRITTEN {totals.master_written}; TRANSACTIONS READ {totals.read[6]}, "
            f"POSTED {totals.posted[6]}, REJECTED {totals.rejected[6]}; RC {rc}")
        finished = True
        return rc
    finally:
        ledger.close(finished=finished)
