"""Run a slow core call (enrolment, calibration, recompute) off the UI thread and get the answer back on it."""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.errors import FaceGateError

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any]):
        super().__init__()
        self.work = work
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.work()
        except FaceGateError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug must reach the screen as a message, not kill the pool thread
            log.exception("background task failed")
            self.signals.failed.emit(f"unexpected error: {exc}")
        else:
            self.signals.done.emit(result)


# Signals objects live until their task has reported; a dropped one would never deliver.
_running: set[_Signals] = set()


def run_task(work: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None]) -> None:
    task = _Task(work)
    signals = task.signals
    _running.add(signals)

    def finish(handler: Callable[[Any], None], value: Any) -> None:
        _running.discard(signals)
        handler(value)

    signals.done.connect(lambda value: finish(on_done, value))
    signals.failed.connect(lambda message: finish(on_failed, message))
    QThreadPool.globalInstance().start(task)
