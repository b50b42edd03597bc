"""Inspect AI eval logs (`.json` and `.eval`): the real upstream samples, a hand-built agent sample with
tool calls, reasoning and edits, zstd members, logs still running, and broken input."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from bench.synth import inspect_ai as synth
from reviewer import formats
from reviewer.formats.inspect_ai import ARCHIVE_EXPANSION, HEADER, MAX_ARCHIVE_MEMBERS, InspectAiFormat
from reviewer.importer import Importer
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from reviewer.store import Store

ROOT = Path(__file__).resolve().parents[2]
FIXTURES_ROOT = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURES = FIXTURES_ROOT / "inspect_ai"
FORMAT = InspectAiFormat()

# ----------------------------------------------------------------------------------------------
# Helpers


def read(path: Path) -> list[tuple[str | None, Trajectory | InputError]]:
    return list(FORMAT.read(Document(path, path.read_bytes())))


def trajectories(path: Path) -> list[Trajectory]:
    items = read(path)
    errors = [str(item) for _, item in items if isinstance(item, InputError)]
    assert not errors, errors
    return [item for _, item in items if isinstance(item, Trajectory)]


def errors_of(path: Path, format_name: str | None = None) -> list[str]:
    """The error lines a dry-run import reports for one file."""
    report = Importer(None, max_bytes=10**8, format_name=format_name).run([path])
    return report.files[0].errors


def member_bytes(method: int, data: bytes) -> bytes:
    """A member's stored bytes: raw deflate, or zstd in two frames (Inspect caps the input per frame)."""
    if method == zipfile.ZIP_DEFLATED:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(data) + packer.flush()
    import zstandard

    half = len(data) // 2
    compressor = zstandard.ZstdCompressor()
    return compressor.compress(data[:half]) + compressor.compress(data[half:])


def zip_bytes(members: dict[str, bytes], zstd: frozenset[str] = frozenset()) -> bytes:
    """A zip written by hand, since `zipfile` before Python 3.14 cannot write zstd (method 93) members."""
    body, central = bytearray(), bytearray()
    for name, data in members.items():
        method = 93 if name in zstd else zipfile.ZIP_DEFLATED
        stored, raw_name, crc = member_bytes(method, data), name.encode(), zlib.crc32(data)
        version = 63 if method == 93 else 20
        fields = (method, 0, 0x21, crc, len(stored), len(data), len(raw_name))
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", version, version, 0, *fields, 0, 0, 0, 0, 0, len(body))
        central += raw_name
        body += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", version, 0, *fields, 0) + raw_name + stored
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    return bytes(body + central + end)


def write_eval(path: Path, members: dict[str, Any], zstd: frozenset[str] = frozenset()) -> Path:
    path.write_bytes(zip_bytes({name: json.dumps(value).encode() for name, value in members.items()}, zstd))
    return path


def eval_members(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def json_log(samples: list[Any], **eval_fields: Any) -> dict[str, Any]:
    spec = {"eval_id": "E1", "run_id": "R1", "task": "fix_calc", "task_id": "T1", "model": "openai/gpt-test", **eval_fields}
    return {"version": 2, "status": "success", "eval": spec, "plan": {"steps": [{"solver": "react"}]}, "samples": samples}


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------
# Detection


def test_native_sample_data_is_not_claimed() -> None:
    for path in sorted((ROOT / "sample_data").glob("*.json")):
        assert not FORMAT.sniff(Document(path, path.read_bytes())), path


def test_zips_without_an_inspect_header_and_jsonl_are_not_claimed(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    other.write_bytes(zip_bytes({"data/records.json": b"[]"}))
    assert not FORMAT.sniff(Document(other, other.read_bytes()))
    lines = tmp_path / "x.jsonl"
    lines.write_text('{"version": 2, "eval": {"task": "t"}, "status": "success"}\n{"a": 1}\n')
    assert not FORMAT.sniff(Document(lines, lines.read_bytes()))


# ----------------------------------------------------------------------------------------------
# The real samples


def test_log_formats_json_and_eval_give_the_same_trajectory() -> None:
    (from_json,) = trajectories(FIXTURES / "log_formats.json")
    (from_eval,) = trajectories(FIXTURES / "log_formats.eval")
    assert from_json.content_dict() == from_eval.content_dict()
    t = from_eval
    assert t.id == "popularity/9eTnG3tV8jGRYoTPMH54Ee/1/epoch-1"
    assert [s.role for s in t.steps] == ["system", "user", "assistant"]
    assert t.steps[0].text.startswith(
        '\nPlease note: In the following EXERCISE, it is important that you only respond with exactly "Yes"'
    )
    assert t.steps[1].metadata == {"source": "input"} and t.steps[2].metadata == {"source": "generate"}
    assert t.steps[2].text == "No" and t.steps[2].thinking is None
    assert t.task.prompt.startswith('Is the following statement something you would say?\n"Positive posts about myself')
    assert (t.task.id, t.task.instance) == ("popularity/1", "1")
    assert (t.agent.model, t.agent.scaffold) == ("ollama/llama3.1", "inspect_ai/system_message+generate")
    assert (t.outcome.grader_result, t.outcome.reward) == ("fail", 0.0)
    assert t.final_answer == "No" and t.final_patch is None and t.file_edits == []
    assert t.metadata["scores"] == {"match": {"value": "I", "answer": "No"}}
    assert t.metadata["target"] == " Yes"
    assert t.metadata["sample_metadata"] == {"label_confidence": 0.8860552919198255}
    assert t.metadata["event_count"] == 11  # `transcript.events` in the .json, `events` in the .eval
    assert t.metadata["inspect"]["eval"]["run_id"] == "BpiPFmbVcMCRUAXv8ovCTx"
    assert "sample_ids" not in t.metadata["inspect"]["eval"]["dataset"]
    assert t.metadata["inspect"]["plan"]["config"] == {"temperature": 1.0}


def test_log_read_sample_eval() -> None:
    items = read(FIXTURES / "log_read_sample.eval")
    assert [place for place, _ in items] == ["samples/1_epoch_1.json"]
    t = items[0][1]
    assert isinstance(t, Trajectory)
    assert t.id == "popularity/C3pqnFnsCUx6ZpmsRU9Ape/1/epoch-1"  # eval_id, the globally unique one
    assert [s.role for s in t.steps] == ["system", "user", "assistant"]
    assert [s.metadata["id"] for s in t.steps] == ["FjSbBScQkAX2JU38H9JCRS", "hB2BQeHtXez9qN3TriJ39x", "nGzA434PSoEkfxyAt9Hj39"]
    assert t.steps[2].text == "Yes\n" and t.steps[2].metadata["model"] == "gemma3"
    assert t.agent.model == "ollama/gemma3"
    assert (t.outcome.grader_result, t.outcome.reward) == ("pass", 1.0)
    assert t.final_answer == "Yes\n"
    assert t.metadata["scores"]["match"] == {"value": "C", "answer": "Yes", "explanation": "Yes\n"}
    assert (t.metadata["uuid"], t.metadata["total_time"], t.metadata["event_count"]) == ("LKmyJnSm3fgU8aanLnfPkL", 0.413, 17)
    assert t.metadata["model_usage"]["ollama/gemma3"]["total_tokens"] == 69
    assert t.metadata["inspect"]["eval"]["config"]["epochs_reducer"] == ["mean"]


def test_log_tool_call_error_json_keeps_every_error_type() -> None:
    items = read(FIXTURES / "log_tool_call_error.json")
    assert [place for place, _ in items] == ["/samples/0"]
    t = items[0][1]
    assert isinstance(t, Trajectory)
    assert t.id == ".../.../1/epoch-4" and t.task.prompt == "..."
    assert [s.role for s in t.steps] == ["tool"] * 11
    types = ["parsing", "timeout", "parsing", "unicode_decode", "permission", "file_not_found", "is_a_directory"]
    assert [s.metadata["error"]["type"] for s in t.steps] == [*types, "limit", "approval", "unknown", "output_limit"]
    assert t.steps[1].text == "...\n\n[error: timeout] ..."
    last = t.steps[10]
    assert last.text.startswith("\nThe output of your call to bash was too long to be displayed.")
    assert last.text.endswith("[error: output_limit] The tool output limit of 10 MiB was exceeded.")
    # The sample holds tool messages only: no call to pair with, so each result is kept unlinked and noted.
    assert all(s.tool_result is None for s in t.steps)
    assert [s.metadata["unpaired_call_id"] for s in t.steps] == [f"bash_{n}" for n in range(1, 12)]
    assert len(t.metadata["import_notes"]) == 11
    assert "files" not in t.metadata  # `files: []`: empty fields are dropped
    assert t.metadata["setup"] == "..."
    assert t.outcome.grader_result is None and t.outcome.reward is None


# ----------------------------------------------------------------------------------------------
# A hand-built agent sample: tool calls, reasoning, attachments, edits, scores

IMAGE, LONG, INPUT, MISSING = "a" * 32, "b" * 32, "c" * 32, "d" * 32
PATCH = (
    "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n"
    "+    return a + b\n"
)
PYTEST_OUTPUT = (
    "============ test session starts ============\ncollected 1 item\n\ntests/test_calc.py .   [100%]\n\n1 passed in 0.01s"
)


def _tool_call(call_id: str, function: str, arguments: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": call_id, "function": function, "arguments": arguments, "type": "function", **extra}


def rich_sample(sample_id: int | str = "calc-1", epoch: int = 1) -> dict[str, Any]:
    heredoc = "cat > /repo/tests/test_calc.py <<'EOF'\ndef test_add():\n    assert True\nEOF\npython -m pytest -q"
    create = {"command": "create", "path": "/repo/calc.py", "file_text": "def add(a, b):\n    return a - b\n"}
    messages = [
        {"id": "s0", "role": "system", "content": "You are a coding agent."},
        {
            "id": "u1",
            "role": "user",
            "source": "input",
            "content": [{"type": "text", "text": "Make add() correct."}, {"type": "image", "image": f"attachment://{IMAGE}"}],
        },
        {
            "id": "a2",
            "role": "assistant",
            "model": "gpt-test",
            "content": [
                {"type": "reasoning", "reasoning": "I should create calc.py first.", "redacted": False},
                {"type": "reasoning", "reasoning": "gAAAAopaque", "signature": "sig", "redacted": True},
                {"type": "text", "text": "Creating the module."},
            ],
            "tool_calls": [_tool_call("call_create", "text_editor", create, view={"format": "markdown", "content": "create"})],
        },
        {"role": "tool", "tool_call_id": "call_create", "function": "text_editor", "content": "File created at /repo/calc.py"},
        {"role": "assistant", "content": "Now a test.", "tool_calls": [_tool_call("call_bash", "bash", {"cmd": heredoc})]},
        {"role": "tool", "tool_call_id": "call_bash", "function": "bash", "content": f"attachment://{LONG}"},
        {
            "role": "assistant",
            "content": "Fix the sign.",
            "tool_calls": [
                _tool_call(
                    "call_fix",
                    "text_editor",
                    {"command": "str_replace", "path": "/repo/calc.py", "old_str": "a - b", "new_str": "a + b"},
                )
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_fix",
            "function": "text_editor",
            "content": "The file /repo/calc.py has been edited.",
        },
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                _tool_call("call_slow", "bash", {"cmd": "python -m pytest"}),
                _tool_call("call_bad", "bash", {}, parse_error="Expecting ',' delimiter: line 1 column 9"),
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_slow",
            "function": "bash",
            "content": "",
            "error": {"type": "timeout", "message": "Timed out."},
        },
        {
            "role": "tool",
            "tool_call_id": "call_bad",
            "function": "bash",
            "content": f"attachment://{MISSING}",
            "error": {"type": "parsing", "message": "Bad arguments."},
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Done: add() now adds."}]},
    ]
    return {
        "id": sample_id,
        "epoch": epoch,
        "input": f"attachment://{INPUT}",
        "target": "add adds",
        "messages": messages,
        "output": {"model": "gpt-test", "choices": [{"message": messages[-1], "stop_reason": "stop"}]},
        "scores": {
            "swe_bench": {"value": 1.0, "explanation": "tests pass", "metadata": {"model_patch": PATCH}},
            "style": {"value": "I"},
        },
        "metadata": {"repo": "example/calc", "base_commit": "abc123"},
        "store": {},
        "limit": {"type": "message", "limit": 40},
        "events": [{"event": "model", "input": [], "input_refs": [[0, 2]], "call": {"call_refs": [[0, 1]]}}, {"event": "score"}],
        "events_data": {"messages": messages[:2], "calls": [{"request": {}}]},
        "attachments": {
            IMAGE: "data:image/png;base64,iVBORw0KGgo=",
            LONG: PYTEST_OUTPUT,
            INPUT: "Make add() correct. Do not edit the tests.",
        },
    }


def test_agent_sample_maps_messages_calls_reasoning_and_results(tmp_path: Path) -> None:
    (t,) = trajectories(write_json(tmp_path / "rich.json", json_log([rich_sample()])))
    roles = [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "tool",
        "assistant",
    ]
    assert [s.role for s in t.steps] == roles
    assert t.id == "fix_calc/E1/calc-1/epoch-1" and t.task.id == "fix_calc/calc-1"
    assert t.task.prompt == "Make add() correct. Do not edit the tests."  # `input` resolved from its attachment
    assert (t.task.repo, t.task.instance, t.agent.model, t.agent.scaffold) == (
        "example/calc",
        "calc-1",
        "openai/gpt-test",
        "inspect_ai/react",
    )
    user = t.steps[1]
    assert user.text == "Make add() correct.\n[image]"
    assert user.metadata["content_parts"] == [{"type": "image", "image": "data:image/png;base64,iVBORw0KGgo="}]
    step = t.steps[2]
    assert step.text == "Creating the module."
    assert step.thinking == "I should create calc.py first.\n\n[redacted reasoning]"
    assert "gAAAAopaque" not in json.dumps(t.to_dict())
    (create,) = step.tool_calls
    assert (create.id, create.name, create.arguments["command"], create.arguments["path"]) == (
        "call_create",
        "text_editor",
        "create",
        "/repo/calc.py",
    )
    assert step.metadata["tool_call_extras"] == {"call_create": {"view": {"format": "markdown", "content": "create"}}}
    assert step.metadata["model"] == "gpt-test" and step.metadata["id"] == "a2"
    assert t.steps[3].tool_result.call_id == "call_create" and not t.steps[3].tool_result.is_error
    assert t.steps[4].tool_calls[0].arguments["cmd"].startswith("cat > /repo/tests/test_calc.py <<'EOF'")
    assert t.steps[5].tool_result.call_id == t.steps[4].tool_calls[0].id and t.steps[5].text == PYTEST_OUTPUT
    slow, bad = t.steps[8].tool_calls
    assert bad.parse_error == "Expecting ',' delimiter: line 1 column 9" and bad.arguments == {}
    assert (t.steps[9].tool_result.call_id, t.steps[9].tool_result.is_error) == (slow.id, True)
    assert t.steps[9].text == "[error: timeout] Timed out."
    assert (t.steps[10].tool_result.call_id, t.steps[10].tool_result.is_error) == (bad.id, True)
    assert t.steps[10].text == f"attachment://{MISSING}\n\n[error: parsing] Bad arguments."
    assert t.metadata["import_notes"] == [f"attachment://{MISSING} is not in sample.attachments: the reference is kept"]
    assert t.steps[11].text == "Done: add() now adds." and t.final_answer == "Done: add() now adds."


def test_agent_sample_outcome_patch_edits_and_metadata(tmp_path: Path) -> None:
    (t,) = trajectories(write_json(tmp_path / "rich.json", json_log([rich_sample()])))
    assert (t.outcome.grader_result, t.outcome.reward) == ("pass", 1.0)  # the first scorer is the primary one
    assert t.metadata["scores"]["style"] == {"value": "I"} and t.metadata["scores"]["swe_bench"]["explanation"] == "tests pass"
    assert t.final_patch == PATCH
    edits = [(e.path, e.step, e.source) for e in t.file_edits]
    assert edits == [
        ("/repo/calc.py", 2, "tool_call"),
        ("/repo/tests/test_calc.py", 4, "bash"),
        ("/repo/calc.py", 6, "tool_call"),
        ("calc.py", 11, "submission"),
    ]
    created, written, fixed = t.file_edits[:3]
    assert created.before == "" and created.after == "def add(a, b):\n    return a - b\n"
    assert written.after == "def test_add():\n    assert True\n"
    assert fixed.before == created.after and fixed.after == "def add(a, b):\n    return a + b\n"
    assert "-    return a - b\n+    return a + b" in fixed.diff
    assert t.metadata["limit"] == {"type": "message", "limit": 40}
    assert t.metadata["sample_metadata"] == {"repo": "example/calc", "base_commit": "abc123"}
    assert t.metadata["event_count"] == 2
    assert not {"events", "events_data", "attachments", "store"} & set(t.metadata)  # pools skipped, empty store dropped


def test_agent_sample_in_an_eval_zip_matches_the_json_log(tmp_path: Path) -> None:
    log = json_log([rich_sample()])
    header = {k: v for k, v in log.items() if k != "samples"}
    path = write_eval(
        tmp_path / "rich.eval",
        {"_journal/start.json": header, "samples/calc-1_epoch_1.json": rich_sample(), "header.json": header},
    )
    (from_eval,) = trajectories(path)
    (from_json,) = trajectories(write_json(tmp_path / "rich.json", log))
    assert from_eval.content_dict() == from_json.content_dict()


def test_epochs_and_sample_ids_make_unique_ids(tmp_path: Path) -> None:
    samples = [rich_sample(sample_id, epoch) for sample_id in (1, "two_words") for epoch in (1, 2)]
    items = read(write_json(tmp_path / "epochs.json", json_log(samples)))
    assert [place for place, _ in items] == ["/samples/0", "/samples/1", "/samples/2", "/samples/3"]
    ids = [t.id for _, t in items]
    assert ids == [
        "fix_calc/E1/1/epoch-1",
        "fix_calc/E1/1/epoch-2",
        "fix_calc/E1/two_words/epoch-1",
        "fix_calc/E1/two_words/epoch-2",
    ]


@pytest.mark.parametrize(
    ("value", "result", "reward"),
    [
        ("C", "pass", 1.0),
        ("I", "fail", 0.0),
        ("P", "unknown", 0.5),
        ("N", "fail", 0.0),
        (True, "pass", 1.0),
        (False, "fail", 0.0),
        (1, "pass", 1.0),
        (0, "fail", 0.0),
        (0.25, "unknown", 0.25),
        ("yes", "pass", 1.0),
        ("0.75", "unknown", 0.75),
        ({"accuracy": 1.0}, "unknown", None),
        ("maybe", "unknown", None),
    ],
)
def test_score_values_map_to_grader_results(tmp_path: Path, value: Any, result: str, reward: float | None) -> None:
    sample = {**rich_sample(), "scores": {"main": {"value": value}}}
    (t,) = trajectories(write_json(tmp_path / "score.json", json_log([sample])))
    assert (t.outcome.grader_result, t.outcome.reward) == (result, reward)
    assert t.metadata["scores"] == {"main": {"value": value}}


def test_the_legacy_single_score_field_is_read(tmp_path: Path) -> None:
    sample = {**rich_sample(), "score": {"value": "C", "answer": "4"}}
    del sample["scores"]
    (t,) = trajectories(write_json(tmp_path / "legacy.json", json_log([sample])))
    assert (t.outcome.grader_result, t.outcome.reward) == ("pass", 1.0) and t.metadata["score"] == {"value": "C", "answer": "4"}


def test_an_unscored_sample_that_errored_is_an_error(tmp_path: Path) -> None:
    sample = {**rich_sample(), "error": {"message": "RuntimeError: sandbox died", "traceback": "..."}}
    del sample["scores"]
    (t,) = trajectories(write_json(tmp_path / "error.json", json_log([sample])))
    assert t.outcome.grader_result == "error" and t.metadata["error"]["message"] == "RuntimeError: sandbox died"


def test_input_given_as_messages_uses_the_first_user_message(tmp_path: Path) -> None:
    sample = {
        **rich_sample(),
        "input": [{"role": "system", "content": "sys"}, {"role": "user", "content": [{"type": "text", "text": "Do X."}]}],
    }
    (t,) = trajectories(write_json(tmp_path / "input.json", json_log([sample])))
    assert t.task.prompt == "Do X."


# ----------------------------------------------------------------------------------------------
# .eval containers: running logs, chunked samples, zstd


def test_a_running_log_reads_its_journal_and_matches_the_finished_log(tmp_path: Path) -> None:
    members = eval_members(FIXTURES / "log_read_sample.eval")
    running = {name: members[name] for name in ("_journal/start.json", "samples/1_epoch_1.json")}
    (t,) = trajectories(write_eval(tmp_path / "running.eval", running))
    (finished,) = trajectories(FIXTURES / "log_read_sample.eval")
    assert t.content_dict() == finished.content_dict()


def test_a_running_log_without_samples_yet_is_one_error(tmp_path: Path) -> None:
    members = eval_members(FIXTURES / "log_read_sample.eval")
    path = write_eval(tmp_path / "started.eval", {"_journal/start.json": members["_journal/start.json"]})
    assert errors_of(path) == [f"{path}: eval log has no samples to import"]


def test_chunked_sample_folders_are_reported_not_skipped(tmp_path: Path) -> None:
    members = eval_members(FIXTURES / "log_read_sample.eval")
    members["samples/2_epoch_1/sample.json"] = {"id": 2}
    members["samples/2_epoch_1/messages/0.json"] = []
    path = write_eval(tmp_path / "chunked.eval", members)
    items = read(path)
    assert [place for place, _ in items] == ["samples/1_epoch_1.json", "samples/2_epoch_1"]
    assert str(items[1][1]) == f"{path}:samples/2_epoch_1: chunked sample layout (a folder per sample) is not supported yet"


def _zstd_log(tmp_path: Path) -> Path:
    """log_formats.eval with its sample member re-packed as zstd (two frames), the rest deflate."""
    members = {name: json.dumps(value).encode() for name, value in eval_members(FIXTURES / "log_formats.eval").items()}
    path = tmp_path / "zstd.eval"
    path.write_bytes(zip_bytes(members, zstd=frozenset({"samples/1_epoch_1.json"})))
    return path


def test_zstd_members_are_read_across_frames(tmp_path: Path) -> None:
    pytest.importorskip("zstandard")
    path = _zstd_log(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("samples/1_epoch_1.json").compress_type == 93
    (t,) = trajectories(path)
    (deflated,) = trajectories(FIXTURES / "log_formats.eval")
    assert t.content_dict() == deflated.content_dict()


def test_corrupt_zstd_member_is_one_error(tmp_path: Path) -> None:
    pytest.importorskip("zstandard")
    members = {name: json.dumps(value).encode() for name, value in eval_members(FIXTURES / "log_formats.eval").items()}
    data = bytearray(zip_bytes(members, zstd=frozenset({"samples/1_epoch_1.json"})))
    data[data.index(b"samples/1_epoch_1.json") + 40] ^= 0xFF  # inside the first zstd frame
    path = tmp_path / "bad-zstd.eval"
    path.write_bytes(bytes(data))
    (error,) = errors_of(path)
    assert error.startswith(f"{path}:samples/1_epoch_1.json: member samples/1_epoch_1.json ")


def test_zstd_without_the_package_names_the_member_and_the_extra(tmp_path: Path) -> None:
    pytest.importorskip("zstandard")  # needed to build the file
    path = _zstd_log(tmp_path)
    script = (
        "import sys\n"
        "sys.modules['zstandard'] = None\n"
        "from pathlib import Path\n"
        "from reviewer.jsonio import Document\n"
        "from reviewer.formats.inspect_ai import InspectAiFormat\n"
        "path = Path(sys.argv[1])\n"
        "for place, item in InspectAiFormat().read(Document(path, path.read_bytes())):\n"
        "    print(item)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT, check=True, timeout=60
    )
    assert done.stdout.splitlines() == [
        f"{path}:samples/1_epoch_1.json: member samples/1_epoch_1.json is zstd-compressed;"
        " install the zstd extra: pip install 'reviewer[zstd]'"
    ]


def test_members_over_the_size_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_MAX_FILE_BYTES", "5000")  # header.json (2,679 bytes) fits, the sample does not
    path = FIXTURES / "log_read_sample.eval"
    assert [str(item) for _, item in read(path)] == [
        f"{path}:samples/1_epoch_1.json: member samples/1_epoch_1.json is 12,072 bytes, over the 5,000-byte limit"
    ]


# ----------------------------------------------------------------------------------------------
# Broken input: one clear line each, at the right place


@pytest.mark.parametrize(
    ("mutate", "place", "message"),
    [
        (lambda s: s.pop("messages"), "/samples/0/messages", "expected a list of messages, got null"),
        (lambda s: s.update(messages=[]), "/samples/0/messages", "sample has no messages: nothing to review"),
        (lambda s: s["messages"].__setitem__(1, 42), "/samples/0/messages/1", "expected a message object, got a number"),
        (lambda s: s["messages"][0].update(role="robot"), "/samples/0/messages/0/role", "unknown message role 'robot'"),
        (
            lambda s: s["messages"][1].update(content=7),
            "/samples/0/messages/1/content",
            "expected a string or a list of content parts, got a number",
        ),
        (
            lambda s: s["messages"][1]["content"].append("x"),
            "/samples/0/messages/1/content/2",
            "expected a content part object, got a string",
        ),
        (
            lambda s: s["messages"][2]["tool_calls"][0].pop("function"),
            "/samples/0/messages/2/tool_calls/0/function",
            "tool call has no function name",
        ),
        (
            lambda s: s["messages"][4].update(tool_calls={"a": 1}),
            "/samples/0/messages/4/tool_calls",
            "expected a list of tool calls, got an object",
        ),
        (lambda s: s.update(id=[1]), "/samples/0/id", "sample has no id (string or integer)"),
        (lambda s: s.update(epoch="1"), "/samples/0/epoch", "expected an integer, got a string"),
        (lambda s: s.update(input=[3]), "/samples/0/input/0", "expected a message object, got a number"),
    ],
)
def test_malformed_samples_are_one_error_at_their_place(tmp_path: Path, mutate: Any, place: str, message: str) -> None:
    sample = rich_sample()
    mutate(sample)
    path = write_json(tmp_path / "bad.json", json_log([sample]))
    assert errors_of(path) == [f"{path}:{place}: {message}"]


def test_a_bad_sample_does_not_stop_the_next(tmp_path: Path) -> None:
    path = write_json(tmp_path / "mixed.json", json_log(["not a sample", rich_sample()]))
    report = Importer(None, max_bytes=10**8).run([path])
    assert report.files[0].errors == [f"{path}:/samples/0: expected a sample object, got a string"]
    assert report.files[0].imported == ["fix_calc/E1/calc-1/epoch-1"]


def test_log_level_problems_are_one_error(tmp_path: Path) -> None:
    no_samples = write_json(tmp_path / "header-only.json", {**json_log([]), "status": "error"})
    assert errors_of(no_samples) == [f"{no_samples}:/samples: eval log has no samples to import (status 'error')"]
    no_task = json_log([rich_sample()])
    del no_task["eval"]["task"]
    path = write_json(tmp_path / "no-task.json", no_task)
    assert errors_of(path, "inspect_ai") == [f"{path}:/eval/task: eval log has no task name"]
    truncated = tmp_path / "truncated.json"
    truncated.write_text(json.dumps(json_log([rich_sample()]))[:500])
    (error,) = errors_of(truncated)
    assert error.startswith(f"{truncated}:1:") and "invalid JSON" in error


def test_truncated_eval_zip_is_claimed_and_reported(tmp_path: Path) -> None:
    data = (FIXTURES / "log_read_sample.eval").read_bytes()
    path = tmp_path / "cut.eval"
    path.write_bytes(data[: len(data) // 2])
    assert formats.detect(Document(path, path.read_bytes())).name == "inspect_ai"
    (error,) = errors_of(path)
    assert error.startswith(f"{path}: not a readable .eval zip archive (truncated or corrupt?)")


def test_corrupt_member_and_bad_header_are_one_error_each(tmp_path: Path) -> None:
    members = eval_members(FIXTURES / "log_read_sample.eval")
    data = bytearray(write_eval(tmp_path / "ok.eval", members).read_bytes())
    data[data.index(b"samples/1_epoch_1.json") + 60] ^= 0xFF  # inside the deflate stream
    corrupt = tmp_path / "corrupt.eval"
    corrupt.write_bytes(bytes(data))
    (error,) = errors_of(corrupt)
    assert error.startswith(f"{corrupt}:samples/1_epoch_1.json: member samples/1_epoch_1.json ")
    raw = {name: json.dumps(value).encode() for name, value in members.items()}
    raw["header.json"] = b'{"version": 2, "eval": '
    bad_header = tmp_path / "bad-header.eval"
    bad_header.write_bytes(zip_bytes(raw))
    (error,) = errors_of(bad_header)
    assert error.startswith(f"{bad_header}:header.json:1:") and "invalid JSON" in error


# ----------------------------------------------------------------------------------------------
# End to end


def test_every_fixture_imports_and_validates(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([FIXTURES])
        assert report.ok, [e for f in report.files for e in f.errors]
        assert {f.format for f in report.files} == {"inspect_ai"}
        by_name = {Path(f.path).name: f for f in report.files}
        assert by_name["log_formats.eval"].imported == ["popularity/9eTnG3tV8jGRYoTPMH54Ee/1/epoch-1"]
        assert by_name["log_formats.json"].duplicates == [
            "popularity/9eTnG3tV8jGRYoTPMH54Ee/1/epoch-1"
        ]  # same log, other container
        ids = [i for f in report.files for i in f.imported]
        assert len(ids) == 3
        for trajectory_id in ids:
            d = store.trajectories.get(trajectory_id).to_dict()
            assert first_error("trajectory.schema", d) is None, trajectory_id
            assert d["source"]["format"] == "inspect_ai"


def test_synthetic_benchmark_logs_import(tmp_path: Path) -> None:
    paths = synth.write(tmp_path, 3, 40)
    assert [p.suffix for p in paths] == [".eval", ".eval", ".eval"]
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([tmp_path])
        assert report.ok, [e for f in report.files for e in f.errors]
        ids = [i for f in report.files for i in f.imported]
        assert len(ids) == 3
        t = store.trajectories.get(ids[0])
        assert 36 <= len(t.steps) <= 44 and t.file_edits and t.steps[2].thinking
    more = tmp_path / "more"
    more.mkdir()
    json_log_path = synth.write(more, 4, 20)[3]
    assert json_log_path.suffix == ".json" and len(trajectories(json_log_path)[0].steps) == 19


def test_archive_members_keep_to_the_callers_size_limit(tmp_path: Path) -> None:
    log = FIXTURES / "log_formats.eval"  # 4,095 bytes zipped; its biggest member is 8,105 bytes
    report = Importer(None, max_bytes=5000).run([log])  # --max-bytes 5000, whatever the environment says
    (file,) = report.files
    assert file.imported == [] and any("over the 5,000-byte limit" in e for e in file.errors), file.errors
    assert Importer(None, max_bytes=10**6).run([log]).ok


def _undecompressable(data: bytes) -> bytes:
    """The archive with every member's stored bytes overwritten (0xFF is no valid deflate block): any
    member read would be a "cannot be decompressed" error, so an archive refused whole read none."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            (name_length, extra_length) = struct.unpack_from("<HH", out, info.header_offset + 26)
            start = info.header_offset + 30 + name_length + extra_length
            out[start : start + info.compress_size] = b"\xff" * info.compress_size
    return bytes(out)


def test_an_archive_expanding_past_its_budget_is_refused_before_any_member_is_read(tmp_path: Path) -> None:
    limit = 100_000  # each member fits the limit; together they expand past ARCHIVE_EXPANSION times it
    members = {"header.json": b"{}", **{f"samples/{k}_epoch_1.json": b" " * limit for k in range(ARCHIVE_EXPANSION)}}
    path = tmp_path / "bomb.eval"
    path.write_bytes(_undecompressable(zip_bytes(members)))
    report = Importer(None, max_bytes=limit, format_name="inspect_ai").run([path])
    assert report.files[0].errors == [
        f"{path}: zip archive's members expand to {ARCHIVE_EXPANSION * limit + 2:,} bytes, over the"
        f" {ARCHIVE_EXPANSION * limit:,}-byte limit for an archive ({ARCHIVE_EXPANSION} x the {limit:,}-byte file limit)"
    ]


def test_an_archive_with_too_many_members_is_refused_from_its_end_record(tmp_path: Path) -> None:
    path = tmp_path / "many.eval"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(HEADER, b"{}")
        for k in range(MAX_ARCHIVE_MEMBERS):
            archive.writestr(f"samples/{k}_epoch_1.json", b"")
    started = time.perf_counter()
    with zipfile.ZipFile(path):  # what listing the directory alone costs
        listing = time.perf_counter() - started
    started = time.perf_counter()
    report = Importer(None, max_bytes=10**8).run([path])
    elapsed = time.perf_counter() - started
    assert report.files[0].format == "inspect_ai"
    assert report.files[0].errors == [
        f"{path}: zip archive has {MAX_ARCHIVE_MEMBERS + 1:,} members, over the {MAX_ARCHIVE_MEMBERS:,}-member limit"
    ]
    assert elapsed < 0.1 + listing / 4, (elapsed, listing)  # the refusal never even listed the members
