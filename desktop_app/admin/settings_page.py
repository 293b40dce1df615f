"""Settings: camera source, thresholds (with a Calibrate button), cooldown, kiosk id, admin PIN."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.calibrate import calibrate
from core.enroll import load_gallery
from core.errors import FaceGateError
from core.settings import Settings
from core.store import Store
from core.thresholds import Thresholds, settings_thresholds

from ..tasks import run_task
from .pin_dialog import PinDialog


def _threshold() -> QDoubleSpinBox:
    return QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.01, decimals=2)


def effective_text(t: Thresholds) -> str:
    if not t.follows_gallery:
        return (f"Now: attendance {t.attendance:.2f}, unlock {t.unlock:.2f}, as set above, for {t.gallery_size} "
                "enrolled templates. This model carries no impostor scores, so the thresholds do not follow "
                "the number of people enrolled and the stranger target has no effect; Calibrate measures "
                "them on the people enrolled here.")
    return (
        f"Now, with {t.gallery_size} enrolled templates: attendance {t.attendance:.3f} (the rule gives "
        f"{t.attendance_rule:.3f} so that at most {100 * t.stranger_target:g} % of a stranger's frames are named), "
        f"unlock {t.unlock:.3f} (the rule gives {t.unlock_rule:.3f}: one false accept in 100,000 tries). "
        "The attendance threshold rises as people are enrolled. The two thresholds above are floors: "
        "set one higher to make the kiosk stricter; it never goes below the rule. Calibrate measures the "
        "thresholds in use on the people enrolled here."
    )


class SettingsPage(QWidget):
    saved = Signal(object)  # the new Settings
    camera_chosen = Signal(str)  # only when the camera source itself was changed here

    def __init__(self, store: Store, embedder, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.embedder = store, embedder
        self.camera = QLineEdit(placeholderText="0, rtsp://…, a video file or a folder of images")
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.camera, 1)
        camera_row.addWidget(QPushButton("Folder…", clicked=self.choose_folder))
        camera_row.addWidget(QPushButton("Video file…", clicked=self.choose_file))
        self.match_threshold = _threshold()
        self.unlock_threshold = _threshold()
        self.calibrate_button = QPushButton("Calibrate", clicked=self.calibrate)
        self.calibration = QLabel(wordWrap=True)
        # Percent on screen, a fraction in Settings.
        self.stranger_target = QDoubleSpinBox(minimum=0.001, maximum=10.0, singleStep=0.05, decimals=3, suffix=" %")
        self.effective = QLabel(wordWrap=True)
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.match_threshold)
        threshold_row.addWidget(self.calibrate_button)
        threshold_row.addStretch(1)
        self.consecutive = QSpinBox(minimum=1, maximum=30, suffix=" frames")
        self.cooldown = QSpinBox(minimum=0, maximum=24 * 3600, singleStep=60, suffix=" s")
        self.min_face = QSpinBox(minimum=20, maximum=400, suffix=" px")
        self.kiosk_id = QLineEdit()
        self.message = QLabel(wordWrap=True)

        form = QFormLayout()
        form.addRow("Camera:", camera_row)
        form.addRow("Attendance threshold:", threshold_row)
        form.addRow("", self.calibration)
        form.addRow("Unlock threshold:", self.unlock_threshold)
        form.addRow("Strangers named, at most:", self.stranger_target)
        form.addRow("", self.effective)
        form.addRow("Confirm after:", self.consecutive)
        form.addRow("Cooldown between events:", self.cooldown)
        form.addRow("Smallest face:", self.min_face)
        form.addRow("Kiosk id:", self.kiosk_id)
        buttons = QHBoxLayout()
        buttons.addWidget(QPushButton("Save", clicked=self.save))
        buttons.addWidget(QPushButton("Change admin PIN…", clicked=self.change_pin))
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def refresh(self) -> None:
        try:
            s = self.store.load_settings()
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        self.camera.setText(s.camera_source)
        self.match_threshold.setValue(s.match_threshold)
        self.unlock_threshold.setValue(s.unlock_threshold)
        self.stranger_target.setValue(100 * s.stranger_target)
        self.show_effective(s)
        self.consecutive.setValue(s.consecutive_frames)
        self.cooldown.setValue(round(s.cooldown_s))
        self.min_face.setValue(s.min_face)
        self.kiosk_id.setText(s.kiosk_id)

    def edited(self) -> Settings:
        current = self.store.load_settings()
        return replace(
            current,
            camera_source=self.camera.text().strip() or "0",
            match_threshold=round(self.match_threshold.value(), 2),
            unlock_threshold=round(self.unlock_threshold.value(), 2),
            stranger_target=round(self.stranger_target.value() / 100, 7),
            consecutive_frames=self.consecutive.value(),
            cooldown_s=float(self.cooldown.value()),
            min_face=self.min_face.value(),
            kiosk_id=self.kiosk_id.text().strip() or current.kiosk_id,
        )

    def save(self) -> None:
        try:
            before = self.store.load_settings().camera_source
            settings = self.edited()
            self.store.save_settings(settings)
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        self.message.setText("Saved.")
        self.show_effective(settings)
        self.saved.emit(settings)
        # Compared with the stored source, not the one playing: `--camera` may have overridden it.
        if settings.camera_source != before:
            self.camera_chosen.emit(settings.camera_source)

    def show_effective(self, settings: Settings) -> None:
        """The thresholds the kiosk uses now, for the people enrolled now."""
        try:
            templates = len(load_gallery(self.store, self.embedder))
        except FaceGateError as exc:
            self.effective.setText(f"⚠ {exc}")
            return
        self.effective.setText(effective_text(settings_thresholds(self.embedder, settings, templates)))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of images to play as a camera")
        if folder:
            self.camera.setText(folder)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Video file to play as a camera")
        if path:
            self.camera.setText(path)

    def calibrate(self) -> None:
        # What the kiosk would compare with under the settings as edited: the rule's threshold
        # for the people enrolled now, or the floor where that is higher.
        try:
            now = settings_thresholds(self.embedder, self.edited(), len(load_gallery(self.store, self.embedder)))
        except FaceGateError as exc:
            self.calibration.setText(f"⚠ {exc}")
            return
        thresholds = {"attendance": now.attendance, "unlock": now.unlock}
        self.calibrate_button.setEnabled(False)
        self.calibration.setText("Comparing every pair of enrolled templates…")

        def measure() -> str:
            return "\n".join(
                f"{purpose.capitalize()} {calibrate(self.store, self.embedder, value).describe()}"
                for purpose, value in thresholds.items()
            )

        run_task(measure, self._calibrated, lambda message: self._calibrated(f"⚠ {message}"))

    def _calibrated(self, text: str) -> None:
        self.calibration.setText(text)
        self.calibrate_button.setEnabled(True)

    def change_pin(self) -> None:
        if PinDialog(self.store, self, change=True).exec():
            self.message.setText("The admin PIN was changed.")
