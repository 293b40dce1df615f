"""Where frames come from: a camera, a network stream, a video file, or a folder of images.

Every source answers read(): the next BGR frame, None once a file or folder has run out, or
CameraError when a camera or stream is lost. open_source() picks the kind from what the user typed
and reads it on a thread of its own; for live and real-time sources it hands back the newest frame
only, so a slow loop never works through a backlog of stale ones.

Folders of images are read here. Cameras, streams and video files need a media framework, which
core does not carry: the caller passes an opener for them (desktop_app.capture's, on Qt
Multimedia), and without one they are refused with a CameraError that says so.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from core.errors import CameraError, ImageError
from core.redact import redact_url
from core.settings import camera_source_problem
from core.vision.imaging import IMAGE_SUFFIXES, image_files, load_image

log = logging.getLogger(__name__)

# A folder has no frame rate of its own; real-time playback shows it like a webcam would.
FOLDER_FPS = 25.0
# A live source that delivers nothing for this long is treated as gone.
STALL_TIMEOUT_S = 5.0


class FrameSource:
    """name: what to show the user; live: a camera or stream, which never runs out."""

    name: str = ""
    live: bool = False

    def read(self) -> np.ndarray | None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[np.ndarray]:
        while (frame := self.read()) is not None:
            yield frame


class _Pacer:
    """Sleeps so that successive frames are 1/fps apart; a late frame does not make the next early."""

    def __init__(self, fps: float):
        self.interval = 1.0 / fps if fps > 0 else 1.0 / FOLDER_FPS
        self._due = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if self._due > now:
            time.sleep(self._due - now)
        self._due = max(self._due, now) + self.interval


class FolderSource(FrameSource):
    """The images of a folder in name order, one per frame; unreadable ones are skipped."""

    def __init__(self, folder: str | Path, realtime: bool = False, fps: float = FOLDER_FPS):
        self.folder = Path(folder)
        self.name = str(self.folder)
        self._files = image_files(self.folder)
        if not self._files:
            raise CameraError(f"the folder {self.folder} holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        self._next = 0
        self._pacer = _Pacer(fps) if realtime else None

    def read(self) -> np.ndarray | None:
        while self._next < len(self._files):
            path = self._files[self._next]
            self._next += 1
            try:
                frame = load_image(path)
            except ImageError as exc:
                if not self.folder.is_dir():
                    raise CameraError(f"the folder {self.folder} is gone (removed or unmounted)") from exc
                log.warning("skipping an unreadable frame: %s", exc)
                continue
            if self._pacer:
                self._pacer.wait()
            return frame
        return None


class ThreadedSource(FrameSource):
    """Reads another source on its own thread, so decoding the next frame overlaps the caller's work.

    latest_only (cameras, real-time playback): keep just the newest frame; read() returns one not
    returned before and frames the caller was too slow for are dropped. Otherwise (files played as
    fast as they are taken) read ahead up to `depth` frames and drop none. The inner source's
    CameraError comes out of read().
    """

    def __init__(
        self, source: FrameSource, latest_only: bool, depth: int = 2, stall_timeout_s: float = STALL_TIMEOUT_S
    ):
        self.source = source
        self.name, self.live = source.name, source.live
        self.stall_timeout_s = stall_timeout_s
        self._frames: deque[np.ndarray] = deque(maxlen=1 if latest_only else None)
        self._depth = 1 if latest_only else depth
        self._latest_only = latest_only
        self._changed = threading.Condition()
        self._ended = False
        self._error: CameraError | None = None
        self._stop = False
        self._thread = threading.Thread(target=self._pump, name=f"frames {self.name}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while not self._stop:
                frame = self.source.read()
                with self._changed:
                    if frame is None:
                        self._ended = True
                    elif not self._latest_only:
                        self._changed.wait_for(lambda: len(self._frames) < self._depth or self._stop)
                    if frame is not None:
                        self._frames.append(frame)  # with maxlen 1 this replaces a stale frame
                    self._changed.notify_all()
                if frame is None:
                    return
        except CameraError as exc:
            with self._changed:
                self._error = exc
                self._changed.notify_all()
        finally:
            # Released here, by the only thread that reads it: releasing a capture mid-read crashes.
            self.source.close()

    def read(self) -> np.ndarray | None:
        with self._changed:
            arrived = self._changed.wait_for(lambda: self._frames or self._ended or self._error, self.stall_timeout_s)
            if self._frames:
                frame = self._frames.popleft()
                self._changed.notify_all()
                return frame
            if self._error:
                raise self._error
            if not arrived:
                raise CameraError(f"{self.name} sent no frame for {self.stall_timeout_s:g} s")
            return None

    def close(self) -> None:
        with self._changed:
            self._stop = True
            self._changed.notify_all()
        self._thread.join(timeout=self.stall_timeout_s)


# Opens a camera (an int), a URL or a video file (a str): (target, live, realtime) -> source.
CaptureOpener = Callable[[int | str, bool, bool], FrameSource]


def open_source(spec: str | int, realtime: bool = False, capture: CaptureOpener | None = None) -> FrameSource:
    """A camera number ("0"), a URL ("rtsp://..."), a video file or a folder of images.

    realtime: play files and folders at their own frame rate instead of as fast as they are read.
    capture: what opens cameras, URLs and video files; without it only folders can be played.
    """
    spec = str(spec).strip()
    problem = camera_source_problem(spec)
    if problem:
        raise CameraError(problem)
    source: FrameSource
    path = Path(spec).expanduser()
    if spec.isdigit():
        source = _capture(capture, int(spec), True, realtime)
    elif "://" in spec:
        source = _capture(capture, spec, True, realtime)
    elif path.is_dir():
        source = FolderSource(path, realtime)
    elif path.suffix.lower() in IMAGE_SUFFIXES:
        raise CameraError(f"{spec} is a photo, not a video: put the photos to play in a folder and give the folder")
    else:
        source = _capture(capture, str(path), False, realtime)
    return ThreadedSource(source, latest_only=source.live or realtime)


def source_name(target: int | str) -> str:
    """What to call a camera (a device index), a URL or a video file in messages, logs and widgets:
    a stream's URL without its password (the kiosk shows this on a public screen)."""
    return f"camera {target}" if isinstance(target, int) else redact_url(target)


def _capture(opener: CaptureOpener | None, target: int | str, live: bool, realtime: bool) -> FrameSource:
    if opener is None:
        raise CameraError(
            f"{source_name(target)} needs the desktop app's video support: only folders of images play without it"
        )
    return opener(target, live, realtime)
