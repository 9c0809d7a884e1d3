      *----------------------------------------------------------------
      * KENSHERR  -  a rejected meter reading (検針エラー), 60 bytes
      * The reading exactly as read, then why it was rejected; in the
      * order the readings were read.
      *----------------------------------------------------------------
       01  KENSHERR-REC.
      *    the KENSHIN record, byte for byte                 bytes 1-40
           05  KE-KENSHIN                  PIC X(40).
      *    reason (エラー理由), the first check that failed    41-42
           05  KE-REASON                   PIC X(2).
      *        no customer has the tap number
               88  KE-REASON-NF                VALUE 'NF'.
      *        the tap is closed (閉栓)
               88  KE-REASON-CL                VALUE 'CL'.
      *        a second or later reading of the tap in the run
               88  KE-REASON-DU                VALUE 'DU'.
      *        reading or exchange fields not digits, bad flag
               88  KE-REASON-IV                VALUE 'IV'.
      *        reading date not a date, after the processing date
      *        or not after the previous reading date
               88  KE-REASON-DT                VALUE 'DT'.
      *        usage above 2,000 m3
               88  KE-REASON-HV                VALUE 'HV'.
      *        no basic charge for the meter diameter
               88  KE-REASON-TF                VALUE 'TF'.
      *    spaces                                             43-60
           05  KE-FILLER                   PIC X(18).
