"""SHUNO01 — payment posting (収納消込) against the collection master (収納マスタ).

The migrated form of the legacy program SHUNO01.cob. It gives the legacy's
MASTER-OUT and ERROR-OUT byte for byte, its return code and its REPORT, but
works over whole datasets with NumPy instead of a balance-line record loop:

* the master stays raw bytes (n, 100); only its keys and the totals' fields are
  decoded for every record, and only the rows that receive postings are decoded
  and patched (every field through the codec kernel, engine.records);
* transactions are validated column-wise (IV, DT, CH, NF, CX in that order);
* order-dependent state per key (truncating ADDs, SH-NOFU-KAISU held in 0..999)
  is exact: a closed form where nothing overflows or clamps, otherwise a loop
  over the rank of the transaction within its key, vectorised across keys.

Input and output: MASTER-IN is memory-mapped and posted a chunk at a time (the
next chunk prepared on a second thread); MASTER-OUT is each chunk's bytes with the
posted rows patched in, written on a third thread (O_DIRECT if asked); the
control totals are the input's plus the posted rows' change.

Where the legacy's behaviour on odd input is not what the specification says,
the program is followed (each point checked against GnuCOBOL in tests/shuno01):

* a transaction goes to master i iff its key equals M[i] and M[i] is above every
  earlier master key (the balance line with MASTER-IN order unchecked);
* ADD without ON SIZE ERROR keeps the low-order digits and the sign of the true
  result (so -0 packed X'...0D' can be written);
* packed fields are read nibble by nibble (A-F count 10-15), sign D negative;
* SH-SHUNYU-BI is compared with the receipt date as bytes;
* a key of 18 X'FF' bytes is taken for end of file, in either input.

In EBCDIC (IBM dialect) the IV test is the IBM NUMERIC class test of a signed
zoned field: every byte but the last X'F0'-X'F9', the last zone C, D or F with a
digit 0-9 (zone D negative). In ASCII (GnuCOBOL dialect) it is GnuCOBOL's:
every byte but the last '0'-'9', the last '0'-'9' or 'p'-'y' (negative).
"""
from __future__ import annotations

import bisect
import errno
import mmap
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.errors import JobDefinitionError
from engine.program.charset import Charset, charset_for
from engine.program.legacy_shell import (Abend, Unreadable, allocated, check_path_lengths, not_allocated,
                                         open_output, path_line, read_input, recno, same_file, unallocated,
                                         write_all, write_status, wrong_length)
from engine.records.kernel import decode_many
from engine.records.packed import PackedCodec
from engine.records.zoned import ZonedCodec
from jobs.collection.report import REASONS, Report, Totals

PROGRAM = "SHUNO01"
MASTER_LEN, TRAN_LEN, ERROR_LEN = 100, 60, 80
DD_ORDER = ("MASTER-IN", "TRAN-IN", "MASTER-OUT", "ERROR-OUT")
HIGH_KEY = b"\xff" * 18
CHUNK_RECORDS = 524_288          # ~50 MB of masters: measured best of 256K-6M at city size (2 cores)
SCAN_RECORDS = 1 << 20      # records per block of a scan (reading order, HIGH-VALUES)

# SHUNOMST field slices (0-based)
SH_KEY = slice(0, 18)
SH_CHOTEI = slice(36, 42)
SH_NOFU = slice(42, 48)
SH_KANPU = slice(48, 54)
SH_ENTAI = slice(54, 59)
SH_SHUNYU = slice(59, 67)
SH_JOTAI = 75
SH_KOFURI = 76
SH_KOSHIN = slice(77, 85)
SH_KAISU = slice(85, 87)
TOTAL_FIELDS = (SH_CHOTEI, SH_NOFU, SH_KANPU)     # the master totals of the REPORT
# NOFUTRN field slices
NT_KEY = slice(0, 18)
NT_CHANNEL = 18
NT_SHUNYU = slice(19, 27)
NT_NOFU = slice(27, 38)
NT_ENTAI = slice(38, 47)
NT_SORT = (slice(0, 18), slice(19, 27), slice(47, 55))   # NT-KEY, NT-SHUNYU-BI, NT-RENBAN

NOFU_MOD = 10 ** 11      # S9(11)
ENTAI_MOD = 10 ** 9      # S9(9)
TOTAL_MOD = 10 ** 15     # S9(15) control totals
COUNT_MOD = 10 ** 9      # S9(9) counters

def sign_convention(charset: Charset, dialect: str | None) -> str:
    from engine.compat.dialect import get_dialect
    conv = get_dialect(dialect, is_ebcdic=charset.ebcdic).sign_convention(charset.ebcdic)
    if (conv == "ebcdic") != charset.ebcdic or conv not in ("ebcdic", "gnucobol"):
        raise JobDefinitionError(
            f"SHUNO01 cannot read zoned numbers with sign convention {conv!r} "
            f"in code page {charset.name}",
            hint="use the GnuCOBOL dialect for ASCII data, the IBM dialect for EBCDIC data")
    return conv


# --------------------------------------------------------------------------- numbers
# Every field is read and written by the codec kernel (engine.records: the compiled
# kernel, or its NumPy fallback), with the legacy's treatment of invalid data given as
# the codecs' options: packed nibbles are taken as they are (A-F count 10-15) and only
# sign D is negative; a signed zoned field is valid when GnuCOBOL's NUMERIC test takes
# its sign byte (zones C, D, F in EBCDIC; '0'-'9' and 'p'-'y' in ASCII); unsigned
# digits are the page's '0'-'9' and nothing else.

@dataclass(frozen=True)
class _Digits:
    """What the zoned codecs need of the data's code page here: where its digits start,
    and GnuCOBOL's negative signs 'p'-'y' (ASCII only). Not engine.codepages' full page:
    loading its tables would cost every run of the job a tenth of a second."""
    digit_zero: int

    def encode(self, text: str) -> bytes:
        if self.digit_zero != 0x30:
            raise ValueError("only ASCII data takes GnuCOBOL's 'p'-'y' signs")
        return text.encode("ascii")


@lru_cache(maxsize=None)
def _digits_codec(width: int, zone: int) -> ZonedCodec:
    """PIC 9(width): every byte one of the page's digits."""
    return ZonedCodec(digits=width, signed=False, convention="gnucobol", codepage=_Digits(zone))


@lru_cache(maxsize=None)
def _signed_codec(width: int, convention: str) -> ZonedCodec:
    """PIC S9(width), trailing embedded sign, GnuCOBOL's NUMERIC class test."""
    zone = 0xF0 if convention == "ebcdic" else 0x30
    return ZonedCodec(digits=width, signed=True, convention=convention, codepage=_Digits(zone),
                      zones="CDF")


@lru_cache(maxsize=None)
def _packed_codec(nb: int) -> PackedCodec:
    """PIC S9(2 nb - 1) COMP-3: nibbles as they are, sign D negative."""
    return PackedCodec(digits=2 * nb - 1, signed=True, negative_signs="D")


def packed_values(cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, negative) of packed fields (n, nb <= 8): nibbles taken as they are
    (A-F count 10-15, as GnuCOBOL does), sign nibble D negative."""
    if not len(cols):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    value, _ = _packed_codec(cols.shape[1]).decode(cols)
    return value, (cols[:, -1] & 0x0F) == 0x0D


def zoned_digits(cols: np.ndarray, zone: int) -> tuple[np.ndarray, np.ndarray]:
    """(value, valid) of unsigned zoned digits (n, w), w <= 18."""
    if not len(cols):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    value, bad = _digits_codec(cols.shape[1], zone).decode(cols)
    return value, ~bad


def digit_keys(block: np.ndarray, zone: int, start: int = 0) -> np.ndarray | None:
    """18-byte keys of zoned digits (bytes start..start+17 of each row) as int64, in
    the same order as the bytes; None when any key byte is not a digit."""
    value, valid = zoned_digits(block[:, start:start + 18], zone)
    return value if valid.all() else None


_SUM_ROWS = 1 << 24         # |values| < 2 * 10**11: a sum of this many fits an int64


def exact_sum(values: np.ndarray) -> int:
    """The sum of int64 values as a Python int (summed in int64 slices that cannot
    overflow)."""
    return sum(int(values[a:a + _SUM_ROWS].sum()) for a in range(0, len(values), _SUM_ROWS))


def packed_encode(value: np.ndarray, negative: np.ndarray, nb: int) -> np.ndarray:
    """Packed bytes (n, nb) of |value| (already within the field) with sign D where
    `negative` (a -0 too, as the legacy's truncating ADD writes one), else C."""
    if not len(value):
        return np.zeros((0, nb), dtype=np.uint8)
    value = np.asarray(value, dtype=np.int64)
    return _packed_codec(nb).encode(value, negative=np.asarray(negative, dtype=bool),
                                    truncate=True)[0]


def digits_encode(value: np.ndarray, width: int, zone: int) -> np.ndarray:
    """Zoned digits (n, width) of value >= 0 (low-order digits kept)."""
    value = np.asarray(value, dtype=np.int64) % 10 ** width
    return _digits_codec(width, zone).encode(value)[0]


def zoned_signed(cols: np.ndarray, convention: str) -> tuple[np.ndarray, np.ndarray]:
    """(valid, value) of signed zoned fields with a trailing embedded sign."""
    if not len(cols):
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    value, bad = _signed_codec(cols.shape[1], convention).decode(cols)
    return ~bad, value


_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] + [0] * 87, dtype=np.int64)


def _valid_ymd(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Gregorian calendar check (year 0001-9999; m and d within 0..99)."""
    ok = (y > 0) & (d >= 1) & (d <= _MONTH_DAYS[m])
    feb29 = np.flatnonzero((m == 2) & (d == 29))
    if feb29.size:
        yy = y[feb29]
        ok[feb29] = (yy > 0) & (yy % 4 == 0) & ((yy % 100 != 0) | (yy % 400 == 0))
    return ok


def valid_dates(value: np.ndarray) -> np.ndarray:
    """Gregorian calendar check of YYYYMMDD integers (year 0001-9999)."""
    value = np.asarray(value, dtype=np.int64)
    return _valid_ymd(value // 10000, value // 100 % 100, value % 100)


def date_valid(value: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Which YYYYMMDD values are all digits and a calendar date."""
    return digits & valid_dates(np.where(digits, value, 0))


def date_check(cols: np.ndarray, zone: int) -> tuple[np.ndarray, np.ndarray]:
    """(value, valid) of YYYYMMDD zoned dates (n, 8): digits and a calendar date."""
    value, digits = zoned_digits(cols, zone)
    return value, date_valid(value, digits)


def truncate(value, mod: int):
    """What a COBOL ADD without ON SIZE ERROR stores: low-order digits, sign kept."""
    return np.sign(value) * (np.abs(value) % mod)


def running_total(values: np.ndarray, mod: int, start: int = 0) -> int:
    """A COBOL accumulator holding `start` after each value is ADDed in turn,
    truncating: exact."""
    if values.size == 0:
        return start
    if abs(start) + int(np.abs(values).sum()) < mod:        # no prefix can reach the limit
        return start + int(values.sum())
    csum = start + np.cumsum(values)
    if np.abs(csum).max() < mod:
        return int(csum[-1])
    total = start                   # overflowed: replay with Python ints (rare)
    for v in values.tolist():
        t = total + v
        total = (1 if t >= 0 else -1) * (abs(t) % mod)
    return total


def key_view(block: np.ndarray, cols: slice | tuple) -> np.ndarray:
    """Keys as fixed-width byte strings ('S<w>'): compared exactly as bytes."""
    if isinstance(cols, tuple):
        part = np.concatenate([block[:, c] for c in cols], axis=1)
    else:
        part = np.ascontiguousarray(block[:, cols])
    return part.view(f"S{part.shape[1]}").ravel()


# --------------------------------------------------------------------------- result
@dataclass
class PostingResult:
    """What a run produced. On RC 16 the outputs are None (not to be kept). When the
    outputs were written to files as the run went, `master_out` and `error_out` are
    None too; a run in memory (`post_records`) carries them."""
    rc: int
    report: list[str] | None            # None: the REPORT could not be opened
    master_out: np.ndarray | None       # MASTER-OUT records (n, 100)
    error_out: np.ndarray | None        # ERROR-OUT records (n, 80)
    messages: list[str]                 # the job-log (stderr) lines
    totals: Totals | None = None

    def report_bytes(self, charset: Charset) -> bytes:
        text = "".join(line + "\n" for line in (self.report or []))
        return text.encode("latin-1" if not charset.ebcdic else "utf-8", errors="replace")


# --------------------------------------------------------------------------- inputs
def _release(data: np.ndarray, start: int, stop: int) -> None:
    """Hand back this process's pages of bytes start..stop-1 of a mapped input (the
    page cache keeps them; touching them again maps them back): so the resident
    memory of a streamed run stays a few chunks, not the whole input."""
    base = data
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    if not isinstance(base, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
        return
    lo = -(-start // mmap.PAGESIZE) * mmap.PAGESIZE
    hi = stop // mmap.PAGESIZE * mmap.PAGESIZE
    if hi > lo:
        base.madvise(mmap.MADV_DONTNEED, lo, hi - lo)


# --------------------------------------------------------------------------- the step
def chunk_records() -> int:
    """Masters per chunk of a streamed run: DENSAN_SHUNO01_CHUNK, else CHUNK_RECORDS."""
    value = os.environ.get("DENSAN_SHUNO01_CHUNK", "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else CHUNK_RECORDS


def first_chunk(chunk: int) -> int:
    """Masters in the first chunk: an eighth of the others (in whole 1,024s, so that
    every chunk after it still starts on a page of MASTER-OUT), so the posting and
    the writing start sooner; the whole chunk when it is smaller than 8,192."""
    return chunk // 8 // 1024 * 1024 or chunk


def post(*, master_in, tran_in, master_out, error_out, report, parm: str | None,
         encoding: str = "ascii", dialect: str | None = None,
         write: bool = True, chunk: int | None = None) -> PostingResult:
    """Run SHUNO01 over files. Each DD argument is a path (inputs: a path or a list
    of paths, [] for DUMMY) or None when the DD is not allocated. With `write`,
    MASTER-OUT, ERROR-OUT and REPORT are written as the legacy writes them, a chunk
    of `chunk` masters at a time (default `chunk_records()`); without it the
    outputs are kept in the result.

    The steps and their abnormal ends follow the legacy's order: DD paths, the
    REPORT, PARM (after the page header), inputs then outputs, then the data."""
    charset = charset_for(encoding)
    convention = sign_convention(charset, dialect)
    dds = {"REPORT": report, "MASTER-IN": master_in, "TRAN-IN": tran_in,
           "MASTER-OUT": master_out, "ERROR-OUT": error_out}
    files: dict[str, object] = {}
    rpt: Report | None = None
    try:
        try:
            check_path_lengths(dds)
            allocated("REPORT", report)
            if write:
                files["REPORT"] = open_output("REPORT", report)
            rpt = Report()
            parm_text = ((parm or "")[:16]).ljust(16)
            parm_ok = _parse_parm(parm_text) is not None
            rpt.header(f"{parm_text[:4]}/{parm_text[4:6]}/{parm_text[6:8]}" if parm_ok else parm_text)
            if not parm_ok:
                raise Abend('PARM IS NOT A VALID PROCESSING DATE YYYYMMDD: "'
                             + parm_text.rstrip(" ") + '"')
            data = _open_data(dds, files, write)
            sink = _FileOutputs(files, dds) if write else _MemoryOutputs()
            try:
                result = _process(data["MASTER-IN"], data["TRAN-IN"], parm_text[:8], charset,
                                  convention, dds, sink, chunk or chunk_records())
            finally:
                sink.close()        # no write left running when the files are closed
            rpt.totals(result.totals, result.rc)
            result.report = rpt.lines
        except Abend as ab:
            messages = ab.log_lines(PROGRAM)
            if rpt is not None:
                rpt.abend(ab.lines)
            result = PostingResult(16, rpt.lines if rpt is not None else None, None, None, messages)
        if "REPORT" in files and result.report is not None:
            files["REPORT"].write(result.report_bytes(charset))
        return result
    finally:
        for fh in files.values():
            try:
                fh.close()
            except OSError:
                pass


def post_records(master: np.ndarray, tran: np.ndarray, parm: str, *, encoding: str = "ascii",
                 dialect: str | None = None, paths: dict | None = None,
                 chunk: int | None = None) -> PostingResult:
    """The posting over records already in memory (MASTER-IN and TRAN-IN as bytes): what
    one key range of a partitioned run does. `paths` names the inputs in messages.
    Writes nothing; RC 16 results carry the legacy's messages and no outputs."""
    charset = charset_for(encoding)
    convention = sign_convention(charset, dialect)
    dds = {"MASTER-IN": "", "TRAN-IN": "", **(paths or {})}
    try:
        return _process(np.asarray(master), np.asarray(tran), ((parm or "")[:8]), charset,
                        convention, dds, _MemoryOutputs(), chunk or chunk_records())
    except Abend as ab:
        return PostingResult(16, None, None, None, [f"{PROGRAM:<8} {line.rstrip(' ')}" for line in ab.lines])


def combine_totals(parts: list[Totals]) -> Totals | None:
    """The control totals of consecutive key ranges as the whole run counts them: counts
    summed (modulo their S9(9)); amounts summed. None when an amount comes within a tenth
    of its S9(15) limit, where the whole run's truncating ADDs could differ."""
    tot = Totals()
    for r in range(7):
        tot.read[r] = sum(p.read[r] for p in parts) % COUNT_MOD
        tot.posted[r] = sum(p.posted[r] for p in parts) % COUNT_MOD
        tot.rejected[r] = sum(p.rejected[r] for p in parts) % COUNT_MOD
        tot.by_reason[r] = [sum(p.by_reason[r][k] for p in parts) % COUNT_MOD for k in range(5)]
        tot.posted_amount[r] = sum(p.posted_amount[r] for p in parts)
    for name in ("master_read", "master_updated", "master_written"):
        setattr(tot, name, sum(getattr(p, name) for p in parts))
    for name in ("chotei_sum", "nofu_sum", "kanpu_sum"):
        setattr(tot, name, sum(getattr(p, name) for p in parts))
    amounts = [[p.posted_amount[r] for p in parts] for r in range(7)] + \
        [[getattr(p, n) for p in parts] for n in ("chotei_sum", "nofu_sum", "kanpu_sum")]
    if any(sum(abs(v) for v in a) >= TOTAL_MOD // 10 for a in amounts):
        return None
    return tot


def report_lines(parm: str, totals: Totals, rc: int) -> list[str]:
    """The REPORT of a run that ended normally, from its control totals."""
    rpt = Report()
    parm_text = ((parm or "")[:16]).ljust(16)
    rpt.header(f"{parm_text[:4]}/{parm_text[4:6]}/{parm_text[6:8]}")
    rpt.totals(totals, rc)
    return rpt.lines


def _open_data(dds: dict, files: dict, write: bool) -> dict:
    """1400: each data DD allocated and opened, inputs first (read, or mapped when no
    output of the step is the same file), then the outputs (created empty, as OPEN
    OUTPUT does); then the first READ of an input that cannot be read (a directory)."""
    data = {}
    for dd in DD_ORDER:
        value = dds[dd]
        if unallocated(value):
            raise not_allocated(dd)
        if dd.endswith("-IN"):
            mapped = not any(same_file(value, dds[o]) for o in ("MASTER-OUT", "ERROR-OUT"))
            data[dd] = read_input(dd, value, mapped=mapped)
        elif write:
            files[dd] = open_output(dd, value, buffering=0)
    for dd in ("MASTER-IN", "TRAN-IN"):
        bad = data[dd]
        if isinstance(bad, Unreadable):
            if dd == "TRAN-IN" and 0 < len(data["MASTER-IN"]) < MASTER_LEN:
                data[dd] = np.zeros(0, dtype=np.uint8)   # the short first master is read first
                break
            raise bad.error()
    return data


def _parse_parm(text16: str) -> int | None:
    head, rest = text16[:8], text16[8:]
    if rest.strip(" ") or not (len(head) == 8 and all("0" <= c <= "9" for c in head)):
        return None
    value = int(head)
    return value if valid_dates(np.array([value]))[0] else None


def _write_back(fh, offset: int, length: int) -> None:
    """Start writing bytes offset.. of a file to disk now, without waiting: the disk
    then works while the next chunks are posted, not all at the end (POSIX_FADV_DONTNEED
    starts the writeback of dirty pages; the pages stay cached until written)."""
    try:
        os.posix_fadvise(fh.fileno(), offset, length, os.POSIX_FADV_DONTNEED)
    except (OSError, AttributeError, ValueError):
        pass                    # not a regular file, or no fadvise here: nothing to gain


# --------------------------------------------------------------------------- outputs
class _FileOutputs:
    """MASTER-OUT and ERROR-OUT written a chunk at a time, as the chunks are posted,
    on a writer thread (one write outstanding): the master chunk as read, with its
    posted records patched in (in one of two reused buffers), then the chunk's
    rejected transactions.

    With DENSAN_SHUNO01_DIRECT=1 and MASTER-OUT a regular file, whole page-aligned
    chunks go straight to the disk (O_DIRECT, from the buffer: no copy into the page
    cache); the rest is written through the page cache, its writeback started at once.
    Direct writes save CPU, which pays on a machine whose cores are busy with other
    work; on a quiet machine the page cache's writeback is faster (1.8 s against 2.2 s
    at city size, synced) and leaves the new master cached for the next step."""

    def __init__(self, files: dict, dds: dict) -> None:
        self.files, self.dds = files, dds
        self.buffers: list[np.ndarray | None] = [None, None]
        self.turn = 0
        self.writer = ThreadPoolExecutor(max_workers=1)
        self.pending = None
        self.written = 0            # bytes of MASTER-OUT written so far
        self.direct = _direct_fd(files["MASTER-OUT"], dds["MASTER-OUT"])
        self.positional = self.direct is not None   # every write says where it goes

    def _write(self, dd: str, data: np.ndarray) -> None:
        try:
            write_all(self.files[dd], data)
        except OSError as exc:
            raise Abend(f"WRITE ERROR ON DD {dd}, FILE STATUS {write_status(exc)}",
                         path_line(self.dds[dd])) from None

    def _write_master(self, data: np.ndarray) -> None:
        """Bytes self.written.. of MASTER-OUT: direct when the chunk and its place are
        aligned, else through the page cache (at the same offset: with a direct
        descriptor open, every write says where it goes)."""
        if not data.nbytes:
            return
        if not self.positional:
            self._write("MASTER-OUT", data)
            _write_back(self.files["MASTER-OUT"], self.written, data.nbytes)
            return
        view = memoryview(np.ascontiguousarray(data)).cast("B")
        try:
            if (self.direct is not None and data.nbytes % _ALIGN == 0 and self.written % _ALIGN == 0
                    and data.ctypes.data % _ALIGN == 0):
                try:
                    _pwrite(self.direct, view, self.written)
                    return
                except OSError as exc:
                    if exc.errno != errno.EINVAL:
                        raise
                    os.close(self.direct)       # the file system refuses direct writes
                    self.direct = None
            fd = self.files["MASTER-OUT"].fileno()
            _pwrite(fd, view, self.written)
        except OSError as exc:
            raise Abend(f"WRITE ERROR ON DD MASTER-OUT, FILE STATUS {write_status(exc)}",
                         path_line(self.dds["MASTER-OUT"])) from None
        _write_back(self.files["MASTER-OUT"], self.written, data.nbytes)

    def _wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()            # a write's abnormal end surfaces here

    def _patched(self, base: np.ndarray, rows: np.ndarray, rec: np.ndarray, turn: int) -> np.ndarray:
        if not len(rows):
            return base
        buf = self.buffers[turn]
        if buf is None or len(buf) < len(base):
            buf = self.buffers[turn] = _aligned_records(len(base))
        out = buf[:len(base)]
        np.copyto(out, base)
        out[rows] = rec
        return out

    def write_chunk(self, base: np.ndarray, rows: np.ndarray, rec: np.ndarray, err: np.ndarray) -> None:
        self._wait()
        turn, self.turn = self.turn, 1 - self.turn

        def job():
            data = self._patched(base, rows, rec, turn)
            self._write_master(data)
            self._write("ERROR-OUT", err)
            self.written += data.nbytes
        self.pending = self.writer.submit(job)

    def result(self) -> tuple[None, None]:
        self._wait()
        return None, None

    def close(self) -> None:
        self.writer.shutdown(wait=True)
        if self.direct is not None:
            os.close(self.direct)
            self.direct = None


_ALIGN = 4096       # O_DIRECT: buffer address, file offset and length in whole pages


def direct_writes() -> bool:
    """MASTER-OUT written with O_DIRECT: DENSAN_SHUNO01_DIRECT=1 (off by default)."""
    return os.environ.get("DENSAN_SHUNO01_DIRECT", "").strip() == "1"


def _direct_fd(fh, path) -> int | None:
    """A second descriptor of the opened MASTER-OUT for direct writes, or None (not
    asked for, not a regular file, no O_DIRECT here, or the file system refuses it)."""
    if not direct_writes() or not hasattr(os, "O_DIRECT"):
        return None
    try:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None
        fd = os.open(path, os.O_WRONLY | os.O_DIRECT)
    except (OSError, ValueError, TypeError):
        return None
    same = os.fstat(fd)
    if (same.st_dev, same.st_ino) != (st.st_dev, st.st_ino):
        os.close(fd)
        return None
    return fd


def _aligned_records(n: int) -> np.ndarray:
    """(n, MASTER_LEN) bytes starting on a page (anonymous memory, as np.empty's)."""
    return np.frombuffer(mmap.mmap(-1, max(n * MASTER_LEN, 1)), dtype=np.uint8)[
        :n * MASTER_LEN].reshape(n, MASTER_LEN)


def _pwrite(fd: int, view: memoryview, offset: int) -> None:
    """All of `view` at `offset`, however many pwrite() calls it takes."""
    while view.nbytes:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


class _MemoryOutputs:
    """MASTER-OUT and ERROR-OUT kept as arrays (a run in memory)."""

    def __init__(self) -> None:
        self.masters: list[np.ndarray] = []
        self.errs: list[np.ndarray] = []

    def write_chunk(self, base: np.ndarray, rows: np.ndarray, rec: np.ndarray, err: np.ndarray) -> None:
        out = np.array(base)
        out[rows] = rec
        self.masters.append(out)
        self.errs.append(err)

    def close(self) -> None:
        pass

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        master = (np.concatenate(self.masters) if self.masters
                  else np.zeros((0, MASTER_LEN), dtype=np.uint8))
        err = np.concatenate(self.errs) if self.errs else np.zeros((0, ERROR_LEN), dtype=np.uint8)
        return master, err


# --------------------------------------------------------------------------- reading order
def _first_high_record(block: np.ndarray) -> int | None:
    """Index of the first record whose key (bytes 0-17) is HIGH-VALUES, or None."""
    if not len(block):
        return None
    cand = np.flatnonzero(block[:, 0] == 0xFF)
    if cand.size:
        hit = cand[(block[cand, :18] == 0xFF).all(axis=1)]
        if hit.size:
            return int(hit[0])
    return None


def _record_keys(block: np.ndarray):
    """bisect's view of sorted records: index -> key bytes."""
    return lambda i: block[i, :18].tobytes()


def _scan_transactions(T: np.ndarray, t_rest: int, step: int = SCAN_RECORDS):
    """How far TRAN-IN is read (a HIGH-VALUES key ends it) and its first abnormal end
    in reading order: (t_last_read, t_high, abend) with abend (k, "seq") for record
    k+1 below the one before it on NT-KEY, NT-SHUNYU-BI, NT-RENBAN, or (n, "len") for
    a last record of the wrong length. A block of records at a time."""
    n = len(T)
    t_high = None
    for a in range(0, n, step):
        hit = _first_high_record(T[a:a + step])
        if hit is not None:
            t_high = a + hit
            break
    t_last_read = n if t_high is None else t_high
    stop = min(t_last_read + 1, n)               # the HIGH-VALUES record is read too
    for a in range(0, max(stop - 1, 0), step):
        sk = key_view(T[a:min(a + step + 1, stop)], NT_SORT)    # one record of overlap
        bad = np.flatnonzero(sk[1:] < sk[:-1])
        if bad.size:
            return t_last_read, t_high, (a + int(bad[0]) + 1, "seq")
    if t_rest and t_high is None:
        return t_last_read, t_high, (n, "len")
    return t_last_read, t_high, None


def _max_key(M: np.ndarray, stop: int, step: int = SCAN_RECORDS) -> bytes:
    """The highest SH-KEY (as bytes) of records 0..stop-1."""
    best = None
    for a in range(0, stop, step):
        keys = key_view(M[a:min(a + step, stop)], SH_KEY)
        i = int(keys.argmax())
        k = M[a + i, :18].tobytes()
        best = k if best is None or k > best else best
    return best


def _check_reading_order(M, T, m_rest: int, t_rest: int, cs: Charset, dds: dict):
    """The abnormal ends that reading both inputs to the end would meet, the earliest
    in time first (as the balance line reads them); when there is none, how many
    transactions are read (a HIGH-VALUES key ends TRAN-IN)."""
    nm_full = len(M)
    t_last_read, t_high, tran_abend = _scan_transactions(T, t_rest)
    if m_rest and _first_high_record(M) is None:
        # the short last master is read when the balance line needs the next master
        j = nm_full
        if j == 0:
            c = -1
        else:
            limit = tran_abend[0] if tran_abend else t_last_read
            tkey = _record_keys(T)
            c = bisect.bisect_left(range(limit), M[j - 1, :18].tobytes(), key=tkey)
            if j >= 2:
                c = max(c, bisect.bisect_right(range(limit), _max_key(M, j - 1), key=tkey))
        if tran_abend is None or c < tran_abend[0]:
            raise wrong_length("MASTER-IN", j + 1, dds["MASTER-IN"])
    if tran_abend:
        k, kind = tran_abend
        if kind == "len":
            raise wrong_length("TRAN-IN", k + 1, dds["TRAN-IN"])
        prev, cur = T[k - 1], T[k]

        def show(r):
            return (f"NT-KEY {cs.show(r[NT_KEY].tobytes())} NT-SHUNYU-BI "
                    f"{cs.show(r[NT_SHUNYU].tobytes())} NT-RENBAN {cs.show(r[47:55].tobytes())}")
        raise Abend(f"SEQUENCE ERROR ON TRAN-IN AT RECORD {recno(k + 1)}",
                     "  PREVIOUS: " + show(prev), "  CURRENT:  " + show(cur))
    return t_last_read


# --------------------------------------------------------------------------- the run
@dataclass
class _Carry:
    """What one chunk hands the next: the highest master key read so far (bytes),
    the control totals as the accumulators hold them, and the rejected count."""
    high_key: bytes | None
    totals: Totals
    rejected: int = 0


def _process(mbytes: np.ndarray, tbytes: np.ndarray, parm8: str, cs: Charset,
             convention: str, dds: dict, sink, chunk: int) -> PostingResult:
    """The run, streamed by key range: MASTER-IN in chunks of `chunk` records, each
    with the transactions whose keys fall in its range (above the highest key of
    the chunks before, up to its own highest), so memory beyond the mapped inputs
    is a chunk's whatever the master's size. The balance line, validation,
    postings and control totals carry over from chunk to chunk exactly. The next
    chunk is prepared (keys, input totals, field checks) on a second thread while
    this one is posted."""
    mbytes, tbytes = np.asarray(mbytes), np.asarray(tbytes)    # plain views of a memmap
    nm_full, m_rest = divmod(len(mbytes), MASTER_LEN)
    nt_full, t_rest = divmod(len(tbytes), TRAN_LEN)
    M = mbytes[: nm_full * MASTER_LEN].reshape(nm_full, MASTER_LEN)
    T = tbytes[: nt_full * TRAN_LEN].reshape(nt_full, TRAN_LEN)

    def prepare(a: int, t_start: int, high_before: bytes | None, tran: np.ndarray) -> _Chunk:
        size = first_chunk(chunk) if a == 0 else chunk
        return _prepare(M, tran, a, size, t_start, high_before, parm8, cs, convention)

    carry = _Carry(None, Totals())
    done = None                 # the chunk before: posted and written
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the first chunk is prepared while the reading order is checked, with TRAN-IN
        # as it is (prepared again in the rare case that a HIGH-VALUES key ends it)
        next_chunk = pool.submit(prepare, 0, 0, None, T)
        t_last_read = _check_reading_order(M, T, m_rest, t_rest, cs, dds)
        if t_last_read < len(T):
            T = T[:t_last_read]
            next_chunk = pool.submit(prepare, 0, 0, None, T)
        _release(tbytes, 0, len(tbytes))        # read again a chunk at a time
        while True:
            ch = next_chunk.result()
            if not ch.last:
                next_chunk = pool.submit(prepare, ch.stop, ch.t_stop, ch.high_key, T)
            _post_chunk(ch, carry, parm8, cs, sink)        # waits for the write of `done`
            carry.high_key = ch.high_key
            if done is not None:
                _release(mbytes, done.start * MASTER_LEN, done.stop * MASTER_LEN)
                _release(tbytes, done.t_start * TRAN_LEN, done.t_stop * TRAN_LEN)
            done = ch
            if ch.last:
                break

    tot = carry.totals
    tot.master_read = ch.stop + (1 if ch.high_values else 0)
    tot.master_written = ch.stop
    for r in range(7):
        tot.read[r] %= COUNT_MOD
        tot.posted[r] %= COUNT_MOD
        tot.rejected[r] %= COUNT_MOD
        tot.by_reason[r] = [x % COUNT_MOD for x in tot.by_reason[r]]
    master_out, error_out = sink.result()
    return PostingResult(4 if carry.rejected else 0, None, master_out, error_out, [], tot)


@dataclass
class _Chunk:
    """A chunk of masters (records start..stop-1) and its transactions (t_start..
    t_stop-1), with what can be known of them before the balance line: the master
    keys (integers, or None when a key is not all digits), the highest master key so
    far (bytes), the packed control-total fields' (magnitude, sum) as read, and the
    transactions' field checks. `last`: MASTER-IN ends with it (at end of file or
    a HIGH-VALUES key, `high_values`)."""
    start: int
    stop: int
    master: np.ndarray
    keys: np.ndarray | None
    high_key: bytes | None
    sums: dict
    t_start: int
    t_stop: int
    tran: np.ndarray
    checks: dict
    last: bool
    high_values: bool


def _prepare(M, T, a: int, chunk: int, t_start: int, high_before: bytes | None, parm8: str,
             cs: Charset, convention: str) -> _Chunk:
    b = min(a + chunk, len(M))
    block = M[a:b]
    # the keys and the totals' fields in one pass over the chunk
    fields = decode_many(block, [(_digits_codec(18, cs.zone), SH_KEY.start)]
                         + [(_packed_codec(sl.stop - sl.start), sl.start) for sl in TOTAL_FIELDS])
    hit = None
    if fields[0][1].any():              # digits are never HIGH-VALUES
        hit = _first_high_record(block)
        if hit is not None:
            b = a + hit
            block = block[:hit]
            fields = [(value[:hit], bad[:hit]) for value, bad in fields]
    keys = None if fields[0][1].any() else fields[0][0]
    high = None
    if len(block):
        i = int((keys if keys is not None else key_view(block, SH_KEY)).argmax())
        high = block[i, :18].tobytes()
    if high_before is not None and (high is None or high_before > high):
        high = high_before
    last = hit is not None or b >= len(M)
    if last:
        t_stop = len(T)
    elif high is None:
        t_stop = t_start
    else:
        t_stop = bisect.bisect_right(range(len(T)), high, lo=t_start, key=_record_keys(T))
    sums = {sl.start: (exact_sum(np.abs(value)), exact_sum(value))
            for sl, (value, _) in zip(TOTAL_FIELDS, fields[1:])}
    tran = T[t_start:t_stop]
    return _Chunk(a, b, block, keys, high, sums, t_start, t_stop, tran,
                  _check_fields(tran, parm8, cs, convention), last, hit is not None)


def _check_fields(T: np.ndarray, parm8: str, cs: Charset, convention: str) -> dict:
    """The transactions' keys (integers, None when one is not all digits) and field
    checks (IV, DT, CH), their fields decoded in one pass."""
    (tkeys, key_bad), (nofu, nofu_bad), (entai, entai_bad), (date, date_bad) = decode_many(T, [
        (_digits_codec(18, cs.zone), NT_KEY.start),
        (_signed_codec(NT_NOFU.stop - NT_NOFU.start, convention), NT_NOFU.start),
        (_signed_codec(NT_ENTAI.stop - NT_ENTAI.start, convention), NT_ENTAI.start),
        (_digits_codec(8, cs.zone), NT_SHUNYU.start)])
    date_ok = date_valid(date, ~date_bad) & (date <= int(parm8))
    ch = T[:, NT_CHANNEL]
    ch_ok = (ch >= cs.zone + 1) & (ch <= cs.zone + 5)
    return dict(tkeys=None if key_bad.any() else tkeys, nofu_ok=~nofu_bad, nofu=nofu,
                entai_ok=~entai_bad, entai=entai, date=date, date_cols=T[:, NT_SHUNYU],
                date_ok=date_ok, ch=ch, ch_ok=ch_ok)


def _chunk_keys(ch: _Chunk, high_before: bytes | None, zone: int):
    """The chunk's master keys, its transactions' keys and the highest key before it,
    all as integers when every one is digits, else all as bytes (same order)."""
    tkeys = ch.checks["tkeys"] if ch.keys is not None else None
    before = None
    if high_before is not None and tkeys is not None:
        before = digit_keys(np.frombuffer(high_before, dtype=np.uint8).reshape(1, 18), zone)
    if tkeys is not None and (high_before is None or before is not None):
        return ch.keys, tkeys, None if before is None else before[0]
    before = None if high_before is None else np.array([high_before], dtype="S18")[0]
    return key_view(ch.master, SH_KEY), key_view(ch.tran, NT_KEY), before


def _eligible(mkeys: np.ndarray, before) -> np.ndarray | None:
    """The balance line with MASTER-IN order unchecked: master i takes key k iff
    M[i] == k and M[i] is above every earlier master key (`before`: the highest key of
    the chunks before). Indices of the eligible masters; None when all are."""
    n = len(mkeys)
    if not n or ((before is None or mkeys[0] > before) and _ascending(mkeys)):
        return None
    keys = mkeys if before is None else np.concatenate([np.array([before], dtype=mkeys.dtype), mkeys])
    _, inv = np.unique(keys, return_inverse=True)
    rank = inv.ravel().astype(np.int64)
    prior = np.maximum.accumulate(rank)
    eligible = rank[1:] > prior[:-1]
    if before is None:
        eligible = np.r_[True, eligible]
    return np.flatnonzero(eligible)


def _post_chunk(part: _Chunk, carry: _Carry, parm8, cs, sink) -> None:
    """One chunk of masters with its transactions: the balance line, validation,
    postings, its outputs written and its control totals added to the carry."""
    tot = carry.totals
    base, T, checks = part.master, part.tran, part.checks
    mkeys, tkeys, before = _chunk_keys(part, carry.high_key, cs.zone)
    elig_idx = _eligible(mkeys, before)
    ekeys = mkeys if elig_idx is None else mkeys[elig_idx]
    pos = np.searchsorted(ekeys, tkeys, side="left")
    pos_c = np.minimum(pos, max(len(ekeys) - 1, 0))
    found = (pos < len(ekeys)) & (ekeys[pos_c] == tkeys) if len(ekeys) else np.zeros(len(T), bool)
    midx = pos_c if elig_idx is None or not len(elig_idx) else elig_idx[pos_c]

    # --- validation, in the legacy's order
    nofu_ok, nofu, entai_ok, entai = (checks[k] for k in ("nofu_ok", "nofu", "entai_ok", "entai"))
    date, date_cols, date_ok = checks["date"], checks["date_cols"], checks["date_ok"]
    ch, ch_ok = checks["ch"], checks["ch_ok"]
    nine = cs.text("9")[0]
    cancelled = np.zeros(len(T), dtype=bool)
    if len(T):
        cancelled[found] = base[midx[found], SH_JOTAI] == nine
    reason = np.select([~(nofu_ok & entai_ok), ~date_ok, ~ch_ok, ~found, cancelled],
                       [1, 2, 3, 4, 5], default=0).astype(np.int64)
    row = np.where(ch_ok, ch.astype(np.int64) - (cs.zone + 1), 5)

    # --- control totals by channel, carried on
    posted = reason == 0
    read_by_row = np.bincount(row, minlength=6)
    posted_by_row = np.bincount(row[posted], minlength=6)
    rej_by = np.bincount(row * 6 + reason, minlength=36).reshape(6, 6)
    for r in range(6):
        tot.read[r] += int(read_by_row[r])
        tot.posted[r] += int(posted_by_row[r])
        tot.rejected[r] += int(rej_by[r, 1:].sum())
        tot.by_reason[r] = [x + int(y) for x, y in zip(tot.by_reason[r], rej_by[r, 1:])]
        if posted_by_row[r]:
            tot.posted_amount[r] = running_total(nofu[posted & (row == r)], TOTAL_MOD,
                                                 tot.posted_amount[r])
    n_rej = len(T) - int(posted.sum())
    tot.read[6] += len(T)
    tot.posted[6] += len(T) - n_rej
    tot.rejected[6] += n_rej
    tot.by_reason[6] = [x + int(y) for x, y in zip(tot.by_reason[6], rej_by[:, 1:].sum(axis=0))]
    tot.posted_amount[6] = running_total(nofu[posted], TOTAL_MOD, tot.posted_amount[6])
    carry.rejected += n_rej

    # --- postings, per master
    if posted.any():
        rows, rec, changes = _apply_postings(base, midx[posted], nofu[posted], entai[posted],
                                             date[posted], date_cols[posted],
                                             ch[posted] == cs.zone + 4, parm8, cs)
    else:
        rows, rec = np.zeros(0, dtype=np.int64), np.zeros((0, MASTER_LEN), dtype=np.uint8)
        changes = {sl.start: (np.zeros(0, dtype=np.int64),) * 2 for sl in TOTAL_FIELDS}
    tot.master_updated += len(rows)

    # --- master totals over MASTER-OUT: the input's, less the posted rows' old values,
    # plus their new ones, whenever no running sum can reach the limit
    for name, sl in (("chotei_sum", SH_CHOTEI), ("nofu_sum", SH_NOFU), ("kanpu_sum", SH_KANPU)):
        start = getattr(tot, name)
        new, old = changes[sl.start]
        magnitude, total_in = part.sums[sl.start]
        if abs(start) + magnitude + int(np.abs(new).sum()) < TOTAL_MOD:
            setattr(tot, name, start + total_in - int(old.sum()) + int(new.sum()))
        else:                                       # could overflow: replay
            out = np.array(base[:, sl])
            out[rows] = rec[:, sl]
            setattr(tot, name, running_total(packed_values(out)[0], TOTAL_MOD, start))

    # --- the outputs: the master chunk with its posted rows, the rejected transactions
    rej = np.flatnonzero(~posted)
    err = np.full((rej.size, ERROR_LEN), cs.space, dtype=np.uint8)
    err[:, :TRAN_LEN] = T[rej]
    codes = np.array([list(cs.text(r)) for r in ("  ",) + REASONS], dtype=np.uint8)
    err[:, 60:62] = codes[reason[rej]]
    sink.write_chunk(base, rows, rec, err)


def _ascending(keys: np.ndarray) -> bool:
    return bool((keys[1:] > keys[:-1]).all()) if keys.size > 1 else True


# --------------------------------------------------------------------------- posting
def _apply_postings(base: np.ndarray, midx: np.ndarray, amount: np.ndarray, fee: np.ndarray,
                    date: np.ndarray, date_cols: np.ndarray, kofuri: np.ndarray,
                    parm8: str, cs: Charset) -> None:
    """Post the valid transactions (in file order, grouped by master): the indices
    of the masters they reach, those records as they are written, and the totals'
    fields of those records: {offset: (new values, old values)}. midx is
    non-decreasing."""
    starts = np.flatnonzero(np.r_[True, midx[1:] != midx[:-1]])
    rows = midx[starts]
    g = len(rows)
    sizes = np.diff(np.r_[starts, len(midx)])
    group = np.repeat(np.arange(g), sizes)

    rec = base[rows]
    (chotei, _), (nofu0, _), (kanpu0, _), (entai0, _) = decode_many(
        rec, [(_packed_codec(sl.stop - sl.start), sl.start) for sl in (*TOTAL_FIELDS, SH_ENTAI)])
    nofu0_neg = (rec[:, SH_NOFU.stop - 1] & 0x0F) == 0x0D
    entai0_neg = (rec[:, SH_ENTAI.stop - 1] & 0x0F) == 0x0D
    kraw = rec[:, SH_KAISU].astype(np.int64)
    knib = np.stack([kraw[:, 0] >> 4, kraw[:, 0] & 15, kraw[:, 1] >> 4, kraw[:, 1] & 15], axis=1)
    kaisu0 = knib[:, 0] * 100 + knib[:, 1] * 10 + knib[:, 2]
    kaisu_clean = (knib[:, 3] == 0x0F) & (knib[:, :3] <= 9).all(axis=1)
    step = np.sign(amount)

    nofu, nofu_neg = nofu0.copy(), nofu0_neg.copy()
    entai, entai_neg = entai0.copy(), entai0_neg.copy()
    kaisu_written = np.zeros(g, dtype=bool)

    # closed form where no ADD overflows and no count is held at 0 or 999
    def exact(start, inc, mod):
        csum = np.cumsum(inc)
        base = np.repeat(csum[starts] - inc[starts], sizes)
        prefix = start[group] + (csum - base)
        ok = np.logical_and.reduceat(np.abs(prefix) < mod, starts)
        return ok, start + np.add.reduceat(inc, starts)

    nofu_ok, nofu_fin = exact(nofu0, amount, NOFU_MOD)
    entai_ok, entai_fin = exact(entai0, fee, ENTAI_MOD)
    csum = np.cumsum(step)
    base = np.repeat(csum[starts] - step[starts], sizes)
    k_before = kaisu0[group] + (csum - step - base)
    step_ok = (step == 0) | ((step > 0) & (k_before < 999)) | ((step < 0) & (k_before > 0))
    kaisu_ok = np.logical_and.reduceat(step_ok, starts) & kaisu_clean

    easy = nofu_ok & entai_ok & kaisu_ok
    nofu[easy] = nofu_fin[easy]
    nofu_neg[easy] = nofu_fin[easy] < 0
    entai[easy] = entai_fin[easy]
    entai_neg[easy] = entai_fin[easy] < 0
    kfinal = kaisu0 + np.add.reduceat(step, starts)
    knib[easy, 0], knib[easy, 1], knib[easy, 2] = kfinal[easy] // 100, kfinal[easy] // 10 % 10, kfinal[easy] % 10
    kaisu_written[easy] = np.logical_or.reduceat(step != 0, starts)[easy]

    hard = np.flatnonzero(~easy)
    if hard.size:
        _replay(hard, starts, sizes, amount, fee, step, nofu, nofu_neg, entai, entai_neg,
                knib, kaisu_written)

    # receipt date: the latest of a payment's dates, when later than the master's (bytes)
    pay = step > 0
    latest = np.maximum.reduceat(np.where(pay, date, -1), starts)
    has_pay = latest >= 0
    new_date = digits_encode(np.maximum(latest, 0), 8, cs.zone)
    old_date = np.ascontiguousarray(rec[:, SH_SHUNYU]).view("S8").ravel()
    moved = has_pay & (new_date.view("S8").ravel() > old_date)
    rec[moved, SH_SHUNYU] = new_date[moved]

    any_kofuri = np.logical_or.reduceat(kofuri, starts)
    rec[any_kofuri, SH_KOFURI] = cs.text("1")[0]

    rec[:, SH_NOFU] = packed_encode(nofu, nofu_neg, 6)
    rec[:, SH_ENTAI] = packed_encode(entai, entai_neg, 5)
    kw = kaisu_written
    rec[kw, SH_KAISU.start] = (knib[kw, 0] << 4 | knib[kw, 1]).astype(np.uint8)
    rec[kw, SH_KAISU.start + 1] = (knib[kw, 2] << 4 | knib[kw, 3]).astype(np.uint8)
    # 6000: update date, status, refund
    rec[:, SH_KOSHIN] = np.frombuffer(cs.text(parm8), dtype=np.uint8)
    status = np.select([nofu <= 0, nofu < chotei, nofu == chotei], [0, 1, 2], 3)
    rec[:, SH_JOTAI] = np.frombuffer(cs.text("0123"), dtype=np.uint8)[status]
    refund = np.where(nofu > chotei, nofu - chotei, 0)
    refund %= NOFU_MOD
    rec[:, SH_KANPU] = packed_encode(refund, np.zeros(g, bool), 6)
    return rows, rec, {SH_CHOTEI.start: (chotei, chotei), SH_NOFU.start: (nofu, nofu0),
                       SH_KANPU.start: (refund, kanpu0)}


LONG_TAIL = 256      # ranks left for the last few keys before they are finished one by one


def _kaisu_step(d2, d1, d0, sg, s):
    """One posting's effect on SH-NOFU-KAISU as GnuCOBOL 3.1 does it (checked byte
    for byte): the tests `< 999` / `> 0` read the packed nibbles as they are, sign
    nibble D negative; ADD 1 works in place on the digit nibbles (carry past 9,
    untouched digits and a sign nibble other than D kept; D becomes F); SUBTRACT 1
    stores the value - 1 afresh with sign F. Arrays in, (d2, d1, d0, sign, ran) out."""
    mag = d2 * 100 + d1 * 10 + d0
    cmp = np.where(sg == 0x0D, -mag, mag)
    up = (s > 0) & (cmp < 999)
    down = (s < 0) & (cmp > 0)
    n0 = d0 + 1
    c = n0 >= 10
    n0 = n0 - 10 * c
    n1 = d1 + c
    c = n1 >= 10
    n1 = n1 - 10 * c
    n2 = d2 + c
    n2 = n2 - 10 * (n2 >= 10)
    m = (mag - 1) % 1000
    return (np.where(up, n2, np.where(down, m // 100, d2)),
            np.where(up, n1, np.where(down, m // 10 % 10, d1)),
            np.where(up, n0, np.where(down, m % 10, d0)),
            np.where(down | (up & (sg == 0x0D)), 0x0F, sg),
            up | down)


def _replay(hard, starts, sizes, amount, fee, step, nofu, nofu_neg, entai, entai_neg,
            knib, kaisu_written) -> None:
    """Exact replay of the groups that overflow, clamp or hold odd packed bytes: one
    iteration per rank within the key, vectorised over all such groups at once.
    When only a few keys with many more transactions are left, each is finished
    on its own, vectorised along its transactions (`_finish_key`)."""
    h_start, h_size = starts[hard], sizes[hard]
    v, vn = nofu[hard].copy(), nofu_neg[hard].copy()
    e, en = entai[hard].copy(), entai_neg[hard].copy()
    d2, d1, d0, sg = (knib[hard, i].copy() for i in range(4))
    kw = kaisu_written[hard].copy()
    active = np.arange(hard.size)
    depth = 0
    while active.size:
        if active.size <= 8 and int(h_size[active].max()) - depth > LONG_TAIL:
            for j in active.tolist():
                lo, hi = int(h_start[j]) + depth, int(h_start[j] + h_size[j])
                v[j], vn[j] = _truncating_sum(v[j], vn[j], amount[lo:hi], NOFU_MOD)
                e[j], en[j] = _truncating_sum(e[j], en[j], fee[lo:hi], ENTAI_MOD)
                (d2[j], d1[j], d0[j], sg[j]), ran = _kaisu_run((d2[j], d1[j], d0[j], sg[j]),
                                                               step[lo:hi])
                kw[j] |= ran
            break
        idx = h_start[active] + depth
        t = v[active] + amount[idx]
        v[active], vn[active] = truncate(t, NOFU_MOD), t < 0
        t = e[active] + fee[idx]
        e[active], en[active] = truncate(t, ENTAI_MOD), t < 0
        d2[active], d1[active], d0[active], sg[active], ran = _kaisu_step(
            d2[active], d1[active], d0[active], sg[active], step[idx])
        kw[active] |= ran
        depth += 1
        active = active[h_size[active] > depth]
    nofu[hard], nofu_neg[hard] = v, vn
    entai[hard], entai_neg[hard] = e, en
    for i, arr in enumerate((d2, d1, d0, sg)):
        knib[hard, i] = arr
    kaisu_written[hard] = kw


def _truncating_sum(start, start_neg, incs: np.ndarray, mod: int) -> tuple[int, bool]:
    """ADD each of incs in turn to start, truncating: (value, sign of the last true
    result). Cumulative sums over growing windows, restarted after each overflow;
    when overflows come every few postings (no real data does that) the rest is
    added one by one."""
    cur, neg, pos, n = int(start), bool(start_neg), 0, len(incs)
    window, overflows = 64, 0
    while pos < n:
        if overflows >= 64 and pos < 32 * overflows:           # overflowing all the time
            for x in incs[pos:].tolist():
                t = cur + x
                cur, neg = (1 if t >= 0 else -1) * (abs(t) % mod), t < 0
            return cur, neg
        p = cur + np.cumsum(incs[pos:pos + window])
        over = np.flatnonzero(np.abs(p) >= mod)
        if not over.size:
            cur, neg = int(p[-1]), bool(p[-1] < 0)
            pos += len(p)
            window = min(window * 2, 1 << 16)
            continue
        t = int(p[over[0]])
        cur, neg = (1 if t >= 0 else -1) * (abs(t) % mod), t < 0
        pos += int(over[0]) + 1
        overflows += 1
        window = 64
    return cur, neg


def _kaisu_run(nib, steps: np.ndarray):
    """SH-NOFU-KAISU after many postings on one key: odd packed bytes stepped through
    one executed posting at a time (no-op postings skipped in bulk) until they are
    plain digits, then the walk held in 0..999 as a prefix scan."""
    d2, d1, d0, sg = (int(x) for x in nib)
    ran, pos, n = False, 0, len(steps)
    while pos < n and (max(d2, d1, d0) > 9 or sg == 0x0D):
        mag = d2 * 100 + d1 * 10 + d0
        cmp = -mag if sg == 0x0D else mag
        rest = steps[pos:]
        runs = rest < 0 if cmp >= 999 else rest > 0 if cmp <= 0 else rest != 0
        nxt = np.flatnonzero(runs)
        if not nxt.size:
            return (d2, d1, d0, sg), ran
        pos += int(nxt[0])
        out = _kaisu_step(*(np.array([x]) for x in (d2, d1, d0, sg)), steps[pos:pos + 1])
        d2, d1, d0, sg = (int(x[0]) for x in out[:4])
        ran |= bool(out[4][0])
        pos += 1
    if pos >= n:
        return (d2, d1, d0, sg), ran
    rest = steps[pos:]
    x0 = d2 * 100 + d1 * 10 + d0
    states = clip_walk(x0, rest, 0, 999)
    before = np.r_[x0, states[:-1]]
    executed = ((rest > 0) & (before < 999)) | ((rest < 0) & (before > 0))
    if ((rest < 0) & executed).any():
        sg = 0x0F
    x = int(states[-1])
    return (x // 100, x // 10 % 10, x % 10, sg), ran or bool(executed.any())


def clip_walk(x0: int, steps: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """States of x -> clip(x + step, lo, hi) applied in turn, by a prefix scan of the
    maps z -> clip(z + a, l, h), which compose into maps of the same form."""
    a = steps.astype(np.int64)
    lo_ = np.full(len(a), lo, dtype=np.int64)
    hi_ = np.full(len(a), hi, dtype=np.int64)
    shift = 1
    while shift < len(a):
        a1, l1, h1 = a[:-shift], lo_[:-shift], hi_[:-shift]      # the earlier maps
        a2, l2, h2 = a[shift:], lo_[shift:], hi_[shift:]         # then these
        a = np.r_[a[:shift], a1 + a2]
        lo_, hi_ = (np.r_[lo_[:shift], np.minimum(np.maximum(l1 + a2, l2), h2)],
                    np.r_[hi_[:shift], np.minimum(np.maximum(h1 + a2, l2), h2)])
        shift *= 2
    return np.minimum(np.maximum(x0 + a, lo_), hi_)


# --------------------------------------------------------------------------- job step
def run_partitioned(step, executor) -> int:
    """The step on a cluster: by key range (jobs.collection.shuno01_cluster)."""
    from jobs.collection.shuno01_cluster import run_by_key_range
    return run_by_key_range(step, executor)


def run(step) -> int:
    """The job step: DDs MASTER-IN, TRAN-IN, MASTER-OUT, ERROR-OUT, REPORT; PARM date.
    A DD missing from the step ends it with RC 16, as the legacy does."""
    def dd(name):
        return step.dd(name) if step.has_dd(name) else None

    mi, ti, mo, eo, rp = (dd(n) for n in ("MASTER-IN", "TRAN-IN", "MASTER-OUT", "ERROR-OUT",
                                          "REPORT"))
    data_dd = next((d for d in (mi, ti, mo, eo) if d is not None), None)
    encoding = getattr(data_dd, "encoding", None) or "ascii"
    dialect = getattr(data_dd, "dialect", None)
    result = post(master_in=None if mi is None else list(mi.paths),
                  tran_in=None if ti is None else list(ti.paths),
                  master_out=None if mo is None else mo.path,
                  error_out=None if eo is None else eo.path,
                  report=None if rp is None else rp.path,
                  parm=step.parm, encoding=encoding, dialect=dialect)
    for line in result.messages:
        step.log(line)
    if rp is not None and result.report is not None:
        rp.count(written=len(result.report))
    if result.rc < 16:
        t = result.totals
        mi.count(read=t.master_read)
        ti.count(read=t.read[6])
        mo.count(written=t.master_written)
        eo.count(written=t.rejected[6])
        step.log(f"{PROGRAM} MASTER READ {t.master_read}, UPDATED {t.master_updated}, "
                 f"WRITTEN {t.master_written}; TRANSACTIONS READ {t.read[6]}, "
                 f"POSTED {t.posted[6]}, REJECTED {t.rejected[6]}; RC {result.rc}")
    return result.rc
