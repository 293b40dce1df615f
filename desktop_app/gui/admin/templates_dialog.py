"""A person's templates with thumbnails of their kept face crops, removable one face at a time, and
the thumbnails the enrol page shows beside a photo the verifier refused."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.store import Person, Store
from desktop_app.gui.locale_format import datetime_text
from desktop_app.gui.plain import plain_label
from desktop_app.i18n import problem_text

THUMB = 64


def thumbnail(jpeg: bytes | None, side: int = THUMB) -> QPixmap:
    """A stored crop (or a sample's) as a square thumbnail; an empty pixmap where none was kept."""
    pixmap = QPixmap()
    if jpeg is not None:
        pixmap.loadFromData(jpeg)
    return pixmap.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio) if not pixmap.isNull() else pixmap


def thumbnail_row(crops: list[bytes], caption: str) -> QWidget:
    """Thumbnails side by side under a caption, for comparing faces at a glance."""
    row = QWidget()
    layout = QVBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(plain_label(caption))  # captions name people: never rich text
    images = QHBoxLayout()
    for crop in crops:
        label = QLabel()
        label.setPixmap(thumbnail(crop))
        images.addWidget(label)
    images.addStretch(1)
    layout.addLayout(images)
    return row


class TemplatesDialog(QDialog):
    """One row per template: thumbnail, id, model, source, date; Remove takes the selected face
    (with its twins by the other models) and keeps the person and their history."""

    changed = Signal()

    def __init__(self, store: Store, person: Person, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.person = store, person
        self.setWindowTitle(self.tr("Templates of {name}").format(name=person.name))
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            [self.tr("Face"), self.tr("Id"), self.tr("Model"), self.tr("Source"), self.tr("Date")]
        )
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 4)
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.message = plain_label(wordWrap=True)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 480)
        self.refresh()

    def refresh(self) -> None:
        try:
            listed = self.store.template_crops(self.person.id)
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.table.setRowCount(len(listed))
        for row, (info, crop) in enumerate(listed):
            face = QTableWidgetItem(QIcon(thumbnail(crop)), "" if crop else self.tr("no crop"))
            face.setData(Qt.ItemDataRole.UserRole, info.id)
            source = info.source + (f" {info.source_detail}" if info.source_detail else "")
            made = datetime_text(info.created_at)
            self.table.setItem(row, 0, face)
            for column, text in enumerate((str(info.id), info.model_id, source, made), 1):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.remove_button.setEnabled(bool(listed))

    def remove_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.message.setText(self.tr("Select a template first."))
            return
        face = self.table.item(rows[0].row(), 0)
        assert face is not None  # refresh fills every row's first cell
        template_id = int(face.data(Qt.ItemDataRole.UserRole))
        try:
            removed = self.store.remove_template(template_id)
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(
            self.tr("Removed {templates}; the attendance history is kept.").format(
                templates=", ".join(f"#{t.id}" for t in removed)
            )
        )

        self.refresh()
        self.changed.emit()
