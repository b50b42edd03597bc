"""The app's trajectory list over 100,000 trajectories: first paint and sorting, offscreen.

Baseline in the same run: the same QTableView over an in-memory model holding just the first page
(500 rows of plain tuples), so the ratio prices what the SQL-backed, lazily fetched model adds.
Goal: first paint < 500 ms; scrolling to the end reads pages, never the whole table at once.

    QT_QPA_PLATFORM=offscreen python bench/gui_list_bench.py [--n 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from reviewer.gui.trajectory_model import COLUMNS, TrajectoryTableModel  # noqa: E402
from reviewer.model import Label, Suggestion, Trajectory  # noqa: E402
from reviewer.store import Store  # noqa: E402
from reviewer.store.listing import ListQuery  # noqa: E402
from reviewer.synthetic import trajectory  # noqa: E402


class FixedModel(QAbstractTableModel):
    def __init__(self, rows: list[tuple]):
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        return str(self.rows[index.row()][index.column()]) if role == Qt.ItemDataRole.DisplayRole else None


def build(db: Path, n: int) -> None:
    with Store(db) as store:
        template = trajectory(0, 2)
        for i in range(n):
            template["id"] = f"traj-{i:07d}"
            store.trajectories.add(Trajectory.from_dict(template))
            if i % 10 == 0:
                store.labels.save(Label(template["id"], "alice", verdict="clean"), actor="alice", origin="bench")
            if i % 10 == 5:  # a detector hit with a calibrated confidence: what the Strongest column orders by
                hit = Suggestion(
                    template["id"], "detectors", "special_case", ["output.special_case"], [], "", confidence=(i % 97) / 97
                )
                store.suggestions.replace(template["id"], "detectors", [hit])


def first_paint(app: QApplication, make_model) -> float:
    start = time.perf_counter()
    view = QTableView()
    view.verticalHeader().setDefaultSectionSize(22)
    view.setModel(make_model())
    view.resize(1000, 700)
    view.show()
    app.processEvents()
    view.grab()
    elapsed = time.perf_counter() - start
    view.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "list.db"
        t0 = time.perf_counter()
        build(db, args.n)
        print(f"store of {args.n:,} trajectories built in {time.perf_counter() - t0:.1f} s")
        with Store(db) as store:
            query = ListQuery(annotator="alice")
            first_page = [tuple(getattr(r, c[0]) for c in COLUMNS) for r in store.listing.page(query, 0, 500)]

            def ours() -> TrajectoryTableModel:
                model = TrajectoryTableModel(store.listing, query)
                model.fetchMore()
                return model

            base = min(first_paint(app, lambda: FixedModel(first_page)) for _ in range(3))
            mine = min(first_paint(app, ours) for _ in range(3))
            print(f"first paint: in-memory first page {base * 1000:.0f} ms, store-backed list {mine * 1000:.0f} ms,"
                  f" ratio {mine / base:.2f} (goal: < 500 ms)")  # fmt: skip
            model = ours()
            pages = 0
            start = time.perf_counter()
            while model.canFetchMore() and pages < 20:
                model.fetchMore()
                pages += 1
            per_page = (time.perf_counter() - start) / max(pages, 1)
            print(
                f"scrolling: one more page of 500 rows {per_page * 1000:.1f} ms ({model.rowCount():,} of "
                f"{model.total:,} rows loaded)"
            )
            for key in ("status", "flags"):
                start = time.perf_counter()
                model.sort([c[2] for c in COLUMNS].index(key), Qt.SortOrder.DescendingOrder)
                print(f"sort by {key} (in SQL, first page): {(time.perf_counter() - start) * 1000:.0f} ms")
            sighted = TrajectoryTableModel(store.listing, ListQuery(annotator="carol", adjudicator=True))  # every row sighted
            start = time.perf_counter()
            sighted.sort([c[2] for c in COLUMNS].index("strongest"), Qt.SortOrder.DescendingOrder)
            print(f"sort by strongest, all rows sighted (in SQL, first page): {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
