"""What each file went through over a trajectory: first known state to last applied state, and what is unknown.

A reviewer of cheating asks first "what did the agent change in the end?": the per-step edits answer
it only after reading them all, with the failed ones in between. `net_changes` answers it per file.
Failed edits never count (they changed nothing). An edit whose outcome is unknown (no result came
back, or a shell command that failed after writing) or whose content was not recorded makes the net change say so instead of
guessing: its `after` is then None and `unknown` says why. Submitted patches and observed diffs are snapshots of the
workspace against its start, not edits made at a step: they are shown on their own, not chained here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewer.edits import make_diff, unified_diff
from reviewer.model import FileEdit

SNAPSHOT_SOURCES = frozenset({"submission", "observed"})
NET_OPS: tuple[str, ...] = ("created", "deleted", "modified", "renamed", "unchanged")


@dataclass(frozen=True, slots=True)
class NetChange:
    """One file's change over the run. `op` is one of NET_OPS, or None when the edits do not say
    (a write of a file nobody showed before). `before` and `after` are whole contents when known."""

    path: str
    op: str | None
    before: str | None
    after: str | None
    edits: tuple[FileEdit, ...]  # the edits that count: applied, or of unknown outcome
    failed: tuple[FileEdit, ...]  # failed edits, left out
    unknown: tuple[str, ...] = ()  # what is not known, one phrase each
    from_path: str | None = None  # where a renamed file came from
    _diff: list[str | None] = field(default_factory=list, init=False, repr=False, compare=False)  # computed once
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @property
    def steps(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(e.step for e in self.edits))

    def notes(self) -> list[str]:
        """Short phrases for a one-line summary: the edits that count, the failed ones, what is unknown."""
        found = [f"step {_steps(self.edits)}" if len(self.steps) == 1 else f"steps {_steps(self.edits)}"] if self.edits else []
        if self.from_path is not None:
            found.append(f"from {self.from_path}")
        if self.failed:
            n = len(self.failed)
            found.append(f"{n} failed edit{'s' if n > 1 else ''} not applied (step{'s' if n > 1 else ''} {_steps(self.failed)})")
        if self.unknown:
            found.append("unknown: " + "; ".join(self.unknown))
        return found

    def diff(self) -> str | None:
        """First state to last as a unified diff: from the whole contents when both are known (difflib,
        slow on big files), else the one edit that counts when there is only one; None otherwise.

        Computed once: the app's count worker and the pane a reviewer opens both ask for it, maybe at
        the same time on two threads, and difflib over a megabyte file takes a good part of a second
        (bench/net_diff_bench.py); the second caller waits for the first one's result."""
        with self._lock:
            if not self._diff:
                self._diff.append(self._compute_diff())
            return self._diff[0]

    def _compute_diff(self) -> str | None:
        if self.before is not None and self.after is not None:
            return make_diff(self.path, self.before, self.after) if self.before != self.after else None
        if len(self.edits) == 1 and self.edits[0].status == "applied":
            return unified_diff(self.edits[0])
        return None


def net_changes(edits: Iterable[FileEdit]) -> list[NetChange]:
    """One NetChange per file the edits touch (renames followed), in the order files were first edited."""
    chains: list[tuple[str, list[FileEdit]]] = []  # (the file's path when first edited, its edits)
    chain_of: dict[str, int] = {}  # the path a file has now -> its chain
    for edit in sorted((e for e in edits if e.source not in SNAPSHOT_SOURCES), key=lambda e: e.step):
        origin = edit.from_path if edit.op == "rename" and edit.from_path is not None else edit.path
        renamed = origin != edit.path
        key = chain_of.get(origin)
        if key is None:
            key = len(chains)
            chains.append((origin, []))
        if renamed and edit.status != "failed":
            chain_of.pop(origin, None)  # absent when the rename is the file's first edit (`mv a b` of an unseen a)
            chain_of[edit.path] = key
        else:
            chain_of[origin] = key
        chains[key][1].append(edit)
    return [_net(path, chain) for path, chain in chains]


def _steps(edits: Iterable[FileEdit]) -> str:
    return ", ".join(str(s) for s in dict.fromkeys(e.step for e in edits))


def _net(path: str, chain: list[FileEdit]) -> NetChange:
    failed = tuple(e for e in chain if e.status == "failed")
    live = [e for e in chain if e.status != "failed"]
    if not live:
        return NetChange(path, "unchanged", None, None, (), failed)
    first, last = live[0], live[-1]
    unknown: list[str] = []
    pending = [e for e in live if e.status == "unknown"]
    if pending:
        which = f"the edit at step {_steps(pending)}" if len(pending) == 1 else f"the edits at steps {_steps(pending)}"
        unknown.append(f"whether {which} happened (its result does not say)")
    before = "" if first.before is None and first.op == "create" else first.before
    after = "" if last.op == "delete" else last.after
    if (before is None or after is None) and len(live) == 1 and not pending and unified_diff(first) is not None:
        unknown.append("the rest of the file (only the changed lines were recorded)")
    else:
        if before is None:
            unknown.append(f"the content before step {first.step}")
        if after is None:
            unknown.append(f"the content after step {last.step}")
    origin = path if any(e.op == "rename" for e in live) and last.path != path else None
    op = _op(first, last, before, after, origin)
    if op is None:
        unknown.append(f"whether {path} existed before step {first.step}")
    return NetChange(last.path, op, before, None if pending else after, tuple(live), failed, tuple(unknown), origin)


def _op(first: FileEdit, last: FileEdit, before: str | None, after: str | None, origin: str | None) -> str | None:
    """created / deleted / renamed / modified / unchanged, from what the first and last edits say."""
    existed = False if first.op == "create" else True if first.op in ("modify", "delete", "rename") or before else None
    if existed is False:
        return "created" if last.op != "delete" else "unchanged"
    if last.op == "delete":
        return "deleted"
    if existed is None:
        return None
    if origin is not None:
        return "renamed"
    return "unchanged" if before is not None and before == after else "modified"
