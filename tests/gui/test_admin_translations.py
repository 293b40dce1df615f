"""Every word the admin window and its dialogs show goes through Qt's translation: with a pseudo
translation of everything lupdate finds in desktop_app/gui/admin and core ("⟪source⟫"), each
text on screen that has a letter in it is wrapped, unless it is the test store's own data."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QTranslator
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSpinBox,
    QTableView,
    QTabWidget,
    QWidget,
)

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent
# The test store's data, shown as typed: never translated.
DATA = ("Ada Lovelace", "staff")
# File names and file formats, not words.
NOT_WORDS = {"people.csv", "site.fgbackup", "csv", "json"}
WRAPPED = re.compile(r"⟪[^⟪⟫]*⟫")


@pytest.fixture
def pseudo_translator(qapp, tmp_path):
    """Installs "⟪source⟫" for every string lupdate extracts from the admin pages and core."""
    ts, qm = tmp_path / "pseudo.ts", tmp_path / "pseudo.qm"
    lupdate = [str(TOOLS / "pyside6-lupdate"), "-extensions", "py", "desktop_app/gui/admin", "core", "-ts", str(ts)]
    subprocess.run(lupdate, cwd=ROOT, check=True, capture_output=True)
    tree = ET.parse(ts)
    for message in tree.getroot().iter("message"):
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)
        translation.text = f"⟪{message.findtext('source')}⟫"
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    subprocess.run([str(TOOLS / "pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


def _standard_text(button: QAbstractButton) -> bool:
    """A standard button (OK, Cancel…) left with the text Qt gives it, translated by Qt's own files."""
    box = button.parentWidget()
    while box is not None and not isinstance(box, QDialogButtonBox | QMessageBox):
        box = box.parentWidget()
    if box is None:
        return False
    standard = box.standardButton(button)
    fresh = QDialogButtonBox(QDialogButtonBox.StandardButton(standard.value))
    plain = fresh.button(QDialogButtonBox.StandardButton(standard.value))
    return plain is not None and plain.text() == button.text()


def _texts(widget: QWidget) -> list[str]:
    texts = [widget.toolTip(), widget.windowTitle() if widget.isWindow() else ""]
    if isinstance(widget, QLabel):
        texts.append(widget.text())
    if isinstance(widget, QAbstractButton) and not _standard_text(widget):
        texts.append(widget.text())
    if isinstance(widget, QGroupBox):
        texts.append(widget.title())
    if isinstance(widget, QTabWidget):
        texts += [widget.tabText(i) for i in range(widget.count())]
    if isinstance(widget, QComboBox):
        texts += [widget.itemText(i) for i in range(widget.count())]
    if isinstance(widget, QLineEdit):
        texts.append(widget.placeholderText())
    if isinstance(widget, QSpinBox | QDoubleSpinBox):
        texts += [widget.prefix(), widget.suffix()]
    if isinstance(widget, QMenu):
        texts += [action.text() for action in widget.actions()]
    if isinstance(widget, QMessageBox):
        texts.append(widget.text())
    if isinstance(widget, QTableView) and widget.model() is not None:
        model = widget.model()
        texts += [model.headerData(c, Qt.Orientation.Horizontal) or "" for c in range(model.columnCount())]
    if isinstance(widget, QSvgWidget):  # a chart: its title
        texts.append(widget.accessibleName())
    return texts


def untranslated(top: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """The texts in top and all its widgets with a letter outside ⟪⟫ that is not the store's data."""
    found = []
    for widget in (top, *top.findChildren(QWidget)):
        # The date pickers' calendars are Qt's, in the locale's month and day names.
        if widget in skip or any(isinstance(w, QCalendarWidget) for w in _ancestors(widget)):
            continue
        for text in (t for t in _texts(widget) if t not in NOT_WORDS):
            rest = re.sub(r"<[^>]+>", "", text)
            while WRAPPED.search(rest):
                rest = WRAPPED.sub("", rest)
            for data in DATA:
                rest = rest.replace(data, "")
            if any(c.isalpha() for c in rest):
                found.append(f"{type(widget).__name__}: {text!r}")
    return found


def _ancestors(widget: QObject | None):
    while widget is not None:
        yield widget
        widget = widget.parent()


def test_every_admin_page_and_dialog_speaks_through_the_translator(
    qtbot, pseudo_translator, window, store, pipeline, tmp_path
):
    from core.enrol.enroller import Enroller
    from desktop_app.gui.admin.calibrate_dialog import CalibrateDialog
    from desktop_app.gui.admin.people_io import ExportDialog, ImportDialog
    from desktop_app.gui.admin.people_page import PersonDialog
    from desktop_app.gui.admin.pin_dialog import PinDialog
    from desktop_app.gui.admin.templates_dialog import TemplatesDialog

    ada = store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name="Ada Lovelace", group="staff").person
    win = window(tmp_path / "unplugged")
    win.enter_admin()
    panel = win.admin
    system = panel.system
    # What the kiosk window writes there (its camera, speed, models) is not the admin pages' to translate.
    kiosk_words = (system.camera_label, system.fps_label, system.model_label, system.threshold_label)
    for index in range(panel.count()):
        panel.setCurrentIndex(index)
        qtbot.wait(10)
    panel.settings.advanced_button.setChecked(True)

    dialogs = [
        PinDialog(store, win.admin_window),
        PinDialog(store, win.admin_window, change=True),
        PersonDialog(ada, win.admin_window),
        TemplatesDialog(store, ada, win.admin_window),
        ImportDialog(Enroller(store, pipeline), win.admin_window),
        ExportDialog(store, win.admin_window),
        CalibrateDialog(store, win.worker, win.admin_window),
    ]
    for dialog in dialogs:
        dialog.show()  # not exec(): nothing waits for an answer
    assert untranslated(win.admin_window, skip=kiosk_words) == []
    for dialog in dialogs:
        assert untranslated(dialog) == [], type(dialog).__name__
        dialog.close()
