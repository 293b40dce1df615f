"""Settings: camera source, thresholds (with a Calibrate button), the stranger target and the
thresholds in use, cooldown, kiosk id, admin PIN."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.matching.calibrate import calibrate
from core.matching.thresholds import Thresholds, thresholds_in_use
from core.settings import RANGES, STRICTNESS, Settings
from core.store import Store
from core.vision.embed import FaceEmbedder
from desktop_app.gui.admin.calibrate_dialog import CalibrateDialog
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.plain import plain_label
from desktop_app.gui.tasks import run_task
from desktop_app.gui.worker import FrameWorker

# Every number box the same width, so the column reads as one.
FIELD_WIDTH = 130
HINT_STYLE = "color:#5f6b76;"
# Each calibration figure on its own line, indented under its threshold.
LINE_BREAK = "\n        "


def _threshold(name: str) -> QDoubleSpinBox:
    low, high = RANGES[name]
    return QDoubleSpinBox(minimum=low, maximum=high, singleStep=0.01, decimals=2)


def _whole(name: str, suffix: str, single_step: int = 1) -> QSpinBox:
    """A whole-number field over the setting's range: Save never clamps a value silently."""
    low, high = RANGES[name]
    return QSpinBox(minimum=int(low), maximum=int(high), singleStep=single_step, suffix=suffix)


def _with_hint(field: QWidget, hint: str) -> QHBoxLayout:
    """A fixed-width field with a grey line beside it saying what the value does."""
    field.setFixedWidth(FIELD_WIDTH)
    row = QHBoxLayout()
    row.addWidget(field)
    label = QLabel(hint, wordWrap=True)
    label.setStyleSheet(HINT_STYLE)
    row.addWidget(label, 1)
    return row


def _section(form: QFormLayout, title: str) -> None:
    # Headings inside the one form, so that every field starts at the same x.
    heading = QLabel(f"<b>{title}</b>")
    heading.setContentsMargins(0, 0 if form.rowCount() == 0 else 12, 0, 2)
    form.addRow(heading)


def effective_text(t: Thresholds) -> str:
    if not t.follows_gallery:
        return (
            f"In use now, for {t.gallery_size} enrolled templates: attendance {t.attendance:.2f}, unlock "
            f"{t.unlock:.2f}, as set above. This model carries no impostor scores, so the thresholds do "
            "not follow the number of people enrolled and the stranger target has no effect."
        )
    return (
        f"In use now, with {t.gallery_size} enrolled templates: attendance {t.attendance:.3f} (the rule gives "
        f"{t.attendance_rule:.3f}, so that at most {100 * t.stranger_target:g} % of a stranger's frames are named), "
        f"unlock {t.unlock:.3f} (the rule gives {t.unlock_rule:.3f}: one false accept in 100,000 tries). "
        "The attendance threshold rises as people are enrolled. The two thresholds above are floors: set "
        "one higher to make the kiosk stricter; it never goes below the rule."
    )


class SettingsPage(QWidget):
    saved = Signal(object)  # the new Settings
    camera_chosen = Signal(str)  # only when the camera source itself was changed here

    def __init__(self, store: Store, embedder: FaceEmbedder, worker: FrameWorker, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.embedder, self.worker = store, embedder, worker
        self.camera = QLineEdit(placeholderText="0, rtsp://…, a video file or a folder of images")
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.camera, 1)
        for text, slot in (("Folder…", self.choose_folder), ("Video file…", self.choose_file)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            camera_row.addWidget(button)
        self.match_threshold = _threshold("match_threshold")
        self.unlock_threshold = _threshold("unlock_threshold")
        self.calibrate_button = QPushButton("Calibrate on the enrolled people")
        self.calibrate_button.clicked.connect(self.calibrate)
        self.calibration = QLabel(
            "Calibrate compares every pair of enrolled photos at both thresholds in use: how often two "
            "different people would pass for one another, and one person would be missed.",
            wordWrap=True,
        )
        self.calibration.setStyleSheet(HINT_STYLE)
        # Percent on screen, a fraction in Settings.
        low, high = RANGES["stranger_target"]
        self.stranger_target = QDoubleSpinBox(
            minimum=100 * low, maximum=100 * high, singleStep=0.05, decimals=3, suffix=" %"
        )
        self.effective = QLabel(wordWrap=True)
        self.consecutive = _whole("consecutive_frames", " frames")
        self.cooldown = _whole("cooldown_s", " s", single_step=60)
        self.min_face = _whole("min_face", " px")
        self.kiosk_id = QLineEdit()
        self.kiosk_id.setFixedWidth(FIELD_WIDTH * 2)
        # Crops (encrypted) let a new model recompute templates; off erases them and keeps none.
        self.keep_crops = QCheckBox("Keep face crops (encrypted) to recompute templates for a new model")
        # Liveness: refuse photos and screens; unlock also asks for a head turn.
        self.pad_enabled = QCheckBox("Refuse photos and screens held to the camera")
        self.pad_strictness = QComboBox()
        self.pad_strictness.addItems(list(STRICTNESS))
        self.pad_strictness.setFixedWidth(FIELD_WIDTH)
        self.calibrate_liveness_button = QPushButton("Calibrate liveness…")
        self.calibrate_liveness_button.clicked.connect(self.calibrate_liveness)
        self.challenge_enabled = QCheckBox("Unlock asks for a head turn (left or right, at random)")
        # core/matching/cascade.py: off, the student decides alone and turns more enrolled people away.
        self.verify_verdicts = QCheckBox("Check verdicts with the verifier")
        self.message = plain_label(wordWrap=True)

        calibrate_row = QHBoxLayout()
        calibrate_row.addWidget(self.calibrate_button)
        calibrate_row.addStretch(1)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        _section(form, "Camera")
        form.addRow("Source:", camera_row)
        form.addRow("Smallest face:", _with_hint(self.min_face, "faces smaller than this in the picture are ignored"))
        _section(form, "Recognition")
        form.addRow(
            "Attendance threshold:",
            _with_hint(
                self.match_threshold,
                "similarity needed to check someone in, at least: higher means fewer mix-ups, more misses",
            ),
        )
        form.addRow(
            "Unlock threshold:",
            _with_hint(self.unlock_threshold, "at least; stricter, since a mix-up here opens the door"),
        )
        form.addRow(
            "Strangers named, at most:",
            _with_hint(
                self.stranger_target, "share of a stranger's frames named as someone, however many are enrolled"
            ),
        )
        form.addRow("", self.effective)
        form.addRow(
            "Confirm after:",
            _with_hint(self.consecutive, "the same person in this many frames in a row before anything is recorded"),
        )
        form.addRow("", calibrate_row)
        form.addRow("", self.calibration)
        _section(form, "This kiosk")
        form.addRow(
            "Cooldown between events:",
            _with_hint(self.cooldown, "after an event, the same person is not recorded again for this long"),
        )
        form.addRow("Kiosk id:", self.kiosk_id)
        form.addRow("Face crops:", self.keep_crops)
        _section(form, "Liveness")
        form.addRow("Photos and screens:", self.pad_enabled)
        form.addRow("Strictness:", self.pad_strictness)
        form.addRow("", _with_hint(self.calibrate_liveness_button, "fit the threshold to this camera's live faces"))
        form.addRow("Unlock challenge:", self.challenge_enabled)
        form.addRow("Verifier:", self.verify_verdicts)

        buttons = QHBoxLayout()
        save_button = QPushButton("Save", default=True)
        save_button.clicked.connect(self.save)
        pin_button = QPushButton("Change admin PIN…")
        pin_button.clicked.connect(self.change_pin)
        buttons.addWidget(save_button)
        buttons.addWidget(pin_button)
        buttons.addWidget(self.message, 1)
        # The form scrolls rather than squeezing its wrapped explanations on a small screen; Save
        # stays in view below it.
        content = QWidget()
        column = QVBoxLayout(content)
        column.addLayout(form)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

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
        self.keep_crops.setChecked(s.keep_face_crops)
        self.pad_enabled.setChecked(s.pad_enabled)
        self.pad_strictness.setCurrentText(s.pad_strictness)
        self.challenge_enabled.setChecked(s.challenge_enabled)
        self.verify_verdicts.setChecked(s.verify_verdicts)

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
            keep_face_crops=self.keep_crops.isChecked(),
            pad_enabled=self.pad_enabled.isChecked(),
            pad_strictness=self.pad_strictness.currentText(),
            challenge_enabled=self.challenge_enabled.isChecked(),
            verify_verdicts=self.verify_verdicts.isChecked(),
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
        """The thresholds the kiosk uses now, for the people enrolled now (counted, not decrypted)."""
        try:
            in_use = thresholds_in_use(self.store, self.embedder, settings)
        except FaceGateError as exc:
            self.effective.setText(f"⚠ {exc}")
            return
        self.effective.setText(effective_text(in_use))

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
            now = thresholds_in_use(self.store, self.embedder, self.edited())
        except FaceGateError as exc:
            self._calibration_failed(str(exc))
            return
        thresholds = {"attendance": now.attendance, "unlock": now.unlock}
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

    def calibrate_liveness(self) -> None:
        try:
            dialog = CalibrateDialog(self.store, self.worker, self)
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        if dialog.exec():
            self.message.setText("The calibrated liveness threshold was saved.")

    def change_pin(self) -> None:
        if PinDialog(self.store, self, change=True).exec():
            self.message.setText("The admin PIN was changed.")
