"""Typed domain records: the canonical trajectory and one reviewer's label.

These mirror `schemas/trajectory.schema.json` and `schemas/label.schema.json`. `from_dict` expects
input that already passed schema validation (importers validate first), so it does not re-check
types; `to_dict` emits every key, so a round trip through JSON is exact.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin, get_type_hints

R = TypeVar("R", bound="Record")

OMIT_NONE = {"omit": "none"}
"""Field metadata: the key is left out of `to_dict` while the value is None (an optional key of the schema)."""
OMIT_EMPTY = {"omit": "empty"}
"""Field metadata: the key is left out while the value is empty, so records without it keep their content hash."""


def _reader(hint: Any) -> Callable[[Any], Any] | None:
    """How `from_dict` turns one JSON value into the field's value: nested records are built,
    containers copied (null read as empty), anything else taken as it is (None)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        read = _reader(inner[0]) if len(inner) == 1 else None
        return None if read is None else lambda v: None if v is None else read(v)
    if isinstance(hint, type) and is_dataclass(hint) and issubclass(hint, Record):
        build = hint.from_dict
        return lambda v: None if v is None else build(v)
    if origin is list:
        item = _reader(args[0]) if args else None
        return (lambda v: [item(x) for x in v or ()]) if item else (lambda v: list(v or ()))
    if origin is dict:
        return lambda v: dict(v or {})
    return None


def _writer(hint: Any) -> Callable[[Any], Any] | None:
    """How `to_dict` writes the field's value, decided once per field from its type: nested records as
    dicts, lists copied (their records as dicts), anything else as it is (None: no call per value, which
    keeps writing the many small records of a trajectory cheap)."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        write = _writer(inner[0]) if len(inner) == 1 else _any_writer
        return None if write is None else lambda v: None if v is None else write(v)
    if isinstance(hint, type) and is_dataclass(hint) and issubclass(hint, Record):
        return lambda v: v.to_dict()
    if origin is list:
        item = _writer(args[0]) if args else _any_writer
        return (lambda v: [item(x) for x in v]) if item else list
    if hint is Any:
        return _any_writer
    return None


def _any_writer(value: Any) -> Any:
    """A value whose type the hint does not say: records and lists written as such, wherever they are."""
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_any_writer(v) for v in value]
    return value


Plan = tuple[tuple[str, str | None, Callable[[Any], Any] | None, bool, Callable[[Any], Any] | None], ...]
_PLANS: dict[type, Plan] = {}


def _plan(cls: type) -> Plan:
    """Per field of a record class: its key, when it is omitted, how it is read, whether it is required,
    and how it is written."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = get_type_hints(cls)
        plan = _PLANS[cls] = tuple(
            (f.name, f.metadata.get("omit"), _reader(hints[f.name]), f.default is MISSING and f.default_factory is MISSING,
             _writer(hints[f.name]))
            for f in fields(cls)
        )  # fmt: skip
    return plan


class Record:
    """A dataclass that is one JSON object of our schemas: `to_dict` and `from_dict` follow its
    fields (in order, nested records included), so no field is written out twice by hand.

    `from_dict` expects input that passed schema validation: a missing required key raises KeyError,
    unknown keys (derived ones such as an edit's `language`) are ignored.
    """

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    @classmethod
    def from_dict(cls: type[R], d: dict[str, Any]) -> R:
        kwargs = {}
        for name, _, read, required, _ in _plan(cls):
            if name in d:
                value = d[name]
                kwargs[name] = read(value) if read is not None else value
            elif required:
                raise KeyError(name)
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for name, omit, _, _, write in _plan(type(self)):
            value = getattr(self, name)
            if omit is not None and ((omit == "none" and value is None) or (omit == "empty" and not value)):
                continue
            d[name] = value if write is None else write(value)
        return d


SCHEMA_VERSION = 2
"""Version 2 added each edit's `op`, `status` and `from_path`, and `test_runs`; version 1 files still read."""

ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")


@dataclass(slots=True)
class ToolCall(Record):
    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw_arguments: str | None = field(default=None, metadata=OMIT_NONE)
    parse_error: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(slots=True)
class ToolResult(Record):
    """Links a tool step's output (the step's text) to the call it answers."""

    call_id: str
    is_error: bool = False


@dataclass(slots=True)
class Step(Record):
    index: int
    role: str
    text: str = ""
    thinking: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_result: ToolResult | None = None
    timestamp: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, metadata=OMIT_EMPTY)


EDIT_OPS: tuple[str, ...] = ("create", "modify", "delete", "rename")
EDIT_STATUSES: tuple[str, ...] = ("applied", "failed", "unknown")


@dataclass(slots=True)
class FileEdit(Record):
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
    source: str | None = field(default=None, metadata=OMIT_NONE)
    op: str | None = None
    status: str = "unknown"
    from_path: str | None = field(default=None, metadata=OMIT_NONE)

    def to_dict(self) -> dict[str, Any]:
        from reviewer.edits import language_for  # derived facts; edits imports this module
        from reviewer.test_paths import is_test_path

        d = Record.to_dict(self)
        d["language"] = language_for(self.path)
        d["is_test"] = is_test_path(self.path)
        return d


@dataclass(slots=True)
class TestRun(Record):
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


@dataclass(slots=True)
class Task(Record):
    prompt: str
    id: str | None = None
    repo: str | None = None
    instance: str | None = None


@dataclass(slots=True)
class Agent(Record):
    model: str | None = None
    scaffold: str | None = None


@dataclass(slots=True)
class Outcome(Record):
    """The grader's view; reviewers see it only after their blind first pass.

    `grader_result` None means no grader's verdict is known (a run's exit status is not one).
    `details` keeps what the grader said beyond the counts (where the result came from, per-group
    test names, a scorer's explanation): hidden with the rest, and emitted only when present so
    trajectories without any keep their content hash.
    """

    grader_result: str | None = None
    tests_passed: int | None = None
    tests_failed: int | None = None
    reward: float | None = None
    details: dict[str, Any] = field(default_factory=dict, metadata=OMIT_EMPTY)


@dataclass(slots=True)
class Source(Record):
    format: str = "native"
    file: str | None = field(default=None, metadata=OMIT_NONE)
    sha256: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(slots=True)
class Trajectory(Record):
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

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **Record.to_dict(self)}

    def content_dict(self) -> dict[str, Any]:
        """Everything but provenance: two imports with equal content are the same trajectory."""
        d = self.to_dict()
        del d["source"]
        return d


@dataclass(slots=True)
class EvidenceSpan(Record):
    """A quoted range of one text of one step (the `evidence` section of schemas/taxonomy.default.json);
    offsets are Python code points."""

    step: int
    source: str
    start: int
    end: int
    quote: str
    role: str | None = None
    codes: list[str] = field(default_factory=list)
    note: str | None = field(default=None, metadata=OMIT_NONE)  # the reviewer's word on the span; None: none


FLAG_KINDS: tuple[str, ...] = ("skip", "flag")
"""`skip`: not now (too long, outside my expertise); `flag`: something is wrong with the item itself."""


@dataclass(slots=True)
class Flag(Record):
    """Why a reviewer set an item aside instead of (or before) labelling it: kept with the label, so
    a queue can leave it out and a lead can read the reason."""

    kind: str
    reason: str


@dataclass(slots=True)
class Revealed(Record):
    """What the reviewer could see when saving, so blind and unblinded labels are never confused."""

    other_labels: bool = False
    suggestions: bool = False
    grader_outcome: bool = False

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
class Label(Record):
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
    flag: Flag | None = field(default=None, metadata=OMIT_NONE)
    # Versions (`reviewer.store.labels`): the stored state's number (each save adds one), the id of the edit
    # that made it, and in a pack from a checkout the upstream version the edit builds on.
    version: int | None = field(default=None, metadata=OMIT_NONE)
    edit_id: str | None = field(default=None, metadata=OMIT_NONE)
    based_on: int | None = field(default=None, metadata=OMIT_NONE)

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

    def content(self) -> dict[str, Any]:
        """The judgement itself, without bookkeeping: used to tell a real change from a no-op."""
        d = self.to_dict()
        return {**{k: d[k] for k in LABEL_FIELDS}, "flag": d.get("flag")}  # a skip or flag is a change too


def gold_adjudications(labels: Iterable[Label]) -> dict[str, Label]:
    """Each trajectory's gold adjudication: of the settling ones by people, the latest (by time, then
    adjudicator). The one rule, for gold labels (`agreement.aggregate.Ballots`) and calibration."""
    settled = sorted(
        (lb for lb in labels if lb.settles and not is_machine(lb.annotator)), key=lambda lb: (lb.updated_at or "", lb.annotator)
    )
    return {label.trajectory_id: label for label in settled}


@dataclass(slots=True)
class Suggestion(Record):
    """What a detector or a model judge points at: codes with evidence, never a verdict on its own.

    `rater` is "detectors", "model:<name>" or "classifier:<model hash>"; `source` names the detector
    id or the judge's view ("full", "actions"; a classifier reads the whole trajectory: "full").
    Intent and severity are set only by judges, the verdict by judges and classifiers; `confidence`
    is a judge's or classifier's probability of a cheat.
    """

    trajectory_id: str
    rater: str
    source: str
    codes: list[str] = field(default_factory=list)
    evidence: list[EvidenceSpan] = field(default_factory=list)
    explanation: str = ""
    verdict: str | None = None
    intent: int | None = None
    severity: int | None = None
    confidence: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    created_at: str | None = None


ANNOTATOR_MAX = 128
"""The label schema's bound on a reviewer's name (schemas/label.schema.json), for names that come from
an option or the app too: a server cannot index a key of a few thousand bytes, so a file project
would hold a name its copy on a server refuses."""


def annotator_problems(name: str) -> list[str]:
    if not name or len(name) > ANNOTATOR_MAX or any(ord(c) < 0x20 for c in name):
        return [f"annotator name: 1 to {ANNOTATOR_MAX} characters, no control characters (got {len(name)} characters)"]
    return []
