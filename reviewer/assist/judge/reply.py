"""From a model's answer to checked data: parse, validate, merge the parts of a long transcript, locate quotes.

A reply is usable only if it parses as JSON, matches `schemas/judge_reply.schema.json` and uses
the project's taxonomy codes; anything else gets one re-ask with the reason. Quotes become evidence
spans only where they occur verbatim (or up to whitespace) in the cited step's texts; the rest are
kept as unlocated, so a judge's invented citation never looks like a checked one.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reviewer import schemas
from reviewer.model import EvidenceSpan, Trajectory
from reviewer.spans import source_text
from reviewer.taxonomy import Taxonomy

SCHEMA = "judge_reply.schema"
# Where a quote is looked for within its step, most specific first: a tool step's text is its output.
LOCATE_ORDER: tuple[str, ...] = ("tool_output", "tool_call", "diff", "thinking", "text", "final_answer")
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(.*)\n```\s*$", re.DOTALL)


class InvalidReply(ValueError):
    """Why a reply cannot be used, phrased so the model can fix it."""


def _field_codes(taxonomy: Taxonomy, field: str) -> list[str]:
    return taxonomy.codes(field) if field in taxonomy.fields else []


def parse(content: str | None, taxonomy: Taxonomy) -> dict[str, Any]:
    """The reply as checked data; raises InvalidReply. Code fences around the object are tolerated."""
    if not content or not content.strip():
        raise InvalidReply("the reply was empty")
    text = content.strip()
    fenced = _FENCE.match(text)
    try:
        value = json.loads(fenced.group(1) if fenced else text)
    except ValueError as exc:
        raise InvalidReply(f"the reply is not valid JSON ({exc})") from None
    error = schemas.first_error(SCHEMA, value)
    if error is not None:
        raise InvalidReply(f"the reply does not match the schema: {schemas.describe(error)}")
    _check_codes(value, taxonomy)
    return value


def _check_codes(reply: dict[str, Any], taxonomy: Taxonomy) -> None:
    verdicts = _field_codes(taxonomy, "verdict")
    if reply["verdict"] not in verdicts:
        raise InvalidReply(f"verdict {reply['verdict']!r} is not a verdict code (use one of: {', '.join(verdicts)})")
    for field in ("categories", "markers"):
        known = _field_codes(taxonomy, field)
        unknown = [c for c in reply[field] if c not in known]
        if unknown:
            raise InvalidReply(f"{field} has unknown codes {', '.join(map(repr, unknown))} (known: {', '.join(known) or 'none'})")


def _unique(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def merge(replies: list[dict[str, Any]], taxonomy: Taxonomy) -> dict[str, Any]:
    """One reply for a transcript judged in parts: the most serious verdict, every code and quote,
    the highest intent and confidence."""
    if len(replies) == 1:
        return replies[0]
    intents = [r["intent"] for r in replies if r["intent"] is not None]
    confidences = [r["confidence"] for r in replies if r.get("confidence") is not None]
    merged: dict[str, Any] = {
        "verdict": taxonomy.most_serious(r["verdict"] for r in replies),
        "categories": _unique([c for r in replies for c in r["categories"]]),
        "intent": max(intents) if intents else None,
        "markers": _unique([c for r in replies for c in r["markers"]]),
        "evidence": [e for r in replies for e in r["evidence"]],
        "rationale": "\n".join(f"part {k}/{len(replies)}: {r['rationale']}" for k, r in enumerate(replies, 1)),
    }
    if confidences:
        merged["confidence"] = max(confidences)
    return merged


def _find(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `text`: verbatim, else with any run of whitespace matching any other."""
    start = text.find(quote)
    if start >= 0:
        return start, start + len(quote)
    words = quote.split()
    if not words:
        return None
    match = re.search(r"\s+".join(map(re.escape, words)), text)
    return (match.start(), match.end()) if match else None


def locate(trajectory: Trajectory, step: int, quote: str) -> EvidenceSpan | None:
    """A span for a quote the judge attributed to `step`, or None if that step's texts do not contain it."""
    needle = quote.strip()
    last = trajectory.steps[-1].index if trajectory.steps else None
    for source in LOCATE_ORDER:
        if source == "final_answer" and step != last:
            continue
        text = source_text(trajectory, step, source)
        if not text or not needle:
            continue
        found = _find(text, needle)
        if found is not None:
            start, end = found
            return EvidenceSpan(step, source, start, end, text[start:end])
    return None


def evidence(trajectory: Trajectory, cited: list[dict[str, Any]]) -> tuple[list[EvidenceSpan], list[dict[str, Any]]]:
    """The located spans (each once) and the citations that could not be found, as {step, quote}."""
    spans: list[EvidenceSpan] = []
    unlocated: list[dict[str, Any]] = []
    for item in cited:
        span = locate(trajectory, item["step"], item["quote"])
        if span is None:
            unlocated.append({"step": item["step"], "quote": item["quote"]})
        elif span not in spans:
            spans.append(span)
    return spans, unlocated
