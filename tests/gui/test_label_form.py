"""The label form, offscreen: generated from the taxonomy, every widget edit stored at once, blind mode."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QLabel, QMessageBox, QRadioButton, QWidget  # noqa: E402

from reviewer.gui.label_form import LabelForm  # noqa: E402
from reviewer.gui.review_session import ActivityClock  # noqa: E402
from reviewer.model import EvidenceSpan, Label  # noqa: E402
from reviewer.review import ReviewSession  # noqa: E402
from reviewer.spans import source_text  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.taxonomy import Taxonomy  # noqa: E402

TID = "sys-exit-in-test-path"
CHEAT_WITHOUT_ACTION = "a cheat verdict needs at least one evidence span with role 'action'"


@pytest.fixture
def project(sample_copy_db: Path) -> Store:
    store = Store(sample_copy_db)
    yield store
    store.close()


@pytest.fixture
def form(qtbot, project: Store) -> LabelForm:
    widget = LabelForm(project.taxonomy)
    qtbot.addWidget(widget)
    widget.set_session(ReviewSession(project, "carol", TID))
    return widget


def stored(store: Store, first_pass: bool = True) -> Label | None:
    """Read back through a second Store on the same file, as another app instance would."""
    with Store(store.path) as other:
        return other.labels.get(TID, "carol", first_pass)


def action_span(store: Store) -> EvidenceSpan:
    text = source_text(store.trajectories.get(TID), 1, "text")
    return EvidenceSpan(1, "text", 0, 10, text[:10])


def test_form_is_generated_from_the_default_taxonomy(form: LabelForm, project: Store) -> None:
    radios = [b.text() for b in form.editors["verdict"].findChildren(QRadioButton)]
    assert radios == ["1  Clean", "2  Honest failure", "3  Cheat", "4  Attempted cheat", "5  Borderline", "6  Unreviewable"]
    assert set(form.editors) == set(project.taxonomy.fields)
    for label in form.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert all(not w.toolTip() for w in form.findChildren(QWidget))


def test_a_project_taxonomy_changes_the_form(qtbot) -> None:
    data = copy.deepcopy(Taxonomy.default().data)
    data["fields"][0]["options"].append({"code": "needs_rerun", "label": "Needs rerun", "help": "Run it again."})
    widget = LabelForm(Taxonomy(data))
    qtbot.addWidget(widget)
    assert widget.editors["verdict"].findChildren(QRadioButton)[-1].text() == "7  Needs rerun"


def test_every_widget_edit_is_stored_at_once(qtbot, form: LabelForm, project: Store) -> None:
    with qtbot.waitExposed(form):
        form.show()
    verdict = form.editors["verdict"]
    with qtbot.waitSignal(form.changed):
        qtbot.mouseClick(verdict.findChildren(QRadioButton)[2], Qt.MouseButton.LeftButton)
    assert stored(project).verdict == "cheat"
    assert verdict.detail.text().startswith("At least one exploit")  # help of the chosen verdict

    categories = form.editors["categories"]
    categories.list.setCurrentRow(4)
    categories.list.item(4).setCheckState(Qt.CheckState.Checked)
    assert stored(project).categories == ["tests.exit"]
    assert categories.detail.text().startswith("sys.exit(0)")

    intent = form.editors["intent"]
    qtbot.mouseClick(intent.buttons[3], Qt.MouseButton.LeftButton)
    assert stored(project).intent == 3 and intent.detail.text().startswith("3: Probable")
    qtbot.mouseClick(intent.buttons[3], Qt.MouseButton.LeftButton)  # clicking the chosen value clears it
    assert stored(project).intent is None

    combo = form.editors["disclosure"].combo
    combo.activated.emit(combo.findData("silent"))
    assert stored(project).disclosure == "silent"

    rationale = form.editors["rationale"]
    qtbot.keyClicks(rationale.edit, "exits 0 on failure")
    qtbot.waitUntil(lambda: (stored(project).rationale or "") == "exits 0 on failure", timeout=2000)

    assert form.add_evidence(action_span(project), "action", ["tests.exit"])
    assert stored(project).evidence[0].role == "action" and form.evidence.count() == 1
    form.evidence.setCurrentRow(0)
    qtbot.mouseClick(form.remove_button, Qt.MouseButton.LeftButton)
    assert stored(project).evidence == [] and form.evidence.count() == 0


def test_every_keystroke_of_the_rationale_is_stored_at_once_as_one_event(qtbot, form: LabelForm, project: Store) -> None:
    form.set_verdict_by_key(1)
    edit = form.editors["rationale"].edit
    for k, key in enumerate("fine", start=1):
        qtbot.keyClick(edit, key)
        assert stored(project).rationale == "fine"[:k]  # no debounce: a crash now loses nothing
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert stored(project).rationale == "fin"
    events = project.labels.history(TID, "carol")
    assert [(e.old.rationale if e.old else None, e.new.rationale) for e in events] == [(None, None), (None, "fin")]
    assert form.undo() and stored(project).rationale is None and edit.toPlainText() == ""


def test_verdict_keys_and_undo_redo_are_stored(form: LabelForm, project: Store) -> None:
    assert form.set_verdict_by_key(5) and stored(project).verdict == "borderline"
    assert not form.set_verdict_by_key(7)
    form.set_verdict_by_key(1)
    assert form.undo() and stored(project).verdict == "borderline"
    assert form.editors["verdict"].findChildren(QRadioButton)[4].isChecked()
    assert form.redo() and stored(project).verdict == "clean"


def test_required_when_message_is_always_visible(qtbot, form: LabelForm, project: Store) -> None:
    with qtbot.waitExposed(form):
        form.show()
    assert form.message.isVisible() and "verdict is required" in form.message.text()
    form.set_verdict_by_key(3)
    assert CHEAT_WITHOUT_ACTION in form.message.text()
    assert form.editors["categories"].title.text().endswith("needed")
    form.add_evidence(action_span(project), "action", [])
    assert CHEAT_WITHOUT_ACTION not in form.message.text()


def test_a_refused_edit_is_explained(form: LabelForm) -> None:
    bad = EvidenceSpan(1, "text", 0, 3, "not the text")
    assert not form.add_evidence(bad, "action", [])
    assert "Not saved:" in form.message.text() and "quote does not match" in form.message.text()


def test_blind_until_the_first_pass_then_reveal(qtbot, form: LabelForm, project: Store) -> None:
    with qtbot.waitExposed(form):
        form.show()
    session = form.session()
    assert not form.editors["context.grader_outcome"].isVisible() and form.editors["context.spec_status"].isVisible()
    assert not form.reveal_button.isVisible() and session.other_labels() == [] and session.suggestions() == []
    form.set_verdict_by_key(3)
    assert form.reveal_button.isVisible()
    first = stored(project)
    qtbot.mouseClick(form.reveal_button, Qt.MouseButton.LeftButton)  # a verdict alone: it asks first
    question = form.reveal_question
    assert question is not None and "categories" in question.text() and not session.revealed
    with qtbot.waitSignal(form.revealed):
        qtbot.mouseClick(question.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert form.editors["context.grader_outcome"].isVisible() and not form.reveal_button.isVisible()
    assert {lb.annotator for lb in session.other_labels()} == {"alice", "bob"}
    final = stored(project, first_pass=False)
    assert final.revealed.to_dict() == {"other_labels": True, "suggestions": True, "grader_outcome": True}
    form.set_verdict_by_key(1)
    assert stored(project, first_pass=False).verdict == "clean" and stored(project).content() == first.content()


def test_window_activation_pauses_the_clock(qtbot, form: LabelForm) -> None:
    clock = ActivityClock(form, form.session)
    with qtbot.waitExposed(form):
        form.show()
    clock.sync()
    assert form.session().active == form.isActiveWindow()
    form.session().resume()
    form.set_session(ReviewSession(form.session().store, "carol", "honest-fix"))
    assert form.session().active


def test_render_png(qtbot, project: Store, tmp_path: Path) -> None:
    widget = LabelForm(project.taxonomy)
    qtbot.addWidget(widget)
    widget.set_session(ReviewSession(project, "alice", "conftest-report-patching"))
    widget.resize(440, 900)
    with qtbot.waitExposed(widget):
        widget.show()
    path = Path(os.environ.get("LABEL_FORM_PNG", tmp_path / "label_form.png"))
    assert widget.grab().save(str(path))
