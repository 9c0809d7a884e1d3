"""DD allocation for one job step: which files each DD reads, where an output is written
(a temporary beside its final place, registered for sweeping), the implicit DISP status,
and the attributes a DD inherits from the catalog or from the DD that created its dataset.

A mixin of JobRunner (engine.job.runner), whose state it uses: the catalog, params, the GDG
resolution, && temporaries, passed datasets, --dd redirects, the job log."""
from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from engine.errors import DensanError, JobDefinitionError
from engine.job import gdg as gdgmod
from engine.job.catalog import Dataset, dataset_info
from engine.job.definition import DDDef, StepDef, substitute
from engine.job.step import DD
from engine.job.sysout import sysout_path


@dataclass
class Alloc:
    """One DD of the running step, with what to do with it at step end."""
    dd: DD
    ddef: DDDef
    kind: str                    # dsn temp path dummy sysout inline
    status: str                  # NEW OLD SHR MOD
    dsn: str | None = None       # resolved (absolute) name
    final: Path | None = None    # where an output ends up
    temp: Path | None = None     # the temporary the program writes
    exists: bool = False         # the dataset existed before the step
    catalogued: bool = False
    members: list[tuple[str, Path, bool]] | None = None   # a concatenation of datasets: (name, file,
                                                           # catalogued) each, for DISP DELETE/UNCATLG


class Allocation:
    def _allocate(self, step: StepDef) -> list[Alloc]:
        allocs = []
        for ddef in step.dd.values():
            where = f"step {step.name}: dd {ddef.name}"
            alloc = self._alloc_one(step, ddef, where)
            allocs.append(alloc)
            self._log_alloc(alloc)
        _check_no_file_twice(step, allocs)
        _inherit_code_page(allocs)
        for a in allocs:
            if a.ddef.like:
                self._like(a, step)
        return allocs

    def _like(self, a: Alloc, step: StepDef) -> None:
        """LIKE=: a dataset the step creates takes the code page and dialect of a model
        dataset (the DD's own encoding:/dialect: win; a model not catalogued is logged and
        the step's inputs give the code page, as without like:). KONBINI1 writes the city's payments in
        the collection master's code page, whatever code page the agent's file is in."""
        where = f"step {step.name}: dd {a.dd.name}: like"
        name = gdgmod.normalize(substitute(a.ddef.like, self.params, where))
        _, src = self._lookup(self.gdg_map.get(name, name))
        if not isinstance(src, Dataset):      # a preference: the code page of the step's inputs then
            self.log(f"  LIKE {name} FOR {a.dd.name}: NOT CATALOGUED; CODE PAGE OF THE STEP'S INPUTS")
            return
        if a.ddef.encoding is None and src.encoding:
            a.dd.encoding = src.encoding
        if a.ddef.dialect is None:
            a.dd.dialect = src.dialect

    def _log_alloc(self, a: Alloc) -> None:
        dd = a.dd
        if a.kind == "dummy":
            what = "DUMMY"
        elif a.kind == "sysout":
            what = f"SYSOUT={dd.sysout} {dd.path}"
        elif a.kind == "inline":
            what = f"INLINE DATA ({len((dd.inline or '').splitlines())} lines)"
        elif dd.paths and not a.temp:
            what = " + ".join(f"{a.dsn or ''} {p}".strip() if len(dd.paths) == 1 else str(p) for p in dd.paths)
            if a.members and a.dsn:
                what = f"(CONCATENATION OF {len(a.members)}) " + " + ".join(f"{n} {p}" for n, p, _ in a.members)
            elif len(dd.paths) > 1 and a.dsn:
                what = f"{a.dsn} (CONCATENATION) " + what
        else:
            what = f"{a.dsn or ''} {a.final}".strip()
            if a.ddef.replace_existing and a.exists and a.status == "NEW":
                what += " (REPLACES THE EXISTING FILE AT A NORMAL END: --disp OLD)"
        self.log(f"  ALLOC {dd.name:<10} {a.status:<4} {what}")

    def _dd(self, ddef: DDDef, **kw) -> DD:
        dd = DD(ddef.name, copybook=ddef.copybook, encoding=ddef.encoding, recfm=ddef.recfm, lrecl=ddef.lrecl,
                dialect=ddef.dialect, **kw)
        if dd.copybook and dd.lrecl is None and dd.recfm in ("F", "FB"):
            try:        # utilities (SORT) want the record length; the copybook gives it
                dd._layout_lrecl()
            except DensanError as exc:
                raise JobDefinitionError(f"step DD {ddef.name}: copybook {dd.copybook}: {exc}") from None
            except ImportError:
                pass
        return dd

    def _tempfile(self, final: Path, step: StepDef) -> Path:
        temp = final.with_name(f"{final.name}.densan-tmp.{self.run_id}.{step.name}")
        self.catalog.add_pending(temp, self.run_id)
        return temp

    def _start_temp(self, temp: Path, where: str, copy_of: Path | None = None) -> None:
        """Create an output's temporary (empty, or a copy for MOD): a JCL error if it cannot be."""
        try:
            if copy_of is not None:
                shutil.copyfile(copy_of, temp)
            else:
                temp.write_bytes(b"")
        except OSError as exc:
            raise JobDefinitionError(f"{where}: cannot write beside {temp.parent / temp.name.split('.densan-tmp.')[0]}: "
                                     f"{exc.strerror or exc}",
                                     hint="give an output a file in a folder you can write") from None

    def _alloc_one(self, step: StepDef, ddef: DDDef, where: str) -> Alloc:
        if ddef.dummy:
            return Alloc(self._dd(ddef, dummy=True, status=ddef.status or "SHR"), ddef, "dummy", ddef.status or "SHR")
        if ddef.sysout:
            self.sysout_dir.mkdir(parents=True, exist_ok=True)
            out = sysout_path(self.sysout_dir, step.name, ddef.name, ddef.suffix)
            dd = self._dd(ddef, sysout=ddef.sysout, out_path=out, status="NEW")
            return Alloc(dd, ddef, "sysout", "NEW", final=out)
        if ddef.inline is not None:
            text = substitute(ddef.inline, self.params, where, strict=False)
            f = self.temp_dir / f"{step.name}.{ddef.name}.inline"
            f.write_text(text, encoding="utf-8")
            return Alloc(self._dd(ddef, inline=text, out_path=f, status="SHR"), ddef, "inline", "SHR")
        if ddef.paths:
            return self._alloc_paths(step, ddef, where)
        return self._alloc_dsns(step, ddef, where)

    def _alloc_paths(self, step: StepDef, ddef: DDDef, where: str) -> Alloc:
        paths = [Path(substitute(p, self.params, where)).expanduser().absolute() for p in ddef.paths]
        exists = all(p.exists() for p in paths)
        status = ddef.status or ("NEW" if ddef.replace_existing or not exists else "SHR")
        if status in ("NEW", "MOD") and len(paths) > 1:
            raise JobDefinitionError(f"{where}: a concatenation is read only (disp {status})")
        if status in ("SHR", "OLD"):
            missing = [p for p in paths if not p.exists()]
            if missing:
                raise JobDefinitionError(f"{where}: file {missing[0]} does not exist",
                                         hint="check the path, or give disp: NEW for an output")
            for p in paths:
                if p.is_dir():
                    raise JobDefinitionError(f"{where}: {p} is a directory, not a dataset",
                                             hint="name a file")
            # OLD: write()/write_raw()/open_text() replace it atomically at step end (a program
            # writing .path itself writes in place). SHR, written or implied (a path: given
            # without disp that exists), is read only: the job's DISP never said to replace it
            writable = status == "OLD" and len(paths) == 1     # OLD files read together: read only
            if writable:
                _replaceable(paths[0], ddef.name, where, must_exist=True)
            dd = self._dd(ddef, dsn=None, paths=paths, status=status,
                          out_path=self._tempfile(paths[0], step) if writable else None)
            return Alloc(dd, ddef, "path", status, final=paths[0], temp=dd._out, exists=True)
        final = paths[0]
        if status == "NEW" and (final.exists() or final.is_symlink()) and not ddef.replace_existing:
            implied = " (implied: the DD gives no disp and this step is the first to name its dataset)" \
                if ddef.implied_status else ""
            raise JobDefinitionError(
                f"{where}: file {final} already exists and the DD's DISP is NEW{implied}; "
                f"NEW never replaces an existing file",
                hint=f"to replace it run with --disp {step.name}.{ddef.name}=OLD (or write disp: OLD in the job), "
                     f"to extend it --disp {step.name}.{ddef.name}=MOD, to read it disp: SHR; "
                     f"or give a file that does not exist yet")
        _replaceable(final, ddef.name, where, must_exist=False)
        temp = self._tempfile(final, step)
        append = status == "MOD" and final.exists()
        self._start_temp(temp, where, copy_of=final if append else None)
        dd = self._dd(ddef, dsn=None, paths=[final] if append else [], out_path=temp, is_output=True,
                      append=append, status=status)
        for orig in ddef.orig_dsns:       # later steps reading this dataset read the file
            d = gdgmod.normalize(substitute(orig, self.params, where))
            self.redirects[self.gdg_map.get(d, d)] = final
        return Alloc(dd, ddef, "path", status, final=final, temp=temp, exists=final.exists())

    def _lookup(self, dsn: str) -> tuple[Path | None, object]:
        """(file, attributes source) of an existing dataset: redirected, temporary, passed, catalogued."""
        if dsn in self.redirects:
            return self.redirects[dsn], None
        if dsn.startswith("&&"):
            t = self.temps.get(dsn)
            return (t[0], t[1]) if t else (None, None)
        if dsn in self.passed:
            return self.passed[dsn]
        ds = self.catalog.get(dsn)
        if ds is not None:
            return ds.path, ds
        return None, None

    def _alloc_dsns(self, step: StepDef, ddef: DDDef, where: str) -> Alloc:
        names, written, bases = [], [], []
        for raw in ddef.dsns:
            dsn = gdgmod.normalize(substitute(raw, self.params, f"{where}: dsn"))
            written.append(dsn)
            if dsn in self.gdg_bases:       # a GDG base: all its generations, fixed at job start
                bases.append(dsn)
                names += gdgmod.all_generations(self.gdg_bases[dsn], ddef.gdgorder)
            else:
                names.append(self.gdg_map.get(dsn, dsn))
        if ddef.gdgorder and not bases:
            raise JobDefinitionError(f"{where}: gdgorder: {ddef.gdgorder} is for a DD naming a GDG base, and "
                                     f"{', '.join(written)} is not one", hint="remove gdgorder:, or name the base")
        if bases and ddef.status not in (None, "SHR", "OLD"):
            raise JobDefinitionError(f"{where}: {bases[0]} is a GDG base (every generation): it can be read, "
                                     f"and deleted once read (disp: [OLD, DELETE, KEEP]), but not written "
                                     f"(disp {ddef.status})", hint=f"write a new generation as {bases[0]}(+1)")
        if bases and not names:
            raise JobDefinitionError(f"{where}: {bases[0]} is a GDG base (every generation) and had no generations "
                                     f"at job start", hint=f"catalog one first, or start the job only when there is "
                                                           f"one (a jobnet unit's needs: [{bases[0]}])")
        found = [self._lookup(n) for n in names]
        if len(names) > 1 or bases:
            if ddef.status not in (None, "SHR", "OLD"):
                raise JobDefinitionError(f"{where}: a concatenation is read only (disp {ddef.status})")
            for n, (p, _) in zip(names, found):
                if p is None:
                    raise self._not_found(where, n)
            _one_code_page(where, [(n, src) for n, (_, src) in zip(names, found)])
            dd = self._dd(ddef, dsn="+".join(names), paths=[p for p, _ in found], status=ddef.status or "SHR")
            self._inherit(dd, ddef, found[0][1])
            members = [(n, p, isinstance(src, Dataset)) for n, (p, src) in zip(names, found)]
            return Alloc(dd, ddef, "dsn", dd.status, dsn=names[0], exists=True, members=members)
        dsn = names[0]
        path, src = found[0]
        exists = path is not None
        is_temp = dsn.startswith("&&")
        # disp omitted: NEW only where the job first names a dataset that does not exist yet
        status = ddef.status or ("NEW" if not exists and self._first_user(written[0], self.steps) is step
                                 else "SHR")
        if ddef.replace_existing and exists:
            status = "OLD"
        if dsn in self.redirects:
            if status in ("NEW", "MOD", "OLD"):
                raise JobDefinitionError(f"{where}: {dsn} was redirected to {path} by --dd; override this DD too")
            dd = self._dd(ddef, dsn=dsn, paths=[path], status=status)
            return Alloc(dd, ddef, "path", status, dsn=dsn, final=path, exists=True)
        if status in ("SHR", "OLD") and not exists:
            raise self._not_found(where, dsn)
        if status == "NEW" and exists:
            owner = f" (created by job {src.created_job} run {src.created_run})" if isinstance(src, Dataset) else ""
            raise JobDefinitionError(f"{where}: {dsn} already exists{owner}; disp NEW needs a new name",
                                     hint="use disp OLD or MOD to rewrite or extend it, or delete it first")
        kind = "temp" if is_temp else "dsn"
        if status in ("SHR", "OLD") or (status == "MOD" and exists):
            final = path
        elif is_temp:
            final = self.temp_dir / dsn[2:]
        else:
            final = self.catalog.dataset_file(dsn)
        temp = None
        if status in ("NEW", "MOD", "OLD"):
            _replaceable(final, ddef.name, where, must_exist=False)
            temp = self._tempfile(final, step)
            if status == "MOD" and exists:
                self._start_temp(temp, where, copy_of=final)
            elif status != "OLD":
                self._start_temp(temp, where)
        is_output = status in ("NEW", "MOD")
        dd = self._dd(ddef, dsn=dsn, paths=[path] if exists else [], out_path=temp, is_output=is_output,
                      append=status == "MOD" and exists, status=status)
        self._inherit(dd, ddef, src)
        return Alloc(dd, ddef, kind, status, dsn=dsn, final=final, temp=temp, exists=exists,
                      catalogued=isinstance(src, Dataset))

    def _not_found(self, where: str, dsn: str) -> JobDefinitionError:
        if dsn.startswith("&&"):
            hint = "a temporary dataset exists only within one run: restart at the step that creates it"
            return JobDefinitionError(f"{where}: temporary dataset {dsn} has not been created in this run", hint=hint)
        return JobDefinitionError(f"{where}: dataset {dsn} not found in the catalog",
                                  hint="densan catalog list shows what is catalogued; densan catalog import "
                                       "registers an existing file")

    @staticmethod
    def _inherit(dd: DD, ddef: DDDef, src) -> None:
        """A DD without its own attributes takes them from the catalog or the creating DD."""
        if src is None:
            return
        for attr in ("copybook", "lrecl", "dialect", "encoding", "recfm"):
            if getattr(ddef, attr) is None and getattr(src, attr, None) is not None:
                setattr(dd, attr, getattr(src, attr))

    def _count_output(self, a: Alloc) -> None:
        dd = a.dd
        if a.temp is None or not a.temp.exists() or dd.records_written or dd._counted_write:
            return
        try:
            lrecl = dd._layout_lrecl()
        except Exception:   # noqa: BLE001 — without a usable copybook the count stays unknown
            lrecl = dd.lrecl
        size, records = dataset_info(a.temp, dd.recfm, lrecl)
        if records is not None:
            base = 0
            if dd.append and a.final is not None and a.final.exists():
                _, base = dataset_info(a.final, dd.recfm, dd.lrecl)
            dd.records_written = records - (base or 0)


def _one_code_page(where: str, members: list[tuple[str, object]]) -> None:
    """A concatenation is read in one code page: catalogued members in different ones (a GDG
    whose generations came from different writers) are refused rather than misread."""
    pages = {name: (src.encoding or "ascii").lower() for name, src in members if isinstance(src, Dataset)}
    if len(set(pages.values())) > 1:
        listing = ", ".join(f"{n} {p}" for n, p in pages.items())
        raise JobDefinitionError(f"{where}: the concatenation's datasets are in different code pages ({listing}); "
                                 f"it is read in one", hint="write every generation in one code page (like: on the "
                                                            "DD that creates them), or convert them first")


def _inherit_code_page(allocs: list[Alloc]) -> None:
    """A record dataset the step creates, without a code page of its own (on its DD), is
    written in the code page its step reads: the one all the step's record inputs share,
    with their dialect when they share one too. So a cp930 city's next generations are
    catalogued cp930, as the programs write them. Print files (LS) are text: they keep
    none; inputs in different code pages give none either."""
    def records(a: Alloc) -> bool:
        return a.kind in ("dsn", "temp", "path") and a.dd.recfm != "LS"
    inputs = [a.dd for a in allocs if records(a) and a.dd.paths and not a.dd.is_output]
    pages = {dd.encoding for dd in inputs}
    if len(pages) != 1:
        return
    [page] = pages
    dialects = {dd.dialect for dd in inputs}
    for a in allocs:
        created = a.status == "NEW" or (a.status == "MOD" and not a.exists)
        if records(a) and created and a.ddef.encoding is None:
            a.dd.encoding = page
            if a.ddef.dialect is None and len(dialects) == 1:
                a.dd.dialect = next(iter(dialects))


def _replaceable(final: Path, ddname: str, where: str, *, must_exist: bool, strict: bool = True) -> bool:
    """An output is written beside its target and renamed over it at step end: the target
    must be a regular file (or not exist yet) in a folder densan can create and write. Not so
    is a JCL error now, before the step runs (strict), or False (a file merely read)."""
    def refuse(why: str, hint: str) -> bool:
        if strict:
            raise JobDefinitionError(f"{where}: {final} cannot be written: {why}", hint=hint)
        return False
    if final.is_dir() or final.name in ("", ".", ".."):
        return refuse("it is a directory", "name a file, not a folder")
    try:
        st = final.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        return refuse(exc.strerror or str(exc), "name a file densan can reach")
    if st is not None and not stat.S_ISREG(st.st_mode):
        return refuse("it is not a regular file (a device, a pipe or a socket)",
                      f"to discard the output write --dd {ddname}=DUMMY")
    folder = final.parent
    if not folder.exists():
        if must_exist or not strict:
            return refuse(f"folder {folder} does not exist", "create the folder first")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return refuse(f"folder {folder} cannot be created: {exc.strerror or exc}",
                          "give an output a file in a folder you can write")
    if not folder.is_dir():
        return refuse(f"{folder} is not a folder", "check the path")
    if not os.access(folder, os.W_OK | os.X_OK):
        return refuse(f"folder {folder} is not writable", "give an output a file in a folder you can write")
    return True


def _identity(p: Path) -> tuple:
    try:
        st = p.stat()
        return ("inode", st.st_dev, st.st_ino)
    except OSError:
        return ("path", str(p.resolve()))


def _check_no_file_twice(step: StepDef, allocs: list[Alloc]) -> None:
    """One step may not read a file through one DD and write it through another, nor write
    one file through two DDs: refused before the program runs."""
    reads: dict[tuple, str] = {}
    writes: dict[tuple, str] = {}
    for a in allocs:
        if a.kind in ("dummy", "sysout", "inline"):
            continue
        writing = a.temp is not None and a.status in ("NEW", "MOD", "OLD")
        if writing and a.final is not None:
            key = _identity(a.final)
            if key in writes:
                raise JobDefinitionError(f"step {step.name}: dd {a.dd.name} and dd {writes[key]} write the same "
                                         f"file {a.final}", hint="give each output its own file")
            writes[key] = a.dd.name
        for p in a.dd.paths:
            if writing and a.final is not None and _identity(p) == _identity(a.final):
                continue            # OLD / MOD: the DD's own file
            reads.setdefault(_identity(p), a.dd.name)
    for key, name in writes.items():
        if key in reads and reads[key] != name:
            a = next(x for x in allocs if x.dd.name == name)
            raise JobDefinitionError(
                f"step {step.name}: file {a.final} is both read (dd {reads[key]}) and written (dd {name}) by "
                f"the step; writing it would replace the input the step reads",
                hint="write the output to another file and rename it after the job")
