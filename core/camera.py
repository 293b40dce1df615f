"""Where frames come from: a camera, a network stream, a video file, or a folder of images.

Every source answers read(): the next BGR frame, None once a file or folder has run out, or
CameraError when a camera or stream is lost. open_source() picks the kind from what the user typed
and reads it on a thread of its own; for live and real-time sources it hands back the newest frame
only, so a slow loop never works through a backlog of stale ones.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from pathlib import Path

import cv2
import cv2.utils.logging
import numpy as np

from .errors import CameraError, ImageError
from .imaging import IMAGE_SUFFIXES, image_files, load_image, to_bgr8

log = logging.getLogger(__name__)

# A folder has no frame rate of its own; real-time playback shows it like a webcam would.
FOLDER_FPS = 25.0
# A live source that delivers nothing for this long is treated as gone.
STALL_TIMEOUT_S = 5.0


def _quiet_opencv() -> None:
    """OpenCV and FFmpeg print a dozen lines of their own for a camera or file they cannot open;
    CameraError already says it in one. FACEGATE_DEBUG=1 keeps their output for diagnosis."""
    if os.environ.get("FACEGATE_DEBUG"):
        return
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_FATAL)
    # Read when the FFmpeg backend first starts; -8 is FFmpeg's AV_LOG_QUIET.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")


_quiet_opencv()


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

    def __iter__(self):
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


class CaptureSource(FrameSource):
    """OpenCV's VideoCapture: a device index, a URL (RTSP/HTTP) or a video file."""

    def __init__(self, target: int | str, live: bool, realtime: bool = False):
        self.name = f"camera {target}" if isinstance(target, int) else str(target)
        self.live = live
        self._capture = cv2.VideoCapture(target)
        # A file OpenCV cannot play may still "open"; its first frame tells.
        self._first: np.ndarray | None = None
        if self._capture.isOpened() and not live:
            ok, self._first = self._capture.read()
            if not ok or self._first is None:
                self._capture.release()
        if not self._capture.isOpened():
            self._capture.release()
            hint = "is it connected and free (not used by another program)?" if live else "is it a video file?"
            raise CameraError(f"cannot open {self.name}: {hint}")
        # Live sources run at their own pace; a file is paced only when asked to play in real time.
        self._pacer = _Pacer(self._capture.get(cv2.CAP_PROP_FPS)) if realtime and not live else None

    def read(self) -> np.ndarray | None:
        if self._pacer:
            self._pacer.wait()
        if self._first is not None:
            frame, self._first = self._first, None
            return to_bgr8(frame, self.name)
        ok, frame = self._capture.read()
        if ok and frame is not None:
            return to_bgr8(frame, self.name)
        if self.live:
            raise CameraError(f"{self.name} stopped delivering frames (unplugged or in use?)")
        return None

    def close(self) -> None:
        self._capture.release()


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


def open_source(spec: str | int, realtime: bool = False) -> FrameSource:
    """A camera number ("0"), a URL ("rtsp://..."), a video file or a folder of images.

    realtime: play files and folders at their own frame rate instead of as fast as they are read.
    """
    spec = str(spec).strip()
    if not spec:
        # An empty path would otherwise name the current folder.
        raise CameraError("no camera source given: use a camera number (0), a URL, a video file or a folder of images")
    if spec.isdigit():
        source: FrameSource = CaptureSource(int(spec), live=True)
    elif "://" in spec:
        source = CaptureSource(spec, live=True)
    else:
        path = Path(spec).expanduser()
        if path.is_dir():
            source = FolderSource(path, realtime)
        elif path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            raise CameraError(f"{spec} is a photo, not a video: put the photos to play in a folder and give the folder")
        elif path.is_file():
            source = CaptureSource(str(path), live=False, realtime=realtime)
        else:
            raise CameraError(
                f"camera source {spec!r} is not a camera number, a URL, or an existing video file or folder"
            )
    return ThreadedSource(source, latest_only=source.live or realtime)
