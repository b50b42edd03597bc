"""How a record is written: a JSON line, a chat fine-tuning example, or a flat CSV row."""

from __future__ import annotations

import json
from typing import Any, Protocol

from reviewer.taxonomy import Taxonomy, monitor_brief
from reviewer.textsafe import csv_row

FORMATS: tuple[str, ...] = ("jsonl", "chat", "csv")


def json_line(value: Any) -> str:
    """Compact, raw UTF-8 (agent text is never escaped beyond what JSON needs), keys in record order."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


class Format(Protocol):
    def header(self) -> str: ...

    def line(self, record: dict[str, Any]) -> str | None:
        """The record's text, or None when this format cannot use the record."""
        ...


class Jsonl:
    def header(self) -> str:
        return ""

    def line(self, record: dict[str, Any]) -> str | None:
        return json_line(record)


class Chat:
    """`{"messages": [system, user, assistant]}` for fine-tuning a monitor; records without a gold verdict are skipped."""

    def __init__(self, taxonomy: Taxonomy):
        self.system = monitor_brief(taxonomy)

    def header(self) -> str:
        return ""

    def line(self, record: dict[str, Any]) -> str | None:
        if record["label"] is None:
            return None
        cited = dict.fromkeys((e["step"], e["quote"]) for e in record["evidence"] if e["supports_gold"])
        answer = {
            "verdict": record["label"],
            "categories": record["categories"],
            "markers": record["markers"],
            "intent": record["intent"],
            "evidence": [{"step": step, "quote": quote} for step, quote in cited],
        }
        return json_line({"messages": [
            {"role": "system", "content": self.system},
            {"role": "user", "content": record["text"]},
            {"role": "assistant", "content": json.dumps(answer, ensure_ascii=False)},
        ]})  # fmt: skip


class Csv:
    """One flat row per trajectory: lists joined with `;`, one `soft_label.<code>` column per verdict.

    Text cells are made safe for spreadsheets unless `raw` (see `reviewer.textsafe.csv_row`).
    """

    FIXED = ("trajectory_id", "task_id", "source", "model", "render_version", "label", "tie", "gold_method", "n_reviewers",
             "agreement", "votes", "categories", "markers", "intent", "n_evidence", "split")  # fmt: skip

    def __init__(self, taxonomy: Taxonomy, with_text: bool, raw: bool):
        self.verdicts = taxonomy.codes("verdict")
        self.columns = [*self.FIXED, *(f"soft_label.{c}" for c in self.verdicts), *(["text"] if with_text else [])]
        self.raw = raw

    def header(self) -> str:
        return csv_row(self.columns, raw=self.raw)

    def line(self, record: dict[str, Any]) -> str | None:
        flat = {
            **record,
            "tie": ";".join(record["tie"]),
            "votes": ";".join(f"{who}={verdict}" for who, verdict in record["votes"].items()),
            "categories": ";".join(record["categories"]),
            "markers": ";".join(record["markers"]),
            "n_evidence": len(record["evidence"]),
            **{f"soft_label.{c}": (record["soft_label"] or {}).get(c) for c in self.verdicts},
        }
        return csv_row(["" if flat[c] is None else flat[c] for c in self.columns], raw=self.raw)


def make(name: str, taxonomy: Taxonomy, with_text: bool, csv_raw: bool = False) -> Format:
    if name == "chat":
        return Chat(taxonomy)
    if name == "csv":
        return Csv(taxonomy, with_text, csv_raw)
    return Jsonl()
