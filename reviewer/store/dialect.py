"""The few SQL fragments that SQLite and PostgreSQL spell differently, named once.

The repositories write one SQL text for both backends: standard SQL, `?` and `:name` parameters
(the PostgreSQL connection translates them, `reviewer.store.postgres.to_pg`), upserts as
`on conflict ... do`, prefixes compared with `substr`. What standard SQL cannot say the same way on
both (JSON inside a text column, string aggregation, NULL order, the random queue's hash) comes
from the connection's `Dialect`. Full-text search differs more and has a module per backend
(`reviewer.store.search`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str

    @property
    def postgres(self) -> bool:
        return self.name == "postgresql"

    def ids(self, param: str = "?") -> str:
        """A subquery of the strings in a JSON array parameter (a list of ids passed as one value)."""
        if self.postgres:
            return f"select json_array_elements_text(cast({param} as json))"
        return f"select value from json_each({param})"

    def json_value(self, column: str, *keys: str) -> str:
        """A scalar inside the JSON text of `column` (SQL NULL when absent or JSON null)."""
        if self.postgres:
            return f"(cast({column} as json) #>> '{{{','.join(keys)}}}')"
        return f"json_extract({column}, '$.{'.'.join(keys)}')"

    def json_flag(self, column: str, *keys: str) -> str:
        """A JSON boolean inside `column` as a condition, true when absent (an adjudication's `settled`)."""
        if self.postgres:
            return f"coalesce(cast({self.json_value(column, *keys)} as boolean), true)"
        return f"coalesce({self.json_value(column, *keys)}, 1)"

    def concat(self, expr: str, sep: str) -> str:
        """The values of `expr` joined by `sep` (a literal), in their own order."""
        return f"string_agg({expr}, {sep} order by {expr})" if self.postgres else f"group_concat({expr}, {sep})"

    def order(self, expr: str, descending: bool) -> str:
        """ORDER BY term with SQLite's NULL order on both: NULL first ascending, last descending."""
        direction = "desc" if descending else "asc"
        if self.postgres:
            return f"{expr} {direction} nulls {'last' if descending else 'first'}"
        return f"{expr} {direction}"

    def round6(self, expr: str) -> str:
        """`expr` rounded to 6 decimals (PostgreSQL rounds numerics only)."""
        return f"round(cast({expr} as numeric), 6)" if self.postgres else f"round({expr}, 6)"

    def next_id(self, table: str) -> str:
        """A new id for a row of `table` (its `id` column), above every id given so far."""
        if self.postgres:
            return f"nextval(pg_get_serial_sequence('{table}', 'id'))"
        return f"(select coalesce(max(id), 0) + 1 from {table})"

    def shuffle(self, seed: str, column: str) -> str:
        """The random queue's key of `column` under `seed`: a keyed hash, stable across machines.
        SQLite calls `listing.shuffle_key` (blake2b); PostgreSQL has no blake2b, and uses md5: the
        two backends give different (each stable) orders."""
        if self.postgres:
            return f"md5(cast({seed} as text) || ':' || {column})"
        return f"reviewer_shuffle({seed}, {column})"


SQLITE = Dialect("sqlite")
POSTGRES = Dialect("postgresql")
