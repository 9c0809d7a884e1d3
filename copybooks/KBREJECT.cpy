      *----------------------------------------------------------------
      * KBREJECT  -  convenience-store payment rejected, fixed 80 bytes
      * One record per payment record of an agent's file that cannot
      * be posted, in file order.
      *----------------------------------------------------------------
       01  KBREJECT-REC.
      *    agent (収納代行) name from the configuration        bytes 1-8
           05  KR-AGENT                    PIC X(8).
      *    record number in the agent's file                    9-16
           05  KR-RECORD-NO                PIC 9(8).
      *    reason: BC form, CD check digit, KG company code,    17-18
      *    KY item key, AM amount, DT date paid, DL deadline
           05  KR-REASON                   PIC X(2).
      *    the barcode as read                                 19-62
           05  KR-BARCODE                  PIC X(44).
      *    date paid as read                                   63-70
           05  KR-SHUNO-BI                 PIC X(8).
      *    spaces                                              71-80
           05  FILLER                      PIC X(10).
