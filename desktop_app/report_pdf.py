"""A report as a PDF of A4 pages, drawn by Qt: the tables laid out by QTextDocument (page after page,
each table's header repeated), then the three charts from core/reports/charts.py as vectors through
QSvgRenderer. Qt needs an application object to lay out text: the CLI gets an offscreen one."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TypeVar

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument
from PySide6.QtSvg import QSvgRenderer

from core.reports.charts import charts
from core.reports.figures import Report
from core.reports.tables import CORRECTION_COLUMNS, DAY_COLUMNS, PERSON_COLUMNS, ReportColumn, shown
from desktop_app.qt_application import ensure_application

R = TypeVar("R")
DPI = 300
MARGIN_MM = 15
# The per-day names do not fit across A4; the HTML and the XLSX list them.
PDF_DAY_COLUMNS = tuple(c for c in DAY_COLUMNS if c.header != "Who")
_STYLE = """
h1 { font-size: 13pt; } h2 { font-size: 11pt; } p { font-size: 7.5pt; }
table { border-collapse: collapse; font-size: 8pt; }
th { background-color: #eeeeee; text-align: left; }
th, td { border: 1px solid #bbbbbb; padding: 2px 5px; }
td.n { text-align: right; }
"""


def render_pdf(report: Report) -> bytes:
    ensure_application(gui=True)
    out = QBuffer()
    out.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(out)
    writer.setResolution(DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setTitle(report.title)
    writer.setCreator("FaceGate")
    area = writer.pageLayout().paintRectPixels(DPI)
    page = QSizeF(area.width(), area.height())
    painter = QPainter(writer)
    try:
        tables = _document(writer, page, _tables_html(report))
        for n in range(tables.pageCount()):
            painter.save()
            painter.translate(0, -n * page.height())
            tables.drawContents(painter, QRectF(0, n * page.height(), page.width(), page.height()))
            painter.restore()
            writer.newPage()
        _draw_charts(painter, writer, page, report)
    finally:
        painter.end()
    return bytes(out.data().data())


def _document(writer: QPdfWriter, page: QSizeF, html: str) -> QTextDocument:
    document = QTextDocument()
    # Laid out for the PDF's resolution, so point sizes are points on paper.
    document.documentLayout().setPaintDevice(writer)
    font = QFont("DejaVu Sans", 9)
    # No ligatures: "Office" stays six letters for whoever searches or copies the PDF's text.
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    document.setDefaultStyleSheet(_STYLE)
    document.setHtml(html)
    document.setPageSize(page)
    return document


def _tables_html(report: Report) -> str:
    return (
        f"<h1>{escape(report.title)}</h1><p>{escape(report.calendar.describe())}</p>"
        f"<h2>Per person</h2>{_table(PERSON_COLUMNS, report.people)}"
        f'<h2 style="page-break-before: always">Per day</h2>{_table(PDF_DAY_COLUMNS, report.days)}'
        + (f"<h2>Corrections</h2>{_table(CORRECTION_COLUMNS, report.corrections)}" if report.corrections else "")
    )


def _table(columns: Sequence[ReportColumn[R]], rows: Sequence[R]) -> str:
    head = "".join(f"<th>{escape(c.header)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{shown(v)}</td>' if isinstance(v, int | float) else f"<td>{escape(v)}</td>"
            for v in (c.value(row) for c in columns)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table width="100%" cellspacing="0"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _draw_charts(painter: QPainter, writer: QPdfWriter, page: QSizeF, report: Report) -> None:
    """The three charts on one page below its heading, scaled alike to fit its width and height."""
    heading = _document(writer, page, f"<h1>{escape(report.title)}</h1><h2>Charts</h2>")
    heading.drawContents(painter)
    top = heading.size().height()
    drawn = charts(report)
    gap = page.height() * 0.02
    scale = min(page.width() / drawn[0].width, (page.height() - top - gap * len(drawn)) / sum(c.height for c in drawn))
    for chart in drawn:
        QSvgRenderer(QByteArray(chart.svg.encode("utf-8"))).render(
            painter, QRectF(0, top, chart.width * scale, chart.height * scale)
        )
        top += chart.height * scale + gap
