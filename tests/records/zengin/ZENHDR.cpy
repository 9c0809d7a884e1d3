      * Zengin account transfer (口座振替, 種別 91): header record (データ区分 1)
      * 120 bytes; layout from the Zengin format summary in municipal-rules.md
       01  ZENGIN-HEADER.
           05  ZH-DATA-KUBUN        PIC X(1).
           05  ZH-SHUBETSU          PIC X(2).
           05  ZH-CODE-KUBUN        PIC X(1).
           05  ZH-ITAKUSHA-CODE     PIC 9(10).
           05  ZH-ITAKUSHA-NAME     PIC X(40).
           05  ZH-HIKIOTOSHI-BI     PIC 9(4).
           05  ZH-BANK-NO           PIC 9(4).
           05  ZH-BANK-NAME         PIC X(15).
           05  ZH-BRANCH-NO         PIC 9(3).
           05  ZH-BRANCH-NAME       PIC X(15).
           05  ZH-YOKIN-SHUMOKU     PIC 9(1).
           05  ZH-KOZA-NO           PIC 9(7).
           05  FILLER               PIC X(17).
