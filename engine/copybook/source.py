"""Copybook source text: reference format, tokens and COPY statements.

The compiler front end works in three passes, all in this module:

1. `normalise` turns the lines of one source file into a single character
   stream (with the file/line/column of every character), applying the
   reference format: fixed (sequence area 1-6, indicator 7, code 8-72, 73-80
   ignored) or free (`*>` comments), tabs expanded to 8 columns, comment and
   debug lines dropped, continuation lines (`-` in column 7) joined.
2. `tokenize` cuts the stream into COBOL tokens: words (including PICTURE
   strings and numbers), alphanumeric literals, the separator period and the
   pseudo-text delimiter `==`.
3. `expand_copy` replaces every `COPY member [OF lib] [REPLACING ...]`
   statement by the member's tokens, found on the copybook search path, after
   the replacements; nested COPY is followed and a cycle is an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from engine.errors import CopybookError

TAB_WIDTH = 8
FIXED_INDICATORS = frozenset(" *-/Dd$")
COPY_EXTENSIONS = ("", ".cpy", ".cbl", ".cob", ".copy", ".CPY", ".CBL", ".COB", ".COPY")
DOS_EOF = "\x1a"


@dataclass(frozen=True)
class Token:
    """One token. `kind`: 'word', 'literal' (value without quotes; `prefix` X/N/G/Z/NX
    for typed literals), 'period', 'pseudo' (the `==` delimiter)."""
    kind: str
    value: str
    file: str
    line: int
    column: int
    prefix: str = ""

    @property
    def upper(self) -> str:
        return self.value.upper() if self.kind == "word" else self.value

    def where(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column}

    def error(self, message: str, hint: str | None = None) -> CopybookError:
        return CopybookError(message, hint=hint, **self.where())

    def __str__(self) -> str:
        if self.kind == "literal":
            return f"{self.prefix}'{self.value}'"
        if self.kind == "period":
            return "."
        if self.kind == "pseudo":
            return "=="
        return self.value


# --------------------------------------------------------------------------- format


def read_text(path: Path) -> str:
    """A source file's text: UTF-8, else Shift_JIS (cp932), else Latin-1."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _lines(text: str) -> list[str]:
    cut = text.find(DOS_EOF)
    if cut >= 0:
        text = text[:cut]
    return [line.expandtabs(TAB_WIDTH).rstrip("\r\n") for line in text.splitlines()]


def detect_format(text: str) -> str:
    """'fixed' when every line that holds something has a valid indicator in
    column 7 (or is a `*>` comment); otherwise 'free'."""
    saw_code = False
    for line in _lines(text):
        if not line.strip():
            continue
        if line.lstrip().startswith("*>"):
            continue
        if len(line) < 7:
            return "free"
        if line[6] not in FIXED_INDICATORS:
            return "free"
        sequence = line[:6]
        if sequence.strip() and (" " in sequence.strip() or sequence.endswith(" ")):
            return "free"  # columns 1-6 hold words, not a sequence number
        if line[6] == " " and line[7:72].strip():
            saw_code = True
    return "fixed" if saw_code else "free"


class _Stream:
    """Characters of the normalised source with the location of each one."""

    def __init__(self, file: str):
        self.file = file
        self.chars: list[str] = []
        self.locs: list[tuple[int, int]] = []
        self.in_literal: str | None = None  # quote character of an open literal
        self.literal_start: tuple[int, int] | None = None

    def add(self, text: str, line: int, first_column: int) -> None:
        for i, ch in enumerate(text):
            self._track(ch, line, first_column + i)
            self.chars.append(ch)
            self.locs.append((line, first_column + i))

    def newline(self, line: int, column: int) -> None:
        if self.in_literal:  # a literal left open at the end of a line that is not continued
            lno, col = self.literal_start
            raise CopybookError("unterminated literal: the closing quote is missing "
                                "(or the next line is not a continuation line)",
                                file=self.file, line=lno, column=col,
                                hint="close the literal, or continue it with '-' in column 7 and a "
                                     "quote before the rest of the text")
        self.chars.append("\n")
        self.locs.append((line, column))

    def _track(self, ch: str, line: int, column: int) -> None:
        if self.in_literal:
            if ch == self.in_literal:
                self.in_literal = None
        elif ch in "'\"":
            self.in_literal = ch
            self.literal_start = (line, column)

    def drop_trailing_spaces(self) -> None:
        while self.chars and self.chars[-1] in " \n":
            self.chars.pop()
            self.locs.pop()


def _strip_inline_comment(code: str, quote: str | None = None) -> str:
    """Remove a `*>` comment (outside literals) from a line of code; `quote` is the
    quote character of a literal already open at the start of the line."""
    for i, ch in enumerate(code):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "*" and code[i + 1:i + 2] == ">":
            return code[:i]
    return code


def normalise(text: str, file: str, source_format: str = "auto", *, debug_lines: bool = False) -> _Stream:
    """Apply the reference format to a source file; see the module docstring."""
    if source_format not in ("auto", "fixed", "free"):
        raise CopybookError(f"unknown source format {source_format!r}", file=file,
                            hint="use fixed, free or auto")
    if source_format == "auto":
        source_format = detect_format(text)
    stream = _Stream(file)
    lines = _lines(text)
    for lineno, line in enumerate(lines, start=1):
        if source_format == "free":
            stripped = line.lstrip()
            # `*>` comments, compiler directives, and (as a courtesy to fixed-format
            # comment blocks) lines whose first non-blank character is `*`
            if stripped.startswith(("*", ">>")):
                continue
            stream.newline(lineno, len(line) + 1)
            stream.add(_strip_inline_comment(line), lineno, 1)
            continue
        if len(line) < 7 or not line[6:72].strip():
            continue  # blank, or a sequence number alone
        indicator, code = line[6], line[7:72]
        if indicator in "*/$" or (indicator in "Dd" and not debug_lines):
            continue
        if indicator not in FIXED_INDICATORS:
            raise CopybookError(f"invalid indicator {indicator!r} in column 7 of a fixed-format line",
                                file=file, line=lineno, column=7,
                                hint="column 7 must be blank, '*', '/', '-' or 'D'; use --format free "
                                     "for free-format source")
        if indicator == "-":
            body = code.lstrip(" ")
            first = 8 + len(code) - len(body)
            if stream.in_literal:
                if body[0] != stream.in_literal:
                    raise CopybookError("a continued literal must resume with a quote on the "
                                        "continuation line", file=file, line=lineno, column=first,
                                        hint=f"start the continued text with {stream.in_literal}")
                # the literal is still open: the text after the resuming quote continues it
                stream.add(_strip_inline_comment(body[1:], stream.in_literal), lineno, first + 1)
            else:
                stream.drop_trailing_spaces()
                stream.add(_strip_inline_comment(body), lineno, first)
        else:
            stream.newline(lineno, 8)
            stream.add(_strip_inline_comment(code), lineno, 8)
        if stream.in_literal:  # a literal open at the end of the line runs to column 72
            end_col = 8 + len(code)
            stream.add(" " * (72 - end_col + 1), lineno, end_col)
    stream.newline(len(lines) + 1, 1)
    return stream


# --------------------------------------------------------------------------- tokens

_LITERAL_PREFIXES = ("NX", "X", "N", "G", "Z", "U")


def tokenize(stream: _Stream) -> list[Token]:
    """Cut a normalised stream into tokens (see `Token`)."""
    chars, locs, file = stream.chars, stream.locs, stream.file
    text = "".join(chars)
    n = len(text)
    tokens: list[Token] = []
    i = 0

    def tok(kind: str, value: str, at: int, prefix: str = "") -> Token:
        line, column = locs[at]
        return Token(kind, value, file, line, column, prefix)

    while i < n:
        ch = text[i]
        if ch in " \n\t,;":
            if ch in ",;" and (i + 1 < n and text[i + 1] not in " \n"):
                pass  # a comma inside a word is handled below; here it separates
            i += 1
            continue
        if text.startswith("==", i):
            tokens.append(tok("pseudo", "==", i))
            i += 2
            continue
        prefix = ""
        for p in _LITERAL_PREFIXES:
            if text[i:i + len(p)].upper() == p and text[i + len(p):i + len(p) + 1] in ("'", '"'):
                prefix = p
                break
        if ch in "'\"" or prefix:
            start = i
            i += len(prefix)
            quote = text[i]
            i += 1
            value = []
            while True:
                if i >= n or text[i] == "\n":
                    line, column = locs[start]
                    raise CopybookError("unterminated literal: the closing quote is missing",
                                        file=file, line=line, column=column,
                                        hint="close the literal on the same line, or continue it "
                                             "with '-' in column 7")
                if text[i] == quote:
                    if text[i + 1:i + 2] == quote:  # doubled quote stands for one
                        value.append(quote)
                        i += 2
                        continue
                    i += 1
                    break
                value.append(text[i])
                i += 1
            tokens.append(tok("literal", "".join(value), start, prefix))
            continue
        start = i
        while i < n and text[i] not in " \n\t'\"" and not text.startswith("==", i):
            i += 1
        word = text[start:i]
        # a period, comma or semicolon that ends a word (before a space) is a separator
        end_sep = ""
        while word and word[-1] in ".,;":
            end_sep = word[-1] + end_sep
            word = word[:-1]
        if word:
            tokens.append(tok("word", word, start))
        for k, sep in enumerate(end_sep):
            if sep == ".":
                tokens.append(tok("period", ".", start + len(word) + k))
    return tokens


# --------------------------------------------------------------------------- COPY


@dataclass
class _Replacement:
    old: list[Token]
    new: list[Token]
    mode: str = ""  # '', 'LEADING' or 'TRAILING'

    @property
    def partial_word(self) -> str | None:
        """The text a partial-word replacement looks for inside words: a single-word
        pseudo-text delimited by a tag character (`:TAG:`, `(TAG)`), or LEADING/TRAILING."""
        if len(self.old) == 1 and self.old[0].kind == "word":
            word = self.old[0].value.upper()
            if self.mode or word[:1] in ":(" or word[-1:] in ":)":
                return word
        return None


def _key(token: Token) -> tuple[str, str, str]:
    return (token.kind, token.upper, token.prefix)


def find_member(member: str, library: str | None, dirs: Sequence[Path]) -> Path | None:
    """The file holding copy member `member`: tried with the extensions
    .cpy .cbl .cob .copy and none, in each directory (and its `library`
    subdirectory first), case-insensitively."""
    direct = Path(member)
    if direct.suffix or "/" in member or "\\" in member:
        for base in [Path.cwd(), *dirs]:
            candidate = base / direct if not direct.is_absolute() else direct
            if candidate.is_file():
                return candidate
    wanted = {(member + ext).lower() for ext in COPY_EXTENSIONS}
    for base in dirs:
        places = [base / library, base] if library else [base]
        for place in places:
            if not place.is_dir():
                continue
            by_name = {}
            for entry in place.iterdir():
                if entry.is_file():
                    by_name.setdefault(entry.name.lower(), entry)
            for ext in COPY_EXTENSIONS[:5]:
                hit = by_name.get((member + ext).lower())
                if hit is not None:
                    return hit
            for name, entry in sorted(by_name.items()):
                if name in wanted:
                    return entry
    return None


class CopyExpander:
    """Expands COPY statements in token lists, following nested COPYs."""

    def __init__(self, copy_path: Iterable[Path], source_format: str = "auto",
                 debug_lines: bool = False):
        self.copy_path = [Path(p) for p in copy_path]
        self.source_format = source_format
        self.debug_lines = debug_lines

    def tokens_of_text(self, text: str, file: str, stack: tuple[str, ...] = (),
                       fmt: str | None = None) -> list[Token]:
        tokens = tokenize(normalise(text, file, fmt or self.source_format,
                                    debug_lines=self.debug_lines))
        return self.expand(tokens, Path(file).parent if file and not file.startswith("<") else None,
                           stack + (file,))

    def expand(self, tokens: list[Token], here: Path | None, stack: tuple[str, ...]) -> list[Token]:
        out: list[Token] = []
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if t.kind == "word" and t.upper == "COPY":
                i = self._copy(tokens, i, here, stack, out)
            else:
                out.append(t)
                i += 1
        return out

    def _copy(self, tokens: list[Token], i: int, here: Path | None, stack: tuple[str, ...],
              out: list[Token]) -> int:
        copy_tok = tokens[i]
        i += 1

        def need(what: str) -> Token:
            if i >= len(tokens):
                raise copy_tok.error(f"COPY statement ends early: expected {what}",
                                     hint="end a COPY statement with a period")
            return tokens[i]

        member_tok = need("a member name")
        if member_tok.kind not in ("word", "literal"):
            raise member_tok.error(f"expected a member name after COPY, found {member_tok}")
        member = member_tok.value
        i += 1
        library = None
        tok = need("a period")
        if tok.kind == "word" and tok.upper in ("OF", "IN"):
            i += 1
            lib_tok = need("a library name")
            library = lib_tok.value
            i += 1
        tok = need("a period")
        if tok.kind == "word" and tok.upper == "SUPPRESS":
            i += 1
        replacements: list[_Replacement] = []
        tok = need("a period")
        if tok.kind == "word" and tok.upper == "REPLACING":
            i += 1
            while True:
                tok = need("REPLACING operands")
                if tok.kind == "period":
                    break
                mode = ""
                if tok.kind == "word" and tok.upper in ("LEADING", "TRAILING"):
                    mode = tok.upper
                    i += 1
                old, i = self._operand(tokens, i, copy_tok)
                by = tokens[i] if i < len(tokens) else None
                if by is None or by.kind != "word" or by.upper != "BY":
                    where = by or tokens[i - 1]
                    raise where.error(f"expected BY in COPY ... REPLACING, found {by or 'end of text'}")
                i += 1
                new, i = self._operand(tokens, i, copy_tok)
                if not old:
                    raise copy_tok.error("COPY ... REPLACING: the text to replace is empty")
                replacements.append(_Replacement(old, new, mode))
        tok = need("a period")
        if tok.kind != "period":
            raise tok.error(f"expected a period to end the COPY statement, found {tok}")
        i += 1

        dirs = ([here] if here is not None else []) + self.copy_path
        path = find_member(member, library, dirs)
        if path is None:
            searched = ", ".join(str(d) for d in dirs) or "(no directories)"
            raise member_tok.error(f"COPY member {member} not found in {searched}",
                                   hint="put the member (.cpy, .cbl, .cob, .copy or no extension) in "
                                        "one of those directories, or pass --copy-path / set "
                                        "DENSAN_COPYLIB")
        key = str(path.resolve())
        resolved_stack = [str(Path(s).resolve()) if not s.startswith("<") else s for s in stack]
        if key in resolved_stack:
            chain = " -> ".join(Path(s).name for s in stack) + f" -> {path.name}"
            raise member_tok.error(f"COPY {member} is recursive ({chain})",
                                   hint="a copybook may not copy itself, directly or through others")
        body = self.tokens_of_text(read_text(path), str(path), stack)
        out.extend(apply_replacing(body, replacements))
        return i

    def _operand(self, tokens: list[Token], i: int, copy_tok: Token) -> tuple[list[Token], int]:
        if i >= len(tokens):
            raise copy_tok.error("COPY ... REPLACING ends early: expected an operand")
        tok = tokens[i]
        if tok.kind == "pseudo":
            j = i + 1
            while j < len(tokens) and tokens[j].kind != "pseudo":
                j += 1
            if j >= len(tokens):
                raise tok.error("pseudo-text is not closed: expected == after it")
            return list(tokens[i + 1:j]), j + 1
        if tok.kind in ("word", "literal"):
            return [tok], i + 1
        raise tok.error(f"expected a pseudo-text (==...==), word or literal, found {tok}")


def apply_replacing(tokens: list[Token], replacements: list[_Replacement]) -> list[Token]:
    """COPY ... REPLACING: whole token sequences first (in the order written),
    then partial-word replacements (`:TAG:`, LEADING, TRAILING)."""
    if not replacements:
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for rep in replacements:
            if rep.mode:
                continue
            n = len(rep.old)
            if [_key(t) for t in tokens[i:i + n]] == [_key(t) for t in rep.old]:
                anchor = tokens[i]
                out.extend(Token(t.kind, t.value, anchor.file, anchor.line, anchor.column, t.prefix)
                           for t in rep.new)
                i += n
                break
        else:
            tok = tokens[i]
            if tok.kind == "word":
                tok = _partial(tok, replacements)
            if tok is not None:
                out.append(tok)
            i += 1
    return out


def _partial(tok: Token, replacements: list[_Replacement]) -> Token | None:
    word = tok.value
    for rep in replacements:
        old = rep.partial_word
        if old is None:
            continue
        new = " ".join(t.value for t in rep.new)
        upper = word.upper()
        if rep.mode == "LEADING":
            if upper.startswith(old):
                word = new + word[len(old):]
        elif rep.mode == "TRAILING":
            if upper.endswith(old):
                word = word[:len(word) - len(old)] + new
        elif old in upper:
            pos = upper.index(old)
            word = word[:pos] + new + word[pos + len(old):]
    if not word:
        return None
    return Token("word", word, tok.file, tok.line, tok.column)
