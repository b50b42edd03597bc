"""Access to the JSON Schemas shipped in `schemas/` (symlinked into the package so wheels carry them).

Validation sits on the import hot path, so it runs in two stages: jsonschema-rs (compiled, about
300x faster here) answers "valid?", and only for invalid input does the pure-Python jsonschema
produce the message (its `best_match` picks the most relevant error). Both are full 2020-12
implementations; a test holds them to the same verdict on fuzzed documents. jsonschema is imported
only when a document is invalid: with the libraries behind it (referencing, attrs) it cost 50 ms
of every command's start, and valid documents, the usual case, never need it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from reviewer.textsafe import visible

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed schema file `schemas/<name>.json`."""
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator  # only to explain an invalid document (module docstring)

    schema = load(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@cache
def fast_validator(name: str) -> Any:
    return jsonschema_rs.validator_for(load(name))


def first_error(name: str, instance: Any) -> ValidationError | None:
    """The most relevant schema violation, or None when the instance is valid."""
    try:
        if fast_validator(name).is_valid(instance):
            return None
    except (ValueError, OverflowError, RecursionError):  # values it cannot convert: let jsonschema judge
        pass
    from jsonschema.exceptions import best_match  # only to explain an invalid document (module docstring)

    return best_match(validator(name).iter_errors(instance))


def pointer(error: ValidationError) -> str:
    """RFC 6901 JSON pointer to where the error is, so messages name the place in the file; keys come
    from the file, so line breaks and control characters in them are shown as escapes (JSON's, and
    `visible`'s for bidi and invisible ones): a message stays one line that names the key."""
    parts = [
        visible(json.dumps(str(p), ensure_ascii=False)[1:-1]).replace("~", "~0").replace("/", "~1") for p in error.absolute_path
    ]
    return "/" + "/".join(parts) if parts else "/"


def describe(error: ValidationError) -> str:
    """One line: pointer and a message short enough for a terminal even for huge instances."""
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    return f"{pointer(error)}: {message}".replace("\n", " ")
