"""The first app window, offscreen: real Qt widgets over a real project file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.model import Trajectory
from reviewer.store import Store
from reviewer.synthetic import trajectory
from tests.conftest import reveal

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QPlainTextEdit  # noqa: E402

from reviewer.gui.app import MainWindow  # noqa: E402

HOSTILE = '<img src="/etc/hosts"><b>bold</b> <a href="file:///etc/passwd">x</a> \x1b[31mred'


@pytest.fixture
def filled(store: Store) -> Store:
    for i in range(3):
        data = trajectory(i, 10)
        if i == 1:
            data["steps"][1]["text"] = HOSTILE
        store.trajectories.add(Trajectory.from_dict(data))
    return store


def shows(qtbot, window: MainWindow, trajectory_id: str) -> None:
    """Wait for the loader: the transcript and diffs follow the selection from a worker."""
    qtbot.waitUntil(lambda: window.shown_trajectory_id() == trajectory_id and not window.loader.busy, timeout=5000)


def diffs_of(qtbot, window: MainWindow, trajectory_id: str) -> QPlainTextEdit:
    """Open a trajectory on the Diffs tab and return its unified viewer once highlighted."""
    window.open_trajectory(trajectory_id)
    shows(qtbot, window, trajectory_id)
    window.tabs.setCurrentWidget(window.diffs)
    qtbot.waitUntil(lambda: not window.diffs.is_highlighting())
    return window.diffs.unified


def test_window_lists_trajectories_and_shows_the_selected_one(qtbot, main_window, filled: Store, qtmodeltester) -> None:
    window = main_window(filled, "alice")
    qtmodeltester.check(window.model)
    assert window.model.rowCount() == 3
    assert window.windowTitle() == "reviewer — project.db — alice"
    shows(qtbot, window, "synthetic-0-000000")
    with qtbot.waitSignal(window.trajectory_shown) as shown:
        window.table.selectRow(2)
        # the label is live at once; the text follows from the worker
        assert window.session is not None and window.session.label.trajectory_id == "synthetic-0-000002"
    assert shown.args == ["synthetic-0-000002"] and window.transcript.trajectory.id == "synthetic-0-000002"
    edits = filled.trajectories.get("synthetic-0-000002").file_edits
    assert [row.path for row in window.diffs.model.rows if row.edit is not None] == [e.path for e in edits]
    assert window.session.trajectory is window.transcript.trajectory  # new evidence is checked without a reload


def test_moving_on_quickly_shows_only_the_last_selection(qtbot, main_window, filled: Store) -> None:
    window = main_window(filled, "alice")
    seen: list[str] = []
    window.trajectory_shown.connect(seen.append)
    for row in (1, 2, 0, 2, 1):
        window.table.selectRow(row)
    shows(qtbot, window, "synthetic-0-000001")
    qtbot.wait(100)
    assert seen[-1] == "synthetic-0-000001" and window.session.label.trajectory_id == "synthetic-0-000001"
    assert seen.count("synthetic-0-000001") == 1  # stale loads that landed late were dropped


def test_a_trajectory_that_cannot_be_read_is_reported(qtbot, main_window, filled: Store) -> None:
    window = main_window(filled, "alice")
    shows(qtbot, window, "synthetic-0-000000")
    with qtbot.waitSignal(window.loader.failed):
        window.open("no-such-trajectory")
    assert window.shown_trajectory_id() is None and "no longer in this project" in window.statusBar().currentMessage()


def test_evidence_is_refused_while_another_run_is_shown(qtbot, main_window, filled: Store) -> None:
    from PySide6.QtGui import QTextCursor

    window = main_window(filled, "alice")
    shows(qtbot, window, "synthetic-0-000000")
    cursor = window.transcript.viewer.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(4, QTextCursor.MoveMode.KeepAnchor)
    window.transcript.viewer.setTextCursor(cursor)
    window.session = None  # as if the next run's session started and its text is still on the way
    window.open("synthetic-0-000001")
    assert window.shown_trajectory_id() == "synthetic-0-000000"
    assert not window.add_evidence("action", []) and "still loading" in window.statusBar().currentMessage()
    with Store(filled.path) as other:
        assert other.labels.get("synthetic-0-000001", "alice", True) is None


def test_trajectory_text_is_shown_as_plain_text(qtbot, main_window, filled: Store) -> None:
    window = main_window(filled, None)
    window.table.selectRow(1)
    shows(qtbot, window, "synthetic-0-000001")
    window.transcript.show_step(1)
    shown = window.transcript.viewer.toPlainText()
    assert '<img src="/etc/hosts"><b>bold</b>' in shown and "\\x1b[31mred" in shown
    assert isinstance(window.transcript.viewer, QPlainTextEdit) and window.transcript.viewer.isReadOnly()
    assert window.transcript.viewer.document().toHtml().count("<img") == 0
    assert not window.form.isEnabled()  # no reviewer name: nothing to label as


def test_keyboard_labelling_is_saved_at_once_and_blind_until_the_first_pass(qtbot, main_window, filled: Store) -> None:

    from reviewer.model import Suggestion

    tid = "synthetic-0-000000"
    filled.suggestions.replace(tid, "detectors", [Suggestion(tid, "detectors", "skip_added", ["tests.skip"], [], "adds a skip")])
    window = main_window(filled, "alice")
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.table.setFocus()
    assert window.session is not None and not window.session.revealed and window.session.suggestions() == []
    qtbot.keyClick(window.table, Qt.Key.Key_3)  # third verdict: cheat
    with Store(filled.path) as other:  # another connection sees it at once
        assert other.labels.get(tid, "alice", True).verdict == "cheat"
    assert window.session.may_reveal
    qtbot.keyClick(window.table, Qt.Key.Key_V)  # reveal: a verdict alone is an incomplete first pass, so it asks
    question = window.form.reveal_question
    assert question is not None and not window.session.revealed and "categories" in question.text()
    qtbot.waitUntil(question.isVisible)
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # Esc keeps editing the first pass
    qtbot.waitUntil(lambda: not question.isVisible())
    assert not window.session.revealed and window.session.suggestions() == []
    qtbot.keyClick(window.table, Qt.Key.Key_V)
    question = window.form.reveal_question
    qtbot.waitUntil(question.isVisible)
    qtbot.keyClick(question, Qt.Key.Key_Return)  # Enter confirms
    assert window.session.revealed and [s.source for s in window.session.suggestions()] == ["skip_added"]
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the freeze undone, before any edit
    assert not window.session.revealed and window.assist.stack.currentIndex() == 0
    with Store(filled.path) as other:
        assert other.labels.get(tid, "alice", False) is None
    qtbot.keyClick(window.table, Qt.Key.Key_V)  # a first pass that has seen the others: it still asks
    qtbot.keyClick(window.form.reveal_question, Qt.Key.Key_Return)
    assert window.session.revealed and [s.source for s in window.session.suggestions()] == ["skip_added"]
    with Store(filled.path) as other:
        final = other.labels.get(tid, "alice", False)
        assert final is not None and final.revealed.suggestions and final.verdict == "cheat"
    qtbot.keyClick(window.table, Qt.Key.Key_J)  # next trajectory
    assert window.session.label.trajectory_id == "synthetic-0-000001" and not window.session.revealed


def test_selected_text_becomes_an_evidence_span(qtbot, main_window, filled: Store) -> None:
    from PySide6.QtGui import QTextCursor

    from reviewer.spans import span_problem

    window = main_window(filled, "alice")
    window.table.selectRow(1)
    shows(qtbot, window, "synthetic-0-000001")
    window.transcript.show_step(1)
    viewer = window.transcript.viewer
    cursor = viewer.textCursor()
    text = viewer.toPlainText()
    start = text.index("bold")
    cursor.setPosition(start)
    cursor.setPosition(start + 4, QTextCursor.MoveMode.KeepAnchor)
    viewer.setTextCursor(cursor)
    assert window.add_evidence("action", ["tests.edit"])
    with Store(filled.path) as other:
        (span,) = other.labels.get("synthetic-0-000001", "alice", True).evidence
    assert span.quote == "bold" and span.role == "action" and span.codes == ["tests.edit"]
    assert span_problem(filled.trajectories.get("synthetic-0-000001"), span) is None
    # activating the evidence item shows it in place: the transcript selects the quoted text
    window.transcript.show_step(0)
    window.form.evidence.setCurrentRow(0)
    window.form.evidence.itemActivated.emit(window.form.evidence.item(0))
    assert window.transcript.current_step() == 1 and viewer.textCursor().selectedText() == "bold"


def test_window_renders_to_png(qtbot, main_window, filled: Store, tmp_path: Path) -> None:
    window = main_window(filled, "alice")
    window.resize(1000, 600)
    with qtbot.waitExposed(window):
        window.show()
    path = tmp_path / "window.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 5000


def test_list_model_fetches_pages_lazily_and_sorts_in_sql(qtbot, main_window, filled: Store, qtmodeltester) -> None:

    from reviewer.gui.trajectory_model import TrajectoryTableModel
    from reviewer.store.listing import ListQuery

    model = TrajectoryTableModel(filled.listing, ListQuery(annotator="alice"), page=2)
    assert (model.rowCount(), model.total, model.canFetchMore()) == (0, 3, True)
    model.fetchMore()
    assert model.rowCount() == 2 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 3 and not model.canFetchMore()
    qtmodeltester.check(model)
    fresh = TrajectoryTableModel(filled.listing, ListQuery(annotator="alice"), page=2)
    fresh.sort(4, Qt.SortOrder.DescendingOrder)
    assert fresh.query.sort == "steps" and fresh.query.descending and fresh.rowCount() == 2
    assert fresh.data(fresh.index(0, 5)) == "not started" and fresh.headerData(5, Qt.Orientation.Horizontal) == "My status"


def test_gui_screenshot_renders_the_window_and_exits(tmp_path: Path, private_settings: Path) -> None:
    from click.testing import CliRunner
    from PySide6.QtGui import QImage

    from reviewer.cli import main
    from tests.conftest import SAMPLE_DATA

    db, png = tmp_path / "p.db", tmp_path / "shot.png"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(db), "import", str(SAMPLE_DATA), "--no-detect"]).exit_code == 0
    result = runner.invoke(
        main, ["--db", str(db), "gui", "--annotator", "alice", "--screenshot", str(png), "--open", "deleted-test"]
    )
    assert result.exit_code == 0, result.output
    image = QImage(str(png))
    assert image.width() >= 1280 and image.height() >= 800
    # the name was remembered: a second start without --annotator is still alice's
    again = runner.invoke(main, ["--db", str(db), "gui", "--screenshot", str(png)])
    assert again.exit_code == 0
    assert (private_settings / "reviewer" / "reviewer.conf").read_text().count("alice") == 1
    missing = runner.invoke(main, ["--db", str(db), "gui", "--screenshot", str(png), "--open", "ghost"])
    assert missing.exit_code == 1 and "unknown trajectory 'ghost'" in missing.output


def test_missing_cjk_fonts_are_named_in_the_status_bar(qtbot, main_window, filled: Store) -> None:
    from PySide6.QtGui import QFontDatabase

    from reviewer.gui.app import scripts_without_font

    window = main_window(filled, "alice")
    missing = scripts_without_font()
    assert ("Chinese" in missing) == (not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    assert window.font_hint.isVisibleTo(window) == bool(missing)
    if missing:
        assert "fonts-noto-cjk" in window.font_hint.text() and all(name in window.font_hint.text() for name in missing)


def test_evidence_from_a_diff_is_stored_highlighted_and_jumped_to(qtbot, main_window, filled: Store) -> None:
    from PySide6.QtGui import QTextCursor

    from reviewer.spans import span_problem

    tid = "synthetic-0-000002"
    window = main_window(filled, "alice")
    pane = diffs_of(qtbot, window, tid)
    text = pane.toPlainText()
    start = text.index("-    return x + 3")
    cursor = pane.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + len("-    return x + 3"), QTextCursor.MoveMode.KeepAnchor)
    pane.setTextCursor(cursor)
    assert window.add_evidence("action", ["tests.edit"])
    with Store(filled.path) as other:
        (span,) = other.labels.get(tid, "alice", True).evidence
    assert (span.source, span.quote) == ("diff", "-    return x + 3")
    assert span_problem(filled.trajectories.get(tid), span) is None
    assert [s.cursor.selectedText() for s in pane.extraSelections()] == ["-    return x + 3"]  # highlighted in place
    window.tabs.setCurrentWidget(window.transcript)
    pane.setTextCursor(QTextCursor(pane.document()))  # no selection left
    window.form.evidence.setCurrentRow(0)
    window.form.evidence.itemActivated.emit(window.form.evidence.item(0))  # jump back to it
    assert window.tabs.currentWidget() is window.diffs
    qtbot.waitUntil(lambda: pane.textCursor().selectedText() == "-    return x + 3")


def test_other_reviewers_diff_spans_show_only_after_the_reveal(qtbot, main_window, filled: Store) -> None:
    from reviewer.model import EvidenceSpan, Label
    from reviewer.spans import source_text

    tid = "synthetic-0-000002"
    t = filled.trajectories.get(tid)
    step = t.file_edits[0].step
    start = source_text(t, step, "diff").index("+    return x - 3")
    bobs = EvidenceSpan(step, "diff", start, start + 17, "+    return x - 3", "action")
    filled.labels.save(Label(tid, "bob", verdict="cheat", evidence=[bobs]), actor="bob", origin="test")
    window = main_window(filled, "alice")
    pane = diffs_of(qtbot, window, tid)
    assert pane.extraSelections() == []  # blind: bob's evidence is not shown
    window.form.set_verdict_by_key(1)
    reveal(window.form)
    assert [s.cursor.selectedText() for s in pane.extraSelections()] == ["+    return x - 3"]


def test_an_empty_project_or_filter_says_what_to_do(qtbot, main_window, store: Store, filled: Store) -> None:
    from reviewer.store import Store as ProjectStore

    with ProjectStore(store.path.with_name("empty.db")) as empty:
        window = main_window(empty, "alice")
        assert "no trajectories yet" in window.transcript.viewer.placeholderText()
        assert "import FOLDER" in window.transcript.viewer.placeholderText()
        window.close()
    window = main_window(filled, "alice")
    shows(qtbot, window, "synthetic-0-000000")
    assert window.transcript.viewer.placeholderText() == ""
    window.search.setText("nosuchwordanywhere")
    window._apply_filters()
    assert window.transcript.viewer.placeholderText() == "No trajectory matches these filters."
    assert window.session is None and not window.form.isEnabled()  # nothing stays open to be labelled by mistake
    assert window.transcript.trajectory is None and window.diffs.model.rowCount() == 0


def test_opening_the_window_reads_the_list_once(qtbot, main_window, filled: Store, monkeypatch) -> None:
    calls: list[str] = []
    for name in ("count", "page"):
        real = getattr(filled.listing, name)
        monkeypatch.setattr(filled.listing, name, lambda *a, real=real, name=name: calls.append(name) or real(*a))
    window = main_window(filled, "alice")
    assert calls == ["count", "page"] and window.model.rowCount() == 3
    window.table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # a real re-sort still reads
    assert calls == ["count", "page", "count", "page"] and window.model.query.sort == "steps"


def accepted(qtbot, main_window, store: Store):
    """A revealed window in which a detector's suggestion (one span of step 1's text) was just accepted."""
    from reviewer.model import EvidenceSpan, Suggestion
    from reviewer.spans import source_text

    tid = "synthetic-0-000000"
    text = source_text(store.trajectories.get(tid), 1, "text")
    suggestion = Suggestion(
        tid, "detectors", "skip_added", ["tests.skip"], [EvidenceSpan(1, "text", 0, 4, text[:4])], "adds a skip"
    )
    store.suggestions.replace(tid, "detectors", [suggestion])
    window = main_window(store, "alice")
    shows(qtbot, window, tid)
    window.form.set_verdict_by_key(3)
    reveal(window.form)
    window.accept_suggestion(suggestion)
    return window, suggestion, tid, text


def test_accepting_a_suggestion_in_the_window_is_one_undo_step(qtbot, main_window, filled: Store) -> None:
    window, _suggestion, tid, text = accepted(qtbot, main_window, filled)
    with Store(filled.path) as other:
        final = other.labels.get(tid, "alice", False)
    assert final.categories == ["tests.skip"] and final.evidence[0].quote == text[:4] and "skip_added" in final.rationale
    window.transcript.show_step(1)
    assert [s.cursor.selectedText() for s in window.transcript.viewer.extraSelections()] == [text[:4]]  # painted in place
    assert window.form.undo() and window.session.label.categories == [] and window.session.label.evidence == []


def test_accepting_a_suggestion_twice_in_the_window_writes_it_once(qtbot, main_window, filled: Store) -> None:
    window, suggestion, tid, _text = accepted(qtbot, main_window, filled)
    events = len(filled.labels.history(tid, "alice"))
    window.accept_suggestion(suggestion)  # a second click on Accept
    with Store(filled.path) as other:
        final = other.labels.get(tid, "alice", False)
    assert final.rationale == "[accepted from detectors/skip_added]" and len(final.evidence) == 1
    assert final.categories == ["tests.skip"] and len(filled.labels.history(tid, "alice")) == events
    assert window.form.editors["rationale"].edit.toPlainText() == final.rationale
    assert window.form.undo() and window.session.label.rationale is None and window.session.label.categories == []
    assert not window.session.can_undo  # the second accept left no undo step behind


def test_next_disputed_opens_the_next_disagreement(qtbot, main_window, filled: Store) -> None:
    from reviewer.model import Label

    for tid, verdicts in (("synthetic-0-000001", ("clean", "cheat")), ("synthetic-0-000002", ("cheat", "borderline"))):
        for who, verdict in zip(("bob", "carol"), verdicts, strict=True):
            filled.labels.save(Label(tid, who, verdict=verdict), actor=who, origin="test")
    window = main_window(filled, "alice", adjudicator=True)  # a blind reviewer has no disputes to go to (test_blind)
    assert window.session.trajectory_id == "synthetic-0-000001"  # an adjudicator starts on the first dispute
    window.next_disputed()
    assert window.session.trajectory_id == "synthetic-0-000002"
    window.next_disputed()  # wraps
    assert window.session.trajectory_id == "synthetic-0-000001"


def test_the_reveal_fills_the_rows_cells_at_once(qtbot, main_window, filled: Store) -> None:
    """The list's row follows the viewer's own label: its status on the first verdict, and what the
    reveal sights (reviewers, flags) at once, without a new query of the whole list."""
    from reviewer.gui.trajectory_model import COLUMNS
    from reviewer.model import Label, Suggestion

    tid = "synthetic-0-000000"
    filled.labels.save(Label(tid, "bob", verdict="cheat"), actor="bob", origin="test")
    filled.suggestions.replace(tid, "detectors", [Suggestion(tid, "detectors", "skip_added", ["tests.skip"], [], "adds a skip")])
    window = main_window(filled, "alice")
    shows(qtbot, window, tid)
    model = window.model

    def cells() -> dict[str, str]:
        return {name: model.data(model.index(0, k)) for k, (name, _, _) in enumerate(COLUMNS)}

    assert (cells()["status"], cells()["n_reviewers"], cells()["n_flags"]) == ("not started", "", "")
    window.form.set_verdict_by_key(1)
    assert (cells()["status"], cells()["n_reviewers"], cells()["n_flags"]) == ("first pass done", "", "")  # still blind
    with qtbot.waitSignal(model.dataChanged):
        reveal(window.form)
    assert (cells()["status"], cells()["n_reviewers"], cells()["n_flags"], cells()["disputed_on"]) == (
        "final done",
        "2",
        "1",
        "cheat ≠ clean",
    )


def test_list_cells_show_bidi_and_control_characters_as_escapes(qtbot, main_window, store: Store) -> None:
    """An id made by an agent may hold a right-to-left override: `exe.txt` must not read as `txt.exe`."""
    data = trajectory(0, 4)
    data["id"] = "report\u202etxt.exe"
    data["task"]["id"] = "task\x1b[31m"
    store.trajectories.add(Trajectory.from_dict(data))
    window = main_window(store, "alice")
    model = window.model
    assert model.data(model.index(0, 0)) == "report\\u202etxt.exe" and model.data(model.index(0, 1)) == "task\\x1b[31m"
    assert model.trajectory_id(0) == "report\u202etxt.exe"  # the id itself is untouched
