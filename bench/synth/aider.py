"""Synthetic Aider chat histories for the import benchmark.

Each project folder holds a `.aider.chat.history.md` with one session written as Aider writes it:
the header, the start-up console lines, then turns of a request (`#### `), a reply with one
SEARCH/REPLACE block (every third reply edits the test file instead and fails to match), and the
console lines that follow (tokens, `Applied edit to …` or the SearchReplaceNoExactMatch report).
`steps` counts the canonical steps an import produces. Deterministic: the same arguments write the
same bytes; the paths returned are the history files.
"""

from __future__ import annotations

from pathlib import Path

BANNER = (
    "> aider src/calc.py  \n> Aider v0.86.1  \n> Main model: claude-sonnet-4-5 with diff edit format  \n"
    "> Git repo: .git with 12 files  \n> Added src/calc.py to the chat.  \n"
)


def _turn(turn: int) -> str:
    old, new = f"    return a - b  # {turn - 1}" if turn else "    return a - b", f"    return a - b  # {turn}"
    request = f"\n#### Fix add() for case {turn} of tests/test_calc.py  \n"
    if turn % 3 == 2:
        block = (
            "tests/test_calc.py\n```python\n<<<<<<< SEARCH\n    assert add(1, 2) == 3\n=======\n"
            "    assert add(1, 2) == -1\n>>>>>>> REPLACE\n```\n"
        )
        console = (
            "> Tokens: 2,100 sent, 80 received.  \n> The LLM did not conform to the edit format.  \n"
            "> ## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in tests/test_calc.py  \n"
            "> <<<<<<< SEARCH  \n>     assert add(1, 2) == 3  \n> =======  \n>     assert add(1, 2) == -1  \n"
            "> >>>>>>> REPLACE  \n"
        )
    else:
        block = f"src/calc.py\n```python\n<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE\n```\n"
        console = "> Tokens: 2,000 sent, 60 received.  \n> Applied edit to src/calc.py  \n"
    reply = f"\nI'll update the code for case {turn}.\n\n{block}\nThis keeps the tests unchanged.\n\n"
    return request + reply + console


def _history(i: int, steps: int) -> str:
    turns = max(1, (steps - 1) // 3)
    return (
        f"\n# aider chat started at 2026-01-01 00:{i // 60 % 60:02d}:{i % 60:02d}\n\n"
        + BANNER
        + "".join(_turn(t) for t in range(turns))
    )


def write(folder: Path, n: int, steps: int) -> list[Path]:
    paths = []
    for i in range(n):
        project = folder / f"project-{i:06d}"
        project.mkdir(parents=True, exist_ok=True)
        path = project / ".aider.chat.history.md"
        path.write_text(_history(i, steps), encoding="utf-8")
        paths.append(path)
    return paths
