      *----------------------------------------------------------------
      * KOTEIERR  -  rejected land or house record, fixed 120 bytes
      * Written by KOTEI01 in processing order: owner by owner, the
      * land records of an owner before his houses, each as read.
      *----------------------------------------------------------------
       01  KOTEIERR-REC.
      *    the TOCHIMST or KAOKUMST record, byte for byte     bytes 1-100
           05  KE-RECORD                   PIC X(100).
      *    where it came from: 'T' LAND-IN, 'K' HOUSE-IN      101
           05  KE-SOURCE                   PIC X(1).
               88  KE-SOURCE-TOCHI             VALUE 'T'.
               88  KE-SOURCE-KAOKU             VALUE 'K'.
      *    reason: IV not digits, NT bad non-taxable flag,
      *    RC bad residential class (land only)               102-103
           05  KE-REASON                   PIC X(2).
               88  KE-REASON-IV                VALUE 'IV'.
               88  KE-REASON-NT                VALUE 'NT'.
               88  KE-REASON-RC                VALUE 'RC'.
      *    unused (spaces)                                    104-120
           05  KE-FILLER                   PIC X(17).
