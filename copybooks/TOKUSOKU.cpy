      *----------------------------------------------------------------
      * TOKUSOKU  -  reminder notice (督促状データ), fixed 80 bytes
      * One record per item reminded in the run, in master (SH-KEY)
      * order. Yen amounts in unsigned zoned decimal.
      *----------------------------------------------------------------
       01  TOKUSOKU-REC.
      *    SH-KEY of the collection item                    bytes 1-18
           05  TK-KEY                      PIC X(18).
      *    payer (個人番号)                                   19-28
           05  TK-KOJIN-NO                 PIC 9(10).
      *    due date (納期限) YYYYMMDD                         29-36
           05  TK-NOKIGEN                  PIC 9(8).
      *    unpaid (未納額) = SH-CHOTEI-GAKU - SH-NOFU-GAKU    37-48
           05  TK-MINO-GAKU                PIC 9(12).
      *    reminder fee (督促手数料) from the PARM            49-52
           05  TK-TESURYO                  PIC 9(4).
      *    late fee (延滞金) up to the processing date        53-64
           05  TK-ENTAI-GAKU               PIC 9(12).
      *    reminder date (督促日) = the processing date       65-72
           05  TK-TOKUSOKU-BI              PIC 9(8).
      *    spaces                                             73-80
           05  FILLER                      PIC X(8).
