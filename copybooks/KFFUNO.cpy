      *----------------------------------------------------------------
      * KFFUNO  -  account transfer not made (振替不能), fixed 60 bytes
      * One record per data record of the bank's result with a result
      * code other than 0, by result code then SH-KEY.
      *----------------------------------------------------------------
       01  KFFUNO-REC.
      *    振替結果コード (1 資金不足 2 取引なし 3 預金者都合停止  byte 1
      *    4 依頼書なし 8 委託者都合停止 9 その他)
           05  KF-KEKKA                    PIC 9(1).
      *    the collection item (SH-KEY)                        2-19
           05  KF-KEY                      PIC X(18).
      *    debit date (引落日) YYYYMMDD                        20-27
           05  KF-HIKIOTOSHI-BI            PIC 9(8).
      *    amount not debited (引落金額)                       28-37
           05  KF-GAKU                     PIC 9(10).
      *    bank, branch, account                               38-51
           05  KF-BANK-NO                  PIC 9(4).
           05  KF-BRANCH-NO                PIC 9(3).
           05  KF-KOZA-NO                  PIC 9(7).
      *    record number in the result file                    52-57
           05  KF-RECORD-NO                PIC 9(6).
      *    spaces                                              58-60
           05  FILLER                      PIC X(3).
