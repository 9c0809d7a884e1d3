      * Zengin account transfer: trailer record (データ区分 8), 120 bytes
       01  ZENGIN-TRAILER.
           05  ZT-DATA-KUBUN        PIC X(1).
           05  ZT-GOKEI-KENSU       PIC 9(6).
           05  ZT-GOKEI-KINGAKU     PIC 9(12).
           05  ZT-FURIKAEZUMI-KENSU PIC 9(6).
           05  ZT-FURIKAEZUMI-KINGAKU PIC 9(12).
           05  ZT-FUNO-KENSU        PIC 9(6).
           05  ZT-FUNO-KINGAKU      PIC 9(12).
           05  FILLER               PIC X(65).
