"""What a program step sees: StepContext and its DDs (the contract in the common brief).

Outputs are written to a temporary file beside their final place (DD.path); the runner
renames and catalogues them only when the step ends normally."""
from __future__ import annotations

import contextlib
import codecs
import os
import shutil
import sys
from pathlib import Path
from typing import Callable, Iterator

from engine.errors import JobDefinitionError


class Abend(Exception):
    """Raised by a program to end its step abnormally with a user abend code (U0001..U4095)
    or a system-style code (S0C7 …)."""

    def __init__(self, code: str | int = "U4000", message: str = ""):
        self.code = code if isinstance(code, str) else f"U{int(code):04d}"
        super().__init__(message or f"program abended {self.code}")


class DD:
    """One allocated DD. Inputs: .paths (a concatenation, in order); outputs: .path is a
    temporary beside the final place, renamed at normal step end."""

    def __init__(self, name: str, *, dsn: str | None = None, paths: list[Path] | None = None,
                 out_path: Path | None = None, dummy: bool = False, sysout: str | None = None,
                 inline: str | None = None, is_output: bool = False, append: bool = False,
                 copybook: str | None = None, encoding: str | None = None, recfm: str | None = None,
                 lrecl: int | None = None, dialect: str | None = None, status: str = "SHR"):
        self.name = name
        self.dsn = dsn
        self.paths: list[Path] = list(paths or [])
        self._out = out_path
        self.dummy = dummy
        self.sysout = sysout
        self.inline = inline
        self.is_output = is_output
        self.append = append            # MOD: the temporary starts as a copy of the dataset
        self.copybook = copybook
        self.encoding = encoding or "ascii"
        self.recfm = (recfm or "FB").upper()
        self.lrecl = lrecl
        self.dialect = dialect
        self.status = status
        self.records_read = 0
        self.records_written = 0
        self.written = False            # the program wrote through write/write_raw/open_text
        self._counted_write = False

    def __repr__(self) -> str:
        what = "DUMMY" if self.dummy else f"SYSOUT={self.sysout}" if self.sysout else self.dsn or self.paths
        return f"DD({self.name}, {what})"

    # ---------------------------------------------------------------- places
    @property
    def path(self) -> Path:
        if self.dummy:
            return Path(os.devnull)
        if self._out is not None and (self.is_output or self.sysout or self.inline is not None):
            return self._out
        if len(self.paths) == 1:
            return self.paths[0]
        if not self.paths:
            raise JobDefinitionError(f"DD {self.name} has no file")
        raise JobDefinitionError(f"DD {self.name} is a concatenation of {len(self.paths)} datasets",
                                 hint="read it with .read()/.read_raw() or iterate over .paths")

    # ---------------------------------------------------------------- records
    def _layout_lrecl(self) -> int | None:
        if self.lrecl is not None or self.recfm not in ("F", "FB") or not self.copybook:
            return self.lrecl
        from engine.records.dataset import resolve_layout
        self.lrecl = resolve_layout(self.copybook, dialect=self.dialect, encoding=self.encoding).record_length
        return self.lrecl

    def _format(self):
        from engine.records import RecordFormat
        return RecordFormat(recfm=self.recfm, lrecl=self._layout_lrecl())

    def _inputs(self) -> list[Path]:
        if self.dummy:
            return []
        if self.inline is not None and self._out is not None:
            return [self._out]
        return self.paths

    def read_raw(self):
        """All records of the DD (a concatenation read as one) as one RecordBlock."""
        import numpy as np
        from engine.records import RecordBlock, read_records
        fmt = self._format()
        blocks = [read_records(p, fmt) for p in self._inputs()]
        if len(blocks) == 1:
            block = blocks[0]
        else:
            width = max([b.data.shape[1] for b in blocks] + [self.lrecl or 0])
            n = sum(len(b.lengths) for b in blocks)
            data = np.zeros((n, width), dtype=np.uint8)
            row = 0
            for b in blocks:
                data[row:row + len(b.lengths), :b.data.shape[1]] = b.data
                row += len(b.lengths)
            lengths = np.concatenate([b.lengths for b in blocks]) if blocks else np.zeros(0, np.int32)
            offsets = np.concatenate([b.file_offsets for b in blocks]) if blocks else np.zeros(0, np.int64)
            block = RecordBlock(data=data, lengths=lengths.astype(np.int32), file_offsets=offsets.astype(np.int64),
                                first_record=1, source=self.dsn or self.name)
        self.records_read += len(block.lengths)
        return block

    def read(self, columns: list[str] | None = None, keep_raw: bool = True):
        """The DD decoded through its copybook as one Polars frame."""
        import polars as pl
        from engine.records import read_dataset
        if not self.copybook:
            raise JobDefinitionError(f"DD {self.name} has no copybook",
                                     hint=f"add copybook: NAME to DD {self.name}, or read it with read_raw()")
        inputs = self._inputs() or [Path(os.devnull)]
        frames = [read_dataset(p, self.copybook, encoding=self.encoding, recfm=self.recfm, lrecl=self.lrecl,
                               dialect=self.dialect, columns=columns, keep_raw=keep_raw) for p in inputs]
        frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical")
        self.records_read += frame.height
        return frame

    def _write_with(self, writer: Callable[[Path], int]) -> int:
        if self.dummy:
            n = writer(Path(os.devnull))
            self.records_written += n
            return n
        if not (self.is_output or self.sysout) or self._out is None:
            raise JobDefinitionError(f"DD {self.name} ({self.dsn or self.status}) is not an output",
                                     hint="give it disp: NEW, MOD or OLD to write it")
        target = self._out
        if self.written or self.append:     # keep what is there: write aside, then append
            part = target.with_name(target.name + ".part")
            n = writer(part)
            with open(part, "rb") as src, open(target, "ab") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            part.unlink()
        else:
            n = writer(target)
        self.written = True
        self._counted_write = True
        self.records_written += n
        return n

    def write_raw(self, block_or_array) -> int:
        from engine.records import write_records
        fmt = self._format()
        return self._write_with(lambda p: write_records(p, block_or_array, fmt))

    def write(self, frame) -> int:
        from engine.records import write_dataset
        if not self.copybook:
            raise JobDefinitionError(f"DD {self.name} has no copybook", hint=f"add copybook: NAME to DD {self.name}")
        return self._write_with(lambda p: write_dataset(frame, p, self.copybook, encoding=self.encoding,
                                                        recfm=self.recfm, lrecl=self.lrecl, dialect=self.dialect))

    def open_text(self, mode: str = "w"):
        """A text file for a report or SYSOUT (UTF-8 unless the DD's encoding is a Python codec)."""
        if self.dummy:
            return open(os.devnull, mode)
        if "w" in mode and self.append:
            mode = mode.replace("w", "a")
        if "w" in mode and self.written:
            mode = mode.replace("w", "a")
        if any(c in mode for c in "wa"):
            if self._out is None:
                raise JobDefinitionError(f"DD {self.name} is not an output")
            self.written = True
        enc = "utf-8"
        if self.encoding and self.encoding.lower() not in ("ascii", "utf-8", "utf8"):
            try:
                enc = codecs.lookup(self.encoding).name
            except LookupError:
                enc = "utf-8"
        return open(self.path, mode, encoding=enc, newline="")

    def count(self, read: int = 0, written: int = 0) -> None:
        """Programs that read or write files themselves report their record counts here."""
        self.records_read += read
        self.records_written += written
        if written:
            self._counted_write = True


class _NullBar:
    def update(self, n: int = 1) -> None:
        pass


class StepContext:
    """Everything a program step gets: names, PARM, params, DDs, the job log, progress."""

    def __init__(self, *, job_name: str, step_name: str, program: str, parm: str, params: dict[str, str],
                 run_id: str, dds: dict[str, DD], log: Callable[[str], None], home: Path | None = None):
        self.job_name = job_name
        self.step_name = step_name
        self.program = program
        self.parm = parm
        self.params = dict(params)
        self.run_id = run_id
        self.dds = dds
        self._log = log
        self.home = home            # the densan home (catalog), for steps that keep state

    def dd(self, name: str) -> DD:
        dd = self.dds.get(name.upper())
        if dd is None:
            raise JobDefinitionError(f"step {self.step_name}: program {self.program} needs DD {name.upper()}, "
                                     f"which the step does not define",
                                     hint=f"add {name.upper()}: to the dd: of step {self.step_name}")
        return dd

    def has_dd(self, name: str) -> bool:
        return name.upper() in self.dds

    def log(self, message: str) -> None:
        self._log(f"{self.step_name}: {message}")

    @contextlib.contextmanager
    def progress(self, total: int, desc: str = "") -> Iterator:
        """A tqdm bar on a terminal; nothing otherwise (logs stay clean)."""
        if not sys.stderr.isatty():
            yield _NullBar()
            return
        from tqdm import tqdm
        with tqdm(total=total, desc=desc or self.step_name, unit="rec", file=sys.stderr, leave=False) as bar:
            yield bar
