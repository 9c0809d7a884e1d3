      *----------------------------------------------------------------
      * NOFUTRN  -  one payment or cancellation (納付データ), 60 bytes
      * Sorted by NT-KEY, NT-SHUNYU-BI, NT-RENBAN. NT-KEY has the shape
      * of SH-KEY. Amounts are zoned with the sign in the last byte; a
      * negative amount reverses an earlier receipt (取消).
      *----------------------------------------------------------------
       01  NOFUTRN-REC.
      *    key of the master record                          bytes 1-18
           05  NT-KEY.
               10  NT-NENDO                PIC 9(4).
               10  NT-KAMOKU               PIC 9(2).
               10  NT-TSUCHI-NO            PIC 9(10).
               10  NT-KIBETSU              PIC 9(2).
      *    where the money came in (収納チャネル)             19
           05  NT-CHANNEL                  PIC X(1).
      *        counter (窓口)
               88  NT-CH-MADOGUCHI             VALUE '1'.
      *        bank (金融機関)
               88  NT-CH-KINYU-KIKAN           VALUE '2'.
      *        convenience store (コンビニ)
               88  NT-CH-KONBINI               VALUE '3'.
      *        account transfer (口座振替)
               88  NT-CH-KOFURI                VALUE '4'.
      *        smartphone payment (スマホ決済)
               88  NT-CH-SMARTPHONE            VALUE '5'.
               88  NT-CHANNEL-VALID            VALUE '1' THRU '5'.
      *    receipt date (収入日) YYYYMMDD                     20-27
           05  NT-SHUNYU-BI                PIC 9(8).
      *    amount (納付額); below zero = cancellation         28-38
           05  NT-NOFU-GAKU                PIC S9(11).
      *    late fee in the receipt (延滞金)                   39-47
           05  NT-ENTAI-GAKU               PIC S9(9).
      *    serial number of the day (連番)                    48-55
           05  NT-RENBAN                   PIC 9(8).
      *    unused                                             56-60
           05  FILLER                      PIC X(5).
