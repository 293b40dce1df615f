"""Settings: camera source, thresholds (with a Calibrate button), cooldown, kiosk id, admin PIN."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from core.errors import FaceGateError
from core.pad import STRICTNESS
from core.settings import Settings
from core.store import Store

from ..tasks import run_task
from .pin_dialog import PinDialog


def _threshold() -> QDoubleSpinBox:
    return QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.01, decimals=2)


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
        threshold_row = QHBoxLayout()
        threshold_row.addWidget(self.match_threshold)
        threshold_row.addWidget(self.calibrate_button)
        threshold_row.addStretch(1)
        self.consecutive = QSpinBox(minimum=1, maximum=30, suffix=" frames")
        self.cooldown = QSpinBox(minimum=0, maximum=24 * 3600, singleStep=60, suffix=" s")
        self.min_face = QSpinBox(minimum=20, maximum=400, suffix=" px")
        self.kiosk_id = QLineEdit()
        # Liveness: refuse photos and screens; unlock also asks for a head turn.
        self.pad_enabled = QCheckBox("Refuse photos and screens held to the camera")
        self.pad_strictness = QComboBox()
        self.pad_strictness.addItems(list(STRICTNESS))
        self.challenge_enabled = QCheckBox("Unlock asks for a head turn (left or right, at random)")
        self.message = QLabel(wordWrap=True)

        form = QFormLayout()
        form.addRow("Camera:", camera_row)
        form.addRow("Attendance threshold:", threshold_row)
        form.addRow("", self.calibration)
        form.addRow("Unlock threshold:", self.unlock_threshold)
        form.addRow("Confirm after:", self.consecutive)
        form.addRow("Cooldown between events:", self.cooldown)
        form.addRow("Smallest face:", self.min_face)
        form.addRow("Kiosk id:", self.kiosk_id)
        form.addRow("Liveness:", self.pad_enabled)
        form.addRow("Liveness strictness:", self.pad_strictness)
        form.addRow("Unlock challenge:", self.challenge_enabled)
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
        self.consecutive.setValue(s.consecutive_frames)
        self.cooldown.setValue(round(s.cooldown_s))
        self.min_face.setValue(s.min_face)
        self.kiosk_id.setText(s.kiosk_id)
        self.pad_enabled.setChecked(s.pad_enabled)
        self.pad_strictness.setCurrentText(s.pad_strictness)
        self.challenge_enabled.setChecked(s.challenge_enabled)

    def edited(self) -> Settings:
        current = self.store.load_settings()
        return replace(
            current,
            camera_source=self.camera.text().strip() or "0",
            match_threshold=round(self.match_threshold.value(), 2),
            unlock_threshold=round(self.unlock_threshold.value(), 2),
            consecutive_frames=self.consecutive.value(),
            cooldown_s=float(self.cooldown.value()),
            min_face=self.min_face.value(),
            kiosk_id=self.kiosk_id.text().strip() or current.kiosk_id,
            pad_enabled=self.pad_enabled.isChecked(),
            pad_strictness=self.pad_strictness.currentText(),
            challenge_enabled=self.challenge_enabled.isChecked(),
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
        self.saved.emit(settings)
        # Compared with the stored source, not the one playing: `--camera` may have overridden it.
        if settings.camera_source != before:
            self.camera_chosen.emit(settings.camera_source)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of images to play as a camera")
        if folder:
            self.camera.setText(folder)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Video file to play as a camera")
        if path:
            self.camera.setText(path)

    def calibrate(self) -> None:
        thresholds = {"attendance": self.match_threshold.value(), "unlock": self.unlock_threshold.value()}
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
