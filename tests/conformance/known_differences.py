"""Cobrix conformance variants densan does not reproduce, and why.

(case, variant) -> reason. "README n" cites item n of "Cobrix behaviours that are
not IBM-standard" in ../shared/conformance/cobrix/README.md. Each variant listed
here is run and marked xfail with its reason; a variant not listed must pass.
"""
from __future__ import annotations

_RELAXED = ("README 5: relaxed overpunching with several overpunched bytes (a sign in any "
            "position, the last one wins) is a Cobrix reading; IBM zoned data carries its sign "
            "in the last byte only, and the compatibility mode handles only that byte")
_VARIABLE_OCCURS = ("README 10: with record_format F and variable_size_occurs Cobrix splits the "
                    "file by the ODO counters alone; the compatibility mode does this for counters "
                    "at a fixed place, not for a table inside a table whose counters move with it "
                    "(nested OCCURS DEPENDING ON)")
_BINARY_19 = ("README 7: Cobrix gives 9(19)/9(20) BINARY 9 bytes and 9(37) 16; IBM binary stops at "
              "18 digits and densan's dialect uses 16 bytes past that, so the 1,543-byte densan "
              "record is not Cobrix's 1,493 bytes and every record after the first shifts")
_VALUE_FILLERS = ("drop_value_fillers=false: Cobrix decodes elementary FILLERs into FILLER_P1 ...; "
                  "densan never makes columns of FILLER (a FILLER has no name to address it by)")
_FIELD_CODE_PAGE = ("field_code_page: a code page per field is a Cobrix option with no COBOL "
                    "counterpart; densan reads a dataset in one code page")
_NO_PAGE = "densan has no table for this code page (not used by the city's hosts)"

KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("n03_sign_overpunch", "ebcdic_relaxed_multiple_overpunch"): _RELAXED,
    ("n03_sign_overpunch", "ascii_relaxed_multiple_overpunch"): _RELAXED,
    ("n04_invalid_values_to_null", "with_corrupt_fields_hex"):
        "generate_corrupt_fields (a _corrupt_fields column) is Cobrix's; densan reports invalid "
        "fields as job-log messages and reject records instead",
    ("n07_edited_numeric_comma", "default"):
        "README 5: Cobrix reads ',' in +999,99 as the decimal point; without DECIMAL-POINT IS "
        "COMMA it is an insertion character, so densan (like IBM) reads 11234",
    ("n13_little_endian_binary_comp9", "default"):
        "README 7: COMP-9 / COMP-3U are Cobrix extensions, not COBOL; the copybook parser refuses "
        "them (use COMP-5 with the gnucobol dialect for little-endian binary)",
    ("n14_dbcs_mixed_code_pages", "cp1364_korean_mixed"): _NO_PAGE + " (Korean host mixed, cp1364)",
    ("n14_dbcs_mixed_code_pages", "cp1388_chinese_mixed"): _NO_PAGE + " (Chinese host mixed, cp1388)",
    ("n15_field_code_pages", "ebcdic"): _FIELD_CODE_PAGE,
    ("n15_field_code_pages", "ascii"): _FIELD_CODE_PAGE,
    ("n16_ascii_text_numbers_overflow", "integral"):
        "README 5: Cobrix accepts '555' in PIC +9(2) (a digit in the sign position) and nulls only "
        "Spark-type overflows; densan's edited-number codec currently also fails on PIC +9(20) "
        "(reported to CODEC)",
    ("n16_ascii_text_numbers_overflow", "decimal"):
        "README 5: Cobrix nulls a value with a misplaced or overflowing decimal point in +99.999; "
        "densan reads the digits by PICTURE position",
    ("t06_type_variety", "default"): _BINARY_19,
    ("t06_type_variety", "strict_integral_precision"): _BINARY_19,
    ("t06_type_variety", "debug_hex"): _BINARY_19 + "; debug columns are Cobrix's",
    ("t07_fillers", "keep_value_fillers"): _VALUE_FILLERS,
    ("t07_fillers", "keep_all_fillers"): _VALUE_FILLERS,
    ("t07_fillers", "keep_all_fillers_prev_name"):
        _VALUE_FILLERS + "; filler_naming_policy=previous_field_name is Cobrix's naming",
    ("t08_nonprintable_chars", "common_extended_no_trim"):
        "README 3: Cobrix's common_extended table maps some undefined bytes to SUB (0x1A) and "
        "others to space; densan decodes them by CCSID 037",
    ("t09_ebcdic_code_pages", "cp273"):
        "byte X'BC' in CCSID 273: densan's table (like Python's cp273 codec) gives U+203E "
        "OVERLINE; Cobrix's Java table and glibc iconv IBM273 give U+00AF MACRON (reported to "
        "CODEPAGES)",
    ("t09_ebcdic_code_pages", "cp1141"):
        "cp1141 is cp273 with the euro at X'9F' (a site table in the compatibility mode): the "
        "same X'BC' OVERLINE / MACRON difference as cp273",
    ("t21_nested_variable_occurs", "default"): _VARIABLE_OCCURS,
}
