"""Random inputs for the fuzz tests and the campaign: copybooks, records, SORT statements,
job definitions and command lines, each built from its grammar and then (often) mutated.

Every generator takes a `random.Random`, so a case is reproduced from its seed; the
Hypothesis tests draw the Random from `st.randoms()` (and shrink its choices)."""
from __future__ import annotations

import random

# ------------------------------------------------------------------ mutation

_NOISE = ["(", ")", ".", ",", "'", '"', "-", "9", "0", "X", " ", "\t", "\n", "\x00", "\xff", "ー", "漢",
          "99999999999999999999", "2147483647", "-1", "0", "OCCURS", "PIC", "COMP-3", "=", ":", "{", "}",
          "[", "]", "*", "&&", "$", "\r", "\x0c", "S9(18)", "1000000000"]


def mutate(rng: random.Random, text: str, rounds: int | None = None) -> str:
    """Insert, delete, duplicate or replace pieces of `text`."""
    for _ in range(rounds if rounds is not None else rng.randint(1, 4)):
        if not text:
            text = rng.choice(_NOISE)
            continue
        i = rng.randrange(len(text) + 1)
        op = rng.random()
        if op < 0.35:
            text = text[:i] + rng.choice(_NOISE) + text[i:]
        elif op < 0.6:
            j = min(len(text), i + rng.randint(1, 8))
            text = text[:i] + text[j:]
        elif op < 0.75:
            j = min(len(text), i + rng.randint(1, 20))
            text = text[:j] + text[i:j] + text[j:]
        elif op < 0.9:
            j = min(len(text), i + rng.randint(1, 4))
            text = text[:i] + rng.choice(_NOISE) + text[j:]
        else:                                   # swap two lines
            lines = text.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        i = rng.randrange(len(data) + 1)
        if op < 0.4 and data:
            data[min(i, len(data) - 1)] = rng.randrange(256)
        elif op < 0.6:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 5)))
        elif op < 0.8:
            del data[i:i + rng.randint(1, 5)]
        else:
            data[i:i] = rng.choice([b"\n", b"\r\n", b"\x00\x00", b"\xff\xff\xff\xff", b"\x0d"])
    return bytes(data)


# ------------------------------------------------------------------ copybooks

_USAGES = ["", " COMP", " COMP-3", " COMP-5", " BINARY", " PACKED-DECIMAL", " DISPLAY", " COMP-1", " COMP-2"]
_PICS = ["X({n})", "9({n})", "S9({n})", "S9({n})V99", "9({n})V9({m})", "A({n})", "N({n})", "Z(4)9.99", "-ZZ9",
         "XXX", "S9(7)V9(2)", "9", "X", "+9(3)", "S9({n})", "9({n})P", "$$$9.99", "X(2)B9"]


def copybook(rng: random.Random, *, max_items: int = 10) -> str:
    """A copybook in fixed format: groups, PICTUREs with USAGE, OCCURS (with DEPENDING ON),
    REDEFINES, 88 levels, FILLER."""
    lines = ["       01 REC."]
    counters: list[str] = []
    level_stack = [1]
    names = []
    for k in range(rng.randint(1, max_items)):
        name = rng.choice(["F", "AMT", "KEY", "NAME", "CNT", "TBL", "FILLER", "G", "X"]) + f"-{k}"
        depth = min(len(level_stack), rng.randint(1, 3))
        level = 5 * depth
        level_stack = level_stack[:depth] + [level]
        pad = " " * (7 + 3 * depth)
        if rng.random() < 0.2 and k < max_items - 1:          # a group
            occurs = ""
            if rng.random() < 0.4:
                occurs = f" OCCURS {rng.randint(1, 4)}"
                if counters and rng.random() < 0.4:
                    occurs = f" OCCURS 0 TO {rng.randint(1, 4)} DEPENDING ON {rng.choice(counters)}"
            lines.append(f"{pad}{level:02d} {name}{occurs}.")
            continue
        pic = rng.choice(_PICS).format(n=rng.randint(1, 12), m=rng.randint(1, 4))
        usage = rng.choice(_USAGES) if pic[0] in "S9" else ""
        if usage in (" COMP-1", " COMP-2"):
            clause = usage
        else:
            clause = f" PIC {pic}{usage}"
        extra = ""
        r = rng.random()
        if r < 0.15:
            extra = f" OCCURS {rng.randint(1, 5)}"
        elif r < 0.2 and names:
            extra = f" REDEFINES {names[-1]}"
        elif r < 0.25:
            extra = " VALUE " + rng.choice(["SPACES", "ZERO", "'A'", "1", "HIGH-VALUES"])
        lines.append(f"{pad}{level:02d} {name}{clause}{extra}.")
        if rng.random() < 0.1:
            lines.append(f"{pad}   88 {name}-OK VALUE {rng.choice(['1', quote('Y'), '1 THRU 5'])}.")
        if pic.startswith("9(") and not usage and "V" not in pic and not extra:
            counters.append(name)
        names.append(name)
    return "\n".join(lines) + "\n"


def quote(s: str) -> str:
    return f"'{s}'"


def copybook_case(rng: random.Random) -> str:
    text = copybook(rng)
    return mutate(rng, text) if rng.random() < 0.6 else text


# ------------------------------------------------------------------ records

def record_bytes(rng: random.Random, length: int, count: int, recfm: str) -> bytes:
    """Records of about `length` bytes in RECFM, sometimes mutated."""
    alphabet = [b"0123456789", b"ABC xyz", bytes(range(256)), b"\x00\x12\x3c\x9d", b" "]
    out = bytearray()
    for _ in range(count):
        pool = rng.choice(alphabet)
        rec = bytes(rng.choice(pool) for _ in range(length))
        if recfm in ("V", "VB"):
            out += (len(rec) + 4).to_bytes(2, "big") + b"\0\0" + rec
        elif recfm == "LS":
            out += rec.replace(b"\n", b" ") + b"\n"
        else:
            out += rec
    data = bytes(out)
    return mutate_bytes(rng, data) if rng.random() < 0.5 else data


# ------------------------------------------------------------------ SORT statements

def _field(rng):
    return f"{rng.randint(1, 12)},{rng.randint(1, 6)}"


def sort_statements(rng: random.Random) -> str:
    fmts = ["CH", "ZD", "PD", "BI", "FI", "AC", "CSF", "XX"]
    lines = []
    if rng.random() < 0.8:
        keys = ",".join(f"{_field(rng)},{rng.choice(fmts)},{rng.choice('AD')}" for _ in range(rng.randint(1, 3)))
        lines.append(f" SORT FIELDS=({keys})" if rng.random() < 0.8 else " SORT FIELDS=COPY")
    else:
        lines.append(" OPTION COPY")
    for _ in range(rng.randint(0, 3)):
        kind = rng.choice(["INCLUDE", "OMIT", "INREC", "OUTREC", "SUM", "OUTFIL", "OPTION", "RECORD"])
        if kind in ("INCLUDE", "OMIT"):
            cond = f"{_field(rng)},{rng.choice(['CH', 'ZD', 'PD'])},{rng.choice(['EQ', 'NE', 'GT', 'LT', 'GE'])}," + \
                rng.choice(["C'A'", "X'00'", "5", "-3", f"{_field(rng)},CH"])
            lines.append(f" {kind} COND=({cond})")
        elif kind in ("INREC", "OUTREC"):
            items = rng.choices([_field(rng), "C'-'", "3X", "SEQNUM,4,ZD", f"SEQNUM,{rng.randint(1, 20)},PD",
                                 "2Z", "X'FF'", f"{rng.randint(1, 9)}:C'#'", f"{rng.randint(1, 9)}"], k=rng.randint(1, 4))
            lines.append(f" {kind} {rng.choice(['BUILD', 'FIELDS', 'OVERLAY'])}=({','.join(items)})")
        elif kind == "SUM":
            lines.append(rng.choice([" SUM FIELDS=NONE", f" SUM FIELDS=({_field(rng)},ZD)", f" SUM FIELDS=({_field(rng)},PD)"]))
        elif kind == "OUTFIL":
            lines.append(f" OUTFIL FNAMES=OUT{rng.randint(1, 2)},INCLUDE=({_field(rng)},CH,EQ,C'A')")
        elif kind == "OPTION":
            lines.append(rng.choice([" OPTION EQUALS", "OPTION EQUALS", " OPTION NULLOUT=RC4", " OPTION STOPAFT=2",
                                     " OPTION SKIPREC=1", " OPTION VLSHRT"]))
        else:
            lines.append(f" RECORD TYPE=F,LENGTH={rng.randint(1, 30)}")
    text = "\n".join(lines) + "\n"
    return mutate(rng, text) if rng.random() < 0.5 else text


# ------------------------------------------------------------------ job definitions

def job_yaml(rng: random.Random, files: list[str], name: str = "FUZZJ") -> str:
    """A job of SORT steps over dsn:/path: DDs with assorted DISPs."""
    steps = []
    for s in range(rng.randint(1, 3)):
        dds = []
        for dd in ["SORTIN", "SORTOUT"] + (["OUT1"] if rng.random() < 0.2 else []):
            kind = rng.random()
            disp = rng.choice(["", "", ", disp: SHR", ", disp: OLD", ", disp: MOD", ", disp: [NEW, CATLG, DELETE]",
                               ", disp: [NEW, PASS]", ", disp: [OLD, DELETE]", ", disp: NEW"])
            if kind < 0.5:
                target = f"dsn: {rng.choice(['CITY.A', 'CITY.B', '&&T1', 'CITY.G(+1)', 'CITY.G(0)', '*.S0.SORTOUT'])}"
            elif kind < 0.8:
                target = f"path: {rng.choice(files)}"
            else:
                target = rng.choice(["dummy: true", "sysout: A", "dsn: [{dsn: CITY.A}, {dsn: CITY.B}]", "path: []"])
            attrs = rng.choice(["", ", recfm: FB, lrecl: 4", ", recfm: LS", ", recfm: VB, lrecl: 20", ", lrecl: 0"])
            dds.append(f"          {dd}: {{{target}{disp}{attrs}}}")
        sysin = rng.choice(["SORT FIELDS=(1,2,CH,A)", "SORT FIELDS=COPY", "OPTION COPY", "SORT FIELDS=(1,2,ZD,D)"])
        steps.append(f"  - name: S{s}\n    program: SORT\n"
                     + (f"    cond: {rng.choice(['[[0, LT]]', '[[4, LE, S0]]', 'EVEN'])}\n" if rng.random() < 0.2 else "")
                     + "    dd:\n" + "\n".join(dds) + f"\n          SYSIN: '{sysin}'\n")
    text = f"job: {name}\nsteps:\n" + "".join(steps)
    return mutate(rng, text) if rng.random() < 0.3 else text


# ------------------------------------------------------------------ command lines

def command_line(rng: random.Random, inputs: list[str], fresh: list[str], odd: list[str], cpy: str,
                 job: str) -> list[str]:
    """argv for densan: convert, sort, layout, run, with valid and garbage options; files
    from the user's existing inputs, new names and odd places (a folder, /dev/null …)."""
    def path(kind=None):
        r = rng.random()
        if kind == "in" or (kind is None and r < 0.4):
            return rng.choice(inputs)
        if r < 0.8:
            return rng.choice(fresh)
        return rng.choice(odd)

    def number():
        return rng.choice(["0", "1", "4", "10", "-1", "abc", "1000000000", "99999999999999999999", "32760"])

    cmd = rng.choice(["convert", "convert", "sort", "layout", "run"])
    if cmd == "convert":
        argv = ["convert", path("in"), path() + rng.choice([".jsonl", ".csv", ".parquet", ".dat", ""]),
                "--copybook", rng.choice([cpy, cpy, path()])]
        for _ in range(rng.randint(0, 4)):
            opt = rng.choice(["--recfm", "--to-recfm", "--lrecl", "--to-lrecl", "--encoding", "--to-encoding",
                              "--errors", "--reject", "--dialect", "--flatten", "--raw", "--bdw",
                              "--rdw-little-endian"])
            if opt in ("--recfm", "--to-recfm"):
                argv += [opt, rng.choice(["F", "FB", "V", "VB", "LS", "U"])]
            elif opt in ("--lrecl", "--to-lrecl"):
                argv += [opt, number()]
            elif opt in ("--encoding", "--to-encoding"):
                argv += [opt, rng.choice(["ascii", "cp037", "cp930", "cp932", "utf-8", "nope"])]
            elif opt == "--errors":
                argv += [opt, rng.choice(["strict", "lenient", "x"])]
            elif opt == "--reject":
                argv += [opt, path()]
            elif opt == "--dialect":
                argv += [opt, rng.choice(["ibm", "gnucobol"])]
            else:
                argv.append(opt)
        return argv
    if cmd == "sort":
        argv = ["sort", "--sysin", sort_statements(rng), "--in", path("in")]
        if rng.random() < 0.3:
            argv += ["--in", path("in")]
        argv += ["--out", path()] if rng.random() < 0.8 else []
        if rng.random() < 0.3:
            argv += ["--outfil", f"OUT{rng.randint(1, 2)}={path()}"]
        argv += ["--recfm", rng.choice(["FB", "LS", "VB", "F", "Q"])]
        if rng.random() < 0.7:
            argv += ["--lrecl", number()]
        return argv
    if cmd == "layout":
        return ["layout", rng.choice([cpy, path()])]
    argv = ["run", rng.choice([job, job, path()]), "-q"]
    if rng.random() < 0.5:          # a job on the user's files: its input, and an output anywhere
        argv += ["--dd", f"SORTIN={path('in')}", "--dd", f"SORTOUT={path()}"]
    for _ in range(rng.randint(0, 3)):
        dd = rng.choice(["SORTIN", "SORTOUT", "S0.SORTIN", "S1.SORTOUT", "NOPE", "", "X.Y.Z"])
        argv += ["--dd", f"{dd}={path()}" if rng.random() < 0.9 else rng.choice(["=", "A=", "DUMMY"])]
    if rng.random() < 0.2:
        argv += ["--disp", f"SORTOUT={rng.choice(['OLD', 'MOD', 'SHR', 'NEW', 'XYZ'])}"]
    return argv
