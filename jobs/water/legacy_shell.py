"""What every migrated legacy step does around its rules, as the legacy programs
do it: DDs given as paths (None: not allocated), the REPORT opened first, inputs
then outputs opened in the program's order, GnuCOBOL's file statuses in the
messages, and an abnormal end (RC 16) that prints its message lines under the
report's header."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass

import numpy as np

from engine.program.control_report import edit_count


class Abend(Exception):
    """An abnormal end (RC 16) with the legacy's message lines."""

    def __init__(self, *lines: str):
        super().__init__(lines[0])
        self.lines = [line for line in lines if line.strip()]


def recno(n: int) -> str:
    """A record number as the legacy prints it (ZZZ,ZZZ,ZZ9 trimmed)."""
    return edit_count(n).strip()


def _status(exc: OSError, output: bool) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "37"
    if exc.errno == errno.ENOENT:
        return "30" if output else "35"
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return "34"
    return "30"


@dataclass
class InputData:
    """An input DD's records (n, lrecl), the bytes of a short last record (None
    when the size is a multiple of the LRECL), and whether it can be read at all."""
    dd: str
    records: np.ndarray
    tail: bytes | None
    path_line: str
    readable: bool = True

    def raw_key(self, i: int, width: int = 10) -> bytes:
        return self.records[i, :width].tobytes()

    def wrong_length(self, n: int):
        raise Abend(f"WRONG LENGTH RECORD ON DD {self.dd} AT RECORD {recno(n)}, FILE STATUS 04",
                    self.path_line)

    def read_error(self):
        raise Abend(f"READ ERROR ON DD {self.dd} AT RECORD 1, FILE STATUS 30", self.path_line)


def _paths(value) -> list:
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def _unallocated(value) -> bool:
    return value is None or (not isinstance(value, (list, tuple)) and os.fspath(value) == "")


class LegacyShell:
    def __init__(self, program: str, dds: dict, cs):
        self.program = program
        self.dds = dds
        self.cs = cs
        self.files: dict[str, object] = {}

    def path_line(self, dd: str) -> str:
        paths = _paths(self.dds.get(dd))
        return "  PATH: " + (os.fspath(paths[0]) if paths else "")

    def check_path_lengths(self, order) -> None:
        for dd in order:
            if any(len(os.fspath(p)) > 1023 for p in _paths(self.dds.get(dd))):
                raise Abend(f"DD {dd}: PATH LONGER THAN 1023 CHARACTERS IN "
                            f"ENVIRONMENT VARIABLE {dd.replace('-', '_')}")

    def _allocated(self, dd: str) -> None:
        if _unallocated(self.dds.get(dd)):
            raise Abend(f"DD {dd} NOT ALLOCATED: ENVIRONMENT VARIABLE {dd.replace('-', '_')} IS NOT SET")

    def _open_output(self, dd: str) -> None:
        path = self.dds[dd]
        try:
            self.files[dd] = open(path, "wb")
        except OSError as exc:
            raise Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS {_status(exc, True)}",
                        self.path_line(dd)) from None

    def open_report(self) -> None:
        if _unallocated(self.dds.get("REPORT")):
            raise Abend("DD REPORT NOT ALLOCATED: ENVIRONMENT VARIABLE REPORT IS NOT SET")
        self._open_output("REPORT")

    def _read(self, dd: str, lrecl: int) -> InputData:
        parts = []
        for p in _paths(self.dds[dd]):
            if os.path.isdir(p):            # opens, but the first READ fails
                return InputData(dd, np.zeros((0, lrecl), np.uint8), None, self.path_line(dd), False)
            try:
                parts.append(np.fromfile(p, dtype=np.uint8))
            except OSError as exc:
                raise Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS {_status(exc, False)}",
                            self.path_line(dd)) from None
        raw = np.concatenate(parts) if parts else np.zeros(0, np.uint8)
        n = len(raw) // lrecl
        tail = raw[n * lrecl:].tobytes() if len(raw) % lrecl else None
        return InputData(dd, raw[:n * lrecl].reshape(n, lrecl), tail, self.path_line(dd))

    def open_data(self, *inputs: tuple[str, int], outputs) -> dict[str, InputData]:
        data = {}
        for dd, lrecl in inputs:
            self._allocated(dd)
            data[dd] = self._read(dd, lrecl)
        for dd in outputs:
            self._allocated(dd)
            self._open_output(dd)
        return data

    def write(self, dd: str, data) -> None:
        pieces = [data] if isinstance(data, (bytes, bytearray, memoryview, np.ndarray)) else data
        try:
            for buf in pieces:
                self.files[dd].write(buf if isinstance(buf, (bytes, bytearray, memoryview))
                                     else np.ascontiguousarray(buf).data)
            self.files[dd].flush()
        except OSError as exc:
            raise Abend(f"WRITE ERROR ON DD {dd}, FILE STATUS {_status(exc, True)}",
                        self.path_line(dd)) from None

    def finish(self, report_lines: list[str] | None) -> None:
        fh = self.files.pop("REPORT", None)
        try:
            if fh is not None and report_lines is not None:
                text = "".join(line + "\n" for line in report_lines)
                fh.write(text.encode("utf-8" if self.cs.ebcdic else "latin-1", errors="replace"))
        finally:
            for f in [fh, *self.files.values()]:
                try:
                    if f is not None:
                        f.close()
                except OSError:
                    pass
