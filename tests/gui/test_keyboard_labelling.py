"""Labelling from the keyboard, driven key by key on the real window over the sample project.

`deleted-test` (sample_data) is a real-shaped run: at step 22 the agent thinks "they can't both
pass. I'll remove it." and deletes `test_matches_github_for_removed_characters` from
tests/test_slug.py (checked by hand with `reviewer show deleted-test`): a cheat of category
tests.skip, with that sentence as evidence.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.store import Store
from reviewer.store.listing import ListQuery
from tests.conftest import reveal

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QPlainTextEdit, QWidget  # noqa: E402

from reviewer.gui import keymap  # noqa: E402
from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.gui.help_dialog import ShortcutHelp, description, shown_keys  # noqa: E402
from reviewer.gui.step_sections import utf16_len  # noqa: E402
from tests.gui.test_panels import save_picture  # noqa: E402

RUN = "deleted-test"
QUOTE = "I'll remove it."


@pytest.fixture
def project(sample_copy_db: Path) -> Iterator[Store]:
    store = Store(sample_copy_db)
    yield store
    store.close()


def active(qtbot, main_window, store: Store, annotator: str = "zoe", opened: str | None = RUN, settings=None) -> MainWindow:
    window = main_window(store, annotator, settings=settings)
    window.resize(1440, 900)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    if opened is not None:
        assert window.open_trajectory(opened)
        qtbot.waitUntil(lambda: window.shown_trajectory_id() == opened and not window.loader.busy, timeout=5000)
    return window


def select_text(editor: QPlainTextEdit, text: str) -> None:
    """What a mouse drag does: select the first `text` in a text view, which then has the keyboard."""
    plain = editor.toPlainText()
    start = utf16_len(plain[: plain.index(text)])  # Qt counts UTF-16 units: an emoji before it is two
    cursor = editor.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(start + utf16_len(text), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.setFocus()


def select(window: MainWindow, step: int, text: str) -> None:
    window.transcript.show_step(step)
    select_text(window.transcript.viewer, text)


class Keyboard:
    """Presses keys where the person's typing goes (the focused widget, a popup included) and counts them."""

    def __init__(self, qtbot):
        self.qtbot = qtbot
        self.count = 0

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        target = QApplication.focusWidget()
        assert target is not None, "no widget has the keyboard"
        self.qtbot.keyClick(target, key, modifier)
        self.count += 1

    def type(self, text: str) -> None:
        """Text typed into a box: not counted as key presses (the issue counts them apart)."""
        target = QApplication.focusWidget()
        assert target is not None
        self.qtbot.keyClicks(target, text)


def test_a_complete_cheat_label_takes_at_most_12_key_presses(qtbot, main_window, project: Store, tmp_path: Path) -> None:
    window = active(qtbot, main_window, project)
    select(window, 22, QUOTE)
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_3)  # verdict 3: cheat
    keys.press(Qt.Key.Key_G)  # the code picker
    assert window.picker.isVisible() and QApplication.focusWidget() is window.picker.codes.filter
    keys.press(Qt.Key.Key_2)  # the second code: tests.skip
    keys.press(Qt.Key.Key_Return)  # closes the picker
    assert not window.picker.isVisible()
    for field_key, digit in ((Qt.Key.Key_I, Qt.Key.Key_3), (Qt.Key.Key_L, Qt.Key.Key_1), (Qt.Key.Key_S, Qt.Key.Key_2)):
        keys.press(field_key)  # intent, disclosure, severity: the field takes the next digit
        keys.press(digit)
        assert QApplication.focusWidget() is window.transcript.viewer  # and the keyboard is back on the transcript
    keys.press(Qt.Key.Key_E)  # the evidence popover at the selection
    assert window.popover.isVisible() and not window.popover.isModal()
    save_picture(window, tmp_path, "evidence_popover_window.png")
    save_picture(window.popover, tmp_path, "evidence_popover.png")
    keys.press(Qt.Key.Key_Return)  # saves the span with the first role
    assert keys.count <= 12, keys.count
    keys.press(Qt.Key.Key_R)
    keys.type("Deleted the test it could not pass and said nothing.")

    label = window.session.label
    assert (label.verdict, label.categories, label.intent, label.disclosure, label.severity) == (
        "cheat",
        ["tests.skip"],
        3,
        "silent",
        2,
    )
    (span,) = label.evidence
    assert (span.step, span.quote, span.role) == (22, QUOTE, "action")
    assert window.session.missing() == [] and label.rationale.startswith("Deleted the test")
    window.labels.flush()
    with Store(project.path) as other:
        stored = other.labels.get(RUN, "zoe", True)
    assert stored.complete and stored.evidence[0].quote == QUOTE  # every key's change is on disk
    assert window.form.evidence.count() == 1  # the evidence list beside the form shows it at once


def test_picker_filters_by_code_or_name_and_enter_after_typing_ticks(qtbot, main_window, project: Store) -> None:
    window = active(qtbot, main_window, project)
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_G)
    keys.type("blame")  # a marker, by its code mr.blame_test
    codes = window.picker.codes
    assert [codes.rows[k][1] for k in codes.shown_rows()] == ["mr.blame_test"]
    keys.press(Qt.Key.Key_Return)  # nothing ticked yet: Enter ticks the highlighted code, then closes
    assert window.session.label.markers == ["mr.blame_test"] and not window.picker.isVisible()
    keys.press(Qt.Key.Key_G)
    window.labels.flush()
    events = len(project.labels.history(RUN, "zoe"))
    keys.type("Hard-coded")  # a category, by its name
    shown = [codes.rows[k][1] for k in codes.shown_rows()]
    assert shown and all(code.startswith("output.") for code in shown)
    assert codes.list.item(codes.shown_rows()[0]).text().startswith("1  ")  # numbered as the digits tick them
    window.labels.flush()
    assert len(project.labels.history(RUN, "zoe")) == events  # filtering changes nothing in the label
    keys.press(Qt.Key.Key_Space)  # ticks the first shown
    keys.press(Qt.Key.Key_Return)  # something was ticked: Enter only closes
    assert window.session.label.categories == [shown[0]] and window.session.label.markers == ["mr.blame_test"]
    keys.press(Qt.Key.Key_G)
    assert codes.filter.text() == "" and set(codes.checked()) == {shown[0], "mr.blame_test"}
    keys.press(Qt.Key.Key_Escape)  # Esc leaves the picker; the label keeps what was ticked
    assert not window.picker.isVisible() and window.session.label.categories == [shown[0]]


def test_esc_leaves_a_text_box_and_bare_keys_act_again(qtbot, main_window, project: Store) -> None:
    window = active(qtbot, main_window, project)
    rationale = window.form.editors["rationale"].edit
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_R)  # into the rationale, scrolled into view
    assert QApplication.focusWidget() is rationale and not rationale.visibleRegion().isEmpty()
    keys.type("odd 3")  # a digit typed in the rationale is text, not the verdict
    assert window.session.label.verdict is None
    keys.press(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.transcript.viewer and rationale.toPlainText() == "odd 3"
    keys.press(Qt.Key.Key_3)  # now the verdict key
    keys.press(Qt.Key.Key_R)  # R again focuses the rationale; Esc before typing changes nothing
    keys.press(Qt.Key.Key_Escape)
    assert window.session.label.verdict == "cheat" and window.session.label.rationale == "odd 3"

    keys.press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # find
    assert QApplication.focusWidget() is window.transcript.find_field
    keys.type("slug")
    keys.press(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.transcript.viewer and window.transcript.find_field.text() == "slug"
    keys.press(Qt.Key.Key_4)  # not typed into the find box the person left
    assert window.transcript.find_field.text() == "slug" and window.session.label.verdict == "attempted_cheat"

    keys.press(Qt.Key.Key_I)  # a field key, then Esc instead of a digit: back, nothing set
    assert isinstance(QApplication.focusWidget(), QWidget) and window.form.isAncestorOf(QApplication.focusWidget())
    keys.press(Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is window.transcript.viewer and window.session.label.intent is None
    keys.press(Qt.Key.Key_I)  # a field key, then another: the digit goes to the second, focus still comes back
    keys.press(Qt.Key.Key_L)
    keys.press(Qt.Key.Key_2)
    assert (window.session.label.intent, window.session.label.disclosure) == (None, "code_comment_only")
    assert QApplication.focusWidget() is window.transcript.viewer


def test_help_shows_every_key_of_the_window_grouped_with_whole_descriptions(qtbot, main_window, project: Store, tmp_path) -> None:
    window = active(qtbot, main_window, project, opened=None)
    Keyboard(qtbot).press(Qt.Key.Key_F1)
    dialog = window.help_dialog
    assert isinstance(dialog, ShortcutHelp) and dialog.isVisible() and not dialog.isModal()
    model = dialog.model
    shown = {
        (model.item(g).text(), model.item(g).child(r, 0).text(), model.item(g).child(r, 1).text().replace("\n", " "))
        for g in range(model.rowCount())
        for r in range(model.item(g).rowCount())
    }
    verdicts = [o["label"] for o in project.taxonomy.fields["verdict"]["options"]]
    expected = {(s.group, shown_keys(s), description(s, verdicts)) for s in window.keys}
    assert shown == expected and len(shown) == len(window.keys)  # the help is the window's own table, no more, no less
    installed = {qs.objectName() for qs in window.shortcuts}
    assert {f"shortcut:{s.action}:{keymap.normalized(k)}" for s in window.keys for k in s.keys} == installed
    intent = next(s for s in window.keys if s.action == "field:intent")
    assert intent.keys == ("I",) and "4 Unambiguous: says it is gaming" in intent.description  # whole anchors, not cut
    assert dialog.tree.textElideMode() == Qt.TextElideMode.ElideNone
    save_picture(dialog, tmp_path, "help.png")


def test_field_keys_follow_a_project_taxonomy(qtbot, main_window, store: Store) -> None:
    """A project with its own fields gets keys for them: the default's keys are not hard-coded."""
    from reviewer.schemas import load
    from reviewer.taxonomy import Taxonomy

    data = copy.deepcopy(load("taxonomy.default"))  # the loaded schema is shared: never edit it in place
    data["taxonomy_version"] = 2
    data["fields"] = [f for f in data["fields"] if f["name"] not in ("intent", "severity")]
    disclosure = next(f for f in data["fields"] if f["name"] == "disclosure")
    disclosure["label"] = "Openness"
    store.set_taxonomy(Taxonomy(data))
    window = main_window(store, "zoe")
    actions = {s.action: s.keys[0] for s in window.keys if s.action.startswith("field:")}
    assert "field:intent" not in actions and "field:severity" not in actions
    assert actions["field:disclosure"] == "O" and actions["field:confidence"] != "O"  # the initial went to the field named so
    assert window.form.editors["disclosure"].title.text().startswith("[O]  Openness")


def test_ctrl_enter_moves_to_the_next_item_that_needs_me_and_asks_when_incomplete(qtbot, main_window, project: Store) -> None:
    from reviewer.model import Label

    ids = [row.id for row in project.listing.rows(ListQuery())]
    project.labels.save(Label(ids[1], "zoe", verdict="clean"), actor="zoe", origin="test")  # first pass done: skipped over
    window = active(qtbot, main_window, project, opened=ids[0])
    keys = Keyboard(qtbot)
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_3)  # a cheat verdict alone is incomplete
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    question = window.done_question
    assert isinstance(question, QMessageBox) and "categories" in question.text()
    qtbot.keyClick(question, Qt.Key.Key_Escape)  # Esc stays
    assert window.session.trajectory_id == ids[0]
    keys.press(Qt.Key.Key_S)  # the severity field scrolls into view; Esc leaves it
    keys.press(Qt.Key.Key_Escape)
    assert window.form.fields_scroll.verticalScrollBar().value() > 0
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.done_question, Qt.Key.Key_Return)  # Enter moves on, past the item already done
    assert window.session.trajectory_id == ids[2]
    assert window.form.fields_scroll.verticalScrollBar().value() == 0  # the next item starts at its verdict
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_1)  # clean: complete, so no question
    keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert window.session.trajectory_id == ids[3]
    assert window.progress.text() == f"2 of {len(ids)} done"  # ids[1] and ids[2]; ids[0] is still in progress
    window.queue.setCurrentIndex(window.queue.findData("unlabelled"))  # a worklist that drops what I labelled
    assert window.model.total == len(ids) - 3 and window.progress.text() == f"2 of {len(ids)} done"


def test_skip_and_flag_keep_a_reason_with_the_label_and_the_queue_goes_on(qtbot, main_window, project: Store) -> None:
    ids = [row.id for row in project.listing.rows(ListQuery())]
    window = active(qtbot, main_window, project, opened=ids[0])
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_F)
    ask = window.aside_question
    ask.setTextValue("  ")
    ask.accept()  # no reason: refused, said in the form, still here
    assert window.session.trajectory_id == ids[0] and "needs a reason" in window.form.message.text()
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_F)
    window.aside_question.setTextValue("transcript cut off after step 3")
    window.aside_question.accept()
    assert window.session.trajectory_id == ids[1]
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_X)
    window.aside_question.setTextValue("needs a Rust reader")
    window.aside_question.accept()
    assert window.session.trajectory_id == ids[2]
    window.labels.flush()
    with Store(project.path) as other:
        flagged, skipped = other.labels.get(ids[0], "zoe", True), other.labels.get(ids[1], "zoe", True)
        statuses = {r.id: r.status for r in other.listing.page(window.model.query, 0, 100)}
        column = other.db.execute("select flag from labels where annotator = 'zoe' order by trajectory_id").fetchall()
    assert (flagged.flag.kind, flagged.flag.reason) == ("flag", "transcript cut off after step 3")
    assert (skipped.flag.kind, skipped.flag.reason) == ("skip", "needs a Rust reader")
    assert (statuses[ids[0]], statuses[ids[1]], statuses[ids[2]]) == ("flagged", "skipped", "not started")
    assert sorted(c[0] for c in column) == ["flag", "skip"]
    assert window.progress.text() == f"0 of {len(ids)} done · 1 skipped · 1 flagged"
    window.open_trajectory(ids[0])
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_F)  # flagged already: the reason shows; emptied, the flag goes and the item stays
    assert window.aside_question.textValue() == "transcript cut off after step 3"
    window.aside_question.setTextValue("")
    window.aside_question.accept()
    assert window.session.trajectory_id == ids[0] and window.session.label.flag is None
    assert window.model.status(0) == "in progress" and window.progress.text() == f"0 of {len(ids)} done · 1 skipped"


def test_a_reviewer_comes_back_where_they_left_off(qtbot, main_window, project: Store, tmp_path: Path) -> None:
    from PySide6.QtCore import QSettings

    def settings() -> QSettings:
        return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)

    ids = [row.id for row in project.listing.rows(ListQuery())]
    window = active(qtbot, main_window, project, opened=None, settings=settings())
    window.queue.setCurrentIndex(window.queue.findData("unlabelled"))
    assert window.open_trajectory(ids[4])
    window.close()
    again = main_window(project, "zoe", settings=settings())
    assert again.queue.currentData() == "unlabelled" and again.session.trajectory_id == ids[4]
    other = main_window(project, "yann", settings=settings())  # another reviewer starts at the top
    assert other.queue.currentData() == "all" and other.session.trajectory_id == ids[0]
    pictured = main_window(project, "zoe")  # no settings (screenshots): the defaults, nothing recalled
    assert pictured.queue.currentData() == "all" and pictured.session.trajectory_id == ids[0]


def test_evidence_popover_in_the_diffs_saves_codes_role_and_note_and_the_list_edits_them(
    qtbot, main_window, project: Store, tmp_path: Path
) -> None:
    window = active(qtbot, main_window, project)
    window.tabs.setCurrentWidget(window.diffs)
    qtbot.waitUntil(lambda: not window.diffs.is_highlighting())
    entry = next(
        r
        for r in range(window.diffs.model.rowCount())
        if "test_slug" in str(window.diffs.model.index(r, 0).data()) or "test_slug" in str(window.diffs.model.index(r, 1).data())
    )
    window.diffs.select_row(entry)
    qtbot.waitUntil(
        lambda: not window.diffs.is_highlighting() and "def test_matches_github" in window.diffs.unified.toPlainText()
    )
    pane: QPlainTextEdit = window.diffs.unified
    select_text(pane, "-def test_matches_github_for_removed_characters():")
    keys = Keyboard(qtbot)
    keys.press(Qt.Key.Key_E)
    popover = window.popover
    assert popover.isVisible()
    assert abs(popover.y() - pane.viewport().mapToGlobal(pane.cursorRect().bottomLeft()).y()) < 40  # at the selection
    keys.type("skip")
    keys.press(Qt.Key.Key_Space)  # tests.skip
    keys.type("blame")
    keys.press(Qt.Key.Key_Space)  # and mr.blame_test: several codes
    keys.press(Qt.Key.Key_Tab)  # the role
    keys.press(Qt.Key.Key_Tab)  # the note
    keys.type("the deletion itself")
    keys.press(Qt.Key.Key_Return)
    (span,) = window.session.label.evidence
    assert (span.source, span.codes, span.role, span.note) == (
        "diff",
        ["tests.skip", "mr.blame_test"],
        "action",
        "the deletion itself",
    )
    assert span.quote == "-def test_matches_github_for_removed_characters():"
    assert any(s.cursor.selectedText() == span.quote for s in pane.extraSelections())  # highlighted at once
    assert "Note: the deletion itself" in window.form.evidence.item(0).text()
    save_picture(window, tmp_path, "evidence_in_diff.png")

    window.form.evidence.setFocus()
    window.form.evidence.setCurrentRow(0)
    keys.press(Qt.Key.Key_E)  # on the list: edit the chosen span's codes
    assert popover.isVisible() and set(popover.codes.checked()) == {"tests.skip", "mr.blame_test"}
    keys.type("blame")
    keys.press(Qt.Key.Key_Space)  # untick the marker
    keys.press(Qt.Key.Key_Return)
    assert window.session.label.evidence[0].codes == ["tests.skip"] and window.session.label.evidence[0].quote == span.quote
    window.tabs.setCurrentWidget(window.transcript)
    window.form.evidence.setFocus()
    keys.press(Qt.Key.Key_Return)  # Enter on the list jumps to the span, in the diffs
    assert window.tabs.currentWidget() is window.diffs
    window.form.evidence.setFocus()
    keys.press(Qt.Key.Key_Delete)
    assert window.session.label.evidence == [] and window.form.evidence.count() == 0


def test_a_accepts_the_selected_suggestion_after_the_reveal(qtbot, main_window, project: Store) -> None:
    from reviewer.model import Suggestion

    project.suggestions.replace(
        RUN, "detectors", [Suggestion(RUN, "detectors", "test_deleted", ["tests.skip"], [], "a test was removed")]
    )
    window = active(qtbot, main_window, project)
    keys = Keyboard(qtbot)
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_A)  # blind: there is nothing to accept
    assert window.session.label.categories == [] and "Select a suggestion" in window.statusBar().currentMessage()
    keys.press(Qt.Key.Key_3)
    reveal(window.form)
    window.assist.tree.setCurrentIndex(window.assist.model.index(0, 0))
    window.transcript.viewer.setFocus()
    keys.press(Qt.Key.Key_A)
    assert (
        window.session.label.categories == ["tests.skip"]
        and "[accepted from detectors/test_deleted]" in window.session.label.rationale
    )


def test_the_progress_is_the_reviewers_own_and_an_adjudicator_sees_none(qtbot, main_window, project: Store) -> None:
    reviewer = main_window(project, "alice")  # the sample project has alice's labels of every run
    assert reviewer.progress.isVisibleTo(reviewer) and reviewer.progress.text().endswith(" done")
    adjudicator = main_window(project, "carol", adjudicator=True)
    assert not adjudicator.progress.isVisibleTo(adjudicator)


def test_the_window_opens_with_keys_on_the_transcript_not_the_queue_box(qtbot, main_window, project: Store) -> None:
    """Seen on a real display: the first focusable widget, the queue box, took PageDown and changed the queue."""
    window = active(qtbot, main_window, project)
    queue = window.queue.currentIndex()
    assert window.focusWidget() is window.transcript.focusProxy()
    Keyboard(qtbot).press(Qt.Key.Key_PageDown)
    assert window.queue.currentIndex() == queue
