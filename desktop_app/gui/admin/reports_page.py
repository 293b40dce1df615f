"""Reports: the figures and charts of a date range (the same as `facegate report` writes), saved as
HTML, PDF or XLSX; and the roll-call of who is in now, for a fire drill."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QByteArray, QCoreApplication, QDate, QLocale, Qt
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.reports.charts import ENGLISH, ChartWords, charts
from core.reports.figures import MISSING_OUT_RULE, Report, WorkCalendar, build_report
from core.reports.rollcall import InNow, who_is_in
from core.reports.tables import DAY_COLUMNS, PERSON_COLUMNS, ReportColumn, shown
from core.store import Store
from desktop_app.gui.accessible import add_labelled
from desktop_app.gui.admin.date_range import DateRange
from desktop_app.gui.admin.people_filters import refill_people_filters
from desktop_app.gui.admin.record_table import Column, RecordFilter, RecordTableModel, record_view
from desktop_app.gui.locale_format import date_text, day_month_text, time_text
from desktop_app.gui.plain import plain_label
from desktop_app.i18n import problem_text, translated
from desktop_app.report_output import FORMATS, write_report

R = TypeVar("R")
ROLL_CALL_COLUMNS: tuple[Column[InNow], ...] = (
    Column(QT_TRANSLATE_NOOP("RecordTable", "Person"), lambda i: i.name),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Group"), lambda i: i.group or ""),
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "In since"),
        lambda i: time_text(i.since),
        sort_key=lambda i: i.since.timestamp(),
    ),
)


def chart_words() -> ChartWords:
    """The charts' titles and axis labels in the chosen language, days in its own format."""
    return ENGLISH.in_language(QCoreApplication.translate, day_month_text)


def rules_text(calendar: WorkCalendar) -> str:
    """WorkCalendar.describe() in the chosen language, with the locale's day names and dates."""
    locale = QLocale()
    days = " ".join(locale.dayName(d + 1, QLocale.FormatType.ShortFormat) for d in sorted(calendar.weekdays))
    holidays = ", ".join(date_text(d) for d in sorted(calendar.holidays))
    text = QCoreApplication.translate(
        "ReportsPage",
        "Work starts {start} (late after {grace} min grace); working days {days}; holidays {holidays}.",
    )
    return " ".join(
        (
            text.format(
                start=f"{calendar.start:%H:%M}",
                grace=calendar.grace_min,
                days=days,
                holidays=holidays or QCoreApplication.translate("ReportsPage", "none"),
            ),
            QCoreApplication.translate("ReportsPage", MISSING_OUT_RULE),
        )
    )


def table_columns(columns: Sequence[ReportColumn[R]]) -> tuple[Column[R], ...]:
    """The report's columns as the admin tables show them: numbers sort as numbers."""

    def column(c: ReportColumn[R]) -> Column[R]:
        def text(row: R) -> str:
            value = c.value(row)
            return translated(value) if isinstance(value, str) else shown(value)

        def key(row: R) -> str | float:
            value = c.value(row)
            return translated(value).casefold() if isinstance(value, str) else value

        return Column(c.header, text, sort_key=key)

    return tuple(column(c) for c in columns)


class ReportsPage(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        today = QDate.currentDate()
        self.dates = DateRange(today.addDays(1 - today.day()), today)
        self.person = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.report: Report | None = None
        make, save = QPushButton(self.tr("Show")), QPushButton(self.tr("Save report…"))
        make.clicked.connect(self.refresh)
        save.clicked.connect(self.choose_save)

        self.people_model = RecordTableModel(table_columns(PERSON_COLUMNS))
        self.days_model = RecordTableModel(table_columns(DAY_COLUMNS))
        self.people_view = record_view(RecordFilter(self.people_model))
        self.days_view = record_view(RecordFilter(self.days_model))
        self.charts = QWidget()
        self.charts_layout = QVBoxLayout(self.charts)
        scroll = QScrollArea(widgetResizable=True)
        scroll.setWidget(self.charts)
        self.roll_model = RecordTableModel(ROLL_CALL_COLUMNS)
        self.roll_view = record_view(RecordFilter(self.roll_model))
        self.roll_count = plain_label()
        roll_refresh = QPushButton(self.tr("Refresh"))
        roll_refresh.clicked.connect(self.refresh_roll_call)
        roll = QWidget()
        roll_layout = QVBoxLayout(roll)
        roll_row = QHBoxLayout()
        roll_row.addWidget(QLabel(self.tr("Whose last event today is a check-in:")))
        roll_row.addWidget(self.roll_count, 1)
        roll_row.addWidget(roll_refresh)
        roll_layout.addLayout(roll_row)
        roll_layout.addWidget(self.roll_view, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.people_view, self.tr("Per person"))
        self.tabs.addTab(self.days_view, self.tr("Per day"))
        self.tabs.addTab(scroll, self.tr("Charts"))
        self.tabs.addTab(roll, self.tr("Who is in now"))
        self.rules = plain_label(wordWrap=True)
        self.message = plain_label(wordWrap=True)

        filters = QHBoxLayout()
        self.dates.add_to(filters)
        for label, control in ((self.tr("Person"), self.person), (self.tr("Group"), self.group)):
            add_labelled(filters, label, control)
        filters.addWidget(make)
        filters.addStretch(1)
        filters.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.rules)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)

    def refresh_filters(self) -> None:
        refill_people_filters(self.store, self.person, self.group)

    def refresh(self) -> None:
        """Reads the chosen days from the Store again and redraws the tables and charts."""
        first, last = self.dates.days
        if last < first:
            self.message.setText(self.tr("⚠ The last day is before the first."))
            return
        try:
            report = build_report(
                self.store, first, last, person_id=self.person.currentData(), group=self.group.currentData()
            )
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.report = report
        self.people_model.set_records(report.people)
        self.days_model.set_records(report.days)
        self.rules.setText(rules_text(report.calendar))
        self._draw_charts(report)
        self.refresh_roll_call()
        self.message.setText(
            self.tr("{people} people, {days} days, {working} working.").format(
                people=len(report.people), days=len(report.days), working=report.working_days
            )
        )

    def refresh_roll_call(self) -> None:
        try:
            inside = who_is_in(self.store)
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.roll_model.set_records(inside)
        self.roll_count.setText(self.tr("{count} in now").format(count=len(inside)))

    def _draw_charts(self, report: Report) -> None:
        while (item := self.charts_layout.takeAt(0)) is not None:
            if widget := item.widget():
                widget.deleteLater()
        for chart in charts(report, chart_words()):
            view = QSvgWidget()
            view.load(QByteArray(chart.svg.encode("utf-8")))
            view.setAccessibleName(chart.title)
            # As tall as drawn; the width follows the page (the SVG scales, keeping its proportions).
            view.renderer().setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
            view.setMinimumSize(chart.width // 2, chart.height)
            self.charts_layout.addWidget(view)

    def choose_save(self) -> None:
        if self.report is None:
            self.refresh()
        if self.report is None:
            return
        name = f"attendance_{self.report.first.isoformat()}_{self.report.last.isoformat()}"
        filters = ";;".join(f"{f.upper()} (*.{f})" for f in FORMATS)
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Save report"), f"{name}.html", filters)
        if path:
            self.save(Path(path), chosen.split()[0].lower() if chosen else None)

    def save(self, path: Path, format: str | None = None) -> None:
        """The report on screen, as the file's suffix (or the chosen format) says."""
        if self.report is None:
            return
        format = format or path.suffix.lower().removeprefix(".")
        if format not in FORMATS:
            self.message.setText(
                self.tr("⚠ Choose a file ending in {suffixes}.").format(suffixes=", ".join("." + f for f in FORMATS))
            )
            return
        try:
            size = write_report(self.report, format, path)
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.message.setText(
            self.tr("Saved the {format} report to {path} ({size} bytes).").format(
                format=format.upper(), path=path, size=size
            )
        )
