"""A small reader of bash command lines: words, quotes, operators, redirections and here-documents.

Agents write files from the shell (`cat > f <<EOF`, `echo x >> f`, `rm f`, `cd d && mv a b`), so
telling what a command line does to files starts with reading it the way bash would split it.
`shlex` cannot: it knows neither here-documents nor which words carry an expansion whose value only
the shell knew. This reader does both and nothing else: it never runs anything, and a line it cannot
read raises `ShellSyntaxError` so callers report no edit instead of a wrong one.

The result is a tree: a `Script` is a list of pipelines (joined by `;`, `&&`, `||`, `&` or newlines),
a pipeline a list of units (`|`), a unit a `Simple` command or a `Group` (`( ... )` runs in a subshell,
so a `cd` inside it does not leak). Reserved words (`if`, `then`, `do`, `{`, ...) are dropped so the
commands inside a compound command are seen as commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_SCRIPT = 1_000_000  # characters: longer command lines are not read (a real agent's are far shorter)
MAX_DEPTH = 50  # nested groups and substitutions

_OPERATOR = re.compile(r"&&|\|\||;;|\|&|[;&|()]")
_REDIRECT = re.compile(r"(\d*)(<<<|<<-|&>>|<<|>>|<>|>\||&>|>&|<&|<|>)")  # an optional descriptor, then the operator
_REDIRECT_STARTS = frozenset("<>&0123456789")
_WORD_ENDS = frozenset(" \t\r\n;&|()<>")
_BLANKS = re.compile(r"(?:[ \t\r]|\\\n)+")  # blanks, and backslash-newline line continuations
_RESERVED = {"if", "then", "elif", "else", "fi", "do", "done", "while", "until", "!", "esac", "in", "time"}
_PLAIN = re.compile(r"[^\s;&|()<>'\"\\$`*?\[~]+")  # a run of characters that mean only themselves
_ANSI_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


class ShellSyntaxError(ValueError):
    """The command line is not one this reader can split with confidence."""


@dataclass(frozen=True)
class Word:
    """A word after quote removal. `literal` is False when its value depends on the shell's state
    (a `$` expansion, a command substitution, `~`); `glob` when unquoted `*`, `?` or `[` make it a pattern."""

    text: str
    literal: bool = True
    glob: bool = False


@dataclass(frozen=True)
class Redirect:
    """`op` is one of < > >> <> >| &> &>> << <<- <<< >& <&; `fd` the descriptor written before it.

    Here-documents and here-strings carry their text in `body` (None when it holds expansions)."""

    op: str
    fd: int | None
    target: Word | None = None
    body: str | None = None


@dataclass
class Simple:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class Group:
    """`( ... )` (a subshell: a `cd` inside does not leak) or `{ ...; }`, with redirections of its output."""

    script: Script
    subshell: bool
    redirects: list[Redirect] = field(default_factory=list)


Unit = Simple | Group


@dataclass
class Pipeline:
    units: list[Unit]
    joiner: str = ";"  # the operator before this pipeline: ; && || & (or ; for the first)


@dataclass
class Script:
    pipelines: list[Pipeline]


def parse(text: str) -> Script:
    """The command line as a tree; raises ShellSyntaxError for what cannot be read with confidence."""
    if len(text) > MAX_SCRIPT:
        raise ShellSyntaxError(f"command line of {len(text):,} characters is too long to read")
    tokens = _Lexer(text).tokens()
    script, rest = _script(tokens, 0, 0, None)
    if rest != len(tokens):
        raise ShellSyntaxError("unbalanced ')' or '}'")
    return script


# ---------------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True)
class _Op:
    text: str


@dataclass
class _Redir:
    op: str
    fd: int | None
    target: Word | None = None
    body: str | None = None


_Token = Word | _Op | _Redir


class _Lexer:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.out: list[_Token] = []
        self.pending: list[tuple[_Redir, str, bool, bool]] = []  # here-docs waiting for their bodies

    def tokens(self) -> list[_Token]:
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == "\n":
                self.i += 1
                self._bodies()
                self.out.append(_Op("\n"))
            elif c in " \t\r\\" and (blank := _BLANKS.match(s, self.i)) is not None:
                self.i = blank.end()
            elif c == "#":
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            elif c in _REDIRECT_STARTS and (redirect := _REDIRECT.match(s, self.i)) is not None:
                self.i = redirect.end()
                self._redirect(redirect[2], int(redirect[1]) if redirect[1] else None)
            elif c in ";&|()" and (operator := _OPERATOR.match(s, self.i)) is not None:
                self.i = operator.end()
                self.out.append(_Op(operator.group()))
            else:
                self.out.append(self._word())
        self._bodies()
        if self.pending:
            raise ShellSyntaxError("here-document without a body")
        return self.out

    def _redirect(self, op: str, fd: int | None) -> None:
        s = self.s
        self._blanks()
        if op in (">&", "<&") and self.i < len(s) and (s[self.i].isdigit() or s[self.i] == "-"):
            j = self.i
            while j < len(s) and (s[j].isdigit() or s[j] == "-"):
                j += 1
            self.out.append(_Redir(op, fd, Word(s[self.i : j])))
            self.i = j
            return
        if self.i >= len(s) or s[self.i] in "\n;&|()<>":
            raise ShellSyntaxError(f"redirection {op} without a target")
        if op in ("<<", "<<-"):
            start = self.i
            delimiter = self._word()
            quoted = any(q in s[start : self.i] for q in "'\"\\")
            redirect = _Redir(op, fd)
            self.pending.append((redirect, delimiter.text, quoted, op == "<<-"))
            self.out.append(redirect)
            return
        target = self._word()
        body = target.text + "\n" if op == "<<<" and target.literal else None
        self.out.append(_Redir(op, fd, None if op == "<<<" else target, body))

    def _blanks(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def _bodies(self) -> None:
        """Read the bodies of the here-documents opened on the line just ended."""
        s = self.s
        for redirect, delimiter, quoted, strip_tabs in self.pending:
            closing = re.compile(("^\t*" if strip_tabs else "^") + re.escape(delimiter) + "$", re.MULTILINE).search(s, self.i)
            text = s[self.i : closing.start()] if closing else s[self.i :]
            self.i = len(s) if closing is None else min(len(s), closing.end() + 1)
            if strip_tabs:
                text = re.sub(r"(?m)^\t+", "", text)
            body = text if not text or text.endswith("\n") else text + "\n"
            # Without its closing line the body may go on in input we do not see (keystrokes typed
            # into a terminal): unknown, like a body whose expansions only the shell knew.
            redirect.body = body if closing and (quoted or not any(c in body for c in "$`")) else None
        self.pending = []

    def _word(self, depth: int = 0) -> Word:
        s = self.s
        run = _PLAIN.match(s, self.i)
        if run is not None and (run.end() == len(s) or s[run.end()] in _WORD_ENDS):
            self.i = run.end()
            return Word(run.group())  # the common case: nothing but plain characters
        parts: list[str] = []
        literal, glob = True, False
        start = self.i
        while self.i < len(s):
            run = _PLAIN.match(s, self.i)
            if run is not None:
                parts.append(run.group())
                self.i = run.end()
                continue
            c = s[self.i]
            if c in " \t\r\n;&|()<>":
                break
            if c == "'":
                end = s.find("'", self.i + 1)
                if end < 0:
                    raise ShellSyntaxError("unterminated single quote")
                parts.append(s[self.i + 1 : end])
                self.i = end + 1
            elif c == '"':
                text, plain = self._double_quoted(depth)
                parts.append(text)
                literal = literal and plain
            elif c == "\\":
                if self.i + 1 < len(s):
                    if s[self.i + 1] != "\n":
                        parts.append(s[self.i + 1])
                    self.i += 2
                else:
                    self.i += 1
            elif c == "$" and s.startswith("$'", self.i):
                parts.append(self._ansi_c())
            elif c == "$" and s.startswith('$"', self.i):
                self.i += 1
            elif c == "$" or c == "`":
                parts.append(self._expansion(depth))
                literal = False
            elif c == "~" and self.i == start:
                parts.append("~")
                literal = False
                self.i += 1
            else:
                if c in "*?[":
                    glob = True
                parts.append(c)
                self.i += 1
        return Word("".join(parts), literal, glob)

    def _double_quoted(self, depth: int) -> tuple[str, bool]:
        s = self.s
        self.i += 1
        parts: list[str] = []
        plain = True
        while self.i < len(s):
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(parts), plain
            if c == "\\" and self.i + 1 < len(s):
                nxt = s[self.i + 1]
                if nxt in '$`"\\':
                    parts.append(nxt)
                elif nxt != "\n":
                    parts.append("\\" + nxt)
                self.i += 2
            elif c in "$`":
                if c == "$" and (self.i + 1 >= len(s) or not (s[self.i + 1].isalnum() or s[self.i + 1] in "_{(@*#?$!-")):
                    parts.append("$")
                    self.i += 1
                    continue
                parts.append(self._expansion(depth))
                plain = False
            else:
                parts.append(c)
                self.i += 1
        raise ShellSyntaxError("unterminated double quote")

    def _ansi_c(self) -> str:
        """`$'...'`: backslash escapes decoded, no expansion."""
        s = self.s
        self.i += 2
        out: list[str] = []
        while self.i < len(s):
            c = s[self.i]
            if c == "'":
                self.i += 1
                return "".join(out)
            if c == "\\" and self.i + 1 < len(s):
                text, used = decode_escape(s, self.i + 1)
                out.append(text)
                self.i += 1 + used
            else:
                out.append(c)
                self.i += 1
        raise ShellSyntaxError("unterminated $'...' quote")

    def _expansion(self, depth: int) -> str:
        """Skip `$name`, `${...}`, `$(...)`, `$((...))` or a backquoted command; its value is unknown."""
        s = self.s
        if depth > MAX_DEPTH:
            raise ShellSyntaxError("expansions nested too deeply")
        start = self.i
        if s[self.i] == "`":
            end = self.i + 1
            while end < len(s) and s[end] != "`":
                end += 2 if s[end] == "\\" else 1
            if end >= len(s):
                raise ShellSyntaxError("unterminated backquote")
            self.i = end + 1
        elif s.startswith("$(", self.i) or s.startswith("${", self.i):
            self.i = _balanced(s, self.i + 1)
        else:
            self.i += 1
            if self.i < len(s) and s[self.i] in "@*#?$!-0123456789":
                self.i += 1
            else:
                while self.i < len(s) and (s[self.i].isalnum() or s[self.i] == "_"):
                    self.i += 1
        return s[start : self.i]


def _balanced(s: str, i: int) -> int:
    """The index after the bracket that closes the one at `i` (quotes inside respected)."""
    pairs = {"(": ")", "{": "}"}
    stack = [pairs[s[i]]]
    i += 1
    while i < len(s) and stack:
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'" and stack[-1] != "}":
            end = s.find("'", i + 1)
            if end < 0:
                raise ShellSyntaxError("unterminated single quote")
            i = end + 1
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c == stack[-1]:
            stack.pop()
        i += 1
    if stack:
        raise ShellSyntaxError("unterminated substitution")
    return i


def decode_escape(s: str, i: int) -> tuple[str, int]:
    """One backslash escape of `$'...'` or `echo -e`, starting after the backslash: (text, characters used)."""
    c = s[i]
    if c in _ANSI_ESCAPES:
        return _ANSI_ESCAPES[c], 1
    if c == "x":
        digits = _digits(s, i + 1, "0123456789abcdefABCDEF", 2)
        return (chr(int(digits, 16)), 1 + len(digits)) if digits else ("\\x", 1)
    if c in "01234567":
        digits = _digits(s, i + (c == "0"), "01234567", 3)
        return chr(int(digits or "0", 8)), (c == "0") + len(digits)
    if c in "\\'\"?":
        return c, 1
    return "\\" + c, 1


def _digits(s: str, i: int, allowed: str, limit: int) -> str:
    j = i
    while j < len(s) and j - i < limit and s[j] in allowed:
        j += 1
    return s[i:j]


# ---------------------------------------------------------------------------------------------------
# Grammar


def _script(tokens: list[_Token], i: int, depth: int, closer: str | None) -> tuple[Script, int]:
    """Pipelines up to the `closer` (")" or "}") of the group being read, or to the end."""
    if depth > MAX_DEPTH:
        raise ShellSyntaxError("groups nested too deeply")
    pipelines: list[Pipeline] = []
    joiner = ";"
    while i < len(tokens):
        token = tokens[i]
        if _closes(token, closer):
            break
        if isinstance(token, _Op) and token.text in (";", "\n", "&", "&&", "||", ";;"):
            if token.text in ("&&", "||"):
                joiner = token.text
            i += 1
            continue
        pipeline, i = _pipeline(tokens, i, depth, closer)
        if pipeline.units:
            pipeline.joiner = joiner
            pipelines.append(pipeline)
        joiner = ";"
    return Script(pipelines), i


def _closes(token: _Token, closer: str | None) -> bool:
    if isinstance(token, _Op):
        return token.text == ")"  # also a stray one (a `case` pattern): it ends what is being read
    return closer == "}" and isinstance(token, Word) and token.literal and token.text == "}"


def _pipeline(tokens: list[_Token], i: int, depth: int, closer: str | None) -> tuple[Pipeline, int]:
    units: list[Unit] = []
    while i < len(tokens):
        unit, i = _unit(tokens, i, depth, closer)
        if unit is not None:
            units.append(unit)
        token = tokens[i] if i < len(tokens) else None
        if isinstance(token, _Op) and token.text in ("|", "|&"):
            i += 1
            continue
        break
    return Pipeline(units), i


def _unit(tokens: list[_Token], i: int, depth: int, closer: str | None) -> tuple[Unit | None, int]:
    token = tokens[i]
    opener = "(" if isinstance(token, _Op) and token.text == "(" else "{" if token == Word("{") else None
    if opener is not None:
        script, i = _script(tokens, i + 1, depth + 1, ")" if opener == "(" else "}")
        if i >= len(tokens):
            raise ShellSyntaxError(f"unbalanced '{opener}'")
        group = Group(script, subshell=opener == "(")
        i += 1
        while i < len(tokens) and isinstance(tokens[i], _Redir):
            redirect = tokens[i]
            assert isinstance(redirect, _Redir)
            group.redirects.append(Redirect(redirect.op, redirect.fd, redirect.target, redirect.body))
            i += 1
        return group, i
    command = Simple()
    while i < len(tokens):
        token = tokens[i]
        if isinstance(token, _Op):
            if token.text == "(" and len(command.words) == 1 and i + 2 < len(tokens) and tokens[i + 1] == _Op(")"):
                _body, i = _unit(tokens, i + 2, depth + 1, closer)  # `name() { ...; }` defines, runs nothing
                return None, i
            break
        if not command.words and _closes(token, closer):
            break
        if isinstance(token, _Redir):
            command.redirects.append(Redirect(token.op, token.fd, token.target, token.body))
        elif command.words or token.text not in _RESERVED or not token.literal:
            command.words.append(token)
        i += 1
    if not command.words and not command.redirects:
        return None, i
    return command, i
