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
from collections.abc import Collection
from pathlib import Path
from typing import Any

import click

from reviewer.cli.options import db_option, db_path
from reviewer.errors import StoreError
from reviewer.model import Label
from reviewer.store import read_taxonomy
from reviewer.taxonomy import Taxonomy, set_field_value

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
        if isinstance(path, Path) and not path.is_file():
            return Taxonomy.default()
        try:
            return read_taxonomy(path)
        except (sqlite3.Error, StoreError):  # not a project (yet): opening it says why, in the command
            return Taxonomy.default()


def apply_fields(label: Label, fields: dict[str, Any]) -> Label:
    """`label` with the given fields set (the others keep their values)."""
    for name, value in fields.items():
        set_field_value(label, name, value)
    return label
