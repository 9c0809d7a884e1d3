      * Zengin account transfer: data record (データ区分 2), 120 bytes
       01  ZENGIN-DATA.
           05  ZD-DATA-KUBUN        PIC X(1).
           05  ZD-BANK-NO           PIC 9(4).
           05  ZD-BANK-NAME         PIC X(15).
           05  ZD-BRANCH-NO         PIC 9(3).
           05  ZD-BRANCH-NAME       PIC X(15).
           05  FILLER               PIC X(4).
           05  ZD-YOKIN-SHUMOKU     PIC 9(1).
           05  ZD-KOZA-NO           PIC 9(7).
           05  ZD-YOKINSHA-NAME     PIC X(30).
           05  ZD-HIKIOTOSHI-GAKU   PIC 9(10).
           05  ZD-SHINKI-CODE       PIC 9(1).
           05  ZD-KOKYAKU-NO        PIC 9(20).
           05  ZD-FURIKAE-KEKKA     PIC 9(1).
           05  FILLER               PIC X(8).
