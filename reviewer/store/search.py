"""Full-text search over steps (text, thinking, tool calls): one behaviour, one index per backend.

Both backends find the same steps for the same query: a word is a run of letters and digits
(`WORDS`, as SQLite's unicode61 tokenizer reads it), compared without case and diacritics, and a
query matches a step holding all its words, anywhere in the three fields. So "exit" finds
`sys.exit(0)` and "conftest" finds `conftest.py` on both (PostgreSQL's own parser would keep
`sys.exit` and `conftest.py` as single tokens, so it is not used: the words are cut here, in
Python, and stored as a `tsvector` of lexemes).

- SQLite: an FTS5 table (`steps_fts`, detail=none), filled in one statement per import batch up to
  a watermark (`meta.fts_indexed_rowid`); snippets from FTS5's `snippet()`.
- PostgreSQL: a `words tsvector` column of `steps` with a GIN index, filled for the rows where it
  is NULL; snippets cut here (`snippet`). A step's lexemes are kept within the server's 1 MB
  `tsvector` limit (`MAX_LEXEME_BYTES`): a step with more distinct words than that (never seen in
  real runs) is searchable by its first ones only.
Either index catches up lazily (`index_pending`): at the end of an import, and before a search.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.store.connection import Db

# The reserved control characters around hits in a snippet: never in JSON-parsed text that reaches
# the terminal unescaped, and stripped by the caller.
HIT_START, HIT_END = "\x02", "\x03"
WORDS = re.compile(r"[^\W_]+")
SNIPPET_WORDS = 16
MAX_LEXEME_BYTES = 900_000  # under PostgreSQL's 1,048,575-byte tsvector (lexemes plus 4-6 bytes each)
MAX_WORD_BYTES = 2046  # PostgreSQL's longest lexeme


@dataclass(frozen=True, slots=True)
class SearchHit:
    trajectory_id: str
    step: int
    role: str
    snippet: str


def fts_query(text: str) -> str | None:
    """An FTS5 query for the words of `text` (all of them), or None without any.

    Words as the unicode61 tokenizer sees them, each quoted: the user's text is never FTS syntax,
    and no term is a phrase (the index keeps no positions).
    """
    terms = WORDS.findall(text)
    return " ".join(f'"{t}"' for t in terms) if terms else None


def fold(word: str) -> str:
    """A word as both indexes compare it: lower case, diacritics removed (unicode61's defaults)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or word.lower()


def lexemes(*fields: str | None) -> list[str]:
    """The distinct folded words of a step's fields, in order of first appearance, within the limits."""
    seen: dict[str, None] = {}
    size = 0
    for field in fields:
        for word in WORDS.findall(field or ""):
            folded = fold(word)
            if folded in seen:
                continue
            cost = len(folded.encode("utf-8", "surrogatepass")) + 6
            if cost - 6 > MAX_WORD_BYTES:
                continue
            if size + cost > MAX_LEXEME_BYTES:
                return list(seen)
            seen[folded] = None
            size += cost
    return list(seen)


def tsquery(text: str) -> str | None:
    """A PostgreSQL tsquery literal requiring every word of `text` (folded words hold only letters
    and digits, so quoting them is enough); None without any."""
    terms = [fold(t) for t in WORDS.findall(text)]
    return " & ".join(f"'{t}'" for t in terms) if terms else None


def snippet(fields: Sequence[str | None], text: str, width: int = SNIPPET_WORDS) -> str:
    """About `width` words of the first field holding a word of the query, around the first hit,
    hits between HIT_START and HIT_END (what FTS5's `snippet()` gives on SQLite)."""
    wanted = {fold(t) for t in WORDS.findall(text)}
    for field in fields:
        words = list(WORDS.finditer(field or ""))
        hits = [i for i, m in enumerate(words) if fold(m.group()) in wanted]
        if not hits or field is None:
            continue
        first = max(0, min(hits[0] - width // 4, len(words) - width))
        shown = words[first : first + width]
        start, end = shown[0].start(), shown[-1].end()
        out = ["…" if start > 0 else ""]
        pos = start
        for i, m in enumerate(shown, first):
            out.append(field[pos : m.start()])
            out.append(f"{HIT_START}{m.group()}{HIT_END}" if i in hits else m.group())
            pos = m.end()
        out.append("…" if end < len(field) else "")
        return "".join(out)
    return ""


class Fts5Index:
    """SQLite: FTS5 over `steps`, indexed in bulk up to a watermark (see the module's docstring)."""

    PARTS = True  # a part of what is pending can be indexed (`at_least`): an import does it while it waits

    def __init__(self, db: Db):
        self.db = db

    def index_pending(self, at_least: int = 1) -> int:
        """Add steps stored since the last call to the full-text index, in one statement, when there are
        at least `at_least` of them (by rowid); returns rows added.

        A crash between an import and its indexing only delays the index: the watermark catches up here.
        Nothing pending costs no write lock, so searches do not queue behind imports for nothing;
        what is pending is read again under the lock, where nobody can index it meanwhile.
        """
        done, top = self._unindexed()
        if top - done < at_least or top <= done:
            return 0
        with self.db.writing():
            done, top = self._unindexed()
            if top <= done:
                return 0
            self.db.execute(
                "insert into steps_fts(rowid, text, thinking, tool_calls)"
                " select rowid, text, thinking, tool_calls from steps where rowid > ? and rowid <= ?",
                [done, top],
            )
            self._watermark(top)
        return top - done

    def _watermark(self, top: int) -> None:
        self.db.execute(
            "insert into meta(key, value) values ('fts_indexed_rowid', ?) on conflict(key) do update set value = excluded.value",
            [str(top)],
        )

    def _unindexed(self) -> tuple[int, int]:
        """The rowids of steps not yet in the full-text index: (last indexed, last stored]."""
        row = self.db.execute("select value from meta where key = 'fts_indexed_rowid'").fetchone()
        top = self.db.execute("select coalesce(max(rowid), 0) from steps").fetchone()[0]
        return (int(row[0]) if row else 0), top

    def forget(self, trajectory_id: str) -> None:
        """Remove a trajectory's steps from the index, then (after the caller deleted the steps, in the
        same transaction) see `settle`."""
        done, _ = self._unindexed()
        self.db.execute(
            "insert into steps_fts(steps_fts, rowid, text, thinking, tool_calls)"
            " select 'delete', rowid, text, thinking, tool_calls from steps where trajectory_id = ? and rowid <= ?",
            [trajectory_id, done],
        )

    def settle(self) -> None:
        """After steps were deleted: SQLite gives new rows max(rowid)+1, so with the last steps gone their
        numbers come back, and steps stored next must not pass for indexed. Everything up to the new top
        is still indexed."""
        done, top = self._unindexed()
        if top < done:
            self._watermark(top)

    def query(self, text: str) -> str | None:
        return fts_query(text)

    def matching(self, param: str) -> str:
        return f"select s.trajectory_id from steps_fts join steps s on s.rowid = steps_fts.rowid where steps_fts match {param}"

    def search(self, text: str, limit: int) -> list[SearchHit]:
        query = fts_query(text)
        if query is None:
            return []
        self.index_pending()
        sql = (
            "select s.trajectory_id, s.idx, s.role,"
            f" snippet(steps_fts, -1, '{HIT_START}', '{HIT_END}', '…', {SNIPPET_WORDS})"
            " from steps_fts join steps s on s.rowid = steps_fts.rowid"
            " where steps_fts match ? order by rank limit ?"
        )
        return [SearchHit(*row) for row in self.db.execute(sql, [query, limit])]


class TsvectorIndex:
    """PostgreSQL: `steps.words` (tsvector of `lexemes`, GIN-indexed), filled where NULL."""

    BATCH = 2000
    PARTS = False  # each batch finds its steps by a scan of the table: pending steps are indexed all at once

    def __init__(self, db: Db):
        self.db = db

    def index_pending(self, at_least: int = 1) -> int:
        """Fill `words` of the steps without it, in batches. A part is never indexed (`PARTS`: an import
        does not ask while it waits), so asking for one (`at_least` above 1) does nothing."""
        if at_least > 1:
            return 0
        added = 0
        while True:
            with self.db.writing():
                rows: list[Any] = self.db.execute(
                    "select trajectory_id, idx, text, thinking, tool_calls from steps where words is null limit ?", [self.BATCH]
                ).fetchall()
                self.db.executemany(
                    "update steps set words = array_to_tsvector(cast(? as text[])) where trajectory_id = ? and idx = ?",
                    [(lexemes(text, thinking, calls), tid, idx) for tid, idx, text, thinking, calls in rows],
                )
            added += len(rows)
            if len(rows) < self.BATCH:
                return added

    def forget(self, trajectory_id: str) -> None:
        """Nothing to do: the index is a column of the steps deleted."""

    def settle(self) -> None:
        """Nothing to do: no watermark."""

    def query(self, text: str) -> str | None:
        return tsquery(text)

    def matching(self, param: str) -> str:
        return f"select s.trajectory_id from steps s where s.words @@ cast({param} as tsquery)"

    def search(self, text: str, limit: int) -> list[SearchHit]:
        query = tsquery(text)
        if query is None:
            return []
        self.index_pending()
        sql = (
            "select s.trajectory_id, s.idx, s.role, s.text, s.thinking, s.tool_calls from steps s"
            " where s.words @@ cast(? as tsquery) order by ts_rank(s.words, cast(? as tsquery)) desc, s.trajectory_id, s.idx"
            " limit ?"
        )
        return [
            SearchHit(tid, idx, role, snippet((text_, thinking, calls), text))
            for tid, idx, role, text_, thinking, calls in self.db.execute(sql, [query, query, limit])
        ]


def index_for(db: Db) -> Fts5Index | TsvectorIndex:
    return TsvectorIndex(db) if db.dialect.postgres else Fts5Index(db)
