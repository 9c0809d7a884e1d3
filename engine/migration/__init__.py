"""The migration proof: run a legacy program under GnuCOBOL (legacy), compare two
datasets record by record and field by field (compare), and verify a migrated job
against its legacy program on recorded cases (verify)."""
