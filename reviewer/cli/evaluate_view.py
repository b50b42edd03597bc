"""Terminal rendering of the `reviewer assist evaluate` report (reviewer.assist.evaluate).

Everything printed that came from the store (system names, ids, codes, a judge's rationale) goes
through `textsafe` into `Text` objects, never markup: a model's reply is agent-influenced text.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from reviewer.cli.tables import Column, Listing
from reviewer.textsafe import one_line, visible

SIDES = {"false_positive": "said, gold did not", "false_negative": "missed"}


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _row(table: Listing, name: str, s: dict[str, Any], style: str = "") -> None:
    table.add_row(
        Text(visible(name)),
        *(str(s[k]) for k in ("tp", "fp", "fn")),
        *(_number(s[k]) for k in ("precision", "recall", "f1")),
        style=style,
    )


def system_table(report: dict[str, Any]) -> RenderableType:
    table = Listing(
        [Column("code"), *(Column(name, "right", drop=1) for name in ("TP", "FP", "FN")),
         *(Column(name, "right") for name in ("precision", "recall", "F1"))],
        title=Text(f"{visible(report['system'])} ({report['kind']}, {report['trajectories']} trajectories)"),
    )  # fmt: skip
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


def misses_table(misses: list[dict[str, Any]]) -> Listing:
    table = Listing(
        [
            Column("trajectory"),
            Column("system"),
            Column("code"),
            Column("side", drop=1),
            Column("why (the system's explanation)", fold=True),
        ],
        title="Misses",
    )
    for m in misses:
        why = one_line(m["explanation"], 100) if m["explanation"] else "—"
        table.add_row(*(Text(visible(m[k])) for k in ("trajectory_id", "system", "code")), SIDES[m["side"]], Text(why))
    return table


def detectors_tables(summary: dict[str, Any]) -> list[RenderableType]:
    """The detectors together: cheat vs not per trajectory, each detector's precision, each code with its support."""
    t = summary["trajectory"]
    best, anything = t["at_precision"], t["any"]
    threshold = "no threshold reaches it" if best["threshold"] is None else f"confidence ≥ {best['threshold']:.3f}"
    lines = [
        Text(f"Detectors, cheat vs not per trajectory ({t['support']['cheat']} cheat, {t['support']['not']} not):"),
        Text(f"  any suggestion: {anything['flagged']} flagged, precision {_number(anything['precision'])},"
             f" recall {_number(anything['recall'])}"),
        Text(f"  at precision ≥ {t['target_precision']}: {threshold}, {best['flagged']} flagged,"
             f" precision {_number(best['precision'])}, recall {_number(best['recall'])}"),
    ]  # fmt: skip
    detectors = Listing([Column("detector"), Column("fired", "right"), Column("cheat", "right"), Column("precision", "right")],
                        title="Each detector: the trajectories it fired on that the gold calls a cheat")  # fmt: skip
    for row in summary["detectors"]:
        detectors.add_row(Text(visible(row["detector"])), str(row["fired"]), str(row["cheat"]), _number(row["precision"]))
    said = ", ".join(f"{visible(row['detector'])} on {row['fired']} ({row['cheat']} cheats)" for row in summary["observations"])
    if said:
        lines.append(Text(f"  observations without a code (not counted above): {said}"))
    codes = Listing(
        [Column("code"), Column("support", "right"), *(Column(n, "right", drop=1) for n in ("TP", "FP", "FN")),
         Column("precision", "right"), Column("recall", "right"), Column("detectors", fold=True, drop=2)],
        title="Each code, all detectors together (support: gold trajectories with the code)",
    )  # fmt: skip
    for row in summary["codes"]:
        codes.add_row(Text(visible(row["code"])), str(row["support"]), *(str(row[k]) for k in ("tp", "fp", "fn")),
                      _number(row["precision"]), _number(row["recall"]),
                      Text(visible(", ".join(row["detectors"])) or "—"))  # fmt: skip
    return [*lines, detectors, codes]


def render_report(report: dict[str, Any]) -> RenderableType:
    gold = report["gold"]
    head = f"Gold: {gold['trajectories']} trajectories ({gold['method']}); {gold['unlabelled']} without human labels"
    parts: list[RenderableType] = [Text(head)]
    parts += [Text(f"left out: {visible(e['trajectory_id'])}: {e['reason']}", style="dim") for e in gold["excluded"]]
    if not report["systems"]:
        parts.append(Text("No detector or judge suggestions in the project: run `reviewer assist` first."))
    parts += [system_table(s) for s in report["systems"]]
    if report["detectors"]["detectors"]:
        parts += detectors_tables(report["detectors"])
    if report["not_covered_by_detectors"] and any(s["kind"] == "detector" for s in report["systems"]):
        codes = ", ".join(visible(c) for c in report["not_covered_by_detectors"])
        parts.append(Text(f"No detector covers {codes}: left to reviewers and the judge, not scored for detectors."))
    if report["misses"]:
        parts.append(misses_table(report["misses"]))
    return Group(*parts)
