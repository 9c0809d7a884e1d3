      *----------------------------------------------------------------
      * KOZAMST  -  account master (口座マスタ), fixed 120 bytes
      * One record per payer and item code that pays by account
      * transfer (口座振替), ascending KZ-KEY. KZ-KAMOKU 00 is the
      * payer's account for every item without an account of its own.
      * Names in half-width katakana, as the bank holds them.
      *----------------------------------------------------------------
       01  KOZAMST-REC.
      *    key: payer + item code                          bytes 1-12
           05  KZ-KEY.
               10  KZ-KOJIN-NO             PIC 9(10).
               10  KZ-KAMOKU               PIC 9(2).
      *    bank and branch (金融機関 / 支店)                  13-49
           05  KZ-BANK-NO                  PIC 9(4).
           05  KZ-BANK-NAME                PIC X(15).
           05  KZ-BRANCH-NO                PIC 9(3).
           05  KZ-BRANCH-NAME              PIC X(15).
      *    預金種目 (1 普通 2 当座 3 納税準備 9 その他)            50
           05  KZ-YOKIN-SHUMOKU            PIC 9(1).
      *    口座番号                                           51-57
           05  KZ-KOZA-NO                  PIC 9(7).
      *    預金者名 (half-width katakana)                     58-87
           05  KZ-YOKINSHA-NAME            PIC X(30).
      *    新規コード for the next request: 1 first, 2 changed, 0  88
           05  KZ-SHINKI-CODE              PIC 9(1).
      *    valid from (開始日) / stopped from (停止日, 0 = none) 89-104
           05  KZ-KAISHI-BI                PIC 9(8).
           05  KZ-TEISHI-BI                PIC 9(8).
      *    spaces                                            105-120
           05  FILLER                      PIC X(16).
