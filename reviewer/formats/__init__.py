"""The format registry: which importer reads a file, decided from its content.

Importers register in detection order; the first whose `sniff` accepts a document reads it. Later
formats (SWE-agent, OpenHands, Inspect, ...) plug in with `register` and need no change elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory


class TrajectoryFormat(Protocol):
    name: str
    # File names a directory walk should offer to this format (content still decides).
    suffixes: tuple[str, ...]

    def sniff(self, doc: Document) -> bool:
        """Cheap check on content; may raise InputError when the bytes are not even readable."""
        ...

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        """Each trajectory in the file with its place (JSONL line, JSON pointer) or the error in its
        place; never stops at the first bad one."""
        ...


_REGISTRY: list[TrajectoryFormat] = []


def register(fmt: TrajectoryFormat) -> None:
    if any(f.name == fmt.name for f in _REGISTRY):
        raise ValueError(f"format {fmt.name!r} is already registered")
    _REGISTRY.append(fmt)


def formats() -> list[TrajectoryFormat]:
    return list(_REGISTRY)


def by_name(name: str) -> TrajectoryFormat:
    for fmt in _REGISTRY:
        if fmt.name == name:
            return fmt
    raise KeyError(f"unknown format {name!r} (known: {', '.join(f.name for f in _REGISTRY)})")


def suffixes() -> set[str]:
    return {s for f in _REGISTRY for s in f.suffixes}


def detect(doc: Document) -> TrajectoryFormat:
    """The first registered format that accepts the document. Otherwise the error says what the file
    looks like (Markdown, an archive, evaluation results...); for broken JSON text, where it breaks."""
    from reviewer.formats.unsupported import unsupported

    parse_error: InputError | None = None
    for fmt in _REGISTRY:
        try:
            if fmt.sniff(doc):
                return fmt
        except InputError as exc:
            parse_error = parse_error or exc
    raise unsupported(doc, ", ".join(f.name for f in _REGISTRY), parse_error)


def _register_builtin() -> None:
    """Detection order matters: specific shapes first, the loosest (bare chat message lists) last."""
    from reviewer.formats.atif import AtifFormat
    from reviewer.formats.claude_code import ClaudeCodeFormat
    from reviewer.formats.inspect_ai import InspectAiFormat
    from reviewer.formats.mini_swe_agent import MiniSweAgentFormat
    from reviewer.formats.native import NativeFormat
    from reviewer.formats.openai_chat import OpenaiChatFormat
    from reviewer.formats.openhands import OpenhandsFormat
    from reviewer.formats.swe_agent import SweAgentFormat

    for fmt in (
        NativeFormat(),
        InspectAiFormat(),
        ClaudeCodeFormat(),
        OpenhandsFormat(),
        AtifFormat(),
        MiniSweAgentFormat(),
        SweAgentFormat(),
        OpenaiChatFormat(),
    ):
        register(fmt)


_register_builtin()
