"""Whether a step runs: `when:` (JCL IF/THEN) and `cond:` (JCL COND=), evaluated as the host does.

`when:` grammar: RC, STEP.RC, ABEND, STEP.ABEND, STEP.RUN, ABENDCC=S0C7|U4000, STEP.ABENDCC=…,
comparisons GT LT GE LE EQ NE NG NL or > < >= <= = == != ¬= , NOT (¬ !), AND (&), OR (|),
parentheses. NOT binds first, then comparisons, then AND and OR, which (as in IBM JCL) have
equal precedence and are taken left to right — write parentheses when mixing them.
A test on a step that did not run (bypassed, or skipped by a restart) is false.

`cond:` is COND=: the step is bypassed if any test `code op RC` is true; a test naming a step
that has no return code (bypassed, abended, skipped by a restart) is ignored. EVEN runs the
step after an abend too, ONLY only after one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.errors import JobDefinitionError

_OPS = {"GT": ">", "LT": "<", "GE": ">=", "LE": "<=", "EQ": "==", "NE": "!=", "NG": "<=", "NL": ">=",
        ">": ">", "<": "<", ">=": ">=", "<=": "<=", "=": "==", "==": "==", "!=": "!=", "¬=": "!=",
        "¬>": "<=", "¬<": ">=", "<>": "!="}
_CMP = {">": lambda a, b: a > b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
_TOKEN = re.compile(r"\s*(?:(?P<sym>¬=|¬>|¬<|>=|<=|==|!=|<>|[()<>=¬!&|])|(?P<word>[A-Za-z0-9#@$_-]+(?:\.[A-Za-z0-9#@$_-]+)?))")


@dataclass
class Outcome:
    """What became of an earlier step, as conditions see it."""
    ran: bool = False            # executed (normally or not)
    rc: int | None = None        # return code when it ended without an abend
    abend: str | None = None     # S0C7, U4000 … when it abended
    restart_skipped: bool = False


# ------------------------------------------------------------------- when:

def _tokens(text: str, where: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            col = pos + 1 + len(text[pos:]) - len(text[pos:].lstrip())
            raise JobDefinitionError(f"{where}: unexpected {text[pos:].strip()[:10]!r} at column {col} of {text!r}")
        kind = "sym" if m.group("sym") else "word"
        val = m.group(kind)
        out.append((kind, val if kind == "sym" else val.upper(), m.start(kind) + 1))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, where: str):
        self.text, self.where = text, where
        self.toks = _tokens(text, where)
        self.i = 0

    def error(self, msg: str, tok: tuple[str, str, int] | None = None) -> JobDefinitionError:
        if tok is not None:
            col = tok[2]
        else:
            col = self.toks[self.i][2] if self.i < len(self.toks) else len(self.text) + 1
        return JobDefinitionError(f"{self.where}: {msg} at column {col} of {self.text!r}",
                                  hint="e.g. when: SORTTRN.rc <= 4 AND NOT ABEND")

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise self.error("the expression ends too early")
        self.i += 1
        return tok

    def parse(self):
        if not self.toks:
            raise self.error("empty condition")
        node = self.expr()
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek()[1]!r}")
        return node

    def expr(self):
        node = self.unary()
        while (t := self.peek()) is not None and t[1] in ("AND", "OR", "&", "|"):
            self.take()
            op = "and" if t[1] in ("AND", "&") else "or"
            node = (op, node, self.unary())
        return node

    def unary(self):
        t = self.peek()
        if t is not None and t[1] in ("NOT", "¬", "!"):
            self.take()
            return ("not", self.unary())
        return self.primary()

    def primary(self):
        t = self.take()
        if t[1] == "(":
            node = self.expr()
            if self.peek() is None or self.peek()[1] != ")":
                raise self.error("missing ')'")
            self.take()
            return node
        if t[0] != "word":
            raise self.error(f"unexpected {t[1]!r}", t)
        step, _, attr = t[1].rpartition(".")
        if not step and attr == "RC":
            return self.comparison(("rc", None), t)
        if step and attr == "RC":
            return self.comparison(("rc", step), t)
        if attr == "ABEND":
            return ("abend", step or None)
        if step and attr == "RUN":
            return ("run", step)
        if attr == "ABENDCC":
            op = self.take()
            if _OPS.get(op[1]) not in ("==", "!="):
                raise self.error("ABENDCC is compared with = or NE", op)
            code = self.take()
            if code[0] != "word" or not re.fullmatch(r"S[0-9A-F]{3}|U\d{4}", code[1]):
                raise self.error("an abend code is Sxxx (hex) or Unnnn", code)
            node = ("abendcc", step or None, code[1])
            return node if _OPS[op[1]] == "==" else ("not", node)
        if t[1] in ("TRUE", "FALSE"):
            return ("const", t[1] == "TRUE")
        raise self.error(f"{t[1]!r} is not RC, ABEND, ABENDCC, step.RC, step.RUN or step.ABEND", t)

    def comparison(self, operand, tok):
        op = self.take()
        if op[1] not in _OPS:
            raise self.error(f"expected a comparison (GT LT GE LE EQ NE or > < >= <= = !=) after {tok[1]}", op)
        num = self.take()
        if num[0] != "word" or not num[1].isdigit():
            raise self.error("expected a return code number", num)
        return ("cmp", operand, _OPS[op[1]], int(num[1]))


def parse_when(text: str, *, where: str = "when"):
    """Parse a `when:` expression into a small tree; JobDefinitionError with the column on a mistake."""
    return _Parser(str(text), where).parse()


def when_steps(node) -> set[str]:
    kind = node[0]
    if kind in ("and", "or"):
        return when_steps(node[1]) | when_steps(node[2])
    if kind == "not":
        return when_steps(node[1])
    if kind == "cmp":
        return {node[1][1]} - {None}
    if kind in ("abend", "abendcc", "run"):
        return {node[1]} - {None}
    return set()


def mentions_abend(node) -> bool:
    kind = node[0]
    if kind in ("and", "or"):
        return mentions_abend(node[1]) or mentions_abend(node[2])
    if kind == "not":
        return mentions_abend(node[1])
    return kind in ("abend", "abendcc")


def eval_when(node, history: dict[str, Outcome]) -> bool:
    kind = node[0]
    if kind == "and":
        return eval_when(node[1], history) and eval_when(node[2], history)
    if kind == "or":
        return eval_when(node[1], history) or eval_when(node[2], history)
    if kind == "not":
        return not eval_when(node[1], history)
    if kind == "const":
        return node[1]
    if kind == "cmp":
        (_, step), op, value = node[1], node[2], node[3]
        if step is None:
            rcs = [o.rc for o in history.values() if o.ran and o.rc is not None]
            rc = max(rcs) if rcs else 0
        else:
            o = history.get(step)
            if o is None or not o.ran or o.rc is None:
                return False
            rc = o.rc
        return _CMP[op](rc, value)
    if kind == "abend":
        if node[1] is None:
            return any(o.abend for o in history.values())
        o = history.get(node[1])
        return bool(o and o.ran and o.abend)
    if kind == "abendcc":
        outs = history.values() if node[1] is None else [history.get(node[1])]
        return any(o is not None and o.abend == node[2] for o in outs)
    if kind == "run":
        o = history.get(node[1])
        return bool(o and o.ran)
    raise AssertionError(kind)


# ------------------------------------------------------------------- cond:

@dataclass
class Cond:
    tests: list[tuple[int, str, str | None]]   # (code, op symbol, step or None)
    mode: str | None = None                     # None, EVEN, ONLY


def _nest(text: str, where: str):
    toks = re.findall(r"\(|\)|,|[^(),\s]+", text)
    pos = 0

    def item():
        nonlocal pos
        if pos >= len(toks):
            raise JobDefinitionError(f"{where}: {text!r} ends too early")
        t = toks[pos]
        if t == "(":
            pos += 1
            out = []
            while True:
                if pos >= len(toks):
                    raise JobDefinitionError(f"{where}: missing ')' in {text!r}")
                if toks[pos] == ")":
                    pos += 1
                    return out
                out.append(item())
                if pos < len(toks) and toks[pos] == ",":
                    pos += 1
        if t in (")", ","):
            raise JobDefinitionError(f"{where}: unexpected {t!r} in {text!r}")
        pos += 1
        return t

    parts = [item()]
    while pos < len(toks) and toks[pos] == ",":
        pos += 1
        parts.append(item())
    if pos != len(toks):
        raise JobDefinitionError(f"{where}: unexpected {toks[pos]!r} in {text!r}")
    return parts[0] if len(parts) == 1 else parts


def parse_cond(value: object, *, where: str = "cond") -> Cond:
    """COND as a string `((4,LT),(8,GT,STEP1),EVEN)` / `(4,LT)` / `EVEN`, or the same as YAML lists."""
    raw = _nest(str(value), where) if isinstance(value, str) else value
    if not isinstance(raw, list):
        raw = [raw]
    if raw and not isinstance(raw[0], list) and str(raw[0]).upper() not in ("EVEN", "ONLY"):
        raw = [raw]                      # a single test (4,LT) or (4,LT,STEP)
    tests, mode = [], None
    for part in raw:
        if isinstance(part, list):
            if len(part) not in (2, 3):
                raise JobDefinitionError(f"{where}: a COND test is (code,op) or (code,op,step), got {part!r}")
            try:
                code = int(str(part[0]))
            except ValueError:
                raise JobDefinitionError(f"{where}: {part[0]!r} is not a return code") from None
            if not 0 <= code <= 4095:
                raise JobDefinitionError(f"{where}: return code {code} is outside 0..4095")
            op = str(part[1]).upper()
            if op not in ("GT", "GE", "EQ", "LT", "LE", "NE"):
                raise JobDefinitionError(f"{where}: {part[1]!r} is not GT, GE, EQ, LT, LE or NE")
            step = str(part[2]).upper() if len(part) == 3 else None
            tests.append((code, _OPS[op], step))
        else:
            word = str(part).upper()
            if word not in ("EVEN", "ONLY") or mode is not None:
                raise JobDefinitionError(f"{where}: {part!r} is not a test, EVEN or ONLY")
            mode = word
    if len(tests) > 8:
        raise JobDefinitionError(f"{where}: at most 8 COND tests")
    return Cond(tests, mode)


def cond_bypasses(cond: Cond, history: dict[str, Outcome]) -> bool:
    """True when a COND test is true (the step is bypassed)."""
    for code, op, step in cond.tests:
        if step is not None:
            o = history.get(step)
            rcs = [o.rc] if o is not None and o.ran and o.rc is not None else []
        else:
            rcs = [o.rc for o in history.values() if o.ran and o.rc is not None]
        if any(_CMP[op](code, rc) for rc in rcs):
            return True
    return False


def should_run(when, cond: Cond | None, history: dict[str, Outcome]) -> tuple[bool, str]:
    """(run?, reason when not). `when`: a parsed tree or None."""
    abended = any(o.abend for o in history.values())
    if abended:
        allowed = (cond is not None and cond.mode in ("EVEN", "ONLY")) or \
                  (when is not None and mentions_abend(when))
        if not allowed:
            return False, "NOT RUN BECAUSE OF AN EARLIER ABEND"
    elif cond is not None and cond.mode == "ONLY":
        return False, "BYPASSED: COND=ONLY AND NO STEP ABENDED"
    if when is not None and not eval_when(when, history):
        return False, "BYPASSED: WHEN CONDITION IS FALSE"
    if cond is not None and cond_bypasses(cond, history):
        return False, "BYPASSED DUE TO COND"
    return True, ""


def check_step_refs(job, step) -> None:
    """Every step a condition names must come earlier in the job."""
    earlier = []
    for s in job.steps:
        if s is step:
            break
        earlier.append(s.name.upper())
    where = f"{job.source}: step {step.name}"
    names: set[str] = set()
    if step.when is not None:
        names |= when_steps(parse_when(step.when, where=f"{where}: key when"))
    if step.cond is not None:
        names |= {t[2] for t in parse_cond(step.cond, where=f"{where}: key cond").tests if t[2]}
    for n in sorted(names):
        if n not in earlier:
            raise JobDefinitionError(f"{where}: the condition names step {n}, which is not an earlier step "
                                     f"of job {job.name}")
