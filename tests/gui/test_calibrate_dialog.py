"""Settings → Calibrate liveness, offscreen, fed by a real frame worker playing real webcam frames:
the proposal is drawn and Apply saves it; a print in front of the camera is refused with nothing
changed; the recording stops after the chosen seconds."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from core.liveness.calibrate import calibrate
from core.liveness.pad import PadModel
from core.vision.imaging import load_image
from desktop_app.gui.admin.calibrate_dialog import ATTACK, PROPOSAL, CalibrateDialog, HistogramView
from desktop_app.gui.admin.calibrate_dialog import LIVE as LIVE_COLOUR
from desktop_app.gui.admin.settings_page import SettingsPage
from desktop_app.gui.worker import FrameWorker
from tests.liveness.calibration_data import ATTACK_HIST, LIVE, PRINTS, need_pad_data, pad_model_copy

pytestmark = pytest.mark.shared
TIMEOUT_MS = 60_000


@pytest.fixture
def dialog(qtbot, store, pipeline):
    need_pad_data()
    opened = []

    def open_dialog(camera, realtime: bool = False) -> CalibrateDialog:
        worker = FrameWorker(store, pipeline, str(camera), realtime)
        made = CalibrateDialog(store, worker)
        qtbot.addWidget(made)
        opened.append(worker)
        return made

    yield open_dialog
    for worker in opened:
        worker.stop()


def _record(qtbot, dialog: CalibrateDialog) -> None:
    dialog.start_button.click()
    assert dialog.recording
    qtbot.waitUntil(lambda: not dialog.recording, timeout=TIMEOUT_MS)


def _colour_pixels(widget, colour) -> int:
    image = widget.grab().toImage()
    want = (colour.red(), colour.green(), colour.blue())
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            pixel = image.pixelColor(x, y)
            # Bars are drawn translucent: the colour's strongest channel still leads.
            strongest = max(range(3), key=lambda i: want[i])
            channels = (pixel.red(), pixel.green(), pixel.blue())
            if channels[strongest] - min(channels) > 60 and max(range(3), key=lambda i: channels[i]) == strongest:
                count += 1
    return count


def test_live_people_give_a_proposal_that_apply_saves(qtbot, dialog, store):
    before = store.load_settings()
    d = dialog(LIVE)
    d.show()
    _record(qtbot, d)
    result = d.calibration
    assert result is not None and result.refusal is None and result.frames == 110
    assert d.apply_button.isEnabled() and "proposed liveness threshold" in d.counts.text()
    assert _colour_pixels(d.histogram, LIVE_COLOUR) > 50 and _colour_pixels(d.histogram, PROPOSAL) > 10
    d.apply_button.click()
    assert d.result() == CalibrateDialog.DialogCode.Accepted
    assert store.load_settings() == replace(before, pad_threshold=result.proposal)
    assert store.audit_log()[0].action == "calibrate liveness"


def test_a_print_in_front_of_the_camera_is_refused_and_changes_nothing(qtbot, dialog, store):
    before, audit = store.load_settings(), store.audit_log()
    d = dialog(PRINTS)
    _record(qtbot, d)
    assert "scored like a photo or screen" in d.message.text() and "Nothing was changed" in d.message.text()
    assert not d.apply_button.isEnabled()
    d.reject()
    assert (store.load_settings(), store.audit_log()) == (before, audit)


def test_recording_stops_after_the_chosen_seconds(qtbot, dialog, tmp_path):
    # Three passes over the webcam frames at 25 fps: 13 s of camera, more than the 5 s asked for.
    folder = tmp_path / "camera"
    folder.mkdir()
    frames = sorted(LIVE.iterdir())
    for i, frame in enumerate(frames * 3):
        (folder / f"{i:04d}.jpg").symlink_to(frame)
    d = dialog(folder, realtime=True)
    d.seconds.setValue(5)
    _record(qtbot, d)
    assert d.calibration is not None and 0 < d.calibration.frames < 2 * len(frames)
    assert d.worker.isRunning()  # the camera plays on, in the admin screens' preview


def test_the_histogram_shows_the_models_attack_scores_against_the_live_ones(qtbot, tmp_path):
    need_pad_data()
    model = PadModel(pad_model_copy(tmp_path, secure_floor="0.9", attack_hist=ATTACK_HIST))
    view = HistogramView()
    qtbot.addWidget(view)
    view.resize(500, 240)
    view.show_result(calibrate(model, [load_image(p) for p in sorted(LIVE.iterdir())[:40]]))
    assert _colour_pixels(view, ATTACK) > 50 and _colour_pixels(view, LIVE_COLOUR) > 50


def test_the_settings_page_opens_the_dialog(qtbot, store, pipeline, tmp_path):
    worker = FrameWorker(store, pipeline, str(tmp_path / "unplugged"), False)
    page = SettingsPage(store, pipeline.embedder, worker)
    qtbot.addWidget(page)
    seen = []

    def close_it() -> None:
        seen.append(QApplication.activeModalWidget())
        seen[-1].reject()

    QTimer.singleShot(0, close_it)
    page.calibrate_liveness_button.click()
    assert isinstance(seen[0], CalibrateDialog)
    assert "In use now: the normal threshold" in seen[0].in_use.text()
