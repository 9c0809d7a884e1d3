      *----------------------------------------------------------------
      * ENTAIRT  -  late-fee rate table (延滞金割合), fixed 20 bytes
      * One record per rate period, ascending and unique start dates.
      * A period runs from its start date to the day before the next
      * record's; the last one has no end. The city changes its rates
      * every 1 January, so one record per calendar year.
      * Rates are percent a year, 3 decimals: 02400 = 2.4 %.
      *----------------------------------------------------------------
       01  ENTAIRT-REC.
      *    first day of the period (適用開始日) YYYYMMDD      bytes 1-8
           05  RT-KAISHI-BI                PIC 9(8).
      *    rate up to the one-month end after the due date     9-13
           05  RT-RITSU-1                  PIC 9(2)V9(3).
      *    rate after the one-month end                       14-18
           05  RT-RITSU-2                  PIC 9(2)V9(3).
      *    spaces                                             19-20
           05  FILLER                      PIC X(2).
