"""A report as a PDF of A4 pages (matplotlib's PdfPages): the tables, then the charts."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TypeVar

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from core.reports.charts import CHARTS, as_typed, chart_height
from core.reports.figures import Report
from core.reports.tables import DAY_COLUMNS, PERSON_COLUMNS, ReportColumn, shown

R = TypeVar("R")
A4 = (8.27, 11.69)  # inches, portrait
ROWS_PER_PAGE = 40
# The per-day names do not fit across A4; the HTML and the XLSX list them.
PDF_DAY_COLUMNS = tuple(c for c in DAY_COLUMNS if c.header != "Who")


def render_pdf(report: Report) -> bytes:
    out = io.BytesIO()
    with PdfPages(out, metadata={"Title": report.title, "Creator": "FaceGate"}) as pdf:
        for page in (
            *_table_pages(report, "Per person", PERSON_COLUMNS, report.people),
            *_table_pages(report, "Per day", PDF_DAY_COLUMNS, report.days),
            _charts_page(report),
        ):
            pdf.savefig(page)
    return out.getvalue()


def _page(report: Report, heading: str) -> Figure:
    page = Figure(figsize=A4)
    page.text(0.06, 0.965, as_typed(report.title), fontsize=13, weight="bold", va="top")
    page.text(0.06, 0.94, heading, fontsize=11, va="top")
    return page


def _table_pages(report: Report, heading: str, columns: Sequence[ReportColumn[R]], rows: Sequence[R]) -> list[Figure]:
    pages = []
    for first in range(0, max(len(rows), 1), ROWS_PER_PAGE):
        chunk = rows[first : first + ROWS_PER_PAGE]
        page = _page(report, heading if first == 0 else f"{heading} (continued)")
        if first == 0:
            page.text(0.06, 0.915, as_typed(report.calendar.describe()), fontsize=7.5, va="top", wrap=True)
        ax = page.add_axes((0.06, 0.04, 0.88, 0.84))
        ax.axis("off")
        if chunk:
            table = ax.table(
                cellText=[[as_typed(shown(c.value(r))) for c in columns] for r in chunk],
                colLabels=[c.header for c in columns],
                loc="upper center",
                cellLoc="left",
            )
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            table.scale(1, 1.25)
        pages.append(page)
    return pages


def _charts_page(report: Report) -> Figure:
    page = _page(report, "Charts")
    # Below the headings, the three charts share the page in proportion to the height each wants.
    heights = [chart_height(draw, report) for draw in CHARTS]
    grid = page.add_gridspec(len(CHARTS) + 1, 1, height_ratios=(0.08 * sum(heights), *heights))
    for row, draw in enumerate(CHARTS, start=1):
        draw(page.add_subfigure(grid[row]), report)
    page.set_layout_engine("constrained")
    return page
