"""Blind first pass: what a reviewer may learn of others' opinions about an item, and through what.

A reviewer's first pass is worth something only if nothing anchored it: no other reviewer's
verdict, no detector or judge suggestion, no grader outcome. One hint is enough (a filter that
lists the item under "clean", a Flags count of 3, a row in the Disputed queue), so the rule covers
every way information can reach the screen, not only the panels that show labels.

**Sighted.** An item is *sighted* for viewer A (A may see what others said about it) iff
- A has an own final label of it (`labels` row with adjudication = 0, first_pass = 0; it exists
  only once A pressed reveal, which froze A's first pass), or
- the viewer is in adjudicator mode (`ListQuery.adjudicator`) and A has no own label of it at all:
  an adjudicator who has not labelled an item is not anchoring any first pass of theirs, while one
  whose own first pass is still open stays blind on that item like anyone else.

Without a viewer (no reviewer name) nothing is sighted unless in adjudicator mode. The rule is
written once, in SQL: `reviewer.store.listing.SIGHTED`. The open item's panels follow the session
the window opens on it: `ReviewSession.revealed` (own final label exists) for a reviewer, and for an
adjudicator an `AdjudicationSession` only where `reviewer.adjudication.refusal` finds no own label
still blind (nor, unless the project allows it, any own label at all): the same rule.

**Derived information** is anything computed from other reviewers' labels (adjudications
included), from suggestions (detectors, model judge, classifier `classifier:<hash>`) or from the
grader outcome; a queue's order made from a classifier's probabilities is derived information too.
Until an item is sighted, none of it may reach the viewer through any channel in `CHANNELS`.
Adding a way to show something about an item means adding it here; the test suite walks every
channel (`tests/test_blind.py`) and fails for one it has no check for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Channel:
    """One way information about an item could reach a reviewer."""

    name: str
    where: str  # "module:attribute", the place that decides what the channel shows
    rule: str  # what it may show, and when


_LIST = "reviewer.store.listing"
_APP = "reviewer.gui.app"

CHANNELS: tuple[Channel, ...] = (
    Channel("column.trajectory", f"{_LIST}:ListRow", "Trajectory, Task, Model, Format and Steps come from the import alone."),
    Channel("column.status", f"{_LIST}:ListRow.status", "My status: the viewer's own labels only."),
    Channel("column.reviewers", f"{_LIST}:ListRow.n_reviewers", "Reviewers: blank unless sighted."),
    Channel("column.flags", f"{_LIST}:ListRow.n_flags", "Flags (suggestions): blank unless sighted."),
    Channel("column.verdicts", f"{_LIST}:ListRow.disputed_on", "Verdicts (the reviewers' current votes): blank unless sighted."),
    Channel(
        "column.strongest",
        f"{_LIST}:ListRow.strongest",
        "Strongest (the highest confidence among the item's suggestions) and the order by it (`list --sort strongest`):"
        " blank unless sighted; unsighted rows sort as blank, then by id.",
    ),
    Channel(
        "list.roles",
        "reviewer.gui.trajectory_model:TrajectoryTableModel.data",
        "Cells are text only: every role but DisplayRole (tooltip, colours, font, icon) is None.",
    ),
    Channel("sort", f"{_LIST}:SORTS", "Sorting uses the masked values: unsighted rows sort as blank, then by id."),
    Channel(
        "filter.verdict",
        f"{_LIST}:ListQuery.verdict",
        "Matches the viewer's own current verdict; in adjudicator mode also others' current votes and the"
        " settled adjudication, on sighted rows only.",
    ),
    Channel(
        "queue.disputed",
        f"{_LIST}:ListQuery.queue",
        "Disputed lists sighted rows only: human reviewers' current votes differ and nothing settled it.",
    ),
    Channel(
        "queue.ranked",
        f"{_LIST}:queue_orders",
        "The classifier's queues (unsure, suspects) and the random sample show the same masked rows in an order of their own,"
        " never the reason for it: no probability or score reaches a row, and the unsure queue goes by the distance to the"
        " threshold, so its order says nothing of the direction. The prediction itself is a suggestion (assist.panel).",
    ),
    Channel("queue.count", f"{_LIST}:TrajectoryListing.count", "Counts (the status bar's) are of what the list shows only."),
    Channel(
        "queue.progress",
        f"{_LIST}:TrajectoryListing.progress",
        "The list's progress (\"12 of 40 done\") counts the viewer's own statuses over the rows the list shows"
        " (a worklist's with the rows it dropped as finished by the viewer), nothing else.",
    ),
    Channel(
        "queue.next_disputed",
        f"{_APP}:MainWindow.next_disputed",
        "Next disputed goes only to rows of the disputed queue (TrajectoryListing.next_id, same filter).",
    ),
    Channel(
        "cli.list",
        "reviewer.cli.commands.list_:list_command",
        "`reviewer list` is the app's list (TrajectoryListing.rows: the same masks, filters and queues). The viewer is"
        " --annotator or REVIEWER_ANNOTATOR; --adjudicator is the app's adjudicator view (the project's adjudicators"
        " only, AdjudicationPolicy.view_refusal); with nobody named nothing is sighted.",
    ),
    Channel(
        "cli.stale",
        f"{_LIST}:TrajectoryListing.visible_labels",
        "`reviewer list --stale` lists the viewer's own labels, and others' on sighted items only; with nobody named"
        " it refuses (as `labels conflicts`: an empty list would say there are none).",
    ),
    Channel(
        "cli.show",
        "reviewer.cli.commands.show:show",
        "`reviewer show` (the transcript and its --json) carries the grader outcome only with --reveal-outcome;"
        " without it the JSON's outcome is empty and a note on stderr says it was withheld.",
    ),
    Channel(
        "team.checkout",
        "reviewer.store.checkout:checkout",
        "`reviewer team checkout` copies the reviewer's own labels and history only, and the grader outcome and"
        " suggestions of the items they have sighted; never another reviewer's labels, the original files or which"
        " slots are gold.",
    ),
    Channel(
        "cli.conflicts",
        "reviewer.cli.commands.labels:labels_conflicts",
        "`labels conflicts` (both values of a kept edit, verdicts included) lists the viewer's own conflicts only;"
        " everyone's with --adjudicator (the project's adjudicators only); with nobody named it refuses.",
    ),
    Channel(
        "cli.queue",
        "reviewer.store.slots:HeldSlot",
        "`queue next` and `queue list` (the app's \"my slots\") show the viewer's own slots: item, batch, lease and their own"
        " state; never whether an item is gold (calibration) nor anything of others' labels. A tie-break's slot number"
        " (from the batch's overlap up) says the first reviewers split, not how.",
    ),
    Channel(
        "cli.batch_status",
        "reviewer.store.batch_status:read_status",
        "`batch status`: slots held and labelled per reviewer, first passes beyond their slots (counts), and calibration"
        " over the gold items each reviewer revealed (a gold item scores only after its reviewer's reveal)."
        " Each item's state and votes only with --adjudicator"
        " (the project's adjudicators only, AdjudicationPolicy.view_refusal).",
    ),
    Channel("search", f"{_LIST}:ListQuery.text", "Full-text search matches the trajectory's steps, never labels or suggestions."),
    Channel(
        "live.updates",
        f"{_APP}:MainWindow._on_changes",
        "Labels others save while the window is open (reviewer.gui.live_updates) only say which rows to read again:"
        " through the list's masks (TrajectoryListing.row) and, for the open item, its session (nothing before the reveal).",
    ),
    Channel("status.grader", f"{_APP}:MainWindow._status", "The grader result shows in the status bar only after the reveal."),
    Channel("window.title", f"{_APP}:window_title", "The title names the project file, the viewer and their role only."),
    Channel("assist.panel", "reviewer.gui.assist_panel:AssistPanel", "Suggestions (and their count) only after the reveal."),
    Channel(
        "tab.reviewers", "reviewer.gui.reviewers_view:ReviewersView", "Other labels and adjudications only after the reveal."
    ),
    Channel(
        "evidence.others",
        f"{_APP}:MainWindow._on_label_changed",
        "Others' evidence spans are highlighted in the transcript and diffs only after the reveal.",
    ),
    Channel(
        "transcript.test_runs",
        "reviewer.gui.step_model:StepListModel.data",
        "Test-run marks (icon, tooltip, step header) and `show`'s Test runs table are what the agent ran and saw in the"
        " transcript, never the grader outcome: the same before and after the reveal.",
    ),
    Channel(
        "transcript.suggestion_marks",
        "reviewer.gui.transcript_view:TranscriptView.set_suggestions",
        "The outline's mark of steps that detectors, judges or classifiers point at: only after the reveal (the main"
        " window passes the session's suggestions, none before).",
    ),
    Channel(
        "form.hidden_fields",
        "reviewer.review:ReviewSession.field_visible",
        "Fields marked hidden_until_first_pass (the grader outcome) appear only on the final label.",
    ),
)
