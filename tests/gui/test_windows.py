"""The Qt app on the offscreen platform with real faces: check-in, unlock, PIN, enrolment, people,
attendance and settings screens."""

import csv
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pytest
from PySide6.QtCore import QDate, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLabel
from sqlalchemy import event
from sqlalchemy.engine import Engine

from core.matching.cascade import Cascade
from core.matching.gallery import model_key
from core.store.pin import verify_pin
from core.types import CHECK_IN, Event
from desktop_app.gui.kiosk_view import HINT, NOT_RECOGNISED
from desktop_app.gui.locale_format import date_text

DAY = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
TIMEOUT_MS = 20_000


def test_kiosk_window_checks_in_once_and_confirms_by_name(qtbot, window, store, enrolled, person_folder):
    win = window(person_folder)
    qtbot.waitUntil(lambda: win.worker.isFinished() and "checked in" in win.kiosk.banner.text(), timeout=TIMEOUT_MS)
    assert [(e.name, e.kind) for e in store.events(*DAY)] == [("George W Bush", CHECK_IN)]
    assert "Welcome, George W Bush" in win.kiosk.banner.text() and not win.kiosk.banner.isHidden()
    system = win.admin.system
    assert system.fps_label.text().endswith("fps")
    # Admin → System names the folder, not its path (the path is in the tooltip).
    assert person_folder.name in system.camera_label.text()
    assert str(person_folder.parent) not in system.camera_label.text()
    assert str(person_folder) in system.camera_label.toolTip()


def test_stranger_gets_the_not_recognised_hint(qtbot, window, store, enrolled, camera_folder, lfw_photos):
    folder = camera_folder("stranger", lfw_photos("Jean_Chretien", ("0002", "0008")), repeats=12)
    win = window(folder)
    qtbot.waitUntil(
        lambda: win.kiosk.banner.showing(HINT) and win.kiosk.banner.text() == NOT_RECOGNISED, timeout=TIMEOUT_MS
    )
    assert store.events(*DAY) == []


def test_unlock_screen_opens_for_the_chosen_person_after_a_camera_error(
    qtbot, window, tmp_path, enrolled, person_folder
):
    win = window(tmp_path / "unplugged")
    qtbot.waitUntil(lambda: "unplugged" in win.admin.system.camera_label.text(), timeout=TIMEOUT_MS)
    assert "retrying" in win.admin.system.camera_label.text()
    win.show_unlock()
    win.unlock.person.setCurrentIndex(win.unlock.person.findData(enrolled.id))
    win.unlock.start_button.click()
    # Arming takes the admin PIN (chosen here on first use): a passer-by cannot pick who opens.
    dialog = win.unlock.pin_dialog
    assert dialog.isVisible() and dialog.setting and win.unlock._armed is None
    dialog.pin.setText("135790")
    dialog.repeat.setText("135790")
    dialog.ok_button.click()
    assert win.unlock._armed == [enrolled.id]
    # Armed shows: whom the door waits for, and the button now disarms.
    assert win.unlock.state.text() == "LOCKED — armed for George W Bush"
    assert win.unlock.start_button.text() == "Disarm…" and not win.unlock.person.isEnabled()
    win.worker.set_camera(str(person_folder))
    qtbot.waitUntil(lambda: win.unlock.state.text() == "UNLOCKED — George W Bush", timeout=TIMEOUT_MS)
    assert win.unlock.banner.isHidden()


def test_admin_pin_is_set_on_first_use_then_verified(qtbot, store):
    from desktop_app.gui.admin.pin_dialog import PinDialog

    first = PinDialog(store)
    qtbot.addWidget(first)
    assert first.setting
    first.pin.setText("12")
    first.repeat.setText("12")
    first.ok_button.click()
    assert "at least 6 digits" in first.message.text() and not first.result()
    first.pin.setText("abcdefgh")
    first.repeat.setText("abcdefgh")
    first.ok_button.click()
    assert "digits" in first.message.text() and not first.result()
    first.pin.setText("246813")
    first.repeat.setText("864213")
    first.ok_button.click()
    assert "differ" in first.message.text()
    first.pin.setText("246813")
    first.repeat.setText("246813")
    first.ok_button.click()
    assert first.result() == PinDialog.DialogCode.Accepted
    assert verify_pin("246813", store.load_settings().admin_pin_hash)

    later = PinDialog(store)
    qtbot.addWidget(later)
    assert not later.setting and later.repeat.isHidden()
    later.pin.setText("000000")
    later.ok_button.click()
    assert later.message.text() == "Wrong PIN." and not later.result()
    assert any(entry.action == "wrong admin PIN" for entry in store.audit_log())
    later.pin.setText("246813")
    later.ok_button.click()
    assert later.result() == PinDialog.DialogCode.Accepted


def _drop(widget, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    widget.dropEvent(event)


def test_enrol_from_photos_in_the_admin_screen_with_duplicate_warning(
    qtbot, window, store, lfw_photos, stranger_folder, tmp_path
):
    win = window(stranger_folder)
    win.enter_admin()
    page = win.admin.enrol
    page.name.setText("George W Bush")
    page.group.setText("staff")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"no")
    photos = lfw_photos("George_W_Bush", ("0007", "0016", "0065"))
    page.add_photos(photos[:2] + [broken])
    qtbot.waitUntil(lambda: page.photo_list.count() == 3, timeout=TIMEOUT_MS)
    _drop(page, photos[2:])  # drag-and-drop goes the same way
    qtbot.waitUntil(lambda: page.photo_list.count() == 4, timeout=TIMEOUT_MS)
    items = [page.photo_list.item(i).text() for i in range(4)]
    assert items[0].startswith("✓") and items[2].startswith("✗ broken.jpg") and items[3].startswith("✓")
    page.enrol_button.click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Enrolled"), timeout=TIMEOUT_MS)
    person = store.find_person_by_name("George W Bush")
    assert person.group == "staff" and "3 template" in page.status.text()
    # Admin → System counts them at once, and the kiosk's thresholds follow the bigger gallery.
    assert win.admin.system.template_label.text() == "3 templates of the model in use"
    qtbot.waitUntil(lambda: "3 enrolled templates" in win.admin.system.threshold_label.text(), timeout=TIMEOUT_MS)

    page.name.setText("Someone Else")
    page.add_photos(photos[:1])
    qtbot.waitUntil(lambda: page.enrol_button.isEnabled(), timeout=TIMEOUT_MS)
    page.enrol_button.click()
    qtbot.waitUntil(lambda: not page.warning.isHidden(), timeout=TIMEOUT_MS)
    assert "George W Bush" in page.warning.text() and page.enrol_button.text() == "Enrol anyway"
    assert store.find_person_by_name("Someone Else") is None
    page.enrol_button.click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Enrolled Someone Else"), timeout=TIMEOUT_MS)


def _person(store, name: str, group: str | None = None, external_id: str | None = None):
    """A person as enrolment makes one: with a template (of a model not in use here)."""
    vector = np.ones(4, np.float32) / 2
    return store.enrol(vector, "m", "1", 0.9, "photo", name=name, group=group, external_id=external_id).person


def _staff(store, name: str):
    return _person(store, name, group="staff")


def test_people_page_searches_and_deactivates(qtbot, window, store, tmp_path):
    _staff(store, "George W Bush")
    _staff(store, "Ada Lovelace")
    win = window(tmp_path / "no-camera")
    win.enter_admin()
    win.admin.setCurrentWidget(win.admin.people)
    page = win.admin.people
    assert page.table.model().rowCount() == 2
    page.search.setText("ada")
    assert page.table.model().rowCount() == 1
    page.table.selectRow(0)
    page.toggle_active()
    assert not store.find_person_by_name("Ada Lovelace").active
    assert page.table.model().rowCount() == 0


def test_attendance_page_filters_summarises_and_exports_csv(qtbot, store, tmp_path):
    from desktop_app.gui.admin.attendance_page import AttendancePage

    enrolled = _staff(store, "George W Bush")
    now = datetime.now(timezone.utc)
    store.record_event(Event(enrolled.id, enrolled.name, now, CHECK_IN, 0.8, "front-door"))
    page = AttendancePage(store)
    qtbot.addWidget(page)
    page.refresh_filters()
    page.refresh()
    assert page.events.model().rowCount() == 1 and page.summary.model().rowCount() == 1
    assert page.summary.model().index(0, 1).data() == "George W Bush"
    page.group.setCurrentIndex(page.group.findData("staff"))
    page.apply_filters()
    assert page.events.model().rowCount() == 1
    page.person.setCurrentIndex(page.person.findData(None))
    path = tmp_path / "attendance.csv"
    page.export(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["person"], r["kind"], r["kiosk"]) for r in rows] == [("George W Bush", "check-in", "front-door")]
    assert "Exported 1 event" in page.message.text()


@contextmanager
def _store_queries():
    """Every SQL statement any engine runs meanwhile (the real listener, not a stand-in Store)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


def _column(view, column: int) -> list[str]:
    """A column's cells as the view shows them, top to bottom."""
    model = view.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _click_header(qtbot, view, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def _people_page(qtbot, store, pipeline):
    from desktop_app.gui.admin.people_page import PeoplePage

    page = PeoplePage(store, pipeline.embedder)
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    qtbot.waitExposed(page)
    page.refresh()
    return page


def test_people_search_filters_as_you_type_without_querying_the_store(qtbot, store, pipeline):
    _person(store, "Ada Lovelace", external_id="E-7", group="staff")
    _person(store, "Grace Hopper", group="Research")
    _person(store, "Alan Turing", group="visitors")
    page = _people_page(qtbot, store, pipeline)
    with _store_queries() as statements:
        qtbot.keyClicks(page.search, "RESEARCH")  # a group, typed in another case
        assert _column(page.table, 1) == ["Grace Hopper"]
        page.search.clear()
        qtbot.keyClicks(page.search, "e-7 ")  # an external id, with a stray space
        assert _column(page.table, 1) == ["Ada Lovelace"]
        page.search.setText("active")  # the Status column is not searched
        assert _column(page.table, 1) == []
        page.search.clear()
        assert _column(page.table, 1) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert statements == []


def test_people_table_sorts_by_the_clicked_header(qtbot, store, pipeline):
    _person(store, "ada Lovelace", group="staff")
    _person(store, "Bob Marley", group="admin")
    _person(store, "Zoë Saldana", group="research")
    page = _people_page(qtbot, store, pipeline)
    assert _column(page.table, 1) == ["ada Lovelace", "Bob Marley", "Zoë Saldana"]  # by name, ignoring case
    _click_header(qtbot, page.table, 3)
    assert _column(page.table, 3) == ["admin", "research", "staff"]
    _click_header(qtbot, page.table, 3)
    assert _column(page.table, 3) == ["staff", "research", "admin"]


def test_actions_hit_the_person_selected_in_a_sorted_filtered_table(qtbot, store, pipeline):
    ann = _person(store, "Ann", group="staff")
    anna = _person(store, "Anna", group="staff")
    annabel = _person(store, "Annabel", group="visitors")
    _person(store, "Bob", group="staff")
    page = _people_page(qtbot, store, pipeline)
    page.search.setText("ann")
    _click_header(qtbot, page.table, 1)  # name, now descending
    assert _column(page.table, 1) == ["Annabel", "Anna", "Ann"]
    page.table.selectRow(0)
    with qtbot.waitSignal(page.reenrol) as chosen:
        page.start_reenrol()
    assert chosen.args == [annabel]
    page.table.selectRow(1)
    page.toggle_active()
    assert [p.name for p in store.list_people(include_inactive=True) if not p.active] == ["Anna"]
    assert page.message.text() == "Anna is no longer recognised."
    # Deactivated people show, greyed and marked, once asked for; the search and the order stay.
    assert _column(page.table, 1) == ["Annabel", "Ann"]
    page.show_inactive.setChecked(True)
    assert _column(page.table, 1) == ["Annabel", "Anna", "Ann"] and _column(page.table, 4)[1] == "deactivated"
    assert page.table.model().index(1, 1).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert page.table.model().index(0, 1).data(Qt.ItemDataRole.ForegroundRole) is None
    page.table.selectRow(1)
    page.toggle_active()
    assert store.get_person(anna.id).active and store.get_person(ann.id).active


def test_people_table_flags_templates_of_another_model(qtbot, store, pipeline):
    vector = np.ones(512, dtype=np.float32) / np.sqrt(512)
    store.enrol(vector, *model_key(pipeline.embedder), 0.9, "photo", name="New Starter")
    store.enrol(vector, "an-older-model", "1", 0.9, "photo", name="Old Timer")
    page = _people_page(qtbot, store, pipeline)
    assert list(zip(_column(page.table, 1), _column(page.table, 5))) == [
        ("New Starter", "1"),
        ("Old Timer", "0 · ⚠ made by a model not in use"),
    ]
    assert "1 template was made by a model not in use" in page.stale_note.text()
    assert "Enrol again (no kept crop): Old Timer." in page.stale_note.text()
    assert not page.recompute_button.isEnabled()  # nothing to make templates from


def test_attendance_tables_show_the_chosen_days_and_filter_without_querying(qtbot, store):
    from desktop_app.gui.admin.attendance_page import AttendancePage

    ada = _person(store, "Ada Lovelace", group="staff")
    bob = _person(store, "Bob Marley", group="visitors")
    today = date.today()

    def noon(days_ago: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(12)).astimezone()

    def day(days_ago: int) -> str:
        return date_text(today - timedelta(days=days_ago))

    for person, days_ago in ((ada, 0), (bob, 0), (ada, 3), (bob, 10)):
        store.record_event(Event(person.id, person.name, noon(days_ago), CHECK_IN, 0.8, "front-door"))
    page = AttendancePage(store)
    qtbot.addWidget(page)
    page.refresh_filters()
    page.refresh()  # the last seven days
    assert sorted(zip(_column(page.events, 0), _column(page.events, 2))) == sorted(
        [(day(3), "Ada Lovelace"), (day(0), "Ada Lovelace"), (day(0), "Bob Marley")]
    )
    assert page.message.text() == "3 events, 3 person-days."
    page.start.setDate(QDate(today - timedelta(days=10)))
    page.end.setDate(QDate(today - timedelta(days=1)))
    assert _column(page.events, 0) == [day(10), day(3)]  # oldest first
    assert list(zip(_column(page.summary, 0), _column(page.summary, 1))) == [
        (day(10), "Bob Marley"),
        (day(3), "Ada Lovelace"),
    ]
    with _store_queries() as statements:
        page.group.setCurrentIndex(page.group.findData("visitors"))
        page.apply_filters()
        assert _column(page.events, 2) == _column(page.summary, 1) == ["Bob Marley"]
        assert page.message.text() == "1 event, 1 person-day."
        page.group.setCurrentIndex(page.group.findData(None))
        page.person.setCurrentIndex(page.person.findData(ada.id))
        page.apply_filters()
        assert _column(page.events, 2) == ["Ada Lovelace"]
    assert statements == []


def test_settings_page_saves_and_calibrates(qtbot, window, store, enrolled, stranger_folder):
    win = window(stranger_folder)
    win.enter_admin()
    # Admin is a window of its own; the kiosk screen behind it stays as it was.
    assert win.admin_window.isVisible()
    assert [page for page, action in win.screen_actions.items() if action.isChecked()] == [win.kiosk]
    win.admin.setCurrentWidget(win.admin.settings)
    page = win.admin.settings
    page.cooldown.setValue(600)
    page.kiosk_id.setText("lobby")
    page.save()
    saved = store.load_settings()
    assert (saved.cooldown_s, saved.kiosk_id) == (600.0, "lobby")
    # The stored camera was not changed, so the one given on the command line keeps playing.
    assert win.worker.camera == str(stranger_folder)
    page.camera.setText(str(stranger_folder.parent))
    page.save()
    assert win.worker.camera == store.load_settings().camera_source == str(stranger_folder.parent)
    page.calibrate_button.click()
    qtbot.waitUntil(lambda: "false accepts" in page.calibration.text(), timeout=TIMEOUT_MS)
    assert "3 genuine pairs" in page.calibration.text()


@pytest.mark.parametrize("verify", [True, False], ids=["verifier", "student-alone"])
def test_admin_system_page_names_both_models_and_each_ones_thresholds(
    qtbot, window, store, pipeline, sample_enrolled, sample_person_folder, verify
):
    store.save_settings(replace(store.load_settings(), verify_verdicts=verify))
    win = window(sample_person_folder)
    system = win.admin.system
    qtbot.waitUntil(lambda: system.threshold_label.text() != "", timeout=TIMEOUT_MS)
    student, verifier = pipeline.embedder, pipeline.verifier
    models = system.model_label.text()
    assert f"student {student.path.name} ({student.model_id})" in models
    if verify:
        assert f"verifier {verifier.path.name} ({verifier.model_id})" in models
    else:
        assert "no verifier" in models and verifier.model_id not in models
    # The thresholds label is the kiosk's cascade's own line: each model's thresholds for the gallery now.
    cascade = Cascade(store, pipeline, store.load_settings(), unlock=False)
    shown = system.threshold_label.text()
    assert shown == cascade.describe()
    t = cascade.student_thresholds
    assert f"student: 15 enrolled templates: attendance {t.attendance:.3f}, unlock {t.unlock:.3f}" in shown
    v = cascade.verifier_thresholds
    if verify:
        assert v is not None and f"verifier: 15 enrolled templates: attendance {v.attendance:.3f}" in shown
    else:
        assert v is None and "verifier:" not in shown
    # None of it is on the public status bar: that shows the time, the site and a health dot.
    public = " ".join(label.text() for label in win.statusBar().findChildren(QLabel))
    assert student.model_id not in public and "threshold" not in public and "template" not in public
    win.enter_admin()
    win.admin.setCurrentWidget(system)
    assert system.template_label.text() == "15 templates of the model in use"
