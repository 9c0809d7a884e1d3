"""One command never names a file both as an input and as an output (nor one output
twice): it would replace what it reads. Checked before anything is written."""
from __future__ import annotations

import os
from pathlib import Path

from engine.errors import DensanError


def file_identity(path: Path) -> tuple:
    """The same file however it is named: (device, inode) when it exists, else its resolved path."""
    try:
        st = os.stat(path)
        return ("inode", st.st_dev, st.st_ino)
    except OSError:
        return ("path", str(Path(path).resolve()))


def refuse_same_file(command: str, inputs: list[tuple[str, Path]], outputs: list[tuple[str, Path]]) -> None:
    """inputs/outputs: (option name as the user wrote it, file). A DensanError naming both
    options when an output is an input, or two outputs are one file."""
    read = {}
    for label, path in inputs:
        read.setdefault(file_identity(path), label)
    written: dict[tuple, str] = {}
    for label, path in outputs:
        key = file_identity(path)
        if key in read:
            raise DensanError(f"{command}: {label} {path} is the input {read[key]}; writing it would replace "
                              f"what is being read", hint="write the output to another file")
        if key in written:
            raise DensanError(f"{command}: {label} {path} is also {written[key]}",
                              hint="give each output its own file")
        written[key] = label
