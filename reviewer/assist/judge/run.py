"""Running the judge over trajectories: render, ask (with bounded concurrency), check, cache, store.

Each trajectory is judged in both views. Network work happens on a thread pool; everything that
touches the project file (cache, suggestions) stays on the calling thread, because a SQLite
connection belongs to the thread that opened it. A trajectory's suggestions are replaced once all
its views are in: the views that succeeded are stored, a trajectory whose views all failed keeps
what it had, and a cancelled one is left untouched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Literal

from reviewer.assist.judge import prompt
from reviewer.assist.judge.cache import Entry, JudgeCache, cache_key
from reviewer.assist.judge.client import Cancelled, ChatClient, Completion, JudgeError, RetryPolicy
from reviewer.assist.judge.render import DEFAULT_BUDGET, VIEWS, render
from reviewer.assist.judge.reply import InvalidReply, evidence, merge, parse
from reviewer.model import Suggestion, Trajectory
from reviewer.store import Store
from reviewer.store.trajectories import content_hash
from reviewer.taxonomy import Taxonomy

log = logging.getLogger(__name__)

GAP_NOTE = (
    "\n\n[view gap] On the actions and diffs alone this judge said {actions}, on the full transcript {full}: the agent's "
    "reasoning may have talked it out of seeing a cheat."
)
# How often the waiting loop looks at the cancel flag while requests are in flight.
POLL_SECONDS = 0.05

Status = Literal["judged", "cached", "failed", "cancelled"]


@dataclass(frozen=True, slots=True)
class JudgeEvent:
    """One trajectory-view finished, for progress bars and failure reports; `reason` says why it failed."""

    trajectory_id: str
    view: str
    status: Status
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class _Unit:
    trajectory: Trajectory
    trajectory_hash: str
    view: str
    key: str
    conversations: list[list[dict[str, str]]]


@dataclass(slots=True)
class _Pending:
    """What has come back so far for one trajectory."""

    entries: dict[str, tuple[Entry, bool]] = field(default_factory=dict)  # view -> (entry, from cache)
    finished: int = 0
    cancelled: bool = False


def _flagged_steps(store: Store, trajectory_id: str) -> set[int]:
    return {span.step for s in store.suggestions.all(trajectory_id=trajectory_id, rater="detectors") for span in s.evidence}


def _prepare(store: Store, trajectory: Trajectory, system: str, model: str, budget: int) -> list[_Unit]:
    """One unit per view: the conversations to send (one per part) and the cache key they make."""
    flagged = _flagged_steps(store, trajectory.id)
    digest = content_hash(trajectory)
    units = []
    for view in VIEWS:
        parts = render(trajectory, view, flagged=flagged, budget=budget)
        conversations = [prompt.messages(system, text, view, k, len(parts)) for k, text in enumerate(parts, 1)]
        units.append(
            _Unit(trajectory, digest, view, cache_key(prompt.PROMPT_VERSION, model, digest, view, conversations), conversations)
        )
    return units


def _ask(client: ChatClient, conversation: list[dict[str, str]], taxonomy: Taxonomy) -> tuple[dict[str, Any], list[Completion]]:
    """A checked reply to one conversation, re-asking once with the reason when the first is unusable."""
    first = client.complete(conversation)
    try:
        return parse(first.content, taxonomy), [first]
    except InvalidReply as exc:
        second = client.complete(prompt.reask(conversation, first.content, str(exc)))
    try:
        return parse(second.content, taxonomy), [first, second]
    except InvalidReply as exc:
        raise JudgeError(f"invalid reply after one re-ask: {exc}") from None


def _judge(client: ChatClient, unit: _Unit, taxonomy: Taxonomy) -> Entry:
    """Runs on a worker thread: no store access here."""
    replies: list[dict[str, Any]] = []
    completions: list[Completion] = []
    for conversation in unit.conversations:
        reply, used = _ask(client, conversation, taxonomy)
        replies.append(reply)
        completions += used
    return Entry(
        merge(replies, taxonomy),
        sum(c.prompt_tokens for c in completions),
        sum(c.completion_tokens for c in completions),
        sum(c.latency_ms for c in completions),
        len(unit.conversations),
    )


def _suggestion(trajectory: Trajectory, rater: str, view: str, entry: Entry, cached: bool) -> Suggestion:
    reply = entry.reply
    spans, unlocated = evidence(trajectory, reply["evidence"])
    details = {
        "prompt_version": prompt.PROMPT_VERSION,
        "view": view,
        "tokens": {"prompt": entry.prompt_tokens, "completion": entry.completion_tokens},
        "latency_ms": round(entry.latency_ms, 1),
        "parts": entry.parts,
        "cached": cached,
        "unlocated_quotes": unlocated,
        "view_gap": None,
    }
    return Suggestion(
        trajectory.id, rater, view, list(dict.fromkeys(reply["categories"] + reply["markers"])), spans, reply["rationale"],
        verdict=reply["verdict"], intent=reply["intent"], confidence=reply.get("confidence"), details=details,
    )  # fmt: skip


def flag_view_gap(by_view: dict[str, Suggestion], taxonomy: Taxonomy) -> None:
    """Mark both views when the actions say cheat and the full transcript says clean; `view_gap` stays None without both."""
    full, actions = by_view.get("full"), by_view.get("actions")
    if full is None or actions is None:
        return
    gap = actions.verdict in taxonomy.cheat_verdicts and full.verdict in taxonomy.not_cheat_verdicts
    for s in (full, actions):
        s.details["view_gap"] = gap
        if gap:
            s.explanation += GAP_NOTE.format(actions=actions.verdict, full=full.verdict)


class _Run:
    """The bookkeeping of one `run_judge` call, on the calling thread."""

    def __init__(self, store: Store, model: str, progress: Callable[[JudgeEvent], None] | None):
        self.store = store
        self.model = model
        self.rater = f"model:{model}"
        self.progress = progress
        self.cache = JudgeCache(store.db)
        self.pending: dict[str, _Pending] = {}
        self.stored: list[Suggestion] = []

    def finish(self, unit: _Unit, status: Status, entry: Entry | None = None, reason: str | None = None) -> None:
        tid = unit.trajectory.id
        if status == "failed":
            log.warning("judge %s failed on %s (%s view): %s", self.rater, tid, unit.view, reason)
        if self.progress is not None:
            self.progress(JudgeEvent(tid, unit.view, status, reason))
        pending = self.pending.setdefault(tid, _Pending())
        pending.finished += 1
        pending.cancelled |= status == "cancelled"
        if entry is not None:
            pending.entries[unit.view] = (entry, status == "cached")
        if pending.finished == len(VIEWS) and pending.entries and not pending.cancelled:
            self._store(unit.trajectory, pending)

    def _store(self, trajectory: Trajectory, pending: _Pending) -> None:
        by_view: dict[str, Suggestion] = {}
        for view in VIEWS:
            if view in pending.entries:
                entry, cached = pending.entries[view]
                by_view[view] = _suggestion(trajectory, self.rater, view, entry, cached)
        flag_view_gap(by_view, self.store.taxonomy)
        suggestions = list(by_view.values())
        self.store.suggestions.replace(trajectory.id, self.rater, suggestions)
        self.stored += suggestions


def run_judge(
    store: Store,
    trajectories: Iterable[Trajectory],
    *,
    base_url: str,
    model: str,
    api_key: str | None,
    concurrency: int = 4,
    timeout: float = 60.0,
    progress: Callable[[JudgeEvent], None] | None = None,
    cancel: threading.Event | None = None,
    budget: int = DEFAULT_BUDGET,
    retry: RetryPolicy | None = None,
) -> list[Suggestion]:
    """Judge each trajectory in both views and store the results as rater `model:<model>`; returns what was stored.

    Failures are not stored: each is logged and reported to `progress` as a "failed" event with its
    reason. Setting `cancel` stops waiting, cuts requests in flight and returns promptly.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    cancel = cancel if cancel is not None else threading.Event()
    # The workers' own stop signal: set on the way out however the run ends (done, cancelled, Ctrl-C,
    # an error), so no request or retry wait outlives the call; the caller's event is never touched.
    stop = threading.Event()
    client = ChatClient(base_url, model, api_key, timeout=timeout, retry=retry or RetryPolicy(), cancel=stop)
    run = _Run(store, model, progress)
    system = prompt.system_prompt(store.taxonomy)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="judge")
    futures: dict[Future[Entry], _Unit] = {}
    try:
        for trajectory in trajectories:
            for unit in _prepare(store, trajectory, system, model, budget):
                hit = run.cache.get(unit.key)
                if hit is not None:
                    run.finish(unit, "cached", hit)
                else:
                    futures[pool.submit(_judge, client, unit, store.taxonomy)] = unit
        _collect(run, futures, cancel)
    finally:
        stop.set()
        client.abort()
        pool.shutdown(wait=False, cancel_futures=True)
    return run.stored


def _collect(run: _Run, futures: dict[Future[Entry], _Unit], cancel: threading.Event) -> None:
    waiting = set(futures)
    while waiting and not cancel.is_set():
        done, waiting = wait(waiting, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in done:
            unit = futures[future]
            try:
                entry = future.result()
            except Cancelled:
                run.finish(unit, "cancelled", reason="cancelled")
            except JudgeError as exc:
                run.finish(unit, "failed", reason=str(exc))
            else:
                run.cache.put(
                    unit.key, prompt_version=prompt.PROMPT_VERSION, model=run.model, trajectory_hash=unit.trajectory_hash,
                    view=unit.view, entry=entry,
                )  # fmt: skip
                run.finish(unit, "judged", entry)
    for future in waiting:
        run.finish(futures[future], "cancelled", reason="cancelled")
