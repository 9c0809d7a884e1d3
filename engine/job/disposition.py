"""The end of a step: dispositions (KEEP, DELETE, CATLG, UNCATLG, PASS) of every DD, the
catalog rows of new datasets, GDG roll-off and the step's history rows, all in ONE catalog
transaction; then the journalled renames and deletions (redone by recovery after a kill).

A mixin of JobRunner (engine.job.runner); see its docstring for the rules chosen."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.job import gdg as gdgmod
from engine.job.allocation import Alloc
from engine.job.catalog import FILEOP_FAILED, Dataset, dataset_info, now
from engine.job.crashpoints import crash_point
from engine.job.definition import DDDef, StepDef


@dataclass
class Changes:
    """What a step end will do, gathered before the one transaction that does it."""
    lines: list[str] = field(default_factory=list)                        # job log lines
    ops: list[tuple[str, Path, Path | None]] = field(default_factory=list)  # rename/delete, journalled
    puts: list[Dataset] = field(default_factory=list)                     # catalog rows to write
    uncat: list[str] = field(default_factory=list)                        # names to uncatalog
    drop_pending: list[Path] = field(default_factory=list)                # temporaries now settled
    new_pending: list[Path] = field(default_factory=list)                 # passed files to sweep on a kill
    after: list[Callable[[], None]] = field(default_factory=list)         # runner state, once done


class StepEnd:
    def _commit_step(self, seq, step, allocs, failed, started, rc, abend, cpu, elapsed) -> list[str]:
        """All dispositions of the step, its history rows and GDG roll-off in one transaction;
        then the journalled renames and deletions."""
        ch = Changes()
        for a in allocs:
            self._disposition(step, a, failed, ch)
        lines, ops, puts, uncat = ch.lines, ch.ops, ch.puts, ch.uncat
        drop_pending, new_pending, after = ch.drop_pending, ch.new_pending, ch.after
        crash_point("before-commit", step.name)
        with self.catalog.transaction() as db:
            for dsn in uncat:
                self.catalog.uncatalog(db, dsn)
            for ds in puts:
                self.catalog.put(db, ds)
            for ds in puts:
                if ds.gdg_base:
                    lines += self._roll_off(db, ds.gdg_base, [ds.generation], ops)
            for op, src, dst in ops:
                self.catalog.add_fileop(db, self.run_id, op, src, dst)
            for p in drop_pending:
                self.catalog.drop_pending(db, p)
            for p in new_pending:
                db.execute("INSERT OR REPLACE INTO pending (path, run_id) VALUES (?, ?)", (str(p), self.run_id))
            db.execute("INSERT INTO steps (run_id, seq, step, program, start, end, rc, abend, status, cpu, elapsed) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (self.run_id, seq, step.name, step.program, started, now(), rc, abend,
                        "ABEND" if abend else "FAILED" if failed else "ENDED", cpu, elapsed))
            for a in allocs:
                db.execute("INSERT INTO step_dds (run_id, step, dd, dsn, records_read, records_written) "
                           "VALUES (?,?,?,?,?,?)", (self.run_id, step.name, a.dd.name, a.dsn or
                                                   (str(a.final) if a.final else a.kind.upper()),
                                                   a.dd.records_read, a.dd.records_written))
        crash_point("after-commit", step.name)
        for m in self.catalog.do_fileops(self.run_id, crash=lambda p: crash_point(p, step.name)):
            if m.startswith(FILEOP_FAILED):
                lines.append(f"  WARNING: {m}")
        for f in after:
            f()
        crash_point("after-step", step.name)
        return lines

    def _disposition(self, step: StepDef, a: Alloc, failed: bool, ch: "Changes") -> None:
        dd, ddef = a.dd, a.ddef
        if ddef.encoding is None and dd.encoding != "ascii":      # the code page of the step's inputs:
            ddef = dataclasses.replace(ddef, encoding=dd.encoding, dialect=ddef.dialect or dd.dialect)   # passed on
        if a.kind in ("dummy", "sysout", "inline"):
            if a.kind == "sysout" and a.final is not None and a.final.exists():
                ch.lines.append(f"  SYSOUT {dd.name} CLASS={dd.sysout} {a.final}")
            return
        label = a.dsn or str(a.final)
        creating = a.status == "NEW" or (a.status == "MOD" and not a.exists)
        if not failed:
            disp = ddef.normal or ("PASS" if a.kind == "temp" and creating else
                                   "DELETE" if creating and a.kind != "path" else "KEEP")
        else:
            disp = ddef.abnormal or ("DELETE" if creating else "KEEP")
        temp = a.temp
        if a.kind == "path":                          # plain files: kept on a normal end, never catalogued
            if temp is None:
                return
            ch.drop_pending.append(temp)
            keep_new = (not failed and disp != "DELETE") or (failed and ddef.abnormal in ("KEEP", "CATLG"))
            if failed and ddef.print_file:      # SYSOUT survives a failed step (it says why)
                keep_new = True
            if keep_new and (a.status in ("NEW", "MOD") or dd.written):
                ch.ops.append(("rename", temp, a.final))
                ch.lines.append(f"  {label} " + ('WRITTEN' if not failed else 'KEPT (SYSOUT)' if ddef.print_file else 'KEPT (PARTIAL)'))
            else:
                ch.ops.append(("delete", temp, None))
                if creating or dd.written:
                    ch.lines.append(f"  {label} NOT WRITTEN (STEP {'FAILED' if failed else 'DISP DELETE'})")
            return
        if creating:
            ch.drop_pending.append(temp)
            if disp == "DELETE" or disp == "UNCATLG":
                ch.ops.append(("delete", temp, None))
                ch.lines.append(f"  {label} DELETED" + (" (STEP FAILED)" if failed else
                                                      "" if ddef.normal else " (NO NORMAL DISPOSITION GIVEN)"))
                return
            ch.ops.append(("rename", temp, a.final))
            if disp == "PASS":
                if a.kind == "temp":
                    ch.after.append(lambda: self.temps.__setitem__(a.dsn, (a.final, ddef)))
                else:
                    ch.new_pending.append(a.final)
                    ch.after.append(lambda: self.passed.__setitem__(a.dsn, (a.final, ddef)))
                ch.lines.append(f"  {label} PASSED")
                return
            if a.kind == "temp":
                ch.after.append(lambda: self.temps.__setitem__(a.dsn, (a.final, ddef)))
                ch.lines.append(f"  {label} KEPT UNTIL JOB END (TEMPORARY)")
                return
            ch.puts.append(self._dataset_row(step, a, temp))
            ch.lines.append(f"  {label} CATALOGED" + (" (PARTIAL, ABNORMAL DISPOSITION)" if failed else ""))
            return
        if a.members:                                 # a concatenation (a GDG base read whole)
            for name, path, catalogued in a.members:
                if disp == "DELETE":
                    ch.ops.append(("delete", path, None))
                if disp in ("DELETE", "UNCATLG") and catalogued:
                    ch.uncat.append(name)
                if disp in ("DELETE", "UNCATLG") or a.status == "OLD" or ddef.normal:
                    ch.lines.append(f"  {name} " + {"DELETE": "DELETED", "UNCATLG": "UNCATALOGED"}.get(disp, "KEPT"))
            return
        # an existing dataset: OLD / SHR / MOD
        if temp is not None:
            ch.drop_pending.append(temp)
            replace = not failed and disp != "DELETE" and (a.status == "MOD" or dd.written)
            if replace:
                ch.ops.append(("rename", temp, a.final))
            else:
                ch.ops.append(("delete", temp, None))
        else:
            replace = False
        passed_only = a.dsn in self.passed
        if disp == "DELETE":
            ch.ops.append(("delete", a.final, None))
            if a.catalogued:
                ch.uncat.append(a.dsn)
            elif a.kind == "temp":
                ch.after.append(lambda: self.temps.pop(a.dsn, None))
            elif passed_only:
                ch.drop_pending.append(a.final)
                ch.after.append(lambda: self.passed.pop(a.dsn, None))
            ch.lines.append(f"  {label} DELETED")
        elif disp == "UNCATLG":
            if a.catalogued:
                ch.uncat.append(a.dsn)
            ch.lines.append(f"  {label} UNCATALOGED")
        elif disp == "CATLG" and passed_only:
            ch.drop_pending.append(a.final)
            ch.after.append(lambda: self.passed.pop(a.dsn, None))
            src_def = self.passed[a.dsn][1]
            row = self._dataset_row(step, a, temp if replace else a.final, ddef=src_def)
            ch.puts.append(row)
            ch.lines.append(f"  {label} CATALOGED")
        elif replace:
            if a.catalogued:
                ds = self.catalog.get(a.dsn)
                size, records = dataset_info(temp, ds.recfm, ds.lrecl)
                ds.size, ds.records = size, records
                ch.puts.append(ds)
            ch.lines.append(f"  {label} {'EXTENDED' if a.status == 'MOD' else 'REWRITTEN'} AND KEPT")
        elif a.status in ("OLD", "MOD") or ddef.normal:
            ch.lines.append(f"  {label} KEPT")

    def _dataset_row(self, step: StepDef, a: Alloc, file: Path, ddef: DDDef | None = None) -> Dataset:
        ddef = ddef or a.ddef
        dd = a.dd
        lrecl = dd.lrecl
        if lrecl is None and dd.copybook and dd.recfm in ("F", "FB"):
            try:
                lrecl = dd._layout_lrecl()
            except Exception:   # noqa: BLE001 — the copybook layer may not be there; size still counts
                lrecl = None
        size = file.stat().st_size if file.exists() else 0
        records = dd.records_written if dd._counted_write or dd.records_written else dataset_info(file, dd.recfm, lrecl)[1]
        g = gdgmod.split_absolute(a.dsn)
        base = g[0] if g and self.catalog.gdg(g[0]) is not None else None
        return Dataset(dsn=a.dsn, path=a.final, copybook=dd.copybook, encoding=dd.encoding, recfm=dd.recfm,
                       lrecl=lrecl, dialect=dd.dialect, size=size, records=records, gdg_base=base,
                       generation=g[1] if base else None, created_job=self.job.name, created_step=step.name,
                       created_run=self.run_id, created_at=now())

    def _roll_off(self, db, base: str, new: list[int], ops) -> list[str]:
        lines = []
        g = self.catalog.gdg(base)
        for dsn, path, scratch in self.catalog.roll_off(db, base, new):
            if scratch:
                ops.append(("delete", path, None))
            lines.append(f"  {dsn} ROLLED OFF ({'SCRATCHED' if scratch else 'UNCATALOGED'}; GDG LIMIT {g.limit})")
        return lines

    def _abandon(self, step: StepDef) -> None:
        """Undo the temporaries of a step whose allocation failed."""
        rows = self.catalog.db.execute("SELECT path FROM pending WHERE run_id = ? AND path LIKE ?",
                                       (self.run_id, f"%.densan-tmp.{self.run_id}.{step.name}")).fetchall()
        for r in rows:
            Path(r["path"]).unlink(missing_ok=True)
            self.catalog.db.execute("DELETE FROM pending WHERE path = ?", (r["path"],))
