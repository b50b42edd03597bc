"""The reading keys on a real window (Shift+C, D), the window at 1,024 x 700, and what it remembers (QSettings)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402

from reviewer.gui.app import MainWindow  # noqa: E402
from reviewer.gui.diff_panes import line_numbers, unified_pane  # noqa: E402
from reviewer.store import Store  # noqa: E402
from tests.formats.test_swe_agent import read_one  # noqa: E402

PYDICOM = Path(__file__).parents[1] / "fixtures" / "swe-agent" / "pydicom__pydicom-1458.traj"


@pytest.fixture
def pydicom_store(store: Store) -> Store:
    store.trajectories.add(read_one(PYDICOM))
    return store


def opened(qtbot, window: MainWindow, width: int = 1024, height: int = 700) -> MainWindow:
    window.resize(width, height)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.waitUntil(lambda: window.shown_trajectory_id() is not None and not window.loader.busy)
    return window


def test_the_window_is_usable_at_1024_by_700(qtbot, main_window, pydicom_store: Store, tmp_path: Path) -> None:
    window = opened(qtbot, main_window(pydicom_store, "alice"))
    assert (window.width(), window.height()) == (1024, 700)  # it was 1,142 px at least
    left, middle, right = (window.splitters["main"].widget(k).width() for k in range(3))
    assert left >= 200 and middle >= 420 and right >= 280, (left, middle, right)
    assert window.transcript.viewer.width() >= 260 and window.transcript.steps.width() >= 100
    window.grab().save(str(tmp_path / "window-1024.png"))  # looked at when this was written


def test_shift_c_and_d_on_the_real_window(qtbot, main_window, pydicom_store: Store) -> None:
    window = opened(qtbot, main_window(pydicom_store, "alice"))
    view = window.transcript
    view.show_step(12)  # a refused edit of numpy_handler.py: its tool calls and its diff
    card = view._cards[view._card_index(12)]  # type: ignore[index]
    assert all(view._is_open(12, p.section) for p in card.pieces)
    qtbot.keyClick(window, Qt.Key.Key_C, Qt.KeyboardModifier.ShiftModifier)
    card = view._cards[view._card_index(12)]  # type: ignore[index]
    assert not any(view._is_open(12, p.section) for p in card.pieces)
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.tabs.currentWidget() is window.diffs
    entry = window.diffs.model.rows[window.diffs.table.currentIndex().row()]
    assert (entry.step, entry.path) == (12, "/pydicom__pydicom/pydicom/pixel_data_handlers/numpy_handler.py")
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.tabs.currentWidget() is window.transcript
    view.show_step(20)  # edits nothing: D shows the net change of the file edited last before it
    qtbot.keyClick(window, Qt.Key.Key_D)
    entry = window.diffs.model.rows[window.diffs.table.currentIndex().row()]
    assert entry.net is not None and entry.path == "/pydicom__pydicom/pydicom/pixel_data_handlers/numpy_handler.py"


def test_sizes_tab_and_folds_are_remembered(qtbot, pydicom_store: Store, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(pydicom_store, "alice", settings=settings)
    opened(qtbot, window, 790, 590)  # within the offscreen screen (800 x 600), which a restored geometry is fitted to
    outline, viewer = window.transcript.splitter.sizes()
    window.transcript.splitter.setSizes([outline + 40, viewer - 40])  # the reviewer widened the outline
    sizes = window.transcript.splitter.sizes()
    window.tabs.setCurrentWidget(window.diffs)
    window.transcript.fold_actions["thinking"].setChecked(True)
    window.close()
    again = MainWindow(pydicom_store, "alice", settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    assert again.geometry_restored and (again.width(), again.height()) == (790, 590)
    assert again.tabs.currentWidget() is again.diffs
    again.show()
    again.tabs.setCurrentWidget(again.transcript)
    assert again.transcript.splitter.sizes() == sizes
    assert again.transcript.folded == ["thinking"] and again.transcript.fold_actions["thinking"].isChecked()
    again.close()


def test_a_settings_file_of_nonsense_leaves_the_defaults(qtbot, pydicom_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(
        "[window]\ngeometry=12\ntab=banana\n[splitter]\nmain=@ByteArray(nope)\n[transcript]\nfolded=thinking,rm -rf\n"
    )
    window = MainWindow(pydicom_store, "alice", settings=QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    assert not window.geometry_restored and window.tabs.currentIndex() == 0 and window.transcript.folded == ["thinking"]


def test_diff_panes_number_old_and_new_lines() -> None:
    edit = read_one(PYDICOM).file_edits[-1]  # the submitted patch of numpy_handler.py
    pane = unified_pane(edit)
    numbers = line_numbers(pane, "both")
    hunk = next(k for k, line in enumerate(pane.lines) if line.startswith("@@"))
    first = pane.lines[hunk]  # "@@ -<old>,<n> +<new>,<m> @@"
    old, new = (int(part.split(",")[0][1:]) for part in first.split()[1:3])
    assert numbers[hunk] == (None, None) and numbers[hunk + 1] == (old, new)  # a context line: both numbers
    removed = next(k for k in range(hunk, len(pane.lines)) if pane.lines[k].startswith("-"))
    added = next(k for k in range(hunk, len(pane.lines)) if pane.lines[k].startswith("+"))
    assert numbers[removed][1] is None and numbers[added][0] is None
    assert numbers[:hunk] == [(None, None)] * hunk  # file headers have none


def test_the_diff_view_paints_a_gutter_of_numbers(diff_view) -> None:
    diff_view.set_trajectory(read_one(PYDICOM))
    diff_view.show_step(25)
    pane = diff_view.unified
    assert any(n != (None, None) for n in pane.numbers) and pane.viewportMargins().left() > 0
    assert pane.gutter.isVisible() and pane.gutter.width() == pane.viewportMargins().left()


def test_a_first_start_never_opens_larger_than_the_screen() -> None:
    """Seen on a 1280 x 800 display: the 1440 px window put the label form past the screen's edge;
    then under openbox, sized to the whole screen, its 20 px title bar pushed the status bar below it."""
    from PySide6.QtCore import QMargins, QPoint, QRect, QSize

    from reviewer.gui.screen_fit import first_size, on_screen

    assert first_size(QSize(1280, 770)) == QSize(1280, 770)
    assert first_size(QSize(2560, 1400)) == QSize(1440, 860)
    openbox = QMargins(1, 20, 1, 5)  # what QWindow.frameMargins said under Xvfb 1280 x 800 with openbox
    assert first_size(QSize(1280, 800), openbox) == QSize(1278, 775)  # 1280 x 800 with the frame
    assert first_size(QSize(2560, 1400), openbox) == QSize(1440, 860)
    screen = QRect(0, 0, 1280, 800)
    assert on_screen(QRect(1, 20, 1280, 800), screen) == QPoint(0, 0)  # placed below the top: moved up
    assert on_screen(QRect(300, 200, 1000, 700), screen) == QPoint(280, 100)  # moved as little as needed
    assert on_screen(QRect(10, 10, 500, 500), screen) == QPoint(10, 10)  # on the screen already: left alone


def test_a_first_start_fits_the_window_and_its_frame_on_the_screen(qtbot) -> None:
    """The offscreen platform frames a window too (2 px each side): once the frame is known, the whole
    window, frame included, lies on the screen's available area, as large as that allows."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWidget

    from reviewer.gui.screen_fit import FRAME_WAIT_MS, first_size, fit_first_time

    window = QWidget()
    qtbot.addWidget(window)
    fit_first_time(window)
    window.show()
    qtbot.waitUntil(lambda: not window.findChildren(QTimer), timeout=FRAME_WAIT_MS + 2000)  # the wait for a frame ended
    available, frame = window.screen().availableGeometry(), window.windowHandle().frameMargins()
    assert not frame.isNull() and available.contains(window.frameGeometry())
    assert window.size() == first_size(available.size(), frame)
