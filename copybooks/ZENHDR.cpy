      *----------------------------------------------------------------
      * ZENHDR  -  Zengin account-transfer file (口座振替, 種別 91),
      * header record (データ区分 1), 120 bytes. N fields right-aligned
      * zero-filled, C fields left-aligned space-filled; characters:
      * space ( ) - . 0-9 A-Z and half-width katakana.
      *----------------------------------------------------------------
       01  ZENGIN-HEADER.
      *    データ区分 '1'                                    byte 1
           05  ZH-DATA-KUBUN        PIC X(1).
      *    種別コード '91' (口座振替)                           2-3
           05  ZH-SHUBETSU          PIC X(2).
      *    コード区分: '0' JIS, '1' EBCDIC                      4
           05  ZH-CODE-KUBUN        PIC X(1).
      *    委託者コード (the city's consignor code)              5-14
           05  ZH-ITAKUSHA-CODE     PIC 9(10).
      *    委託者名                                            15-54
           05  ZH-ITAKUSHA-NAME     PIC X(40).
      *    引落日 MMDD                                         55-58
           05  ZH-HIKIOTOSHI-BI     PIC 9(4).
      *    取引銀行 / 支店 (the city's collecting account)       59-95
           05  ZH-BANK-NO           PIC 9(4).
           05  ZH-BANK-NAME         PIC X(15).
           05  ZH-BRANCH-NO         PIC 9(3).
           05  ZH-BRANCH-NAME       PIC X(15).
      *    預金種目, 口座番号                                  96-103
           05  ZH-YOKIN-SHUMOKU     PIC 9(1).
           05  ZH-KOZA-NO           PIC 9(7).
      *    spaces                                             104-120
           05  FILLER               PIC X(17).
