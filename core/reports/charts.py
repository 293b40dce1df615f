"""The three charts of a report, drawn once here for the Reports page, the HTML and the PDF.

Each chart draws into a figure or a part of one it is given, so the PDF places them on its A4 page
as vectors. Figures are made with matplotlib.figure.Figure, never pyplot: no GUI backend is chosen
or loaded, and no figure outlives its caller in a global registry. The page wraps them in Qt's
canvas; the files save them through the Agg, SVG and PDF backends."""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase
from matplotlib.ticker import FuncFormatter, MaxNLocator

from core.reports.figures import Report

WORKING, OFF, ACCENT = "#2f6fb0", "#b8bec6", "#d0612b"


def draw_arrivals(into: FigureBase, report: Report) -> None:
    """First check-ins per quarter hour of the day, with the work start marked."""
    ax = _axes(into, "Arrivals by time of day")
    start = report.calendar.start.hour + report.calendar.start.minute / 60
    if report.arrivals:
        low = math.floor(min(*report.arrivals, start) * 4) / 4
        high = math.floor(max(*report.arrivals, start) * 4) / 4 + 0.25
        edges = [low + n / 4 for n in range(round((high - low) * 4) + 1)]
        ax.hist(report.arrivals, bins=edges, color=WORKING, edgecolor="white")
        ax.set_xticks(edges[:: max(1, len(edges) // 12)])
    else:
        ax.text(0.5, 0.5, "no check-ins", ha="center", va="center", transform=ax.transAxes)
    ax.axvline(start, color=ACCENT, linestyle="--", label=f"work starts {report.calendar.start:%H:%M}")
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda hours, _: f"{int(hours) % 24:02d}:{round(hours % 1 * 60):02d}"))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("people-days")


def draw_attendance(into: FigureBase, report: Report) -> None:
    """People present per day; days off in grey."""
    ax = _axes(into, "Attendance per day")
    days = report.days
    ax.bar(range(len(days)), [len(d.present) for d in days], color=[WORKING if d.working else OFF for d in days])
    step = max(1, len(days) // 16)
    ax.set_xticks(range(0, len(days), step), [d.day.strftime("%d %b") for d in days[::step]], rotation=45)
    ax.tick_params(axis="x", labelsize="small")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("people present")


def draw_hours(into: FigureBase, report: Report) -> None:
    """Hours per person over the period, one bar each, names top to bottom as in the tables."""
    ax = _axes(into, "Hours per person")
    people = report.people
    ax.barh(range(len(people)), [p.hours for p in people], color=WORKING)
    ax.set_yticks(range(len(people)), [as_typed(p.name) for p in people], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("hours (first check-in to last check-out)")


CHARTS: tuple[Callable[[FigureBase, Report], None], ...] = (draw_arrivals, draw_attendance, draw_hours)


def chart_height(draw: Callable[[FigureBase, Report], None], report: Report) -> float:
    """Inches a chart needs: the hours chart grows with the people listed."""
    return max(2.5, 0.22 * len(report.people) + 1.2) if draw is draw_hours else 3.0


def chart_figure(draw: Callable[[FigureBase, Report], None], report: Report, width: float = 7.0) -> Figure:
    fig = Figure(figsize=(width, chart_height(draw, report)), layout="constrained")
    draw(fig, report)
    return fig


def _axes(into: FigureBase, title: str) -> Axes:
    ax = into.add_subplot()
    ax.set_title(title, fontsize="medium", loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def as_typed(text: str) -> str:
    """Text for matplotlib to draw as it is: a name with two dollar signs would otherwise be typeset
    as mathematics, or fail to draw at all."""
    return text.replace("$", r"\$")


def svg(fig: Figure) -> str:
    """The figure as an SVG document (text drawn as paths: no font needed to show it)."""
    out = io.StringIO()
    fig.savefig(out, format="svg")
    return out.getvalue()


def png(fig: Figure, dpi: int = 100) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
