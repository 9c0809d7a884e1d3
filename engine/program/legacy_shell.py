"""What every migrated legacy program does around its rules, as the GnuCOBOL runs of
the legacy programs do it, so that a job's abnormal ends read like the legacy's:

- DDs come as paths (a list for a concatenation) or None when not allocated; a path
  longer than the legacy's PIC X(1024) environment buffer holds is refused first;
- the REPORT is opened first, then the inputs, then the outputs, in the program's order;
- a failed OPEN, READ or WRITE ends the step (RC 16) with GnuCOBOL's file status
  (`open_status`, `write_status`), the DD and the path; an input whose size is not a
  multiple of its record length ends it with status 04 after its whole records;
- record numbers are printed as the legacy edits them (ZZZ,ZZZ,ZZ9, trimmed);
- the abend's message lines go to the job log, each behind the program's name, and
  under the report's header (`control_report.abend_block`).
"""
from __future__ import annotations

import errno
import mmap
import os
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from engine.program.control_report import edit_count

ABEND_RC = 16
PATH_MAX = 1023                 # the legacy reads each DD's path into PIC X(1024)


class Abend(Exception):
    """An abnormal end (RC 16) with the legacy's message lines: text, or bytes where
    a line shows data as read. Blank lines are not printed (the legacy skips them)."""

    def __init__(self, *lines: str | bytes):
        self.lines = [line for line in lines if line.strip()]
        first = self.lines[0] if self.lines else ""
        super().__init__(first if isinstance(first, str) else first.decode("latin-1"))

    def encoded(self, encoding: str = "latin-1") -> list[bytes]:
        """The lines as bytes (text lines encoded)."""
        return [ln.encode(encoding) if isinstance(ln, str) else ln for ln in self.lines]

    def log_lines(self, program: str, encoding: str = "latin-1", errors: str = "strict") -> list[str]:
        """The lines the legacy DISPLAYs UPON SYSERR (the job log): each message behind
        its WS-PROGRAM-ID (PIC X(8)) and a space, trailing blanks removed, then the
        return-code line."""
        prefix = f"{program:<8} "
        text = [ln if isinstance(ln, str) else ln.decode(encoding, errors) for ln in self.lines]
        return [prefix + ln.rstrip(" ") for ln in text] + [f"{prefix}ABNORMAL END, RETURN CODE {ABEND_RC}"]


def recno(n: int) -> str:
    """A record number as the legacy's messages print it (ZZZ,ZZZ,ZZ9, leading blanks cut)."""
    return edit_count(n).strip()


# --------------------------------------------------------------------------- DDs
def dd_paths(value) -> list:
    """The paths of a DD value: None (not allocated) none, a list (a concatenation) its
    paths, else the one path."""
    return [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]


def unallocated(value) -> bool:
    """None, or an empty path (the legacy's environment variable is not set)."""
    return value is None or (not isinstance(value, (list, tuple)) and os.fspath(value) == "")


def path_line(value) -> str:
    """The message line naming a DD's (first) file."""
    paths = dd_paths(value)
    return "  PATH: " + (os.fspath(paths[0]) if paths else "")


def env_name(dd: str) -> str:
    return dd.replace("-", "_")


def check_path_lengths(dds: dict, order=None) -> None:
    """The first DD (in `order`, else the dict's) with a path the legacy would cut."""
    for dd in order or dds:
        if any(len(os.fspath(p)) > PATH_MAX for p in dd_paths(dds.get(dd))):
            raise Abend(f"DD {dd}: PATH LONGER THAN {PATH_MAX} CHARACTERS IN ENVIRONMENT VARIABLE {env_name(dd)}")


def not_allocated(dd: str) -> Abend:
    return Abend(f"DD {dd} NOT ALLOCATED: ENVIRONMENT VARIABLE {env_name(dd)} IS NOT SET")


def allocated(dd: str, value):
    """The DD's value, or the legacy's abend when it is not allocated."""
    if unallocated(value):
        raise not_allocated(dd)
    return value


# --------------------------------------------------------------------------- file statuses
def open_status(exc: OSError, output: bool) -> str:
    """GnuCOBOL's file status of a failed OPEN of a sequential file: 37 when access is
    refused (EACCES, EPERM, EROFS, EISDIR), 35 when an input does not exist (an output
    that cannot be created there is a permanent error, 30), else 30."""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR):
        return "37"
    if exc.errno == errno.ENOENT and not output:
        return "35"
    return "30"


def write_status(exc: OSError) -> str:
    """GnuCOBOL's file status of a failed WRITE: 34 when the space ran out (ENOSPC,
    EDQUOT, EFBIG: the boundary of the file), else 30."""
    return "34" if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) else "30"


def open_error(dd: str, path, status: str) -> Abend:
    return Abend(f"OPEN ERROR ON DD {dd}, FILE STATUS {status}", path_line(path))


def open_output(dd: str, path, *, buffering: int = -1, extend: bool = False):
    """OPEN OUTPUT: the file created empty (OPEN EXTEND with `extend`: kept, written
    after its end), or the abend with its status."""
    try:
        return open(path, "ab" if extend else "wb", buffering=buffering)
    except OSError as exc:
        raise open_error(dd, path, open_status(exc, True)) from None


def write_to(dd: str, fh, data, path) -> None:
    """All of `data` (bytes or a uint8 array) written, or the abend with the WRITE status."""
    with writing(dd, path):
        write_all(fh, data)


@contextmanager
def writing(dd: str, path):
    """Writes to a DD's file: an OSError becomes the abend with the WRITE status."""
    try:
        yield
    except OSError as exc:
        raise Abend(f"WRITE ERROR ON DD {dd}, FILE STATUS {write_status(exc)}", path_line(path)) from None


def close_output(dd: str, fh, path) -> None:
    """CLOSE of an output: what was still buffered is written now, so a failure is the WRITE's."""
    try:
        fh.close()
    except OSError as exc:
        raise Abend(f"WRITE ERROR ON DD {dd}, FILE STATUS {write_status(exc)}", path_line(path)) from None


def write_all(fh, data) -> None:
    """All of `data` to the file, however many write() calls an unbuffered one takes."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        data = np.ascontiguousarray(data).reshape(-1)
    view = memoryview(data).cast("B")
    while view.nbytes:
        n = fh.write(view)
        if n is None:                       # an unbuffered non-blocking device with no room now
            continue
        view = view[n:]


def read_error(dd: str, path, record: int = 1) -> Abend:
    """A READ that fails (a directory opens, as GnuCOBOL's OPEN INPUT does, but cannot be read)."""
    return Abend(f"READ ERROR ON DD {dd} AT RECORD {recno(record)}, FILE STATUS 30", path_line(path))


def wrong_length(dd: str, record: int, path) -> Abend:
    """The READ after the whole records of a file whose size is not a multiple of its
    record length (status 04: the step ends after the records before it)."""
    return Abend(f"WRONG LENGTH RECORD ON DD {dd} AT RECORD {recno(record)}, FILE STATUS 04", path_line(path))


# --------------------------------------------------------------------------- inputs
@dataclass
class Unreadable:
    """An input that opens but whose first READ fails (a directory)."""
    dd: str
    path: object

    def error(self) -> Abend:
        return read_error(self.dd, self.path)


def read_input(dd: str, value, *, mapped: bool = False, outputs=()):
    """OPEN INPUT: the bytes of an input DD (a concatenation in order; none for []), or
    `Unreadable` when a file of it is a directory. With `mapped`, one regular file is
    mapped read-only instead of read, unless an output of the step is the same file
    (its OPEN OUTPUT empties it). A file that cannot be opened: the abend with its status."""
    paths = dd_paths(value)
    parts = []
    for p in paths:
        if os.path.isdir(p):
            return Unreadable(dd, p)
        try:
            if mapped and len(paths) == 1 and os.path.isfile(p) and os.path.getsize(p) > 0 \
                    and not any(_same_file(p, o) for o in outputs):
                with open(p, "rb") as fh:
                    return np.frombuffer(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ), dtype=np.uint8)
            parts.append(np.fromfile(p, dtype=np.uint8))
        except OSError as exc:
            raise open_error(dd, p, open_status(exc, False)) from None
    if not parts:
        return np.zeros(0, dtype=np.uint8)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def same_file(a, b) -> bool:
    """Whether a file of DD value a is a file of DD value b."""
    return any(_same_file(x, y) for x in dd_paths(a) for y in dd_paths(b))


def _same_file(a, b) -> bool:
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


class _Directory:
    """A directory opened as an input stream: the first read fails."""

    def readinto(self, buffer) -> int:
        raise IsADirectoryError(errno.EISDIR, "is a directory")

    def close(self) -> None:
        pass


def open_input(dd: str, path):
    """OPEN INPUT of a file to stream: a binary file, or a stream whose first read
    fails (a directory); a file that cannot be opened: the abend with its status."""
    try:
        return _Directory() if os.path.isdir(path) else open(path, "rb")
    except OSError as exc:
        raise open_error(dd, path, open_status(exc, False)) from None


@dataclass
class FixedInput:
    """An input DD's whole records (n, lrecl), the bytes of a short last record (None
    when the size is a multiple of the LRECL), and whether it can be read at all."""
    dd: str
    records: np.ndarray
    tail: bytes | None
    path_line: str
    readable: bool = True

    @classmethod
    def split(cls, dd: str, raw, lrecl: int, value) -> "FixedInput":
        if isinstance(raw, Unreadable):
            return cls(dd, np.zeros((0, lrecl), np.uint8), None, path_line(value), False)
        n = len(raw) // lrecl
        tail = raw[n * lrecl:].tobytes() if len(raw) % lrecl else None
        return cls(dd, raw[:n * lrecl].reshape(n, lrecl), tail, path_line(value))

    def raw_key(self, i: int, width: int = 10) -> bytes:
        return self.records[i, :width].tobytes()

    def wrong_length(self, n: int):
        raise Abend(f"WRONG LENGTH RECORD ON DD {self.dd} AT RECORD {recno(n)}, FILE STATUS 04", self.path_line)

    def read_error(self):
        raise Abend(f"READ ERROR ON DD {self.dd} AT RECORD 1, FILE STATUS 30", self.path_line)


# --------------------------------------------------------------------------- the shell
class LegacyShell:
    """The files of one run: `dds` maps each DD (and REPORT) to its value. Opens them in
    the legacy's order with its abends, writes the outputs, and at the end writes the
    report and closes everything (even after an abend)."""

    def __init__(self, program: str, dds: dict):
        self.program = program
        self.dds = dds
        self.files: dict[str, object] = {}

    def path_line(self, dd: str) -> str:
        return path_line(self.dds.get(dd))

    def check_path_lengths(self, order) -> None:
        check_path_lengths(self.dds, order)

    def open_report(self) -> None:
        """The REPORT first: without it nothing can be reported."""
        allocated("REPORT", self.dds.get("REPORT"))
        self.files["REPORT"] = open_output("REPORT", self.dds["REPORT"])

    def open_data(self, *inputs: tuple[str, int], outputs) -> dict[str, FixedInput]:
        """Each input (dd, lrecl) allocated and read, then each output allocated and created."""
        data = {}
        for dd, lrecl in inputs:
            value = allocated(dd, self.dds.get(dd))
            data[dd] = FixedInput.split(dd, read_input(dd, value), lrecl, value)
        for dd in outputs:
            self.files[dd] = open_output(dd, allocated(dd, self.dds.get(dd)))
        return data

    def write(self, dd: str, data) -> None:
        """Records (bytes, an array, or a sequence of them) to an opened output."""
        pieces = [data] if isinstance(data, (bytes, bytearray, memoryview, np.ndarray)) else data
        fh = self.files[dd]
        try:
            for buf in pieces:
                write_all(fh, buf)
            fh.flush()
        except OSError as exc:
            raise Abend(f"WRITE ERROR ON DD {dd}, FILE STATUS {write_status(exc)}", self.path_line(dd)) from None

    def finish(self, report_lines: list[str] | None, encoding: str = "latin-1") -> None:
        """The report's lines (line sequential) and every file closed."""
        fh = self.files.pop("REPORT", None)
        try:
            if fh is not None and report_lines is not None:
                fh.write("".join(line + "\n" for line in report_lines).encode(encoding, errors="replace"))
        finally:
            close_all([fh, *self.files.values()])
            self.files.clear()


def close_all(files) -> None:
    """Close every file; a close that fails after an abend changes nothing."""
    for f in files:
        try:
            if f is not None:
                f.close()
        except OSError:
            pass
