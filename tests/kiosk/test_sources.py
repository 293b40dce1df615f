"""Frame sources: folders in name order, real-time pacing, latest-frame-wins, and lost sources."""

import logging
import shutil
import time

import cv2
import numpy as np
import pytest

from core.errors import CameraError
from core.kiosk.sources import FOLDER_FPS, FolderSource, ThreadedSource, open_source
from desktop_app.capture import BACKLOG
from desktop_app.capture import open_source as open_capture


def _frame(value: int) -> np.ndarray:
    return np.full((48, 64, 3), value, np.uint8)


def _folder(tmp_path, values, suffix=".png"):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, value in enumerate(values):
        cv2.imwrite(str(folder / f"{i:03d}{suffix}"), _frame(value))
    return folder


def test_folder_plays_images_in_name_order_skips_unreadable_and_ends(tmp_path, caplog):
    folder = tmp_path / "frames"
    folder.mkdir()
    for name, value in (("b.png", 20), ("a.png", 10), ("c.png", 30)):
        cv2.imwrite(str(folder / name), _frame(value))
    (folder / "b2.jpg").write_bytes(b"not a jpeg")
    (folder / "notes.txt").write_text("not a frame")
    with caplog.at_level(logging.WARNING), open_source(str(folder)) as source:
        values = [int(frame[0, 0, 0]) for frame in source]
        assert source.read() is None
    assert values == [10, 20, 30]
    assert "b2.jpg" in caplog.text


def test_realtime_plays_at_the_folder_rate_and_as_fast_as_possible_otherwise(tmp_path):
    folder = _folder(tmp_path, range(0, 100, 10))
    start = time.perf_counter()
    with open_source(folder, realtime=True) as source:
        played = [int(frame[0, 0, 0]) for frame in source]
    paced = time.perf_counter() - start
    assert played == list(range(0, 100, 10))
    assert paced >= (len(played) - 1) / FOLDER_FPS * 0.9
    start = time.perf_counter()
    with open_source(folder) as source:
        assert len(list(source)) == 10
    assert time.perf_counter() - start < paced


def test_a_slow_reader_gets_the_newest_frame_not_a_backlog(tmp_path):
    folder = _folder(tmp_path, range(40))
    with ThreadedSource(FolderSource(folder, realtime=True, fps=200), latest_only=True) as source:
        seen = []
        while (frame := source.read()) is not None:
            seen.append(int(frame[0, 0, 0]))
            time.sleep(0.03)
    assert len(seen) < 20, "frames queued up instead of being dropped"
    assert seen == sorted(seen) and seen[-1] >= 35


@pytest.mark.parametrize("realtime", [False, True], ids=["read-ahead", "latest-only"])
def test_a_vanished_folder_raises_camera_error(tmp_path, realtime):
    folder = _folder(tmp_path, range(30))
    with open_source(folder, realtime=realtime) as source:
        assert source.read() is not None
        shutil.rmtree(folder)
        with pytest.raises(CameraError, match="gone"):
            while source.read() is not None:
                pass


# qapp in the tests that open Qt Multimedia: the QApplication the GUI tests need must exist before
# desktop_app.capture would make a plain core application in this process.
def test_missing_camera_file_and_device_give_camera_error(tmp_path, qapp):
    with pytest.raises(CameraError, match="not a camera number"):
        open_source(tmp_path / "no-such-folder")
    with pytest.raises(CameraError, match="holds no images"):
        open_source(tmp_path)
    with pytest.raises(CameraError, match="camera 97: no such camera"):
        open_capture("97")
    text = tmp_path / "notes.txt"
    text.write_text("not a video")
    with pytest.raises(CameraError, match="is it a video file"):
        open_capture(text)


def _video(path, values, size=(64, 48)):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, size)
    for value in values:
        writer.write(np.full((size[1], size[0], 3), value, np.uint8))
    writer.release()
    return path


def test_core_alone_plays_folders_and_says_what_a_video_needs(tmp_path):
    clip = _video(tmp_path / "clip.avi", [0, 100])
    with pytest.raises(CameraError, match="needs the desktop app's video support"):
        open_source(clip)
    with pytest.raises(CameraError, match="camera 0 needs"):
        open_source("0")


def test_video_file_plays_to_its_end_through_qt_multimedia(tmp_path, qapp):
    clip = _video(tmp_path / "clip.avi", range(0, 200, 25))
    with open_capture(clip) as source:
        frames = list(source)
    assert len(frames) == 8 and frames[0].shape == (48, 64, 3) and frames[0].dtype == np.uint8
    # MJPEG is lossy, but each frame keeps its own gray level, in order.
    assert [round(int(frame[24, 32, 1]) / 25) * 25 for frame in frames] == list(range(0, 200, 25))


def test_a_slow_reader_of_a_video_file_loses_no_frame(tmp_path, qapp):
    clip = _video(tmp_path / "long.avi", [(7 * i) % 256 for i in range(40)])
    with open_capture(clip) as source:
        seen, backlog = [], 0
        for frame in source:
            seen.append(frame)
            backlog = max(backlog, len(source.source._frames))
            time.sleep(0.1)  # 10 frames/s read from a 25 frames/s file: playback has to wait
    assert len(seen) == 40
    # Paused, not buffered: the decoded frames waiting stay a handful (a few arrive after pause()).
    assert backlog <= BACKLOG + 3
