"""Copybook compiler: COBOL record descriptions to a `Layout`."""
