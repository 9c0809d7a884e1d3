      *----------------------------------------------------------------
      * JUKIMST  -  resident master (個人マスタ), fixed 200 bytes
      * One record for everyone ever registered in the city, ascending
      * JM-KOJIN-NO, keys unique. A person who left (転出, 死亡,
      * 職権消除) keeps the record with JM-JOTAI not '0' and 消除日.
      * JM-SHIMEI: Shift_JIS bytes as keyed, opaque to the programs.
      * JM-KANA: half-width katakana (X'A6'-X'DF') and spaces.
      *----------------------------------------------------------------
       01  JUKIMST-REC.
      *    個人番号, the key                                  bytes 1-10
           05  JM-KOJIN-NO                 PIC 9(10).
      *    世帯番号                                          11-20
           05  JM-SETAI-NO                 PIC 9(10).
      *    続柄, 01 = 世帯主                                  21-22
           05  JM-ZOKUGARA                 PIC 9(2).
               88  JM-SETAINUSHI               VALUE 1.
      *    氏名 (Shift_JIS) / カナ氏名 (half-width)            23-82
           05  JM-SHIMEI                   PIC X(30).
           05  JM-KANA                     PIC X(30).
      *    生年月日 YYYYMMDD                                  83-90
           05  JM-SEINEN-BI                PIC 9(8).
      *    性別 '1' male '2' female                           91
           05  JM-SEIBETSU                 PIC X(1).
               88  JM-SEIBETSU-MALE            VALUE '1'.
               88  JM-SEIBETSU-FEMALE          VALUE '2'.
      *    国籍区分 '1' 日本人 '2' 外国人                       92
           05  JM-KOKUSEKI                 PIC X(1).
      *    住所コード (町丁目) and 番地・方書                   93-118
           05  JM-JUSHO-CD                 PIC 9(6).
           05  JM-BANCHI                   PIC X(20).
      *    住民となった日 / 住定日                            119-134
           05  JM-JUMIN-BI                 PIC 9(8).
           05  JM-JUTEI-BI                 PIC 9(8).
      *    投票区 01-12                                       135-136
           05  JM-TOHYOKU                  PIC 9(2).
      *    状態                                               137
           05  JM-JOTAI                    PIC X(1).
               88  JM-JOTAI-ACTIVE             VALUE '0'.
               88  JM-JOTAI-TENSHUTSU          VALUE '1'.
               88  JM-JOTAI-SHIBO              VALUE '2'.
               88  JM-JOTAI-SHOKKEN            VALUE '3'.
      *    消除日 (0 while resident) / 更新日                 138-153
           05  JM-SHOJO-BI                 PIC 9(8).
           05  JM-KOSHIN-BI                PIC 9(8).
      *    spaces, carried through unchanged                 154-200
           05  FILLER                      PIC X(47).
