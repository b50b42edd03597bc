"""The model file: skops, written byte-for-byte the same for the same model, and refused when it is not ours.

skops stores objects as a JSON schema plus numpy files in a zip and, unlike pickle, runs no code
to load: it rebuilds only the types it trusts (scikit-learn's estimators, numpy, builtins) and
refuses a file that names any other (`load` never widens that list). skops names its members by
`id()` of the objects and stamps them with the time, so the same model would give different bytes
each run; `dumps` renumbers the ids in document order and rewrites the zip with fixed dates,
which makes the bytes, and so the model hash, a function of the model alone.

The model hash (the first 16 hex digits of the file's SHA-256) names the classifier as a rater,
`classifier:<model_hash>`, and the card beside the file (`MODEL.card.json`) records it: a file that
does not match its card was changed after training and is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import skops.io

from reviewer.errors import ModelError
from reviewer.jsonio import atomic_write, atomic_write_bytes
from reviewer.train import report
from reviewer.train.train import FORMAT, FORMAT_VERSION

HASH_DIGITS = 16
_EPOCH = (1980, 1, 1, 0, 0, 0)
_MEMBER = re.compile(r"^(\d+)\.(npy|npz)$")


def model_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_DIGITS]


def card_path(model: Path) -> Path:
    return model.with_name(model.name + ".card.json")


def _renumber(node: Any, ids: dict[str, str]) -> Any:
    """A copy of skops' schema with every object id replaced by its order of first appearance."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "__id__" and isinstance(value, int):
                out[key] = int(ids.setdefault(str(value), str(len(ids))))
            elif key == "file" and isinstance(value, str) and (m := _MEMBER.match(value)):
                out[key] = f"{ids.setdefault(m.group(1), str(len(ids)))}.{m.group(2)}"
            else:
                out[key] = _renumber(value, ids)
        return out
    if isinstance(node, list):
        return [_renumber(v, ids) for v in node]
    return node


def dumps(bundle: dict[str, Any]) -> bytes:
    """The bundle as skops bytes, the same bytes for the same bundle."""
    source = zipfile.ZipFile(io.BytesIO(skops.io.dumps(bundle)))
    ids: dict[str, str] = {}
    schema = _renumber(json.loads(source.read("schema.json")), ids)
    members = {"schema.json": json.dumps(schema, indent=2).encode("utf-8")}
    for name in source.namelist():
        if name != "schema.json":
            m = _MEMBER.match(name)
            if m is None or m.group(1) not in ids:
                raise ModelError(f"unexpected member {name!r} in the skops archive")  # a skops format this code does not know
            members[f"{ids[m.group(1)]}.{m.group(2)}"] = source.read(name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, members[name])
    return out.getvalue()


def report_path(model: Path) -> Path:
    return model.with_name(model.name + ".report.html")


def save(path: Path, bundle: dict[str, Any], card: dict[str, Any]) -> str:
    """Write the model, its card and its HTML report (each replaced whole, never half-written);
    returns the model hash, which the card now records."""
    data = dumps(bundle)
    card["model_hash"] = digest = model_hash(data)
    atomic_write_bytes(path, data)
    with atomic_write(card_path(path)) as out:
        out.write(card_json(card))
    with atomic_write(report_path(path)) as out:
        out.write(report.render(card))
    return digest


def card_json(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False, indent=2) + "\n"


def load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bundle and its card, both checked: one line naming the file when refused (ModelError)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read {path}: {exc.strerror or exc}") from None
    card_file = card_path(path)
    try:
        card = json.loads(card_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{card_file}: cannot read the model card that records the model's hash ({exc})") from None
    expected = card.get("model_hash") if isinstance(card, dict) else None
    if model_hash(data) != expected:
        raise ModelError(
            f"{path}: the file does not match its card (hash {model_hash(data)}, card says {expected}): changed after training"
        )
    try:
        untrusted = skops.io.get_untrusted_types(data=data)
        if untrusted:
            raise ModelError(f"{path}: refused, the file names types that are not trusted: {', '.join(sorted(untrusted))}")
        bundle = skops.io.loads(data)  # trusted=None: any type outside skops' safe defaults is refused
    except ModelError:
        raise
    except Exception as exc:  # skops raises many kinds on a damaged file; none may escape as a traceback
        raise ModelError(f"{path}: not a readable skops model ({type(exc).__name__}: {exc})") from None
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT or bundle.get("version") != FORMAT_VERSION:
        raise ModelError(f"{path}: not a reviewer classifier (format {FORMAT} version {FORMAT_VERSION})")
    return bundle, card
