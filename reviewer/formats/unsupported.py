"""What a file no importer reads looks like, said in a few words, with what to do about it.

"invalid JSON: Expecting value" is true of a Markdown chat history and helps nobody: the person needs
to hear that the file is Markdown, which tool it seems to come from, and that it is not a trajectory
format this project reads. Some files are known companions of a run (evaluation results, a Harbor
trial's result and config): they are not trajectories, and a folder walk skips them with the reason
instead of failing on them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.jsonio import Document, InputError
from reviewer.textsafe import one_line

HEAD_BYTES = 4096  # enough of a file to say what it looks like
_JSON_SCALAR = re.compile(r"(-?\d|true\b|false\b|null\b)")
_MAGIC = {b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "a gzip archive", b"\x28\xb5\x2f\xfd": "a zstd archive", b"%PDF": "a PDF"}


@dataclass(frozen=True, slots=True)
class Unsupported:
    """What the content is, and whether it is a known companion of a run (skipped in folders)."""

    what: str
    advice: str
    companion: bool = False

    def message(self) -> str:
        return f"{self.what}: {self.advice}"


class UnsupportedFile(InputError):
    """No importer reads this file; `companion` says it is a run's known side file, not a mistake."""

    def __init__(self, file: str, found: Unsupported):
        super().__init__(file, None, found.message())
        self.companion = found.companion


def identify_bytes(head: bytes) -> Unsupported | None:
    """What the first bytes of a file say it is, when they are not JSON text; None for JSON-looking text
    and for other binary data (reading it says where the first NUL byte is)."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return Unsupported(what, "binary, not a trajectory format reviewer reads")
    if b"\x00" in head:
        return None
    text = head.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if not stripped or stripped[0] in '{["' or _JSON_SCALAR.match(stripped):
        return None  # JSON text, maybe broken: parsing says where
    first = one_line(stripped.splitlines()[0], 80)
    kind = "Markdown text" if re.search(r"^(#{1,6} |```|[-*] )", text, re.MULTILINE) else "plain text"
    return Unsupported(f"{kind}, not JSON (first line {first!r})", "not a trajectory format reviewer reads")


def identify_file(path: Path) -> Unsupported | None:
    """`identify_bytes` on a file's first bytes (for files a folder walk leaves unread)."""
    try:
        with path.open("rb") as handle:
            return identify_bytes(handle.read(HEAD_BYTES))
    except OSError:
        return None


def identify_json(value: Any) -> Unsupported:
    """A parsed JSON value no importer accepted: a known companion file, or its shape in brief."""
    from reviewer.formats import harbor
    from reviewer.outcomes import swebench  # the outcome reader knows these shapes

    if swebench.kind_of(value) is not None:
        advice = "evaluation results, not a trajectory: attach them with `reviewer outcomes attach` or `import --outcomes`"
        return Unsupported(f"{swebench.kind_of(value)}", advice, companion=True)
    if harbor.is_trial_result(value):
        return Unsupported(
            "a Harbor trial result", "not a trajectory: read at import as the outcome of the trial's agent log", True
        )
    if isinstance(value, dict) and (
        "n_total_trials" in value or {"trials_dir", "agent"} <= value.keys() or {"jobs_dir", "agents"} <= value.keys()
    ):
        return Unsupported("a Harbor job or trial file (result or config)", "not a trajectory", companion=True)
    return Unsupported(f"unknown format: {_shape(value)}", "no importer recognises this content")


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        keys = ", ".join(json.dumps(k) for k in list(value)[:8])
        return (
            f"a JSON object with keys {one_line(keys, 200)}{' …' if len(value) > 8 else ''}" if value else "an empty JSON object"
        )
    if isinstance(value, list):
        kinds = sorted({type(v).__name__ for v in value[:50]})
        return f"a JSON list of {len(value)} items ({', '.join(kinds) or 'empty'})"
    return f"a bare JSON {type(value).__name__}"


def unsupported(doc: Document, tried: str, parse_error: InputError | None) -> InputError:
    """The error for a document no format accepted: what it looks like rather than how parsing failed,
    except for JSON text that is broken (then where it breaks is the useful part)."""
    found = identify_bytes(doc.data[:HEAD_BYTES])
    if found is None:
        if parse_error is not None:
            return parse_error
        try:
            found = identify_json(doc.value)
        except InputError as exc:
            return exc
    if not found.companion:
        found = Unsupported(found.what, f"{found.advice} (tried {tried})")
    return UnsupportedFile(doc.name, found)
