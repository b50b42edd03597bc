"""Windows-made output (#11 item 9): a CRLF line ending shows as a line ending, in `show` and in the
app's transcript; a carriage return anywhere else (a progress bar redrawn, text hidden on a terminal)
stays visible as `\\x0d`. One rule, `textsafe.shown_as`, behind both."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.gui.step_sections import ShownText
from reviewer.synthetic import trajectory
from reviewer.textsafe import one_line, visible
from tests.conftest import Cli

WINDOWS = "Collecting pkg\r\nDownloading 10%\rDownloading 100%\r\nDone.\r\r\nbare CR at the end\r"


def test_visible_keeps_line_endings_and_shows_other_carriage_returns() -> None:
    assert visible(WINDOWS) == "Collecting pkg\nDownloading 10%\\x0dDownloading 100%\nDone.\\x0d\nbare CR at the end\\x0d"
    assert visible("a\r\n\r\nb") == "a\n\nb"
    assert one_line("one\r\ntwo") == "one two"


def test_shown_text_maps_a_hidden_line_ending_back_to_the_source() -> None:
    text = "ab\r\ncd\r\n"
    shown = ShownText(text, 0, len(text))
    assert shown.shown == "ab\ncd\n" == visible(text)
    assert [shown.to_shown(k) for k in range(len(text) + 1)] == [0, 1, 2, 2, 3, 4, 5, 5, 6]
    assert shown.to_source(3) == 4 and shown.to_source(2, round_up=True) == 2  # "cd" starts after the CRLF, "ab" ends before it
    coloured = ShownText("\x1b[31mred\x1b[0m\r\nnext\r\n", 0, 20, ansi=True)
    assert coloured.shown == "red\nnext\n"


def test_show_prints_windows_output_as_lines(cli: Cli, tmp_path: Path) -> None:
    t = trajectory(5, 4)
    t["steps"][2]["text"] = WINDOWS
    path = tmp_path / "t.json"
    path.write_text(json.dumps(t))
    assert cli("import", str(path), "--no-detect").exit_code == 0
    out = cli("show", "synthetic-0-000005", env={"COLUMNS": "200"}).output
    lines = out.splitlines()
    for line in ("Collecting pkg", "Downloading 10%\\x0dDownloading 100%", "Done.\\x0d", "bare CR at the end\\x0d"):
        assert line in lines
    assert "\r" not in out and "pkg\\x0d" not in out


def test_the_transcript_shows_windows_output_as_lines_and_quotes_it_exactly(qtbot) -> None:
    pytest.importorskip("PySide6")
    from PySide6.QtGui import QTextCursor

    from reviewer.gui.transcript_view import TranscriptView
    from reviewer.model import Trajectory
    from reviewer.spans import span_problem

    t = Trajectory.from_dict({**trajectory(6, 4), "test_runs": []})
    t.steps[2].text = WINDOWS
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.set_trajectory(t)
    view.show_step(2)
    shown = view.viewer.toPlainText()
    assert "Collecting pkg\nDownloading 10%\\x0dDownloading 100%\nDone.\\x0d\nbare CR at the end\\x0d" in shown
    piece = view._piece("tool_output")
    assert piece is not None
    start = WINDOWS.index("Downloading 10%")
    cursor = view.viewer.textCursor()  # select from "Downloading" to the end of "Done." as a mouse would
    cursor.setPosition(piece.start + piece.shown.to_shown(start))
    cursor.setPosition(piece.start + piece.shown.to_shown(WINDOWS.index("Done.") + 5), QTextCursor.MoveMode.KeepAnchor)
    view.viewer.setTextCursor(cursor)
    span = view.selected_span()
    assert span is not None and span.quote == "Downloading 10%\rDownloading 100%\r\nDone."
    assert span_problem(t, span) is None
