"""How the reviewer left the window, kept in QSettings: geometry, splitter sizes, open tab, folded kinds.

The main window is given a `QSettings` (the app's own, `reviewer/reviewer`; tests pass one on a file
of their own, screenshots none), restores from it when built and saves to it when closed. Values that
do not fit (another version's, edited by hand) are ignored: the window falls back to its defaults.

Public API: `restore(window, settings) -> bool` (True when a geometry was restored), `save(window, settings)`.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QTabWidget

from reviewer.gui.transcript_view import TranscriptView


class Window(Protocol):
    splitters: dict[str, QSplitter]
    tabs: QTabWidget
    transcript: TranscriptView

    def saveGeometry(self) -> QByteArray: ...  # noqa: N802 (Qt's name)

    def restoreGeometry(self, geometry: QByteArray | bytes) -> bool: ...  # noqa: N802 (Qt's name)


def restore(window: Window, settings: QSettings) -> bool:
    for name, splitter in window.splitters.items():
        state = settings.value(f"splitter/{name}")
        if isinstance(state, QByteArray | bytes):
            splitter.restoreState(state)
    tab = settings.value("window/tab")
    if isinstance(tab, str) and tab.isdigit() and int(tab) < window.tabs.count():
        window.tabs.setCurrentIndex(int(tab))
    folded = settings.value("transcript/folded")
    if isinstance(folded, str | list):  # written as "a,b"; an INI file edited by hand reads a,b as a list
        kinds = folded.split(",") if isinstance(folded, str) else folded
        window.transcript.set_folded(k for k in kinds if isinstance(k, str))
    geometry = settings.value("window/geometry")
    return isinstance(geometry, QByteArray | bytes) and window.restoreGeometry(geometry)


def save(window: Window, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    for name, splitter in window.splitters.items():
        settings.setValue(f"splitter/{name}", splitter.saveState())
    settings.setValue("window/tab", str(window.tabs.currentIndex()))
    settings.setValue(
        "transcript/folded", ",".join(window.transcript.folded) or "-"
    )  # "-": none (an empty list reads back as nothing)
    settings.sync()
