"""Formats from other packages, through the `reviewer.formats` entry-point group.

A package adds a format by naming it in its `pyproject.toml`:

    [project.entry-points."reviewer.formats"]
    transcript = "reviewer_transcript:TranscriptFormat"

The object named is a format class (made with no arguments) or a format object: a string `name`, a
tuple of file-name `suffixes`, `sniff(doc)` and `read(doc)` as `reviewer.formats.TrajectoryFormat`
describes. Plugins are loaded when the registry is first used, after the built-in formats, which
keep their place first in detection order: a plugin reads only what no built-in format claims. A
plugin that cannot be loaded (it fails to import, is not a format, or takes a name already taken) is
one line in the registry's problems and is left out; nothing else depends on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

GROUP = "reviewer.formats"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Loaded:
    format: Any
    origin: str  # "plugin <distribution> <version> (<module:attribute>)"


def origin_of(entry: EntryPoint) -> str:
    dist = entry.dist
    who = f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"
    return f"plugin {who} ({entry.value})"


def load(taken: set[str]) -> tuple[list[Loaded], list[str]]:
    """The plugin formats installed, each checked, and one line for each that could not be loaded."""
    loaded: list[Loaded] = []
    problems: list[str] = []
    try:
        found = sorted(entry_points(group=GROUP), key=lambda e: e.name)
    except Exception as exc:  # a broken installation's metadata must not stop the built-in formats
        return [], [f"plugins: cannot list the {GROUP} entry points ({type(exc).__name__}: {exc})"]
    for entry in found:
        origin = origin_of(entry)
        try:
            fmt = _instance(entry.load())
        except Exception as exc:
            problems.append(
                f"plugin format {entry.name!r} from {origin}: cannot load ({type(exc).__name__}: {' '.join(str(exc).split())})"
            )
            continue
        problem = _problem(fmt, taken)
        if problem is not None:
            problems.append(f"plugin format {entry.name!r} from {origin}: {problem}")
            continue
        taken.add(fmt.name)
        loaded.append(Loaded(fmt, origin))
    return loaded, problems


def _instance(obj: Any) -> Any:
    return obj() if isinstance(obj, type) else obj


def _problem(fmt: Any, taken: set[str]) -> str | None:
    """Why an object cannot serve as a format, or None."""
    name = getattr(fmt, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        return "not a format: it needs a `name` of letters, digits, '_', '.' or '-'"
    suffixes = getattr(fmt, "suffixes", None)
    if not isinstance(suffixes, tuple | list) or not all(isinstance(s, str) and s for s in suffixes):
        return "not a format: its `suffixes` must be a tuple of file-name endings"
    if not callable(getattr(fmt, "sniff", None)) or not callable(getattr(fmt, "read", None)):
        return "not a format: it needs `sniff(doc)` and `read(doc)` methods"
    if name in taken:
        return f"the name {name!r} is already taken: left out"
    return None
