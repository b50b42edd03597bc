"""The labelled examples a classifier trains on, read from an export (a file, or the store through
`reviewer.export` itself), and the target: which gold verdicts count as a cheat.

Reading the store runs the export with `--features` into memory, so the store and an export file
of it give the same examples and the same data hash (SHA-256 of the export's bytes): an ML user
reproduces `reviewer train` from `reviewer export --features` alone.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewer.errors import DataError, OptionError
from reviewer.export import ExportOptions, export
from reviewer.export.features import FEATURE_KEYS
from reviewer.store import Store
from reviewer.taxonomy import Taxonomy
from reviewer.train.examples import Example, split_channels

ROLES = ("positive", "negative", "exclude")


@dataclass(frozen=True, slots=True)
class Target:
    """Cheat or not: which gold verdicts are positive, which negative; the rest are left out of training.

    The default follows the taxonomy's verdict options: those marked `cheating: true` are positive
    (with the default taxonomy: cheat and attempted_cheat, because an attempt that was blocked is
    the behaviour a monitor must catch), those marked `cheating: false` negative (clean,
    honest_failure), and the rest (borderline, unreviewable) left out: no ground truth either way.
    `--verdict-as CODE=positive|negative|exclude` moves a verdict.
    """

    name: str
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    excluded: tuple[str, ...]

    @classmethod
    def cheat(cls, taxonomy: Taxonomy, moves: dict[str, str] | None = None) -> Target:
        codes = taxonomy.codes("verdict")
        role = {
            c: "positive" if c in taxonomy.cheat_verdicts else "negative" if c in taxonomy.not_cheat_verdicts else "exclude"
            for c in codes
        }
        for code, where in (moves or {}).items():
            if code not in role:
                raise OptionError(f"--verdict-as: unknown verdict {code!r} (known: {', '.join(codes)})")
            if where not in ROLES:
                raise OptionError(f"--verdict-as {code}={where}: say positive, negative or exclude")
            role[code] = where
        target = cls("cheat", *(tuple(c for c in codes if role[c] == r) for r in ROLES))
        if not target.positive or not target.negative:
            raise OptionError("--verdict-as: the target needs at least one positive and one negative verdict")
        return target

    def y(self, verdict: str | None) -> int | None:
        if verdict in self.positive:
            return 1
        if verdict in self.negative:
            return 0
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "positive": list(self.positive),
            "negative": list(self.negative),
            "excluded": list(self.excluded),
        }


@dataclass(slots=True)
class Dataset:
    """The examples the target keeps, in export (trajectory id) order, with what was left out and why."""

    examples: list[Example] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    records: int = 0
    left_out: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    data_hash: str = ""


def example(record: dict[str, Any], verdict: str | None = None, categories: Iterable[str] = ()) -> Example:
    """An example from an export record with --features (raises KeyError/TypeError/ValueError on a malformed one)."""
    channels, places = split_channels(record["text"], record["sections"])
    return Example(
        record["trajectory_id"], record["task_id"], channels, places, tuple(record["detectors"]), dict(record["facts"]),
        verdict, tuple(categories),
    )  # fmt: skip


class _Reader:
    """Export lines in, examples out: each line hashed, parsed, checked and kept or counted as left out."""

    def __init__(self, name: str, target: Target):
        self.name, self.target = name, target
        self.data = Dataset()
        self.digest = hashlib.sha256()
        self.line = 0

    def feed(self, lines: Iterable[bytes]) -> None:
        for raw in lines:
            self.line += 1
            self.digest.update(raw)
            if raw.strip():
                try:
                    self._add(self._record(raw))
                except (KeyError, TypeError, ValueError) as exc:  # DataError included
                    message = str(exc) if isinstance(exc, DataError) else f"malformed record ({type(exc).__name__}: {exc})"
                    raise DataError(f"{self.name}:{self.line}: {message}") from None

    def _record(self, raw: bytes) -> dict[str, Any]:
        try:
            record = json.loads(raw)
        except ValueError as exc:  # UnicodeDecodeError included
            raise DataError(f"not a JSON record ({exc})") from None
        if not isinstance(record, dict):
            raise DataError("not a JSON object")
        missing = [k for k in ("trajectory_id", "task_id", "text", "label", "categories", *FEATURE_KEYS) if k not in record]
        if missing:
            hint = " (export with --features)" if set(missing) & set(FEATURE_KEYS) else ""
            raise DataError(f"the record has no {', '.join(missing)}{hint}")
        return record

    def _add(self, record: dict[str, Any]) -> None:
        data = self.data
        data.records += 1
        verdict = record["label"]
        y = self.target.y(verdict)
        if y is None:
            data.left_out[
                "no gold verdict (unlabelled or tied)" if verdict is None else f"verdict {verdict} (not in the target)"
            ] += 1
            return
        data.verdicts[verdict] += 1
        data.examples.append(example(record, verdict, record["categories"]))
        data.y.append(y)

    def done(self) -> Dataset:
        self.data.data_hash = self.digest.hexdigest()
        return self.data


def from_file(path: Path, target: Target) -> Dataset:
    """The examples of an export file (`reviewer export --features`), read line by line."""
    reader = _Reader(str(path), target)
    try:
        with path.open("rb") as handle:
            reader.feed(handle)
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from None
    return reader.done()


def from_store(store: Store, target: Target) -> Dataset:
    """The store's export (its defaults, with --features), read as it is written, never on disk:
    examples are made chunk by chunk, so the whole text is never held twice."""
    reader = _Reader(str(store.path), target)
    export(store, ExportOptions(features=True), lambda text: reader.feed(text.encode("utf-8").splitlines(keepends=True)))
    return reader.done()
