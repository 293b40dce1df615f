"""The three charts of a report, drawn once here with pygal (a maintained charting library that
writes SVG and needs nothing compiled) for the Reports page, the HTML and the PDF.

The SVG is made to stand alone and print: no script (pygal adds its interactive config, which an
offline report and Qt's SVG renderer have no use for), a white background, and every piece of text
an XML text node, so a name is drawn exactly as typed and can never become markup."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date

import pygal
from pygal.style import Style

from core.i18n import QT_TRANSLATE_NOOP, Translate
from core.reports.figures import Report

WORKING, OFF, ACCENT, INK, GRID = "#2f6fb0", "#b8bec6", "#d0612b", "#222222", "#d9d9d9"
WIDTH = 700  # SVG user units (pixels at 96 dpi); the page and the PDF scale the chart to fit
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
# Names longer than this are cut with an ellipsis on the hours chart (the tables list them whole).
NAME_CHARS = 28
SVG_NS = "http://www.w3.org/2000/svg"


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    svg: str


@dataclass(frozen=True)
class ChartWords:
    """Every word the charts draw: English for the files a script asks for, the admin's language on
    the Reports page (in_language). {time} is the work start as hh:mm."""

    arrivals: str = QT_TRANSLATE_NOOP("ReportsPage", "Arrivals by time of day")
    before_start: str = QT_TRANSLATE_NOOP("ReportsPage", "before {time}")
    from_start: str = QT_TRANSLATE_NOOP("ReportsPage", "from {time}")
    people_days: str = QT_TRANSLATE_NOOP("ReportsPage", "people-days")
    time_of_day: str = QT_TRANSLATE_NOOP("ReportsPage", "time of day")
    attendance: str = QT_TRANSLATE_NOOP("ReportsPage", "Attendance per day")
    people_present: str = QT_TRANSLATE_NOOP("ReportsPage", "people present")
    working_day: str = QT_TRANSLATE_NOOP("ReportsPage", "working day")
    day_off: str = QT_TRANSLATE_NOOP("ReportsPage", "day off")
    hours: str = QT_TRANSLATE_NOOP("ReportsPage", "Hours per person")
    hours_axis: str = QT_TRANSLATE_NOOP("ReportsPage", "hours (first check-in to last check-out)")
    no_check_ins: str = QT_TRANSLATE_NOOP("ReportsPage", "no check-ins")
    no_one: str = QT_TRANSLATE_NOOP("ReportsPage", "nobody")
    # A day under a bar of the attendance chart: "07 Dec", or the screen's language's own.
    day: Callable[[date], str] = lambda day: day.strftime("%d %b")

    def in_language(self, translate: Translate, day: Callable[[date], str]) -> ChartWords:
        """These words through translate (the GUI's QCoreApplication.translate), days written by day."""
        words = {f.name: translate("ReportsPage", getattr(self, f.name)) for f in fields(self) if f.name != "day"}
        return replace(self, day=day, **words)


ENGLISH = ChartWords()


def clock(hours: float) -> str:
    """9.75 -> '09:45'."""
    minutes = round(hours * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _style(*colours: str) -> Style:
    return Style(
        background="white",
        plot_background="white",
        foreground=INK,
        foreground_strong=INK,
        foreground_subtle="#777777",
        colors=colours,
        font_family=FONT,
        title_font_size=14,
        label_font_size=10,
        major_label_font_size=10,
        legend_font_size=11,
        no_data_font_size=16,
    )


def _chart(kind: type[pygal.graph.graph.Graph], title: str, height: int, *colours: str, **config: object):
    return kind(
        style=_style(*colours),
        title=title,
        width=WIDTH,
        height=height,
        explicit_size=True,
        disable_xml_declaration=True,
        js=[],  # nothing fetched from the web: reports are read offline
        legend_at_bottom=True,
        print_values=False,
        **config,
    )


def _svg(chart: pygal.graph.graph.Graph, title: str, height: int) -> Chart:
    root = chart.render_tree()
    for parent in list(root.iter()):
        for child in [c for c in parent if _tag(c) == "script"]:
            parent.remove(child)
    _inline_axis_styles(root)
    ET.register_namespace("", SVG_NS)
    return Chart(title, WIDTH, height, ET.tostring(root, encoding="unicode"))


def _tag(element: ET.Element) -> str:
    """The local name; "" for a comment (its tag is a function)."""
    return element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""


def _inline_axis_styles(root: ET.Element) -> None:
    """pygal places axis labels and grid lines through selectors such as `.axis.y text`, which Qt's
    SVG renderer (the Reports page, the PDF) does not match: labels would start where they should
    end, and every grid line would be drawn black. The same rules, written on the elements."""
    for group in root.iter():
        classes = set(group.get("class", "").split())
        if _tag(group) != "g" or "axis" not in classes:
            continue
        for element in group.iter():
            kind = set(element.get("class", "").split())
            if _tag(element) == "path" and {"guide", "line"} <= kind:
                element.set("style", f"stroke:{GRID}")
            elif _tag(element) == "text":
                turned, backwards = element.get("transform") is not None, "backwards" in kind
                if "y" in classes:
                    anchor = "start" if turned and backwards else "end"
                else:
                    anchor = ("end" if backwards else "start") if turned else "middle"
                element.set("style", f"text-anchor:{anchor}")


def count_ticks(top: int, most: int = 6) -> list[int]:
    """Whole-number ticks from 0 to at least top, a step of 1, 2 or 5 times a power of ten apart, at
    most most+1 of them (pygal's own choice for counts can be 0.5 steps)."""
    top = max(top, 1)
    power = 10 ** max(0, math.floor(math.log10(top / most)))
    step = next(m * power for m in (1, 2, 5, 10) if m * power * most >= top)
    return list(range(0, math.ceil(top / step) * step + 1, step))


def arrivals(report: Report, words: ChartWords = ENGLISH) -> Chart:
    """First check-ins per quarter hour of the day; bars from the work start on in the accent colour."""
    start = report.calendar.start.hour + report.calendar.start.minute / 60
    low = math.floor(min((*report.arrivals, start)) * 4) / 4
    high = math.floor(max((*report.arrivals, start)) * 4) / 4 + 0.25
    bins = round((high - low) * 4)
    counts = [0] * bins
    for hour in report.arrivals:
        counts[min(int((hour - low) * 4), bins - 1)] += 1
    edges = [low + n / 4 for n in range(bins)]
    start_text = report.calendar.start.strftime("%H:%M")
    chart = _chart(
        pygal.StackedBar,
        words.arrivals,
        300,
        WORKING,
        ACCENT,
        x_title=words.time_of_day,
        y_title=words.people_days,
        y_labels=count_ticks(max(counts, default=0)),
        show_legend=bool(report.arrivals),
        no_data_text=words.no_check_ins,
        x_labels_major_every=max(1, bins // 12),
        show_minor_x_labels=False,
    )
    chart.x_labels = [clock(edge) for edge in edges]
    before = [c if e < start else None for c, e in zip(counts, edges, strict=True)]
    after = [c if e >= start else None for c, e in zip(counts, edges, strict=True)]
    # With no check-ins both series are empty, and pygal writes no_data_text instead of bars.
    chart.add(words.before_start.format(time=start_text), before if report.arrivals else [])
    chart.add(words.from_start.format(time=start_text), after if report.arrivals else [])
    return _svg(chart, words.arrivals, 300)


def attendance(report: Report, words: ChartWords = ENGLISH) -> Chart:
    """People present per day; days off in grey."""
    days = report.days
    chart = _chart(
        pygal.StackedBar,
        words.attendance,
        300,
        WORKING,
        OFF,
        y_title=words.people_present,
        y_labels=count_ticks(max((len(d.present) for d in days), default=0)),
        x_label_rotation=-45,
        x_labels_major_every=max(1, len(days) // 16),
        show_minor_x_labels=False,
        no_data_text=words.no_one,
    )
    chart.x_labels = [words.day(d.day) for d in days]
    chart.add(words.working_day, [len(d.present) if d.working else None for d in days])
    chart.add(words.day_off, [None if d.working else len(d.present) for d in days])
    return _svg(chart, words.attendance, 300)


def hours(report: Report, words: ChartWords = ENGLISH) -> Chart:
    """Hours per person over the period, one bar each, names top to bottom as in the tables."""
    people = report.people
    names = [p.name if len(p.name) <= NAME_CHARS else p.name[: NAME_CHARS - 1] + "…" for p in people]
    height = max(250, 22 * len(people) + 110)
    chart = _chart(
        pygal.HorizontalBar,
        words.hours,
        height,
        WORKING,
        x_title=words.hours_axis,
        show_legend=False,
        truncate_label=-1,  # cut above, with the ellipsis the tables' readers expect
        no_data_text=words.no_one,
    )
    # pygal stacks a horizontal chart's first label at the bottom: reversed, the list reads down.
    chart.x_labels = names[::-1]
    chart.add(words.hours, [round(p.hours, 2) for p in people][::-1])
    return _svg(chart, words.hours, height)


CHARTS: tuple[Callable[[Report, ChartWords], Chart], ...] = (arrivals, attendance, hours)


def charts(report: Report, words: ChartWords = ENGLISH) -> tuple[Chart, ...]:
    return tuple(draw(report, words) for draw in CHARTS)
