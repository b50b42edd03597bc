"""Typed domain records: the canonical trajectory and one reviewer's label.

These mirror `schemas/trajectory.schema.json` and `schemas/label.schema.json`. `from_dict` expects
input that already passed schema validation (importers validate first), so it does not re-check
types; `to_dict` emits every key, so a round trip through JSON is exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 2
"""Version 2 added each edit's `op`, `status` and `from_path`, and `test_runs`; version 1 files still read."""

ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw_arguments: str | None = None
    parse_error: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ToolCall:
        return cls(d["id"], d["name"], d.get("arguments", {}), d.get("raw_arguments"), d.get("parse_error"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "name": self.name, "arguments": self.arguments}
        if self.raw_arguments is not None:
            d["raw_arguments"] = self.raw_arguments
        if self.parse_error is not None:
            d["parse_error"] = self.parse_error
        return d


@dataclass(slots=True)
class ToolResult:
    """Links a tool step's output (the step's text) to the call it answers."""

    call_id: str
    is_error: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"call_id": self.call_id, "is_error": self.is_error}


@dataclass(slots=True)
class Step:
    index: int
    role: str
    text: str = ""
    thinking: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_result: ToolResult | None = None
    timestamp: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Step:
        result, calls = d.get("tool_result"), d.get("tool_calls")
        return cls(
            d["index"],
            d["role"],
            d.get("text", ""),
            d.get("thinking"),
            [ToolCall.from_dict(c) for c in calls] if calls else [],
            ToolResult(result["call_id"], result.get("is_error", False)) if result else None,
            d.get("timestamp"),
            d.get("metadata") or {},
        )

    def to_dict(self) -> dict[str, Any]:
        d = {
            "index": self.index,
            "role": self.role,
            "text": self.text,
            "thinking": self.thinking,
            "tool_calls": [c.to_dict() for c in self.tool_calls],
            "tool_result": self.tool_result.to_dict() if self.tool_result else None,
            "timestamp": self.timestamp,
        }
        if self.metadata:
            d["metadata"] = self.metadata
        return d


EDIT_OPS: tuple[str, ...] = ("create", "modify", "delete", "rename")
EDIT_STATUSES: tuple[str, ...] = ("applied", "failed", "unknown")


@dataclass(slots=True)
class FileEdit:
    """One edit of one file. `before` is None when the scaffold did not record it: never invented.

    `source` says where it was reconstructed from (an editor tool call, a bash heredoc, a patch...).
    `status` says whether it happened: `failed` edits (the tool refused them) are kept to be seen,
    never counted in the file's net change; `unknown` when no result says either way. `op` is None
    when the call does not say whether the file existed; `from_path` names a rename's old path.
    """

    path: str
    step: int
    before: str | None = None
    after: str | None = None
    diff: str | None = None
    source: str | None = None
    op: str | None = None
    status: str = "unknown"
    from_path: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileEdit:
        return cls(
            d["path"], d["step"], d.get("before"), d.get("after"), d.get("diff"), d.get("source"),
            d.get("op"), d.get("status", "unknown"), d.get("from_path"),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        from reviewer.edits import is_test_path, language_for  # derived facts; edits imports this module

        d = {
            "path": self.path,
            "step": self.step,
            "before": self.before,
            "after": self.after,
            "diff": self.diff,
            "language": language_for(self.path),
            "is_test": is_test_path(self.path),
            "op": self.op,
            "status": self.status,
        }
        if self.source is not None:
            d["source"] = self.source
        if self.from_path is not None:
            d["from_path"] = self.from_path
        return d


@dataclass(slots=True)
class TestRun:
    """One command that ran tests, and what its output says of them (None: not printed).

    `step` is the call, `result_step` the step holding its output (None when no output came back).
    """

    __test__ = False  # not a pytest test class, whatever its name

    step: int
    command: str
    result_step: int | None = None
    framework: str | None = None
    passed: int | None = None
    failed: int | None = None
    errors: int | None = None
    skipped: int | None = None
    failing: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TestRun:
        return cls(
            d["step"], d["command"], d.get("result_step"), d.get("framework"), d.get("passed"), d.get("failed"),
            d.get("errors"), d.get("skipped"), list(d.get("failing", ())),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "result_step": self.result_step,
            "command": self.command,
            "framework": self.framework,
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "skipped": self.skipped,
            "failing": self.failing,
        }


@dataclass(slots=True)
class Task:
    prompt: str
    id: str | None = None
    repo: str | None = None
    instance: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "prompt": self.prompt, "repo": self.repo, "instance": self.instance}


@dataclass(slots=True)
class Agent:
    model: str | None = None
    scaffold: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "scaffold": self.scaffold}


@dataclass(slots=True)
class Outcome:
    """The grader's view; reviewers see it only after their blind first pass."""

    grader_result: str | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    reward: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "grader_result": self.grader_result,
            "tests_passed": self.tests_passed,
            "tests_failed": self.tests_failed,
            "reward": self.reward,
        }


@dataclass(slots=True)
class Source:
    format: str = "native"
    file: str | None = None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"format": self.format}
        if self.file is not None:
            d["file"] = self.file
        if self.sha256 is not None:
            d["sha256"] = self.sha256
        return d


@dataclass(slots=True)
class Trajectory:
    id: str
    task: Task
    steps: list[Step]
    source: Source = field(default_factory=Source)
    agent: Agent = field(default_factory=Agent)
    outcome: Outcome = field(default_factory=Outcome)
    file_edits: list[FileEdit] = field(default_factory=list)
    test_runs: list[TestRun] = field(default_factory=list)
    final_patch: str | None = None
    final_answer: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trajectory:
        task, agent, outcome, source = d["task"], d.get("agent", {}), d.get("outcome", {}), d.get("source", {})
        return cls(
            id=d["id"],
            task=Task(task["prompt"], task.get("id"), task.get("repo"), task.get("instance")),
            steps=[Step.from_dict(s) for s in d["steps"]],
            source=Source(source.get("format", "native"), source.get("file"), source.get("sha256")),
            agent=Agent(agent.get("model"), agent.get("scaffold")),
            outcome=Outcome(
                outcome.get("grader_result"), outcome.get("tests_passed"), outcome.get("tests_failed"), outcome.get("reward")
            ),
            file_edits=[FileEdit.from_dict(e) for e in d.get("file_edits", ())],
            test_runs=[TestRun.from_dict(r) for r in d.get("test_runs", ())],
            final_patch=d.get("final_patch"),
            final_answer=d.get("final_answer"),
            metadata=d.get("metadata", {}),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "source": self.source.to_dict(),
            "task": self.task.to_dict(),
            "agent": self.agent.to_dict(),
            "outcome": self.outcome.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "file_edits": [e.to_dict() for e in self.file_edits],
            "test_runs": [r.to_dict() for r in self.test_runs],
            "final_patch": self.final_patch,
            "final_answer": self.final_answer,
            "metadata": self.metadata,
        }

    def content_dict(self) -> dict[str, Any]:
        """Everything but provenance: two imports with equal content are the same trajectory."""
        d = self.to_dict()
        del d["source"]
        return d


@dataclass(slots=True)
class EvidenceSpan:
    """A quoted range of one text of one step (taxonomy §8); offsets are Python code points."""

    step: int
    source: str
    start: int
    end: int
    quote: str
    role: str | None = None
    codes: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvidenceSpan:
        return cls(d["step"], d["source"], d["start"], d["end"], d["quote"], d.get("role"), list(d.get("codes", ())))

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "role": self.role,
            "codes": self.codes,
        }


@dataclass(slots=True)
class Revealed:
    """What the reviewer could see when saving, so blind and unblinded labels are never confused."""

    other_labels: bool = False
    suggestions: bool = False
    grader_outcome: bool = False

    def to_dict(self) -> dict[str, bool]:
        return {"other_labels": self.other_labels, "suggestions": self.suggestions, "grader_outcome": self.grader_outcome}

    @property
    def anything(self) -> bool:
        return self.other_labels or self.suggestions or self.grader_outcome


LABEL_FIELDS: tuple[str, ...] = (
    "verdict",
    "borderline_reason",
    "categories",
    "intent",
    "markers",
    "motivated_reasoning",
    "disclosure",
    "severity",
    "context",
    "confidence",
    "rationale",
    "evidence",
)


MACHINE_PREFIXES: tuple[str, ...] = ("model:", "classifier:")
"""Raters named `model:<name>` (an LLM judge) or `classifier:<model hash>` (`reviewer predict`)."""
MACHINE_RATERS: tuple[str, ...] = ("detectors",)


def is_machine(rater: str) -> bool:
    """Models, classifiers and detectors: raters only when a report asks for them, never a reviewer's
    vote. The one rule; the listing's SQL is built from the same two tuples."""
    return rater.startswith(MACHINE_PREFIXES) or rater in MACHINE_RATERS


@dataclass(slots=True)
class Label:
    trajectory_id: str
    annotator: str
    first_pass: bool = True
    verdict: str | None = None
    borderline_reason: str | None = None
    categories: list[str] = field(default_factory=list)
    intent: int | None = None
    markers: list[str] = field(default_factory=list)
    motivated_reasoning: int | None = None
    disclosure: str | None = None
    severity: int | None = None
    context: dict[str, str | None] = field(default_factory=dict)
    confidence: int | None = None
    rationale: str | None = None
    evidence: list[EvidenceSpan] = field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None
    seconds_spent: float | None = None
    taxonomy_version: int | None = None
    revealed: Revealed = field(default_factory=Revealed)
    complete: bool = False
    adjudication: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str, bool, bool]:
        """One current label per trajectory, annotator and pass, and apart from those one adjudication
        per trajectory and adjudicator: settling a dispute never touches the adjudicator's own label."""
        return (self.trajectory_id, self.annotator, self.first_pass, self.adjudication is not None)

    @property
    def settles(self) -> bool:
        """An adjudication that stands as the gold label. One still being worked out in the app is a
        draft (`settled: false`) and does not; older adjudications, made in one step, carry no flag."""
        return self.adjudication is not None and self.adjudication.get("settled", True) is not False and self.verdict is not None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Label:
        revealed = d.get("revealed") or {}
        return cls(
            trajectory_id=d["trajectory_id"],
            annotator=d["annotator"],
            first_pass=d.get("first_pass", True),
            verdict=d.get("verdict"),
            borderline_reason=d.get("borderline_reason"),
            categories=list(d.get("categories", ())),
            intent=d.get("intent"),
            markers=list(d.get("markers", ())),
            motivated_reasoning=d.get("motivated_reasoning"),
            disclosure=d.get("disclosure"),
            severity=d.get("severity"),
            context=dict(d.get("context", {})),
            confidence=d.get("confidence"),
            rationale=d.get("rationale"),
            evidence=[EvidenceSpan.from_dict(e) for e in d.get("evidence", ())],
            created_at=d.get("created_at"),
            updated_at=d.get("updated_at"),
            seconds_spent=d.get("seconds_spent"),
            taxonomy_version=d.get("taxonomy_version"),
            revealed=Revealed(**{k: bool(revealed.get(k, False)) for k in ("other_labels", "suggestions", "grader_outcome")}),
            complete=bool(d.get("complete", False)),
            adjudication=d.get("adjudication"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "trajectory_id": self.trajectory_id,
            "annotator": self.annotator,
            "first_pass": self.first_pass,
            "verdict": self.verdict,
            "borderline_reason": self.borderline_reason,
            "categories": self.categories,
            "intent": self.intent,
            "markers": self.markers,
            "motivated_reasoning": self.motivated_reasoning,
            "disclosure": self.disclosure,
            "severity": self.severity,
            "context": self.context,
            "confidence": self.confidence,
            "rationale": self.rationale,
            "evidence": [e.to_dict() for e in self.evidence],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "seconds_spent": self.seconds_spent,
            "taxonomy_version": self.taxonomy_version,
            "revealed": self.revealed.to_dict(),
            "complete": self.complete,
            "adjudication": self.adjudication,
        }

    def content(self) -> dict[str, Any]:
        """The judgement itself, without bookkeeping: used to tell a real change from a no-op."""
        d = self.to_dict()
        return {k: d[k] for k in LABEL_FIELDS}


@dataclass(slots=True)
class Suggestion:
    """What a detector or a model judge points at: codes with evidence, never a verdict on its own.

    `rater` is "detectors", "model:<name>" or "classifier:<model hash>"; `source` names the detector
    id or the judge's view ("full", "actions"; a classifier reads the whole trajectory: "full").
    Intent and severity are set only by judges, the verdict by judges and classifiers; `confidence`
    is a judge's or classifier's probability of a cheat.
    """

    trajectory_id: str
    rater: str
    source: str
    codes: list[str]
    evidence: list[EvidenceSpan]
    explanation: str
    verdict: str | None = None
    intent: int | None = None
    severity: int | None = None
    confidence: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "trajectory_id": self.trajectory_id,
            "rater": self.rater,
            "source": self.source,
            "codes": self.codes,
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
            "verdict": self.verdict,
            "intent": self.intent,
            "severity": self.severity,
            "confidence": self.confidence,
            "details": self.details,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Suggestion:
        return cls(
            d["trajectory_id"], d["rater"], d["source"], list(d.get("codes", ())),
            [EvidenceSpan.from_dict(e) for e in d.get("evidence", ())], d.get("explanation", ""),
            d.get("verdict"), d.get("intent"), d.get("severity"), d.get("confidence"), dict(d.get("details") or {}),
            d.get("created_at"),
        )  # fmt: skip
