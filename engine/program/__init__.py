"""The record-program toolkit: the building blocks COBOL batch programs are made of,
as vectorised Polars / NumPy operations with COBOL's exact semantics.

| module | what |
|---|---|
| `step`        | a program step's DDs as record arrays / Polars frames in, bytes out, counts for the job log |
| `records`     | fixed-width records as a (n, lrecl) byte matrix seen through a copybook: fields, class tests, values |
| `keys`        | byte-order keys: comparing, ranking and matching fixed-width keys exactly as COBOL compares them |
| `arithmetic`  | fixed point: truncation to a PICTURE, ROUNDED, truncation to 10/100/1,000 yen |
| `dates`       | YYYYMMDD numbers: calendar validity, day counts, month ends, adding months, ages |
| `validation`  | checks in the legacy's order, the first failure's reason code; reject records |
| `sequence`    | sequence checks that stop where the legacy stops (the first record out of order) |
| `matching`    | two-file matching by key; control breaks and group totals |
| `balance_line`| the balance-line master update: add / change / delete, several transactions per key |
| `printfile`   | print files (帳票): headings, details, edited numbers, pages, trailers; text and PDF |
| `control_report` | the control-total report: return-code line, the abnormal-end block |
| `legacy_shell` | around the rules: DDs opened in the legacy's order, GnuCOBOL's file statuses, RC 16 abends |

A migrated program imports what it needs; each module works on plain NumPy
arrays and Polars frames and knows nothing about any one job.
"""
