      *----------------------------------------------------------------
      * ENTAIOUT  -  late-fee statement (延滞金見込み), fixed 100 bytes
      * One record per overdue unpaid or partly paid item, reminded
      * now or not, in master (SH-KEY) order. Unsigned zoned decimal.
      *----------------------------------------------------------------
       01  ENTAIOUT-REC.
      *    SH-KEY of the collection item                    bytes 1-18
           05  EO-KEY                      PIC X(18).
      *    payer (個人番号)                                   19-28
           05  EO-KOJIN-NO                 PIC 9(10).
      *    due date (納期限) YYYYMMDD                         29-36
           05  EO-NOKIGEN                  PIC 9(8).
      *    unpaid (未納額)                                    37-48
           05  EO-MINO-GAKU                PIC 9(12).
      *    base (基礎額): unpaid truncated to 1,000 yen       49-60
           05  EO-KISO-GAKU                PIC 9(12).
      *    days at the first rate, up to the one-month end    61-67
           05  EO-NISSU-1                  PIC 9(7).
      *    days at the second rate, 0 when none               68-74
           05  EO-NISSU-2                  PIC 9(7).
      *    late fee (延滞金) up to the processing date        75-86
           05  EO-ENTAI-GAKU               PIC 9(12).
      *    reminder date after the run (督促日), 0 = none     87-94
           05  EO-TOKUSOKU-BI              PIC 9(8).
      *    spaces                                             95-100
           05  FILLER                      PIC X(6).
