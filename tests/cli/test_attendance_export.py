"""`facegate attendance export` with --person, --group, --summary and --unlock, as the Attendance
page exports them: only the rows asked for, the summary as the summary table lists it."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from core.days import day_range
from core.settings import Settings
from core.store import CheckinRule, Store
from core.types import CHECK_IN, UNLOCK, Event
from desktop_app.cli import main

D = date(2024, 3, 4)
SPAN = ["--from", "2024-03-04", "--to", "2024-03-04"]


def local(hour: float, day: date = D) -> datetime:
    """An hour of day D on this machine's clock, the days the export is chosen in."""
    return (datetime(day.year, day.month, day.day) + timedelta(hours=hour)).astimezone()


@pytest.fixture
def site(home):
    """Ann and Bob in staff, Cy visiting; a day of check-ins and outs, and one unlock."""
    with Store(f"sqlite:///{(home / 'facegate.db').as_posix()}") as store:
        ids = {}
        for name, group in (("Ann", "staff"), ("Bob", "staff"), ("Cy", "visitors")):
            ids[name] = store.enrol(
                np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=name, group=group
            ).person.id
        rule = CheckinRule.from_settings(Settings())
        for name, hours in (("Ann", (8, 17)), ("Bob", (9, 18)), ("Cy", (22, 30))):
            for h in hours:
                store.record_attendance(Event(ids[name], None, local(h), CHECK_IN, 0.8, "door"), rule)
        store.record_event(Event(ids["Ann"], None, local(12), UNLOCK, 0.9, "door"))
        yield store, ids


def export(tmp_path, *args: str) -> list[dict[str, str]]:
    out = tmp_path / "out.csv"
    assert main(["attendance", "export", *args, "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_person_and_group_keep_to_their_rows(site, tmp_path, capsys):
    _, ids = site
    assert [(r["person"], r["kind"]) for r in export(tmp_path, *SPAN, "--person", "Ann")] == [
        ("Ann", "check-in"),
        ("Ann", "check-out"),
    ]
    assert "wrote 2 events" in capsys.readouterr().out
    assert {r["person"] for r in export(tmp_path, *SPAN, "--person", f"#{ids['Bob']}")} == {"Bob"}
    assert {r["person"] for r in export(tmp_path, *SPAN, "--group", "staff")} == {"Ann", "Bob"}
    # Without dates: every day there is.
    assert len(export(tmp_path, "--group", "visitors")) == 2


def test_unlocks_are_not_attendance_and_have_their_own_export(site, tmp_path, capsys):
    assert "unlock" not in {r["kind"] for r in export(tmp_path, *SPAN)}
    assert [(r["person"], r["kind"]) for r in export(tmp_path, *SPAN, "--unlock")] == [("Ann", "unlock")]
    assert "wrote 1 unlock event" in capsys.readouterr().out


def test_summary_matches_the_daily_summary_night_shift_included(site, tmp_path, capsys):
    store, _ = site
    rows = export(tmp_path, *SPAN, "--summary")
    assert "wrote 3 person-days" in capsys.readouterr().out
    assert [tuple(r.values()) for r in rows] == [
        ("2024-03-04", "Ann", "", "staff", "08:00", "17:00"),
        ("2024-03-04", "Bob", "", "staff", "09:00", "18:00"),
        # In at 22:00, out at 06:00 the next morning: one day, the day the shift began.
        ("2024-03-04", "Cy", "", "visitors", "22:00", "06:00 +1"),
    ]
    summary = store.daily_summary(*day_range(D, D), max_shift_s=Settings().max_shift_s)
    assert [r["person"] for r in rows] == [d.name for d in summary]
    assert export(tmp_path, "--from", "2024-03-05", "--to", "2024-03-05", "--summary") == []
    assert [r["person"] for r in export(tmp_path, *SPAN, "--summary", "--group", "visitors")] == ["Cy"]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--person", "Nobody"], "nobody called 'Nobody'"),
        (["--group", "cleaners"], "nobody is in the group 'cleaners'"),
    ],
)
def test_an_unknown_person_or_group_is_one_line(site, tmp_path, capsys, args, said):
    assert main(["attendance", "export", *SPAN, *args, "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("facegate: ") and said in err and err.count("\n") == 1
    assert not (tmp_path / "x.csv").exists()


def test_summary_and_unlock_do_not_go_together(home, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["attendance", "export", "--summary", "--unlock", "--out", "-"])
    assert exit_.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_checkin_in_buttons_mode_records_the_direction_given(home, sample_people, capsys):
    from dataclasses import replace

    from tests.conftest import SAMPLE_PERSON, recognition_only

    person = sample_people[SAMPLE_PERSON]
    assert main(["enroll", SAMPLE_PERSON, *map(str, person.photos)]) == 0
    with Store(f"sqlite:///{(home / 'facegate.db').as_posix()}") as store:
        recognition_only(store)
        store.save_settings(replace(store.load_settings(), checkin_mode="buttons"))
    capsys.readouterr()
    camera = ["checkin", "--camera", str(person.camera)]
    assert main(camera) == 2
    assert capsys.readouterr().err == "facegate: checkin_mode is buttons: give --direction in or out\n"
    assert main([*camera, "--direction", "out", "--once"]) == 0
    assert capsys.readouterr().out.startswith(f"check-out: {SAMPLE_PERSON} at ")
    # The next pass, within the cooldown: the line that says what stands.
    assert main([*camera, "--direction", "out"]) == 0
    (said,) = capsys.readouterr().out.splitlines()
    assert said.startswith(f"{SAMPLE_PERSON} — already checked out at ")
