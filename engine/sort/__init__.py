"""The SORT / MERGE / COPY utility: DFSORT control statements over fixed and
variable records, compiled to column operations (NumPy, Polars) — never a loop per record.

    from engine.sort import sort_records
    result = sort_records(" SORT FIELDS=(1,18,CH,A)", [block], codepage="cp037")
    result.outputs["SORTOUT"]; result.rc; result.counts; result.messages
"""
from engine.sort.plan import SortResult, sort_records
from engine.sort.model import Control
from engine.sort.statements import compile_statements

__all__ = ["sort_records", "SortResult", "compile_statements", "Control"]
