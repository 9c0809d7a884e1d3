      *----------------------------------------------------------------
      * TOCHIMST  -  land master (土地マスタ), fixed 100 bytes
      * One record per parcel (筆) and its owner on the assessment date
      * (賦課期日, 1 January); ascending TM-KEY as bytes, keys unique.
      * Numbers are unsigned zoned decimal. Read by KOTEI01.
      *----------------------------------------------------------------
       01  TOCHIMST-REC.
      *    record key: owner + parcel number                 bytes 1-20
           05  TM-KEY.
      *        owner (個人番号, key of the resident master)
               10  TM-KOJIN-NO             PIC 9(10).
      *        parcel number (地番), e.g. 01234-0005
               10  TM-CHIBAN               PIC X(10).
      *    owner's name (所有者名), ASCII or half-width kana  21-50
           05  TM-SHOYUSHA-MEI             PIC X(30).
      *    town and chome code (所在 町丁目コード)            51-56
           05  TM-SHOZAI-CD                PIC 9(6).
      *    land category (地目): 01 田, 02 畑, 03 宅地, 05 池沼,
      *    06 山林, 07 原野, 08 牧場, 09 鉱泉地, 10 雑種地    57-58
           05  TM-CHIMOKU                  PIC 9(2).
      *    area (地積) in square metres                       59-67
           05  TM-CHISEKI                  PIC 9(7)V99.
      *    assessed value (評価額) in yen                     68-78
           05  TM-HYOKA-GAKU               PIC 9(11).
      *    residential-land class (住宅用地区分)              79
           05  TM-JUTAKU-KBN               PIC X(1).
               88  TM-JUTAKU-NONE              VALUE '0'.
               88  TM-JUTAKU-SMALL             VALUE '1'.
               88  TM-JUTAKU-GENERAL           VALUE '2'.
               88  TM-JUTAKU-VALID             VALUE '0' '1' '2'.
      *    non-taxable flag (非課税区分)                      80
           05  TM-HIKAZEI-KBN              PIC X(1).
               88  TM-KAZEI                    VALUE '0'.
               88  TM-HIKAZEI                  VALUE '1'.
               88  TM-HIKAZEI-VALID            VALUE '0' '1'.
      *    unused (spaces)                                    81-100
           05  FILLER                      PIC X(20).
