"""Many documents (notices, bills) printed from one run, built kind of line by kind
of line for all documents at once, then put in document order.

A COBOL program prints one notice after another: a header, the details of the
taxpayer, a total, the installments. Vectorised, each kind of line is one
(n, width) matrix for every document that has it (`printfile.blank_lines`,
`put`, `edit`); `Documents.add` files it under its document number, a section
number (its place in the document) and an order within the section (the
detail's file order). `line_sequential()` gives the print file (each line without
its trailing spaces, then LF) and `lines()` the lines as one matrix, in print
order: by document, section, order, then the order the lines were added.

The print order is counted, not sorted, when the document numbers are small
integers (sequence numbers): the lines of each (document, section) are counted,
their first places are a running sum of the counts, and each line goes to its
cell's place plus its rank in the cell.
"""
from __future__ import annotations

import numpy as np

from engine.program.printfile import WIDTH, blank_lines, line_sequential_in_order, put


class Documents:
    def __init__(self, width: int = WIDTH):
        self.width = width
        self._parts: list[tuple[np.ndarray, np.ndarray, int, np.ndarray | None]] = []

    def add(self, lines: np.ndarray, doc, section: int, order=None) -> None:
        """Lines (n, w <= width) of documents `doc` (n numbers) at `section`, in `order` (n)."""
        doc = np.asarray(doc, np.int64)
        if len(lines) != len(doc):
            raise ValueError(f"{len(lines)} lines for {len(doc)} document numbers")
        if lines.shape[1] > self.width:
            raise ValueError(f"lines of {lines.shape[1]} positions in documents of {self.width}")
        self._parts.append((lines, doc, section, None if order is None else np.asarray(order, np.int64)))

    def text(self, doc, section: int, *fields: tuple[int, bytes], width: int | None = None) -> np.ndarray:
        """The same fixed text ((column, bytes) pairs, 1-based) in documents `doc`, on
        lines `width` wide (the documents' width by default); returns the lines so
        that the caller can put more into them."""
        doc = np.asarray(doc, np.int64)
        lines = blank_lines(len(doc), width or self.width)
        for column, value in fields:
            put(lines, column, value)
        self.add(lines, doc, section)
        return lines

    def fixed(self, doc, section: int, *fields: tuple[int, bytes]) -> None:
        """The same line in documents `doc` (a heading, a rule; no fields: a blank
        line), held once for all of them."""
        doc = np.asarray(doc, np.int64)
        row = blank_lines(1, max([column - 1 + len(value) for column, value in fields], default=0))
        for column, value in fields:
            put(row, column, value)
        self.add(np.broadcast_to(row, (len(doc), row.shape[1])), doc, section)

    @property
    def count(self) -> int:
        """The lines added."""
        return sum(len(p[1]) for p in self._parts)

    def line_sequential(self) -> memoryview:
        """The print file of every line in print order, as GnuCOBOL writes LINE SEQUENTIAL."""
        return line_sequential_in_order([p[0] for p in self._parts], self.print_order())

    def lines(self) -> np.ndarray:
        """Every line in print order: (n, width) uint8."""
        if not self._parts:
            return blank_lines(0, self.width)
        m = np.concatenate([p[0] if p[0].shape[1] == self.width else
                            np.pad(p[0], ((0, 0), (0, self.width - p[0].shape[1])), constant_values=0x20)
                            for p in self._parts])
        return m[self.print_order()]

    def print_order(self) -> np.ndarray:
        """The added lines (numbered as added) in print order."""
        if not self._parts:
            return np.zeros(0, np.int64)
        doc = np.concatenate([p[1] for p in self._parts])
        if not len(doc):
            return np.zeros(0, np.int64)
        low, high = int(doc.min()), int(doc.max())
        if high - low > 4 * len(doc) + 4096:                 # sparse numbers: sort
            return self._sorted_order(doc)
        sections = sorted({p[2] for p in self._parts})
        first = np.cumsum([0] + [len(p[1]) for p in self._parts])
        cells = []          # per section: line numbers, their documents, in cell order; one a document?
        for s in sections:
            mine = [i for i, p in enumerate(self._parts) if p[2] == s]
            if len(mine) == 1:
                rows = np.arange(first[mine[0]], first[mine[0] + 1])
                d = self._parts[mine[0]][1] - low
            else:
                rows = np.concatenate([np.arange(first[i], first[i + 1]) for i in mine])
                d = doc[rows] - low
            rising = d[1:] > d[:-1]
            if rising.all():
                cells.append((rows, d, True))
                continue
            sub = np.concatenate([np.zeros(len(self._parts[i][1]), np.int64) if self._parts[i][3] is None
                                  else self._parts[i][3] for i in mine])
            if not (rising | ((d[1:] == d[:-1]) & (sub[1:] >= sub[:-1]))).all():
                by = np.lexsort((sub, d))
                rows, d = rows[by], d[by]
            cells.append((rows, d, False))
        ndoc, nsec = high - low + 1, len(sections)
        counts = np.zeros((ndoc, nsec), np.int64)
        for k, (_, d, _) in enumerate(cells):
            counts[:, k] = np.bincount(d, minlength=ndoc)
        start = np.zeros(ndoc * nsec, np.int64)
        np.cumsum(counts.reshape(-1)[:-1], out=start[1:])
        order = np.empty(len(doc), np.int64)
        for k, (rows, d, single) in enumerate(cells):
            rank = 0 if single else np.arange(len(d)) - np.searchsorted(d, d)
            order[start[d * nsec + k] + rank] = rows
        return order

    def _sorted_order(self, doc: np.ndarray) -> np.ndarray:
        sec = np.concatenate([np.full(len(p[1]), p[2], np.int64) for p in self._parts])
        sub = np.concatenate([np.zeros(len(p[1]), np.int64) if p[3] is None else p[3] for p in self._parts])
        return np.lexsort((sub, sec, doc))
