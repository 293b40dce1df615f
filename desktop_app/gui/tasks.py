"""Run a slow core call (enrolment, calibration, recompute) off the UI thread and get the answer back on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot

from core.errors import FaceGateError

log = logging.getLogger(__name__)


class _Signals(QObject):
    """Made on the UI thread, so its slots run there when the pool thread emits."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, on_done: Callable[[Any], None], on_failed: Callable[[str], None]):
        super().__init__()
        self.on_done, self.on_failed = on_done, on_failed
        self.done.connect(self._deliver_done)
        self.failed.connect(self._deliver_failed)

    @Slot(object)
    def _deliver_done(self, value: Any) -> None:
        _running.discard(self)
        self.on_done(value)

    @Slot(str)
    def _deliver_failed(self, message: str) -> None:
        _running.discard(self)
        self.on_failed(message)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], signals: _Signals):
        super().__init__()
        self.work = work
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.work()
        except FaceGateError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug must reach the screen as a message, not kill the pool thread
            log.exception("background task failed")
            self.signals.failed.emit(QCoreApplication.translate("Tasks", "unexpected error: {error}").format(error=exc))
        else:
            self.signals.done.emit(result)


# Signals objects live until their task has reported; a dropped one would never deliver.
_running: set[_Signals] = set()


def run_task(work: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None]) -> None:
    signals = _Signals(on_done, on_failed)
    _running.add(signals)
    QThreadPool.globalInstance().start(_Task(work, signals))
