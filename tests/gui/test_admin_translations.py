"""Every word the admin window and its dialogs show goes through Qt's translation: with the
pseudo-translation (tests/gui/shown_text.py), each text with a letter in it is wrapped in ⟪⟫,
unless it is the test store's own data."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractSpinBox, QCalendarWidget, QDoubleSpinBox, QSpinBox

from core.enrol.enroller import Enroller
from desktop_app.gui.admin.calibrate_dialog import CalibrateDialog
from desktop_app.gui.admin.people_io import ExportDialog, ImportDialog
from desktop_app.gui.admin.people_page import PersonDialog
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.admin.templates_dialog import TemplatesDialog
from desktop_app.i18n import language_names
from tests.gui.shown_text import pseudo_translation, shown_texts, untranslated

# File names and formats, the product, and the standard buttons Qt's own translation names: not
# words for the app's translations.
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
