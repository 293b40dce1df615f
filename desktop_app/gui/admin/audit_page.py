"""The audit log: enrolments, deletions, PIN failures and back-offs, refused photos (words only),
corrections and settings changes, by dates and kind, searched, and exported as CSV."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.store import AuditEntry, Store
from core.store.audit import AUDIT_KINDS, audit_kind, write_audit_csv
from core.store.export import write_output
from desktop_app.gui.accessible import add_labelled
from desktop_app.gui.admin.date_range import DateRange
from desktop_app.gui.admin.kind_names import audit_kind_name
from desktop_app.gui.admin.record_table import Column, RecordFilter, RecordTableModel, record_view
from desktop_app.gui.locale_format import datetime_text
from desktop_app.gui.plain import plain_label
from desktop_app.i18n import problem_text

AUDIT_COLUMNS: tuple[Column[AuditEntry], ...] = (
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "Time"),
        lambda e: datetime_text(e.time),
        sort_key=lambda e: e.time.timestamp(),
    ),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Kind"), lambda e: audit_kind_name(audit_kind(e.action))),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Actor"), lambda e: e.actor, searched=True),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Action"), lambda e: e.action, searched=True),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Detail"), lambda e: e.detail, searched=True),
)


class AuditPage(QWidget):
    """The chosen days are read from the Store; the kind and the search only filter what was read."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        today = QDate.currentDate()
        self.dates = DateRange(today.addDays(-6), today)
        for edit in (self.dates.start, self.dates.end):
            edit.dateChanged.connect(self.refresh)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("All kinds"), None)
        for kind in AUDIT_KINDS:
            self.kind.addItem(audit_kind_name(kind), kind)
        self.search = QLineEdit(placeholderText=self.tr("Search actor, action, detail"), clearButtonEnabled=True)
        self.model = RecordTableModel(AUDIT_COLUMNS)
        self.proxy = RecordFilter(self.model, keep=lambda e: self.kind.currentData() in (None, audit_kind(e.action)))
        self.kind.currentIndexChanged.connect(self.apply_filters)
        self.search.setAccessibleName(self.tr("Search the audit log"))
        self.search.textChanged.connect(self.proxy.search)
        self.search.textChanged.connect(self._show_count)
        self.view = record_view(self.proxy)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        # The detail is the long column: the others take what their text needs.
        header = self.view.horizontalHeader()
        for column in range(len(AUDIT_COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.message = plain_label(wordWrap=True)
        export = QPushButton(self.tr("Export CSV…"))
        export.clicked.connect(self.choose_export)

        filters = QHBoxLayout()
        self.dates.add_to(filters)
        add_labelled(filters, self.tr("Kind"), self.kind)
        filters.addWidget(self.search, 1)
        filters.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        """Reads the chosen days' entries from the Store again."""
        try:
            entries = self.store.audit_between(*self.dates.instants)
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.model.set_records(entries)
        self._show_count()

    def apply_filters(self) -> None:
        self.proxy.refilter()
        self._show_count()

    def shown_entries(self) -> list[AuditEntry]:
        """The entries the table shows, in its order."""
        return [self.proxy.record_at(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount())]

    def _show_count(self) -> None:
        self.message.setText(
            self.tr("{shown} of {total} entries shown.").format(
                shown=self.proxy.rowCount(), total=self.model.rowCount()
            )
        )

    def choose_export(self) -> None:
        first, last = (d.isoformat() for d in self.dates.days)
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export audit log"), f"audit_{first}_{last}.csv", "CSV (*.csv)"
        )
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        """The entries shown (dates, kind and search applied), in the table's order."""
        entries = self.shown_entries()
        try:
            count = write_output(path, lambda f: write_audit_csv(f, entries))
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(self.tr("Exported {count} entries to {path}.").format(count=count, path=path))
