"""Terminal rendering of the agreement report dict (reviewer.agreement.report): `tables.Listing`s,
readable at any width; numbers rounded for people (`--json` keeps them whole)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from reviewer.cli.tables import Column, Listing
from reviewer.textsafe import one_line


def num(value: Any) -> str:
    return "—" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def field_table(title: str, fields: dict[str, Any], names: list[str]) -> Listing:
    table = Listing(
        [Column("field"), Column("level", drop=5), Column("items", "right", drop=4), Column("raters", "right", drop=4),
         Column("prev.", "right", drop=1), Column("% agree", "right"), Column("Fleiss' κ", "right", drop=2),
         Column("Kripp. α", "right"), Column("α 95% CI", "right", drop=3), Column("AC1", "right"),
         Column("undefined because", fold=True)],
        title=title,
    )  # fmt: skip
    for name in names:
        f = fields[name]
        ci = (f.get("ci95") or {}).get("krippendorff_alpha")
        table.add_row(
            name, f["level"], str(f["n_items"]), str(f["n_raters"]), num(f.get("prevalence")), num(f["percent_agreement"]),
            num(f["fleiss_kappa"]), num(f["krippendorff_alpha"]), f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else "—",
            num(f["gwet_ac1"]), Text(f["undefined_reason"] or "", style="yellow"),
        )  # fmt: skip
    return table


def pair_table(report: dict[str, Any]) -> Listing:
    raters = report["raters"]
    kappa = {(p["a"], p["b"]): p["cohen_kappa"] for p in report["pairwise"] if p["field"] == "verdict"}
    table = Listing(
        [Column(""), *(Column(Text(one_line(r, 20)), "right") for r in raters)],
        title="Cohen's κ on the verdict, per reviewer pair",
    )
    for a in raters:
        cells = ["1" if a == b else num(kappa.get((a, b), kappa.get((b, a)))) for b in raters]
        table.add_row(Text(one_line(a, 20)), *cells)
    return table


def confusion_tables(report: dict[str, Any]) -> list[Listing]:
    tables = []
    for c in report["confusion"]:
        title = Text(f"verdict: {one_line(c['a'], 20)} (rows) × {one_line(c['b'], 20)} (columns)")
        table = Listing([Column(""), *(Column(name, "right") for name in c["categories"])], title=title)
        for name, row in zip(c["categories"], c["matrix"], strict=True):
            table.add_row(name, *(str(v) if v else "·" for v in row))
        tables.append(table)
    return tables


def disputed_table(report: dict[str, Any], limit: int = 15) -> Listing:
    table = Listing(
        [Column("trajectory"), Column("labels", fold=True)],
        title=f"Most disputed trajectories ({len(report['disputed'])} in all)",
    )
    for d in report["disputed"][:limit]:
        summary = "; ".join(f"{lb['annotator']}: {lb['verdict']} (intent {num(lb['intent'])})" for lb in d["labels"])
        table.add_row(Text(one_line(d["trajectory_id"], 60)), Text(one_line(summary, 300)))
    return table


def blind_final_table(report: dict[str, Any]) -> Listing:
    bvf = report["blind_vs_final"]
    moved = bvf["moved"]
    table = Listing(
        [Column("labels", "right"), Column("% agree", "right"), Column("Kripp. α", "right"), Column("AC1", "right")],
        title="Verdict agreement: blind first pass against final",
        caption=(
            f"{moved['n_changed_verdict']} of {moved['n_final_labels']} final labels changed the reviewer's own blind verdict"
        ),
    )
    for key in ("first", "final"):
        f = bvf[key]
        table.add_row(key, num(f["percent_agreement"]), num(f["krippendorff_alpha"]), num(f["gwet_ac1"]))
    return table


def model_table(report: dict[str, Any]) -> Listing:
    table = Listing(
        [Column("reviewer"), Column("model"), Column("blind"), Column("after reveal")],
        title="Verdict agreement with model labels: blind against after the suggestions were revealed",
    )
    for r in report["model_agreement"]:
        table.add_row(
            Text(one_line(r["reviewer"], 30)), Text(one_line(r["model"], 30)),
            f"{num(r['blind']['agreement'])} (n={r['blind']['n']})",
            f"{num(r['after_reveal']['agreement'])} (n={r['after_reveal']['n']})",
        )  # fmt: skip
    return table


def render(report: dict[str, Any]) -> RenderableType:
    fields = report["fields"]
    main = [n for n in fields if "." not in n]
    used = [n for n in fields if "." in n and (fields[n].get("n_positive") or 0) > 0]
    unused = sum(1 for n in fields if "." in n) - len(used)
    parts: list[RenderableType] = [
        Text(f"labels used: {report['labels_used']} — {report['labels_used_note']}", style="bold"),
        Text(
            f"{len(report['raters'])} raters, {report['n_trajectories']} trajectories; weighted and ordinal coefficients use "
            "the taxonomy's full ordered category list; rare tags: read % agree, prevalence and AC1 beside κ/α."
        ),  # fmt: skip
        field_table("Per field", fields, main),
        field_table(f"Per tag, present/absent ({unused} tags never used are left out)", fields, used),
        pair_table(report),
        *confusion_tables(report),
        blind_final_table(report),
        disputed_table(report),
    ]
    if report["model_agreement"]:
        parts.append(model_table(report))
    return Group(*parts)
