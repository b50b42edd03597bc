"""The trajectory list as a Qt table model: one page of rows at a time, filtered and sorted in SQL.

The view asks for more rows as it scrolls (`canFetchMore`/`fetchMore`); sorting and filtering
reset the model from a new `ListQuery`, never through a proxy model that would read every row.
Cells have text only (DisplayRole): no colour, font, icon or tooltip can say what the blind
first pass must not know (`reviewer.blind`); what the text may say is decided in the store.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from reviewer.store.listing import ListQuery, ListRow, TrajectoryListing
from reviewer.textsafe import visible

COLUMNS: tuple[tuple[str, str, str], ...] = (  # (row attribute, header, sort key)
    ("id", "Trajectory", "id"),
    ("task_id", "Task", "task"),
    ("model", "Model", "model"),
    ("format", "Format", "format"),
    ("n_steps", "Steps", "steps"),
    ("status", "My status", "status"),
    ("n_reviewers", "Reviewers", "reviewers"),
    ("n_flags", "Flags", "flags"),
    ("disputed_on", "Verdicts", "verdicts"),
    ("strongest", "Strongest", "strongest"),
)
PAGE = 500

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class TrajectoryTableModel(QAbstractTableModel):
    def __init__(self, listing: TrajectoryListing, query: ListQuery | None = None, page: int = PAGE):
        super().__init__()
        self._listing = listing
        self._page = page
        self._query = query or ListQuery()
        self._rows: list[ListRow] = []
        self._total = listing.count(self._query)

    @property
    def query(self) -> ListQuery:
        return self._query

    @property
    def total(self) -> int:
        """Rows matching the query, fetched or not."""
        return self._total

    def set_query(self, query: ListQuery) -> None:
        self.beginResetModel()
        self._query, self._rows, self._total = query, [], self._listing.count(query)
        self.endResetModel()
        self.fetchMore()  # the first page at once: selection and "next trajectory" need rows

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = ROOT) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = ROOT) -> None:
        if parent.isValid():
            return
        rows = self._listing.page(self._query, len(self._rows), self._page)
        if not rows:
            self._total = len(self._rows)  # the store changed under us: stop asking
            return
        self.beginInsertRows(ROOT, len(self._rows), len(self._rows) + len(rows) - 1)
        self._rows += rows
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Text only, for every role else None: a role is a channel of its own (`reviewer.blind`)."""
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        value = getattr(self._rows[index.row()], COLUMNS[index.column()][0])
        if isinstance(value, float):
            return f"{value:.2f}"
        return "" if value is None else visible(str(value))  # ids are agent-made: a bidi override shows as an escape

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By a column; column -1 (no sort indicator) is the queue's own order (`reviewer.store.listing.QUEUE_ORDERS`)."""
        key = COLUMNS[column][2] if column >= 0 else "queue"
        query = replace(self._query, sort=key, descending=column >= 0 and order == Qt.SortOrder.DescendingOrder)
        if query != self._query or not self._rows:  # the view asks once on enabling sorting: no second read
            self.set_query(query)

    def refresh(self, trajectory_id: str) -> None:
        """Re-read one shown row (the viewer's own label changed its status, or the reveal sighted it)."""
        row = self.row_of(trajectory_id)
        fresh = self._listing.row(self._query, trajectory_id) if row is not None else None
        if row is None or fresh is None or fresh == self._rows[row]:
            return
        self._rows[row] = fresh
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def trajectory_id(self, row: int) -> str:
        return self._rows[row].id

    def status(self, row: int) -> str:
        """The viewer's own progress on a row (`reviewer.store.listing.STATUSES`)."""
        return self._rows[row].status

    def row_of(self, trajectory_id: str) -> int | None:
        return next((k for k, r in enumerate(self._rows) if r.id == trajectory_id), None)
