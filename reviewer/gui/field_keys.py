"""Keys for every field of the label form, generated from the taxonomy (Qt-free).

A project taxonomy brings its own fields and options, so the keys cannot be a fixed table: each
single-choice or scale field gets one letter (`I` for intent), pressed and then followed by a
digit (`I` `3`: intent 3; `L` `1`: the first disclosure option). Letters are handed out in two
passes so the common fields get their initial: first every field whose label starts with a free
letter takes it, then the others take the first free letter of their label or name, and a field
with none left takes Shift and its initial. Letters the window's own shortcuts use (`taken`) are
never given out, so a field key never shadows another action.

The verdict keeps the bare digits, the multi-choice fields (categories, markers) share the code
picker (`G`) and free text has its own key (`R`): they get no field key here.

Public API: `field_keys(taxonomy, taken) -> dict[field name, key]`;
`field_shortcuts(taxonomy, taken) -> tuple[Shortcut, ...]`, rows for `keymap.install` and the help,
action names `field:<name>`; `FIELD_ACTION_PREFIX`; `option_list(spec)` (the digit and meaning of
each option, as the help and the form show it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reviewer.gui.keymap import Shortcut
from reviewer.taxonomy import Taxonomy

FIELD_ACTION_PREFIX = "field:"
KEYED_KINDS = ("single", "scale")


def _keyed(taxonomy: Taxonomy) -> list[dict[str, Any]]:
    return [s for n, s in taxonomy.fields.items() if s["kind"] in KEYED_KINDS and n != "verdict"]


def _letters(text: str) -> list[str]:
    return [c.upper() for c in text if "a" <= c.lower() <= "z"]


def field_keys(taxonomy: Taxonomy, taken: Iterable[str]) -> dict[str, str]:
    """One key per single-choice or scale field (verdict aside), stable for a given taxonomy."""
    used = {k.upper() for k in taken}
    specs = _keyed(taxonomy)
    keys: dict[str, str] = {}
    for spec in specs:  # pass 1: the initial, where free
        initial = _letters(spec.get("label", spec["name"]))[:1]
        if initial and initial[0] not in used:
            keys[spec["name"]] = initial[0]
            used.add(initial[0])
    for spec in specs:  # pass 2: any free letter of the label, then of the name; else Shift and the initial
        if spec["name"] in keys:
            continue
        letters = _letters(spec.get("label", "")) + _letters(spec["name"])
        key = next((c for c in letters if c not in used), None)
        if key is None:
            key = next(f"Shift+{c}" for c in [*letters, *"ABCDEFGHIJKLMNOPQRSTUVWXYZ"] if f"SHIFT+{c}" not in used)
        keys[spec["name"]] = key
        used.add(key.upper())
    return keys


def option_list(spec: dict[str, Any]) -> str:
    """What each digit sets in this field: "1 Silent · 2 Code comment only …" or "0–4"."""
    if spec["kind"] == "scale":
        anchors = spec.get("anchors", {})
        values = range(spec["min"], spec["max"] + 1)
        return " · ".join(f"{v} {anchors[str(v)]}" if str(v) in anchors else str(v) for v in values)
    return " · ".join(f"{i} {o.get('label', o['code'])}" for i, o in enumerate(spec.get("options", [])[:9], start=1)) + (
        " · 0 clears" if spec["kind"] == "single" else ""
    )


def field_shortcuts(taxonomy: Taxonomy, taken: Iterable[str]) -> tuple[Shortcut, ...]:
    """The help's and the window's rows for the field keys, in the taxonomy's order."""
    keys = field_keys(taxonomy, taken)
    rows = []
    for name, key in keys.items():
        spec = taxonomy.fields[name]
        title = spec.get("label", name)
        rows.append(
            Shortcut(f"{FIELD_ACTION_PREFIX}{name}", (key,), f"{title}, then a digit: {option_list(spec)}", "Label fields")
        )
    return tuple(rows)
