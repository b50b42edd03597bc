"""The format registry: which importer reads a file, decided from its content.

Importers register in detection order; the first whose `sniff` accepts a document reads it. The
built-in formats come first; formats of other packages (the `reviewer.formats` entry-point group,
see `reviewer.formats.plugins`) are added after them the first time the registry is asked, and one
that cannot be loaded, or fails while sniffing, is reported in `problems()` without stopping the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory


class TrajectoryFormat(Protocol):
    """A format. It may also declare `editor_tools` (a frozenset of tool names): its scaffold's file
    editors that no other format shares, whose refusals are read from their words (`editor_tools()`),
    and `lead(path)` (see `lead_file`)."""

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


BUILT_IN = "built-in"
_REGISTRY: list[TrajectoryFormat] = []
_ORIGINS: dict[str, str] = {}  # format name -> where it comes from
_PROBLEMS: list[str] = []  # one line per plugin left out or failing
_EDITOR_TOOLS: set[str] = set()  # every registered format's own `editor_tools`
_plugins_loaded = False


def register(fmt: TrajectoryFormat, origin: str = BUILT_IN) -> None:
    if any(f.name == fmt.name for f in _REGISTRY):
        raise ValueError(f"format {fmt.name!r} is already registered")
    _REGISTRY.append(fmt)
    _ORIGINS[fmt.name] = origin
    _EDITOR_TOOLS.update(getattr(fmt, "editor_tools", ()))


def editor_tools() -> frozenset[str]:
    """The file editors the registered formats declare (Cline's `write_to_file`, Gemini CLI's `replace`...),
    beside the shared ones `edit_reconstruction` knows: derived, so a new format needs no list kept elsewhere."""
    _registry()
    return frozenset(_EDITOR_TOOLS)


def _registry() -> list[TrajectoryFormat]:
    """The formats, plugins loaded on first use (not at import: `reviewer --version` reads no package metadata)."""
    global _plugins_loaded
    if not _plugins_loaded:
        _plugins_loaded = True
        from reviewer.formats import plugins

        loaded, problems = plugins.load({f.name for f in _REGISTRY})
        for found in loaded:
            register(found.format, found.origin)
        _PROBLEMS.extend(problems)
    return _REGISTRY


def formats() -> list[TrajectoryFormat]:
    return list(_registry())


def origin(name: str) -> str:
    """Where a registered format comes from: "built-in", or the plugin's distribution and entry point."""
    _registry()
    return _ORIGINS[name]


def problems() -> list[str]:
    """One line for each plugin format that could not be loaded, or failed while sniffing (left out since)."""
    _registry()
    return list(_PROBLEMS)


def by_name(name: str) -> TrajectoryFormat:
    for fmt in _registry():
        if fmt.name == name:
            return fmt
    raise KeyError(f"unknown format {name!r} (known: {', '.join(f.name for f in _REGISTRY)})")


def suffixes() -> set[str]:
    return {s for f in _registry() for s in f.suffixes}


def lead_file(path: Path) -> Path | None:
    """The file that stands for the folder `path` belongs to, when a registered format reads that folder
    whole (a Cline task, an OpenHands V1 conversation, a Harbor trial); None for files read on their own.

    Such formats define `lead(path)`; the importer reads each folder once, through its lead, whichever
    of its files it was given or found.
    """
    for fmt in _registry():
        lead: Callable[[Path], Path | None] | None = getattr(fmt, "lead", None)
        if lead is not None and (found := lead(path)) is not None:
            return found
    return None


def detect(doc: Document) -> TrajectoryFormat:
    """The first registered format that accepts the document. Otherwise the error says what the file
    looks like (Markdown, an archive, evaluation results...); for broken JSON text, where it breaks."""
    from reviewer.formats.unsupported import unsupported

    parse_error: InputError | None = None
    for fmt in list(_registry()):
        try:
            if fmt.sniff(doc):
                return fmt
        except InputError as exc:
            parse_error = parse_error or exc
        except Exception as exc:
            if _ORIGINS.get(fmt.name) == BUILT_IN:
                raise
            _drop_plugin(fmt, exc)
    raise unsupported(doc, ", ".join(f.name for f in _REGISTRY), parse_error)


def _drop_plugin(fmt: TrajectoryFormat, exc: Exception) -> None:
    """A plugin whose sniff failed is left out for the rest of the run, said once: it must not turn every
    later file into an internal error."""
    _REGISTRY.remove(fmt)
    _PROBLEMS.append(
        f"plugin format {fmt.name!r} from {_ORIGINS[fmt.name]}: failed while sniffing ({type(exc).__name__}: "
        f"{' '.join(str(exc).split())}): left out"
    )


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
        OpenhandsFormat(),
        AtifFormat(),
        MiniSweAgentFormat(),
        SweAgentFormat(),
        # each claims shapes no other format reads (the detection tests ask every sniffer): after the
        # older formats, so files of those are not sniffed by these first
        CodexFormat(),
        ClineFormat(),
        GeminiCliFormat(),
        OpenhandsV1Format(),
        HarborFormat(),
        AiderFormat(),
        OpenaiChatFormat(),
    ):
        register(fmt)


_register_builtin()
