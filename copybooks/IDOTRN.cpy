      *----------------------------------------------------------------
      * IDOTRN  -  resident movement (住民異動データ), fixed 160 bytes
      * One movement of one person as keyed at the 市民課 counter,
      * ascending IT-KOJIN-NO, IT-IDO-BI, IT-RENBAN (bytes 1-24).
      * Only the fields the reason needs are filled:
      *   11 転入 / 12 出生   every person field (12: no birth date)
      *   21 転出 / 22 死亡 / 23 職権消除   none
      *   31 転居  address;  41 氏名変更  names;  51 世帯変更  household
      *----------------------------------------------------------------
       01  IDOTRN-REC.
      *    個人番号 / 異動日 / 連番 (the sort key)             bytes 1-24
           05  IT-KOJIN-NO                 PIC 9(10).
           05  IT-IDO-BI                   PIC 9(8).
           05  IT-RENBAN                   PIC 9(6).
      *    異動事由                                           25-26
           05  IT-JIYU                     PIC 9(2).
           05  IT-JIYU-X REDEFINES IT-JIYU PIC X(2).
               88  IT-JIYU-TENNYU              VALUE '11'.
               88  IT-JIYU-SHUSSEI             VALUE '12'.
               88  IT-JIYU-TENSHUTSU           VALUE '21'.
               88  IT-JIYU-SHIBO               VALUE '22'.
               88  IT-JIYU-SHOKKEN             VALUE '23'.
               88  IT-JIYU-TENKYO              VALUE '31'.
               88  IT-JIYU-SHIMEI-HENKO        VALUE '41'.
               88  IT-JIYU-SETAI-HENKO         VALUE '51'.
      *    new 世帯番号 and 続柄                              27-38
           05  IT-SETAI-NO                 PIC 9(10).
           05  IT-ZOKUGARA                 PIC 9(2).
      *    new 氏名 (Shift_JIS) and カナ氏名                   39-98
           05  IT-SHIMEI                   PIC X(30).
           05  IT-KANA                     PIC X(30).
      *    生年月日 (11 only), 性別, 国籍区分                  99-108
           05  IT-SEINEN-BI                PIC 9(8).
           05  IT-SEIBETSU                 PIC X(1).
           05  IT-KOKUSEKI                 PIC X(1).
      *    new 住所コード and 番地・方書                       109-134
           05  IT-JUSHO-CD                 PIC 9(6).
           05  IT-BANCHI                   PIC X(20).
      *    spaces                                            135-160
           05  FILLER                      PIC X(26).
