"""Errors that reach the user. Each says what went wrong, where, and what to do;
the CLI prints the message (never a traceback) and exits with `exit_code`."""
from __future__ import annotations


class DensanError(Exception):
    """Base of every error densan reports to a user."""
    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message}\n  what to do: {hint}")


class CopybookError(DensanError):
    """A malformed copybook: file, line, column and what was expected."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None):
        self.file, self.line, self.column = file, line, column
        where = ":".join(str(p) for p in (file, line, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message, hint=hint)


class RecordError(DensanError):
    """A record that does not fit its layout, or a field with invalid content."""

    def __init__(self, message: str, *, file: str | None = None, record: int | None = None,
                 offset: int | None = None, field: str | None = None, data: bytes | None = None,
                 hint: str | None = None):
        self.file, self.record, self.offset, self.field, self.data = file, record, offset, field, data
        parts = []
        if file is not None:
            parts.append(f"file {file}")
        if record is not None:
            parts.append(f"record {record}")
        if offset is not None:
            parts.append(f"byte offset {offset}")
        if field is not None:
            parts.append(f"field {field}")
        if data is not None:
            parts.append(f"bytes X'{data.hex().upper()}'")
        where = ", ".join(parts)
        super().__init__(f"{message} ({where})" if where else message, hint=hint)


class EncodeError(DensanError):
    """A value that does not fit its PICTURE when writing a record."""

    def __init__(self, message: str, *, row: int | None = None, field: str | None = None,
                 value: object = None, hint: str | None = None):
        self.row, self.field, self.value = row, field, value
        parts = []
        if row is not None:
            parts.append(f"row {row}")
        if field is not None:
            parts.append(f"field {field}")
        if value is not None:
            parts.append(f"value {value!r}")
        where = ", ".join(parts)
        super().__init__(f"{message} ({where})" if where else message, hint=hint)


class CodePageError(DensanError):
    """An unknown code page, or text that cannot be represented in one."""


class JobDefinitionError(DensanError):
    """A job definition (YAML) that cannot be run as written."""


class SortStatementError(DensanError):
    """A DFSORT control statement densan does not accept."""
