      *----------------------------------------------------------------
      * KAOKUMST  -  house master (家屋マスタ), fixed 100 bytes
      * One record per house (家屋) and its owner on the assessment date
      * (賦課期日, 1 January); ascending KM-KEY as bytes, keys unique.
      * Numbers are unsigned zoned decimal. Read by KOTEI01.
      *----------------------------------------------------------------
       01  KAOKUMST-REC.
      *    record key: owner + house number                  bytes 1-20
           05  KM-KEY.
      *        owner (個人番号, key of the resident master)
               10  KM-KOJIN-NO             PIC 9(10).
      *        house number (家屋番号)
               10  KM-KAOKU-NO             PIC X(10).
      *    owner's name (所有者名), ASCII or half-width kana  21-50
           05  KM-SHOYUSHA-MEI             PIC X(30).
      *    town and chome code (所在 町丁目コード)            51-56
           05  KM-SHOZAI-CD                PIC 9(6).
      *    structure (構造): 01 木造, 02 軽量鉄骨, 03 鉄骨,
      *    04 鉄筋コンクリート, 09 その他                     57-58
           05  KM-KOZO                     PIC 9(2).
      *    use (用途): 01 居宅, 02 共同住宅, 03 店舗, 04 事務所,
      *    05 工場, 06 倉庫, 09 その他                        59-60
           05  KM-YOTO                     PIC 9(2).
      *    floor area (床面積) in square metres               61-67
           05  KM-YUKA-MENSEKI             PIC 9(5)V99.
      *    year built (建築年)                                68-71
           05  KM-KENCHIKU-NEN             PIC 9(4).
      *    assessed value (評価額) in yen                     72-82
           05  KM-HYOKA-GAKU               PIC 9(11).
      *    non-taxable flag (非課税区分)                      83
           05  KM-HIKAZEI-KBN              PIC X(1).
               88  KM-KAZEI                    VALUE '0'.
               88  KM-HIKAZEI                  VALUE '1'.
               88  KM-HIKAZEI-VALID            VALUE '0' '1'.
      *    unused (spaces)                                    84-100
           05  FILLER                      PIC X(17).
