"""Every channel of `reviewer.blind.CHANNELS` keeps a blind first pass blind, and shows what it may
once the item is sighted: one check per channel, looked up by name, so a channel added without a
check fails here (KeyError) instead of leaking unnoticed.

Each check walks alice through her phases on the `split_votes` project (bob and carol disagree on
items 1 and 2, which detectors flagged): no label, a saved first pass, then item 1 revealed.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer.blind import CHANNELS, Channel
from reviewer.cli import main
from reviewer.model import EvidenceSpan, Label, Suggestion
from reviewer.review import ReviewSession
from reviewer.spans import source_text
from reviewer.store import Store
from reviewer.store.checkout import checkout
from reviewer.store.labels import EditConflict
from reviewer.store.listing import ListQuery, ListRow
from reviewer.store.location import display_name
from reviewer.store.slots import slot_token
from reviewer.store.votes import update_tie_breaks
from tests.conftest import Cli, reveal, tid

BOTH_BACKENDS = True  # the tests using `store` alone run on SQLite and PostgreSQL (tests/conftest.py)

ITEMS = "01234"
SIGHTED = {"blind": "", "first pass": "", "revealed": "1"}  # alice's sighted items in each phase
BORDERLINE_KEY = 5  # the fifth verdict of the default taxonomy
GRADER_FIELD = "context.grader_outcome"
FACTS = ("id", "task_id", "model", "format", "n_steps")  # the rows' trajectory facts (channel column.trajectory)
BLIND_SORTS = ("reviewers", "flags", "verdicts", "strongest")


@dataclass
class Scene:
    store: Store
    request: pytest.FixtureRequest

    def rows(self, viewer: str | None = "alice", **kw: Any) -> list[ListRow]:
        q = ListQuery(annotator=viewer, **kw)
        rows = self.store.listing.page(q, 0, 100)
        assert self.store.listing.count(q) == len(rows)
        return rows

    def ids(self, viewer: str | None = "alice", **kw: Any) -> list[str]:
        return [r.id[-1] for r in self.rows(viewer, **kw)]

    def walk(self) -> Iterator[str]:
        """alice's phases in the store: no label, first passes of items 1 and 2, item 1 revealed."""
        yield "blind"
        for i in (1, 2):
            ReviewSession(self.store, "alice", tid(i)).set_field("verdict", "borderline")
        yield "first pass"
        ReviewSession(self.store, "alice", tid(1)).reveal()
        yield "revealed"

    def window(self, annotator: str | None = "alice", *, adjudicator: bool = False) -> Any:
        pytest.importorskip("PySide6")
        window = self.request.getfixturevalue("main_window")(self.store, annotator, adjudicator=adjudicator)
        window.queue.setCurrentIndex(window.queue.findData("all"))  # an adjudicator starts on the disputed queue
        self.shows(window, tid(0))
        return window

    def shows(self, window: Any, trajectory_id: str) -> None:
        qtbot = self.request.getfixturevalue("qtbot")
        qtbot.waitUntil(lambda: window.shown_trajectory_id() == trajectory_id and not window.loader.busy, timeout=5000)

    def window_walk(self, window: Any) -> Iterator[str]:
        """The same phases through the window, on item 1, and the reveal undone (blind again)."""
        window.open_trajectory(tid(1))
        self.shows(window, tid(1))
        yield "blind"
        assert window.form.set_verdict_by_key(BORDERLINE_KEY)
        yield "first pass"
        reveal(window.form)  # an incomplete first pass: confirmed as a reviewer would
        yield "revealed"
        assert window.form.undo() and not window.session.revealed  # Ctrl+Z before any edit: blind again
        yield "reveal undone"


@pytest.fixture
def scene(split_votes: Store, request: pytest.FixtureRequest) -> Scene:
    return Scene(split_votes, request)


def column(attribute: str) -> int:
    from reviewer.gui.trajectory_model import COLUMNS

    return [c[0] for c in COLUMNS].index(attribute)


def cells(window: Any, attribute: str) -> dict[str, str]:
    model = window.model
    return {model.trajectory_id(row)[-1]: model.data(model.index(row, column(attribute))) for row in range(model.rowCount())}


# --- the list's columns -------------------------------------------------------------------------


def check_trajectory_columns(scene: Scene) -> None:
    expected = [(t.id, t.task.id, t.agent.model, t.source.format, len(t.steps)) for t in scene.store.trajectories.iter_all()]
    for _phase in scene.walk():
        for viewer, adjudicator in (("alice", False), ("dave", True)):
            rows = scene.rows(viewer, adjudicator=adjudicator)
            assert [tuple(getattr(r, f) for f in FACTS) for r in rows] == expected


def check_status(scene: Scene) -> None:
    expected = {
        "blind": ["not started"] * 5,
        "first pass": ["not started", "in progress", "in progress", "not started", "not started"],  # borderline lacks its reason
        "revealed": ["not started", "in progress", "in progress", "not started", "not started"],
    }
    for phase in scene.walk():
        assert [r.status for r in scene.rows()] == expected[phase]
        assert [r.status for r in scene.rows("dave", adjudicator=True)] == ["not started"] * 5  # others' labels are not mine


def check_masked(attribute: str, revealed: object, scene: Scene) -> None:
    """A column of what others said: blank (None) on every unsighted row, the value once sighted."""
    for phase in scene.walk():
        shown = {r.id[-1]: getattr(r, attribute) for r in scene.rows()}
        assert shown == {i: revealed if i in SIGHTED[phase] else None for i in ITEMS}
    blind = scene.window("erin")
    assert set(cells(blind, attribute).values()) == {""}
    assert cells(scene.window("dave", adjudicator=True), attribute)["1"] not in ("", None)


def check_roles(scene: Scene) -> None:
    from PySide6.QtCore import Qt

    role = Qt.ItemDataRole
    roles = (
        role.ToolTipRole, role.BackgroundRole, role.ForegroundRole, role.FontRole, role.DecorationRole, role.StatusTipRole,
        role.WhatsThisRole, role.TextAlignmentRole, role.CheckStateRole, role.SizeHintRole, role.EditRole, role.UserRole,
    )  # fmt: skip
    for window in (scene.window("alice"), scene.window("dave", adjudicator=True)):
        model = window.model
        assert model.rowCount() == 5
        for row in range(model.rowCount()):
            for col in range(model.columnCount()):
                index = model.index(row, col)
                assert [model.data(index, role) for role in roles] == [None] * len(roles), (row, col)
                assert model.data(index) is not None  # text, at least blank
        for section in range(model.columnCount()):
            assert model.headerData(section, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None


# --- sorting, filtering, queues -----------------------------------------------------------------


def check_sort(scene: Scene) -> None:
    from PySide6.QtCore import Qt

    for phase in scene.walk():
        unsighted = [i for i in ITEMS if i not in SIGHTED[phase]]
        for sort in BLIND_SORTS:
            for descending in (False, True):
                order = scene.ids(sort=sort, descending=descending)
                assert [i for i in order if i in unsighted] == unsighted  # blank, then by id
    window = scene.window("erin")
    for attribute in ("n_reviewers", "n_flags", "disputed_on", "strongest"):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            window.table.sortByColumn(column(attribute), order)
            assert list(cells(window, "id")) == list(ITEMS)


def check_strongest(scene: Scene) -> None:
    """The column (item 1's flags are 0.3 and 0.5) and the order by it, in the list and in `reviewer list`."""
    check_masked("strongest", 0.5, scene)  # walks alice to "revealed": item 1 sighted
    assert scene.ids("dave", adjudicator=True, sort="strongest", descending=True) == ["1", "2", "0", "3", "4"]
    assert scene.ids("alice", sort="strongest", descending=True) == ["1", "0", "2", "3", "4"]  # item 2's 0.3 says nothing

    def listed(viewer: str) -> list[str]:
        args = ["--db", str(scene.store.path), "list", "--sort", "strongest", "--viewer", viewer, "--json"]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return [row["id"][-1] for row in json.loads(result.stdout)]

    assert listed("alice") == ["1", "0", "2", "3", "4"]
    assert listed("erin") == list(ITEMS)  # blind on everything: by id
    from PySide6.QtCore import Qt

    window = scene.window("dave", adjudicator=True)  # the app's list: sorted by the column's header
    window.table.sortByColumn(column("strongest"), Qt.SortOrder.DescendingOrder)
    assert list(cells(window, "strongest").items()) == [("1", "0.50"), ("2", "0.30"), ("0", ""), ("3", ""), ("4", "")]


def check_verdict_filter(scene: Scene) -> None:
    for phase in scene.walk():
        for queue in ("all", "unlabelled"):
            for verdict in ("clean", "cheat"):  # bob's and carol's
                assert scene.ids(queue=queue, verdict=verdict) == []
        assert scene.ids(verdict="borderline") == ([] if phase == "blind" else ["1", "2"])  # her own
        as_adjudicator = {"blind": ["1", "2"], "first pass": [], "revealed": ["1"]}  # her open first passes blind her
        assert scene.ids("alice", adjudicator=True, verdict="cheat") == as_adjudicator[phase]
    assert scene.ids("dave", adjudicator=True, verdict="cheat") == ["1", "2"]
    window = scene.window("erin")
    codes = scene.store.taxonomy.codes("verdict")
    entries = [window.verdict.itemText(k) for k in range(window.verdict.count())]
    assert entries == ["My verdict: any"] + [f"My verdict: {c}" for c in codes]
    window.verdict.setCurrentIndex(window.verdict.findData("cheat"))
    assert window.model.total == 0 and window.statusBar().currentMessage().startswith("0 trajectories")


def check_disputed_queue(scene: Scene) -> None:
    expected = {"blind": [], "first pass": [], "revealed": ["1"]}
    as_adjudicator = {"blind": ["1", "2"], "first pass": [], "revealed": ["1"]}  # her open first passes blind her
    for phase in scene.walk():
        assert scene.ids(queue="disputed") == expected[phase]
        assert scene.ids("alice", adjudicator=True, queue="disputed") == as_adjudicator[phase]
    assert scene.ids("dave", adjudicator=True, queue="disputed") == ["1", "2"]
    window = scene.window("erin")
    window.queue.setCurrentIndex(window.queue.findData("disputed"))
    assert window.model.rowCount() == 0 and window.session is None
    assert window.transcript.viewer.placeholderText() == "No trajectory matches these filters."


CLASSIFIER = "classifier:0123456789abcdef"


def predicted(store: Store, probabilities: dict[int, float]) -> None:
    """Store a classifier's predictions as `reviewer predict` does (threshold 0.5 in the details)."""
    store.suggestions.replace_many(CLASSIFIER, {
        tid(i): [Suggestion(tid(i), CLASSIFIER, "full", [], [], "why", verdict="cheat" if p >= 0.5 else "clean", confidence=p,
                            details={"probability": p, "threshold": 0.5})]
        for i, p in probabilities.items()
    })  # fmt: skip


def check_ranked_queues(scene: Scene) -> None:
    probabilities = {0: 0.9, 1: 0.55, 2: 0.45, 3: 0.2, 4: 0.8}
    predicted(scene.store, probabilities)
    for phase in scene.walk():
        for queue in ("uncertain", "suspicious", "random"):
            for viewer, adjudicator in (("alice", False), ("dave", True)):
                for row in scene.rows(viewer, adjudicator=adjudicator, queue=queue, sort="queue"):
                    assert row.id[-1] not in SIGHTED[phase] or adjudicator  # what alice finished has left her worklists
                    assert (
                        row.id[-1] in SIGHTED[phase]
                        or adjudicator
                        or (row.n_reviewers, row.n_flags, row.disputed_on) == (None, None, None)
                    )
    unsure = scene.ids("dave", adjudicator=True, queue="uncertain", sort="queue")
    assert unsure == ["1", "2", "3", "4", "0"]  # nearest the threshold first, either side alike
    predicted(scene.store, {i: 1 - p for i, p in probabilities.items()})  # every prediction mirrored about the threshold
    assert scene.ids("dave", adjudicator=True, queue="uncertain", sort="queue") == unsure
    window = scene.window("erin")
    window.queue.setCurrentIndex(window.queue.findData("uncertain"))
    assert list(cells(window, "id")) == unsure
    shown = {
        window.model.data(window.model.index(r, c))
        for r in range(window.model.rowCount())
        for c in range(window.model.columnCount())
    }
    assert not {str(p) for p in probabilities.values()} & shown and set(cells(window, "n_flags").values()) == {""}
    for phase in scene.window_walk(window):  # the prediction is a suggestion: in the panel after the reveal only
        sources = {window.assist.model.data(window.assist.model.index(r, 0)) for r in range(window.assist.model.rowCount())}
        assert any(CLASSIFIER in str(s) for s in sources) == (phase == "revealed"), sources


def check_counts(scene: Scene) -> None:
    """Every count is the length of what the list shows (scene.rows checks it), for every viewer and filter."""
    for _phase in scene.walk():
        for viewer, adjudicator in (("alice", False), ("alice", True), ("dave", True), (None, False)):
            for queue in ("all", "mine", "unlabelled", "disputed"):
                for verdict in (None, "clean", "cheat", "borderline"):
                    scene.rows(viewer, adjudicator=adjudicator, queue=queue, verdict=verdict)
    window = scene.window("erin")
    window.queue.setCurrentIndex(window.queue.findData("disputed"))
    assert window.statusBar().currentMessage().startswith("0 trajectories")


def check_progress(scene: Scene) -> None:
    """The list's "n of N done" counts the viewer's own statuses over the rows the list shows (a worklist's
    with what it dropped as finished), nothing else."""
    for _phase in scene.walk():
        for viewer, adjudicator in (("alice", False), ("dave", True)):
            for queue in ("all", "mine", "unlabelled", "disputed"):
                q = ListQuery(annotator=viewer, adjudicator=adjudicator, queue=queue)
                counts = scene.store.listing.progress(q)
                scope = replace(q, queue="all") if queue in ("mine", "unlabelled") else q  # what they drop counts as done
                shown = Counter(r.status for r in scene.store.listing.page(scope, 0, 100))
                assert {k: v for k, v in counts.items() if v} == dict(shown)


def check_next_disputed(scene: Scene) -> None:
    listing = scene.store.listing
    disputed = ListQuery(annotator="alice", queue="disputed")
    for phase in scene.walk():
        assert listing.next_id(disputed, "") == (tid(1) if phase == "revealed" else None)
    window = scene.window("erin")
    window.next_disputed()
    assert window.session.trajectory_id == tid(0) and window.queue.currentData() == "all"  # nowhere to go
    adjudicating = scene.window("dave", adjudicator=True)
    adjudicating.next_disputed()
    assert adjudicating.session.trajectory_id == tid(1)


def listed(scene: Scene, *args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """`reviewer list --json` on the scene's project: rows by item."""
    result = Cli(scene.store.path)("list", "--json", *args, env=env)
    assert result.exit_code == 0, result.output
    return {row["id"][-1]: row for row in json.loads(result.stdout)}


def check_cli_list(scene: Scene) -> None:
    said = ("reviewers", "flags", "verdicts", "strongest")
    verdicts = {"1": ["borderline", "cheat", "clean"], "2": ["borderline", "cheat", "clean"]}
    for phase in scene.walk():
        for args, env in ((["--annotator", "alice"], None), ([], {"REVIEWER_ANNOTATOR": "alice"})):
            rows = listed(scene, *args, env=env)
            for i, row in rows.items():
                assert (row["verdicts"] is None) == (i not in SIGHTED[phase]), (phase, row)
                assert all(row[key] is None for key in said) or i in SIGHTED[phase]
            assert rows.get("1", {}).get("verdicts") in (None, verdicts["1"])
            assert list(listed(scene, *args, "--verdict", "cheat", env=env)) == []  # bob's and carol's, not hers
            assert list(listed(scene, *args, "--queue", "disputed", env=env)) == (["1"] if phase == "revealed" else [])
            assert list(listed(scene, *args, "--unlabelled", env=env)) == [i for i in ITEMS if phase == "blind" or i in "034"]
        anonymous = listed(scene)
        assert [row[key] for row in anonymous.values() for key in said] == [None] * 20  # nobody named: nothing sighted
        assert list(listed(scene, "--verdict", "cheat")) == list(listed(scene, "--queue", "disputed")) == []
        table = Cli(scene.store.path)("list", "--annotator", "alice").stdout
        assert [code for code in ("clean", "cheat", "borderline") if code in table] == (
            [] if phase != "revealed" else ["clean", "cheat", "borderline"]
        )
    lead = listed(scene, "--adjudicator")
    assert lead["2"]["verdicts"] == ["borderline", "cheat", "clean"] and lead["1"]["flags"] == 2
    assert list(listed(scene, "--adjudicator", "--verdict", "cheat")) == ["1", "2"]  # current votes: 4 was bob's first only
    assert list(listed(scene, "--adjudicator", "--annotator", "alice", "--verdict", "cheat")) == ["1"]  # 2: her open pass
    assert list(listed(scene, "--adjudicator", "--unlabelled")) == ["0"]
    scene.store.settings.set_adjudicators(["dave"])
    refused = Cli(scene.store.path)("list", "--adjudicator", "--annotator", "alice")
    assert refused.exit_code == 1 and refused.stderr.strip() == "error: alice is not one of this project's adjudicators (dave)"
    assert Cli(scene.store.path)("list", "--adjudicator").exit_code == 1  # who is asking must be said
    assert list(listed(scene, "--adjudicator", "--annotator", "dave", "--verdict", "cheat")) == ["1", "2"]


def check_cli_stale(scene: Scene) -> None:
    for phase in scene.walk():
        with scene.store.writing():  # every label made under an older taxonomy
            scene.store.db.execute("update labels set taxonomy_version = 0")
        stale = json.loads(Cli(scene.store.path)("list", "--stale", "--json", "--annotator", "alice").stdout)
        expected = {"blind": [], "first pass": [(1, "alice"), (2, "alice")]}
        others = [(1, who) for who in ("alice", "alice", "bob", "bob", "carol")]
        assert [(int(r["trajectory_id"][-1]), r["annotator"]) for r in stale] == expected.get(phase, [*others, (2, "alice")])
        nobody = Cli(scene.store.path)("list", "--stale", "--json")  # refused in one line, as `labels conflicts`
        assert (nobody.exit_code, nobody.stdout, nobody.stderr.count("\n")) == (2, "", 1)
        assert nobody.stderr.startswith("error: --stale needs --annotator NAME") and "alice" not in nobody.stderr
    assert len(json.loads(Cli(scene.store.path)("list", "--stale", "--json", "--adjudicator").stdout)) == 15


def check_cli_conflicts(scene: Scene) -> None:
    bobs = scene.store.labels.get(tid(1), "bob", first_pass=False)
    assert bobs is not None
    bobs.verdict, bobs.version = "clean", 0  # edited from a version the label no longer has: kept as bob's conflict
    with pytest.raises(EditConflict):
        scene.store.labels.save(bobs, actor="bob", origin="test")
    cli = Cli(scene.store.path)
    for _phase in scene.walk():
        assert json.loads(cli("labels", "conflicts", "--annotator", "alice", "--json").stdout) == []
        assert "bob" not in cli("labels", "conflicts", "--annotator", "alice").stdout
        assert cli("labels", "conflicts", "--json").exit_code == 2
    lead = json.loads(cli("labels", "conflicts", "--adjudicator", "--annotator", "dave", "--json").stdout)
    assert [(c["annotator"], c["edit"]["verdict"]) for c in lead] == [("bob", "clean")]


def check_search(scene: Scene) -> None:
    for _phase in scene.walk():
        for viewer, adjudicator in (("alice", False), ("dave", True)):
            assert scene.ids(viewer, adjudicator=adjudicator, text="sneakyword") == []  # bob's rationale
            assert scene.ids(viewer, adjudicator=adjudicator, text="flaggedword") == []  # the detectors' explanation
            assert scene.ids(viewer, adjudicator=adjudicator, text="needle") == ["2"]  # the trajectory's own text


# --- the window around the open item ------------------------------------------------------------


def check_cli_show(scene: Scene) -> None:
    cli = Cli(scene.store.path)
    for _phase in scene.walk():  # a flag, not a phase: nobody is named, so nothing is sighted
        blind = cli("show", tid(1), "--json")
        assert json.loads(blind.stdout)["outcome"] == {"grader_result": None, "tests_passed": None,
                                                       "tests_failed": None, "reward": None}  # fmt: skip
        assert "grader outcome withheld" in blind.stderr
        text = cli("show", tid(1)).stdout
        assert "hidden until your blind first pass" in text and "10 passed" not in text
    shown = json.loads(cli("show", tid(1), "--json", "--reveal-outcome").stdout)["outcome"]
    assert (shown["tests_passed"], shown["tests_failed"]) == (10, 1)


def check_checkout(scene: Scene) -> None:
    """A checkout of alice's slots holds her labels only, and the outcome and suggestions of what she revealed."""
    store, folder = scene.store, scene.request.getfixturevalue("tmp_path")
    store.slots.create_batch("b", [tid(i) for i in range(5)], overlap=1, lease=timedelta(hours=1), seed=0)
    with store.writing():
        store.db.execute("update slots set annotator = 'alice'")
        store.db.execute("update slots set gold = 1 where trajectory_id = ?", [tid(3)])  # a calibration item
    for phase in scene.walk():
        checkout(store, folder / f"{phase}.db", "alice")
        with Store(folder / f"{phase}.db") as copy:
            sighted = {tid(int(i)) for i in SIGHTED[phase]}
            whose = copy.db.execute("select annotator from label_events union select annotator from labels").fetchall()
            assert whose in ([], [("alice",)])
            assert copy.db.execute("select count(*) from slots where gold != 0").fetchone()[0] == 0
            outcomes = {t.id for t in copy.trajectories.iter_all() if t.outcome is not None and t.outcome.tests_passed}
            assert outcomes == sighted and {s.trajectory_id for s in copy.suggestions.all()} == sighted


def check_grader_in_status_bar(scene: Scene) -> None:
    window = scene.window()
    for phase in scene.window_walk(window):
        message = window.statusBar().currentMessage()
        assert ("grader: pass" in message) == (phase == "revealed"), message
        assert "grader" not in message or phase == "revealed"


def check_window_title(scene: Scene) -> None:
    window = scene.window()
    project = display_name(scene.store.path)  # project.db, or the server's URL
    for _phase in scene.window_walk(window):
        assert window.windowTitle() == f"reviewer — {project} — alice"
    assert scene.window("dave", adjudicator=True).windowTitle() == f"reviewer — {project} — dave (adjudicator)"


def check_assist_panel(scene: Scene) -> None:
    window = scene.window()
    for phase in scene.window_walk(window):
        revealed = phase == "revealed"
        assert (window.assist.stack.currentIndex(), window.assist.model.rowCount()) == ((1, 2) if revealed else (0, 0))
        assert ("2 suggestions" in window.assist.summary.text()) == revealed


def check_reviewers_tab(scene: Scene) -> None:
    window = scene.window()
    view = window.reviewers
    for phase in scene.window_walk(window):
        names = [view.choices.item(k, 1).text() for k in range(view.choices.rowCount())]
        if phase == "revealed":
            assert "bob" in names and "carol" in names
        else:
            assert (view.choices.rowCount(), view.fields.count(), view.stack.currentIndex()) == (0, 0, 0)


def check_others_evidence(scene: Scene) -> None:
    text = source_text(scene.store.trajectories.get(tid(1)), 1, "text")
    bobs = scene.store.labels.get(tid(1), "bob", first_pass=False)
    bobs.evidence = [EvidenceSpan(1, "text", 0, 4, text[:4], "action")]
    scene.store.labels.save(bobs, actor="bob", origin="test")
    window = scene.window()
    viewer = window.transcript.viewer
    for phase in scene.window_walk(window):
        window.transcript.show_step(1)
        painted = [s.cursor.selectedText() for s in viewer.extraSelections()]
        assert painted == ([text[:4]] if phase == "revealed" else [])


def check_hidden_fields(scene: Scene) -> None:
    window = scene.window()
    for phase in scene.window_walk(window):
        revealed = phase == "revealed"
        assert window.session.field_visible(GRADER_FIELD) == revealed
        assert window.form.editors[GRADER_FIELD].isVisibleTo(window.form) == revealed


def check_test_run_marks(scene: Scene) -> None:
    from PySide6.QtCore import Qt

    from reviewer.gui.step_model import mark_icon

    outcome = scene.store.trajectories.get(tid(1)).outcome
    assert (outcome.tests_passed, outcome.tests_failed) == (10, 1)  # the grader's figures, which must not show
    window = scene.window()
    model = window.transcript.model
    for _phase in scene.window_walk(window):
        tips = [model.data(model.index(row, 0), Qt.ItemDataRole.ToolTipRole) for row in range(model.rowCount())]
        assert tips == [None, None, "tests failed · pytest: 1 failed, 3 passed", *[None] * 4]
        icon = model.data(model.index(2, 0), Qt.ItemDataRole.DecorationRole)
        assert icon.cacheKey() == mark_icon("failed").cacheKey()


def check_suggestion_marks(scene: Scene) -> None:
    text = source_text(scene.store.trajectories.get(tid(1)), 1, "text")
    pointing = Suggestion(tid(1), "detectors", "test", ["tests.skip"], [EvidenceSpan(1, "text", 0, 4, text[:4])], "why")
    scene.store.suggestions.replace_many("detectors", {tid(1): [pointing]})
    window = scene.window()
    for phase in scene.window_walk(window):
        marked = window.transcript.model.marked("suggestion")
        assert marked == (frozenset({1}) if phase == "revealed" else frozenset())
        shown = window.transcript.model.data(window.transcript.model.index(1, 0))
        assert ("⚑" in shown) == (phase == "revealed")


def gold_batch(scene: Scene) -> None:
    """Item 1 settled by dave (the gold pool); batch g: item 0 and item 1 as gold, alice holding item 1's slot."""
    scene.store.labels.adjudicate(tid(1), "dave", "cheat", "known", None)
    scene.store.slots.create_batch("g", [tid(0)], overlap=1, lease=timedelta(days=1), seed=0, gold_rate=0.5)
    while (claim := scene.store.slots.claim("alice", "g")) is not None and claim.trajectory_id != tid(1):
        scene.store.slots.release("alice", "g")
        assert scene.store.slots.claim("bob", "g") is not None  # bob takes item 0, so alice is given item 1


def check_cli_queue(scene: Scene) -> None:
    gold_batch(scene)
    cli = Cli(scene.store.path)
    for _phase in scene.walk():
        claimed = json.loads(cli("queue", "next", "--annotator", "alice", "--json").stdout)
        listed_ = json.loads(cli("queue", "list", "--annotator", "alice", "--json").stdout)
        assert claimed is None or set(claimed) == {"trajectory_id", "batch", "slot", "lease_until"}
        assert [set(s) for s in listed_] == [{"batch", "trajectory_id", "state", "claimed_at", "lease_until"}]
        said = json.dumps([claimed, listed_]) + cli("queue", "list", "--annotator", "alice").stdout
        assert not any(word in said for word in ("gold", "cheat", "clean", "borderline", "dave", "bob", "carol"))
    # a tie-break slot (item 4: bob's and carol's first passes split) and an ordinary one (item 3, batch o)
    scene.store.slots.create_batch("t", [tid(4)], overlap=2, lease=timedelta(days=1), seed=0, max_extra=1)
    scene.store.slots.create_batch("o", [tid(3)], overlap=3, lease=timedelta(days=1), seed=0)
    for who in ("bob", "carol"):
        assert scene.store.slots.claim(who, "t") is not None
    with scene.store.db.writing():
        update_tie_breaks(scene.store.db, tid(4))  # what the save of a first pass runs
    handed = {
        batch: json.loads(cli("queue", "next", "--annotator", "alice", "--batch", batch, "--json").stdout) for batch in "to"
    }
    numbers = dict(scene.store.db.execute("select batch, slot from slots where annotator = 'alice' and batch in ('t', 'o')"))
    assert numbers == {"t": 2, "o": 0}  # the database's numbers: 2 is past the overlap, a tie-break
    for batch, item in (("t", tid(4)), ("o", tid(3))):  # the same shape, nothing but what alice knows already
        assert handed[batch]["slot"] == slot_token(batch, item, "alice") and re.fullmatch(
            r"s-[0-9a-f]{12}", handed[batch]["slot"]
        )
        said = cli("queue", "next", "--annotator", "alice", "--batch", batch).stdout
        assert said == f"{item} (batch {batch}, slot {slot_token(batch, item, 'alice')}, yours until {said.split()[-1]}\n"
    # queue list is in the order alice claimed: a tie-break for an item planned early is not listed before her older slots
    scene.store.slots.create_batch("u", [tid(4), tid(3)], overlap=2, lease=timedelta(days=1), seed=1, max_extra=1)
    planned = "select trajectory_id, min(position) from slots where batch = 'u' group by trajectory_id"
    positions = dict(scene.store.db.execute(planned))
    assert positions[tid(4)] < positions[tid(3)]
    for who in ("bob", "carol"):
        assert getattr(scene.store.slots.claim(who, "u"), "trajectory_id", None) == tid(4)
    assert json.loads(cli("queue", "next", "--annotator", "alice", "--batch", "u", "--json").stdout)["trajectory_id"] == tid(3)
    scene.store.labels.save(Label(tid(3), "alice", first_pass=True, verdict="clean"), actor="alice", origin="test")
    with scene.store.db.writing():
        update_tie_breaks(scene.store.db, tid(4))
    assert json.loads(cli("queue", "next", "--annotator", "alice", "--batch", "u", "--json").stdout)["trajectory_id"] == tid(4)
    listed_ = json.loads(cli("queue", "list", "--annotator", "alice", "--batch", "u", "--json").stdout)
    assert [s["trajectory_id"] for s in listed_] == [tid(3), tid(4)]


def check_cli_batch_status(scene: Scene) -> None:
    gold_batch(scene)
    cli = Cli(scene.store.path)
    for phase in scene.walk():
        status = json.loads(cli("batch", "status", "g", "--json").stdout)
        assert "item_states" not in status and "states" not in status
        alice = next(r for r in status["reviewers"] if r["annotator"] == "alice")
        assert alice["calibration"]["gold"] == (1 if phase == "revealed" else 0)  # her borderline against dave's cheat
        assert alice["calibration"]["verdict"] == 0
    lead = json.loads(cli("batch", "status", "g", "--adjudicator", "--json").stdout)
    assert {(i["trajectory_id"][-1], i["gold"]) for i in lead["item_states"]} == {("1", True), ("0", False)}
    scene.store.settings.set_adjudicators(["dave"])
    refused = cli("batch", "status", "g", "--adjudicator", "--annotator", "alice")
    assert refused.exit_code == 1 and "alice is not one of this project's adjudicators" in refused.stderr


def check_live_updates(scene: Scene) -> None:
    from reviewer.store.changes import last_event

    window = scene.window()
    qtbot = scene.request.getfixturevalue("qtbot")
    delivered: list[int] = []
    window.live.changed.connect(lambda changes: delivered.extend(c.event for c in changes))  # after the window's own
    for phase in scene.window_walk(window):
        with Store(scene.store.path) as other:  # bob edits his final label of item 1 from another connection
            bobs = other.labels.get(tid(1), "bob", first_pass=False)
            bobs.rationale = f"seen in phase {phase}"
            other.labels.save(bobs, actor="bob", origin="test")
            event = last_event(other.db)
        qtbot.waitUntil(lambda event=event: event in delivered, timeout=10_000)
        revealed = phase == "revealed"
        assert (cells(window, "n_reviewers")["1"], cells(window, "disputed_on")["1"]) == (
            ("3", "borderline ≠ cheat ≠ clean") if revealed else ("", "")
        )
        names = {window.reviewers.choices.item(k, 1).text() for k in range(window.reviewers.choices.rowCount())}
        assert ("bob" in names) == revealed and (window.reviewers.choices.rowCount() == 0) != revealed


CHECKS: dict[str, Callable[[Scene], None]] = {
    "column.trajectory": check_trajectory_columns,
    "column.status": check_status,
    "column.reviewers": partial(check_masked, "n_reviewers", 3),
    "column.flags": partial(check_masked, "n_flags", 2),
    "column.verdicts": partial(check_masked, "disputed_on", "borderline ≠ cheat ≠ clean"),
    "column.strongest": check_strongest,
    "list.roles": check_roles,
    "sort": check_sort,
    "filter.verdict": check_verdict_filter,
    "queue.disputed": check_disputed_queue,
    "queue.ranked": check_ranked_queues,
    "queue.count": check_counts,
    "queue.progress": check_progress,
    "queue.next_disputed": check_next_disputed,
    "cli.list": check_cli_list,
    "cli.stale": check_cli_stale,
    "cli.show": check_cli_show,
    "team.checkout": check_checkout,
    "cli.conflicts": check_cli_conflicts,
    "cli.queue": check_cli_queue,
    "cli.batch_status": check_cli_batch_status,
    "search": check_search,
    "live.updates": check_live_updates,
    "status.grader": check_grader_in_status_bar,
    "window.title": check_window_title,
    "assist.panel": check_assist_panel,
    "tab.reviewers": check_reviewers_tab,
    "evidence.others": check_others_evidence,
    "transcript.test_runs": check_test_run_marks,
    "transcript.suggestion_marks": check_suggestion_marks,
    "form.hidden_fields": check_hidden_fields,
}


@pytest.mark.parametrize("channel", CHANNELS, ids=[c.name for c in CHANNELS])
def test_every_channel_keeps_the_first_pass_blind(channel: Channel, scene: Scene) -> None:
    CHECKS[channel.name](scene)  # KeyError: a channel nobody checks


def test_channels_and_checks_match_one_to_one() -> None:
    names = [c.name for c in CHANNELS]
    assert len(names) == len(set(names)) and set(CHECKS) == set(names)


@pytest.mark.parametrize("channel", CHANNELS, ids=[c.name for c in CHANNELS])
def test_every_channel_names_a_real_place(channel: Channel) -> None:
    module, _, attribute = channel.where.partition(":")
    if module.startswith("reviewer.gui"):
        pytest.importorskip("PySide6")
    place: object = importlib.import_module(module)
    for part in attribute.split("."):
        place = getattr(place, part)
    assert channel.rule


def test_every_list_column_is_a_channel() -> None:
    """A new column of the list must say its rule in CHANNELS (and so get a check) before it ships."""
    named = {c.where.rpartition("ListRow.")[2] for c in CHANNELS if "ListRow." in c.where}
    assert [f.name for f in dataclasses.fields(ListRow) if f.name not in named] == list(FACTS)


def test_the_list_keeps_blind_whatever_the_query(scene: Scene) -> None:
    """Queue, verdict, text and sort combined: an unsighted row never shows what others said."""
    for _phase in scene.walk():
        base = ListQuery(annotator="alice")
        for queue in ("all", "mine", "unlabelled", "disputed"):
            for verdict in (None, "clean", "cheat"):
                for sort in ("id", *BLIND_SORTS):
                    q = replace(base, queue=queue, verdict=verdict, sort=sort)
                    for row in scene.store.listing.page(q, 0, 100):
                        sighted = scene.store.labels.get(row.id, "alice", False) is not None  # her own final label
                        assert sighted or (row.n_reviewers, row.n_flags, row.disputed_on) == (None, None, None)
                        assert sighted or queue != "disputed"
