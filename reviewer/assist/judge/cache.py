"""Judge replies cached in the project file, so a re-run of the same judge on the same data costs nothing.

The key hashes the prompt version, the model, the trajectory's content hash, the view and the exact
messages sent (which carry the taxonomy, the rendering budget and the detector-flagged steps), so any
change that could change the answer misses the cache. Only validated replies are cached: failures
are tried again next time. The table is created on first use: projects that never run a judge never
get it. The API key is never part of a key or a row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from reviewer.store.connection import Db
from reviewer.store.trajectories import now_iso
from reviewer.store.transactions import writing

_CREATE = """create table if not exists judge_cache (
    key text primary key,
    prompt_version text not null,
    model text not null,
    trajectory_hash text not null,
    view text not null,
    reply text not null,
    prompt_tokens integer not null,
    completion_tokens integer not null,
    latency_ms double precision not null,
    parts integer not null,
    created_at text not null
)"""


@dataclass(frozen=True, slots=True)
class Entry:
    reply: dict[str, Any]
    prompt_tokens: int
    completion_tokens: int
    latency_ms: float
    parts: int


def cache_key(prompt_version: str, model: str, trajectory_hash: str, view: str, messages: list[list[dict[str, str]]]) -> str:
    canonical = json.dumps([prompt_version, model, trajectory_hash, view, messages], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class JudgeCache:
    def __init__(self, db: Db):
        self.db = db
        with writing(db):
            db.execute(_CREATE)

    def get(self, key: str) -> Entry | None:
        row = self.db.execute(
            "select reply, prompt_tokens, completion_tokens, latency_ms, parts from judge_cache where key = ?", [key]
        ).fetchone()
        return Entry(json.loads(row[0]), *row[1:]) if row else None

    def put(self, key: str, *, prompt_version: str, model: str, trajectory_hash: str, view: str, entry: Entry) -> None:
        with writing(self.db):
            self.db.execute(
                "insert into judge_cache(key, prompt_version, model, trajectory_hash, view, reply, prompt_tokens,"
                " completion_tokens, latency_ms, parts, created_at) values (?,?,?,?,?,?,?,?,?,?,?) on conflict(key) do update"
                " set prompt_version = excluded.prompt_version, model = excluded.model,"
                " trajectory_hash = excluded.trajectory_hash,"
                " view = excluded.view, reply = excluded.reply, prompt_tokens = excluded.prompt_tokens,"
                " completion_tokens = excluded.completion_tokens, latency_ms = excluded.latency_ms, parts = excluded.parts,"
                " created_at = excluded.created_at",
                [
                    key, prompt_version, model, trajectory_hash, view, json.dumps(entry.reply, ensure_ascii=False),
                    entry.prompt_tokens, entry.completion_tokens, entry.latency_ms, entry.parts, now_iso(),
                ],
            )  # fmt: skip
