"""Python's cycle collector runs on whichever thread happens to allocate when its counts fill up: a
frame worker or a background task (tasks.py) as often as the GUI thread. A Qt object freed there,
off the thread that owns it, crashes Qt later. So the GUI turns automatic collection off and
collects on its own thread, from a timer, as often as Python would have."""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


def collect_on_gui_thread(parent: QObject) -> QTimer:
    """From now on, cycles are collected only on parent's (the GUI) thread."""
    gc.disable()
    timer = QTimer(parent)
    timer.timeout.connect(collect_due)
    timer.start(INTERVAL_MS)
    return timer


def collect_due() -> None:
    """The oldest generation whose count passed its threshold, as gc itself would pick."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return
