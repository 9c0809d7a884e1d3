"""Copybook compiler: COBOL record descriptions to a `Layout`.

    from engine.copybook import load_copybook, parse_copybook, condition_expr
    layout = load_copybook("SHUNOMST")
"""
from engine.copybook.model import (Category, Condition, Field, Figurative, Layout, Picture,
                                   Renames, SourceLocation, Usage)
from engine.copybook.parser import assign_offsets, load_copybook, parse_copybook
from engine.copybook.resolve import resolve_odo
from engine.copybook.conditions import condition_expr

__all__ = [
    "parse_copybook", "load_copybook", "resolve_odo", "assign_offsets", "condition_expr",
    "Layout", "Field", "Picture", "Usage", "Category", "Condition", "Figurative", "Renames",
    "SourceLocation",
]
