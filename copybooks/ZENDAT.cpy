      *----------------------------------------------------------------
      * ZENDAT  -  Zengin account-transfer file, data record
      * (データ区分 2), 120 bytes: one debit from a payer's account.
      *----------------------------------------------------------------
       01  ZENGIN-DATA.
      *    データ区分 '2'                                    byte 1
           05  ZD-DATA-KUBUN        PIC X(1).
      *    引落銀行 / 支店                                      2-38
           05  ZD-BANK-NO           PIC 9(4).
           05  ZD-BANK-NAME         PIC X(15).
           05  ZD-BRANCH-NO         PIC 9(3).
           05  ZD-BRANCH-NAME       PIC X(15).
      *    dummy                                              39-42
           05  FILLER               PIC X(4).
      *    預金種目 1 普通 2 当座 3 納税準備 9 その他            43
           05  ZD-YOKIN-SHUMOKU     PIC 9(1).
      *    口座番号                                            44-50
           05  ZD-KOZA-NO           PIC 9(7).
      *    預金者名 (half-width katakana)                      51-80
           05  ZD-YOKINSHA-NAME     PIC X(30).
      *    引落金額                                            81-90
           05  ZD-HIKIOTOSHI-GAKU   PIC 9(10).
      *    新規コード 1 first, 2 changed, 0 other                91
           05  ZD-SHINKI-CODE       PIC 9(1).
      *    顧客番号: the item's SH-KEY, zero-filled             92-111
           05  ZD-KOKYAKU-NO        PIC 9(20).
      *    振替結果コード: '0' in a request                     112
           05  ZD-FURIKAE-KEKKA     PIC 9(1).
      *    dummy                                             113-120
           05  FILLER               PIC X(8).
