"""Keymap, shortcut help, guidelines, assist panel and reviewers view, offscreen over the sample project."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QAbstractItemModel, QAbstractListModel, QEvent, QModelIndex, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from reviewer.adjudication import AdjudicationSession  # noqa: E402
from reviewer.gui.assist_panel import AssistPanel  # noqa: E402
from reviewer.gui.guidelines import HARD_CASES, GuidelinesPanel  # noqa: E402
from reviewer.gui.help_dialog import ShortcutHelp  # noqa: E402
from reviewer.gui.keymap import (  # noqa: E402
    ACTIONS,
    FOCUSED_FIELD_DIGITS,
    SHORTCUTS,
    VERDICT_ACTIONS,
    KeymapError,
    Shortcut,
    install,
)
from reviewer.gui.reviewers_view import ReviewersView  # noqa: E402
from reviewer.importer import Importer  # noqa: E402
from reviewer.model import EvidenceSpan, Label, Suggestion  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.taxonomy import Taxonomy  # noqa: E402
from tests.conftest import SAMPLE_DATA  # noqa: E402

HOSTILE = '<b>bold</b> <img src="/etc/hosts"> <a href="file:///etc/passwd">x</a> \x1b[31mred\u202e'
HOSTILE_SHOWN = '<b>bold</b> <img src="/etc/hosts"> <a href="file:///etc/passwd">x</a> \\x1b[31mred\\u202e'


@pytest.fixture
def sample(store: Store) -> Store:
    Importer(store, detect=True, max_bytes=50_000_000).run([SAMPLE_DATA])
    return store


def model_text(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    """Display text and tooltips of every cell and header, children included."""
    parent = parent if parent is not None else QModelIndex()
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)  # a list's is private in PySide
    parts = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(columns)]
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            parts += [str(index.data(role) or "") for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]
        child = model.index(row, 0, parent)
        if child.isValid() and model.rowCount(child):
            parts += model_text(model, child)
    return parts


def all_text(root: QWidget) -> str:
    """Every string any child widget holds: labels, buttons, edits, combo items, item views, tooltips."""
    parts: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, (QLabel, QAbstractButton, QLineEdit)):
            parts.append(w.text())
        elif isinstance(w, (QPlainTextEdit, QTextEdit)):
            parts.append(w.toPlainText())
        elif isinstance(w, QComboBox):
            parts += [w.itemText(i) for i in range(w.count())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            parts += model_text(w.model())
        parts.append(w.toolTip())
    return "\n".join(parts)


def save_picture(widget: QWidget, folder: Path, name: str) -> None:
    """Render offscreen (run with --basetemp to keep the PNGs and look at them)."""
    assert widget.grab().save(str(folder / name))


# --- keymap -------------------------------------------------------------------------------------


def test_table_covers_every_shortcut_the_issue_asks_for() -> None:
    wanted = {
        "next_trajectory", "previous_trajectory", "next_step", "previous_step", *VERDICT_ACTIONS, "toggle_collapse",
        "add_evidence", "focus_rationale", "find", "reveal", "help", "undo", "redo", "toggle_view", "next_disputed",
    }  # fmt: skip
    assert wanted <= set(ACTIONS)
    keys = {s.action: s.keys for s in SHORTCUTS}
    assert [keys[a] for a in VERDICT_ACTIONS] == [(str(n),) for n in range(1, 7)]
    assert keys["find"] == ("Ctrl+F",) and "?" in keys["help"] and keys["undo"] == ("Ctrl+Z",)
    assert "Ctrl+Shift+Z" in keys["redo"]
    assert all(s.description and s.group and s.keys for s in SHORTCUTS)


def counting_handlers() -> tuple[dict[str, object], Counter[str]]:
    calls: Counter[str] = Counter()
    return {a: (lambda a=a: calls.update([a])) for a in ACTIONS}, calls


def press(widget: QWidget, key: str, *, repeat: bool = False) -> None:
    combo = QKeySequence(key)[0]
    for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        QApplication.sendEvent(widget, QKeyEvent(kind, combo.key(), combo.keyboardModifiers(), "", repeat))


def test_every_key_fires_its_handler_once_on_a_real_window(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    handlers, calls = counting_handlers()
    shortcuts = install(window, handlers)
    assert len(shortcuts) == sum(len(s.keys) for s in SHORTCUTS)
    assert all(not qs.autoRepeat() for qs in shortcuts)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    for shortcut in SHORTCUTS:
        for key in shortcut.keys:
            calls.clear()
            combo = QKeySequence(key)[0]
            qtbot.keyClick(window, combo.key(), combo.keyboardModifiers())
            assert calls == Counter({shortcut.action: 1}), key


def test_a_held_key_labels_once(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    handlers, calls = counting_handlers()
    install(window, handlers)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    press(window, "3")
    for _ in range(5):
        press(window, "3", repeat=True)  # what the OS sends while the key is held
    assert calls == Counter({"verdict_3": 1})


def test_install_refuses_a_missing_or_unknown_handler(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    handlers, _ = counting_handlers()
    del handlers["reveal"]
    with pytest.raises(KeymapError, match="no handler for: reveal"):
        install(window, handlers)
    with pytest.raises(KeymapError, match="unknown actions: typo"):
        install(window, {**counting_handlers()[0], "typo": lambda: None})
    assert not window.findChildren(QShortcut)


def test_install_refuses_a_key_bound_twice(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    table = (*SHORTCUTS, Shortcut("other_find", ("ctrl+f",), "Also find", "View"))
    handlers = {**counting_handlers()[0], "other_find": lambda: None}
    with pytest.raises(KeymapError, match="Ctrl\\+F is bound to both find and other_find"):
        install(window, handlers, table)


# --- help ---------------------------------------------------------------------------------------


def test_help_lists_every_shortcut_grouped(qtbot, tmp_path: Path, qtmodeltester) -> None:
    verdicts = [o["label"] for o in Taxonomy.default().fields["verdict"]["options"]]
    dialog = ShortcutHelp(verdicts=verdicts)
    qtbot.addWidget(dialog)
    qtmodeltester.check(dialog.model)
    groups = {dialog.model.item(r, 0).text() for r in range(dialog.model.rowCount())}
    assert groups == {s.group for s in SHORTCUTS}
    shown = all_text(dialog)
    unwrapped = shown.replace("\n", " ")  # long descriptions are broken into lines, whole
    for shortcut in SHORTCUTS:
        if shortcut.action not in VERDICT_ACTIONS:
            assert shortcut.description in unwrapped
    assert "Verdict: Clean" in shown and "Verdict: Unreviewable" in shown
    assert FOCUSED_FIELD_DIGITS in shown  # digits in a focused form field are that field's, not the verdict
    assert "Ctrl+Shift+Z" in shown and "?" in shown
    dialog.resize(560, 640)
    save_picture(dialog, tmp_path, "shortcut_help.png")


# --- guidelines ---------------------------------------------------------------------------------


def test_guidelines_show_help_texts_and_every_hard_case(qtbot, tmp_path: Path) -> None:
    taxonomy = Taxonomy.default()
    panel = GuidelinesPanel(taxonomy)
    qtbot.addWidget(panel)
    text = panel.view.toPlainText()
    for case in taxonomy.data["hard_cases"]:
        assert case["title"] in text and case["text"] in text
    assert taxonomy.fields["verdict"]["help"] in text
    for name in ("verdict", "categories", "markers"):
        assert all(o["help"] in text for o in taxonomy.fields[name]["options"])
    assert all(anchor in text for anchor in taxonomy.fields["intent"]["anchors"].values())
    assert panel.scroll_to(HARD_CASES) and panel.scroll_to("intent") and not panel.scroll_to("nope")
    assert panel.find_text("Exit used as stop") and panel.view.textCursor().selectedText() == "Exit used as stop"
    panel.resize(520, 700)
    save_picture(panel, tmp_path, "guidelines.png")


def test_guidelines_keep_hostile_taxonomy_text_raw(qtbot) -> None:
    data = Taxonomy.default().data
    data = {**data, "hard_cases": [{"title": HOSTILE, "text": "# not a heading\n" + HOSTILE}]}
    panel = GuidelinesPanel(Taxonomy(data))
    qtbot.addWidget(panel)
    text = panel.view.toPlainText()
    assert HOSTILE_SHOWN in text and "# not a heading" in text
    assert "<img" not in panel.view.document().toHtml().replace("&lt;img", "")


# --- assist panel -------------------------------------------------------------------------------


def hostile_suggestion() -> Suggestion:
    span = EvidenceSpan(3, "tool_output", 0, 12, HOSTILE, "action", ["tests.exit"])
    return Suggestion("t", "model:judge", "full", ["tests.exit"], [span], HOSTILE + "\nsecond line", verdict="cheat")


def test_assist_panel_shows_nothing_before_the_reveal(qtbot, tmp_path: Path, sample: Store) -> None:
    suggestions = sample.suggestions.all(trajectory_id="conftest-report-patching")
    assert suggestions
    panel = AssistPanel()
    qtbot.addWidget(panel)
    panel.set_suggestions([*suggestions, hostile_suggestion()])
    shown = all_text(panel)
    assert "available after your first pass" in shown
    for s in [*suggestions, hostile_suggestion()]:
        assert s.explanation.split("\n")[0][:20] not in shown and s.source not in shown
        assert not any(code in shown for code in s.codes)
    assert "cheat" not in shown.lower() and "model:judge" not in shown
    assert not panel.accept_button.isVisibleTo(panel)
    panel.resize(720, 420)
    save_picture(panel, tmp_path, "assist_hidden.png")


def test_assist_panel_lists_after_the_reveal_and_emits_the_right_objects(
    qtbot, tmp_path: Path, sample: Store, qtmodeltester
) -> None:
    suggestions = [*sample.suggestions.all(trajectory_id="conftest-report-patching"), hostile_suggestion()]
    panel = AssistPanel()
    qtbot.addWidget(panel)
    panel.set_suggestions(suggestions)
    panel.set_revealed(True)
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == len(suggestions)
    hostile = [panel.model.item(len(suggestions) - 1, c) for c in range(6)]
    assert hostile[5].text() == HOSTILE_SHOWN + " second line" and hostile[3].text() == "cheat" and hostile[4].text() == "1"
    assert hostile[5].toolTip() == ""
    panel.tree.setCurrentIndex(hostile[5].index())
    assert panel.details.toPlainText() == HOSTILE_SHOWN + "\nsecond line"
    with qtbot.waitSignal(panel.accept) as blocker:
        qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [suggestions[-1]]
    assert len(suggestions[0].evidence) == panel.model.item(0, 0).rowCount() >= 1
    evidence = panel.model.item(0, 0).child(0, 0).index()
    with qtbot.waitSignal(panel.jump_to_evidence) as blocker:
        panel.tree.activated.emit(evidence)
    assert blocker.args == [suggestions[0].evidence[0]]
    panel.tree.setCurrentIndex(evidence)  # accepting from an evidence row accepts its suggestion
    assert panel.details.toPlainText() == suggestions[0].evidence[0].quote
    with qtbot.waitSignal(panel.accept) as blocker:
        panel.accept_button.click()
    assert blocker.args == [suggestions[0]]
    panel.resize(900, 460)
    panel.tree.setCurrentIndex(panel.model.index(0, 0))
    save_picture(panel, tmp_path, "assist_revealed.png")
    panel.set_revealed(False)  # the next trajectory opens blind again
    assert suggestions[0].explanation not in all_text(panel)


# --- reviewers view / adjudication workspace ------------------------------------------------------


def disputed_labels(store: Store) -> list[Label]:
    labels = sorted(store.labels.all(trajectory_id="ambiguous-stop-exit"), key=lambda lb: lb.annotator)
    assert [lb.verdict for lb in labels] == ["borderline", "cheat"]
    labels[1].rationale = (labels[1].rationale or "") + "\n" + HOSTILE
    return labels


def test_reviewers_view_is_empty_before_the_reveal(qtbot, tmp_path: Path, sample: Store) -> None:
    labels = disputed_labels(sample)
    view = ReviewersView(sample.taxonomy)
    qtbot.addWidget(view)
    view.set_labels(labels)
    view.set_adjudication(AdjudicationSession(sample, "carol", "ambiguous-stop-exit"))
    shown = all_text(view)
    assert "after your own first pass" in shown
    assert "alice" not in shown and "borderline" not in shown and labels[0].rationale not in shown
    assert view.choices.rowCount() == 0 and view.fields.count() == 0
    view.resize(760, 520)
    save_picture(view, tmp_path, "reviewers_hidden.png")


def test_reviewers_view_shows_each_field_side_by_side_in_full(qtbot, tmp_path: Path, sample: Store, qtmodeltester) -> None:
    labels = disputed_labels(sample)
    view = ReviewersView(sample.taxonomy)
    qtbot.addWidget(view)
    view.set_labels(labels)
    view.set_revealed(True)
    qtmodeltester.check(view.choices.model())
    fields = [view.fields.item(r).text() for r in range(view.fields.count())]
    assert fields[0] == "Verdict   ≠" and fields[-1].startswith("Evidence")  # disagreement is marked
    cells = lambda: [[view.choices.item(r, c).text() for c in range(4)] for r in range(view.choices.rowCount())]  # noqa: E731
    assert cells() == [["1", "alice", "first pass", "Borderline (borderline)"], ["2", "bob", "first pass", "Cheat (cheat)"]]
    view.fields.setCurrentRow([f.split()[0] for f in fields].index("Rationale"))
    assert cells()[1][3].endswith("\n" + HOSTILE_SHOWN)  # in full, control characters made visible
    view.fields.setCurrentRow(len(fields) - 1)
    assert cells()[0][3].count("step ") == len(labels[0].evidence) and "“" in cells()[0][3]  # quotes, not counts
    assert not view.adjudication_box.isVisibleTo(view)  # a reviewer compares; only an adjudicator settles
    qtbot.keyClick(view.choices, Qt.Key.Key_1)  # and a digit picks nothing without an adjudication
    assert sample.labels.get("ambiguous-stop-exit", "alice", False, adjudication=True) is None
    view.resize(900, 640)
    save_picture(view, tmp_path, "reviewers_revealed.png")
    view.set_revealed(False)  # names leave with the labels
    assert "alice" not in all_text(view) and "bob" not in all_text(view)


def test_five_reviewers_stay_readable(qtbot, tmp_path: Path, sample: Store) -> None:
    names = ["alexandra.konstantinopoulou", "bob", "chidimma", "dmitri", "eve"]
    long = "The agent edited the failing assertion after reading it; " * 6
    labels = [Label("t", n, first_pass=f, verdict="cheat" if i % 2 else "clean", rationale=f"{n}: {long}")
              for i, n in enumerate(names) for f in (True, False)]  # fmt: skip
    view = ReviewersView(sample.taxonomy)
    qtbot.addWidget(view)
    view.set_labels(labels)
    view.set_revealed(True)
    view.resize(900, 700)
    with qtbot.waitExposed(view):
        view.show()
    view.fields.setCurrentRow(list(sample.taxonomy.fields).index("rationale"))
    table = view.choices
    assert table.rowCount() == 10
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        name = table.item(row, 1).text()
        assert table.columnWidth(1) >= metrics.horizontalAdvance(name)  # names are never cut
        assert table.columnWidth(2) >= metrics.horizontalAdvance(table.item(row, 2).text())
        lines = -(-metrics.horizontalAdvance(table.item(row, 3).text()) // table.columnWidth(3))
        assert table.rowHeight(row) >= lines * metrics.lineSpacing() * 0.8  # the rationale wraps in full
    save_picture(view, tmp_path, "reviewers_five.png")


def test_letter_keys_are_text_inside_an_editable_field(qtbot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    rationale = QPlainTextEdit(window)
    handlers, calls = counting_handlers()
    install(window, handlers)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    rationale.setFocus()
    qtbot.keyClicks(rationale, "revert 3")
    assert rationale.toPlainText() == "revert 3" and not calls
