"""The window's size and place on a first start: all of it on the screen, the window manager's frame
(title bar, borders) included.

A top-level widget's `resize` sets the size inside the frame, and the frame is known only once a
window manager has framed the window, some events after `show` (on X11 under openbox, about 30 ms:
`QWindow.frameMargins` is zero until then). Sized to the screen's available area alone, a window on
a 1280 x 800 display under openbox had its status bar below the screen's edge, under its 20 px
title bar. So the window is sized for the screen at once, and again with the frame counted when it
is known, then moved so the frame is on the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QMargins, QPoint, QRect, QSize, QTimer
from PySide6.QtWidgets import QWidget

DESIGN_SIZE = QSize(1440, 860)
FRAME_WAIT_MS = 2000  # a window still unframed by then has no frame to count (no window manager)
FRAME_POLL_MS = 20


def first_size(available: QSize, frame: QMargins | None = None) -> QSize:
    """The window's size (inside its frame) on a first start: the designed size where the screen has
    room, never more than the available area less the frame (on a 1280 px display the label form
    was cut off past its right edge)."""
    return DESIGN_SIZE.boundedTo(available.shrunkBy(frame or QMargins()))


def on_screen(framed: QRect, available: QRect) -> QPoint:
    """Where the frame's top-left goes so that the framed window lies on the available area, moved as
    little as possible (not at all when it is there already)."""
    x = max(available.left(), min(framed.left(), available.left() + available.width() - framed.width()))
    y = max(available.top(), min(framed.top(), available.top() + available.height() - framed.height()))
    return QPoint(x, y)


def fit_first_time(window: QWidget) -> None:
    """Size `window` for its screen now (before `show`), and once the window manager has framed it,
    again with the frame counted, placed on the screen. Waits on a timer, never blocking the window."""
    available = window.screen().availableGeometry()
    window.resize(first_size(available.size()))
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer(window)
    timer.setInterval(FRAME_POLL_MS)

    def framed() -> None:
        handle = window.windowHandle()
        frame = handle.frameMargins() if handle is not None and handle.isExposed() else QMargins()
        if frame.isNull() and clock.elapsed() < FRAME_WAIT_MS:
            return
        timer.stop()
        timer.deleteLater()
        if frame.isNull():
            return
        size = first_size(available.size(), frame)
        window.resize(size)
        window.move(on_screen(QRect(window.frameGeometry().topLeft(), size.grownBy(frame)), available))

    timer.timeout.connect(framed)
    timer.start()
