"""The balance-line master update, vectorised across keys.

A sorted master and sorted transactions; each key's transactions are applied
in file order, each to the state the ones before left; a rejected one changes
nothing; a key without a master record can get one (an add), a record can be
deleted; a master record no transaction touches is written through to the byte.

The order-dependent part is a loop over the *rank* of a transaction within its
key (the first transaction of every key, then the second of every key that has
two, ...), each round one vectorised call of the program's `apply`:

    def apply(batch):                  # all transactions of one rank, one per key
        reason = first_failure([...state checks on batch.rec / batch.present...])
        ok = reason == ""
        batch.rec[ok, ...] = ...       # change the records of the accepted ones
        batch.present[ok & adds] = True
        return reason                  # "" accepted, else the reason code

    result = update(master, master_keys, tran_keys, apply, blank=b" ")
    result.write(fh)                   # the next generation, in key order
    result.reasons                     # per transaction, file order

`apply` sees copies; only the rows it accepts are committed. A key's state is
the master record (present) or a blank record (absent) before its first
transaction. The master keys must be strictly ascending and the transaction
keys ascending (check with engine.program.sequence first).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.program.keys import key_ranks


@dataclass
class Batch:
    """The transactions of one rank: at most one per key."""
    rank: int                 # 0 for each key's first transaction, 1 for the second, ...
    tran: np.ndarray          # int64: transaction numbers (0-based, file order)
    group: np.ndarray         # int64: the keys' numbers among the touched keys
    rec: np.ndarray           # uint8 (m, lrecl): each key's current record (a copy)
    present: np.ndarray       # bool (m,): the key has a record now (a copy)
    in_master: np.ndarray     # bool (m,): the key had a master record
    created: np.ndarray       # bool (m,): the record was added during this run


@dataclass
class Update:
    """What the balance line did."""
    reasons: np.ndarray               # per transaction: "" applied, else the reason
    master: np.ndarray                # the master records (read-only view)
    group_master: np.ndarray          # int64 per touched key: master row, or -1
    group_rec: np.ndarray             # uint8 (g, lrecl): the final record per touched key
    group_present: np.ndarray         # bool (g,)
    group_applied: np.ndarray         # int64 (g,): transactions applied on the key
    group_created: np.ndarray         # bool (g,): record added during the run (present or not at the end)
    order: np.ndarray = field(repr=False, default=None)   # output rows: index into master, or -(1+patch)

    @property
    def applied(self) -> np.ndarray:
        return self.reasons == ""

    @property
    def updated(self) -> int:
        """Master records with at least one applied transaction."""
        return int(((self.group_master >= 0) & (self.group_applied > 0)).sum())

    @property
    def added(self) -> int:
        """Records created during the run (even if removed again)."""
        return int(self.group_created.sum())

    def __len__(self) -> int:
        return len(self.order)

    def records(self) -> np.ndarray:
        """The next generation as one (n, lrecl) matrix."""
        return self._gather(self.order)

    def _gather(self, idx: np.ndarray) -> np.ndarray:
        out = np.empty((len(idx), self.master.shape[1]), np.uint8)
        from_master = idx >= 0
        out[from_master] = self.master[idx[from_master]]
        out[~from_master] = self.group_rec[-1 - idx[~from_master]]
        return out

    def write(self, fh, chunk: int = 1 << 16) -> int:
        """Write the next generation to a binary file, `chunk` records at a time
        (each chunk one gather from the master and the touched keys' records)."""
        n = len(self.order)
        for a in range(0, n, chunk):
            fh.write(self._gather(self.order[a:a + chunk]).tobytes())
        return n


def update(master: np.ndarray, master_keys: np.ndarray, tran_keys: np.ndarray, apply, *,
           blank: bytes = b" ") -> Update:
    """Apply the transactions to the master (see the module's docstring)."""
    master = np.asarray(master, np.uint8)
    n_m, lrecl = master.shape if master.ndim == 2 else (0, 0)
    n_t = len(tran_keys)
    rm, rt = key_ranks(master_keys, tran_keys)
    # touched keys (groups) in key order, and each transaction's rank within its key
    gkeys, gfirst, gcount = np.unique(rt, return_index=True, return_counts=True)
    g = len(gkeys)
    group_of = np.repeat(np.arange(g), gcount)
    rank = np.arange(n_t) - gfirst[group_of] if n_t else np.zeros(0, np.int64)
    pos = np.searchsorted(rm, gkeys)
    in_master = (pos < n_m) & (rm[np.minimum(pos, max(n_m - 1, 0))] == gkeys) if n_m else np.zeros(g, bool)
    gmaster = np.where(in_master, pos, -1).astype(np.int64)

    fill = np.frombuffer(blank * lrecl, np.uint8)[:lrecl] if lrecl else np.zeros(0, np.uint8)
    rec = np.empty((g, lrecl), np.uint8)
    rec[:] = fill
    rec[in_master] = master[gmaster[in_master]]
    present = in_master.copy()
    created = np.zeros(g, bool)
    applied = np.zeros(g, np.int64)
    reasons = np.full(n_t, "", dtype="U8")

    for r in range(int(gcount.max()) if g else 0):
        sel = np.flatnonzero(rank == r)
        grp = group_of[sel]
        batch = Batch(r, sel, grp, rec[grp].copy(), present[grp].copy(), in_master[grp].copy(), created[grp].copy())
        why = np.asarray(apply(batch))
        ok = why == ""
        reasons[sel] = why
        acc = grp[ok]
        rec[acc] = batch.rec[ok]
        created[acc] |= batch.present[ok] & ~in_master[acc]
        present[acc] = batch.present[ok]
        applied[acc] += 1

    # output order: kept master rows and the touched keys' records, by key
    keep = np.ones(n_m, bool)
    keep[gmaster[in_master]] = False                       # replaced (or dropped) below
    patch = np.flatnonzero(present)                        # touched keys written from their state
    src_master = np.flatnonzero(keep)
    ranks = np.concatenate([rm[src_master], gkeys[patch]])
    srcs = np.concatenate([src_master, -1 - patch])
    order = srcs[np.argsort(ranks, kind="stable")]
    return Update(reasons, master, gmaster, rec, present, applied, created, order)
