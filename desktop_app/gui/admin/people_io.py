"""Admin → People → Import… and Export…: the dialogs of `facegate people import` and `export`
(core/enrol/bulk.py), with the same all-or-nothing import and its per-row report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.enrol.bulk import (
    FORMATS,
    ImportPlan,
    PlannedRow,
    export_people,
    format_of,
    plan_import,
    read_rows,
    run_import,
)
from core.enrol.enroller import Enroller
from core.errors import FaceGateError
from core.store import Store
from desktop_app.gui.admin.path_row import path_row
from desktop_app.gui.plain import plain_label
from desktop_app.gui.tasks import run_task
from desktop_app.i18n import problem_text


class ImportDialog(QDialog):
    """Choose a CSV and its photo folder, Check (every row, nothing stored), then Import."""

    imported = Signal(int)  # how many people were enrolled
    progressed = Signal(int, int, object)  # rows checked, of how many, the PlannedRow: from the check's thread

    def __init__(self, enroller: Enroller, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import people"))
        self.enroller = enroller
        self.plan: ImportPlan | None = None
        self.file = QLineEdit(placeholderText=self.tr("people.csv: columns name, photo (a;b), group, external_id"))
        self.photos = QLineEdit(placeholderText=self.tr("the folder photo names are relative to (default: the CSV's)"))
        browse_file, browse_photos = QPushButton(self.tr("Browse…")), QPushButton(self.tr("Browse…"))
        browse_file.clicked.connect(self._choose_file)
        browse_photos.clicked.connect(self._choose_photos)
        self.check_button = QPushButton(self.tr("Check"))
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setEnabled(False)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.start_import)
        self.file.textChanged.connect(self._forget_plan)
        self.photos.textChanged.connect(self._forget_plan)
        self.progress = QProgressBar()
        self.report = QPlainTextEdit(readOnly=True)
        self.message = plain_label(wordWrap=True)
        self.progressed.connect(self._progressed)
        form = QFormLayout()
        form.addRow(self.tr("CSV file:"), path_row(self.file, browse_file))
        form.addRow(self.tr("Photo folder:"), path_row(self.photos, browse_photos))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 420)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("People CSV"), "", self.tr("CSV files (*.csv);;All files (*)")
        )
        if path:
            self.file.setText(path)

    def _choose_photos(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Photo folder"))
        if path:
            self.photos.setText(path)

    def _forget_plan(self) -> None:
        self.plan = None
        self.import_button.setEnabled(False)

    def check(self) -> None:
        """Checks every row in the background; Import is enabled once no row is bad."""
        try:
            rows = read_rows(self.file.text().strip())
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        folder = Path(self.photos.text().strip() or Path(self.file.text().strip()).parent)
        self._busy(self.tr("Checking every row (nothing is stored yet)…"))
        self.progress.setMaximum(len(rows))
        run_task(
            lambda: plan_import(self.enroller, rows, folder, lambda d, t, r: self.progressed.emit(d, t, r)),
            self._checked,
            self._failed,
        )

    def _busy(self, text: str) -> None:
        self.report.clear()
        self.progress.setValue(0)
        self.message.setText(text)
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)

    def _progressed(self, done: int, total: int, row: PlannedRow) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.report.appendPlainText(row.report())

    def _checked(self, plan: ImportPlan) -> None:
        self.check_button.setEnabled(True)
        if plan.bad:
            self.message.setText(problem_text(plan.refusal()))
            return
        self.plan = plan
        self.import_button.setEnabled(True)
        self.message.setText(self.tr("All {count} rows can be enrolled: press Import.").format(count=len(plan.rows)))

    def start_import(self) -> None:
        plan = self.plan
        if plan is None:
            return
        self.check_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.message.setText(self.tr("Enrolling {count} people…").format(count=len(plan.rows)))
        run_task(lambda: run_import(self.enroller, plan), self._imported, self._failed)

    def _imported(self, done: list) -> None:
        self.plan = None
        self.check_button.setEnabled(True)
        self.message.setText(self.tr("Imported {count} people.").format(count=len(done)))
        self.imported.emit(len(done))

    def _failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.message.setText(problem_text(message))


class ExportDialog(QDialog):
    """The people list (no face data) to a CSV or JSON file."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export people"))
        self.store = store
        self.file = QLineEdit(placeholderText="people.csv")
        self.format = QComboBox()
        self.format.addItems(FORMATS)
        self.file.textChanged.connect(lambda text: self.format.setCurrentText(format_of(text, None)))
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._choose)
        self.save_button = QPushButton(self.tr("Export"))
        self.save_button.clicked.connect(self.save)
        self.message = plain_label(wordWrap=True)
        form = QFormLayout(self)
        form.addRow(self.tr("File:"), path_row(self.file, browse))
        form.addRow(self.tr("Format:"), self.format)
        form.addRow(self.message)
        form.addRow(self.save_button)

    def _choose(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export people"), "people.csv", "CSV (*.csv);;JSON (*.json)"
        )
        if path:
            self.file.setText(path)

    def save(self) -> None:
        path = self.file.text().strip()
        if not path:
            self.message.setText(self.tr("⚠ Choose a file first."))
            return
        try:
            count = export_people(self.store, path, self.format.currentText())
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        wrote = self.tr("Wrote 1 person to {path}.") if count == 1 else self.tr("Wrote {count} people to {path}.")
        self.message.setText(wrote.format(count=count, path=path))
