"""A report as one self-contained HTML file: the tables as text, the charts inline as SVG."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TypeVar

from core.reports.charts import charts
from core.reports.figures import Report
from core.reports.tables import CORRECTION_COLUMNS, DAY_COLUMNS, PERSON_COLUMNS, ReportColumn, shown

R = TypeVar("R")

_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0 2em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.n { text-align: right; }
tr.off { color: #888; }
figure { margin: 1em 0; }
svg { max-width: 100%; height: auto; }
"""


def render_html(report: Report) -> str:
    figures = "\n".join(f"<figure>{chart.svg}</figure>" for chart in charts(report))
    trail = f"<h2>Corrections</h2>\n{_table(CORRECTION_COLUMNS, report.corrections)}\n" if report.corrections else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(report.title)}</title><style>{_STYLE}</style></head>
<body>
<h1>{escape(report.title)}</h1>
<p>{escape(report.calendar.describe())} {report.working_days} working day(s) in the period.</p>
<h2>Per person</h2>
{_table(PERSON_COLUMNS, report.people)}
<h2>Per day</h2>
{_table(DAY_COLUMNS, report.days, off=[not d.working for d in report.days])}
{trail}<h2>Charts</h2>
{figures}
</body></html>
"""


def _table(columns: Sequence[ReportColumn[R]], rows: Sequence[R], off: Sequence[bool] = ()) -> str:
    head = "".join(f"<th>{escape(c.header)}</th>" for c in columns)
    body = []
    for n, row in enumerate(rows):
        cells = "".join(
            f'<td class="n">{shown(v)}</td>' if isinstance(v, int | float) else f"<td>{escape(v)}</td>"
            for v in (c.value(row) for c in columns)
        )
        body.append(f'<tr class="off">{cells}</tr>' if n < len(off) and off[n] else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
