"""Many documents (notices, bills) printed from one run, built kind of line by kind
of line for all documents at once, then put in document order.

A COBOL program prints one notice after another: a header, the details of the
taxpayer, a total, the installments. Vectorised, each kind of line is one
(n, width) matrix for every document that has it (`printfile.blank_lines`,
`put`, `edit`); `Documents.add` files it under its document number, a section
number (its place in the document) and an order within the section (the
detail's file order); `lines()` gives all lines in print order with one sort.
"""
from __future__ import annotations

import numpy as np

from engine.program.printfile import WIDTH, blank_lines, put


class Documents:
    def __init__(self, width: int = WIDTH):
        self.width = width
        self._parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray | None]] = []

    def add(self, lines: np.ndarray, doc, section: int, order=None) -> None:
        """Lines (n, width) of documents `doc` (n numbers) at `section`, in `order` (n)."""
        doc = np.asarray(doc, np.int64)
        if len(lines) != len(doc):
            raise ValueError(f"{len(lines)} lines for {len(doc)} document numbers")
        self._parts.append((lines, doc, section, None if order is None else np.asarray(order, np.int64)))

    def text(self, doc, section: int, *fields: tuple[int, bytes]) -> np.ndarray:
        """The same fixed text ((column, bytes) pairs, 1-based) in documents `doc`;
        returns the lines so that the caller can put more into them."""
        doc = np.asarray(doc, np.int64)
        lines = blank_lines(len(doc), self.width)
        for column, value in fields:
            put(lines, column, value)
        self.add(lines, doc, section)
        return lines

    def lines(self) -> np.ndarray:
        """Every line, ordered by document, section, order: (n, width) uint8."""
        if not self._parts:
            return blank_lines(0, self.width)
        m = np.concatenate([p[0] for p in self._parts])
        doc = np.concatenate([p[1] for p in self._parts])
        sec = np.concatenate([np.full(len(p[1]), p[2], np.int64) for p in self._parts])
        sub = np.concatenate([np.zeros(len(p[1]), np.int64) if p[3] is None else p[3] for p in self._parts])
        return m[np.lexsort((sub, sec, doc))]
