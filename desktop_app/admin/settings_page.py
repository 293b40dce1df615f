"""Settings: camera source, thresholds (with a Calibrate button), cooldown, kiosk id, admin PIN."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
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
from core.errors import FaceGateError
from core.settings import Settings
from core.store import Store

from ..tasks import run_task
from .pin_dialog import PinDialog

# Every number box the same width, so the column reads as one.
FIELD_WIDTH = 130
HINT_STYLE = "color:#5f6b76;"
# Each calibration figure on its own line, indented under its threshold.
LINE_BREAK = "\n        "


def _threshold() -> QDoubleSpinBox:
    return QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.01, decimals=2)


def _with_hint(field: QWidget, hint: str) -> QHBoxLayout:
    """A fixed-width field with a grey line beside it saying what the value does."""
    field.setFixedWidth(FIELD_WIDTH)
    row = QHBoxLayout()
    row.addWidget(field)
    row.addWidget(QLabel(hint, styleSheet=HINT_STYLE, wordWrap=True), 1)
    return row


def _section(form: QFormLayout, title: str) -> None:
    # Headings inside the one form, so that every field starts at the same x.
    heading = QLabel(f"<b>{title}</b>")
    heading.setContentsMargins(0, 0 if form.rowCount() == 0 else 12, 0, 2)
    form.addRow(heading)


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
        self.calibrate_button = QPushButton("Calibrate on the enrolled people", clicked=self.calibrate)
        self.calibration = QLabel(
            "Calibrate compares every pair of enrolled photos at both thresholds: how often two "
            "different people would pass for one another, and one person would be missed.",
            wordWrap=True, styleSheet=HINT_STYLE,
        )
        self.consecutive = QSpinBox(minimum=1, maximum=30, suffix=" frames")
        self.cooldown = QSpinBox(minimum=0, maximum=24 * 3600, singleStep=60, suffix=" s")
        self.min_face = QSpinBox(minimum=20, maximum=400, suffix=" px")
        self.kiosk_id = QLineEdit()
        self.kiosk_id.setFixedWidth(FIELD_WIDTH * 2)
        self.message = QLabel(wordWrap=True)

        calibrate_row = QHBoxLayout()
        calibrate_row.addWidget(self.calibrate_button)
        calibrate_row.addStretch(1)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        _section(form, "Camera")
        form.addRow("Source:", camera_row)
        form.addRow("Smallest face:", _with_hint(self.min_face, "faces smaller than this in the picture are ignored"))
        _section(form, "Recognition")
        form.addRow("Attendance threshold:", _with_hint(
            self.match_threshold, "similarity needed to check someone in: higher means fewer mix-ups, more misses"))
        form.addRow("Unlock threshold:", _with_hint(self.unlock_threshold, "stricter, since a mix-up here opens the door"))
        form.addRow("Confirm after:", _with_hint(
            self.consecutive, "the same person in this many frames in a row before anything is recorded"))
        form.addRow("", calibrate_row)
        form.addRow("", self.calibration)
        _section(form, "This kiosk")
        form.addRow("Cooldown between events:", _with_hint(
            self.cooldown, "after an event, the same person is not recorded again for this long"))
        form.addRow("Kiosk id:", self.kiosk_id)

        buttons = QHBoxLayout()
        buttons.addWidget(QPushButton("Save", clicked=self.save, default=True))
        buttons.addWidget(QPushButton("Change admin PIN…", clicked=self.change_pin))
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addLayout(buttons)
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
                f"{purpose.capitalize()} {calibrate(self.store, self.embedder, value).describe(sep=LINE_BREAK)}"
                for purpose, value in thresholds.items()
            )

        run_task(measure, self._calibrated, self._calibration_failed)

    def _calibrated(self, text: str) -> None:
        self.calibration.setStyleSheet("")
        self.calibration.setText(text)
        self.calibrate_button.setEnabled(True)

    def _calibration_failed(self, message: str) -> None:
        self._calibrated(f"⚠ {message}")

    def change_pin(self) -> None:
        if PinDialog(self.store, self, change=True).exec():
            self.message.setText("The admin PIN was changed.")
