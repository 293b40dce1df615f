"""Every word the admin window and its dialogs show goes through Qt's translation: with the
pseudo-translation (tests/gui/shown_text.py), each text with a letter in it is wrapped in ⟪⟫,
unless it is the test store's own data."""

from __future__ import annotations

from datetime import date

import cv2
import numpy as np
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QAbstractSpinBox, QCalendarWidget, QDoubleSpinBox, QSpinBox

from core.enrol.enroller import Enroller
from core.errors import FaceGateError
from core.reports.charts import ChartWords
from core.vision.imaging import load_image
from desktop_app.gui.admin.calibrate_dialog import CalibrateDialog
from desktop_app.gui.admin.people_io import ExportDialog, ImportDialog
from desktop_app.gui.admin.people_page import PersonDialog
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.admin.reports_page import chart_words
from desktop_app.gui.admin.templates_dialog import TemplatesDialog
from desktop_app.i18n import language_names, problem_text
from tests.gui.shown_text import pseudo_translation, shown_texts, untranslated

# File names and formats, the product, and the standard buttons Qt's own translation names: not
# words for the app's translations.
TIMEOUT_MS = 30_000
NOT_WORDS = ("people.csv", "site.fgbackup", "csv", "json", "FaceGate", "OK", "Cancel", "Save", "Discard")


def test_every_admin_page_and_dialog_speaks_through_the_translator(qtbot, window, store, pipeline, tmp_path):
    translator = pseudo_translation(tmp_path)
    try:
        ada = store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name="Ada Lovelace", group="staff")
        win = window(tmp_path / "unplugged")
        win.enter_admin()
        panel = win.admin
        for index in range(panel.count()):
            panel.setCurrentIndex(index)
            qtbot.wait(10)
        panel.settings.advanced_button.setChecked(True)
        shown = shown_texts(win.admin_window, skip=(QCalendarWidget,))
        # Spin box units ("s", "min"): shown_text does not read them.
        boxes = win.admin_window.findChildren(QAbstractSpinBox)
        shown += [box.suffix() for box in boxes if isinstance(box, QSpinBox | QDoubleSpinBox)]
        dialogs = [
            PinDialog(store, win.admin_window),
            PinDialog(store, win.admin_window, change=True),
            PersonDialog(ada.person, win.admin_window),
            TemplatesDialog(store, ada.person, win.admin_window),
            ImportDialog(Enroller(store, pipeline), win.admin_window),
            ExportDialog(store, win.admin_window),
            CalibrateDialog(store, win.worker, win.admin_window),
        ]
        for dialog in dialogs:
            dialog.show()  # not exec(): nothing waits for an answer
            shown += shown_texts(dialog)
            dialog.close()
        native = [name for value, name in language_names().items() if value != "system"]
        system = panel.system
        kiosk_said = [system.model_label.text(), system.threshold_label.text()]  # model names and numbers
    finally:
        QCoreApplication.removeTranslator(translator)
    data = ["Ada Lovelace", "staff", *NOT_WORDS, *native, *kiosk_said]
    assert untranslated([t for t in shown if t not in data], data) == []
    for text in ("⟪Enrol⟫", "⟪Log out⟫", "⟪Time⟫", "⟪Charts⟫", "⟪Choose the admin PIN⟫"):
        assert text in shown, text


def test_what_core_says_on_the_admin_pages_goes_through_the_translator(
    qtbot, window, store, sample_images, sample_person_folder, tmp_path
):
    """Core's own words on screen (core/i18n.py Phrase): an enrolment photo's reason, the guided
    capture's prompts, the liveness calibration's findings and the report's day columns."""
    small = tmp_path / "small.png"
    portrait = load_image(sample_images / "Tom_Hanks_54745.png")
    cv2.imwrite(str(small), cv2.resize(portrait, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA))
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"no")
    translator = pseudo_translation(tmp_path)
    try:
        win = window(sample_person_folder)
        win.enter_admin()
        enrol = win.admin.enrol
        enrol.add_photos([small, broken])
        qtbot.waitUntil(lambda: enrol.photo_list.count() == 2, timeout=TIMEOUT_MS)
        reason, unreadable = (enrol.photo_list.item(i).text() for i in range(2))
        qtbot.waitUntil(lambda: win.worker.camera_ok, timeout=TIMEOUT_MS)
        enrol.capture_button.click()
        qtbot.waitUntil(
            lambda: "⟪got it; now {prompt}⟫" not in enrol.feedback.text() and "⟪got it" in enrol.feedback.text(),
            timeout=TIMEOUT_MS,
        )
        prompt = enrol.feedback.text()
        enrol.stop_capture()

        calibration = CalibrateDialog(store, win.worker, win.admin_window)
        calibration.start()
        calibration.finish()  # before any frame: refused, with what it saw
        found = [calibration.counts.text(), calibration.message.text()]
        calibration.close()

        settings = win.admin.settings
        settings.calibrate_button.click()  # the rates at the thresholds in use, on these templates
        qtbot.waitUntil(settings.calibrate_button.isEnabled, timeout=TIMEOUT_MS)
        rates = settings.calibration.text()
        failed = problem_text(FaceGateError("disk full"))  # an error's lead; its detail stays English

        reports = win.admin.reports
        reports.dates.set_days(date(2025, 3, 3), date(2025, 3, 9))
        reports.refresh()
        model = reports.days_view.model()
        days = [model.index(r, c).data() for r in range(model.rowCount()) for c in (1, 2)]
    finally:
        QCoreApplication.removeTranslator(translator)
    assert reason.startswith("✗ small.png — ⟪face too small (") and untranslated([reason], ["small.png"]) == []
    # A file that is no image: a translated lead, core's English detail inside it.
    assert unreadable.startswith("✗ broken.jpg — ⟪cannot be read: ") and "is not a readable image" in unreadable
    assert "⟪look straight at the camera⟫" in prompt or "⟪turn your head" in prompt
    assert untranslated([prompt]) == [], prompt
    assert "⟪the camera gave no frames⟫" in found[1] and untranslated(found) == [], found
    assert days[:2] == ["⟪Mon⟫", "⟪yes⟫"] and untranslated(days) == []
    assert "⟪at {threshold}: false accepts" not in rates and "⟪at " in rates and untranslated([rates]) == [], rates
    assert failed == "⟪⚠ This did not work: disk full⟫"


def test_the_attendance_charts_days_are_in_the_screens_language():
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    try:
        assert chart_words().day(date(2025, 3, 7)) == "07 März"
    finally:
        QLocale.setDefault(before)
    assert ChartWords().day(date(2025, 3, 7)) == "07 Mar"  # the files keep English
