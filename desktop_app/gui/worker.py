"""The one thread that touches the camera: reads frames, runs the current mode, hands results to the UI.

The UI never waits on it. Results are latest-wins: if the screen is still drawing the last one,
a newer result replaces the waiting one instead of queueing behind it. Committed events travel on
their own signal, so a dropped frame never drops a confirmation.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLocale, QObject, QThread, Signal

from core.actions.hub import EventActions
from core.enrol.enroller import CaptureFeedback, CaptureSession, Enroller
from core.errors import CameraError, FaceGateError
from core.kiosk.kiosk import Kiosk, KioskResult
from core.kiosk.sources import FrameSource
from core.store import Store
from core.types import EventKind
from core.vision.pipeline import FacePipeline
from desktop_app.capture import open_source

log = logging.getLogger(__name__)

# A lost camera is retried after 0.5 s, then 1, 2, 4, 8 and at most every 10 s.
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 10.0
# After a database or model error the loop pauses before trying the next frame.
PROBLEM_PAUSE_S = 1.0


@dataclass(frozen=True)
class PreviewFrame:
    """A frame on the admin screens (nobody is checked in there), with the guided capture's
    feedback while enrolling from the camera."""

    frame: np.ndarray
    feedback: CaptureFeedback | None = None


FrameResult = KioskResult | PreviewFrame
Step = Callable[[np.ndarray], FrameResult]
# A mode builds, on the worker thread, the step each frame goes through. It takes the worker rather
# than holding it: a mode kept on the worker must not make a reference cycle with it, which Python
# may then collect on any thread, deleting the QThread off its own.
Mode = Callable[["FrameWorker"], Step]


def _attendance(worker: FrameWorker) -> Step:
    return worker._with_kiosk(Kiosk(worker.store, worker.pipeline))


def _preview(worker: FrameWorker) -> Step:
    return worker._without_kiosk(PreviewFrame)


class FrameWorker(QThread):
    frame_ready = Signal()  # take_result() has something new
    events_committed = Signal(object)  # tuple[Event, ...], already in the Store
    # tuple[Event, ...]: for people seen again too soon, the event of theirs that stands. A signal,
    # like events_committed, because the screen shows only the latest frame's result.
    already_seen = Signal(object)
    camera_status = Signal(str, bool)  # what to show about the camera, and whether it works
    problem = Signal(str)  # a database or model error, for the status bar
    source_ended = Signal()  # a video file or folder ran out

    def __init__(
        self, store: Store, pipeline: FacePipeline, camera: str, realtime: bool = True, parent: QObject | None = None
    ):
        super().__init__(parent)
        self.store, self.pipeline = store, pipeline
        self.camera, self.realtime = camera, realtime
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._latest: FrameResult | None = None
        self._announced = False
        self._request: Mode | None = _attendance
        # The screen's mode (check-in, unlock, preview), which an enrolment capture interrupts.
        self._screen_mode: Mode = _attendance
        self._capturing = False
        # Whether the last try to open the source worked and it still gives frames.
        self.camera_ok = False
        self._step: Callable[[np.ndarray], FrameResult] | None = None
        self._kiosk: Kiosk | None = None
        self._camera_changed = False
        # Door, webhook and MQTT actions; started with the first kiosk frame, off this thread.
        self.actions = EventActions(store, on_problem=self.problem.emit)

    # ------------------------------------------------------------------ requests from the UI thread

    def show_attendance(self) -> None:
        self._set_screen_mode(_attendance)

    def show_unlock(self, person_ids: Collection[int]) -> None:
        ids = frozenset(person_ids)
        self._set_screen_mode(lambda worker: worker._with_kiosk(Kiosk(worker.store, worker.pipeline, unlock_for=ids)))

    def show_preview(self) -> None:
        self._set_screen_mode(_preview)

    def start_capture(self, enroller: Enroller, min_samples: int = 5, max_samples: int = 10) -> CaptureSession:
        """The session collects samples on this thread; read them after end_capture(). Meanwhile
        nobody is checked in: the person enrolling stands at the camera."""
        session = CaptureSession(enroller, min_samples, max_samples)
        self.start_feed(lambda frame: session.feed(frame, time.monotonic()))
        return session

    def start_feed(self, consume: Callable[[np.ndarray], CaptureFeedback | None]) -> None:
        """Preview frames, each handed to consume on this thread first (enrolment capture, liveness
        calibration), until end_capture(). Meanwhile nobody is checked in: the person enrolling or
        calibrating stands at the camera."""

        def step(frame: np.ndarray) -> PreviewFrame:
            return PreviewFrame(frame, consume(frame))

        with self._lock:
            self._capturing, self._request = True, lambda worker: worker._without_kiosk(step)

    def end_capture(self) -> None:
        """Back to the screen's mode."""
        with self._lock:
            self._capturing, self._request = False, self._screen_mode

    def invalidate(self) -> None:
        """People, templates or settings changed: the kiosk reloads them before its next frame."""
        kiosk = self._kiosk
        if kiosk:
            kiosk.invalidate()

    def choose_direction(self, direction: EventKind | None) -> None:
        """Buttons mode: the In or Out the person chose on the kiosk screen, for the next face."""
        kiosk = self._kiosk
        if kiosk:
            kiosk.choose(direction)

    def set_camera(self, camera: str) -> None:
        with self._lock:
            self.camera, self._camera_changed = camera, True
        self._wake.set()
        if not self.isRunning():
            self.start()

    def take_result(self) -> FrameResult | None:
        with self._lock:
            result, self._latest, self._announced = self._latest, None, False
        return result

    def stop(self) -> None:
        self.requestInterruption()
        self._wake.set()
        self.wait()
        self.actions.stop()

    def _set_screen_mode(self, make: Mode) -> None:
        """Starts at the next frame, or once a capture ends."""
        with self._lock:
            self._screen_mode = make
            if not self._capturing:
                self._request = make

    # --------------------------------------------------------------------------- the worker thread

    def _with_kiosk(self, kiosk: Kiosk) -> Callable[[np.ndarray], FrameResult]:
        self._kiosk = kiosk
        return kiosk.process

    def _without_kiosk(self, step: Callable[[np.ndarray], FrameResult]) -> Callable[[np.ndarray], FrameResult]:
        self._kiosk = None
        return step

    def run(self) -> None:
        delay = RETRY_FIRST_S
        while not self.isInterruptionRequested():
            with self._lock:
                camera, self._camera_changed = self.camera, False
            try:
                with open_source(camera, self.realtime) as source:
                    self.camera_ok = True
                    self.camera_status.emit(source.name, True)
                    delay = RETRY_FIRST_S
                    if self._play(source):
                        self.camera_ok = False
                        self.source_ended.emit()
                        return
            except CameraError as exc:
                self.camera_ok = False
                said = self.tr("{problem}; retrying in {seconds} s")
                self.camera_status.emit(said.format(problem=exc, seconds=QLocale().toString(delay, "g", 6)), False)
                self._pause(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    def _play(self, source: FrameSource) -> bool:
        """True when the source ran out; False when asked to stop or to switch camera."""
        while not self.isInterruptionRequested() and not self._camera_changed:
            frame = source.read()
            if frame is None:
                return True
            self._process(frame)
        return False

    def _process(self, frame: np.ndarray) -> None:
        with self._lock:
            request, self._request = self._request, None
        try:
            if request:
                self._step = request(self)
                request = None
            # __init__ queues the attendance mode, so the first frame has always built a step.
            assert self._step is not None
            result = self._step(frame)
        except FaceGateError as exc:
            if request:
                # Build the mode again after the pause, unless the UI has asked for another since.
                with self._lock:
                    self._request = self._request or request
            self.problem.emit(str(exc))
            self._pause(PROBLEM_PAUSE_S)
            return
        except Exception as exc:  # a bug must show up as a message; the kiosk keeps running
            log.exception("frame processing failed")
            self.problem.emit(self.tr("unexpected error: {error}").format(error=exc))
            self._pause(PROBLEM_PAUSE_S)
            return
        if isinstance(result, KioskResult):
            self.actions.start().handle(result.events)  # returns at once: unlock actions run in threads
            if result.events:
                self.events_committed.emit(result.events)
            if result.already:
                self.already_seen.emit(result.already)
            if result.error:
                self.problem.emit(result.error)
        with self._lock:
            self._latest = result
            announce, self._announced = not self._announced, True
        if announce:
            self.frame_ready.emit()

    def _pause(self, seconds: float) -> None:
        self._wake.wait(seconds)
        self._wake.clear()
