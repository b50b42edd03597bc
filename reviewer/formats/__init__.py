"""The format registry: which importer reads a file, decided from its content.

Importers register in detection order; the first whose `sniff` accepts a document reads it. Later
formats (SWE-agent, OpenHands, Inspect, ...) plug in with `register` and need no change elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
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


def lead_file(path: Path) -> Path | None:
    """The file that stands for the folder `path` belongs to, when a registered format reads that folder
    whole (a Cline task, an OpenHands V1 conversation, a Harbor trial); None for files read on their own.

    Such formats define `lead(path)`; the importer reads each folder once, through its lead, whichever
    of its files it was given or found.
    """
    for fmt in _REGISTRY:
        lead: Callable[[Path], Path | None] | None = getattr(fmt, "lead", None)
        if lead is not None and (found := lead(path)) is not None:
            return found
    return None


def detect(doc: Document) -> TrajectoryFormat:
    """The first registered format that accepts the document; a parse error beats 'unknown format'."""
    parse_error: InputError | None = None
    for fmt in _REGISTRY:
        try:
            if fmt.sniff(doc):
                return fmt
        except InputError as exc:
            parse_error = parse_error or exc
    if parse_error is not None:
        raise parse_error
    raise InputError(doc.name, None, f"unknown format: no importer recognises this content (tried {', '.join(f.name for f in _REGISTRY)})")


def _register_builtin() -> None:
    """Detection order matters: specific shapes first, the loosest (bare chat message lists) last."""
    from reviewer.formats.aider import AiderFormat
    from reviewer.formats.atif import AtifFormat
    from reviewer.formats.claude_code import ClaudeCodeFormat
    from reviewer.formats.cline import ClineFormat
    from reviewer.formats.codex import CodexFormat
    from reviewer.formats.gemini_cli import GeminiCliFormat
    from reviewer.formats.harbor import HarborFormat
    from reviewer.formats.inspect_ai import InspectAiFormat
    from reviewer.formats.mini_swe_agent import MiniSweAgentFormat
    from reviewer.formats.native import NativeFormat
    from reviewer.formats.openai_chat import OpenaiChatFormat
    from reviewer.formats.openhands import OpenhandsFormat
    from reviewer.formats.openhands_v1 import OpenhandsV1Format
    from reviewer.formats.swe_agent import SweAgentFormat

    for fmt in (
        NativeFormat(),
        InspectAiFormat(),
        ClaudeCodeFormat(),
        CodexFormat(),
        ClineFormat(),
        GeminiCliFormat(),
        OpenhandsV1Format(),
        HarborFormat(),
        AiderFormat(),
        OpenhandsFormat(),
        AtifFormat(),
        MiniSweAgentFormat(),
        SweAgentFormat(),
        OpenaiChatFormat(),
    ):
        register(fmt)


_register_builtin()
