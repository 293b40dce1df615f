"""Cameras, network streams and video files through Qt Multimedia (its FFmpeg backend).

core.kiosk.sources plays folders of images and knows nothing of Qt; open_source() here hands it the
opener for everything else, so the GUI's frame worker and the CLI open every kind of source the
same way. Qt delivers frames by signal to an object living on a thread of its own, which runs its
own event loop; read() takes the frames from there.

Qt Multimedia plays media, it cannot step through a file frame by frame: a video file plays at its
own frame rate, paused while the reader is behind, so that no frame is lost.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections import deque
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QEventLoop, QLoggingCategory, QObject, QTimer, QUrl, qInstallMessageHandler
from PySide6.QtGui import QImage

from core.errors import CameraError
from core.kiosk.sources import STALL_TIMEOUT_S, FrameSource, source_name
from core.kiosk.sources import open_source as _open_source
from core.redact import scrub
from desktop_app.qt_application import ensure_application

# Qt Multimedia reports the optional libraries it lacks (PipeWire, VA-API) as it loads, and its
# backend's details on every start; a CameraError already says what matters in one line.
# FACEGATE_DEBUG=1 keeps all of it for diagnosis. Set before Qt Multimedia is imported, which prints
# the first of them; rules the user set in QT_LOGGING_RULES come later and still win.
QUIET = not os.environ.get("FACEGATE_DEBUG")
if QUIET:
    os.environ["QT_LOGGING_RULES"] = ";".join(
        filter(None, ["qt.multimedia*=false", os.environ.get("QT_LOGGING_RULES")])
    )

# How long a source may take to show its first frame (a network stream connecting, a camera
# starting) before it counts as not there.
OPEN_TIMEOUT_S = 10.0
# A video file is paused while this many decoded frames wait for the reader.
BACKLOG = 4
# How often the capture thread looks for a request to stop or to resume a paused file.
TICK_MS = 20

# PySide6.QtMultimedia, imported when the first camera, stream or video is opened (see _multimedia).
QtMultimedia: Any = None


def open_source(spec: str | int, realtime: bool = False) -> FrameSource:
    """core.kiosk.sources.open_source, able to open cameras, URLs and video files too."""
    return _open_source(spec, realtime, capture=QtCaptureSource)


class QtCaptureSource(FrameSource):
    """A camera (device index), a URL (RTSP/HTTP) or a video file, played by Qt Multimedia."""

    def __init__(self, target: int | str, live: bool, realtime: bool = False):
        self.name = source_name(target)
        self.live = live
        # Only the newest frame of a camera, or of a file played in real time, is of use.
        self._frames: deque[np.ndarray] = deque(maxlen=1 if live or realtime else None)
        self._changed = threading.Condition()
        self._started = False  # a first frame arrived, or the source ended or failed
        self._ended = False
        self._error: str | None = None
        self._stop = False
        _multimedia()
        ensure_application()
        media: object = target  # what the capture thread opens: a QCameraDevice, a URL or a path
        if isinstance(target, int):
            # Listed here, not on the capture thread: Qt's device watcher is made on first use and
            # must not outlive the thread it was made on (Qt complains about it at exit).
            cameras = QtMultimedia.QMediaDevices.videoInputs()
            if target >= len(cameras):
                raise CameraError(f"cannot open {self.name}: no such camera ({len(cameras)} found)")
            media = cameras[target]
        self._thread = threading.Thread(target=self._run, args=(media,), name=f"qt {self.name}", daemon=True)
        self._thread.start()
        with self._changed:
            self._changed.wait_for(lambda: self._started, OPEN_TIMEOUT_S)
            problem = self._opening_problem()
        if problem:
            self.close()
            raise CameraError(f"cannot open {self.name}: {problem}")

    def _opening_problem(self) -> str | None:
        if not self._started:
            return f"no picture within {OPEN_TIMEOUT_S:g} s"
        if self._frames:
            return None
        return "is it connected and free (not used by another program)?" if self.live else "is it a video file?"

    def _run(self, media: object) -> None:
        loop = QEventLoop()
        feed = _Feed(self, media, loop)
        loop.exec()
        feed.stop()

    # Called on the capture thread.
    def _deliver(self, frame: np.ndarray) -> bool:
        """Queue a frame; True while the reader is so far behind that a file should pause."""
        with self._changed:
            self._frames.append(frame)
            self._started = True
            self._changed.notify_all()
            return len(self._frames) >= BACKLOG

    def _finish(self, error: str | None = None) -> None:
        with self._changed:
            if error and not self._error:
                self._error = error
            self._ended = True
            self._started = True
            self._changed.notify_all()

    def _wanted(self) -> tuple[bool, bool]:
        """(stop, room): asked to stop; the reader has caught up enough for a file to resume."""
        with self._changed:
            return self._stop, len(self._frames) < BACKLOG // 2

    def read(self) -> np.ndarray | None:
        with self._changed:
            arrived = self._changed.wait_for(lambda: self._frames or self._ended, STALL_TIMEOUT_S)
            if self._frames:
                return self._frames.popleft()
        if not arrived:
            raise CameraError(f"{self.name} sent no frame for {STALL_TIMEOUT_S:g} s")
        if self._error:
            raise CameraError(f"{self.name} stopped delivering frames: {self._error}")
        if self.live:
            raise CameraError(f"{self.name} stopped delivering frames (unplugged or in use?)")
        return None

    def close(self) -> None:
        with self._changed:
            self._stop = True
        self._thread.join(timeout=STALL_TIMEOUT_S)


class _Feed(QObject):
    """Lives on the capture thread: runs the camera or player and passes its frames on."""

    def __init__(self, source: QtCaptureSource, media: object, loop: QEventLoop):
        """media: a QCameraDevice, or the URL or path of a video."""
        super().__init__()
        self.source, self.loop, self.media = source, loop, media
        self.paused = False
        self.sink = QtMultimedia.QVideoSink(self)
        self.sink.videoFrameChanged.connect(self.on_frame)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.on_tick)
        self.timer.start(TICK_MS)
        self.camera: QtMultimedia.QCamera | None = None
        self.player: QtMultimedia.QMediaPlayer | None = None
        if isinstance(media, str):
            self._start_player(media)
        else:
            self._start_camera(media)

    def _start_camera(self, device) -> None:
        self.camera = QtMultimedia.QCamera(device, self)
        self.session = QtMultimedia.QMediaCaptureSession(self)
        self.session.setCamera(self.camera)
        self.session.setVideoSink(self.sink)
        self.camera.errorOccurred.connect(self.on_error)
        self.camera.activeChanged.connect(self.on_camera_active)
        self.camera.start()

    def _start_player(self, target: str) -> None:
        self.player = QtMultimedia.QMediaPlayer(self)
        # FFmpeg's libraries are loaded with the player; quieted before setSource opens the stream,
        # or its own `[tcp @ 0x...]` line comes out ahead of ours.
        _quiet_ffmpeg()
        self.player.setVideoSink(self.sink)
        self.player.errorOccurred.connect(self.on_error)
        self.player.mediaStatusChanged.connect(self.on_status)
        url = QUrl(target) if "://" in target else QUrl.fromLocalFile(str(Path(target).resolve()))
        self.player.setSource(url)
        self.player.play()

    def on_frame(self, frame) -> None:
        pixels = _bgr(frame)
        if pixels is None:  # the empty frame that ends a file
            return
        if self.source._deliver(pixels) and self.player and not self.source.live and not self.paused:
            self.player.pause()
            self.paused = True

    def on_tick(self) -> None:
        stop, room = self.source._wanted()
        if stop:
            self.loop.quit()
        elif self.paused and room and self.player:
            self.paused = False
            self.player.play()

    def on_status(self, status) -> None:
        statuses = QtMultimedia.QMediaPlayer.MediaStatus
        if status == statuses.LoadedMedia and self.player and not self.player.hasVideo():
            self.source._finish("it has no video")
        elif status == statuses.EndOfMedia:
            self.source._finish()
        elif status == statuses.InvalidMedia:
            self.source._finish("not a playable video")

    def on_error(self, error, text: str) -> None:
        """The player's or the camera's errorOccurred: both carry (error, text), which may quote
        the stream's URL with its password."""
        text = text or str(error)
        self.source._finish(scrub(text, self.media) if isinstance(self.media, str) else text)

    def on_camera_active(self, active: bool) -> None:
        if not active:
            self.source._finish("the camera stopped")

    def stop(self) -> None:
        self.timer.stop()
        if self.player:
            self.player.stop()
        if self.camera:
            self.camera.stop()


def _bgr(frame) -> np.ndarray | None:
    """The frame's pixels as HxWx3 BGR uint8, or None for an empty frame."""
    image = frame.toImage()
    if image.isNull():
        return None
    if image.format() != QImage.Format.Format_RGB32:
        image = image.convertToFormat(QImage.Format.Format_RGB32)
    height, width, row = image.height(), image.width(), image.bytesPerLine()
    # RGB32 is 0xffRRGGBB per pixel: B, G, R, 0xff in memory on little-endian machines.
    data = np.frombuffer(image.constBits(), np.uint8, count=row * height)
    return data.reshape(height, row)[:, : width * 4].reshape(height, width, 4)[:, :, :3].copy()


def _multimedia() -> None:
    """Import Qt Multimedia on first use: on Linux it links the PulseAudio client library
    (libpulse.so.0), which a minimal system may lack, and only cameras, streams and videos need it."""
    global QtMultimedia
    if QtMultimedia is None:
        try:
            from PySide6 import QtMultimedia as module
        except ImportError as exc:
            raise CameraError(
                f"cameras, streams and video files need Qt Multimedia, which cannot load ({exc}); "
                "on Debian/Ubuntu: sudo apt install libpulse0"
            ) from None
        QtMultimedia = module


def _quiet_qt() -> None:
    """The logging rules again, for when Qt read its environment before this module was loaded
    (the GUI), and the one notice that has no category of its own."""
    if not QUIET:
        return
    QLoggingCategory.setFilterRules("qt.multimedia*=false")
    previous = None

    def handler(mode, context, message: str) -> None:
        # Converting frames without a GPU context is expected here, and said once per thread.
        if "No RHI backend" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            category = context.category if context.category and context.category != "default" else ""
            sys.stderr.write(f"{category}: {message}\n" if category else f"{message}\n")

    previous = qInstallMessageHandler(handler)


def _quiet_ffmpeg() -> None:
    """FFmpeg logs through its own default callback (hardware decoders it could not set up, pixel
    format notes); its log level is set to quiet once Qt has loaded it."""
    if not QUIET or not sys.platform.startswith("linux"):
        return
    import PySide6

    libraries = sorted(Path(PySide6.__file__).parent.glob("Qt/lib/libavutil.so.*"), key=lambda p: len(p.name))
    if not libraries:
        return
    try:
        # RTLD_NOLOAD: the copy Qt loaded, or nothing.
        avutil = ctypes.CDLL(libraries[0].name, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    except OSError:
        return
    avutil.av_log_set_level(-8)  # AV_LOG_QUIET


_quiet_qt()
