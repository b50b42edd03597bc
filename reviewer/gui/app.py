"""The review app's main window: it composes the parts and routes events between them.

Left: the trajectory list (paged and filtered in SQL). Middle: transcript, diffs, the reviewers'
labels and guidelines in tabs. Right: the label form (every change saved at once through a
`ReviewSession`) above the assist panel. What others said (their labels, suggestions, the grader
outcome) reaches no part of the window before the reviewer's own first pass is frozen by the
reveal: `reviewer.blind` lists every channel and its rule. Every key is in `keymap.SHORTCUTS`.
Trajectory text reaches widgets only as plain text (the parts enforce it).

As an adjudicator (`adjudicator=True`, or a name the project lists as adjudicator) the window is a
workspace for settling disputes: every label is visible at once, the reviewers' labels sit under
the transcript (field by field, each value picked with one key), and the form edits the
adjudication (an `AdjudicationSession`), never anyone's own label. Where the adjudicator may not
settle (`adjudication.refusal`), nothing opens and the workspace says why.

In a project with planned work (`reviewer batch create`) a reviewer's list starts on "My slots":
the items they hold a slot of, with their progress and how many more they could claim; Ctrl+Return
claims the next slot and opens it, and the open slot's lease is renewed while it is open
(`slot_keeper`, off the GUI thread). Labels others save reach the open window as they are committed
(`live_updates`): the rows they touch are read again, through the same masks as every read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtCore import QElapsedTimer, QEventLoop, QItemSelection, QSettings, Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewer.adjudication import AdjudicationSession, refusal, reviewer_labels
from reviewer.edits import DiffTexts
from reviewer.gui import keymap, window_state
from reviewer.gui.assist_panel import AssistPanel
from reviewer.gui.code_picker import CodePicker
from reviewer.gui.diff_view import DiffView
from reviewer.gui.evidence_popover import EvidencePopover, selection_point
from reviewer.gui.field_keys import FIELD_ACTION_PREFIX, field_shortcuts
from reviewer.gui.guidelines import GuidelinesPanel
from reviewer.gui.help_dialog import ShortcutHelp
from reviewer.gui.label_form import LabelForm
from reviewer.gui.label_queue import LabelQueue
from reviewer.gui.live_updates import ChangeListener
from reviewer.gui.queue_flow import ask_reason, ask_to_move_on, next_needing, progress_text
from reviewer.gui.resume import recall, remember
from reviewer.gui.review_session import ActivityClock
from reviewer.gui.reviewers_view import ReviewersView
from reviewer.gui.screen_fit import DESIGN_SIZE, fit_first_time
from reviewer.gui.slot_keeper import SlotKeeper
from reviewer.gui.trajectory_loader import TrajectoryLoader
from reviewer.gui.trajectory_model import TrajectoryTableModel
from reviewer.gui.transcript_view import TranscriptView
from reviewer.gui.widgets import FocusWheelComboBox, PlainLabel
from reviewer.label_session import LabelSession
from reviewer.model import EvidenceSpan, Label, Outcome, Suggestion, Trajectory
from reviewer.outcomes import describe
from reviewer.review import ReviewSession
from reviewer.store import Store
from reviewer.store.changes import LabelChange, last_event
from reviewer.store.listing import BY_CLASSIFIER, RANKED, ListQuery, Queue
from reviewer.store.location import Location, display_name
from reviewer.store.slots import Claim
from reviewer.textsafe import one_line

FONT_SCRIPTS = (
    (QFontDatabase.WritingSystem.SimplifiedChinese, "Chinese"),
    (QFontDatabase.WritingSystem.Japanese, "Japanese"),
    (QFontDatabase.WritingSystem.Korean, "Korean"),
)


def scripts_without_font() -> list[str]:
    """Scripts agents write in that no installed font covers: their text would show as empty boxes."""
    return [name for system, name in FONT_SCRIPTS if not QFontDatabase.families(system)]


def window_title(project: Location, annotator: str | None, adjudicator: bool = False) -> str:
    """The project file's name and the viewer's own name and role: nothing about any trajectory's labels."""
    who = f" — {annotator}" + (" (adjudicator)" if adjudicator else "") if annotator else " — no reviewer name"
    return f"reviewer — {display_name(project)}{who}"


QUEUES = (
    ("all", "All trajectories"), ("mine", "My queue"), ("unlabelled", "Unlabelled by me"), ("disputed", "Disputed"),
    ("uncertain", "Classifier unsure"), ("suspicious", "Classifier suspects"), ("random", "Random sample"),
    ("slots", "My slots"),
)  # fmt: skip


class MainWindow(QMainWindow):
    trajectory_shown = Signal(str)  # the transcript and diffs now show this trajectory

    def __init__(
        self, store: Store, annotator: str | None, *, adjudicator: bool | None = None, settings: QSettings | None = None
    ):
        """`adjudicator`: None follows the project (its named adjudicators adjudicate). `settings`: where the
        window's sizes, open tab and folded sections are restored from and saved to (None: nowhere)."""
        super().__init__()
        self.store = store
        self.settings = settings
        self._suggestions: list[Suggestion] = []  # the open item's, once revealed: outline marks
        self.loader = TrajectoryLoader(store.path, self)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_load_failed)
        self._opening: str | None = None
        # What the reveal shows, read once per trajectory and reveal rather than on every keystroke.
        self._others: list[Label] = []
        self._outcome: Outcome | None = None
        self._shown_revealed = False  # what the panels show: others' opinions (True) or nothing
        self._row_state: tuple[object, ...] | None = None  # what the open row's cells were last read for
        self.annotator = annotator
        self._note = ""  # what the last Ctrl+Return in My slots found, said in the status bar until the next item
        self.labels = LabelQueue(store, self)  # every label change goes through it: never lost, never freezing
        self.labels.state_changed.connect(self._on_save_state)
        named = annotator is not None and annotator in store.settings.adjudication.adjudicators
        # the list also sights what the viewer has not labelled (reviewer.blind); the form edits adjudications
        self.adjudicator = bool(annotator) and (named if adjudicator is None else adjudicator)
        self.session: LabelSession | None = None
        self._spans_selected: list[EvidenceSpan] = []  # the adjudicator's cursor in the reviewers' labels
        self.setWindowTitle(window_title(store.path, annotator, self.adjudicator))
        taxonomy = store.taxonomy

        # planned work (batches): the reviewer's queue is their slots; an adjudicator settles what others did
        self.planned = bool(annotator) and not self.adjudicator and store.slots.has_batches()
        queues = [(key, text) for key, text in QUEUES if key != "slots" or self.planned]
        first_queue: Queue = "disputed" if self.adjudicator else "slots" if self.planned else "all"
        left_off = recall(settings, store.path, annotator, self.adjudicator)
        if left_off is not None and left_off[0] in dict(queues):
            first_queue = cast(Queue, left_off[0])
        self.live = ChangeListener(store.path, last_event(store.db), self)  # from what the list reads next
        self.live.changed.connect(self._on_changes)
        self.live.failed.connect(self.statusBar().showMessage)
        self.slot_keeper = SlotKeeper(store, annotator, self) if self.planned and annotator else None
        if self.slot_keeper is not None:
            self.slot_keeper.claimed.connect(self._on_claimed)
            self.slot_keeper.failed.connect(self.statusBar().showMessage)
        self.model = TrajectoryTableModel(
            store.listing, ListQuery(annotator=annotator, adjudicator=self.adjudicator, queue=first_queue)
        )
        self.model.fetchMore()
        self.table = self._list_view()
        self.queue = FocusWheelComboBox()
        for key, text in queues:
            self.queue.addItem(text, key)
        self.queue.setCurrentIndex(self.queue.findData(first_queue))
        self.verdict = FocusWheelComboBox()
        for combo in (self.queue, self.verdict):  # narrow enough for a 1,024 px window
            combo.setSizeAdjustPolicy(FocusWheelComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
        self.verdict.addItem("My verdict: any", None)  # the own verdict: others' would unblind the first pass
        for code in taxonomy.codes("verdict"):
            self.verdict.addItem(f"My verdict: {code}", code)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search all steps")
        self.search.setClearButtonEnabled(True)
        for signal in (self.queue.currentIndexChanged, self.verdict.currentIndexChanged):
            signal.connect(self._apply_filters)
        self.search.returnPressed.connect(self._apply_filters)

        self.transcript = TranscriptView()
        self.diffs = DiffView()
        self.reviewers = ReviewersView(taxonomy)
        self.guidelines = GuidelinesPanel(taxonomy)
        self.tabs = QTabWidget()
        tabs = [
            (self.transcript, "Transcript"),
            (self.diffs, "Diffs"),
            (self.reviewers, "Reviewers"),
            (self.guidelines, "Guidelines"),
        ]
        for widget, title in tabs if not self.adjudicator else tabs[:2] + tabs[3:]:  # the adjudicator's sit under the text
            self.tabs.addTab(widget, title)
        self.form = LabelForm(taxonomy)
        taken = [keymap.normalized(k) for s in keymap.SHORTCUTS for k in s.keys]
        self.keys = (*keymap.SHORTCUTS, *field_shortcuts(taxonomy, taken))  # the table the keys and the help share
        self.form.show_keys({s.action.removeprefix(FIELD_ACTION_PREFIX): s.keys[0] for s in self.keys[len(keymap.SHORTCUTS) :]})
        self.picker = CodePicker(taxonomy, self)
        self.picker.edited.connect(self.form.set_field)
        self.popover = EvidencePopover(taxonomy, self)
        self.popover.saved.connect(self._on_evidence_saved)
        self._editing_evidence: int | None = None  # the evidence row the popover edits; None: a new span
        self.progress = PlainLabel()
        self.progress.setVisible(not self.adjudicator)  # the reviewer's own progress; an adjudicator settles disputes
        self.assist = AssistPanel()
        self._lay_out()

        self.diffs.jump_to_step.connect(self._show_step)
        self.assist.jump_to_evidence.connect(self._show_span)
        self.form.evidence_activated.connect(self._show_span)
        self.assist.accept.connect(self.accept_suggestion)
        self.reviewers.changed.connect(self._on_adjudication_changed)
        self.reviewers.spans_selected.connect(self._on_spans_selected)
        self.form.changed.connect(self._on_label_changed)
        self.form.revealed.connect(self._on_revealed)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.clock = ActivityClock(self, lambda: self.session)
        missing = scripts_without_font()
        self.font_hint = PlainLabel(
            f"No {'/'.join(missing)} font: such text shows as boxes (install fonts-noto-cjk)" if missing else ""
        )
        self.font_hint.setVisible(bool(missing))
        self.statusBar().addPermanentWidget(self.font_hint)
        self.shortcuts = keymap.install(self, self._handlers(), self.keys)
        self.geometry_restored = settings is not None and window_state.restore(self, settings)
        if self.model.rowCount() and not (left_off is not None and self.open_trajectory(left_off[1])):
            self.table.selectRow(self._first_row())
        self._explain_empty()
        self._show_progress()  # also of an empty list (no slot claimed yet)
        self._status()
        self.live.start()

    # --- layout -------------------------------------------------------------------------------

    def _list_view(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        table.setSortingEnabled(True)
        table.resizeColumnsToContents()
        return table

    def _lay_out(self) -> None:
        filters = QHBoxLayout()
        for widget in (self.queue, self.verdict):
            filters.addWidget(widget)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(filters)
        column.addWidget(self.search)
        column.addWidget(self.progress)
        column.addWidget(self.table)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.form)
        right.addWidget(self.assist)
        right.setSizes([680, 160])  # the form and its evidence list first; suggestions wait for the reveal
        middle: QWidget = self.tabs
        if self.adjudicator:
            middle = QSplitter(Qt.Orientation.Vertical)
            middle.addWidget(self.tabs)
            middle.addWidget(self.reviewers)
            middle.setSizes([400, 460])
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self._pane_shares = [280, 760, 400] if self.adjudicator else [240, 640, 400]  # the adjudicator reads more than lists
        for pane in (left, middle, right):
            splitter.addWidget(pane)
        for index, share in enumerate(self._pane_shares):  # a narrower window narrows every pane, not the transcript alone
            splitter.setStretchFactor(index, share // 40)
        splitter.setSizes(self._pane_shares)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.splitters = {"main": splitter, "side": right, "transcript": self.transcript.splitter}
        if isinstance(middle, QSplitter):
            self.splitters["middle"] = middle

    def _handlers(self) -> dict[str, Callable[[], object]]:
        handlers: dict[str, Callable[[], object]] = {
            "next_trajectory": lambda: self._move(1),
            "previous_trajectory": lambda: self._move(-1),
            "next_disputed": self.next_disputed,
            "next_step": self.transcript.next_step,
            "previous_step": self.transcript.previous_step,
            "jump_to_step": self._ask_step,
            "toggle_view": self._open_diff,
            "toggle_collapse": self.transcript.toggle_section,
            "toggle_step_sections": self.transcript.toggle_step,
            "find": self._find,
            "find_next": self.transcript.find_next,
            "find_previous": self.transcript.find_previous,
            "add_evidence": self._ask_evidence,
            "pick_codes": self._pick_codes,
            "focus_rationale": self.form.focus_rationale,
            "accept_suggestion": self._accept_selected,
            "leave_field": self._leave_field,
            "done": self._done,
            "skip": partial(self._set_aside, "skip"),
            "flag": partial(self._set_aside, "flag"),
            "undo": self.form.undo,
            "redo": self.form.redo,
            "reveal": self.form.reveal,
            "help": self._help,
        }
        for n, action in enumerate(keymap.VERDICT_ACTIONS, start=1):
            handlers[action] = partial(self.form.set_verdict_by_key, n)
        for shortcut in self.keys[len(keymap.SHORTCUTS) :]:
            handlers[shortcut.action] = partial(self.form.arm, shortcut.action.removeprefix(FIELD_ACTION_PREFIX))
        return handlers

    # --- the current trajectory -----------------------------------------------------------------

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = selected.indexes()
        if rows:
            self.open(self.model.trajectory_id(rows[0].row()))

    def open(self, trajectory_id: str) -> None:
        """Start (or continue) this reviewer's label of a trajectory at once; its text follows from the loader.

        The label form is live immediately (a verdict key pressed right after "next" lands on the
        new trajectory); the transcript and diffs keep the previous run until the new one is read,
        and evidence is refused while they show another run than the label's.
        """
        if self.session is not None:
            self.session.pause()
            if self.session.trajectory_id != trajectory_id:
                self._note = ""
        self.session, why = self._session_for(trajectory_id)
        self.form.set_session(self.session, why)
        self._opening = trajectory_id
        remember(self.settings, self.store.path, self.annotator, self.adjudicator, self.model.query.queue, trajectory_id)
        if self.slot_keeper is not None:
            self.slot_keeper.keep(trajectory_id)
        self.loader.load(trajectory_id)
        self._on_revealed()

    def _session_for(self, trajectory_id: str) -> tuple[LabelSession | None, str]:
        """The label this window edits for a trajectory, or None and why there is none."""
        if not self.annotator:
            return None, "No reviewer name: start the app with --annotator NAME."
        if not self.adjudicator:
            return ReviewSession(self.store, self.annotator, trajectory_id, sink=self.labels), ""
        refused = refusal(self.store, self.annotator, trajectory_id)
        if refused is not None:
            return None, f"Not yours to settle: {refused}."
        return AdjudicationSession(self.store, self.annotator, trajectory_id, sink=self.labels), ""

    def _on_loaded(self, trajectory: Trajectory) -> None:
        if trajectory.id != self._opening:
            return  # the list was emptied meanwhile: nothing is open
        self._opening = None
        if self.session is not None:
            self.session.trajectory = trajectory
        diffs = DiffTexts(trajectory.file_edits)  # one diff cache for the transcript, its find and the diff view
        self.transcript.set_trajectory(trajectory, diffs)
        self.transcript.set_suggestions(self._suggestions)
        self.diffs.set_trajectory(trajectory, diffs)
        self._on_label_changed()
        self.trajectory_shown.emit(trajectory.id)

    def _on_load_failed(self, trajectory_id: str, reason: str) -> None:
        self._opening = None
        self.transcript.set_trajectory(None)
        self.diffs.set_trajectory(None)
        self.statusBar().showMessage(reason)

    def shown_trajectory_id(self) -> str | None:
        """The run the transcript and diffs show (None while the first one loads)."""
        shown = self.transcript.trajectory
        return shown.id if shown is not None else None

    def _on_revealed(self) -> None:
        """Blind until the first pass: read what the session now lets the reviewer see (nothing
        before the first pass), on opening a trajectory and on the reveal."""
        session = self.session
        revealed = session is not None and session.revealed
        self._shown_revealed = revealed
        self._others = session.other_labels() if session else []
        self._outcome = session.outcome() if session else None
        self._suggestions = session.suggestions() if session else []  # none before the reveal
        self.assist.set_suggestions(self._suggestions)
        self.transcript.set_suggestions(self._suggestions)
        self.assist.set_revealed(revealed)
        self.reviewers.set_revealed(revealed or (self.adjudicator and session is None))
        adjudication = session if isinstance(session, AdjudicationSession) else None
        self.reviewers.set_adjudication(adjudication, self.form.note if self.adjudicator else "")
        self._on_label_changed()

    def _on_label_changed(self) -> None:
        """The label being edited changed: its spans, and its place among the others. A change of
        what may be seen (the reveal, or the reveal undone) re-reads everything that depends on it."""
        session = self.session
        if (session is not None and session.revealed) != self._shown_revealed:
            self._on_revealed()
            return
        own = [session.label] if session else []
        spans = [span for label in own for span in label.evidence]
        if isinstance(session, AdjudicationSession):
            self.reviewers.set_labels(reviewer_labels(self._others))
            spans += self._spans_selected  # and those of the reviewer's label under the cursor
        else:
            self.reviewers.set_labels(self._others + own)
            spans += [span for label in self._others for span in label.evidence]  # none until the reveal
        self.transcript.highlight_spans(spans)
        self.diffs.highlight_spans(spans)
        label = session.label if session else None
        row_state = (
            (label.trajectory_id, label.created_at is not None, not label.first_pass, label.complete, label.flag)
            if label
            else None
        )
        if session is not None and row_state != self._row_state:  # My status, and what the reveal sights: not every keystroke
            self._row_state = row_state
            self.model.refresh(session.trajectory_id)
            self._show_progress()
        self._status()

    def _on_save_state(self) -> None:
        """Changes waiting for the file (locked, full, read-only) are said at once, and kept."""
        self.form.set_save_state(self.labels.waiting, self.labels.error, self.labels.refused)
        self._status()

    def _on_adjudication_changed(self) -> None:
        """The workspace changed the adjudication: the form shows it too."""
        self.form.refresh()
        self._on_label_changed()

    def _on_spans_selected(self, spans: list[EvidenceSpan]) -> None:
        """The adjudicator moved to another reviewer's label: highlight its spans; on the evidence field, show the first."""
        if not isinstance(self.session, AdjudicationSession):
            return
        self._spans_selected = spans
        self._on_label_changed()
        if spans and self.reviewers.current_field() == "evidence" and self.shown_trajectory_id() == self.session.trajectory_id:
            self._show_span(spans[0])

    def _status(self) -> None:
        parts = [f"{self.model.total} trajectories", *([self._note] if self._note else [])]
        if self.labels.waiting and self.labels.refused:
            parts.append(f"NOT SAVED: {self.labels.waiting} label changes — {one_line(self.labels.refused, 120)}")
        elif self.labels.waiting and self.labels.error:
            parts.append(f"NOT SAVED: {self.labels.waiting} label changes waiting — retrying")
        if self.labels.conflict:
            parts.append(f"CONFLICT: {one_line(self.labels.conflict, 200)}")
        if self._opening is not None:
            parts.append(f"loading {one_line(self._opening, 80)}…")
        if self.session is not None:
            s = self.session
            if isinstance(s, AdjudicationSession):
                parts.append("adjudication (settled)" if s.settled else "adjudication (draft)")
            else:
                parts.append("final label (revealed)" if s.revealed else "blind first pass")
            if self._outcome is not None:  # a session gives one only after the reveal
                parts.extend(one_line(line, 120) for line in describe(self._outcome)[:2])  # the result, the test counts
            parts.append(f"{int(s.seconds_spent)} s on this trajectory")
        self.statusBar().showMessage(" · ".join(parts))

    # --- actions --------------------------------------------------------------------------------

    def _apply_filters(self) -> None:
        queue = self.queue.currentData()
        sort = self.model.query.sort
        if queue in RANKED and queue != self.model.query.queue:
            sort = "queue"  # a ranked queue opens in its own order, with no column's sort indicator
        elif queue not in RANKED and sort == "queue":
            sort = "id"
        header = self.table.horizontalHeader()
        header.blockSignals(True)  # the indicator shows the order of the query set below; set here, it must not sort
        if sort == "queue":
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        elif header.sortIndicatorSection() < 0:
            header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.blockSignals(False)
        query = replace(
            self.model.query,
            queue=queue,
            verdict=self.verdict.currentData(),
            text=self.search.text().strip() or None,
            sort=sort,
            descending=self.model.query.descending and sort != "queue",
        )
        self.model.set_query(query)
        self._show_progress()
        if self.model.rowCount():
            self.table.selectRow(self._first_row())
        self._explain_empty()
        self._status()

    def _first_row(self) -> int:
        """Where a list opens: My slots on the first slot still to label (the work in hand), others at the top."""
        row = next_needing(self.model, -1) if self.model.query.queue == "slots" else None
        return row if row is not None else 0

    def _explain_empty(self) -> None:
        """With an empty list nothing stays open, and the viewer's placeholder (plain text) says why."""
        if self.model.rowCount():
            self.transcript.viewer.setPlaceholderText("")
            return
        self.form.set_session(None)  # pauses the session, which stores its time
        self.session = None
        if self.slot_keeper is not None:
            self.slot_keeper.keep(None)
        self._opening = None  # a load still on its way is dropped
        self.transcript.set_trajectory(None)
        self.diffs.set_trajectory(None)
        self._on_revealed()
        if self.store.trajectories.count() == 0:
            text = (
                "This project has no trajectories yet. Import some, then reopen:\n\n"
                f"    reviewer --db {self.store.path} import FOLDER"
            )
        elif self.model.query.queue in BY_CLASSIFIER and self.store.listing.classifier() is None:
            text = (
                "No classifier has scored this project yet. Train one and store its predictions,"
                " then choose this queue again:\n\n"
                f"    reviewer --db {self.store.path} train -o model.skops\n"
                f"    reviewer --db {self.store.path} predict --model model.skops"
            )
        elif self.model.query.queue == "slots":
            text = "You hold no slot yet. Ctrl+Return claims your next one and opens it."
        else:
            text = "No trajectory matches these filters."
        self.transcript.viewer.setPlaceholderText(text)

    def _move(self, delta: int) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = (rows[0].row() if rows else -1) + delta
        if row >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)

    def open_trajectory(self, trajectory_id: str) -> bool:
        """Select a trajectory by id, fetching pages until it is loaded; False if the list lacks it."""
        while (row := self.model.row_of(trajectory_id)) is None and self.model.canFetchMore():
            self.model.fetchMore()
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def next_disputed(self) -> None:
        current = self.session.label.trajectory_id if self.session else ""
        target = self.store.listing.next_id(replace(self.model.query, queue="disputed", verdict=None, text=None), current)
        if target is not None and not self.open_trajectory(target):
            self.queue.setCurrentIndex([k for k, _ in QUEUES].index("disputed"))
            self.open_trajectory(target)

    def _show_step(self, step: int) -> None:
        self.tabs.setCurrentWidget(self.transcript)
        self.transcript.show_step(step)

    def _open_diff(self) -> None:
        """D: the current step's edit (else its file's net change) in the diffs; from the diffs, back to the transcript."""
        if self.tabs.currentWidget() is self.diffs:
            self.tabs.setCurrentWidget(self.transcript)
            return
        self.tabs.setCurrentWidget(self.diffs)
        self.diffs.show_edit_near(self.transcript.current_step())

    def _show_span(self, span: EvidenceSpan) -> None:
        if span.source == "diff" and self.diffs.show_span(span):
            self.tabs.setCurrentWidget(self.diffs)
        else:
            self.tabs.setCurrentWidget(self.transcript)
            self.transcript.show_span(span)

    def _ask_step(self) -> None:
        step, ok = QInputDialog.getInt(self, "Jump to step", "Step number:", 0, 0, 1_000_000)
        if ok:
            self._show_step(step)

    def _find(self) -> None:
        self.tabs.setCurrentWidget(self.transcript)
        self.transcript.focus_find()

    def _help(self) -> None:
        verdicts = tuple(o["label"] for o in self.store.taxonomy.fields["verdict"]["options"])
        self.help_dialog = ShortcutHelp(self, self.keys, verdicts)
        self.help_dialog.show()

    def selected_span(self) -> EvidenceSpan | None:
        """The selection in the tab being read: a step's section, or an edit's unified diff."""
        return self.diffs.selected_span() if self.tabs.currentWidget() is self.diffs else self.transcript.selected_span()

    def add_evidence(self, role: str, codes: list[str], note: str = "") -> bool:
        """The current selection (transcript or diffs) as an evidence span of the label being edited."""
        span = self.selected_span()
        if self.session is not None and self.shown_trajectory_id() != self.session.trajectory_id:
            self.statusBar().showMessage("The trajectory is still loading: add evidence once its text is shown.")
            return False
        if span is None or self.session is None:
            self.statusBar().showMessage(
                "Select text inside one section of a step, or in an edit's unified diff, then add it as evidence."
            )
            return False
        return self.form.add_evidence(span, role, codes, note)  # the form's `changed` repaints the spans

    def _ask_evidence(self) -> None:
        """E: the popover at the selection (a new span), or, on the evidence list, over the chosen span."""
        row = self.form.evidence.currentRow()
        if self.form.evidence.hasFocus() and self.session is not None and 0 <= row < len(evidence := self.session.label.evidence):
            taken = evidence[row]
            self._editing_evidence = row
            where = self.form.evidence.viewport().mapToGlobal(
                self.form.evidence.visualItemRect(self.form.evidence.item(row)).topLeft()
            )
            self.popover.open_at(where, taken.quote, taken.codes, taken.role, taken.note or "")
            return
        span = self.selected_span()
        if span is None or self.session is None or self.shown_trajectory_id() != self.session.trajectory_id:
            self.add_evidence("action", [])  # explains what to do
            return
        self._editing_evidence = None
        self.popover.open_at(selection_point(self.tabs.currentWidget()), span.quote)

    def _on_evidence_saved(self, role: str, codes: list[str], note: str) -> None:
        if self._editing_evidence is None:
            self.add_evidence(role, codes, note)
        else:
            self.form.edit_evidence(self._editing_evidence, role, codes, note)

    def _pick_codes(self) -> None:
        if self.session is None:
            return
        label = self.session.label
        self.picker.open_at(self.form, [*label.categories, *label.markers])

    def accept_suggestion(self, suggestion: Suggestion) -> None:
        """Copy a suggestion into the label (one change, one undo step; a refusal shows in the form)."""
        self.form.accept(suggestion)

    def _accept_selected(self) -> None:
        suggestion = self.assist.selected_suggestion()
        if suggestion is None:
            self.statusBar().showMessage("Select a suggestion (after the reveal) to accept it with A.")
        else:
            self.accept_suggestion(suggestion)

    def _leave_field(self) -> None:
        """Esc: out of any text box or form field, back to what is being read; nothing else changes."""
        self.form.disarm()
        self._focus_reading(Qt.FocusReason.ShortcutFocusReason)

    def _focus_reading(self, reason: Qt.FocusReason) -> None:
        """Keys go to what is being read (the open tab), so PageDown scrolls it rather than changing the queue."""
        target = self.tabs.currentWidget()
        (target.focusProxy() or target).setFocus(reason)

    # --- a queue that flows (reviewer.gui.queue_flow) --------------------------------------------

    def _show_progress(self) -> None:
        text = progress_text(self.store.listing.progress(self.model.query))
        if self.model.query.queue == "slots" and self.annotator:
            text += f" · {self.store.slots.open_to(self.annotator)} more to claim"
        self.progress.setText(text)

    def next_needing(self) -> bool:
        """Open the next row of the list that still needs the viewer; False (said) if none does."""
        rows = self.table.selectionModel().selectedRows()
        row = next_needing(self.model, rows[0].row() if rows else -1)
        if row is None:
            self.statusBar().showMessage("Nothing else in this list needs you.")
            return False
        self.table.selectRow(row)
        return True

    def _done(self) -> None:
        """Ctrl+Return. An adjudicator settles; a reviewer moves on to the next item that needs them,
        asked first when the label lacks what the taxonomy requires (Enter moves on, Esc stays)."""
        if self.adjudicator:
            self.reviewers.settle()
            return
        session = self.session
        go_on = self.claim_next if self.model.query.queue == "slots" else self.next_needing
        missing = session.missing() if session is not None and session.label.flag is None else []
        if missing:
            self.done_question = ask_to_move_on(self, missing, lambda: self.session is session and go_on())
        else:
            go_on()

    def claim_next(self) -> bool:
        """My slots: the label so far written, then the next slot claimed (off the GUI thread, answered
        by `_on_claimed`); False (said) while the label waits for the project."""
        if self.slot_keeper is None:
            return False
        if not self.labels.flush(2000):  # the claim goes on from a labelled slot only once the label is stored
            self._say("Your label is not saved yet: claim the next slot once it is")
            return False
        self._say("Claiming your next slot…")
        self.slot_keeper.claim()
        return True

    def _say(self, note: str) -> None:
        self._note = note
        self._status()

    def _on_claimed(self, claim: Claim | None) -> None:
        """The slot claimed is in the list (read again) and open; none left is said."""
        if claim is None:
            self._show_progress()
            self._say("Nothing left to claim: every item open to you has its reviewers")
            return
        current = self.session.trajectory_id if self.session is not None else None
        self._note = ""
        self.model.set_query(self.model.query)
        self._show_progress()
        if not self.open_trajectory(claim.trajectory_id):  # another queue was chosen meanwhile
            self.queue.setCurrentIndex(self.queue.findData("slots"))
            self.open_trajectory(claim.trajectory_id)
        if claim.trajectory_id == current:
            self._say("This slot is still yours to label: give it a verdict (or skip it with X) first")

    def _on_changes(self, changes: list[LabelChange]) -> None:
        """Labels saved elsewhere (by others, or by this reviewer in another process): the rows they
        touch and the progress are read again through the list's masks, and the open item's other
        labels through its session (none before the reveal: `reviewer.blind`)."""
        if not self.live.isRunning():
            return  # delivered after the window closed (and maybe its store)
        session = self.session
        mine = (self.annotator, session.trajectory_id if session is not None else None)
        touched = {c.trajectory_id for c in changes if (c.annotator, c.trajectory_id) != mine}
        if not touched:
            return  # the open label's own keystrokes: already shown (a whole-list count per keystroke would slow typing)
        for trajectory_id in touched:
            self.model.refresh(trajectory_id)
        if session is not None and session.trajectory_id in touched:
            self._others = session.other_labels()
            self._on_label_changed()
        self._show_progress()

    def _set_aside(self, kind: str) -> None:
        """X / F: skip or flag the open item with a reason, then on to the next that needs me."""
        session = self.session
        if session is None:
            return
        flag = session.label.flag
        current = flag.reason if flag is not None and flag.kind == kind else None

        def answered(reason: str) -> None:
            if self.session is not session:
                return
            if current is not None and not reason.strip():
                self.form.set_flag(None)
            elif self.form.set_flag(kind, reason):
                self.next_needing()

        self.aside_question = ask_reason(self, kind, current, answered)

    def tab_widgets(self) -> dict[str, QWidget]:
        """The `--tab` names; an adjudicator's reviewers view is no tab but always on screen."""
        return {"transcript": self.transcript, "diffs": self.diffs, "reviewers": self.reviewers, "guidelines": self.guidelines}

    def wait_until_shown(self, timeout_ms: int = 10_000) -> bool:
        """Run the event loop until the selected trajectory is on screen (screenshots, scripts)."""
        clock = QElapsedTimer()
        clock.start()
        while self.loader.busy and clock.elapsed() < timeout_ms:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        QApplication.processEvents()
        return not self.loader.busy

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        """Shown the first time without remembered sizes: the panes share the width as designed, whatever it is."""
        super().showEvent(event)
        if not self.geometry_restored and self._pane_shares:
            width = self.splitters["main"].width()
            self.splitters["main"].setSizes([width * share // sum(self._pane_shares) for share in self._pane_shares])
        self._pane_shares = []
        if not event.spontaneous() and self.focusWidget() in (None, self.queue):  # opened: reading, not the queue box
            self._focus_reading(Qt.FocusReason.ActiveWindowFocusReason)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        """Store the time spent and let go of the session: a closed window never writes again. With
        label changes the file has not taken yet, ask: closing would lose them."""
        if self.session is not None:
            self.session.pause()  # stores the time spent
        if not self.labels.flush(2000) and not self._close_anyway():
            if self.session is not None:
                self.session.resume()
            event.ignore()
            return
        self.form.set_session(None)
        self.session = None
        self.labels.stop()
        self.live.stop()
        if self.slot_keeper is not None:
            self.slot_keeper.stop()  # the open slot's lease runs out; `queue release` gives slots back at once
        if self.settings is not None:
            window_state.save(self, self.settings)
        super().closeEvent(event)

    def _close_anyway(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Label changes not saved", "", parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"{self.labels.waiting} label changes could not be written to {display_name(self.store.path)} yet:\n"
            f"{one_line(self.labels.error, 300)}\n\n"
            + ("Only another login can save them." if self.labels.refused else "Keep the window open and the app keeps retrying.")
        )
        keep = box.addButton("Keep open and retry", QMessageBox.ButtonRole.RejectRole)
        box.addButton("Close and lose them", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.close_question = box
        box.exec()
        return box.clickedButton() is not keep


def remembered_annotator(given: str | None) -> str | None:
    """The reviewer's name: the one given (then remembered), else the one remembered from before."""
    settings = QSettings("reviewer", "reviewer")
    if given:
        settings.setValue("annotator", given)
        return given
    value = settings.value("annotator")
    return value if isinstance(value, str) and value else None


def ask_annotator(parent: QWidget | None = None) -> str | None:
    name, ok = QInputDialog.getText(parent, "Who is reviewing?", "Your reviewer name (it stamps every label you make):")
    return remembered_annotator(name.strip()) if ok and name.strip() else None


def run(
    path: Location,
    annotator: str | None,
    screenshot: Path | None = None,
    open_id: str | None = None,
    tab: str | None = None,
    adjudicating: bool | None = None,
) -> int:
    """Open the window; with `screenshot`, render it to that PNG and return instead of running."""
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))  # the stubs say QCoreApplication
    app.setFont(QFont(app.font().family(), 10))
    annotator = remembered_annotator(annotator) or (None if screenshot else ask_annotator())
    store = Store(path)
    settings = None if screenshot else QSettings("reviewer", "reviewer")  # pictures show the defaults
    window = MainWindow(store, annotator, adjudicator=adjudicating, settings=settings)
    if not window.geometry_restored:
        # pictures are of the designed size (the offscreen platform's screen is 800 x 800)
        if screenshot:
            window.resize(DESIGN_SIZE)
        else:
            fit_first_time(window)
    window.show()
    try:
        if open_id is not None and not window.open_trajectory(open_id):
            window.queue.setCurrentIndex(window.queue.findData("all"))  # not in the first queue (a settled dispute)
        if open_id is not None and not window.open_trajectory(open_id):
            print(f"error: unknown trajectory {open_id!r}", file=sys.stderr)
            return 1
        if tab is not None and window.tabs.indexOf(widget := window.tab_widgets()[tab]) >= 0:
            window.tabs.setCurrentWidget(widget)
        if screenshot is not None:
            window.wait_until_shown()
            return 0 if window.grab().save(str(screenshot)) else 1
        return app.exec()
    finally:
        window.close()
        store.close()
