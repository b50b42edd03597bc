"""SWE-agent `.traj` files: 1.x and 0.x runs, RetryAgent `attempts`, and history-only demonstrations.

`history` is what the model saw, so it is the primary source. `trajectory` entries add what history
leaves out: each action's state and timing, actions the agent was made to redo (format errors,
blocked commands: kept as `requeried` on the step that replaced them), and the final action, whose
observation never reaches history because the run ended there. In-context demonstrations are folded
into metadata, not steps. `query` (the whole prompt, repeated per entry) and `response` (thought plus
action again) only repeat what the steps show and are left out; the store keeps the original bytes.

The helpers above `SweAgentFormat` are shared with the mini-SWE-agent importer (same family of files);
format-independent ones live in `shape`.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from reviewer.formats.build import TrajectoryBuilder, openai_tool_call, text_of
from reviewer.formats.edit_reconstruction import SHELL_TOOLS, WINDOW_EDIT_COMMANDS, FileTracker, snippet_diff
from reviewer.formats.shape import Malformed, dig, each, expect, guarded, leftovers, optional, whole_value
from reviewer.formats.text_calls import editor_arguments
from reviewer.formats.windows import Window, edit_between, windows_in
from reviewer.jsonio import Document, InputError
from reviewer.model import FileEdit, Outcome, Step, ToolCall, Trajectory


def file_stem(path: Path) -> str:
    """`pydicom__pydicom-1458` from `pydicom__pydicom-1458.traj` (or `.traj.json`, `.json`): SWE-agent names
    files after the instance."""
    name = path.name
    for suffix in (".traj.json", ".traj", ".json"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def thinking_of(item: dict[str, Any]) -> str | None:
    """Hidden reasoning from Anthropic `thinking_blocks` and litellm `reasoning_content`."""
    parts: list[str] = []
    blocks = item.get("thinking_blocks")
    for block in blocks if isinstance(blocks, list) else ():
        if isinstance(block, dict) and isinstance(block.get("thinking"), str):
            parts.append(block["thinking"])
        elif isinstance(block, dict) and block.get("type") == "redacted_thinking":
            parts.append("[redacted thinking]")
    if isinstance(item.get("reasoning_content"), str):
        parts.append(item["reasoning_content"])
    return "\n\n".join(p for p in parts if p.strip()) or None


def _looks_like_patch(text: str) -> bool:
    return text.lstrip().startswith("diff --git ") or bool(re.search(r"^--- .*\n\+\+\+ ", text, re.MULTILINE))


def split_submission(submission: Any) -> tuple[str | None, str | None, str | None]:
    """(final_patch, final_answer, note): a diff is the patch, anything else the answer.

    Submissions captured from a terminal come with CRLF line ends and a leading blank line; the patch
    is normalised (the note says so) so its per-file edits and the diff view read like any other diff."""
    if not isinstance(submission, str) or not submission.strip():
        return None, None, None
    if not _looks_like_patch(submission):
        return None, submission, None
    patch = submission.replace("\r\n", "\n").lstrip("\n")
    return patch, None, "CRLF line ends and leading blank lines removed" if patch != submission else None


def outcome_from(info: dict[str, Any]) -> Outcome:
    """Only a `resolved` flag is a grader verdict; exit statuses say how the run ended, not whether it passed."""
    resolved = info.get("resolved")
    return Outcome(grader_result=("pass" if resolved else "fail") if isinstance(resolved, bool) else None)


def _parse_json_string(value: Any) -> Any:
    """0.x stores `state` and the current writer `replay_config` as JSON inside a string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


# ---------------------------------------------------------------------------------------------------
# SWE-agent

_REQUERY_WINDOW = 32  # how far ahead an action's entry may be: SWE-agent requeries a few times per step, not more
_PROMPT_TRAILER = re.compile(r"\n?\(Open file: [^\n]*\)\n\(Current directory: [^\n]*\)\n?bash-\$\s*$")  # SWE-agent's shell prompt
_HISTORY_KEYS = frozenset(
    {"role", "content", "thought", "action", "tool_calls", "tool_call_ids", "thinking_blocks", "reasoning_content"}
)
_ENTRY_KEYS = frozenset({"action", "observation", "response", "thought", "query", "thinking_blocks", "reasoning_content"})
_RUN_KEYS = frozenset({"trajectory", "history", "info", "replay_config", "environment", "attempts"})


def _is_run(value: Any) -> bool:
    """A history whose messages name their `agent`, or trajectory entries with action and observation."""
    if not isinstance(value, dict):
        return False
    history, entries = value.get("history"), value.get("trajectory")
    if isinstance(history, list) and any(isinstance(m, dict) and "agent" in m and "role" in m for m in history[:3]):
        return True
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        first = entries[0]
        return "action" in first and ("observation" in first or "thought" in first) and "source" not in first
    return isinstance(history, list) and isinstance(entries, list) and isinstance(value.get("info"), dict)


class _RunReader:
    """One run (the file, or one RetryAgent attempt) into one trajectory."""

    def __init__(self, run: dict[str, Any], base: str):
        self.run, self.base = run, base
        self.b = TrajectoryBuilder()
        self.prompt: str | None = None
        self.pending: list[tuple[str | None, ToolCall]] = []  # (source id, call) of the latest action, unanswered
        self.text_actions: set[str] = set()  # calls parsed from a plain-text action string
        self.demos: list[dict[str, Any]] = []
        self.entries: list[dict[str, Any]] = []
        self.submitted: str | None = None  # what the last `submit` printed: the patch, when `info` has none
        self.next_entry = 0
        self.last_match: tuple[Step, int] | None = None

    def read(self) -> None:
        history = optional(self.run.get("history"), list, f"{self.base}/history", "a list of messages")
        entries = optional(self.run.get("trajectory"), list, f"{self.base}/trajectory", "a list of steps")
        for k, entry in enumerate(entries):
            expect(entry, dict, f"{self.base}/trajectory/{k}", "a trajectory step object")
        self.entries = entries
        each(history, f"{self.base}/history", self._message)
        self._rest_of_trajectory(history_steps=bool(self.b.steps))
        for edit, call_id in _EditScanner(self.text_actions).scan(self.b.steps):
            self.b.add_edit(edit, call_id)

    def _message(self, index: int, item: Any, pointer: str) -> None:
        expect(item, dict, pointer, "a message object")
        role = expect(item.get("role"), str, f"{pointer}/role", "the message role as a string")
        if item.get("is_demo") or item.get("message_type") == "demonstration":
            self.demos.append({"history_index": index, "role": role, "content": text_of(item.get("content"))})
            return
        meta = {"history_index": index, **leftovers(item, _HISTORY_KEYS)}
        if role == "assistant":
            self._assistant(item, pointer, meta)
        elif role == "tool":
            self._tool(item, pointer, meta)
        elif role == "user":
            self._user(item.get("content"), meta)
        elif role == "system":
            self.b.step("system", item.get("content"), metadata=meta)
        else:
            raise Malformed(f"{pointer}/role", f"unknown role {role!r} (expected system, user, assistant or tool)")

    def _assistant(self, item: dict[str, Any], pointer: str, meta: dict[str, Any]) -> None:
        calls = self._calls(item, pointer)
        thought = item.get("thought")
        text = thought if isinstance(thought, str) and thought.strip() else item.get("content")
        step = self.b.step("assistant", text, thinking=thinking_of(item), calls=calls, metadata=meta)
        self.pending = [(c.id if c.id not in self.text_actions else None, c) for c in calls]
        if isinstance(item.get("action"), str):
            self._align(step, item["action"])

    def _calls(self, item: dict[str, Any], pointer: str) -> list[ToolCall]:
        raw = item.get("tool_calls")
        if raw:
            expect(raw, list, f"{pointer}/tool_calls", "a list of tool calls")
            return [openai_tool_call(self.b, call, f"{pointer}/tool_calls/{j}") for j, call in enumerate(raw)]
        action = item.get("action")
        return [self._text_call(action)] if isinstance(action, str) and action.strip() else []

    def _text_call(self, action: str) -> ToolCall:
        """A plain-text action is one call named after its command (`edit`, `submit`, `python`...);
        an editor command line (`str_replace_editor create PATH --file_text ...`) gets the editor's
        arguments, the line kept as the call's raw arguments."""
        editor = editor_arguments(action) if action.startswith("str_replace_editor ") else None
        if editor is not None:
            call = self.b.call(None, "str_replace_editor", editor)
            call.raw_arguments = action
        else:
            call = self.b.call(None, action.split(maxsplit=1)[0], {"command": action})
        self.text_actions.add(call.id)
        return call

    def _tool(self, item: dict[str, Any], pointer: str, meta: dict[str, Any]) -> None:
        ids = item.get("tool_call_ids")
        if ids is None:
            ids = [item["tool_call_id"]] if item.get("tool_call_id") else []
        expect(ids, list, f"{pointer}/tool_call_ids", "a list of tool call ids")
        if len(ids) > 1:
            meta["tool_call_ids"] = ids  # one output for several calls: linked to the first
        self._result(ids[0] if ids else None, item.get("content"), meta)

    def _user(self, content: Any, meta: dict[str, Any]) -> None:
        """The first user turn is the task; later ones answer the pending action (0.x has no `tool` role)."""
        if self.prompt is None:
            self.prompt = text_of(content)
            self.b.step("user", content, metadata=meta)
        elif self.pending:
            self._result(None, content, meta)
        else:
            self.b.step("user", content, metadata=meta)

    def _result(self, call_id: Any, output: Any, meta: dict[str, Any]) -> None:
        """A result for the pending action; whether an edit was refused, the builder reads in its words.
        The call answered is the builder's pairing (ids repeat in real runs: the original id is not enough)."""
        text = text_of(output)
        step = self.b.result(call_id, text, metadata=meta)
        linked = step.tool_result.call_id if step.tool_result is not None else None
        answered = next((p for p in self.pending if p[1].id == linked), None)
        if answered is not None:
            self.pending.remove(answered)
            if answered[1].name == "submit":
                self.submitted = _PROMPT_TRAILER.sub("", text)
        at = text.rfind("(Current directory: ")
        if at >= 0 and (cwd := _CWD.match(text, at)):
            self.b.working_directory(cwd["path"].strip())  # SWE-agent's prompt names the shell's directory

    def _align(self, step: Step, action: str) -> None:
        """Attach the trajectory entry for this action (state, timing) and the requeried ones before it."""
        for k in range(self.next_entry, min(len(self.entries), self.next_entry + _REQUERY_WINDOW)):
            entry_action = self.entries[k].get("action")
            if isinstance(entry_action, str) and entry_action.strip() == action.strip():
                step.metadata.update(_entry_extras(self.entries[k], k))
                skipped = range(self.next_entry, k)
                if skipped:
                    step.metadata["requeried"] = [_requeried(self.entries[j], j) for j in skipped]
                self.next_entry, self.last_match = k + 1, (step, k)
                return

    def _rest_of_trajectory(self, *, history_steps: bool) -> None:
        """The last action's observation and the entries after it: the end of the run history never saw."""
        if self.last_match is not None and self.pending:
            step, k = self.last_match
            observation = self.entries[k].get("observation")
            if isinstance(observation, str) and self.pending[0][1] in step.tool_calls:
                self._result(None, observation, {"trajectory_index": k})
        rest = range(self.next_entry, len(self.entries))
        if history_steps and self.last_match is None:
            if rest:
                self.b.notes.append(f"{len(rest)} trajectory entries match no history action: kept out of the steps")
            return
        for k in rest:
            self._entry_steps(self.entries[k], k)

    def _entry_steps(self, entry: dict[str, Any], k: int) -> None:
        action, observation = entry.get("action"), entry.get("observation")
        thought = entry.get("thought")
        text = thought if isinstance(thought, str) and thought.strip() else entry.get("response")
        calls = [self._text_call(action)] if isinstance(action, str) and action.strip() else []
        self.b.step("assistant", text, thinking=thinking_of(entry), calls=calls, metadata=_entry_extras(entry, k))
        self.pending = [(None, c) for c in calls]
        if isinstance(observation, str) and calls:
            self._result(None, observation, {"trajectory_index": k})
        elif isinstance(observation, str) and observation:
            self.b.step("user", observation, metadata={"trajectory_index": k})


def _entry_extras(entry: dict[str, Any], k: int) -> dict[str, Any]:
    extras = leftovers(entry, _ENTRY_KEYS)
    if "state" in extras:
        extras["state"] = _parse_json_string(extras["state"])
    return {"trajectory_index": k, **extras}


def _requeried(entry: dict[str, Any], k: int) -> dict[str, Any]:
    kept = {key: value for key, value in entry.items() if key != "query"}
    if "state" in kept:
        kept["state"] = _parse_json_string(kept["state"])
    return {"trajectory_index": k, **kept}


# ---------------------------------------------------------------------------------------------------
# Edits made with SWE-agent's own commands

_CWD = re.compile(r"^\(Current directory: (?P<path>[^\n)]+)\)\s*$", re.MULTILINE)
_OPEN = re.compile(r"^\(Open file: (?P<path>[^\n)]+)\)\s*$", re.MULTILINE)
# `edit 12:15` (0.x, a line range) or a bare `edit` (cursor editors: the lines between the cursors), then the new lines
_EDIT_BODY = re.compile(
    r"edit(?:[ \t]+(?P<start>\d+):(?P<end>\d+))?[ \t]*\n(?P<body>.*?)^end_of_edit\b", re.DOTALL | re.MULTILINE
)


class _EditScanner:
    """FileEdits for SWE-agent's editor commands (`edit`, `create`, `insert`) and plain-text shell actions.

    The editors print a numbered window of the file after each command (`windows`). An edit between
    the last window shown of its file and the window it printed gets the changed lines with their
    real numbers (the whole file when a window showed all of it); otherwise it keeps what the command
    shows (a snippet hunk). A refused edit shows the window as it would have been and the original:
    the attempt is diffed from those, and the file's known state stays as the original shows it.
    """

    def __init__(self, text_actions: set[str]):
        self.text_actions = text_actions
        self.tracker = FileTracker()  # known whole contents, shared with heredoc/sed reconstruction
        self.windows: dict[str, Window] = {}  # the last window shown of each file, while it still holds
        self.cwd: str | None = None
        self.open_file: str | None = None

    def scan(self, steps: list[Step]) -> list[tuple[FileEdit, str]]:
        """(edit, id of the call that made it) for every edit, refused ones included."""
        results = {s.tool_result.call_id: s for s in steps if s.tool_result is not None}
        edits: list[tuple[FileEdit, str]] = []
        for step in steps:
            if step.role != "assistant":
                self._observe(step)
                continue
            for call in step.tool_calls:
                result = results.get(call.id)
                refused = result is not None and result.tool_result is not None and result.tool_result.is_error
                if refused and result is not None and call.name in WINDOW_EDIT_COMMANDS:
                    made = self._refused(call, step, result)
                else:
                    made = self._edits(call, step, result)
                edits += [(edit, call.id) for edit in made]
        return edits

    def _absolute(self, path: str) -> str:
        return posixpath.normpath(posixpath.join(self.cwd, path)) if self.cwd and not path.startswith("/") else path

    def _observe(self, step: Step) -> None:
        """What an output shows of the workspace: directory, open file, and the windows of files."""
        text = step.text
        if cwd := _CWD.search(text):
            self.cwd = cwd["path"].strip()
        if (opened := _OPEN.search(text)) and opened["path"].strip() != "n/a":
            self.open_file = opened["path"].strip()
        shown = windows_in(text)
        if step.tool_result is not None and step.tool_result.is_error:
            shown = shown[1:]  # a refused edit's first window is what would have been; the original follows
        for window in shown:
            self._saw(self._absolute(window.path), window)

    def _saw(self, path: str, window: Window) -> None:
        self.windows[path] = window
        if window.whole:
            self.tracker.known[path] = window.text()

    def _forget(self, path: str) -> None:
        self.windows.pop(path, None)
        self.tracker.known.pop(path, None)

    def _edits(self, call: ToolCall, step: Step, result: Step | None) -> list[FileEdit]:
        if call.name in WINDOW_EDIT_COMMANDS:
            return self._editor(call, step, result)
        command = call.arguments.get("command")
        if call.id in self.text_actions and call.name not in SHELL_TOOLS and isinstance(command, str):
            made = self.tracker.shell_edits(command, step.index, self.cwd)
            for edit in made:
                self.windows.pop(edit.path, None)  # the file changed under its window
            return made
        return []

    def _editor(self, call: ToolCall, step: Step, result: Step | None) -> list[FileEdit]:
        shown = windows_in(result.text) if result is not None else []
        view = shown[0] if shown else None
        path = self._absolute(view.path) if view else self._target(call, step)
        if not path:
            return []
        op = "create" if call.name == "create" else "modify"
        if view is None:
            self._forget(path)
            return [FileEdit(path, step.index, None, None, _snippet(call, path), "tool_call", op)]
        before = self._before(path, call.name == "create")
        found = edit_between(path, before, view, _added_text(call)) if before is not None else None
        self._forget(path)
        self._saw(path, view)
        if found is not None:
            return [FileEdit(path, step.index, found.before, found.after, found.diff, "observation", op)]
        after = view.text() if view.whole else None
        source = "observation" if after is not None else "tool_call"
        return [FileEdit(path, step.index, None, after, _snippet(call, path), source, op)]

    def _before(self, path: str, creates: bool) -> Window | None:
        """The file before an edit: all of it when known (a new file is empty), else its last window."""
        known = self.tracker.known.get(path)
        if known is None and creates:
            known = ""
        return Window.of_file(path, known) if known is not None else self.windows.get(path)

    def _refused(self, call: ToolCall, step: Step, result: Step) -> list[FileEdit]:
        """What a refused edit attempted: the would-be window against the original, else the command's snippet."""
        shown = windows_in(result.text)
        path = self._absolute(shown[0].path) if shown else self._target(call, step)
        if not path:
            return []
        op = "create" if call.name == "create" else "modify"
        found = edit_between(path, shown[1], shown[0], _added_text(call)) if len(shown) >= 2 else None
        if found is not None:
            return [FileEdit(path, step.index, found.before, found.after, found.diff, "observation", op)]
        return [FileEdit(path, step.index, None, None, _snippet(call, path), "tool_call", op)]

    def _target(self, call: ToolCall, step: Step) -> str | None:
        """The edited file when no view names it: the created name, the state after the step, the open file."""
        if call.name == "create":
            name = call.arguments.get("filename")
            words = str(call.arguments.get("command", "")).split()
            name = name if isinstance(name, str) else words[1] if len(words) > 1 else None
            if name:
                return self._absolute(name)
        state = step.metadata.get("state")
        open_file = state.get("open_file") if isinstance(state, dict) else None
        if isinstance(open_file, str) and open_file not in ("", "n/a"):
            return open_file
        return self.open_file


def _added_text(call: ToolCall) -> str | None:
    """The text an edit command writes (it must show in the window after it), None when it does not say."""
    args = call.arguments
    for key in ("replace", "replacement_text", "text"):
        if isinstance(args.get(key), str):
            return args[key].strip("\n")
    command = args.get("command")
    if isinstance(command, str) and (match := _EDIT_BODY.match(command.lstrip())):
        return match["body"].strip("\n")
    return None


def _snippet(call: ToolCall, path: str) -> str | None:
    """The hunk a command shows on its own: search/replace text, or the new lines for a line range."""
    args = call.arguments
    if isinstance(args.get("search"), str):
        return snippet_diff(path, args["search"], str(args.get("replace", "")))
    command = args.get("command")
    if isinstance(command, str) and (match := _EDIT_BODY.match(command.lstrip())):
        where = f"replaces lines {match['start']}-{match['end']}" if match["start"] else "replaces the lines between the cursors"
        return snippet_diff(path, "", match["body"].removesuffix("\n"), where)
    if isinstance(args.get("replacement_text"), str):
        where = f"replaces lines {args.get('start_line')}-{args.get('end_line')}"
        return snippet_diff(path, "", args["replacement_text"], where)
    if isinstance(args.get("text"), str):
        line = args.get("line")
        return snippet_diff(path, "", args["text"], f"insert after line {line}" if line is not None else "position unknown")
    return None


# ---------------------------------------------------------------------------------------------------


def _replay_config(run: dict[str, Any], pointer: str) -> dict[str, Any]:
    config = _parse_json_string(run.get("replay_config"))
    if config is None:
        return {}
    return expect(config, dict, f"{pointer}/replay_config", "the replay config as an object or JSON string")


def _config_summary(config: dict[str, Any]) -> dict[str, Any]:
    """The replay config without the prompt templates and tool docs (the system step already shows them)."""
    agent = config.get("agent")
    if not isinstance(agent, dict):
        return config
    return {**config, "agent": {k: v for k, v in agent.items() if k not in ("templates", "tools")}}


def _first_query_prompt(entries: list[dict[str, Any]]) -> str | None:
    """The task from the first entry's `query` (1.1+), for files whose history is missing."""
    query = entries[0].get("query") if entries else None
    for message in query if isinstance(query, list) else ():
        if isinstance(message, dict) and message.get("role") == "user":
            return text_of(message.get("content"))
    return None


def _format_version(run: dict[str, Any]) -> str:
    if "trajectory" not in run and "info" not in run:
        return "history-only"
    entries, history = run.get("trajectory") or [], run.get("history") or []
    old = any(isinstance(e, dict) and isinstance(e.get("state"), str) for e in entries)
    old = old or any(isinstance(m, dict) and m.get("agent") == "primary" for m in history)
    return "0.x" if old else "1.x"


def _run_metadata(
    run: dict[str, Any], info: dict[str, Any], config: dict[str, Any], demos: list[dict[str, Any]]
) -> dict[str, Any]:
    """Everything the run says that has no canonical field (the submission is the final patch)."""
    metadata = {"swe_agent_format": _format_version(run), **leftovers(run, _RUN_KEYS)}
    if "exit_status" in info:
        metadata["exit_status"] = info["exit_status"]
    if info:
        metadata["info"] = {k: v for k, v in info.items() if k != "submission"}
    if "environment" in run:
        metadata["environment"] = run["environment"]
    if config:
        metadata["replay_config"] = _config_summary(config)
    if demos:
        metadata["demonstrations"] = demos
    return metadata


def _read_run(doc: Document, run: Any, base: str, trajectory_id: str, extra: dict[str, Any]) -> Trajectory:
    expect(run, dict, base, "a SWE-agent run object")
    info = optional(run.get("info"), dict, f"{base}/info", "an info object")
    config = _replay_config(run, base)
    reader = _RunReader(run, base)
    reader.read()
    if not reader.b.steps:
        raise Malformed(base, "no messages in history and no trajectory entries: nothing to import")
    problem_statement = config.get("problem_statement")
    problem = problem_statement if isinstance(problem_statement, dict) else {}
    instance = problem.get("id") if isinstance(problem.get("id"), str) else None
    prompt = reader.prompt or _first_query_prompt(reader.entries) or text_of(problem.get("text"))
    submission = info["submission"] if isinstance(info.get("submission"), str) else reader.submitted
    final_patch, final_answer, note = split_submission(submission)
    model = dig(config, "agent", "model", "name")
    repo = dig(config, "env", "repo", "github_url") or dig(config, "env", "repo", "repo_name")
    metadata = {**_run_metadata(run, info, config, reader.demos), **extra}
    if note:
        metadata["final_patch_normalized"] = note
    return reader.b.build(
        id=trajectory_id, prompt=prompt, task_id=instance or file_stem(doc.path), repo=repo if isinstance(repo, str) else None,
        instance=instance, model=model if isinstance(model, str) else None, scaffold="swe-agent",
        outcome=outcome_from(info), final_patch=final_patch, final_answer=final_answer, metadata=metadata,
    )  # fmt: skip


class SweAgentFormat:
    name = "swe-agent"
    suffixes: tuple[str, ...] = (".traj",)

    def sniff(self, doc: Document) -> bool:
        value = whole_value(doc)
        if isinstance(value, dict) and isinstance(value.get("attempts"), list) and value["attempts"]:
            return _is_run(value["attempts"][0])
        return _is_run(value)

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        try:
            value = doc.value
        except InputError as exc:
            yield None, exc
            return
        stem = file_stem(doc.path)
        attempts = value.get("attempts") if isinstance(value, dict) else None
        if not isinstance(attempts, list) or not attempts:
            yield None, guarded(doc, None, partial(_read_run, doc, value, "", stem, {}))
            return
        top_info = value.get("info") if isinstance(value.get("info"), dict) else {}
        best = top_info.get("best_attempt_idx")
        for k, attempt in enumerate(attempts):
            retry: dict[str, Any] = {"attempt": k, "attempts": len(attempts), "best_attempt_idx": best}
            if k == best:
                retry["retry_info"] = {key: v for key, v in top_info.items() if key != "submission"}
            place = f"/attempts/{k}"
            yield (
                place,
                guarded(doc, None, partial(_read_run, doc, attempt, place, f"{stem}/attempt_{k}", {"retry_agent": retry})),
            )
