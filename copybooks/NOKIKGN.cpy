      *----------------------------------------------------------------
      * NOKIKGN  -  due dates of the year (納期限), fixed 20 bytes
      * Four records, installments (期別) 01 to 04 in that order; each
      * date already moved to an open day of the city calendar.
      *----------------------------------------------------------------
       01  NOKIKGN-REC.
      *    installment (期別) 01-04                           bytes 1-2
           05  NK-KIBETSU                  PIC 9(2).
      *    due date (納期限) YYYYMMDD                         3-10
           05  NK-NOKIGEN                  PIC 9(8).
      *    unused (spaces)                                    11-20
           05  FILLER                      PIC X(10).
