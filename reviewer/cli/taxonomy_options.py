"""Options generated from the project's taxonomy: one per field, for `label` and `adjudicate`.

Every field of the taxonomy the command's project uses gets an option (`verdict` → `--verdict`,
`context.ground_truth` → `--context-ground-truth`), so scripts can set every field, a project
taxonomy's own included. The options depend on the project, so the command reads the project's
taxonomy before it parses its arguments: `--db` is looked for first (the command's own, then the
global one, then the environment, as always), and the taxonomy is read through a read-only
connection. Without a readable project the default taxonomy's options are offered; the command then
fails on the missing project as any other does.

Values are checked by the store against the taxonomy, not by click: an unknown code is the store's
one-line refusal naming the field (exit 1), like a refusal by the app.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import click

from reviewer.cli.options import db_option, db_path
from reviewer.errors import OptionError, UnknownTrajectory
from reviewer.model import EvidenceSpan, Label
from reviewer.spans import span_at
from reviewer.store import Store, read_taxonomy
from reviewer.taxonomy import Taxonomy, set_field_value

F = TypeVar("F", bound=Callable[..., Any])
SPAN_SYNTAX = "STEP:SOURCE:START:END[:ROLE[:CODE,...]]"

EARLIER_SPELLINGS = {"categories": "--category", "markers": "--marker"}
"""Options documented before they were generated, one code per use: kept, and shown first."""

FIELD_OPTIONS = "reviewer.field_options"
"""Key in the click context's meta: the options made for this run's taxonomy."""


class FieldOption(click.Option):
    """The option of one taxonomy field; `field` is the field's name in the taxonomy."""

    def __init__(self, spec: dict[str, Any], *, required: bool):
        self.field: str = spec["name"]
        flag = "--" + self.field.replace(".", "-").replace("_", "-")
        decls = [*([EARLIER_SPELLINGS[self.field]] if self.field in EARLIER_SPELLINGS else []), flag]
        kind = spec["kind"]
        codes = [o["code"] for o in spec.get("options", ())]
        about = {
            "single": f"One of: {', '.join(codes)}.",
            "multi": f"Repeat for several; any of: {', '.join(codes)}.",
            "scale": f"{spec.get('min')} to {spec.get('max')}.",
            "text": "Free text.",
        }[kind]
        super().__init__(
            [*decls, "field_" + self.field.replace(".", "_")],
            type=int if kind == "scale" else str,
            metavar={"single": "CODE", "multi": "CODE", "scale": "N", "text": "TEXT"}[kind],
            multiple=kind == "multi",
            required=required,
            help=f"{spec['label']}. {about}",
        )


class TaxonomyCommand(click.Command):
    """A command with one `FieldOption` per field of its project's taxonomy. The callback receives
    the fields given as `fields` (taxonomy field name to value), never the others."""

    def __init__(self, *args: Any, required_fields: Collection[str] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.required_fields = frozenset(required_fields)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        taxonomy = self._taxonomy(ctx, args)
        ctx.meta[FIELD_OPTIONS] = [
            FieldOption(spec, required=spec["name"] in self.required_fields) for spec in taxonomy.fields.values()
        ]
        return super().parse_args(ctx, args)

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        """The command's own options, the taxonomy's, then --help (the default taxonomy's outside a run)."""
        fields = ctx.meta.get(FIELD_OPTIONS) or [FieldOption(spec, required=False) for spec in Taxonomy.default().fields.values()]
        params = super().get_params(ctx)
        return [*self.params, *fields, *params[len(self.params) :]]

    def invoke(self, ctx: click.Context) -> Any:
        fields = {p.field: ctx.params.pop(p.name) for p in self.get_params(ctx) if isinstance(p, FieldOption) and p.name}
        ctx.params["fields"] = {
            name: list(value) if isinstance(value, tuple) else value for name, value in fields.items() if value not in (None, ())
        }
        return super().invoke(ctx)

    def _taxonomy(self, ctx: click.Context, args: list[str]) -> Taxonomy:
        """The taxonomy of the project the arguments name, read before they are parsed."""
        probe = db_option(click.Command(self.name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True}))
        with probe.make_context(self.name, list(args), parent=ctx.parent, resilient_parsing=True) as seen:
            path = db_path(ctx, seen.params.get("db"))
        if not path.is_file():
            return Taxonomy.default()
        try:
            return read_taxonomy(path)
        except sqlite3.Error:  # not a project (yet): opening it says why, in the command
            return Taxonomy.default()


def evidence_option(func: F) -> F:
    """`--evidence SPEC`, repeatable: a span by offsets, its quote taken from the canonical text (`reviewer.spans`)."""
    return click.option(
        "--evidence", "evidence", multiple=True, metavar=SPAN_SYNTAX,
        help="Add an evidence span: code-point offsets START..END into the SOURCE text of step STEP as reviewer.spans"
        " renders it (text, thinking, tool_call, tool_output, diff, final_answer), with a role and comma-separated"
        " codes; the quote is taken from the text. Repeat for several.",
    )(func)  # fmt: skip


def clear_option(func: F) -> F:
    return click.option(
        "--clear", "clear", multiple=True, metavar="FIELD",
        help="Empty a field (its taxonomy name, e.g. categories or context.ground_truth; `evidence` for every span)"
        " before the options given are set. Repeat for several.",
    )(func)  # fmt: skip


def evidence_spans(store: Store, trajectory_id: str, specs: Collection[str]) -> list[EvidenceSpan]:
    """The spans `--evidence` names, each checked against the trajectory's text (one line per refusal)."""
    if not specs:
        return []
    trajectory = store.trajectories.get(trajectory_id)
    if trajectory is None:
        raise UnknownTrajectory(trajectory_id)
    spans = []
    for spec in specs:
        parts = spec.split(":")
        if not 4 <= len(parts) <= 6:
            raise OptionError(f"--evidence {spec!r}: expected {SPAN_SYNTAX}")
        step, source, start, end, role, codes = [*parts, "", ""][:6]
        if not all(n.isdigit() for n in (step, start, end)):
            raise OptionError(f"--evidence {spec!r}: STEP, START and END are whole numbers")
        if source not in store.taxonomy.evidence_sources:
            raise OptionError(
                f"--evidence {spec!r}: unknown source {source!r} (known: {', '.join(store.taxonomy.evidence_sources)})"
            )
        spans.append(
            span_at(trajectory, int(step), source, int(start), int(end), role or None, [c for c in codes.split(",") if c])
        )
    return spans


def apply_fields(
    label: Label, fields: dict[str, Any], *, taxonomy: Taxonomy | None = None, clear: Collection[str] = (),
    spans: Collection[EvidenceSpan] = (),
) -> Label:  # fmt: skip
    """`label` with the fields in `clear` emptied, then the given fields set and the spans added (once
    each); the others keep their values."""
    for name in clear:
        if name == "evidence":
            label.evidence = []
        elif taxonomy is None or name not in taxonomy.fields:
            known = ", ".join([*(taxonomy.fields if taxonomy else ()), "evidence"])
            raise OptionError(f"--clear {name!r}: no such field (known: {known})")
        else:
            set_field_value(label, name, taxonomy.empty(name))
    for name, value in fields.items():
        set_field_value(label, name, value)
    label.evidence += [span for span in spans if span not in label.evidence]
    return label
