"""Admin pages that do what they show: Attendance exports what its filters show (events, the daily
summary, unlocks apart), People lists the CLI's ids, faces, template counts and last sightings;
and the kiosk's In/Out bar and "already checked in" banner. Real Qt widgets offscreen, real stores."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
from PySide6.QtCore import Qt

from core.enrol.enroller import Enroller
from core.kiosk.kiosk import KioskResult, already_said
from core.settings import Settings
from core.store import CheckinRule
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event
from desktop_app.gui.locale_format import date_text, datetime_text, time_text

TOM = "Tom Hanks"


def _person(store, name: str, group: str | None = None) -> int:
    return store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=name, group=group).person.id


def _cells(view) -> list[list[str]]:
    model = view.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def _read(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def _attendance_page(qtbot, store):
    from desktop_app.gui.admin.attendance_page import AttendancePage

    page = AttendancePage(store)
    qtbot.addWidget(page)
    page.refresh_filters()
    page.refresh()
    return page


def _a_day_at_work(store) -> dict[str, int]:
    """Yesterday: Ann and Bob (staff) in and out, Cy (visitor) on a night shift; Ann unlocks."""
    ids = {name: _person(store, name, group) for name, group in (("Ann", "staff"), ("Bob", "staff"), ("Cy", "guests"))}
    yesterday = date.today() - timedelta(days=1)

    def at(hour: int) -> datetime:
        return datetime.combine(yesterday, time()).astimezone() + timedelta(hours=hour)

    rule = CheckinRule.from_settings(Settings())
    for name, hours in (("Ann", (8, 17)), ("Bob", (9, 18)), ("Cy", (22, 30))):
        for hour in hours:
            store.record_attendance(Event(ids[name], None, at(hour), CHECK_IN, 0.8, "door"), rule)
    store.record_event(Event(ids["Ann"], None, at(12), UNLOCK, 0.9, "door"))
    return ids


def test_attendance_exports_follow_the_person_and_group_filters(qtbot, store, tmp_path):
    ids = _a_day_at_work(store)
    page = _attendance_page(qtbot, store)
    assert [a.text() for a in page.export_menu.actions()] == [
        "Daily summary…",
        "Check-ins and outs…",
        "Unlocks…",
        "Corrections…",
    ]
    path = tmp_path / "out.csv"
    page.person.setCurrentIndex(page.person.findData(ids["Ann"]))
    page.apply_filters()
    page.export(path)
    assert [(r["person"], r["kind"]) for r in _read(path)] == [("Ann", CHECK_IN), ("Ann", CHECK_OUT)]
    assert page.message.text() == f"Exported 2 events to {path}."
    page.person.setCurrentIndex(page.person.findData(None))
    page.group.setCurrentIndex(page.group.findData("staff"))
    page.apply_filters()
    page.export(path)
    assert {r["person"] for r in _read(path)} == {"Ann", "Bob"} and len(_read(path)) == 4
    # Unlocks are no attendance: their own tab and their own export.
    assert UNLOCK not in {r["kind"] for r in _read(path)}
    assert [row[2] for row in _cells(page.unlocks)] == ["Ann"]
    page.export(path, "unlocks")
    assert [(r["person"], r["kind"]) for r in _read(path)] == [("Ann", UNLOCK)]


def test_the_summary_export_is_the_summary_table(qtbot, store, tmp_path):
    _a_day_at_work(store)
    page = _attendance_page(qtbot, store)
    table = _cells(page.summary)  # Date, Person, Group, First in, Last out
    assert [row[1:] for row in table] == [
        ["Ann", "staff", "08:00", "17:00"],
        ["Bob", "staff", "09:00", "18:00"],
        # The night shift is one row, on the day it began.
        ["Cy", "guests", "22:00", "06:00 +1"],
    ]
    path = tmp_path / "summary.csv"
    page.export(path, "summary")
    rows = _read(path)
    # The export writes ISO dates where the table shows the locale's.
    day = [date_text(date.fromisoformat(r["date"])) for r in rows]
    assert [[d, r["person"], r["group"], r["first_in"], r["last_out"]] for d, r in zip(day, rows)] == table
    page.group.setCurrentIndex(page.group.findData("guests"))
    page.apply_filters()
    page.export(path, "summary")
    assert [r["person"] for r in _read(path)] == ["Cy"] == [row[1] for row in _cells(page.summary)]
    assert page.message.text() == f"Exported 1 person-day to {path}."


def test_people_page_shows_the_cli_id_face_templates_and_last_seen(qtbot, store, pipeline, sample_people):
    from desktop_app.gui.admin.people_page import PeoplePage

    tom = Enroller(store, pipeline).enrol_photos(TOM, sample_people[TOM].photos).person
    never = _person(store, "Nobody Yet")
    seen = datetime(2025, 5, 6, 7, 8, tzinfo=timezone.utc)
    store.record_event(Event(tom.id, TOM, seen, CHECK_IN, 0.9, "door"))
    page = PeoplePage(store, pipeline.embedder, pipeline.verifier)
    qtbot.addWidget(page)
    page.refresh()
    headers = [page.table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers == ["Id", "Name", "External id", "Group", "Status", "Templates", "Last seen"]
    rows = _cells(page.table)
    assert [(r[0], r[1], r[5], r[6]) for r in rows] == [
        (f"#{never}", "Nobody Yet", "0 · ⚠ made by a model not in use", "never"),
        (f"#{tom.id}", TOM, "3", datetime_text(seen)),
    ]
    # His face beside his name (a kept crop); none for someone enrolled without one.
    face = page.table.model().index(1, 1).data(Qt.ItemDataRole.DecorationRole)
    assert face is not None and not face.isNull() and max(face.width(), face.height()) == 40
    assert page.table.model().index(0, 1).data(Qt.ItemDataRole.DecorationRole) is None
    assert set(store.face_thumbnails()) == {tom.id}


def _result(**fields) -> KioskResult:
    return KioskResult(np.zeros((48, 64, 3), np.uint8), (), (), 10.0, datetime.now(timezone.utc), **fields)


def test_direction_bar_shows_in_buttons_mode_and_takes_i_and_o(qtbot):
    from desktop_app.gui.kiosk_view import KioskView

    view = KioskView()
    qtbot.addWidget(view)
    with qtbot.waitActive(view):
        view.show()
        view.activateWindow()
    bar = view.direction
    view.show_result(_result())
    assert bar.isHidden()  # auto mode: no buttons
    view.show_result(_result(buttons=True))
    assert bar.isVisible() and not any(b.isChecked() for b in bar.buttons.values())
    with qtbot.waitSignal(bar.chosen) as chosen:
        qtbot.keyClick(view, Qt.Key.Key_O)
    assert chosen.args == [CHECK_OUT] and bar.buttons[CHECK_OUT].isChecked()
    with qtbot.waitSignal(bar.chosen) as chosen:
        bar.buttons[CHECK_IN].click()
    assert chosen.args == [CHECK_IN] and not bar.buttons[CHECK_OUT].isChecked()
    # The kiosk used the choice on the person it recorded: the bar follows.
    view.show_result(_result(buttons=True, direction=None))
    assert not bar.buttons[CHECK_IN].isChecked()


def test_kiosk_view_says_already_checked_in_at(qtbot):
    from desktop_app.gui.kiosk_view import KioskView

    view = KioskView()
    qtbot.addWidget(view)
    earlier = Event(1, "Ann", datetime(2025, 5, 6, 8, 12, tzinfo=timezone.utc), CHECK_IN, 0.8, "door")
    view.show_already((earlier,))
    local = earlier.time.astimezone()
    # The screen's time in its language's format; the command line's in 24 hours.
    assert view.banner.text() == f"Ann — already checked in at {time_text(local)}"
    assert already_said(earlier) == f"Ann — already checked in at {local:%H:%M}"
    assert not view.banner.isHidden()


def test_the_check_in_window_says_already_checked_in(qtbot, window, store, pipeline, sample_people):
    from tests.conftest import SAMPLE_PERSON

    person = sample_people[SAMPLE_PERSON]
    tom = Enroller(store, pipeline).enrol_photos(SAMPLE_PERSON, person.photos).person
    rule = CheckinRule.from_settings(store.load_settings())
    earlier = datetime.now(timezone.utc) - timedelta(minutes=1)
    store.record_attendance(Event(tom.id, None, earlier, CHECK_IN, 0.8, "other-door"), rule)
    win = window(person.camera)
    qtbot.waitUntil(lambda: "already" in win.kiosk.banner.text(), timeout=20_000)
    assert win.kiosk.banner.text() == f"{SAMPLE_PERSON} — already checked in at {time_text(earlier)}"
    assert [e.time for e in store.events(earlier - timedelta(hours=1), earlier + timedelta(hours=1))] == [earlier]
