"""File operations of Python code an agent ran, read with `ast` (never executed).

Agents with a Python tool (Inspect's `python`, OpenHands' IPython cell) or a shell (`python -c`,
`python - <<EOF`) write files with `Path(p).write_text(s)`, `open(p, "w").write(s)`, a `with open`
block, or the read / `str.replace` / write sequence that patches a file. This module follows the
code statement by statement with a tiny evaluator that knows string literals, f-strings of known
values, `+`, `str.replace`/`strip`/`join`, `textwrap.dedent`, paths built with `Path(...) / "x"` and
`os.path.join`, and reads of files whose content the caller knows. Whatever it cannot compute is
unknown: the write is still recorded, its content is not (a computed string is never guessed).

Which code runs is decided only where the evaluator can tell: `if __name__ == "__main__":`, a test
on known strings (`if old in content:`), loops over literal lists. When it cannot, an `if`'s body is
read (the branch the author expected to take) and its `else` is not; `except` handlers (error paths)
are not read. Functions are read where they are called. `os.system` and `subprocess` calls with a
literal command are read as shell (`shell_writes`). IPython cells (`%%writefile`, `!cmd`, `%cd`) are
understood too. Code that does not parse gives no operations.
"""

from __future__ import annotations

import ast
import posixpath
import shlex
import textwrap
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from reviewer.formats.file_ops import (
    MAX_CONTENT,
    Copy,
    Delete,
    FileOp,
    InPlace,
    KnownFiles,
    Move,
    ShellReader,
    Write,
    bounded,
    resolve,
)

SOURCE = "python"
MAX_CODE = 1_000_000  # characters
_BUDGET = 20_000  # statements and expressions looked at per piece of code (loops are unrolled)
_MAX_CALL_DEPTH = 8
_MODULES = {"os", "shutil", "pathlib", "subprocess", "textwrap", "io", "json", "sys"}
# Names code may use without importing them (builtins, and modules an IPython session has loaded).
_DEFAULT_NAMES = {m: m for m in _MODULES} | {
    "Path": "pathlib.Path", "open": "open", "print": "print", "dedent": "textwrap.dedent", "get_ipython": "get_ipython",
}  # fmt: skip


class _Unknown:
    """A value the evaluator cannot know."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class _Path:
    """A `pathlib.Path` value: the path as written (resolved against the working directory at use)."""

    text: str


@dataclass
class _Handle:
    """An open file: what was written through it (None once something unknown was written)."""

    path: str | None
    mode: str
    written: str | None = ""
    used: bool = False
    closed: bool = False


@dataclass(frozen=True)
class _Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class _Ref:
    """A module or a name imported from one (`os`, `os.path.join`, `pathlib.Path`)."""

    name: str


Value = Any  # str | int | bool | bytes | list | _Path | _Handle | _Function | _Ref | _Unknown
Ops = Generator[FileOp, None, Value]


def python_ops(code: str, cwd: str | None, files: KnownFiles, shell: ShellReader, depth: int = 0) -> Iterator[FileOp]:
    """The file operations of `code` in order; none when it does not parse."""
    if len(code) > MAX_CODE or depth > _MAX_CALL_DEPTH * 4:
        return
    cell = _ipython_cell(code)
    if cell is not None:
        yield from cell(cwd, files, shell, depth)
        return
    tree = _parse(code)
    if tree is None:
        return
    run = _Run(files, shell, depth, cwd)
    try:
        yield from run.block(tree.body)
    except _OutOfBudget:
        pass
    yield from run.close_all()


def _parse(code: str) -> ast.Module | None:
    for text in (code, _ipython_to_python(code)):
        if text is None:
            continue
        try:
            return ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _ipython_cell(code: str) -> Any:
    """A cell magic that writes (`%%writefile [-a] PATH`) or runs shell (`%%bash`): a reader for it."""
    first, _, body = code.lstrip("\n").partition("\n")
    words = first.split()
    if not words or not words[0].startswith("%%"):
        return None
    magic = words[0][2:]
    if magic == "writefile" and len(words) >= 2:
        append = "-a" in words[1:-1] or "--append" in words[1:-1]

        def write(cwd: str | None, files: KnownFiles, shell: ShellReader, depth: int) -> Iterator[FileOp]:
            yield Write(resolve(words[-1], cwd), body, SOURCE, append=append)

        return write
    if magic in ("bash", "sh", "script"):

        def run_shell(cwd: str | None, files: KnownFiles, shell: ShellReader, depth: int) -> Iterator[FileOp]:
            yield from shell(body, cwd, files, depth + 1)

        return run_shell
    return None


def _ipython_to_python(code: str) -> str | None:
    """IPython's own rewriting of `!cmd` and `%magic` lines into calls, so the rest parses as Python."""
    lines = code.split("\n")
    changed = False
    for k, line in enumerate(lines):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("!"):
            lines[k] = f"{indent}get_ipython().system({stripped[1:]!r})"
            changed = True
        elif stripped.startswith("%") and not stripped.startswith("%%"):
            name, _, rest = stripped[1:].partition(" ")
            lines[k] = f"{indent}get_ipython().run_line_magic({name!r}, {rest!r})"
            changed = True
    return "\n".join(lines) if changed else None


class _OutOfBudget(Exception):
    pass


@dataclass
class _Run:
    files: KnownFiles
    shell: ShellReader
    depth: int
    cwd: str | None
    lost: bool = False  # after os.chdir to a place the code does not spell out
    names: dict[str, Value] = field(default_factory=dict)
    handles: list[_Handle] = field(default_factory=list)
    in_with: list[_Handle] = field(default_factory=list)
    budget: int = _BUDGET
    calls: int = 0

    # Statements ----------------------------------------------------------------------------

    def block(self, body: list[ast.stmt]) -> Iterator[FileOp]:
        for statement in body:
            yield from self.statement(statement)
            yield from self._close_unnamed()

    def _close_unnamed(self) -> Iterator[FileOp]:
        """`open(p, "w").write(s)`: a file no name holds is closed (and written) when its statement ends."""
        for handle in self.handles:
            if not handle.closed and handle not in self.in_with and not any(v is handle for v in self.names.values()):
                yield from self._close(handle)

    def statement(self, node: ast.stmt) -> Iterator[FileOp]:
        self._spend()
        if isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node)
        elif isinstance(node, ast.Assign):
            value = yield from self.expr(node.value)
            for target in node.targets:
                self._bind(target, value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            value = yield from self.expr(node.value)
            self._bind(node.target, value)
        elif isinstance(node, ast.AugAssign):
            yield from self._augment(node)
        elif isinstance(node, ast.Expr):
            yield from self.expr(node.value)
        elif isinstance(node, ast.With | ast.AsyncWith):
            yield from self._with(node)
        elif isinstance(node, ast.If):
            test = yield from self.truth(node.test)
            if test is not False:
                yield from self.block(node.body)
            if test is False:
                yield from self.block(node.orelse)
        elif isinstance(node, ast.For | ast.AsyncFor):
            yield from self._for(node)
        elif isinstance(node, ast.While):
            yield from self.block(node.body)
        elif isinstance(node, ast.Try):
            yield from self.block(node.body)
            yield from self.block(node.orelse)
            yield from self.block(node.finalbody)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.names[node.name] = _Function(node)
        elif isinstance(node, ast.Return) and node.value is not None:
            yield from self.expr(node.value)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.names.pop(target.id, None)

    def _spend(self) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _OutOfBudget

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if isinstance(node, ast.Import):
                bound = alias.asname or alias.name.split(".")[0]
                self.names[bound] = _Ref(alias.name if alias.asname else alias.name.split(".")[0])
            elif node.module:
                self.names[alias.asname or alias.name] = _Ref(f"{node.module}.{alias.name}")

    def _bind(self, target: ast.expr, value: Value) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            values = value if isinstance(value, list) and len(value) == len(target.elts) else [UNKNOWN] * len(target.elts)
            for element, item in zip(target.elts, values, strict=True):
                self._bind(element, item)

    def _augment(self, node: ast.AugAssign) -> Iterator[FileOp]:
        value = yield from self.expr(node.value)
        if isinstance(node.target, ast.Name):
            current = self.names.get(node.target.id, UNKNOWN)
            known = isinstance(node.op, ast.Add) and isinstance(current, str) and isinstance(value, str)
            self.names[node.target.id] = _binop(ast.Add(), current, value) if known else UNKNOWN

    def _with(self, node: ast.With | ast.AsyncWith) -> Iterator[FileOp]:
        opened: list[_Handle] = []
        for item in node.items:
            value = yield from self.expr(item.context_expr)
            if isinstance(value, _Handle):
                opened.append(value)
                self.in_with.append(value)
            if item.optional_vars is not None:
                self._bind(item.optional_vars, value)
        yield from self.block(node.body)
        for handle in opened:
            self.in_with.remove(handle)
            yield from self._close(handle)

    def _for(self, node: ast.For | ast.AsyncFor) -> Iterator[FileOp]:
        items = yield from self.expr(node.iter)
        if isinstance(items, list) and not any(v is UNKNOWN for v in items):
            for item in items:
                self._bind(node.target, item)
                yield from self.block(node.body)
        else:
            self._bind(node.target, UNKNOWN)
            yield from self.block(node.body)

    def close_all(self) -> Iterator[FileOp]:
        """Files left open when the code ended are written when the interpreter closes them."""
        for handle in list(self.handles):
            yield from self._close(handle)

    def _close(self, handle: _Handle) -> Iterator[FileOp]:
        if handle.closed:
            return
        handle.closed = True
        path = handle.path
        if path is None:
            return
        if handle.mode.startswith(("w", "x")):
            yield Write(path, handle.written, SOURCE)
        elif handle.mode.startswith("a") and handle.used:
            yield Write(path, handle.written, SOURCE, append=True)
        elif "+" in handle.mode and handle.used:
            yield InPlace(path, SOURCE)

    # Expressions ----------------------------------------------------------------------------

    def expr(self, node: ast.expr) -> Ops:
        self._spend()
        if isinstance(node, ast.Constant):
            return _constant(node.value)
        if isinstance(node, ast.Name):
            if node.id == "__name__":
                return "__main__"
            return self.names.get(node.id, _Ref(_DEFAULT_NAMES[node.id]) if node.id in _DEFAULT_NAMES else UNKNOWN)
        if isinstance(node, ast.JoinedStr):
            return (yield from self._fstring(node))
        if isinstance(node, ast.BinOp):
            left = yield from self.expr(node.left)
            right = yield from self.expr(node.right)
            return _binop(node.op, left, right)
        if isinstance(node, ast.List | ast.Tuple):
            values = []
            for element in node.elts:
                values.append((yield from self.expr(element)))
            return values
        if isinstance(node, ast.Attribute):
            base = yield from self.expr(node.value)
            return _attribute(base, node.attr)
        if isinstance(node, ast.Call):
            return (yield from self._call(node))
        if isinstance(node, ast.Compare | ast.BoolOp) or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)):
            return (yield from self.truth(node))
        for child in ast.iter_child_nodes(node):  # anything else: its calls still run
            if isinstance(child, ast.expr):
                yield from self.expr(child)
        return UNKNOWN

    def _fstring(self, node: ast.JoinedStr) -> Ops:
        parts: list[str] = []
        known = True
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue):
                inner = yield from self.expr(value.value)
                if (
                    value.conversion != -1
                    or value.format_spec is not None
                    or not isinstance(inner, str | int)
                    or isinstance(inner, bool)
                ):
                    known = False
                else:
                    parts.append(str(inner))
        return "".join(parts) if known else UNKNOWN

    def truth(self, node: ast.expr) -> Ops:
        """True, False, or None when the code's state decides."""
        if isinstance(node, ast.Constant):
            return bool(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = yield from self.truth(node.operand)
            return (not inner) if isinstance(inner, bool) else None
        if isinstance(node, ast.BoolOp):
            values = []
            for operand in node.values:
                values.append((yield from self.truth(operand)))
            if isinstance(node.op, ast.And):
                return False if False in values else True if all(v is True for v in values) else None
            return True if True in values else False if all(v is False for v in values) else None
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left = yield from self.expr(node.left)
            right = yield from self.expr(node.comparators[0])
            return _compare(node.ops[0], left, right)
        value = yield from self.expr(node)
        if isinstance(value, bool):
            return value
        return bool(value) if isinstance(value, str | int | list) else None

    # Calls ------------------------------------------------------------------------------------

    def _call(self, node: ast.Call) -> Ops:
        func = yield from self.expr(node.func)
        args = []
        for arg in node.args:
            args.append((yield from self.expr(arg)) if not isinstance(arg, ast.Starred) else UNKNOWN)
        kwargs: dict[str, Value] = {}
        for keyword in node.keywords:
            value = yield from self.expr(keyword.value)
            if keyword.arg is not None:
                kwargs[keyword.arg] = value
        if isinstance(func, _Function):
            yield from self._invoke(func, args, kwargs)
            return UNKNOWN
        if isinstance(func, _Ref):
            return (yield from self._library(func.name, args, kwargs))
        if isinstance(func, _Method):
            return (yield from self._method(func, args, kwargs))
        return UNKNOWN

    def _invoke(self, func: _Function, args: list[Value], kwargs: dict[str, Value]) -> Iterator[FileOp]:
        """A function defined in the code, read where it is called with what it was given."""
        if self.calls >= _MAX_CALL_DEPTH:
            return
        saved = dict(self.names)
        params = func.node.args
        positional = [*params.posonlyargs, *params.args]
        defaults = [None] * (len(positional) - len(params.defaults)) + list(params.defaults)
        for k, (param, default) in enumerate(zip(positional, defaults, strict=True)):
            if k < len(args):
                self.names[param.arg] = args[k]
            elif param.arg in kwargs:
                self.names[param.arg] = kwargs[param.arg]
            elif default is not None:
                self.names[param.arg] = yield from self.expr(default)
            else:
                self.names[param.arg] = UNKNOWN
        self.calls += 1
        try:
            yield from self.block(func.node.body)
        finally:
            self.calls -= 1
            self.names = saved

    def _library(self, name: str, args: list[Value], kwargs: dict[str, Value]) -> Ops:
        first = args[0] if args else None
        second = args[1] if len(args) > 1 else None
        if name in ("open", "io.open", "builtins.open"):
            return self._open(first, second if second is not None else kwargs.get("mode", "r"))
        if name in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"):
            joined = _join(args) if args else "."
            return UNKNOWN if joined is None else _Path(joined)
        if name == "os.path.join":
            joined = _join(args)
            return UNKNOWN if joined is None else joined
        if name == "get_ipython":
            return _Ref("get_ipython()")
        if name in ("get_ipython().system", "get_ipython().getoutput"):
            if isinstance(first, str) and not self.lost:
                yield from self.shell(first, self.cwd, self.files, self.depth + 1)
            return UNKNOWN
        if name == "get_ipython().run_line_magic" and first == "cd":
            self._chdir(second)
            return None
        if name in ("os.getcwd", "pathlib.Path.cwd"):
            return UNKNOWN if self.lost or self.cwd is None else self.cwd
        if name in ("os.path.exists", "os.path.isfile"):
            path = self._path(first)
            return True if path is not None and self.files.content(path) is not None else None
        if name == "textwrap.dedent":
            return textwrap.dedent(first) if isinstance(first, str) else UNKNOWN
        if name in ("print",):
            handle = kwargs.get("file")
            if isinstance(handle, _Handle):
                known = all(isinstance(a, str | int) and not isinstance(a, bool) for a in args)
                _write(handle, " ".join(str(a) for a in args) + "\n" if known else None)
            return None
        if name == "os.chdir":
            self._chdir(first)
            return None
        if name in _FILE_FUNCTIONS:
            yield from _FILE_FUNCTIONS[name](self, first, second)
            return None
        if name in (
            "os.system",
            "subprocess.run",
            "subprocess.call",
            "subprocess.check_call",
            "subprocess.check_output",
            "subprocess.Popen",
        ):
            yield from self._subprocess(first, kwargs)
            return UNKNOWN
        if name in ("json.dump",) and isinstance(second, _Handle):
            _write(second, None)
        return UNKNOWN

    def _open(self, target: Value, mode: Value) -> Value:
        path = self._path(target)
        if not isinstance(mode, str):
            return UNKNOWN if path is None else self._new_handle(path, "r+")
        return self._new_handle(path, mode)

    def _new_handle(self, path: str | None, mode: str) -> _Handle:
        handle = _Handle(path, mode)
        if mode.startswith(("w", "x", "a")) or "+" in mode:
            self.handles.append(handle)
        return handle

    def _method(self, method: _Method, args: list[Value], kwargs: dict[str, Value]) -> Ops:
        base, name = method.base, method.name
        first = args[0] if args else kwargs.get("data", kwargs.get("target"))
        if isinstance(base, str):
            result = _string_method(base, name, args)
            return UNKNOWN if isinstance(result, str) and bounded(result) is None else result
        if isinstance(base, _Handle):
            return (yield from self._handle_method(base, name, first))
        if isinstance(base, _Path):
            return (yield from self._path_method(base, name, first, kwargs))
        if isinstance(base, bytes) and _utf8(base):
            return base.decode("utf-8")
        return UNKNOWN

    def _handle_method(self, handle: _Handle, name: str, first: Value) -> Ops:
        if name == "read":
            return self.files.content(handle.path) if handle.path is not None and handle.mode.startswith("r") else UNKNOWN
        if name == "write":
            _write(handle, first if isinstance(first, str) else None)
        elif name == "writelines":
            _write(handle, "".join(first) if isinstance(first, list) and all(isinstance(x, str) for x in first) else None)
        elif name == "close":
            yield from self._close(handle)
        elif name in ("seek", "truncate"):
            _write(handle, None)
        return UNKNOWN

    def _path_method(self, path: _Path, name: str, first: Value, kwargs: dict[str, Value]) -> Ops:
        where = self._path(path)
        if name == "read_text":
            return self.files.content(where) if where is not None else UNKNOWN
        if name == "exists" or name == "is_file":
            return True if where is not None and self.files.content(where) is not None else None
        if name == "open":
            mode = first if first is not None else kwargs.get("mode", "r")
            return self._open(path, mode)
        if where is None:
            return UNKNOWN
        if name in ("write_text", "write_bytes"):
            content = first.decode("utf-8", "strict") if isinstance(first, bytes) and _utf8(first) else first
            yield Write(where, content if isinstance(content, str) else None, SOURCE)
        elif name == "unlink":
            yield Delete(where, SOURCE)
        elif name in ("rename", "replace") and (target := self._path(first)) is not None:
            yield Move(where, target, SOURCE)
            return _Path(target)
        return UNKNOWN

    def _subprocess(self, command: Value, kwargs: dict[str, Value]) -> Iterator[FileOp]:
        """`os.system("...")`, `subprocess.run([...])` / `(..., shell=True)`: the command read as shell."""
        if isinstance(command, list) and all(isinstance(part, str) for part in command):
            script = shlex.join(command)
        elif isinstance(command, str):
            script = command
        else:
            return
        cwd = kwargs.get("cwd")
        if cwd is not None:
            where = self._path(cwd)
            if where is None:
                return
        elif self.lost:
            return
        else:
            where = self.cwd
        yield from self.shell(script, where, self.files, self.depth + 1)

    # Paths ------------------------------------------------------------------------------------

    def _path(self, value: Value) -> str | None:
        """A value used as a path, resolved against the current directory; None when not known."""
        text = value.text if isinstance(value, _Path) else value if isinstance(value, str) else None
        if not text or "\0" in text:
            return None
        if not text.startswith("/") and self.lost:
            return None
        return resolve(text, self.cwd)

    def _chdir(self, target: Value) -> None:
        path = self._path(target)
        if path is None:
            self.lost = True
        else:
            self.cwd = path


@dataclass(frozen=True)
class _Method:
    """`base.name` about to be called."""

    base: Value
    name: str


_PATH_ATTRIBUTES = {"parent", "name", "stem", "suffix"}
_HANDLE_METHODS = {"read", "write", "writelines", "close", "seek", "truncate"}
_PATH_METHODS = {"read_text", "write_text", "write_bytes", "unlink", "rename", "replace", "exists", "is_file", "open"}
_STRING_METHODS = {"replace", "strip", "lstrip", "rstrip", "join", "format", "splitlines", "encode", "decode"}


def _attribute(base: Value, name: str) -> Value:
    if isinstance(base, _Ref):
        return _Ref(f"{base.name}.{name}")
    if isinstance(base, _Path) and name in _PATH_ATTRIBUTES:
        if name == "parent":
            return _Path(posixpath.dirname(base.text) or ".")
        name_part = posixpath.basename(base.text)
        stem, suffix = posixpath.splitext(name_part)
        return {"name": name_part, "stem": stem, "suffix": suffix}[name]
    if (
        (isinstance(base, _Path) and name in _PATH_METHODS)
        or (isinstance(base, _Handle) and name in _HANDLE_METHODS)
        or (isinstance(base, str) and name in _STRING_METHODS)
        or (isinstance(base, bytes) and name == "decode")
    ):
        return _Method(base, name)
    return UNKNOWN


def _string_method(base: str, name: str, args: list[Value]) -> Value:
    if name == "replace" and len(args) in (2, 3) and isinstance(args[0], str) and isinstance(args[1], str):
        count = args[2] if len(args) == 3 else -1
        return base.replace(args[0], args[1], count) if isinstance(count, int) and not isinstance(count, bool) else UNKNOWN
    if name in ("strip", "lstrip", "rstrip") and (not args or isinstance(args[0], str | None)):
        return getattr(base, name)(*args)
    if name == "join" and len(args) == 1 and isinstance(args[0], list) and all(isinstance(x, str) for x in args[0]):
        return base.join(args[0])
    return UNKNOWN


def _write(handle: _Handle, text: str | None) -> None:
    handle.used = True
    handle.written = None if handle.written is None or text is None else bounded(handle.written + text)


def _constant(value: Any) -> Value:
    if isinstance(value, str | int | bytes) or value is None:
        return value
    return UNKNOWN


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _text(value: Value) -> str | None:
    if isinstance(value, _Path):
        return value.text
    return value if isinstance(value, str) else None


def _join(values: list[Value]) -> str | None:
    parts = [_text(v) for v in values]
    known = [p for p in parts if p is not None]
    return posixpath.join(*known) if known and len(known) == len(parts) else None


def _binop(op: ast.operator, left: Value, right: Value) -> Value:
    if isinstance(op, ast.Add) and isinstance(left, str) and isinstance(right, str):
        return UNKNOWN if len(left) + len(right) > MAX_CONTENT else left + right
    if isinstance(op, ast.Div) and isinstance(left, _Path) and (text := _text(right)) is not None:
        return _Path(posixpath.join(left.text, text))
    return UNKNOWN


def _compare(op: ast.cmpop, left: Value, right: Value) -> bool | None:
    if not isinstance(left, str | int) or not isinstance(right, str | int):
        return None
    if isinstance(op, ast.In | ast.NotIn) and isinstance(left, str) and isinstance(right, str):
        return (left in right) == isinstance(op, ast.In)
    if isinstance(op, ast.Eq):
        return left == right
    if isinstance(op, ast.NotEq):
        return left != right
    return None


def _copy(run: _Run, src: Value, dst: Value, *, recursive: bool = False, into_directory: bool = True) -> Iterator[FileOp]:
    source, target = run._path(src), run._path(dst)
    if source is None or target is None:
        return
    if into_directory and run.files.paths_under(target):
        target = posixpath.join(target, posixpath.basename(source))
    yield Copy(source, target, SOURCE, recursive=recursive)


def _file_function(kind: str) -> Any:
    def apply(run: _Run, first: Value, second: Value) -> Iterator[FileOp]:
        if kind in ("copy", "copyfile", "copytree"):
            yield from _copy(run, first, second, recursive=kind == "copytree", into_directory=kind == "copy")
            return
        path = run._path(first)
        if path is None:
            return
        if kind in ("remove", "rmtree"):
            yield Delete(path, SOURCE, recursive=kind == "rmtree")
        elif kind == "move" and (target := run._path(second)) is not None:
            if run.files.paths_under(target):
                target = posixpath.join(target, posixpath.basename(path))
            yield Move(path, target, SOURCE)

    return apply


_FILE_FUNCTIONS = {
    "os.remove": _file_function("remove"),
    "os.unlink": _file_function("remove"),
    "shutil.rmtree": _file_function("rmtree"),
    "os.rename": _file_function("move"),
    "os.replace": _file_function("move"),
    "shutil.move": _file_function("move"),
    "shutil.copy": _file_function("copy"),
    "shutil.copy2": _file_function("copy"),
    "shutil.copyfile": _file_function("copyfile"),
    "shutil.copytree": _file_function("copytree"),
}
