"""The Reports and Audit pages offscreen on real SQLite files: the generated month's figures and
charts, the roll-call, saving the report, and the audit log filtered and exported."""

from __future__ import annotations

import csv
from datetime import datetime

import numpy as np
import openpyxl
from PySide6.QtCore import QDate
from PySide6.QtSvgWidgets import QSvgWidget

from core.types import CHECK_IN, CHECK_OUT, Event
from desktop_app.gui.admin.audit_page import AuditPage
from desktop_app.gui.admin.reports_page import ReportsPage
from tests.reports.month import FIRST, LAST, build_month


def _rows(view) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _person(store, name: str, group: str | None = None) -> int:
    vector = np.random.default_rng(len(name)).normal(size=4).astype(np.float32)
    return store.enrol(vector, "m", "1", 0.9, "photo", name=name, group=group).person.id


def test_reports_page_shows_the_months_figures_charts_and_saves_them(qtbot, db_url, store, tmp_path):
    expected = build_month(db_url)
    page = ReportsPage(store)
    qtbot.addWidget(page)
    page.dates.set_days(FIRST, LAST)
    page.refresh_filters()
    page.refresh()
    people = _rows(page.people_view)
    assert [row[0] for row in people] == sorted(expected)
    for row in people:
        want = expected[row[0]]
        assert row[2:] == [
            str(want.days_present),
            f"{want.hours:.2f}",
            str(want.no_check_out),
            str(want.late),
            str(want.absent),
        ]
    days = _rows(page.days_view)
    assert len(days) == 31 and days[2][:4] == [
        "2025-03-03",
        "Mon",
        "yes",
        str(sum(FIRST.replace(day=3) in w.present_on for w in expected.values())),
    ]
    views = page.charts.findChildren(QSvgWidget)
    assert all(v.renderer().isValid() for v in views)
    assert [v.accessibleName() for v in views] == [
        "Arrivals by time of day",
        "Attendance per day",
        "Hours per person",
    ]
    assert "late after 5 min grace" in page.rules.text()

    page.group.setCurrentIndex(page.group.findData("Office"))
    page.refresh()
    assert {row[1] for row in _rows(page.people_view)} == {"Office"} and len(_rows(page.people_view)) == 10
    page.save(tmp_path / "office.xlsx")
    saved = openpyxl.load_workbook(tmp_path / "office.xlsx")["Per person"]
    assert [r[0] for r in saved.iter_rows(min_row=2, values_only=True)] == [row[0] for row in _rows(page.people_view)]
    page.save(tmp_path / "office.pdf")
    assert (tmp_path / "office.pdf").read_bytes().startswith(b"%PDF")
    page.save(tmp_path / "office.txt")
    assert not (tmp_path / "office.txt").exists() and "Choose a file ending in" in page.message.text()


def test_who_is_in_now_lists_whose_last_event_today_is_a_check_in(qtbot, store):
    now = datetime.now().astimezone()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    ann, bob = _person(store, "Ann", "Ops"), _person(store, "Bob")
    store.record_event(Event(ann, None, midnight.replace(minute=10), CHECK_IN, 0.8, "gate"))
    store.record_event(Event(bob, None, midnight.replace(minute=5), CHECK_IN, 0.8, "gate"))
    store.record_event(Event(bob, None, midnight.replace(minute=20), CHECK_OUT, 0.8, "gate"))
    page = ReportsPage(store)
    qtbot.addWidget(page)
    page.refresh_roll_call()
    assert _rows(page.roll_view) == [["Ann", "Ops", "00:10"]]
    assert page.roll_count.text() == "1 in now"


def test_audit_page_filters_by_dates_and_kind_searches_and_exports(qtbot, store, tmp_path):
    _person(store, "Ann")
    store.delete_person(_person(store, "Bob"))
    store.audit("kiosk", "presentation attack", "photo or screen refused: looked like Ann")
    page = AuditPage(store)
    qtbot.addWidget(page)
    page.refresh()
    assert {row[3] for row in _rows(page.view)} >= {"add person", "enrol", "delete person", "presentation attack"}
    page.kind.setCurrentIndex(page.kind.findData("deletion"))
    assert [row[1:4] for row in _rows(page.view)] == [["deletion", "admin", "delete person"]]
    page.kind.setCurrentIndex(page.kind.findData(None))
    page.search.setText("looked like")
    assert [row[3] for row in _rows(page.view)] == ["presentation attack"]
    page.export(tmp_path / "audit.csv")
    with open(tmp_path / "audit.csv", newline="", encoding="utf-8-sig") as f:
        assert [(r["kind"], r["action"]) for r in csv.DictReader(f)] == [("refused-photo", "presentation attack")]
    page.search.clear()
    page.dates.start.setDate(QDate.currentDate().addDays(-9))
    page.dates.end.setDate(QDate.currentDate().addDays(-8))  # read again: nothing audited then
    assert _rows(page.view) == []
