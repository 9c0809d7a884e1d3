      *----------------------------------------------------------------
      * ZENTRL  -  Zengin account-transfer file, trailer record
      * (データ区分 8), 120 bytes. In a request the 済 / 不能 fields
      * are zero; in a result 済 + 不能 = 合計.
      *----------------------------------------------------------------
       01  ZENGIN-TRAILER.
      *    データ区分 '8'                                    byte 1
           05  ZT-DATA-KUBUN        PIC X(1).
      *    合計件数 / 合計金額                                  2-19
           05  ZT-GOKEI-KENSU       PIC 9(6).
           05  ZT-GOKEI-KINGAKU     PIC 9(12).
      *    振替済件数 / 振替済金額                              20-37
           05  ZT-FURIKAEZUMI-KENSU PIC 9(6).
           05  ZT-FURIKAEZUMI-KINGAKU PIC 9(12).
      *    振替不能件数 / 振替不能金額                          38-55
           05  ZT-FUNO-KENSU        PIC 9(6).
           05  ZT-FUNO-KINGAKU      PIC 9(12).
      *    spaces                                              56-120
           05  FILLER               PIC X(65).
