"""The agreement report as one self-contained HTML page: inline CSS and SVG, no script, no network.

Every piece of text that came from the store (annotator names, trajectory ids, codes of a project
taxonomy) goes through `text`; the markup around it is built from constants only.
"""

from __future__ import annotations

from html import escape
from typing import Any

from reviewer.textsafe import visible

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.note{color:#666}.undef{color:#a60}
svg text{font:11px system-ui,sans-serif}figure{display:inline-block;margin:0 1.5rem 1rem 0}
"""


def text(value: object) -> str:
    """`value` safe in HTML and honest to the eye: bidi overrides and invisible characters are shown
    as escapes (`\\u202e`), as in the transcript, so a name or id cannot reorder what is around it."""
    return escape(visible(str(value)))


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return text(value)


def _color(value: float, low: float = -1.0, high: float = 1.0) -> str:
    """White → blue over [low, high]; values outside are clamped."""
    t = 0.0 if high == low else max(0.0, min(1.0, (value - low) / (high - low)))
    r, g, b = (int(255 - t * (255 - c)) for c in (33, 102, 172))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(rows: list[str], cols: list[str], values: list[list[float | None]], low: float, high: float, title: str) -> str:
    cell, left, top = 34, 130, 110
    width, height = left + cell * len(cols) + 10, top + cell * len(rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img"><title>{text(title)}</title>']
    for j, name in enumerate(cols):
        x = left + j * cell + cell / 2
        parts.append(f'<text x="{x}" y="{top - 6}" transform="rotate(-50 {x} {top - 6})">{text(name)}</text>')
    for i, name in enumerate(rows):
        y = top + i * cell
        parts.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4}" text-anchor="end">{text(name)}</text>')
        for j, value in enumerate(values[i]):
            x = left + j * cell
            fill = "#eee" if value is None else _color(value, low, high)
            label = "" if value is None else (f"{value:.2f}" if isinstance(value, float) else str(value))
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}"/>')
            parts.append(f'<text x="{x + cell / 2 - 1}" y="{y + cell / 2 + 4}" text-anchor="middle">{text(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def interval_chart(rows: list[tuple[str, float | None, list[float] | None, float | None]]) -> str:
    """Per-tag α as a dot with its 95% CI as a bar, on a fixed −1..1 axis; prevalence beside it."""
    left, width, line = 210, 420, 18
    height = 30 + line * len(rows)

    def x(v: float) -> float:
        return left + (max(-1.0, min(1.0, v)) + 1) / 2 * width

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 120}" height="{height}" role="img">',
             f'<line x1="{x(0)}" y1="10" x2="{x(0)}" y2="{height - 5}" stroke="#bbb"/>']  # fmt: skip
    for label, at in (("−1", -1.0), ("0", 0.0), ("1", 1.0)):
        parts.append(f'<text x="{x(at)}" y="10" text-anchor="middle">{label}</text>')
    for k, (name, value, ci, prev) in enumerate(rows):
        y = 25 + k * line
        parts.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{text(name)}</text>')
        if ci is not None:
            parts.append(
                f'<line x1="{x(ci[0])}" y1="{y}" x2="{x(ci[1])}" y2="{y}" stroke="#2166ac" stroke-width="3" opacity=".4"/>'
            )
        if value is not None:
            parts.append(f'<circle cx="{x(value)}" cy="{y}" r="4" fill="#2166ac"/>')
        else:
            parts.append(f'<text x="{x(0) + 6}" y="{y + 4}" class="undef">undefined</text>')
        parts.append(f'<text x="{left + width + 10}" y="{y + 4}">prev {fmt(prev)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def field_table(fields: dict[str, Any], names: list[str]) -> str:
    head = (
        "field",
        "level",
        "items",
        "raters",
        "prevalence",
        "% agree",
        "Fleiss' κ",
        "Krippendorff's α",
        "α 95% CI",
        "Gwet's AC1",
        "note",
    )
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for name in names:
        f = fields[name]
        ci = f["ci95"].get("krippendorff_alpha") if f.get("ci95") else None
        cells = (name, f["level"], f["n_items"], f["n_raters"], f.get("prevalence"), f["percent_agreement"],
                 f["fleiss_kappa"], f["krippendorff_alpha"], f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else None, f["gwet_ac1"],
                 f["undefined_reason"])  # fmt: skip
        out.append("<tr>" + "".join(f"<td>{fmt(c)}</td>" for c in cells) + "</tr>")
    return "".join(out) + "</table>"


def render(report: dict[str, Any]) -> str:
    fields = report["fields"]
    main = [n for n in fields if "." not in n]
    tags = [n for n in fields if "." in n and (fields[n].get("n_positive") or 0) > 0]
    raters = report["raters"]
    kappa = {(p["a"], p["b"]): p["cohen_kappa"] for p in report["pairwise"] if p["field"] == "verdict"}
    pair_values = [[1.0 if a == b else kappa.get((a, b), kappa.get((b, a))) for b in raters] for a in raters]
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Agreement report</title>",
        f"<style>{CSS}</style></head><body><h1>Agreement report</h1>",
        f"<p>Labels used: <b>{text(report['labels_used'])}</b> — {text(report['labels_used_note'])}. "
        f"{len(raters)} raters, {report['n_trajectories']} trajectories, taxonomy v{report['taxonomy_version']}, "
        f"bootstrap {report['bootstrap']['replicates']} replicates (seed {report['bootstrap']['seed']}).</p>",
        "<p class=note>Weighted coefficients use the taxonomy's full ordered category list. Rare tags make κ and α "
        "unstable: read percent agreement, prevalence and AC1 beside them.</p>",
        "<h2>Per field</h2>",
        field_table(fields, main),
        "<h2>Per tag (present / absent)</h2>",
        field_table(fields, tags) if tags else "<p>No tag was used.</p>",
    ]
    if tags:
        rows = [
            (n, fields[n]["krippendorff_alpha"], fields[n]["ci95"].get("krippendorff_alpha"), fields[n].get("prevalence"))
            for n in tags
        ]
        parts += [
            "<figure>",
            interval_chart(rows),
            "<figcaption>Krippendorff's α per tag with 95% bootstrap CI</figcaption></figure>",
        ]
    parts.append("<h2>Reviewer pairs (Cohen's κ on the verdict)</h2>")
    parts.append(f"<figure>{heatmap(raters, raters, pair_values, -1, 1, 'Cohen kappa per pair')}</figure>")
    parts.append("<h2>Verdict confusion per pair</h2>")
    for c in report["confusion"]:
        flat = max((v for row in c["matrix"] for v in row), default=0) or 1
        parts.append(
            f"<figure>{heatmap(c['categories'], c['categories'], c['matrix'], 0, flat, 'confusion')}"
            f"<figcaption>rows {text(c['a'])}, columns {text(c['b'])}</figcaption></figure>"
        )
    bvf = report["blind_vs_final"]
    parts.append("<h2>Blind first pass against final</h2><table><tr><th>labels</th><th>% agree</th><th>α</th><th>AC1</th></tr>")
    for key in ("first", "final"):
        f = bvf[key]
        parts.append(
            f"<tr><td>{key}</td><td>{fmt(f['percent_agreement'])}</td><td>{fmt(f['krippendorff_alpha'])}</td><td>{fmt(f['gwet_ac1'])}</td></tr>"
        )
    parts.append(
        f"</table><p>{bvf['moved']['n_changed_verdict']} of {bvf['moved']['n_final_labels']} final labels changed "
        "the reviewer's own blind verdict.</p>"
    )
    if report["model_agreement"]:
        parts.append(
            "<h2>Agreement with model suggestions</h2>"
            "<table><tr><th>reviewer</th><th>model</th><th>blind</th><th>after reveal</th></tr>"
        )
        for r in report["model_agreement"]:
            parts.append(
                f"<tr><td>{text(r['reviewer'])}</td><td>{text(r['model'])}</td>"
                f"<td>{fmt(r['blind']['agreement'])} (n={r['blind']['n']})</td><td>"
                f"{fmt(r['after_reveal']['agreement'])} (n={r['after_reveal']['n']})</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Most disputed trajectories</h2><table><tr><th>trajectory</th><th>labels</th></tr>")
    for d in report["disputed"][:50]:
        summary = "; ".join(f"{lb['annotator']}: {lb['verdict']} (intent {lb['intent']})" for lb in d["labels"])
        parts.append(f"<tr><td>{text(d['trajectory_id'])}</td><td style='text-align:left'>{text(summary)}</td></tr>")
    parts.append("</table></body></html>\n")
    return "".join(parts)
