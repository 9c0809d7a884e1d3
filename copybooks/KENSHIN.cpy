      *----------------------------------------------------------------
      * KENSHIN  -  one meter reading (検針データ), fixed 40 bytes
      * The bimonthly round, ascending KN-SUISEN-NO; equal keys are
      * allowed in the file, but only the first reading of a tap in a
      * run can be billed (the others are duplicates).
      *----------------------------------------------------------------
       01  KENSHIN-REC.
      *    tap number (水栓番号)                             bytes 1-10
           05  KN-SUISEN-NO                PIC 9(10).
      *    reading date (検針日) YYYYMMDD                      11-18
           05  KN-KENSHIN-BI               PIC 9(8).
      *    current reading in m3 (今回指針); after an          19-22
      *    exchange, the new meter's reading
           05  KN-KONKAI-SHISHIN           PIC 9(4).
      *    meter exchanged in this round (メーター交換区分)    23
           05  KN-KOKAN-KBN                PIC X(1).
               88  KN-KOKAN-NO                 VALUE '0'.
               88  KN-KOKAN-YES                VALUE '1'.
               88  KN-KOKAN-VALID              VALUE '0' '1'.
      *    old meter's last reading (旧メーター撤去指針)       24-27
      *    looked at only when KN-KOKAN-KBN is '1'
           05  KN-KYU-SHISHIN              PIC 9(4).
      *    new meter's first reading (新メーター取付指針)      28-31
      *    looked at only when KN-KOKAN-KBN is '1'
           05  KN-SHIN-SHISHIN             PIC 9(4).
      *    unused                                             32-40
           05  FILLER                      PIC X(9).
