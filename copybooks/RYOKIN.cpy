      *----------------------------------------------------------------
      * RYOKIN  -  one row of the water and sewer tariff (料金表),
      * fixed 40 bytes. The tariff is data: another town is another
      * table file. Yen without consumption tax.
      *   B  water basic charge a month for one meter diameter
      *   G  sewer basic charge a month (exactly one); it covers the
      *      usage below the first S band
      *   W  water volume band: RK-KARA to RK-MADE m3 at RK-TANKA
      *   S  sewer volume band, the same way
      * Bands of one type ascend without gap or overlap and the last
      * one ends at 99999. A field the type does not use is ignored.
      *----------------------------------------------------------------
       01  RYOKIN-REC.
      *    record type (種別)                                 byte 1
           05  RK-SHUBETSU                 PIC X(1).
               88  RK-WATER-BASIC              VALUE 'B'.
               88  RK-SEWER-BASIC              VALUE 'G'.
               88  RK-WATER-BAND               VALUE 'W'.
               88  RK-SEWER-BAND               VALUE 'S'.
      *    meter diameter in mm (口径), type B                 2-4
           05  RK-KOKEI                    PIC 9(3).
      *    band from m3 (から), types W and S                  5-9
           05  RK-KARA                     PIC 9(5).
      *    band to m3, inclusive (まで), types W and S         10-14
           05  RK-MADE                     PIC 9(5).
      *    yen per m3 (単価), types W and S                    15-19
           05  RK-TANKA                    PIC 9(5).
      *    basic charge a month in yen, types B and G          20-26
           05  RK-KINGAKU                  PIC 9(7).
      *    unused                                             27-40
           05  FILLER                      PIC X(14).
