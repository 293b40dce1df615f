"""The reports' charts as SVG written by core/reports/charts.py: well-formed, every name drawn as
text exactly as typed, bars in proportion on axes with round ticks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, time

import pytest

from core.reports.charts import ChartWords, charts, clock, nice_ticks
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


@pytest.mark.parametrize(
    "top, whole, ticks",
    [
        (18, True, [0, 5, 10, 15, 20]),
        (3, True, [0, 1, 2, 3]),
        (0, True, [0, 1]),
        (167.5, False, [0, 50, 100, 150, 200]),
        (0.7, False, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    ],
)
def test_ticks_are_round_and_reach_the_top(top, whole, ticks):
    assert nice_ticks(top, whole=whole) == pytest.approx(ticks)


def test_each_chart_is_well_formed_svg_with_names_as_typed():
    drawn = charts(report())
    assert [c.title for c in drawn] == ["Arrivals by time of day", "Attendance per day", "Hours per person"]
    for chart in drawn:
        assert texts(chart.svg)[0] == chart.title
    hours = texts(drawn[2].svg)
    assert HOSTILE[0] in hours and HOSTILE[1][:27] + "…" in hours
    assert "<script>" not in drawn[2].svg
    assert "work starts 09:00" in texts(drawn[0].svg) and clock(9.75) == "09:45"


def test_bars_are_in_proportion_and_an_empty_period_still_draws():
    hours = ET.fromstring(charts(report())[2].svg)
    bars = [float(r.get("width", 0)) for r in hours.iter(f"{SVG}rect") if r.get("fill") == "#2f6fb0"]
    assert len(bars) == 2 and bars[1] == pytest.approx(2 * bars[0])
    arrivals = charts(report(arrivals=()))[0]
    assert "no check-ins" in texts(arrivals.svg)


def test_the_page_can_draw_the_charts_in_its_language():
    words = ChartWords(
        arrivals="按时段统计的到达",
        people_days="人·天",
        no_check_ins="无签到",
        work_starts="上班时间 {time}",
        time_of_day="时段",
        attendance="每日出勤",
        people_present="出勤人数",
        hours="每人工时",
        hours_axis="小时",
    )
    drawn = charts(report(arrivals=()), words)
    assert [c.title for c in drawn] == ["按时段统计的到达", "每日出勤", "每人工时"]
    arrivals, attendance, hours = (texts(c.svg) for c in drawn)
    assert {"人·天", "无签到", "上班时间 09:00", "时段"} <= set(arrivals)
    assert "出勤人数" in attendance and "小时" in hours
