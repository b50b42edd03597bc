"""The model card as one self-contained HTML page: inline CSS and SVG, no script, no network.

Built like the agreement report (`reviewer.agreement.html`, whose escaping and style it uses):
every piece of text that came from the data (feature names are n-grams of agent text, category
codes, verdicts) goes through `text`; the markup around it is built from constants and numbers.
"""

from __future__ import annotations

from typing import Any

from reviewer.agreement.html import CSS, fmt, text

COLOURS = ("#2166ac", "#b2182b", "#1b7837")
FIGURES = (("auroc", "AUROC"), ("average_precision", "average precision"), ("f1", "F1"), ("precision", "precision"),
           ("recall", "recall"), ("brier", "Brier score"))  # fmt: skip


def line_chart(
    series: list[tuple[str, list[tuple[float, float]]]], x_label: str, y_label: str, x_max: float, *, diagonal: bool = False
) -> str:
    """Points joined by lines on 0..x_max × 0..1, with a legend; `diagonal` draws y = x (perfect calibration)."""
    left, top, width, height = 50, 15, 420, 240
    x_max = x_max or 1.0

    def x(v: float) -> float:
        return left + v / x_max * width

    def y(v: float) -> float:
        return top + (1 - v) * height

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 170}" height="{top + height + 45}" role="img">',
             f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#bbb"/>']  # fmt: skip
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4}" text-anchor="end">{tick:g}</text>')
        parts.append(f'<text x="{x(tick * x_max)}" y="{top + height + 15}" text-anchor="middle">{tick * x_max:.3g}</text>')
    parts.append(f'<text x="{left + width / 2}" y="{top + height + 35}" text-anchor="middle">{text(x_label)}</text>')
    parts.append(
        f'<text x="12" y="{top + height / 2}" transform="rotate(-90 12 {top + height / 2})" '
        f'text-anchor="middle">{text(y_label)}</text>'
    )
    if diagonal:
        parts.append(f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(x_max)}" y2="{y(1)}" stroke="#bbb" stroke-dasharray="4 3"/>')
    for k, (name, points) in enumerate(series):
        colour = COLOURS[k % len(COLOURS)]
        if len(points) > 1:
            path = " ".join(f"{x(px):.1f},{y(py):.1f}" for px, py in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x(px):.1f}" cy="{y(py):.1f}" r="3.5" fill="{colour}"/>' for px, py in points]
        parts.append(f'<text x="{left + width + 12}" y="{top + 14 + 18 * k}" fill="{colour}">{text(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _metrics_table(m: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{label}</td><td>{fmt(m[key])}</td></tr>" for key, label in FIGURES)
    note = f"<p class=undef>Undefined: {text(m['undefined_reason'])}</p>" if m["undefined_reason"] else ""
    return f"<table><tr><th>figure</th><th>value</th></tr>{rows}</table>{note}"


def _categories(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No gold label names a category.</p>"
    head = "".join(
        f"<th>{h}</th>"
        for h in ("category", "own model", "positives", "negatives", "AUROC", "average precision", "F1", "Brier", "note")
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{fmt(c)}</td>" for c in (r["code"], "yes" if r["trained"] else "no", r["positives"],
                                                         r["negatives"], r["auroc"], r["average_precision"], r["f1"],
                                                         r["brier"], r["undefined_reason"])) + "</tr>"
        for r in rows
    )  # fmt: skip
    return f"<table><tr>{head}</tr>{body}</table>"


def _features(top: dict[str, list[dict[str, Any]]]) -> str:
    out = []
    for side, title in (("towards_positive", "towards a cheat"), ("towards_negative", "away from a cheat")):
        rows = "".join(
            f"<tr><td style='text-align:left'>{text(f['feature'])}</td><td>{fmt(f['weight'])}</td></tr>" for f in top[side]
        )
        out.append(f"<figure><table><tr><th>feature ({title})</th><th>weight</th></tr>{rows}</table></figure>")
    return "".join(out)


def render(card: dict[str, Any]) -> str:
    m = card["metrics"]
    target = card["target"]
    counts = card["label_counts"]
    curve = [r for r in card["learning_curve"] if r["n_labels"]]
    x_max = max((r["n_labels"] for r in curve), default=1)
    learning = [
        (name, [(r["n_labels"], r[key]) for r in curve if r[key] is not None])
        for key, name in (("auroc", "AUROC"), ("average_precision", "average precision"))
    ]
    reliability = [("observed rate", [(b["mean_probability"], b["observed"]) for b in card["reliability"]])]
    left_out = "; ".join(f"{text(why)}: {n}" for why, n in card["left_out"].items()) or "none"
    versions = ", ".join(f"{text(k)} {text(v)}" for k, v in card["versions"].items())
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Classifier report</title>",
        f"<style>{CSS}</style></head><body><h1>Classifier report</h1>",
        f"<p>Model <b>classifier:{text(card['model_hash'])}</b> ({text(card['model_kind'])},"
        f" class weights {text(card['class_weight'] or 'none')}, threshold {fmt(card['threshold'])}, seed {card['seed']})."
        f" Trained on {card['n_labels']} labels from {card['n_tasks']} tasks:"
        f" {counts['positive']} positive ({text(', '.join(target['positive']))}),"
        f" {counts['negative']} negative ({text(', '.join(target['negative']))});"
        f" left out: {left_out}.</p>",
        f"<p class=note>Data {text(card['data']['hash'][:16])}… ({card['data']['records']} export records, gold "
        f"{text(card['data']['gold'])}). {versions}.</p>",
        f"<h2>Cross-validation ({card['evaluation']['folds']} folds grouped by task)</h2>",
        "<p class=note>Out-of-fold probabilities pooled over the folds: no task was ever in a fold's training and "
        "test data at once.</p>",
        _metrics_table(m),
        "<h2>Reliability</h2>",
        f"<figure>{line_chart(reliability, 'mean predicted probability', 'observed rate of positives', 1.0, diagonal=True)}"
        "<figcaption>Per probability bin; on the dashed line the probabilities mean what they say.</figcaption></figure>",
        "<h2>Learning curve</h2>",
        f"<figure>{line_chart(learning, 'labels in each training fold', 'score', x_max)}"
        "<figcaption>The same cross-validation with a share of each training fold's tasks: still rising means more "
        "labels help.</figcaption></figure>",
        "<h2>Per category (one against the rest)</h2>",
        _categories(card["per_category"]),
        "<h2>Features that weigh most</h2>",
        _features(card["features"]["top"]),
        "</body></html>\n",
    ]
    return "".join(parts)
