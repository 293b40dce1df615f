"""The roll-call (who is in now), the audit log by dates and kind, and the working calendar's
settings, against real SQLite files."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
from datetime import date, datetime, time, timedelta

import numpy as np
import openpyxl
import pytest

from core.days import day_range
from core.errors import FaceGateError
from core.reports.figures import build_report
from core.reports.rollcall import who_is_in
from core.settings import Settings
from core.store import Store
from core.store.pin import hash_pin, verify_pin
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event
from desktop_app.cli.main import main
from desktop_app.report_output import write_report


@pytest.fixture
def home_store(tmp_path, monkeypatch):
    """A Store on the database the in-process CLI opens too."""
    url = f"sqlite:///{(tmp_path / 'facegate.db').as_posix()}"
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path))
    monkeypatch.setenv("FACEGATE_DB", url)
    monkeypatch.delenv("FACEGATE_ADMIN_PIN", raising=False)
    with Store(url) as store:
        yield store


def person(store: Store, name: str, group: str | None = None) -> int:
    vector = np.random.default_rng(len(name)).normal(size=4).astype(np.float32)
    return store.enrol(vector, "m", "1", 0.9, "photo", name=name, group=group).person.id


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).astimezone()


def store_events(store: Store, person_id: int, *kinds_at: tuple[str, datetime]) -> None:
    for kind, when in kinds_at:
        assert store.record_event(Event(person_id, None, when, kind, 0.8, "gate"))


def test_roll_call_is_exactly_whose_last_event_today_is_a_check_in(home_store, capsys):
    today = datetime.now().astimezone().date()
    yesterday = today - timedelta(days=1)
    ann, bob, cem, dan, eve, fay = (person(home_store, n, "Ops") for n in ("Ann", "Bob", "Cem", "Dan", "Eve", "Fay"))
    store_events(home_store, ann, (CHECK_IN, at(today, 0, 30)))
    store_events(home_store, bob, (CHECK_IN, at(today, 0, 10)), (CHECK_OUT, at(today, 0, 40)))
    store_events(
        home_store, cem, (CHECK_IN, at(today, 0, 5)), (CHECK_OUT, at(today, 0, 15)), (CHECK_IN, at(today, 0, 50))
    )
    store_events(home_store, dan, (CHECK_IN, at(yesterday, 22)))  # in yesterday, nothing today
    store_events(home_store, eve, (UNLOCK, at(today, 0, 20)))  # opened a door, never checked in
    store_events(
        home_store, fay, (CHECK_IN, at(today, 0, 1)), (UNLOCK, at(today, 0, 45))
    )  # an unlock is not an event of attendance

    inside = who_is_in(home_store)
    assert [(i.name, i.group) for i in inside] == [("Ann", "Ops"), ("Cem", "Ops"), ("Fay", "Ops")]
    assert inside[1].since == at(today, 0, 50)
    assert [i.name for i in who_is_in(home_store, now=at(yesterday, 23))] == ["Dan"]

    assert main(["people", "--in"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1] for line in lines[:-1]] == ["Ann", "Cem", "Fay"]
    assert lines[-1] == "3 in now"


def test_audit_filters_by_dates_and_kind_and_exports_csv(home_store, tmp_path, capsys, monkeypatch):
    ann = person(home_store, "Ann")
    home_store.delete_person(person(home_store, "Bob"))
    home_store.save_settings(dataclasses.replace(home_store.load_settings(), admin_pin_hash=hash_pin("246813")))
    assert home_store.pin_try(lambda stored: verify_pin("111111", stored), lambda failures: 0)[0] is False
    home_store.audit("kiosk", "presentation attack", "photo or screen refused: looked like Ann")
    home_store.audit("admin", "correct event", f"#{ann} check-out added")
    today = datetime.now().astimezone().date()
    kinds = {e.action: e for e in home_store.audit_between(*day_range(today, today))}
    assert {
        "add person",
        "enrol",
        "delete person",
        "change settings",
        "wrong admin PIN",
        "presentation attack",
        "correct event",
    } <= set(kinds)
    assert home_store.audit_between(*day_range(today - timedelta(days=3), today - timedelta(days=1))) == []
    assert [e.action for e in home_store.audit_between(*day_range(today, today), kinds={"pin", "refused-photo"})] == [
        "wrong admin PIN",
        "presentation attack",
    ]

    out = tmp_path / "audit.csv"
    window = ["--from", (today - timedelta(days=1)).isoformat(), "--to", today.isoformat()]
    capsys.readouterr()
    monkeypatch.setenv("FACEGATE_ADMIN_PIN", "246813")
    assert main(["audit", *window, "--kind", "deletion", "--kind", "correction", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote 2 audit entries to {out}\n"
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["kind"], r["action"]) for r in rows] == [("deletion", "delete person"), ("correction", "correct event")]
    assert main(["audit", *window, "--kind", "settings"]) == 0
    shown = capsys.readouterr().out
    # The PIN's hash changed, and the audit names the setting, never its value.
    assert "admin_pin_hash" in shown and "246813" not in shown and "scrypt" not in shown
    yesterday = (today - timedelta(days=1)).isoformat()
    assert main(["audit", "--from", yesterday, "--to", yesterday]) == 0
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("FACEGATE_ADMIN_PIN", "111111")
    assert main(["audit", *window]) == 2
    assert capsys.readouterr().err.startswith("facegate: ")


def test_hostile_names_stay_text_in_every_format(home_store, tmp_path):
    day = date(2025, 3, 3)
    mallory = person(home_store, '=HYPERLINK("http://x")<script>')
    store_events(home_store, mallory, (CHECK_IN, at(day, 9)), (CHECK_OUT, at(day, 17)))
    person(home_store, r"Cash $\frac{1}{$ Money")  # unbalanced mathematics if taken as such
    report = build_report(home_store, day, day)
    for format in ("html", "xlsx", "pdf"):
        write_report(report, format, tmp_path / f"r.{format}")
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True)
    assert r"Cash $\frac{1}{$ Money" in pdf_text.stdout
    assert "<script>" not in (tmp_path / "r.html").read_text(encoding="utf-8")
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx")["Per person"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert report.people[0].hours == 8


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("work_start", "9am", "HH:MM"),
        ("work_start", "24:00", "HH:MM"),
        ("working_days", "mon funday", "day names"),
        ("holidays", "2025-02-30", "YYYY-MM-DD"),
        ("late_grace_min", 500, "between 0 and 240"),
    ],
)
def test_working_calendar_settings_are_checked(field, value, message):
    with pytest.raises(FaceGateError, match=message):
        Settings(**{field: value})


def test_stored_calendar_decides_lates_and_absences(home_store):
    monday = date(2025, 3, 3)
    ann = person(home_store, "Ann")
    store_events(home_store, ann, (CHECK_IN, at(monday, 10)))  # late at 09:00, on time at 10:30
    week = (monday, monday + timedelta(days=6))
    first = build_report(home_store, *week).people[0]
    assert (first.late, first.absent, first.no_check_out, first.hours) == (1, 4, 1, 0)
    home_store.save_settings(
        dataclasses.replace(
            home_store.load_settings(), work_start="10:30", working_days="mon, tue", holidays="2025-03-04"
        )
    )
    again = build_report(home_store, *week).people[0]
    assert (again.late, again.absent) == (0, 0)
    assert build_report(home_store, *week, today=monday).people[0].absent == 0  # the future is no absence
