      *----------------------------------------------------------------
      * SUIDOMST  -  water customer master (水道マスタ), fixed 100 bytes
      * One record per tap (水栓), ascending SM-SUISEN-NO, no two alike.
      * The billing job SUIDO01 writes the next generation: a billed
      * tap gets its new previous reading and reading date; every
      * other byte is carried through as read.
      *----------------------------------------------------------------
       01  SUIDOMST-REC.
      *    tap number (水栓番号), the record key             bytes 1-10
           05  SM-SUISEN-NO                PIC 9(10).
      *    user (使用者), key of the resident master          11-20
           05  SM-KOJIN-NO                 PIC 9(10).
      *    user name (使用者氏名), ASCII                      21-50
           05  SM-SHIMEI                   PIC X(30).
      *    location code (所在地コード)                        51-56
           05  SM-BASHO-CD                 PIC 9(6).
      *    meter diameter in mm (口径)                         57-59
           05  SM-KOKEI                    PIC 9(3).
      *    sewer connection (下水道区分)                       60
           05  SM-GESUI-KBN                PIC X(1).
               88  SM-GESUI-YES                VALUE '1'.
               88  SM-GESUI-NO                 VALUE '0'.
      *    state of the tap (状態)                             61
           05  SM-JOTAI                    PIC X(1).
      *        in use (使用中)
               88  SM-JOTAI-ACTIVE             VALUE '0'.
      *        closed (閉栓)
               88  SM-JOTAI-CLOSED             VALUE '9'.
      *    paid by account transfer (口座振替区分)             62
           05  SM-KOFURI-KBN               PIC X(1).
               88  SM-KOFURI-YES               VALUE '1'.
               88  SM-KOFURI-NO                VALUE '0'.
      *    previous meter reading in m3 (前回指針)             63-66
           05  SM-ZENKAI-SHISHIN           PIC 9(4).
      *    previous reading date (前回検針日) YYYYMMDD,        67-74
      *    zero for a tap never read
           05  SM-ZENKAI-KENSHIN-BI        PIC 9(8).
      *    unused, carried through as read                    75-100
           05  FILLER                      PIC X(26).
