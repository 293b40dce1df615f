"""Read-only tables of plain records for the admin pages: a model over a list, a proxy that searches and
sorts it, and the view both pages show it in (Qt's model/view, as in its "custom sort/filter model" example)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invalid index: a table's rows all hang from it

# What the proxy sorts by: a column's own key, so that times sort as times and similarities as numbers.
SORT_ROLE = Qt.ItemDataRole.UserRole
DIMMED = QColor("#8a8f95")


@dataclass(frozen=True)
class Column(Generic[R]):
    # Marked QT_TRANSLATE_NOOP("RecordTable", ...) where it is written; translated where shown.
    header: str
    text: Callable[[R], str]
    # None: the shown text, ignoring case.
    sort_key: Callable[[R], str | float] | None = None
    # Whether the page's search box looks in this column.
    searched: bool = False
    # A picture drawn before the text (a person's face).
    picture: Callable[[R], QPixmap | None] | None = None


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """One row per record, one column per Column; `dimmed` rows (a deactivated person) are drawn grey."""

    def __init__(self, columns: Sequence[Column[R]], dimmed: Callable[[R], bool] | None = None):
        super().__init__()
        self.columns = tuple(columns)
        self._dimmed = dimmed
        self._records: list[R] = []

    def set_records(self, records: Sequence[R]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record(self, row: int) -> R:
        return self._records[row]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record, column = self._records[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(record)
        if role == SORT_ROLE:
            return column.sort_key(record) if column.sort_key else column.text(record).casefold()
        if role == Qt.ItemDataRole.DecorationRole and column.picture:
            return column.picture(record)
        if role == Qt.ItemDataRole.ForegroundRole and self._dimmed and self._dimmed(record):
            return DIMMED
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate("RecordTable", self.columns[section].header)

        return None


class RecordFilter(QSortFilterProxyModel, Generic[R]):
    """Rows whose searched columns contain the search text (ignoring case) and that `keep` lets through;
    sorted by each column's sort key. Searching and sorting never go back to the Store."""

    def __init__(self, source: RecordTableModel[R], keep: Callable[[R], bool] | None = None):
        super().__init__()
        self.source = source
        self._keep = keep
        self._searched = [c for c, column in enumerate(source.columns) if column.searched]
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def search(self, text: str) -> None:
        self.setFilterFixedString(text.strip())

    def refilter(self) -> None:
        """What `keep` decides on has changed (a page's other filter controls)."""
        # invalidate(), not invalidateRowsFilter(): that one is deprecated from Qt 6.10 for an API
        # older Qt versions (pyproject accepts 6.6) lack; re-sorting a few hundred rows costs nothing.
        self.invalidate()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self._keep and not self._keep(self.source.record(source_row)):
            return False
        pattern = self.filterRegularExpression()
        return not pattern.pattern() or any(
            pattern.match(self.source.index(source_row, column).data()).hasMatch() for column in self._searched
        )

    def record_at(self, index: Index) -> R:
        """The record behind a row of the view, however it is sorted and filtered."""
        return self.source.record(self.mapToSource(index).row())


def record_view(proxy: RecordFilter[Any]) -> QTableView:
    """A read-only table sorted by clicking a header; first by its first column, ascending."""
    view = QTableView()
    view.setModel(proxy)
    # Read out by its columns, which say what the table holds.
    columns = ", ".join(str(proxy.headerData(c, Qt.Orientation.Horizontal)) for c in range(proxy.columnCount()))
    view.setAccessibleName(QCoreApplication.translate("record_view", "Table: {columns}").format(columns=columns))
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().hide()
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return view
