      *----------------------------------------------------------------
      * SHUNOMST  -  collection master (収納マスタ), fixed 100 bytes
      * One record per notice (通知書) and installment (期別), kept in
      * ascending SH-KEY order; the nightly job SHUNO01 writes the next
      * generation. Money is whole yen in packed decimal (sign C / D);
      * the payment counter is unsigned packed (sign F).
      *----------------------------------------------------------------
       01  SHUNOMST-REC.
      *    record key: year + item + notice + installment    bytes 1-18
           05  SH-KEY.
               10  SH-NENDO                PIC 9(4).
      *            item codes: 01 resident tax, 02 fixed asset tax,
      *            03 light vehicle tax, 04 health insurance tax,
      *            11 water charge, 12 sewerage charge
               10  SH-KAMOKU               PIC 9(2).
               10  SH-TSUCHI-NO            PIC 9(10).
               10  SH-KIBETSU              PIC 9(2).
      *    payer (個人番号, key of the resident master)       19-28
           05  SH-KOJIN-NO                 PIC 9(10).
      *    due date (納期限) YYYYMMDD                         29-36
           05  SH-NOKIGEN                  PIC 9(8).
      *    assessed (調定額) / paid (納付額) / to refund (過誤納額)
           05  SH-CHOTEI-GAKU              PIC S9(11) COMP-3.
           05  SH-NOFU-GAKU                PIC S9(11) COMP-3.
           05  SH-KANPU-GAKU               PIC S9(11) COMP-3.
      *    late fee received (延滞金)                         55-59
           05  SH-ENTAI-GAKU               PIC S9(9)  COMP-3.
      *    latest receipt (収入日) and reminder (督促日), 0 = none
           05  SH-SHUNYU-BI                PIC 9(8).
           05  SH-TOKUSOKU-BI              PIC 9(8).
      *    state of the installment (状態)                    76
           05  SH-JOTAI                    PIC X(1).
               88  SH-JOTAI-UNPAID             VALUE '0'.
               88  SH-JOTAI-PARTLY-PAID        VALUE '1'.
               88  SH-JOTAI-PAID               VALUE '2'.
               88  SH-JOTAI-OVERPAID           VALUE '3'.
               88  SH-JOTAI-CANCELLED          VALUE '9'.
      *    paid by account transfer (口座振替区分)            77
           05  SH-KOFURI-KBN               PIC X(1).
               88  SH-KOFURI-YES               VALUE '1'.
               88  SH-KOFURI-NO                VALUE '0'.
      *    last update (更新日) YYYYMMDD                      78-85
           05  SH-KOSHIN-BI                PIC 9(8).
      *    payments posted so far (納付回数), 0-999           86-87
           05  SH-NOFU-KAISU               PIC 9(3)   COMP-3.
      *    unused, carried through as read                    88-100
           05  FILLER                      PIC X(13).
