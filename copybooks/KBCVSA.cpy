      *----------------------------------------------------------------
      * KBCVSA  -  convenience-store agent A's daily result (速報),
      * fixed 100 bytes: header 'H', one 'D' per payment, trailer 'T'.
      * The agent's own layout; read through jobs/collection/
      * konbini_agents.yaml.
      *----------------------------------------------------------------
       01  KBCVSA-REC.
      *    record kind: H header, D payment, T trailer       byte 1
           05  KA-REC-KBN                  PIC X(1).
      *    the scanned barcode (GS1-128 AI 91, 44 digits)        2-45
           05  KA-BARCODE                  PIC X(44).
      *    date paid at the store (収納日) YYYYMMDD             46-53
           05  KA-SHUNO-BI                 PIC X(8).
      *    time paid HHMMSS                                     54-59
           05  KA-SHUNO-JIKAN              PIC X(6).
      *    store code (店舗コード)                              60-69
           05  KA-TENPO-CODE               PIC X(10).
      *    amount taken at the till                             70-75
           05  KA-KINGAKU                  PIC X(6).
      *    1 速報 (flash), 2 確報 (confirmed)                      76
           05  KA-HOKOKU-KBN               PIC X(1).
      *    spaces                                              77-100
           05  FILLER                      PIC X(24).
