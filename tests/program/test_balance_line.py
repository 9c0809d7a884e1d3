"""engine.program.balance_line against a plain-Python balance-line loop."""
import io

import numpy as np
from hypothesis import given, settings, strategies as st

from engine.program.balance_line import update
from engine.program.validation import first_failure

# records: key 2 bytes + value 3 digits + 3 bytes of filler
L = 8


def mrec(k: int, v: int, filler=b"ffF") -> bytes:
    return b"%02d%03d" % (k, v) + filler


def trec(k: int, op: bytes, v: int) -> bytes:
    return b"%02d" % k + op + b"%03d" % v


def apply(batch, trans):
    t = trans[batch.tran]
    op = t[:, 2]
    val = (t[:, 3:6] - 48).astype(np.int64) @ np.array([100, 10, 1])
    cur = (batch.rec[:, 2:5] - 48).astype(np.int64) @ np.array([100, 10, 1])
    is_add, is_chg, is_del = op == ord("A"), op == ord("C"), op == ord("D")
    reason = first_failure([
        ("DU", is_add & batch.present),
        ("NF", ~is_add & ~batch.present),
        ("OV", is_chg & (cur + val > 999)),          # a rule that depends on the current state
    ])
    ok = reason == ""
    new = np.where(is_add, val, cur + val)
    digits = np.stack([new // 100, new // 10 % 10, new % 10], axis=1) + 48
    upd = ok & (is_add | is_chg)
    batch.rec[upd, 2:5] = digits[upd]
    batch.rec[ok & is_add, 5:8] = ord("n")
    batch.rec[ok & is_add, 0:2] = t[ok & is_add, 0:2]
    batch.present[ok & is_add] = True
    batch.present[ok & is_del] = False
    return reason


def reference(masters: dict, trans: list):
    state = {k: bytearray(v) for k, v in masters.items()}
    reasons, created = [], set()
    for t in trans:
        k, op, val = t[:2], t[2:3], int(t[3:6])
        rec = state.get(k)
        if op == b"A":
            if rec is not None:
                reasons.append("DU")
                continue
            state[k] = bytearray(k + b"%03d" % val + b"nnn")
            if k not in masters:
                created.add(k)
        elif rec is None:
            reasons.append("NF")
            continue
        elif op == b"C":
            cur = int(rec[2:5])
            if cur + val > 999:
                reasons.append("OV")
                continue
            rec[2:5] = b"%03d" % (cur + val)
        else:
            del state[k]
        reasons.append("")
    return b"".join(bytes(state[k]) for k in sorted(state)), reasons, created


@settings(max_examples=150, deadline=None)
@given(st.sets(st.integers(0, 30), max_size=15),
       st.lists(st.tuples(st.integers(0, 30), st.sampled_from([b"A", b"C", b"D"]), st.integers(0, 600)),
                max_size=40))
def test_update_matches_the_record_loop(mkeys, trans):
    mkeys = sorted(mkeys)
    masters = {b"%02d" % k: mrec(k, (k * 37) % 1000) for k in mkeys}
    tr = sorted((trec(k, op, v) for k, op, v in trans), key=lambda t: t[:2])   # stable: file order per key
    M = np.frombuffer(b"".join(masters.values()), np.uint8).reshape(len(masters), L)
    T = np.frombuffer(b"".join(tr), np.uint8).reshape(len(tr), 6)
    res = update(M, M[:, :2], T[:, :2], lambda b: apply(b, T))
    want_out, want_reasons, created = reference(masters, tr)
    assert res.records().tobytes() == want_out
    buf = io.BytesIO()
    res.write(buf, chunk=3)
    assert buf.getvalue() == want_out
    assert res.reasons.tolist() == want_reasons
    assert res.added == len(created)


def test_untouched_records_are_written_as_read_and_a_rejection_in_the_middle_changes_nothing():
    masters = [b"01junk\xff\x00", b"05" + b"100" + b"abc", b"09\x00\x00\x00xyz"]
    M = np.frombuffer(b"".join(masters), np.uint8).reshape(3, L)
    tr = [trec(5, b"C", 500), trec(5, b"C", 500), trec(5, b"C", 1)]   # 600, rejected (1100), 601
    T = np.frombuffer(b"".join(tr), np.uint8).reshape(3, 6)
    res = update(M, M[:, :2], T[:, :2], lambda b: apply(b, T))
    assert res.reasons.tolist() == ["", "OV", ""]
    out = res.records()
    assert out[0].tobytes() == masters[0] and out[2].tobytes() == masters[2]
    assert out[1].tobytes() == b"05601abc"
    assert res.updated == 1 and res.added == 0


def test_empty_inputs():
    M = np.zeros((0, L), np.uint8)
    T = np.zeros((0, 6), np.uint8)
    res = update(M, M[:, :2], T[:, :2], lambda b: apply(b, T))
    assert len(res) == 0 and res.records().shape == (0, L)
