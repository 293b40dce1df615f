"""Settings: the camera, this kiosk, liveness and the admin PIN in plain words; the thresholds (with
a Calibrate button), the stranger target and the thresholds in use under Advanced. Save checks each
field and says what is wrong beside it; leaving the page with unsaved edits asks what to do with them."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent
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
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.matching.calibrate import calibrate
from core.matching.thresholds import Thresholds, thresholds_in_use
from core.redact import redact_url
from core.settings import CHECKIN_MODES, RANGES, STRICTNESS, THEMES, Settings, camera_source_problem
from core.store import Store
from core.vision.embed import FaceEmbedder
from desktop_app.gui import theme
from desktop_app.gui.accessible import label_layout_rows
from desktop_app.gui.admin.calibrate_dialog import CalibrateDialog
from desktop_app.gui.admin.kind_names import strictness_name
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.plain import plain_label
from desktop_app.gui.tasks import run_task
from desktop_app.gui.worker import FrameWorker
from desktop_app.i18n import language_names, problem_text

# Every number box the same width, so the column reads as one.
FIELD_WIDTH = 130
HINT_STYLE = "color:#5f6b76;"
ERROR_STYLE = "color:#b00020;"
# On the high-contrast theme's black (desktop_app/gui/theme.py): near-white hints, yellow errors.
HIGH_CONTRAST_HINT_STYLE = "color:#e0e0e0;"
HIGH_CONTRAST_ERROR_STYLE = "color:#ffff00; font-weight:bold;"
# Each calibration figure on its own line, indented under its threshold.
LINE_BREAK = "\n        "


def _threshold(name: str) -> QDoubleSpinBox:
    low, high = RANGES[name]
    return QDoubleSpinBox(minimum=low, maximum=high, singleStep=0.01, decimals=2)


def _whole(name: str, suffix: str, single_step: int = 1) -> QSpinBox:
    """A whole-number field over the setting's range: Save never clamps a value silently."""
    low, high = RANGES[name]
    return QSpinBox(minimum=int(low), maximum=int(high), singleStep=single_step, suffix=suffix)


CHECKIN_WORDS = {
    "auto": QT_TRANSLATE_NOOP("SettingsPage", "Automatic (first in, last out)"),
    "buttons": QT_TRANSLATE_NOOP("SettingsPage", "In and Out buttons"),
}


def _with_hint(field: QWidget, hint: str) -> QHBoxLayout:
    """A fixed-width field with a grey line beside it saying what the value does."""
    field.setFixedWidth(FIELD_WIDTH)
    row = QHBoxLayout()
    row.addWidget(field)
    label = QLabel(hint, wordWrap=True)
    label.setStyleSheet(theme.pick(HINT_STYLE, HIGH_CONTRAST_HINT_STYLE))
    row.addWidget(label, 1)
    return row


def _section(form: QFormLayout, title: str) -> None:
    # Headings inside the one form, so that every field starts at the same x.
    heading = QLabel(f"<b>{title}</b>")
    heading.setContentsMargins(0, 0 if form.rowCount() == 0 else 12, 0, 2)
    form.addRow(heading)


def effective_text(t: Thresholds) -> str:
    if not t.follows_gallery:
        return QCoreApplication.translate(
            "SettingsPage",
            "In use now, with %n stored face(s): check-in needs a likeness of {attendance}, unlock "
            "{unlock}, as set above. This model cannot raise them as more people are enrolled, so "
            "the limit on strangers has no effect.",
            None,
            t.gallery_size,
        ).format(attendance=f"{t.attendance:.2f}", unlock=f"{t.unlock:.2f}")
    return QCoreApplication.translate(
        "SettingsPage",
        "In use now, with %n stored face(s): check-in needs a likeness of {attendance} (the rule alone: "
        "{attendance_rule}, so that at most {target} % of a stranger's looks at "
        "the camera are taken for someone), unlock {unlock} (the rule alone: {unlock_rule}, "
        "one wrong unlock in 100,000 tries). The check-in bar rises as people are enrolled. The two numbers "
        "above are minimums: raise one to make the kiosk stricter; it never goes below the rule.",
        None,
        t.gallery_size,
    ).format(
        attendance=f"{t.attendance:.3f}",
        attendance_rule=f"{t.attendance_rule:.3f}",
        target=f"{100 * t.stranger_target:g}",
        unlock=f"{t.unlock:.3f}",
        unlock_rule=f"{t.unlock_rule:.3f}",
    )


class SettingsPage(QWidget):
    saved = Signal(object)  # the new Settings
    camera_chosen = Signal(str)  # only when the camera source itself was changed here

    def __init__(self, store: Store, embedder: FaceEmbedder, worker: FrameWorker, parent: QWidget | None = None):
        """worker: the frame worker, whose camera is the source playing now (`--camera` may differ
        from the saved one) and whose frames the liveness calibration records."""
        super().__init__(parent)
        self.store, self.embedder, self.worker = store, embedder, worker
        # The field values as last loaded or saved: anything else on screen is an unsaved edit.
        self._loaded: tuple | None = None
        self.camera = QLineEdit(placeholderText=self.tr("0, rtsp://…, a video file or a folder of images"))
        # Said beside the field it is about; empty (and so taking no room) while the field is fine.
        self.camera_error = QLabel(wordWrap=True)
        self.camera_error.setStyleSheet(theme.pick(ERROR_STYLE, HIGH_CONTRAST_ERROR_STYLE))
        self.camera_error.hide()
        self.playing = QLabel(wordWrap=True)
        self.playing.setStyleSheet(theme.pick(HINT_STYLE, HIGH_CONTRAST_HINT_STYLE))
        self.playing.hide()
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.camera, 1)
        for text, slot in ((self.tr("Folder…"), self.choose_folder), (self.tr("Video file…"), self.choose_file)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            camera_row.addWidget(button)
        self.match_threshold = _threshold("match_threshold")
        self.unlock_threshold = _threshold("unlock_threshold")
        self.calibrate_button = QPushButton(self.tr("Test on the enrolled people"))
        self.calibrate_button.clicked.connect(self.calibrate)
        self.calibration = QLabel(
            self.tr(
                "Compares every pair of enrolled photos at the check-in and unlock numbers in use: how often two "
                "different people would pass for one another, and how often one person would be missed."
            ),
            wordWrap=True,
        )
        self.calibration.setStyleSheet(theme.pick(HINT_STYLE, HIGH_CONTRAST_HINT_STYLE))
        # Percent on screen, a fraction in Settings.
        low, high = RANGES["stranger_target"]
        self.stranger_target = QDoubleSpinBox(
            minimum=100 * low, maximum=100 * high, singleStep=0.05, decimals=3, suffix=self.tr(" %")
        )
        self.effective = QLabel(wordWrap=True)
        self.consecutive = _whole("consecutive_frames", self.tr(" frames"))
        self.cooldown = _whole("cooldown_s", self.tr(" s"), single_step=60)
        self.min_face = _whole("min_face", self.tr(" px"))
        self.admin_idle = _whole("admin_idle_s", self.tr(" s"), single_step=30)
        # Check-in rules (README "Check-in rules"): minutes and hours on screen, seconds in Settings.
        self.checkin_mode = QComboBox()
        self.checkin_mode.addItems(
            [QCoreApplication.translate("SettingsPage", CHECKIN_WORDS[m]) for m in CHECKIN_MODES]
        )
        self.checkin_mode.setFixedWidth(FIELD_WIDTH * 2)
        self.checkout_gap = QSpinBox(minimum=0, maximum=int(RANGES["checkout_min_gap_s"][1]) // 60, singleStep=15)
        self.checkout_gap.setSuffix(self.tr(" min"))
        self.max_shift = QSpinBox(minimum=0, maximum=int(RANGES["max_shift_s"][1]) // 3600, suffix=self.tr(" h"))
        # The working calendar the reports count late arrivals and absences against.
        self.work_start = QLineEdit(placeholderText="09:00")
        self.late_grace = _whole("late_grace_min", self.tr(" min"), single_step=5)
        # The field takes English day names: translations keep them.
        self.working_days = QLineEdit(placeholderText=self.tr("mon tue wed thu fri"))
        self.holidays = QLineEdit(placeholderText="2026-12-25, 2026-12-26")
        self.kiosk_id = QLineEdit()
        self.kiosk_id.setFixedWidth(FIELD_WIDTH * 2)
        self.language = QComboBox()
        for value, name in language_names().items():
            self.language.addItem(name, value)
        # Crops (encrypted) let a new model recompute templates; off erases them and keeps none.
        self.keep_crops = QCheckBox(
            self.tr("Keep the enrolment photos' faces (encrypted), so a new model needs no re-enrolment")
        )
        # Liveness: refuse photos and screens; unlock also asks for a head turn.
        self.pad_enabled = QCheckBox(self.tr("Refuse photos and screens held to the camera"))
        self.pad_strictness = QComboBox()
        for strictness in STRICTNESS:
            self.pad_strictness.addItem(strictness_name(strictness), strictness)
        self.pad_strictness.setFixedWidth(FIELD_WIDTH)
        self.calibrate_liveness_button = QPushButton(self.tr("Calibrate liveness…"))
        self.calibrate_liveness_button.clicked.connect(self.calibrate_liveness)
        self.challenge_enabled = QCheckBox(self.tr("Unlock asks for a head turn (left or right, at random)"))
        # core/matching/cascade.py: off, the student decides alone and turns more enrolled people away.
        self.verify_verdicts = QCheckBox(self.tr("Double-check every recognition with the second, stronger model"))
        # Accessibility (README "Accessibility"), in the order of core.settings.THEMES.
        self.theme = QComboBox()
        self.theme.addItems([self.tr("Standard"), self.tr("High contrast (black, white and yellow)")])
        self.theme.setFixedWidth(FIELD_WIDTH * 2)
        self.sounds = QCheckBox(self.tr("A chime on each check-in, a low tone when a photo or screen is refused"))
        self.message = plain_label(wordWrap=True)

        calibrate_row = QHBoxLayout()
        calibrate_row.addWidget(self.calibrate_button)
        calibrate_row.addStretch(1)

        camera_column = QVBoxLayout()
        camera_column.addLayout(camera_row)
        camera_column.addWidget(self.camera_error)
        camera_column.addWidget(self.playing)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        _section(form, self.tr("Camera"))
        form.addRow(self.tr("Source:"), camera_column)
        form.addRow(
            self.tr("Smallest face:"),
            _with_hint(self.min_face, self.tr("faces smaller than this in the picture are ignored")),
        )
        _section(form, self.tr("This kiosk"))
        form.addRow(
            self.tr("Ignore repeats for:"),
            _with_hint(
                self.cooldown,
                self.tr("after a check-in or check-out, the same person is not recorded again for this long"),
            ),
        )
        form.addRow(self.tr("Kiosk name:"), self.kiosk_id)
        form.addRow(self.tr("Language:"), _with_hint(self.language, self.tr("applies when FaceGate next starts")))
        self.language.setFixedWidth(FIELD_WIDTH * 2)  # wider than _with_hint's: the names are words
        form.addRow(self.tr("Enrolment photos:"), self.keep_crops)
        form.addRow(
            self.tr("Admin logs out after:"),
            _with_hint(self.admin_idle, self.tr("without a key press, click or touch")),
        )
        _section(form, self.tr("Check-in and check-out"))
        form.addRow(self.tr("How:"), self.checkin_mode)
        form.addRow(
            self.tr("Check-out no sooner than:"),
            _with_hint(self.checkout_gap, self.tr("after the check-in: walking past again earlier records nothing")),
        )
        form.addRow(
            self.tr("A shift lasts up to:"),
            _with_hint(
                self.max_shift, self.tr("a night shift belongs to the day it began; 0: every day starts at midnight")
            ),
        )
        _section(form, self.tr("Working days (for reports)"))
        form.addRow(
            self.tr("Work starts at:"), _with_hint(self.work_start, self.tr("HH:MM; a later first check-in is late"))
        )
        form.addRow(self.tr("Late after:"), _with_hint(self.late_grace, self.tr("minutes of grace after the start")))
        form.addRow(self.tr("Working days:"), self.working_days)
        form.addRow(self.tr("Holidays:"), self.holidays)
        _section(form, self.tr("Photos and screens"))
        form.addRow(self.tr("Liveness:"), self.pad_enabled)
        form.addRow(self.tr("Strictness:"), self.pad_strictness)
        form.addRow(
            "", _with_hint(self.calibrate_liveness_button, self.tr("fit the threshold to this camera's live faces"))
        )
        form.addRow(self.tr("Unlock:"), self.challenge_enabled)
        form.addRow(self.tr("Recognition:"), self.verify_verdicts)
        _section(form, self.tr("Accessibility"))
        form.addRow(self.tr("Screens:"), self.theme)
        form.addRow(self.tr("Sounds:"), self.sounds)
        label_layout_rows(form)

        # The numbers behind recognition, for whoever tunes them; closed by default.
        self.advanced_button = QToolButton()
        self.advanced_button.setText(self.tr("Advanced: recognition numbers"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced = QWidget()
        self.advanced.hide()
        self.advanced_button.toggled.connect(self._show_advanced)
        advanced = QFormLayout(self.advanced)
        advanced.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        advanced.addRow(
            self.tr("Check-in likeness, at least:"),
            _with_hint(
                self.match_threshold,
                self.tr(
                    "how alike a face must be to an enrolled one to check in: higher means fewer mix-ups, more misses"
                ),
            ),
        )
        advanced.addRow(
            self.tr("Unlock likeness, at least:"),
            _with_hint(self.unlock_threshold, self.tr("higher than check-in, since a mix-up here opens the door")),
        )
        advanced.addRow(
            self.tr("Strangers taken for someone:"),
            _with_hint(
                self.stranger_target, self.tr("at most this share of a stranger's looks, however many are enrolled")
            ),
        )
        advanced.addRow("", self.effective)
        advanced.addRow(
            self.tr("Confirm after:"),
            _with_hint(
                self.consecutive, self.tr("the same person in this many frames in a row before anything is recorded")
            ),
        )
        advanced.addRow("", calibrate_row)
        advanced.addRow("", self.calibration)
        label_layout_rows(advanced)

        buttons = QHBoxLayout()
        save_button = QPushButton(self.tr("Save"), default=True)
        save_button.clicked.connect(self.save)
        pin_button = QPushButton(self.tr("Change admin PIN…"))
        pin_button.clicked.connect(self.change_pin)
        buttons.addWidget(save_button)
        buttons.addWidget(pin_button)
        buttons.addWidget(self.message, 1)
        # The form scrolls rather than squeezing its wrapped explanations on a small screen; Save
        # stays in view below it.
        content = QWidget()
        column = QVBoxLayout(content)
        column.addLayout(form)
        column.addWidget(self.advanced_button)
        column.addWidget(self.advanced)
        column.addStretch(1)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.leave_prompt = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Unsaved settings"),
            self.tr("The settings have changes that are not saved."),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        self.leave_prompt.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Keep editing"))
        self.leave_prompt.finished.connect(self._left)

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def refresh(self) -> None:
        """The stored settings, unless the page holds unsaved edits (kept until saved or discarded)."""
        if self.unsaved():
            self.message.setText(self.tr("⚠ Unsaved changes: Save them, or leave the page to discard them."))
            self.show_playing()
            return
        try:
            s = self.store.load_settings()
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.load(s)

    def load(self, s: Settings) -> None:
        self.camera.setText(s.camera_source)
        self.match_threshold.setValue(s.match_threshold)
        self.unlock_threshold.setValue(s.unlock_threshold)
        self.stranger_target.setValue(100 * s.stranger_target)
        self.show_effective(s)
        self.consecutive.setValue(s.consecutive_frames)
        self.cooldown.setValue(round(s.cooldown_s))
        self.min_face.setValue(s.min_face)
        self.kiosk_id.setText(s.kiosk_id)
        self.language.setCurrentIndex(self.language.findData(s.language))
        self.admin_idle.setValue(round(s.admin_idle_s))
        self.checkin_mode.setCurrentIndex(CHECKIN_MODES.index(s.checkin_mode))
        self.checkout_gap.setValue(round(s.checkout_min_gap_s / 60))
        self.max_shift.setValue(round(s.max_shift_s / 3600))
        self.work_start.setText(s.work_start)
        self.late_grace.setValue(s.late_grace_min)
        self.working_days.setText(s.working_days)
        self.holidays.setText(s.holidays)
        self.keep_crops.setChecked(s.keep_face_crops)
        self.pad_enabled.setChecked(s.pad_enabled)
        self.pad_strictness.setCurrentIndex(self.pad_strictness.findData(s.pad_strictness))
        self.challenge_enabled.setChecked(s.challenge_enabled)
        self.verify_verdicts.setChecked(s.verify_verdicts)
        self.theme.setCurrentIndex(THEMES.index(s.theme))
        self.sounds.setChecked(s.sounds)
        self._show_error(None)
        self._loaded = self._field_values()
        self.show_playing()

    def _field_values(self) -> tuple:
        return (
            self.camera.text(),
            self.match_threshold.value(),
            self.unlock_threshold.value(),
            self.stranger_target.value(),
            self.consecutive.value(),
            self.cooldown.value(),
            self.min_face.value(),
            self.kiosk_id.text(),
            self.language.currentData(),
            self.admin_idle.value(),
            self.checkin_mode.currentIndex(),
            self.checkout_gap.value(),
            self.max_shift.value(),
            self.work_start.text(),
            self.late_grace.value(),
            self.working_days.text(),
            self.holidays.text(),
            self.keep_crops.isChecked(),
            self.pad_enabled.isChecked(),
            self.pad_strictness.currentData(),
            self.challenge_enabled.isChecked(),
            self.verify_verdicts.isChecked(),
            self.theme.currentIndex(),
            self.sounds.isChecked(),
        )

    def unsaved(self) -> bool:
        return self._loaded is not None and self._field_values() != self._loaded

    def show_playing(self) -> None:
        """Names the source playing now where it is not the saved one (`facegate --camera`)."""
        playing = self.worker.camera
        saved = self._loaded[0] if self._loaded else None
        differs = playing is not None and saved is not None and playing != saved
        self.playing.setVisible(differs)
        if differs:
            self.playing.setText(
                self.tr(
                    "Playing now: {source} (chosen when the app was started). Saving a "
                    "different source here switches to it."
                ).format(source=redact_url(str(playing)))
            )

    def _show_error(self, problem: str | None) -> None:
        self.camera_error.setText(f"⚠ {problem}" if problem else "")
        self.camera_error.setVisible(bool(problem))

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
            language=self.language.currentData(),
            admin_idle_s=float(self.admin_idle.value()),
            checkin_mode=CHECKIN_MODES[self.checkin_mode.currentIndex()],
            checkout_min_gap_s=60.0 * self.checkout_gap.value(),
            max_shift_s=3600.0 * self.max_shift.value(),
            work_start=self.work_start.text().strip() or "09:00",
            late_grace_min=self.late_grace.value(),
            working_days=self.working_days.text().strip() or current.working_days,
            holidays=self.holidays.text().strip(),
            keep_face_crops=self.keep_crops.isChecked(),
            pad_enabled=self.pad_enabled.isChecked(),
            pad_strictness=self.pad_strictness.currentData(),
            challenge_enabled=self.challenge_enabled.isChecked(),
            verify_verdicts=self.verify_verdicts.isChecked(),
            theme=THEMES[self.theme.currentIndex()],
            sounds=self.sounds.isChecked(),
        )

    def save(self) -> bool:
        """True once stored; False with the reason beside its field (or below) and nothing stored."""
        problem = camera_source_problem(self.camera.text().strip() or "0")
        self._show_error(problem)
        if problem:
            self.message.setText(self.tr("⚠ Not saved: see the camera source above."))
            self.camera.setFocus()
            return False
        try:
            before = self.store.load_settings().camera_source
            settings = self.edited()
            self.store.save_settings(settings)
        except FaceGateError as exc:
            self.message.setText(self.tr("⚠ Not saved: {problem}").format(problem=exc))
            return False
        self.load(settings)
        self.message.setText(self.tr("Saved."))
        self.show_effective(settings)
        self.saved.emit(settings)
        # Compared with the stored source, not the one playing: `--camera` may have overridden it.
        if settings.camera_source != before:
            self.camera_chosen.emit(settings.camera_source)
            self.playing.hide()  # the saved source plays from now on
        return True

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        # Asked once the switch is done (another tab or screen is up), and only while the window
        # stays open: closing the app is not leaving the page.
        if self.unsaved():
            QTimer.singleShot(0, self._ask_on_leaving)

    def _ask_on_leaving(self) -> None:
        if self.unsaved() and self.window().isVisible() and not self.leave_prompt.isVisible():
            self.leave_prompt.open()

    def _left(self) -> None:
        answer = self.leave_prompt.standardButton(self.leave_prompt.clickedButton())
        if answer == QMessageBox.StandardButton.Save and self.save():
            return
        if answer == QMessageBox.StandardButton.Discard:
            self._loaded = None
            self.refresh()
            self.message.clear()
            return
        # Keep editing, or a Save that was refused: back to the page, edits and error in view.
        # The page sits in a scroll area inside the tabs: the nearest tab widget above it shows it.
        tabs = self.parentWidget()
        while tabs is not None and not isinstance(tabs, QTabWidget):
            tabs = tabs.parentWidget()
        if tabs is not None:
            tabs.setCurrentWidget(self)

    def show_effective(self, settings: Settings) -> None:
        """The thresholds the kiosk uses now, for the people enrolled now (counted, not decrypted)."""
        try:
            in_use = thresholds_in_use(self.store, self.embedder, settings)
        except FaceGateError as exc:
            self.effective.setText(problem_text(exc))
            return
        self.effective.setText(effective_text(in_use))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder of images to play as a camera"))
        if folder:
            self.camera.setText(folder)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Video file to play as a camera"))
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
        thresholds = {self.tr("Attendance"): now.attendance, self.tr("Unlock"): now.unlock}
        self.calibrate_button.setEnabled(False)
        self.calibration.setText(self.tr("Comparing every pair of enrolled templates…"))

        def measure() -> str:
            return "\n".join(
                f"{purpose} {calibrate(self.store, self.embedder, value).describe(LINE_BREAK, QCoreApplication.translate)}"
                for purpose, value in thresholds.items()
            )

        run_task(measure, self._calibrated, self._calibration_failed)

    def _calibrated(self, text: str) -> None:
        self.calibration.setStyleSheet("")
        self.calibration.setText(text)
        self.calibrate_button.setEnabled(True)

    def _calibration_failed(self, message: str) -> None:
        self._calibrated(problem_text(message))

    def calibrate_liveness(self) -> None:
        try:
            dialog = CalibrateDialog(self.store, self.worker, self)
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        if dialog.exec():
            self.message.setText(self.tr("The calibrated liveness threshold was saved."))

    def change_pin(self) -> None:
        if PinDialog(self.store, self, change=True).exec():
            self.message.setText(self.tr("The admin PIN was changed."))
