"""The frame of the tax section's new assessment programs (KEIJI01, JUMIN01), in the
conventions of the legacy ones: PARM fiscal year + processing date, the report
opened first with a page header, abnormal ends (RC 16) with their message in the
report and on the job log, rejected master records with a reason code (first
failure wins), strictly ascending master keys."""
from __future__ import annotations

import numpy as np

from engine.program.control_report import abend_block
from engine.program.dates import is_valid_date
from engine.program.legacy_shell import Abend, Unreadable, allocated, open_output, read_input, recno, wrong_length
from engine.program.sequence import first_out_of_order
from engine.program.validation import first_failure, reject_records


def parse_parm(parm: str | None) -> tuple[int, int]:
    """PARM: fiscal year YYYY + processing date YYYYMMDD; Abend when not valid."""
    text = (parm or "").strip()
    if (len(text) == 12 and text.isdigit() and int(text[:4]) > 0
            and is_valid_date(int(text[4:]))):
        return int(text[:4]), int(text[4:])
    raise Abend(f'PARM IS NOT A VALID FISCAL YEAR YYYY FOLLOWED BY A PROCESSING DATE YYYYMMDD: "{text}"')


class TaxFiles:
    """The report and the outputs of one run; closes them all at the end."""

    def __init__(self, program: str, report, title: str):
        self.program, self.title = program, title
        self.messages: list[str] = []
        self.files: dict = {}
        self.lines: list[bytes] = []
        if not report:
            raise ValueError(f"{program}: DD REPORT is not allocated")
        self.report = open(report, "wb")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.report.write(b"".join(ln[:132].rstrip(b" ") + b"\n" for ln in self.lines))
        for fh in [self.report, *self.files.values()]:
            fh.close()
        return False

    def header(self, nendo: int, date: int) -> None:
        self.lines += [self.program.encode().ljust(28) + self.title.encode().ljust(95) + b"PAGE    1",
                       b" " * 28 + f"FISCAL YEAR (NENDO) {nendo:04d}    PROCESSING DATE (SHORI-BI) "
                       f"{date // 10000:04d}/{date // 100 % 100:02d}/{date % 100:02d}".encode(),
                       b"-" * 132]

    def read_input(self, dd: str, path, lrecl: int) -> np.ndarray:
        """The whole input (legacy shell: OPEN and READ statuses, a wrong-length record)."""
        data = read_input(dd, allocated(dd, path))
        if isinstance(data, Unreadable):
            raise data.error()
        if data.size % lrecl:
            raise Abend(*wrong_length(dd, data.size // lrecl + 1, path).lines,
                        f"  THE FILE SIZE {data.size:,} IS NOT A MULTIPLE OF THE RECORD LENGTH {lrecl}")
        return data

    def open_outputs(self, dds: dict) -> dict:
        for dd, path in dds.items():
            self.files[dd] = open_output(dd, allocated(dd, path))
        return self.files

    def abend(self, ab: Abend) -> None:
        self.messages = ab.log_lines(self.program)
        if not self.lines:
            self.lines = [self.program.encode().ljust(28) + self.title.encode()]
        self.lines += abend_block(ab.encoded(), self._rc_line(16, b"(ABNORMAL END - OUTPUTS MUST NOT BE CATALOGED)"))

    def _rc_line(self, rc: int, text: bytes) -> bytes:
        return f"{self.program} ENDED RETURN CODE{rc:4d}   ".encode() + text


def write_report(tf: TaxFiles, body: list[bytes], rc: int) -> None:
    tf.lines += body + [b"", tf._rc_line(rc, b"(NO RECORD REJECTED)" if rc == 0
                                         else b"(RECORDS REJECTED TO ERROR-OUT)"),
                        b"*** END OF REPORT ***"]


def due_file(data: np.ndarray, count: int) -> list[int]:
    """The NOKIKGN records: exactly `count`, 期別 01.. in order, calendar dates."""
    rows = data.reshape(-1, 20)
    if len(rows) != count:
        raise Abend(f"NOKI-IN MUST HOLD {count} DUE DATE{'S' if count > 1 else ''}, IT HOLDS {len(rows)}")
    for i, r in enumerate(rows, 1):
        b = r.tobytes()
        if not (b[:10].isdigit() and int(b[:2]) == i and is_valid_date(int(b[2:10]))):
            raise Abend(f"NOKI-IN RECORD {i} INVALID: KIBETSU AND A CALENDAR DATE EXPECTED", b'  RECORD: "' + b + b'"')
    return [int(r.tobytes()[2:10]) for r in rows]


def sequence_check(dd: str, keys: np.ndarray) -> None:
    """Keys (n, k) strictly ascending as bytes, else Abend naming the first record out of order."""
    brk = first_out_of_order(keys[1:], strict=True, start=keys[0].tobytes()) if len(keys) > 1 else None
    if brk is not None:
        raise Abend(f"SEQUENCE ERROR ON {dd} AT RECORD {recno(brk.record + 1)} (KEYS MUST BE STRICTLY ASCENDING)",
                    b'  PREVIOUS KEY: "' + brk.previous + b'"', b'  CURRENT KEY:  "' + brk.current + b'"')


def rejected_records(rows: np.ndarray, checks) -> tuple[np.ndarray, bytes]:
    """The reason of each record (the first failed check, '' accepted) and the ZEIERR
    records of the rejected ones: the 100 bytes as read, the reason, spaces."""
    reason = first_failure(checks)
    bad = reason != ""
    return reason, reject_records(rows[bad], reason[bad], 120).tobytes()
