      * Zengin account transfer: end record (データ区分 9), 120 bytes
       01  ZENGIN-END.
           05  ZE-DATA-KUBUN        PIC X(1).
           05  FILLER               PIC X(119).
