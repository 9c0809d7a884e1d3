      *----------------------------------------------------------------
      * JUMINMST  -  resident-tax master (住民税マスタ), fixed 100 bytes
      * One record per taxpayer of the fiscal year (賦課期日 1 January),
      * from the income declarations; ascending JZ-KOJIN-NO, unique.
      * Read by JUMIN01 (個人住民税 普通徴収 賦課). Amounts in yen,
      * unsigned zoned decimal.
      *----------------------------------------------------------------
       01  JUMINMST-REC.
      *    taxpayer (個人番号, key of the resident master)   bytes 1-10
           05  JZ-KOJIN-NO                 PIC 9(10).
      *    name, ASCII or half-width kana                     11-40
           05  JZ-SHIMEI                   PIC X(30).
      *    total income (合計所得金額 / 総所得金額等)          41-51
           05  JZ-GOKEI-SHOTOKU            PIC 9(11).
      *    income deductions (所得控除 合計)                  52-62
           05  JZ-SHOTOKU-KOJO             PIC 9(11).
      *    tax credits (税額控除: 調整控除, 住宅ローン ...)    63-71
           05  JZ-ZEIGAKU-KOJO             PIC 9(9).
      *    spouse and dependants (同一生計配偶者 + 扶養親族)   72-73
           05  JZ-FUYO-SU                  PIC 9(2).
      *    collection (徴収区分): '1' ordinary (普通徴収),
      *    '2' by the employer (特別徴収, not assessed here)  74
           05  JZ-CHOSHU-KBN               PIC X(1).
               88  JZ-FUTSU                    VALUE '1'.
               88  JZ-TOKUBETSU                VALUE '2'.
      *    non-taxable person (障害者・未成年・寡婦・ひとり親
      *    with 合計所得 up to 1,350,000): '1', else '0'      75
           05  JZ-HIKAZEI-KBN              PIC X(1).
      *    town and chome code (住所 町丁目コード)            76-81
           05  JZ-JUSHO-CD                 PIC 9(6).
      *    unused (spaces)                                    82-100
           05  FILLER                      PIC X(19).
