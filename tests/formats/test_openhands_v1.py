"""OpenHands V1 conversation folders: the real conversation checked by hand against its event files, a
conversation written for this project from software-agent-sdk's event classes
(`openhands-sdk/openhands/sdk/event/llm_convertible/{action,observation,message}.py`, the file editor's
`FileEditorObservation`), folder handling, and bad event files as one line each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.synth import openhands_v1 as synth
from reviewer import formats
from reviewer.formats.openhands_v1 import OpenhandsV1Format
from reviewer.importer import Importer, collect
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory
from reviewer.schemas import first_error
from reviewer.store import Store
from tests.formats import imported, only_error, synthetic_one

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openhands_v1"
REAL = FIXTURES / "cd94562403b9487ebdd4018e3f531dfd"
WRITTEN = FIXTURES / "7f3e0c2a9b5d4e61a8c0f1d2e3b4a596"
# software-agent-sdk's tool-change restore probe (`.pr/artifacts/20260121-223755/`): a `ProbeAgent`, a stubbed model
RESTORED = FIXTURES / "3fdb316098bb48e1aa029ce56805792a"


def read(path: Path) -> tuple[list[InputError], Trajectory | None]:
    items = [item for _, item in OpenhandsV1Format().read(Document(path, path.read_bytes()))]
    trajectories = [i for i in items if isinstance(i, Trajectory)]
    return [i for i in items if isinstance(i, InputError)], trajectories[0] if trajectories else None


def test_real_conversation_events_in_order() -> None:
    errors, t = read(REAL / "base_state.json")
    assert errors == [] and t is not None
    assert (t.id, t.agent.model, t.agent.scaffold) == ("cd945624-03b9-487e-bdd4-018e3f531dfd", "openai/gpt-4o-mini", "openhands")
    # 8 events: system prompt, user message, terminal action + observation, finish action + observation, user, agent message
    assert [s.role for s in t.steps] == ["system", "user", "assistant", "tool", "assistant", "tool", "user", "assistant"]
    assert t.steps[0].text.startswith("You are OpenHands agent, a helpful AI assistant") and t.steps[0].metadata == {
        "system_prompt": True
    }
    assert t.task.prompt == (
        "Use the terminal tool to run `pwd` and write the output to tool_output.txt. Reply with a short confirmation once done."
    )
    [call] = t.steps[2].tool_calls
    assert (call.id, call.name) == ("call_KaQ0kUcBb5tbMzhxbIx9dvoZ", "terminal")
    assert call.arguments == {
        "command": "pwd > tool_output.txt",
        "security_risk": "LOW",
        "summary": "Get current directory and write to tool_output.txt",
    }
    assert t.steps[3].tool_result is not None and (t.steps[3].tool_result.call_id, t.steps[3].tool_result.is_error) == (
        call.id,
        False,
    )
    assert t.steps[3].text == "\n[The command completed with exit code 0.]"  # empty output framed by the terminal's suffix
    assert (
        t.steps[4].tool_calls[0].name == "finish"
        and t.steps[5].text == "The current directory has been written to tool_output.txt."
    )
    assert (
        t.final_answer
        == "I executed the `pwd` command to get the current directory and saved the output to a file named `tool_output.txt`."
    )
    assert t.metadata["state"]["execution_status"] == "finished" and "api_key" not in json.dumps(t.metadata)
    assert t.metadata["state"]["usage"]["accumulated_cost"] == 0.00122745


def test_a_restored_conversation_with_its_own_agent_kind_and_a_system_prompt_update() -> None:
    """The SDK's own probe conversation, checked by hand: its state names a `ProbeAgent` (the folder was
    "unknown format"), and a restore that added the terminal tool wrote a `SystemPromptUpdateEvent`
    between the first answer and the second message (it was skipped: the tools seemed unchanged)."""
    for member in (RESTORED / "base_state.json", next((RESTORED / "events").glob("event-00004-*.json"))):
        assert formats.detect(Document(member, member.read_bytes())).name == "openhands_v1"
    errors, t = read(RESTORED / "base_state.json")
    assert errors == [] and t is not None
    assert (t.id, t.agent.model, t.task.prompt) == (
        "3fdb3160-98bb-48e1-aa02-9ce56805792a", "gpt-4o-mini", "Hello. Please confirm you can see my tools.",
    )  # fmt: skip
    # 11 events: system prompt, (user, finish, observation), system prompt update, (user, finish, observation) x 2
    roles = ["system", "user", "assistant", "tool", "system", "user", "assistant", "tool", "user", "assistant", "tool"]
    assert [s.role for s in t.steps] == roles
    assert t.steps[4].metadata == {"system_prompt": True, "update": "tools_changed"}
    assert t.steps[4].text == "You are a helpful assistant for this probe test."
    assert [s.text for s in t.steps if s.role == "user"] == [
        "Hello. Please confirm you can see my tools.",
        "Now I added another tool. Please confirm you can see it.",
        "What tools do you have available?",
    ]
    calls = [c for s in t.steps for c in s.tool_calls]
    assert [(c.id, c.name, c.arguments) for c in calls] == [
        (call, "finish", {"message": "ok (stubbed LLM response)"}) for call in ("call_f8e54748", "call_c4fd2149", "call_78cc7b67")
    ]
    assert [(s.tool_result.call_id, s.tool_result.is_error) for s in t.steps if s.tool_result] == [
        (c.id, False) for c in calls
    ]  # fmt: skip
    assert t.metadata["tools"] == ["file_editor", "terminal", "finish", "think"] and "skipped_events" not in t.metadata
    assert t.final_answer == "ok (stubbed LLM response)" and t.file_edits == []


def test_written_conversation_pairs_edits_and_refusals() -> None:
    errors, t = read(WRITTEN / "base_state.json")
    assert errors == [] and t is not None
    roles = "system user assistant tool assistant tool tool assistant tool assistant tool tool system assistant tool".split()
    assert [s.role for s in t.steps] == roles
    assert (t.steps[2].text, t.steps[2].thinking) == ("Run the tests first.", "Start by seeing what fails.")
    assert t.steps[3].tool_result is not None and t.steps[3].tool_result.is_error is True  # exit code 1
    assert [c.id for c in t.steps[4].tool_calls] == ["call_2", "call_3"]  # one LLM response (chatcmpl-2), two actions
    assert t.steps[8].text == "Action rejected: Do not edit the tests." and t.steps[8].tool_result.is_error is True  # type: ignore[union-attr]
    assert t.steps[10].tool_result is not None and t.steps[10].tool_result.is_error is True  # is_error in the observation
    assert (
        t.steps[11].tool_result is None and t.steps[11].metadata["unpaired_call_id"] == "call_6"
    )  # an error for a call never made
    assert t.steps[12].metadata == {"compaction": True, "kind": "Condensation"}
    assert [(e.path, e.step, e.op, e.status, e.source) for e in t.file_edits if e.status == "applied"] == [
        ("/workspace/calc.py", 4, "modify", "applied", "observation"),
        ("/workspace/NOTES.md", 4, "create", "applied", "observation"),
    ]
    assert t.file_edits[0].before == "def add(a, b):\n    return a - b\n" and t.file_edits[1].before == ""
    assert not any(e.path.endswith("test_calc.py") and e.status == "applied" for e in t.file_edits)  # the rejected edit
    assert t.final_answer == "Fixed add(); the tests pass."
    assert t.metadata["skipped_events"] == {"ConversationStateUpdateEvent": 1} and "GITHUB_TOKEN" not in json.dumps(t.metadata)


def test_every_file_stands_for_the_conversation() -> None:
    files = [REAL / "base_state.json", *sorted((REAL / "events").iterdir())]
    for path in files:
        assert formats.lead_file(path) == REAL / "base_state.json"
        assert [f.name for f in formats.formats() if f.sniff(Document(path, path.read_bytes()))] == ["openhands_v1"]
    assert collect([REAL]).files == [REAL / "base_state.json"]
    assert collect([REAL / "events"]).files == [files[1]]  # events/ of a conversation: its first file stands for it
    _, t = read(files[3])  # an event file given alone reads its conversation
    assert t is not None and len(t.steps) == 8


def test_a_conversation_without_state_is_read_through_its_first_event(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    shutil.copytree(REAL / "events", folder / "events")
    first = sorted((folder / "events").iterdir())[0]
    assert {formats.lead_file(p) for p in (folder / "events").iterdir()} == {first}
    report = Importer(None, max_bytes=10**8).run([folder])
    assert [(Path(f.path).name, f.imported) for f in report.files] == [(first.name, ["conv"])]


def test_a_broken_event_is_one_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    shutil.copytree(WRITTEN, folder)
    broken = sorted((folder / "events").iterdir())[5]
    broken.write_text('{"kind": "ObservationEvent", "id": "x", "observation": ', encoding="utf-8")
    odd = sorted((folder / "events").iterdir())[6]
    odd.write_text(json.dumps({"kind": "ActionEvent", "id": "y", "tool_call": "not an object"}), encoding="utf-8")
    errors, t = read(folder / "base_state.json")
    assert [e.file for e in errors] == [str(broken), str(odd)]
    assert "invalid JSON" in errors[0].message and str(errors[1]) == f"{odd}:/tool_call: expected an object, got a string"
    assert t is not None and t.metadata["unreadable_events"] == [f"events/{broken.name}", f"events/{odd.name}"]
    with Store(tmp_path / "p.db") as store:
        report = Importer(store, max_bytes=10**8).run([folder])
    assert [i for f in report.files for i in f.imported] == ["7f3e0c2a-9b5d-4e61-a8c0-f1d2e3b4a596"]
    assert len([e for f in report.files for e in f.errors]) == 2


def test_an_event_leading_out_of_the_folder_is_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    shutil.copytree(REAL, folder)
    last = sorted((folder / "events").iterdir())[-1]
    (tmp_path / "outside.json").write_text(last.read_text())
    last.unlink()
    last.symlink_to(tmp_path / "outside.json")
    _, t = read(folder / "base_state.json")
    assert t is not None and len(t.steps) == 7
    assert t.metadata["import_notes"] == [f"events/{last.name}: symbolic link leading outside {folder}: not read"]


def test_no_events_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "conv"
    (folder / "events").mkdir(parents=True)
    shutil.copy(REAL / "base_state.json", folder)
    assert (
        only_error(folder / "base_state.json", "openhands_v1")
        == f"{folder / 'events'}: OpenHands V1 conversation with no event files: nothing to import"
    )


def test_fixtures_import_and_validate(tmp_path: Path) -> None:
    with imported(tmp_path, [FIXTURES]) as (store, report):
        assert sorted(i for f in report.files for i in f.imported) == [
            "3fdb3160-98bb-48e1-aa02-9ce56805792a",
            "7f3e0c2a-9b5d-4e61-a8c0-f1d2e3b4a596",
            "cd945624-03b9-487e-bdd4-018e3f531dfd",
        ]
        assert len(report.files) == 3 and report.skipped == []
        for f in report.files:
            stored = store.trajectories.get(f.imported[0])
            assert stored is not None and first_error("trajectory.schema", stored.to_dict()) is None


def test_synthetic_conversations_import(tmp_path: Path) -> None:
    t = synthetic_one(tmp_path, synth, 22, "synth-openhands-v1-000001")
    assert [(e.step, e.op, e.source) for e in t.file_edits][:1] == [(8, "create", "observation")]
