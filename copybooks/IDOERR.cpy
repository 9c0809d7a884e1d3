      *----------------------------------------------------------------
      * IDOERR  -  rejected resident movement (異動エラー), fixed 180
      * The IDOTRN record as read, then the reason; in reading order.
      *----------------------------------------------------------------
       01  IDOERR-REC.
      *    the 160 bytes of the IDOTRN record                bytes 1-160
           05  IE-IDOTRN                   PIC X(160).
      *    reason                                            161-162
           05  IE-REASON                   PIC X(2).
               88  IE-REASON-NF                VALUE 'NF'.
               88  IE-REASON-DU                VALUE 'DU'.
               88  IE-REASON-DT                VALUE 'DT'.
               88  IE-REASON-IV                VALUE 'IV'.
               88  IE-REASON-ST                VALUE 'ST'.
      *    spaces                                            163-180
           05  IE-FILLER                   PIC X(18).
