"""An example format plugin: plain-text transcripts (`*.transcript.txt`).

    # transcript: fix-add
    ## user
    Make the tests pass.
    ## assistant
    Running them first.
    $ pytest -q
    ## tool
    1 failed

The first line names the run; each `## <role>` line starts a step; a `$ ` line in an assistant step is
a shell call, answered by the `## tool` step after it. `TrajectoryBuilder` pairs calls and results and
reconstructs file edits from shell writes; errors are `InputError`s naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from reviewer.formats.build import TrajectoryBuilder
from reviewer.jsonio import Document, InputError
from reviewer.model import Trajectory

_TITLE = re.compile(r"^# transcript: (\S+)\s*$")
_ROLE = re.compile(r"^## (user|assistant|tool|system)\s*$")


class TranscriptFormat:
    name = "transcript"
    suffixes: tuple[str, ...] = (".transcript.txt",)

    def sniff(self, doc: Document) -> bool:
        return bool(_TITLE.match(doc.text.split("\n", 1)[0]))

    def read(self, doc: Document) -> Iterator[tuple[str | None, Trajectory | InputError]]:
        lines = doc.text.splitlines()
        title = _TITLE.match(lines[0]) if lines else None
        if title is None:
            yield None, InputError(doc.name, "1", "not a transcript: the first line must be '# transcript: <id>'")
            return
        b = TrajectoryBuilder()
        sections: list[tuple[int, str, list[str]]] = []
        for number, line in enumerate(lines[1:], start=2):
            role = _ROLE.match(line)
            if role:
                sections.append((number, role.group(1), []))
            elif sections:
                sections[-1][2].append(line)
            elif line.strip():
                yield None, InputError(doc.name, str(number), "text before the first '## <role>' line")
                return
        for _, role, body in sections:
            if role == "tool":
                b.result(None, "\n".join(body))
                continue
            calls = [
                b.call(None, "bash", {"command": line[2:]}) for line in body if role == "assistant" and line.startswith("$ ")
            ]
            text = "\n".join(line for line in body if not (role == "assistant" and line.startswith("$ ")))
            b.step(role, text, calls=calls)
        prompt = next((s.text for s in b.steps if s.role == "user"), "")
        yield None, b.build(id=title.group(1), prompt=prompt, scaffold="transcript")
