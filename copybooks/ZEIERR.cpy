      *----------------------------------------------------------------
      * ZEIERR  -  rejected tax-master record, fixed 120 bytes
      * Written by KEIJI01 and JUMIN01 in master order: the record as
      * read and the reason of its first failed check.
      *----------------------------------------------------------------
       01  ZEIERR-REC.
      *    the master record, byte for byte                  bytes 1-100
           05  ZE-RECORD                   PIC X(100).
      *    reason: IV not digits; KEIJI01: CL unknown class, DT bad
      *    date, FL bad flag; JUMIN01: CK bad collection kind,
      *    FL bad flag                                        101-102
           05  ZE-REASON                   PIC X(2).
      *    unused (spaces)                                    103-120
           05  FILLER                      PIC X(18).
