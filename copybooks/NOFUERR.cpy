      *----------------------------------------------------------------
      * NOFUERR  -  a transaction SHUNO01 did not post, 80 bytes
      * The NOFUTRN record exactly as it was read, the reason it was
      * turned away, then blanks. Written in the order read.
      *----------------------------------------------------------------
       01  NOFUERR-REC.
      *    the rejected NOFUTRN record                        bytes 1-60
           05  ER-NOFUTRN                  PIC X(60).
      *    why (エラー理由), the first check that failed      61-62
           05  ER-REASON                   PIC X(2).
      *        amount or late fee is not a signed zoned number
               88  ER-REASON-IV                VALUE 'IV'.
      *        receipt date not a real date, or after the PARM date
               88  ER-REASON-DT                VALUE 'DT'.
      *        channel outside '1' to '5'
               88  ER-REASON-CH                VALUE 'CH'.
      *        no master record with this key
               88  ER-REASON-NF                VALUE 'NF'.
      *        the notice was cancelled (SH-JOTAI '9')
               88  ER-REASON-CX                VALUE 'CX'.
      *    blanks                                             63-80
           05  ER-FILLER                   PIC X(18).
