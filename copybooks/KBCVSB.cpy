      *----------------------------------------------------------------
      * KBCVSB  -  convenience-store agent B's daily result (確報),
      * fixed 80 bytes, payment records only, date first.
      *----------------------------------------------------------------
       01  KBCVSB-REC.
      *    date paid (収納日) YYYYMMDD                        bytes 1-8
           05  KB-SHUNO-BI                 PIC X(8).
      *    chain and store code                                 9-16
           05  KB-CHAIN-CODE               PIC X(3).
           05  KB-TENPO-CODE               PIC X(5).
      *    the scanned barcode, 44 digits                      17-60
           05  KB-BARCODE                  PIC X(44).
      *    receipt number at the store                         61-72
           05  KB-RECEIPT-NO               PIC X(12).
      *    spaces                                              73-80
           05  FILLER                      PIC X(8).
