      *----------------------------------------------------------------
      * KEIJIMST  -  light-vehicle master (軽自動車マスタ), fixed 100 bytes
      * One record per vehicle (原付, 小型特殊, 軽二輪, 二輪小型, 三輪,
      * 四輪) and its owner; ascending KJ-KEY as bytes, keys unique.
      * Designed for the light-vehicle tax (軽自動車税 種別割, KEIJI01):
      * the owner of 1 April pays for the fiscal year, the rate comes
      * from KJ-SHASHU and, for three- and four-wheelers, KJ-SHOKEN-YM.
      * Numbers are unsigned zoned decimal.
      *----------------------------------------------------------------
       01  KEIJIMST-REC.
      *    record key: owner + vehicle number                bytes 1-20
           05  KJ-KEY.
      *        owner (個人番号, key of the resident master)
               10  KJ-KOJIN-NO             PIC 9(10).
      *        vehicle number (標識番号 / 車両番号)
               10  KJ-SHARYO-NO            PIC X(10).
      *    owner's name, ASCII or half-width kana             21-50
           05  KJ-SHOYUSHA-MEI             PIC X(30).
      *    vehicle class (車種区分)                           51-52
      *      01 原付 50cc以下   02 原付 50-90cc   03 原付 90-125cc
      *      04 ミニカー        05 小型特殊 農耕  06 小型特殊 その他
      *      07 軽二輪 125-250cc                  08 二輪小型 250cc超
      *      11 三輪            12 四輪乗用 自家用 13 四輪乗用 営業用
      *      14 四輪貨物 自家用 15 四輪貨物 営業用
           05  KJ-SHASHU                   PIC 9(2).
      *    first registration (最初の新規検査) YYYYMM; 000000 for
      *    classes 01-08                                      53-58
           05  KJ-SHOKEN-YM                PIC 9(6).
      *    owned from (取得日) YYYYMMDD                       59-66
           05  KJ-SHUTOKU-BI               PIC 9(8).
      *    deregistered (廃車日) YYYYMMDD, 00000000 = in use  67-74
           05  KJ-HAISHA-BI                PIC 9(8).
      *    exemption (減免区分): '0' none, '1' exempt (減免)   75
           05  KJ-GENMEN-KBN               PIC X(1).
               88  KJ-GENMEN-NONE              VALUE '0'.
               88  KJ-GENMEN                   VALUE '1'.
      *    fuel (燃料): '0' petrol/diesel, '1' electric or
      *    natural gas (no 13-year heavier rate)              76
           05  KJ-NENRYO-KBN               PIC X(1).
      *    town and chome code (所在 / 定置場 町丁目コード)   77-82
           05  KJ-SHOZAI-CD                PIC 9(6).
      *    unused (spaces)                                    83-100
           05  FILLER                      PIC X(18).
