"""The three charts of a report, drawn once here as SVG text for the Reports page, the HTML and the
PDF. Plain Python writes the SVG (bars, axes, ticks, labels): no plotting library ships for three
bar charts. Every piece of text is XML-escaped, so a name is drawn as it was typed."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from core.reports.figures import Report

WORKING, OFF, ACCENT, INK, GRID = "#2f6fb0", "#b8bec6", "#d0612b", "#222222", "#d9d9d9"
WIDTH = 700  # SVG user units (pixels at 96 dpi); the page and the PDF scale the chart to fit
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
SMALL, MEDIUM = 10, 12
# Names longer than this are cut with an ellipsis on the hours chart (the tables list them whole).
NAME_CHARS = 28


@dataclass(frozen=True)
class ChartWords:
    """The charts' titles and axis labels: English in the files, the Reports page passes its language's."""

    arrivals: str = "Arrivals by time of day"
    people_days: str = "people-days"
    no_check_ins: str = "no check-ins"
    work_starts: str = "work starts {time}"
    time_of_day: str = "time of day"
    attendance: str = "Attendance per day"
    people_present: str = "people present"
    hours: str = "Hours per person"
    hours_axis: str = "hours (first check-in to last check-out)"


ENGLISH = ChartWords()


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    svg: str


def nice_ticks(top: float, most: int = 6, whole: bool = False) -> list[float]:
    """Ticks from 0 to at least top, a step of 1, 2 or 5 times a power of ten apart, at most most+1
    of them; whole: counts, so never a step below 1."""
    top = max(top, 1.0)
    rough = top / most
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough * (1 - 1e-9))
    if whole:
        step = max(step, 1)
    return [k * step for k in range(math.ceil(top / step - 1e-9) + 1)]


def tick_text(value: float) -> str:
    return f"{value:.10g}"


def clock(hours: float) -> str:
    """9.75 -> '09:45'."""
    minutes = round(hours * 60)
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


class _Canvas:
    """An SVG document being written: a frame of margins around a plot area, and its elements."""

    def __init__(self, title: str, height: int, left: int, bottom: int) -> None:
        self.title, self.height = title, height
        self.left, self.top, self.right, self.bottom = left, 34, WIDTH - 24, height - bottom
        self.parts: list[str] = []
        self.text(8, 18, title, size=MEDIUM, weight="bold")

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="{max(w, 0):.2f}" height="{max(h, 0):.2f}" fill="{fill}"/>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = INK, dash: bool = False) -> None:
        dashes = ' stroke-dasharray="6,4"' if dash else ""
        self.parts.append(
            f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" stroke="{stroke}" stroke-width="1"{dashes}/>'
        )

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: int = SMALL,
        anchor: str = "start",
        weight: str = "normal",
        rotate: float = 0,
        fill: str = INK,
    ) -> None:
        turn = f' transform="rotate({rotate:g} {x:.2f} {y:.2f})"' if rotate else ""
        self.parts.append(
            f'<text x="{x:.2f}" y="{y:.2f}" font-family="{FONT}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="{fill}"{turn}>{escape(text)}</text>'
        )

    def y_axis(self, ticks: Sequence[float], label: str) -> Callable[[float], float]:
        """Counts up the left side with grid lines across; returns value -> y."""

        def y(value: float) -> float:
            return self.bottom - value / ticks[-1] * (self.bottom - self.top)

        for tick in ticks:
            self.line(self.left, y(tick), self.right, y(tick), stroke=GRID)
            self.text(self.left - 6, y(tick) + 3.5, tick_text(tick), anchor="end")
        self.line(self.left, self.top, self.left, self.bottom)
        middle = (self.top + self.bottom) / 2
        self.text(14, middle, label, anchor="middle", rotate=-90)
        return y

    def chart(self) -> Chart:
        body = "\n".join(self.parts)
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{WIDTH}" height="{self.height}" '
            f'viewBox="0 0 {WIDTH} {self.height}">\n<title>{escape(self.title)}</title>\n'
            f'<rect x="0" y="0" width="{WIDTH}" height="{self.height}" fill="white"/>\n{body}\n</svg>\n'
        )
        return Chart(self.title, WIDTH, self.height, svg)


def arrivals(report: Report, words: ChartWords = ENGLISH) -> Chart:
    """First check-ins per quarter hour of the day, with the work start marked."""
    c = _Canvas(words.arrivals, 300, left=56, bottom=40)
    start = report.calendar.start.hour + report.calendar.start.minute / 60
    low = math.floor(min((*report.arrivals, start)) * 4) / 4
    high = math.floor(max((*report.arrivals, start)) * 4) / 4 + 0.25
    bins = round((high - low) * 4)
    counts = [0] * bins
    for hour in report.arrivals:
        counts[min(int((hour - low) * 4), bins - 1)] += 1
    y = c.y_axis(nice_ticks(max(counts, default=0), whole=True), words.people_days)

    def x(hour: float) -> float:
        return c.left + (hour - low) / (high - low) * (c.right - c.left)

    for n, count in enumerate(counts):
        left, right = x(low + n / 4), x(low + (n + 1) / 4)
        c.rect(left + 0.5, y(count), right - left - 1, c.bottom - y(count), WORKING)
    c.line(c.left, c.bottom, c.right, c.bottom)
    edges = [low + n / 4 for n in range(bins + 1)]
    for edge in edges[:: max(1, len(edges) // 12)]:
        c.line(x(edge), c.bottom, x(edge), c.bottom + 4)
        c.text(x(edge), c.bottom + 16, clock(edge), anchor="middle")
    if not report.arrivals:
        c.text((c.left + c.right) / 2, (c.top + c.bottom) / 2, words.no_check_ins, size=MEDIUM, anchor="middle")
    c.line(x(start), c.top, x(start), c.bottom, stroke=ACCENT, dash=True)
    c.line(c.right - 150, c.top + 8, c.right - 126, c.top + 8, stroke=ACCENT, dash=True)
    c.text(c.right - 120, c.top + 11.5, words.work_starts.format(time=f"{report.calendar.start:%H:%M}"))
    c.text((c.left + c.right) / 2, c.height - 6, words.time_of_day, anchor="middle")
    return c.chart()


def attendance(report: Report, words: ChartWords = ENGLISH) -> Chart:
    """People present per day; days off in grey."""
    c = _Canvas(words.attendance, 300, left=56, bottom=52)
    days = report.days
    y = c.y_axis(nice_ticks(max((len(d.present) for d in days), default=0), whole=True), words.people_present)
    slot = (c.right - c.left) / max(len(days), 1)
    for n, day in enumerate(days):
        top = y(len(day.present))
        c.rect(c.left + (n + 0.1) * slot, top, slot * 0.8, c.bottom - top, WORKING if day.working else OFF)
    c.line(c.left, c.bottom, c.right, c.bottom)
    step = max(1, len(days) // 16)
    for n in range(0, len(days), step):
        middle = c.left + (n + 0.5) * slot
        c.line(middle, c.bottom, middle, c.bottom + 4)
        c.text(middle + 3, c.bottom + 14, days[n].day.strftime("%d %b"), anchor="end", rotate=-45)
    return c.chart()


def hours(report: Report, words: ChartWords = ENGLISH) -> Chart:
    """Hours per person over the period, one bar each, names top to bottom as in the tables."""
    people = report.people
    names = [p.name if len(p.name) <= NAME_CHARS else p.name[: NAME_CHARS - 1] + "…" for p in people]
    # About 0.6 em per character of a sans-serif face: room for the longest name, up to a third of the width.
    left = min(WIDTH // 3, 16 + round(0.6 * SMALL * max((len(n) for n in names), default=0)))
    c = _Canvas(words.hours, max(250, 22 * len(people) + 84), left=left, bottom=46)
    ticks = nice_ticks(max((p.hours for p in people), default=0))

    def x(value: float) -> float:
        return c.left + value / ticks[-1] * (c.right - c.left)

    for tick in ticks:
        c.line(x(tick), c.top, x(tick), c.bottom, stroke=GRID)
        c.line(x(tick), c.bottom, x(tick), c.bottom + 4)
        c.text(x(tick), c.bottom + 16, tick_text(tick), anchor="middle")
    slot = (c.bottom - c.top) / max(len(people), 1)
    for n, (person, name) in enumerate(zip(people, names, strict=True)):
        top = c.top + n * slot
        c.rect(c.left, top + slot * 0.15, x(person.hours) - c.left, slot * 0.7, WORKING)
        c.text(c.left - 6, top + slot / 2 + 3.5, name, anchor="end")
    c.line(c.left, c.top, c.left, c.bottom)
    c.line(c.left, c.bottom, c.right, c.bottom)
    c.text((c.left + c.right) / 2, c.height - 6, words.hours_axis, anchor="middle")
    return c.chart()


CHARTS: tuple[Callable[[Report, ChartWords], Chart], ...] = (arrivals, attendance, hours)


def charts(report: Report, words: ChartWords = ENGLISH) -> tuple[Chart, ...]:
    return tuple(draw(report, words) for draw in CHARTS)
