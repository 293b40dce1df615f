"""A report as an XLSX workbook (openpyxl): one sheet per view, numbers kept as numbers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TypeVar

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from core.reports.figures import Report
from core.reports.tables import CORRECTION_COLUMNS, DAY_COLUMNS, PERSON_COLUMNS, ReportColumn, Value

R = TypeVar("R")


def render_xlsx(report: Report) -> bytes:
    book = Workbook()
    people = book.active
    assert people is not None  # a new workbook has its one sheet
    people.title = "Per person"
    _sheet(people, PERSON_COLUMNS, report.people)
    _sheet(book.create_sheet("Per day"), DAY_COLUMNS, report.days)
    if report.corrections:
        _sheet(book.create_sheet("Corrections"), CORRECTION_COLUMNS, report.corrections)
    about = book.create_sheet("About")
    for row in ((report.title,), (report.calendar.describe(),), ("Working days", report.working_days)):
        about.append([_text_cell(about, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(sheet: Worksheet, columns: Sequence[ReportColumn[R]], rows: Sequence[R]) -> None:
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_text_cell(sheet, c.value(row)) for c in columns])
    for n, column in enumerate(columns, start=1):
        widest = max([len(column.header), *(len(str(column.value(r))) for r in rows)])
        sheet.column_dimensions[sheet.cell(1, n).column_letter].width = min(60, widest + 2)
    sheet.freeze_panes = "A2"


def _text_cell(sheet: Worksheet, value: Value) -> object:
    # openpyxl stores a string starting with "=" as a formula: a name like "=HYPERLINK(...)" would
    # run when the workbook is opened. A cell typed as text keeps it words.
    if isinstance(value, str) and value.startswith("="):
        cell = Cell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value
