"""Code an agent wrote in its messages: the solution of runs that have no tool to write files with.

Minimal loops and chat-style graders take the answer from the model's reply: the code block is the
solution the grader runs. Without these edits such runs have no file edits at all and every
code-reading detector is blind on them. Each fenced block of an assistant message becomes an edit
with source `message`: of the file the message names next to the block (`solution.py:` on the line
before, `**src/x.py**`, a fence like ```python title="x.py"), else of `solution.<ext>` after the
fence's language (a second block of a message `solution_2.<ext>`, and so on). The first version of
a file is a `create` from nothing; a later message's version of the same file is a `modify` whose
diff against the previous version shows what the agent changed between proposals. A ```diff block
is a proposed patch: its files' edits. Blocks in languages that are not a program (`text`, `output`,
shell sessions, data) are left out unless a file name is given. Whether the grader took a version is
not recorded here: status stays `unknown`.

Only chat-style runs without any tool call use this (`TrajectoryBuilder.solution_in_replies`, set by
the OpenAI chat and Inspect importers): in a run with tools, or an agent's question-and-answer
session, code in messages is a quote or an explanation, not the change.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reviewer import unidiff
from reviewer.edits import make_diff
from reviewer.model import FileEdit, Step

SOURCE = "message"

_EXTENSIONS = {
    "python": "py", "py": "py", "python3": "py", "javascript": "js", "js": "js", "jsx": "jsx", "typescript": "ts",
    "ts": "ts", "tsx": "tsx", "java": "java", "c": "c", "cpp": "cpp", "c++": "cpp", "cc": "cpp", "h": "h", "hpp": "hpp",
    "csharp": "cs", "cs": "cs", "c#": "cs", "go": "go", "golang": "go", "rust": "rs", "rs": "rs", "ruby": "rb", "rb": "rb",
    "php": "php", "kotlin": "kt", "kt": "kt", "swift": "swift", "scala": "scala", "haskell": "hs", "hs": "hs",
    "lua": "lua", "r": "r", "julia": "jl", "perl": "pl", "ocaml": "ml", "elixir": "ex", "erlang": "erl",
    "clojure": "clj", "dart": "dart", "fortran": "f90", "sql": "sql", "solidity": "sol", "zig": "zig", "nim": "nim",
    "racket": "rkt", "scheme": "scm", "lisp": "lisp", "fsharp": "fs", "vb": "vb", "pascal": "pas", "d": "d",
}  # fmt: skip
_PATCH_LANGUAGES = {"diff", "patch", "udiff"}
_FENCE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_FILE_NAME = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-][\w.-]*\.(?P<ext>[A-Za-z][A-Za-z0-9+]{0,5}))(?![\w/-])")
_KNOWN_EXTENSIONS = set(_EXTENSIONS.values()) | {
    "txt",
    "md",
    "json",
    "yaml",
    "yml",
    "toml",
    "cfg",
    "ini",
    "sh",
    "html",
    "css",
    "xml",
    "csv",
}


@dataclass(frozen=True)
class Block:
    language: str
    name: str | None  # the file the message names for it
    body: str


def code_blocks(text: str) -> Iterator[Block]:
    """The fenced blocks of a message with their language and the file name given beside them."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, info = opening["fence"], opening["info"].strip()
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            body.append(lines[j])
            j += 1
        if j >= len(lines):
            return  # an unclosed fence: a reply cut short, not a finished block
        language = info.split()[0].split(":")[0].lower() if info else ""
        yield Block(language, _name_from_info(info) or _name_before(lines, i), "".join(line + "\n" for line in body))
        i = j + 1


def _name_from_info(info: str) -> str | None:
    """```python title="x.py"```, ```python:x.py```, ```x.py```."""
    for candidate in re.findall(r"""(?:title|file(?:name)?)=["']?([^"'\s]+)""", info) + info.replace(":", " ").split():
        if (match := _FILE_NAME.fullmatch(candidate)) and match["ext"].lower() in _KNOWN_EXTENSIONS:
            return match[1]
    return None


def _name_before(lines: list[str], fence: int) -> str | None:
    """A file name on the last non-blank line before the fence (`Here is solution.py:`, `**src/x.py**`)."""
    k = fence - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0 or fence - k > 2 or _FENCE.match(lines[k]):
        return None
    names = [m for m in _FILE_NAME.finditer(lines[k]) if m["ext"].lower() in _KNOWN_EXTENSIONS]
    return names[-1][1] if names else None


def message_edits(steps: list[Step]) -> list[FileEdit]:
    """Every version of the solution the assistant's messages propose, in order."""
    versions: dict[str, str] = {}
    edits: list[FileEdit] = []
    for step in steps:
        if step.role != "assistant" or "```" not in step.text and "~~~" not in step.text:
            continue
        counts: dict[str, int] = {}
        for block in code_blocks(step.text):
            if block.language in _PATCH_LANGUAGES and block.name is None:
                edits += _patch_edits(block.body, step.index)
                continue
            path = block.name or _placeholder(block.language, counts)
            if path is None or not block.body.strip() or versions.get(path) == block.body:
                continue
            before = versions.get(path, "")
            versions[path] = block.body
            op = "modify" if before else "create"
            edits.append(FileEdit(path, step.index, before, block.body, make_diff(path, before, block.body), SOURCE, op))
    return edits


def _placeholder(language: str, counts: dict[str, int]) -> str | None:
    extension = _EXTENSIONS.get(language)
    if extension is None:
        return None
    counts[extension] = counts.get(extension, 0) + 1
    n = counts[extension]
    return f"solution.{extension}" if n == 1 else f"solution_{n}.{extension}"


def _patch_edits(patch: str, step: int) -> list[FileEdit]:
    edits = []
    for chunk in unidiff.split_files(patch):
        described = unidiff.piece(chunk)
        if described.path is not None:
            edits.append(FileEdit(described.path, step, None, None, chunk, SOURCE, described.op, from_path=described.from_path))
    return edits
