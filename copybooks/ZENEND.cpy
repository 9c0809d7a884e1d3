      *----------------------------------------------------------------
      * ZENEND  -  Zengin account-transfer file, end record
      * (データ区分 9), 120 bytes.
      *----------------------------------------------------------------
       01  ZENGIN-END.
      *    データ区分 '9'                                    byte 1
           05  ZE-DATA-KUBUN        PIC X(1).
      *    spaces                                               2-120
           05  FILLER               PIC X(119).
