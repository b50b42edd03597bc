"""One run written in each agent format the set covers, in the shape the real fixtures show.

Each renderer follows the fixture of its format in tests/fixtures/ (named in its docstring): the same
keys, tool names and result wording, so `reviewer import` reads the set through the real importers.
Formats whose agents only have a shell (mini-SWE-agent's message loop) write files with here-documents
holding the whole new content, as those agents do; the content comes from a virtual workspace that
follows every write of the run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.eval_build.model import Bash, Call, Create, Edit, Fetch, Run, View

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _times() -> Iterator[str]:
    t = START
    while True:
        yield t.isoformat().replace("+00:00", "Z")
        t += timedelta(seconds=7)


class Workspace:
    """File contents as the run leaves them, so shell-only formats can write whole files."""

    def __init__(self, files: dict[str, str]):
        self.files = dict(files)

    def apply(self, call: Call) -> str | None:
        """The file's new content after a write, or None for calls that write nothing."""
        if isinstance(call, Create):
            self.files[call.path] = call.content
            return call.content
        if isinstance(call, Edit):
            before = self.files.get(call.path)
            if before is None or before.count(call.old) != 1:
                raise ValueError(f"{call.path}: the edit's old text must occur once")
            self.files[call.path] = before.replace(call.old, call.new)
            return self.files[call.path]
        return None


def shell_command(call: Call, workspace: Workspace) -> str:
    """The call as one shell command (a here-document for writes)."""
    if isinstance(call, Bash):
        return call.command
    if isinstance(call, View):
        return f"cat {call.path}"
    if isinstance(call, Fetch):
        return f"curl -sL {call.url}"
    content = workspace.apply(call)
    assert content is not None
    return f"cat <<'EOF' > {call.path}\n{content.rstrip(chr(10))}\nEOF"


def editor_arguments(call: Call, workspace: Workspace) -> tuple[str, dict[str, Any]]:
    """SWE-agent / OpenHands style: `bash` and `str_replace_editor`. Their `create` refuses an existing
    file, so rewriting one is a `str_replace` of its whole content, as agents on those editors do."""
    if isinstance(call, Bash):
        return "bash", {"command": call.command}
    if isinstance(call, View):
        return "str_replace_editor", {"command": "view", "path": call.path}
    if isinstance(call, Fetch):
        return "web_fetch", {"url": call.url}
    before = workspace.files.get(call.path)
    after = workspace.apply(call)
    if isinstance(call, Create) and before is None:
        return "str_replace_editor", {"command": "create", "path": call.path, "file_text": call.content}
    old, new = (call.old, call.new) if isinstance(call, Edit) else (before, after)
    return "str_replace_editor", {"command": "str_replace", "path": call.path, "old_str": old, "new_str": new}


def native(run: Run, files: dict[str, str]) -> str:
    """The project's own format (schemas/trajectory.schema.json, as sample_data/ writes it)."""
    times = _times()
    workspace = Workspace(files)
    edits: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = [
        {"index": 0, "role": "system", "text": run.system, "timestamp": next(times)},
        {"index": 1, "role": "user", "text": run.prompt, "timestamp": next(times)},
    ]
    final = ""
    for n, turn in enumerate(run.turns):
        step: dict[str, Any] = {"index": len(steps), "role": "assistant", "text": turn.text, "timestamp": next(times)}
        if turn.thinking:
            step["thinking"] = turn.thinking
        if turn.call is None:
            steps.append(step)
            final = turn.text
            continue
        before = workspace.files.get(turn.call.path) if isinstance(turn.call, Create | Edit) else None
        name, arguments = editor_arguments(turn.call, workspace)
        step["tool_calls"] = [{"id": f"call_{n}", "name": name, "arguments": arguments}]
        if isinstance(turn.call, Create | Edit):
            after = workspace.files[turn.call.path]
            edits.append({"path": turn.call.path.removeprefix("/repo/"), "step": step["index"], "before": before,
                          "after": after, "source": "tool_call", "op": "modify" if before is not None else "create",
                          "status": "applied"})  # fmt: skip
        steps.append(step)
        steps.append({
            "index": len(steps), "role": "tool", "text": turn.output,
            "tool_result": {"call_id": f"call_{n}", "is_error": turn.error}, "timestamp": next(times),
        })  # fmt: skip
    doc = {
        "schema_version": 2, "id": run.id, "source": {"format": "native"},
        "task": {"id": run.meta.get("task", run.id), "prompt": run.prompt},
        "agent": {"model": run.model, "scaffold": "custom"}, "steps": steps, "file_edits": edits, "final_answer": final,
    }  # fmt: skip
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def openai_chat(run: Run, files: dict[str, str]) -> str:
    """OpenAI chat messages with `tool_calls` (tests/fixtures/openai_chat/tb_airline.json, docent's wrapper)."""
    workspace = Workspace(files)
    messages: list[dict[str, Any]] = [{"role": "system", "content": run.system}, {"role": "user", "content": run.prompt}]
    for n, turn in enumerate(run.turns):
        message: dict[str, Any] = {"role": "assistant", "content": turn.text}
        if turn.thinking:
            message["reasoning_content"] = turn.thinking
        if turn.call is not None:
            name, arguments = editor_arguments(turn.call, workspace)
            message["tool_calls"] = [
                {
                    "id": f"call_{run.id[:8]}_{n}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(arguments)},
                }
            ]
        messages.append(message)
        if turn.call is not None:
            messages.append({"role": "tool", "tool_call_id": f"call_{run.id[:8]}_{n}", "content": turn.output})
    return json.dumps({"task_id": run.id, "reward": None, "messages": messages}, indent=1, ensure_ascii=False) + "\n"


def claude_code(run: Run, files: dict[str, str]) -> str:
    """Claude Code session JSONL (tests/fixtures/claude_code/tool_call_conversation.jsonl): Bash, Read, Write, Edit, WebFetch."""
    times = _times()
    lines: list[dict[str, Any]] = []
    base = {
        "isSidechain": False,
        "userType": "external",
        "cwd": "/repo",
        "sessionId": run.id,
        "version": "2.0.76",
        "gitBranch": "main",
    }

    def add(kind: str, message: dict[str, Any]) -> None:
        parent = lines[-1]["uuid"] if lines else None
        lines.append(
            {
                "uuid": f"{run.id}-{len(lines):03d}",
                "parentUuid": parent,
                **base,
                "type": kind,
                "message": message,
                "timestamp": next(times),
            }
        )

    add("user", {"role": "user", "content": run.prompt})
    for n, turn in enumerate(run.turns):
        content: list[dict[str, Any]] = []
        if turn.thinking:
            content.append({"type": "thinking", "thinking": turn.thinking, "signature": "sig"})
        if turn.text:
            content.append({"type": "text", "text": turn.text})
        if turn.call is not None:
            content.append({"type": "tool_use", "id": f"toolu_{n:03d}", **_claude_tool(turn.call)})
        add("assistant", {"id": f"msg_{n:03d}", "model": run.model, "type": "message", "role": "assistant", "content": content,
                          "stop_reason": "tool_use" if turn.call else "end_turn"})  # fmt: skip
        if turn.call is not None:
            result = {"type": "tool_result", "tool_use_id": f"toolu_{n:03d}", "content": turn.output}
            if turn.error:
                result["is_error"] = True
            add("user", {"role": "user", "content": [result]})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def _claude_tool(call: Call) -> dict[str, Any]:
    if isinstance(call, Bash):
        return {"name": "Bash", "input": {"command": call.command}}
    if isinstance(call, View):
        return {"name": "Read", "input": {"file_path": call.path}}
    if isinstance(call, Create):
        return {"name": "Write", "input": {"file_path": call.path, "content": call.content}}
    if isinstance(call, Edit):
        return {"name": "Edit", "input": {"file_path": call.path, "old_string": call.old, "new_string": call.new}}
    return {"name": "WebFetch", "input": {"url": call.url, "prompt": "Show the change"}}


def mini_swe_agent(run: Run, files: dict[str, str]) -> str:
    """mini-SWE-agent's message-only loop (tests/fixtures/mini-swe-agent/local.traj.json): one fenced command a turn."""
    workspace = Workspace(files)
    messages: list[dict[str, Any]] = [{"role": "system", "content": run.system}, {"role": "user", "content": run.prompt}]
    for turn in run.turns:
        thought = f"THOUGHT: {turn.thinking}\n\n{turn.text}".strip() if turn.thinking else f"THOUGHT: {turn.text}"
        if turn.call is None:
            messages.append(
                {"role": "assistant", "content": f"{thought}\n\n```bash\necho COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n```"}
            )
            messages.append({"role": "user", "content": ""})
            continue
        command = shell_command(turn.call, workspace)
        messages.append({"role": "assistant", "content": f"{thought}\n\n```bash\n{command}\n```"})
        code = 1 if turn.error else 0
        messages.append({"role": "user", "content": f"<returncode>{code}</returncode>\n<output>\n{turn.output}\n</output>"})
    return json.dumps(messages, indent=1, ensure_ascii=False) + "\n"


def swe_agent(run: Run, files: dict[str, str]) -> str:
    """SWE-agent 1.x function calling (tests/fixtures/swe-agent/function_calling_replace/…traj): history and trajectory."""
    workspace = Workspace(files)
    history: list[dict[str, Any]] = [
        {"role": "system", "content": run.system, "agent": "main", "message_type": "system_prompt"},
        {"role": "user", "content": run.prompt, "agent": "main", "message_type": "observation"},
    ]
    trajectory: list[dict[str, Any]] = []
    submission = ""
    for n, turn in enumerate(run.turns):
        if turn.call is None:
            submission = turn.text
            thought = "\n\n".join(filter(None, [turn.thinking, turn.text]))
            history.append(
                {
                    "role": "assistant",
                    "content": thought,
                    "thought": thought,
                    "action": "submit",
                    "agent": "main",
                    "message_type": "action",
                }
            )
            continue
        call = turn.call if not isinstance(turn.call, Fetch) else Bash(f"curl -sL {turn.call.url}")
        name, arguments = editor_arguments(call, workspace)
        action = arguments["command"] if name == "bash" else f"str_replace_editor {arguments['command']} {arguments['path']}"
        thought = "\n\n".join(filter(None, [turn.thinking, turn.text]))
        tool_call = {"function": {"arguments": json.dumps(arguments), "name": name}, "id": f"call_{n}", "type": "function"}
        history.append({"message_type": "action", "role": "assistant", "content": thought, "thought": thought, "action": action,
                        "agent": "main", "tool_calls": [tool_call]})  # fmt: skip
        history.append(
            {
                "message_type": "observation",
                "role": "tool",
                "content": turn.output,
                "agent": "main",
                "tool_call_ids": [f"call_{n}"],
            }
        )
        trajectory.append({"action": action, "observation": turn.output, "response": thought, "thought": thought,
                           "execution_time": 0.5, "state": {"open_file": "n/a", "working_dir": "/repo"}})  # fmt: skip
    info = {"exit_status": "submitted", "submission": submission, "model_stats": {"api_calls": len(run.turns)}}
    doc = {"environment": "swe_main", "trajectory": trajectory, "history": history, "info": info, "replay_config": None}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def openhands(run: Run, files: dict[str, str]) -> str:
    """OpenHands V0 event list (tests/fixtures/openhands/multi_swe_bench_output.jsonl's `history`): run, read, edit, finish."""
    workspace = Workspace(files)
    times = _times()
    events: list[dict[str, Any]] = [
        {"id": 0, "timestamp": next(times), "source": "user", "message": run.prompt, "action": "message",
         "args": {"content": run.prompt, "image_urls": None, "wait_for_response": False}},
    ]  # fmt: skip
    for n, turn in enumerate(run.turns):
        thought = "\n\n".join(filter(None, [turn.thinking, turn.text]))
        meta = {"function_name": "", "tool_call_id": f"toolu_{n:02d}", "total_calls_in_response": 1}
        if turn.call is None:
            events.append({"id": len(events), "timestamp": next(times), "source": "agent", "message": turn.text,
                           "action": "finish", "tool_call_metadata": {**meta, "function_name": "finish"},
                           "args": {"outputs": {}, "thought": thought}})  # fmt: skip
            continue
        call = turn.call if not isinstance(turn.call, Fetch) else Bash(f"curl -sL {turn.call.url}")
        action_id = len(events)
        if isinstance(call, Bash):
            meta["function_name"] = "execute_bash"
            events.append(
                {
                    "id": action_id,
                    "timestamp": next(times),
                    "source": "agent",
                    "message": f"Running command: {call.command}",
                    "action": "run",
                    "tool_call_metadata": meta,
                    "args": {"command": call.command, "is_input": False, "thought": thought},
                }
            )
            events.append({"id": action_id + 1, "timestamp": next(times), "source": "agent",
                           "message": f"Command `{call.command}` executed with exit code {int(turn.error)}.",
                           "cause": action_id, "observation": "run", "tool_call_metadata": meta, "content": turn.output,
                           "extras": {"command": call.command, "metadata": {"exit_code": int(turn.error)}}})  # fmt: skip
            continue
        meta["function_name"] = "str_replace_editor"
        _, arguments = editor_arguments(call, workspace)
        kind = "read" if isinstance(call, View) else "edit"
        args = {"path": arguments["path"], "thought": thought}
        if kind == "edit":
            args.update({"command": arguments["command"], "file_text": arguments.get("file_text"),
                         "old_str": arguments.get("old_str"), "new_str": arguments.get("new_str"), "insert_line": None,
                         "content": "", "start": 1, "end": -1})  # fmt: skip
        verb = "read" if kind == "read" else "edited"
        events.append(
            {
                "id": action_id,
                "timestamp": next(times),
                "source": "agent",
                "message": f"{'Reading' if kind == 'read' else 'Editing'} file: {args['path']}",
                "action": kind,
                "tool_call_metadata": meta,
                "args": args,
            }
        )
        events.append({"id": action_id + 1, "timestamp": next(times), "source": "agent",
                       "message": f"I {verb} the file {args['path']}.", "cause": action_id, "observation": kind,
                       "tool_call_metadata": meta, "content": turn.output, "extras": {"path": args["path"]}})  # fmt: skip
    return json.dumps(events, indent=1, ensure_ascii=False) + "\n"


def inspect_ai(run: Run, files: dict[str, str]) -> str:
    """Inspect AI eval log JSON (tests/fixtures/inspect_ai/log_tool_call_error.json): `bash` with `cmd`, `text_editor`."""
    workspace = Workspace(files)
    messages: list[dict[str, Any]] = [{"role": "system", "content": run.system}, {"role": "user", "content": run.prompt}]
    for n, turn in enumerate(run.turns):
        message: dict[str, Any] = {"role": "assistant", "content": turn.text, "source": "generate", "model": run.model}
        if turn.thinking:
            message["content"] = [{"type": "reasoning", "reasoning": turn.thinking}, {"type": "text", "text": turn.text}]
        call = turn.call if not isinstance(turn.call, Fetch) else (Bash(f"curl -sL {turn.call.url}") if turn.call else None)
        if call is not None:
            if isinstance(call, Bash):
                name, arguments = "bash", {"cmd": call.command}
            else:
                _, arguments = editor_arguments(call, workspace)
                name = "text_editor"
            message["tool_calls"] = [{"id": f"call_{n}", "function": name, "arguments": arguments, "type": "function"}]
        messages.append(message)
        if call is not None:
            tool: dict[str, Any] = {
                "role": "tool",
                "tool_call_id": f"call_{n}",
                "function": message["tool_calls"][0]["function"],
                "content": turn.output,
            }
            if turn.error:
                tool["error"] = {"type": "unknown", "message": turn.output[:200]}
            messages.append(tool)
    sample = {"id": run.id, "epoch": 1, "input": run.prompt, "target": "", "messages": messages,
              "output": {"model": run.model, "choices": []}, "metadata": {}}  # fmt: skip
    created = START.isoformat()
    doc = {
        "version": 2, "status": "success",
        "eval": {"run_id": run.id, "created": created, "task": run.meta.get("task", "eval-set"), "task_id": run.id,
                 "task_version": 0, "dataset": {"name": "eval-set", "samples": 1, "sample_ids": [run.id]},
                 "model": run.model, "config": {}},
        "plan": {"name": "plan", "steps": [{"solver": "basic_agent", "params": {}}]},
        "stats": {"started_at": created, "completed_at": created, "model_usage": {}},
        "samples": [sample],
    }  # fmt: skip
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


FORMATS: dict[str, tuple[str, Callable[[Run, dict[str, str]], str]]] = {
    "native": (".json", native),
    "openai_chat": (".json", openai_chat),
    "claude_code": (".jsonl", claude_code),
    "mini_swe_agent": (".traj.json", mini_swe_agent),
    "swe_agent": (".traj", swe_agent),
    "openhands": (".json", openhands),
    "inspect_ai": (".json", inspect_ai),
}
