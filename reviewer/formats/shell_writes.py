"""File operations of a shell command line: redirections, `tee`, `cp`, `mv`, `rm`, `sed -i`, patches, git.

Agents without an editor tool (and many with one) change files from the shell. This module reads a
command line (`shell_syntax.parse`, never running it) and says, in order, which files it writes,
copies, moves, deletes or edits in place, and with what content when the line itself gives it:
a here-document, `echo`/`printf` words, a file whose content is known, a pipe of those into `tee`.
Anything computed by a program (`sed -i`, `python gen.py > out`) has unknown content.

Working directories follow `cd` within the line (a `( ... )` subshell keeps its own); after a `cd`
to a place the line does not spell out (`cd $DIR`), relative paths are no longer known and their
operations are left out rather than guessed. Python run from the line (`python -c`, `python - <<EOF`,
`python script.py` of a script whose content is known) is read by `python_writes`. A line that
cannot be read gives no operations.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, replace

from reviewer.formats import python_writes
from reviewer.formats.file_ops import (
    MAX_CONTENT,
    Commit,
    Copy,
    Delete,
    FileOp,
    InPlace,
    KnownFiles,
    Move,
    Patch,
    Restore,
    Stash,
    Write,
    bounded,
    resolve,
)
from reviewer.formats.shell_syntax import MAX_DEPTH, Group, Redirect, Script, ShellSyntaxError, Simple, Word, decode_escape, parse

SOURCE = "bash"
_DEVICES = ("/dev/",)
_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_SHELLS = {"bash", "sh", "zsh", "dash", "ksh"}
# Commands that run another command, and their options that take a value.
_WRAPPERS: dict[str, set[str]] = {
    "sudo": {"-u", "-g", "-C", "-D", "-U", "-h", "-p", "-r", "-t", "-T"},
    "env": {"-u", "-C", "-S", "--unset", "--chdir"},
    "timeout": {"-s", "-k", "--signal", "--kill-after"},
    "nohup": set(),
    "command": set(),
    "builtin": set(),
    "exec": {"-a"},
    "time": set(),
    "stdbuf": {"-i", "-o", "-e"},
}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def shell_ops(script: str, cwd: str | None, files: KnownFiles, depth: int = 0) -> Iterator[FileOp]:
    """The file operations of `script` in order (none when it cannot be read).

    A generator: the caller applies each operation before asking for the next, so `cat a > b` after
    a write of `a` reads what was written."""
    if depth > MAX_DEPTH:
        return
    written = _heredoc_write(script, cwd)
    if written is not None:
        yield written
    elif _may_write(script, files):
        yield from _read(script, cwd, files, depth)


def _read(script: str, cwd: str | None, files: KnownFiles, depth: int) -> Iterator[FileOp]:
    try:
        tree = parse(script)
    except ShellSyntaxError:
        return
    yield from _Run(files, depth).script(tree, _Where(cwd))


_HEREDOC_WRITE = re.compile(r"[ \t\n]*cat[ \t]*>[ \t]*([\w./+-]+)[ \t]*<<(['\"]?)(\w+)\2[ \t]*\n(.*?\n)?\3\n?", re.DOTALL)


def _heredoc_write(script: str, cwd: str | None) -> Write | None:
    """`cat > PATH <<'EOF' ... EOF` alone on the line, the commonest write of all, read without the
    general reader (it is most of the cost of an import's shell reading); the same result as `_read`."""
    match = _HEREDOC_WRITE.fullmatch(script)
    if match is None:
        return None
    quoted, delimiter, body = match[2], match[3], match[4] or ""
    if f"\n{delimiter}\n" in "\n" + body or match[1].startswith("~"):
        return None  # the body ends earlier than it seems: the general reader decides
    known = quoted or not any(c in body for c in "$`")
    return Write(resolve(match[1], cwd), body if known else None, SOURCE)


@dataclass
class _Where:
    """The working directory: a path (relative to an unknown start when the caller gave none), or
    `lost` after a `cd` whose target the line does not spell out."""

    cwd: str | None
    lost: bool = False

    def path(self, word: Word) -> str | None:
        if not word.literal or word.glob or not word.text:
            return None
        if word.text.startswith("/"):
            return resolve(word.text, None)
        return None if self.lost else resolve(word.text, self.cwd)

    def cd(self, target: Word | None) -> None:
        if target is None or not target.literal or target.text in ("", "-", "~"):
            self.lost = True
            return
        path = self.path(target)
        if path is None:
            self.lost = True
        else:
            self.cwd = path


@dataclass
class _Out:
    """What a command printed: None when not known."""

    text: str | None


class _Run:
    def __init__(self, files: KnownFiles, depth: int):
        self.files = files
        self.depth = depth

    def script(self, tree: Script, where: _Where, out: _Out | None = None) -> Iterator[FileOp]:
        """Each pipeline in turn; `out` collects what the whole script prints (for a group's redirection)."""
        for pipeline in tree.pipelines:
            stdin: str | None = None
            last = _Out(None)
            for k, unit in enumerate(pipeline.units):
                last = _Out(None)
                piped = stdin if k else None
                if isinstance(unit, Group):
                    inner = replace(where) if unit.subshell else where
                    group_out = _Out("")
                    yield from self.script(unit.script, inner, group_out)
                    yield from self._output_redirects(unit.redirects, group_out, where)
                    last = group_out if not _redirects_stdout(unit.redirects) else _Out("")
                else:
                    yield from self.simple(unit, where, piped, last)
                stdin = last.text
            if out is not None:
                out.text = None if out.text is None or last.text is None else out.text + last.text

    def simple(self, command: Simple, where: _Where, piped: str | None, out: _Out) -> Iterator[FileOp]:
        words = _strip_wrappers(command.words)
        here = where
        if words and words[0].text == "git" and len(words) > 2 and words[1].text == "-C":
            here = replace(where)
            here.cd(words[2])
            words = [words[0], *words[3:]]
        stdin = self._stdin(command.redirects, here, piped)
        name = words[0].text if words and words[0].literal else None
        args = words[1:]
        if name in ("cd", "pushd"):
            where.cd(args[0] if args else None)
        elif name == "popd":
            where.lost = True
        elif name is not None:
            handler = _HANDLERS.get(posixpath.basename(name))
            if handler is None and _PYTHON.match(posixpath.basename(name)):
                handler = _python
            if handler is not None:
                yield from handler(self, args, here, stdin, out)
        elif not words:
            out.text = ""  # a bare redirection (`> f`) writes nothing into the file
        yield from self._output_redirects(command.redirects, out, here)
        if _redirects_stdout(command.redirects):
            out.text = ""

    def _stdin(self, redirects: list[Redirect], where: _Where, piped: str | None) -> str | None:
        stdin = piped
        for redirect in redirects:
            if redirect.fd not in (None, 0):
                continue
            if redirect.op in ("<<", "<<-", "<<<"):
                stdin = redirect.body
            elif redirect.op == "<" and redirect.target is not None:
                path = where.path(redirect.target)
                stdin = self.files.content(path) if path else None
        return stdin

    def _output_redirects(self, redirects: list[Redirect], out: _Out, where: _Where) -> Iterator[FileOp]:
        """`> f`, `>> f`, `&> f`, `2> f`: the file gets what the command printed (stderr: unknown)."""
        for redirect in redirects:
            target = redirect.target
            if redirect.op not in (">", ">|", ">>", "&>", "&>>", ">&") or target is None:
                continue
            if redirect.op == ">&" and (target.text.isdigit() or target.text == "-"):
                continue  # 2>&1: a descriptor, not a file
            path = where.path(target)
            if path is None or path.startswith(_DEVICES):
                continue
            content = out.text if redirect.fd in (None, 1) else None
            yield Write(path, content, SOURCE, append=redirect.op in (">>", "&>>"))

    # Commands ---------------------------------------------------------------------------------

    def shell(self, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
        """`bash -c '...'` (or `-lc`), `bash script.sh` (known content), `bash <<EOF`: the inner script's operations."""
        flag = next((k for k, a in enumerate(args) if re.fullmatch(r"-[a-z]*c[a-z]*", a.text)), None)
        if flag is not None:
            if flag + 1 < len(args) and args[flag + 1].literal:
                yield from self._nested(args[flag + 1].text, where)
            return
        operands = [a for a in args if not a.text.startswith("-")]
        code = self._script_text(operands[0], where) if operands else stdin
        if code is not None:
            yield from self._nested(code, where)

    def _nested(self, code: str, where: _Where) -> Iterator[FileOp]:
        if where.lost:
            return
        yield from shell_ops(code, where.cwd, self.files, self.depth + 1)

    def _script_text(self, word: Word, where: _Where) -> str | None:
        path = where.path(word)
        return self.files.content(path) if path else None


def _strip_wrappers(words: list[Word]) -> list[Word]:
    """`sudo`, `env A=1`, `timeout 10`, `FOO=bar cmd`: the command they run."""
    i = 0
    while i < len(words):
        text = words[i].text
        if _ASSIGNMENT.match(text):
            i += 1
            continue
        if text not in _WRAPPERS:
            break
        valued = _WRAPPERS[text]
        i += 1
        while i < len(words) and (words[i].text.startswith("-") or (text == "env" and _ASSIGNMENT.match(words[i].text))):
            i += 2 if words[i].text in valued else 1
        if text == "timeout":
            i += 1  # the duration
    return words[i:]


def _redirects_stdout(redirects: list[Redirect]) -> bool:
    return any(r.op in (">", ">|", ">>", "&>", "&>>") and r.fd in (None, 1) for r in redirects)


def _options(args: list[Word], with_value: Collection[str] = ()) -> tuple[list[str], list[Word]]:
    """(options, operands): `-x` words before `--` are options; those in `with_value` take the next word."""
    options: list[str] = []
    operands: list[Word] = []
    k = 0
    while k < len(args):
        text = args[k].text
        if text == "--":
            operands += args[k + 1 :]
            break
        if text.startswith("-") and len(text) > 1 and args[k].literal:
            options.append(text)
            if text in with_value and k + 1 < len(args):
                options.append(args[k + 1].text)
                k += 1
        else:
            operands.append(args[k])
        k += 1
    return options, operands


def _flag(options: list[str], short: str, *long: str) -> bool:
    """Whether a short flag appears (alone or in a cluster like -rf) or one of the long ones."""
    return any(o in long or (not o.startswith("--") and short in o[1:]) for o in options)


# echo, printf, cat, tee ----------------------------------------------------------------------


def _echo(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    newline, escapes = "\n", False
    k = 0
    while k < len(args) and re.fullmatch(r"-[neE]+", args[k].text):
        newline = "" if "n" in args[k].text else newline
        escapes = ("e" in args[k].text) or (escapes and "E" not in args[k].text)
        k += 1
    words = args[k:]
    if not all(w.literal for w in words):
        return
    text = " ".join(w.text for w in words)
    if escapes:
        decoded, stopped = _backslashes(text)
        text, newline = decoded, "" if stopped else newline
    out.text = text + newline
    yield from ()


def _backslashes(text: str) -> tuple[str, bool]:
    """`echo -e` escapes; True when `\\c` cut the output short."""
    parts: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            if text[i + 1] == "c":
                return "".join(parts), True
            decoded, used = decode_escape(text, i + 1)
            parts.append(decoded)
            i += 1 + used
        else:
            parts.append(text[i])
            i += 1
    return "".join(parts), False


_CONVERSION = re.compile(r"%(%|[sdib])")


def _printf(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`printf FORMAT ARGS`: %s, %d, %i, %b and %% (the format reused while arguments remain)."""
    if not args or args[0].text == "-v" or not all(a.literal for a in args):
        return
    fmt, values = args[0].text, [a.text for a in args[1:]]
    if re.search(r"%(?!%|[sdib])", fmt):
        return  # widths, precisions, floats: not computed here
    pieces: list[str] = []
    while True:
        piece, used = _format_once(fmt, values)
        if piece is None:
            return
        pieces.append(piece)
        values = values[used:]
        if not values or not used:
            break
    out.text = bounded("".join(pieces))
    yield from ()


def _format_once(fmt: str, values: list[str]) -> tuple[str | None, int]:
    """One pass of the format over the values: (text, values used); None for a %d of a non-number."""
    parts: list[str] = []
    used = 0
    at = 0
    for match in _CONVERSION.finditer(fmt):
        parts.append(_backslashes(fmt[at : match.start()])[0])
        at = match.end()
        if match[1] == "%":
            parts.append("%")
            continue
        value = values[used] if used < len(values) else ""
        used += 1
        if match[1] in "di":
            if value and not re.fullmatch(r"[+-]?\d+", value):
                return None, used
            parts.append(str(int(value or 0)))
        else:
            parts.append(_backslashes(value)[0] if match[1] == "b" else value)
    parts.append(_backslashes(fmt[at:])[0])
    return "".join(parts), used


def _cat(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    options, operands = _options(args)
    if options and options != ["-"]:
        return
    texts: list[str | None] = []
    for word in operands or [Word("-")]:
        if word.text == "-":
            texts.append(stdin)
        else:
            path = where.path(word)
            texts.append(run.files.content(path) if path else None)
    known = [t for t in texts if t is not None]
    out.text = bounded("".join(known)) if len(known) == len(texts) and sum(map(len, known)) <= MAX_CONTENT else None
    yield from ()


def _tee(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    options, operands = _options(args)
    append = _flag(options, "a", "--append")
    for word in operands:
        path = where.path(word)
        if path is not None and not path.startswith(_DEVICES):
            yield Write(path, stdin, SOURCE, append=append)
    out.text = stdin


def _quiet(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`:` and `true` print nothing (`: > f` empties f)."""
    out.text = ""
    yield from ()


# cp, mv, rm, unlink ---------------------------------------------------------------------------


def _targets(run: _Run, args: list[Word], where: _Where) -> tuple[list[str], list[tuple[str, str]]]:
    """(options, [(source, destination)]) for `cp`/`mv`: into a directory when there are several
    sources, `-t DIR`, a trailing slash, `.`/`..`, or a destination known to hold files."""
    options, operands = _options(args, {"-t", "-S", "--suffix"})
    directory: str | None = None
    for k, option in enumerate(options):
        if option == "-t" and k + 1 < len(options):
            directory = options[k + 1]
        elif option.startswith("--target-directory="):
            directory = option.split("=", 1)[1]
    if directory is None:
        if len(operands) < 2:
            return options, []
        *sources, last = operands
        dst = where.path(last)
        if dst is None:
            return options, []
        into = len(sources) > 1 or last.text.endswith("/") or last.text in (".", "..") or bool(run.files.paths_under(dst))
    else:
        sources, into = operands, True
        dst = where.path(Word(directory))
        if dst is None:
            return options, []
    pairs = []
    for word in sources:
        src = where.path(word)
        if src is not None:
            pairs.append((src, posixpath.join(dst, posixpath.basename(src)) if into else dst))
    return options, pairs


def _cp(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    options, pairs = _targets(run, args, where)
    recursive = _flag(options, "r", "--recursive", "--archive") or _flag(options, "R") or _flag(options, "a")
    for src, dst in pairs:
        yield Copy(src, dst, SOURCE, recursive=recursive)


def _mv(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    _, pairs = _targets(run, args, where)
    for src, dst in pairs:
        yield Move(src, dst, SOURCE)


def _rm(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    options, operands = _options(args)
    recursive = _flag(options, "r", "--recursive") or _flag(options, "R")
    for word in operands:
        yield from (Delete(path, SOURCE, recursive) for path in _paths(run, word, where))


def _paths(run: _Run, word: Word, where: _Where) -> list[str]:
    """The word's path, or for a pattern (`*.pyc`) the known files it matches (others may match too)."""
    if word.literal and word.glob and not where.lost:
        pattern = resolve(word.text, where.cwd)
        folder = posixpath.dirname(pattern)  # a shell pattern does not cross `/`
        candidates = run.files.paths_under(folder or ".")
        return [p for p in candidates if posixpath.dirname(p) == folder and fnmatch.fnmatchcase(p, pattern)]
    path = where.path(word)
    return [path] if path else []


def _unlink(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    if len(args) == 1 and (path := where.path(args[0])):
        yield Delete(path, SOURCE)


# In-place editors -------------------------------------------------------------------------------


def _sed(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`sed -i[SUFFIX] SCRIPT FILES` (GNU; `-ie` means the suffix "e"), `sed -i '' SCRIPT FILES` (BSD):
    edited in place, content unknown."""
    suffix: str | None = None
    in_place = script_given = False
    files: list[Word] = []
    k = 0
    while k < len(args):
        text = args[k].text
        if text in ("-e", "--expression", "-f", "--file"):
            script_given, k = True, k + 1
        elif text in ("-l", "--line-length"):
            k += 1
        elif text.startswith(("--expression=", "--file=")):
            script_given = True
        elif text.startswith("--in-place"):
            in_place, suffix = True, text.partition("=")[2] or None
        elif text.startswith("-") and len(text) > 1 and not text.startswith("--"):
            for j, flag in enumerate(text[1:]):
                last = j == len(text) - 2
                if flag == "i":
                    in_place, suffix = True, text[j + 2 :] or None
                    if suffix is None and k + 1 < len(args) and args[k + 1].text == "":
                        k += 1  # BSD's `-i ''`: no backup
                    break
                if flag in "efl":
                    script_given = script_given or flag != "l"
                    k += 1 if last else 0
                    break
        elif not text.startswith("--"):
            files.append(args[k])
        k += 1
    if in_place:
        yield from _in_place(run, files if script_given else files[1:], where, suffix)


def _in_place(run: _Run, files: list[Word], where: _Where, suffix: str | None) -> Iterator[FileOp]:
    for word in files:
        path = where.path(word)
        if path is None:
            continue
        if suffix and "*" not in suffix:
            yield Copy(path, path + suffix, SOURCE)  # the backup holds the file as it was
        yield InPlace(path, SOURCE)


def _perl(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`perl -pi -e CODE FILES`, `perl -i.bak -pe CODE FILES`: edited in place."""
    in_place, code_given, suffix = False, False, None
    files: list[Word] = []
    k = 0
    while k < len(args):
        text = args[k].text
        if text.startswith("-") and len(text) > 1 and not files:
            flags = text[1:]
            for j, flag in enumerate(flags):
                if flag == "i":
                    in_place, suffix = True, flags[j + 1 :] or None
                    break
                if flag in "eE":
                    code_given = True
                    if j == len(flags) - 1:
                        k += 1
                    break
        else:
            files.append(args[k])
        k += 1
    if in_place:
        yield from _in_place(run, files if code_given else files[1:], where, suffix)


def _awk(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`gawk -i inplace PROGRAM FILES`: edited in place."""
    texts = [a.text for a in args]
    if not any(texts[k] == "-i" and texts[k + 1] == "inplace" for k in range(len(texts) - 1)):
        return
    _, operands = _options(args, {"-i", "-v", "-f", "-F"})
    program_file = any(t == "-f" for t in texts)
    yield from _in_place(run, operands if program_file else operands[1:], where, None)


# Patches and git --------------------------------------------------------------------------------


def _patch(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`patch -p1 < fix.diff`, `patch -p0 <<EOF`, `patch -i fix.diff FILE`."""
    options, operands = _options(args, {"-i", "--input", "-p", "-d", "--directory", "-o"})
    if "--dry-run" in options or "-o" in options:
        return
    text = stdin
    strip: int | None = None
    for k, option in enumerate(options):
        if option in ("-i", "--input") and k + 1 < len(options):
            path = where.path(Word(options[k + 1]))
            text = run.files.content(path) if path else None
        elif option.startswith("-p") and option[2:].isdigit():
            strip = int(option[2:])
        elif option == "-p" and k + 1 < len(options) and options[k + 1].isdigit():
            strip = int(options[k + 1])
        elif option.startswith("--strip=") and option[8:].isdigit():
            strip = int(option[8:])
    reverse = _flag(options, "R", "--reverse")
    if text is None:
        if operands and (path := where.path(operands[0])):
            yield InPlace(path, SOURCE)  # the file named is patched from a diff we cannot read
        return
    if not where.lost:
        yield Patch(text, where.cwd, SOURCE, strip=strip, reverse=reverse)


def _apply_patch(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """Codex's `apply_patch` (or its alias `applypatch`): the patch given as the argument or on standard
    input, as `bash -lc "apply_patch <<'EOF' … EOF"` gives it (Codex runs that form too)."""
    text = args[0].text if args else stdin
    if text is not None and not where.lost:
        yield Patch(text, where.cwd, SOURCE)


def _git(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    while args and args[0].text.startswith("-"):
        args = args[2:] if args[0].text in ("-c", "--git-dir", "--work-tree") else args[1:]
    if not args:
        return
    sub, rest = args[0].text, args[1:]
    handler = _GIT.get(sub)
    if handler is not None:
        yield from handler(run, rest, where, stdin)


def _git_rm(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    options, operands = _options(args)
    if "--cached" in options or _flag(options, "n", "--dry-run"):
        return
    recursive = _flag(options, "r")
    for word in operands:
        yield from (Delete(path, SOURCE, recursive) for path in _paths(run, word, where))


def _git_mv(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    _, pairs = _targets(run, [a for a in args if a.text not in ("-f", "-k", "-v", "--force")], where)
    for src, dst in pairs:
        yield Move(src, dst, SOURCE)


def _git_apply(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    options, operands = _options(args, {"-p", "--directory", "--exclude", "--include"})
    if {"--check", "--stat", "--numstat", "--summary"} & set(options) or ("--cached" in options and "--index" not in options):
        return
    if where.lost:
        return
    reverse = _flag(options, "R", "--reverse")
    strip = next((int(o[2:]) for o in options if o.startswith("-p") and o[2:].isdigit()), None)
    texts = [stdin] if not operands or operands == [Word("-")] else [_file_text(run, w, where) for w in operands]
    for text in texts:
        if text is not None:
            yield Patch(text, where.cwd, SOURCE, strip=strip, reverse=reverse)


def _file_text(run: _Run, word: Word, where: _Where) -> str | None:
    path = where.path(word)
    return run.files.content(path) if path else None


def _git_checkout(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    """`git checkout [REV] -- PATHS`, `git checkout .`, `git checkout REV? FILE.ext`: files put back.

    Without `--` git decides by what exists: an operand is read as a file when it is known or has a
    file name's extension (a branch switch, which rewrites unknown files, is not read)."""
    options, operands = _options(args)
    if {"-b", "-B", "--orphan", "--detach"} & set(options):
        return
    texts = [a.text for a in args]
    if "--" in texts:
        before = [w for w in args[: texts.index("--")] if not w.text.startswith("-")]
        yield from _restore(run, args[texts.index("--") + 1 :], where, before[0].text if before else None)
        return
    revision = operands[0].text if operands and _REVISION.match(operands[0].text) and len(operands) > 1 else None
    files = operands[1:] if revision else operands
    if files and all(w.text in (".", "./") or _looks_like_file(run, w, where) for w in files):
        yield from _restore(run, files, where, revision)


_REVISION = re.compile(r"^(HEAD|FETCH_HEAD|ORIG_HEAD|[0-9a-f]{7,40})([~^]\d*)*$")


def _looks_like_file(run: _Run, word: Word, where: _Where) -> bool:
    path = where.path(word)
    if path is None:
        return False
    return run.files.content(path) is not None or bool(run.files.paths_under(path)) or "." in posixpath.basename(path).strip(".")


def _git_restore(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    options, operands = _options(args, {"-s", "--source"})
    staged = _flag(options, "S", "--staged")
    if staged and not _flag(options, "W", "--worktree"):
        return  # the index only: the files stay as they are
    revision = next((options[k + 1] for k, o in enumerate(options[:-1]) if o in ("-s", "--source")), None)
    revision = revision or next((o.split("=", 1)[1] for o in options if o.startswith("--source=")), None)
    yield from _restore(run, operands, where, revision)


def _restore(run: _Run, operands: list[Word], where: _Where, revision: str | None) -> Iterator[FileOp]:
    other = revision if revision not in (None, "HEAD") else None
    if any(w.literal and w.text in (".", "./") for w in operands):
        if not where.lost:
            yield Restore(None, where.cwd, SOURCE, other)
        return
    paths = tuple(p for w in operands if (p := where.path(w)))
    if paths:
        yield Restore(paths, None, SOURCE, other)


def _git_reset(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    options, operands = _options(args)
    if "--hard" in options:
        revision = operands[0].text if operands and operands[0].text != "HEAD" else None
        yield Restore(None, None, SOURCE, revision)


def _git_stash(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    action = args[0].text if args and not args[0].text.startswith("-") else "push"
    if action in ("pop", "apply"):
        yield Stash(None, SOURCE, pop=True)
    elif action in ("push", "save"):
        texts = [a.text for a in args]
        paths = tuple(p for w in args[texts.index("--") + 1 :] if (p := where.path(w))) if "--" in texts else None
        yield Stash(paths or None, SOURCE)


def _git_commit(run: _Run, args: list[Word], where: _Where, stdin: str | None) -> Iterator[FileOp]:
    if not any(a.text in ("--dry-run",) for a in args):
        yield Commit(SOURCE)


_GIT: dict[str, Callable[[_Run, list[Word], _Where, str | None], Iterator[FileOp]]] = {
    "rm": _git_rm,
    "mv": _git_mv,
    "apply": _git_apply,
    "checkout": _git_checkout,
    "restore": _git_restore,
    "reset": _git_reset,
    "stash": _git_stash,
    "commit": _git_commit,
}


# Interpreters -----------------------------------------------------------------------------------


def _python(run: _Run, args: list[Word], where: _Where, stdin: str | None, out: _Out) -> Iterator[FileOp]:
    """`python -c CODE`, `python - <<EOF`, `python script.py` (when the script's content is known)."""
    k = 0
    while k < len(args):
        text = args[k].text
        if text == "-c":
            if k + 1 < len(args) and args[k + 1].literal:
                yield from _run_python(run, args[k + 1].text, where)
            return
        if text == "-m":
            return
        if text in ("-W", "-X"):
            k += 2
            continue
        if text.startswith("-") and text != "-":
            k += 1
            continue
        code = stdin if text == "-" else run._script_text(args[k], where)
        if code is not None:
            yield from _run_python(run, code, where)
        return
    if stdin is not None:
        yield from _run_python(run, stdin, where)


def _run_python(run: _Run, code: str, where: _Where) -> Iterator[FileOp]:
    if not where.lost:
        yield from python_writes.python_ops(code, where.cwd, run.files, shell_ops, run.depth + 1)


Handler = Callable[[_Run, list[Word], _Where, str | None, _Out], Iterator[FileOp]]

_HANDLERS: dict[str, Handler] = {
    "echo": _echo,
    "printf": _printf,
    "cat": _cat,
    "tee": _tee,
    ":": _quiet,
    "true": _quiet,
    "cp": _cp,
    "mv": _mv,
    "rm": _rm,
    "unlink": _unlink,
    "sed": _sed,
    "gsed": _sed,
    "perl": _perl,
    "awk": _awk,
    "gawk": _awk,
    "patch": _patch,
    "apply_patch": _apply_patch,
    "applypatch": _apply_patch,
    "git": _git,
    **{name: _Run.shell for name in _SHELLS},
}

# Most command lines write nothing: one with no redirection, no here-document and no command that can
# write is not read at all (reading every `python -m pytest` would slow imports down for nothing).
_WRITING_COMMANDS = [name for name in _HANDLERS if name not in ("echo", "printf", "cat", ":", "true", "git")]
_MAY_WRITE = re.compile(
    r"\bpython[\d.]*\s+(?:-[A-Za-z]+\s+)*-c\b"  # python -c CODE
    r"|\bgit\s+(?:-[Cc]\s+\S+\s+|--?[\w-]+\s+)*(?:rm|mv|apply|checkout|restore|reset|stash|commit)\b"
    r"|(?<![\w.-])(?:" + "|".join(re.escape(name) for name in _WRITING_COMMANDS) + r")(?![\w.-])"
)
_PYTHON_SCRIPT = re.compile(r"\bpython[\d.]*\s+(?:-[A-Za-z]+\s+)*([^\s;&|<>()'\"-][^\s;&|<>()'\"]*\.py)\b")


def _may_write(script: str, files: KnownFiles) -> bool:
    """Whether the line can change a file: cheap tests before the line is read."""
    if "<" in script or ">" in script or _MAY_WRITE.search(script):  # redirections, here-documents and here-strings
        return True
    return any(files.named(posixpath.basename(m[1])) for m in _PYTHON_SCRIPT.finditer(script))  # a known script run
