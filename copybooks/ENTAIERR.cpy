      *----------------------------------------------------------------
      * ENTAIERR  -  collection item with invalid data, fixed 120
      * bytes: the SHUNOMST record as read and the reason. The item
      * itself goes on to MASTER-OUT unchanged. Master order.
      *----------------------------------------------------------------
       01  ENTAIERR-REC.
      *    the SHUNOMST record, byte for byte               bytes 1-100
           05  EE-SHUNOMST                 PIC X(100).
      *    reason (理由)                                     101-102
           05  EE-REASON                   PIC X(2).
      *        key, 個人番号 or an amount not valid
               88  EE-REASON-IV                VALUE 'IV'.
      *        due date or reminder date not valid
               88  EE-REASON-DT                VALUE 'DT'.
      *        nothing unpaid (調定額 - 納付額 <= 0)
               88  EE-REASON-AM                VALUE 'AM'.
      *        overdue from before the first rate period
               88  EE-REASON-RT                VALUE 'RT'.
      *    spaces                                            103-120
           05  EE-FILLER                   PIC X(18).
