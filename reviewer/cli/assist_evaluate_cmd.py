"""`reviewer assist evaluate`: precision, recall and F1 of each detector and judge view against the gold labels.

Everything printed that came from the store (system names, ids, codes, a judge's rationale) goes
through `textsafe` into `Text` objects, never markup: a model's reply is agent-influenced text.

Defined apart from `reviewer.cli` and registered there, so this module must not import from it at
import time (the package imports this module while it is still being built): the helpers it shares
are looked up when the command runs.
"""

from __future__ import annotations

from typing import Any

import click
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from reviewer.assist.evaluate import evaluate
from reviewer.store import DB_ENV, DEFAULT_DB
from reviewer.textsafe import one_line, visible

SIDES = {"false_positive": "said, gold did not", "false_negative": "missed"}


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _row(table: Table, name: str, s: dict[str, Any], style: str = "") -> None:
    table.add_row(Text(visible(name), style=style), *(str(s[k]) for k in ("tp", "fp", "fn")),
                  *(_number(s[k]) for k in ("precision", "recall", "f1")), style=style)  # fmt: skip


def system_table(report: dict[str, Any]) -> RenderableType:
    table = Table(title=Text(f"{visible(report['system'])} ({report['kind']}, {report['trajectories']} trajectories)"), title_justify="left")
    for column in ("code", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "code" else "right")
    for row in report["codes"]:
        _row(table, row["code"], row)
    _row(table, "all codes (micro)", report["micro"], "bold")
    if report["kind"] == "detector":
        return table
    _row(table, "cheat verdict", report["cheat"], "bold")
    auc = report["auroc"]
    note = (
        f"AUROC of confidence against gold cheat: {auc['value']:.3f} ({auc['positives']} cheat, {auc['negatives']} not)"
        if auc["value"] is not None
        else f"AUROC: {auc['reason']}"
    )
    return Group(table, Text(note))


def misses_table(misses: list[dict[str, Any]]) -> Table:
    table = Table(title="Misses", title_justify="left")
    for column in ("trajectory", "system", "code", "side", "why (the system's explanation)"):
        table.add_column(column)
    for m in misses:
        why = one_line(m["explanation"], 100) if m["explanation"] else "—"
        table.add_row(*(Text(visible(m[k])) for k in ("trajectory_id", "system", "code")), SIDES[m["side"]], Text(why))
    return table


def render_report(report: dict[str, Any]) -> RenderableType:
    gold = report["gold"]
    head = f"Gold: {gold['trajectories']} trajectories ({gold['method']}); {gold['unlabelled']} without human labels"
    parts: list[RenderableType] = [Text(head)]
    parts += [Text(f"left out: {visible(e['trajectory_id'])}: {e['reason']}", style="dim") for e in gold["excluded"]]
    if not report["systems"]:
        parts.append(Text("No detector or judge suggestions in the project: run `reviewer assist` first."))
    parts += [system_table(s) for s in report["systems"]]
    if report["misses"]:
        parts.append(misses_table(report["misses"]))
    return Group(*parts)


@click.command("evaluate")
@click.option("--db", "db", type=click.Path(dir_okay=False), help=f"Project file (default {DEFAULT_DB}, env {DB_ENV}; this option beats both).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable report on stdout.")
@click.pass_context
def evaluate_command(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """Score each detector and judge view against the human gold labels: P/R/F1 per code, AUROC, misses."""
    from reviewer.cli import echo_json, open_store, out

    store = open_store(ctx, db)
    report = evaluate(store)
    if as_json:
        echo_json(report)
    else:
        out().print(render_report(report))
