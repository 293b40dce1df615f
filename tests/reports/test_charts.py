"""The reports' charts, drawn by pygal in core/reports/charts.py: well-formed SVG without script,
every name drawn as text exactly as typed, bars in proportion, the words in the language asked for,
and rendered by Qt's SVG renderer (the Reports page and the PDF) with labels where they belong."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date, time

import pytest

from core.reports.charts import ENGLISH, charts, clock, count_ticks
from core.reports.figures import DayFigures, PersonFigures, Report, WorkCalendar

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ('=HYPERLINK("x")<script>', r"Cash $\frac{1}{$ Money & Sons")


def report(arrivals: tuple[float, ...] = (8.5, 8.9, 9.1, 9.1)) -> Report:
    first = date(2025, 3, 3)
    people = tuple(PersonFigures(n, name, None, 1, 8.0 * (n + 1), 0, 0, 0) for n, name in enumerate(HOSTILE))
    days = (DayFigures(first, True, HOSTILE), DayFigures(date(2025, 3, 8), False, ()))
    calendar = WorkCalendar(time(9), 5, frozenset(range(5)), frozenset())
    return Report(first, date(2025, 3, 9), calendar, people, days, arrivals, "Attendance")


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if "tooltip-trigger" in r.get("class", "")]


@pytest.mark.parametrize(
    "top, ticks",
    [
        (18, [0, 5, 10, 15, 20]),
        (3, [0, 1, 2, 3]),
        (0, [0, 1]),
        (210, [0, 50, 100, 150, 200, 250]),
        (7, [0, 2, 4, 6, 8]),
    ],
)
def test_count_ticks_are_round_and_reach_the_top(top, ticks):
    assert count_ticks(top) == ticks


def test_each_chart_is_well_formed_svg_without_script_and_names_as_typed():
    drawn = charts(report())
    assert [c.title for c in drawn] == ["Arrivals by time of day", "Attendance per day", "Hours per person"]
    for chart in drawn:
        root = ET.fromstring(chart.svg)
        assert chart.title in texts(chart.svg)
        assert not [e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("script")]
        assert (root.get("width"), root.get("height")) == (str(chart.width), str(chart.height))
    hours = texts(drawn[2].svg)
    assert HOSTILE[0] in hours and HOSTILE[1][:27] + "…" in hours
    assert "<script>" not in drawn[2].svg
    assert {"before 09:00", "from 09:00"} <= set(texts(drawn[0].svg)) and clock(9.75) == "09:45"


def test_bars_are_in_proportion_and_an_empty_period_still_draws():
    widths = sorted(float(r.get("width", 0)) for r in bars(charts(report())[2].svg))
    assert len(widths) == 2 and widths[1] == pytest.approx(2 * widths[0], rel=1e-3)
    # Two check-ins before 09:00 and two after: one bar each side of the work start.
    heights = [h for r in bars(charts(report())[0].svg) if (h := float(r.get("height", 0))) > 0]
    assert len(heights) == 3 and sorted(heights)[2] == pytest.approx(2 * sorted(heights)[0], rel=1e-3)
    empty = charts(report(arrivals=()))[0]
    assert "no check-ins" in texts(empty.svg)


def test_the_page_can_draw_the_charts_in_its_language():
    words = replace(
        ENGLISH,
        arrivals="按时段统计的到达",
        people_days="人·天",
        before_start="{time} 前",
        time_of_day="时段",
        attendance="每日出勤",
        people_present="出勤人数",
        hours="每人工时",
        hours_axis="小时",
    )
    drawn = charts(report(), words)
    assert [c.title for c in drawn] == ["按时段统计的到达", "每日出勤", "每人工时"]
    arrivals, attendance, hours = (texts(c.svg) for c in drawn)
    assert {"人·天", "09:00 前", "时段"} <= set(arrivals)
    assert "出勤人数" in attendance and "小时" in hours
    assert "无签到" in texts(charts(report(arrivals=()), replace(words, no_check_ins="无签到"))[0].svg)


def _picture(svg: str, width: int, height: int):
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(svg.encode()))
    assert renderer.isValid()
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def test_qt_draws_the_names_left_of_the_bars(qapp):
    chart = charts(report())[2]
    root = ET.fromstring(chart.svg)
    for parent in root.iter():
        for text in [t for t in parent if t.tag == f"{SVG}text" and t.text in (HOSTILE[0], HOSTILE[1][:27] + "…")]:
            parent.remove(text)
    with_names = _picture(chart.svg, chart.width, chart.height)
    without = _picture(ET.tostring(root, encoding="unicode"), chart.width, chart.height)
    names = [
        x
        for y in range(chart.height)
        for x in range(chart.width)
        if with_names.pixelColor(x, y) != without.pixelColor(x, y)
    ]
    bar = [
        x
        for y in range(chart.height)
        for x in range(chart.width)
        if (c := without.pixelColor(x, y)).blue() > c.red() + 60
    ]
    # Qt does not match pygal's `.axis.y text` rule; without the anchors written on the labels, they
    # would start at the axis and run over the bars.
    assert names and bar and max(names) < min(bar)
