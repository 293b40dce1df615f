"""`facegate attendance list|add|edit|void`: corrections need the admin PIN and a reason, refuse
what they cannot do on one `facegate:` line (exit 2) and change nothing then; the list marks what
was corrected and the export's --corrections writes the trail."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime, timedelta

import numpy as np
import pytest

from core.days import day_range
from core.settings import Settings
from core.store import CheckinRule, Store
from core.store.pin import hash_pin
from core.types import CHECK_IN, Event
from desktop_app.cli import main

D = date(2024, 3, 4)
SPAN = ["--from", "2024-03-04", "--to", "2024-03-04"]
PIN = "246813"


def local(hour: float) -> datetime:
    return (datetime(D.year, D.month, D.day) + timedelta(hours=hour)).astimezone()


@pytest.fixture
def site(home, monkeypatch):
    """Ann checked in at 08:00 and out at 17:00; an admin PIN is set; stdin is no terminal."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    url = f"sqlite:///{(home / 'facegate.db').as_posix()}"
    with Store(url) as store:
        ann = store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name="Ann").person.id
        rule = CheckinRule.from_settings(Settings())
        uids = [
            store.record_attendance(Event(ann, None, local(h), CHECK_IN, 0.8, "door"), rule).stored.uid for h in (8, 17)
        ]
        store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin(PIN)))
    return url, uids


def listed(capsys) -> list[list[str]]:
    capsys.readouterr()
    assert main(["attendance", "list", *SPAN, "--voided"]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def test_without_the_pin_a_correction_is_refused_and_nothing_changes(site, capsys):
    _, (check_in, _) = site
    for args in (
        ["attendance", "void", check_in[:8], "--reason", "wrong person"],
        ["attendance", "edit", check_in[:8], "2024-03-04 07:30", "--reason", "queue"],
        ["attendance", "add", "Ann", "check-out", "2024-03-04 12:00", "--reason", "lunch"],
    ):
        assert main(args) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("facegate: ") and "FACEGATE_ADMIN_PIN" in err[0]
    with Store(site[0]) as store:
        span = day_range(D, D)
        assert store.corrections(*span) == []
        assert [(c.event.time, c.voided) for c in store.corrected_events(*span, voided=True)] == [
            (local(8), False),
            (local(17), False),
        ]


def test_with_no_pin_set_at_all_corrections_are_refused(home, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    Store(f"sqlite:///{(home / 'facegate.db').as_posix()}").close()
    assert main(["attendance", "void", "abcdef12", "--reason", "x"]) == 2
    assert "none is set" in capsys.readouterr().err


def test_with_the_pin_corrections_are_made_listed_and_exported(site, capsys, monkeypatch, tmp_path):
    _, (check_in, check_out) = site
    monkeypatch.setenv("FACEGATE_ADMIN_PIN", PIN)
    assert main(["attendance", "edit", check_in[:8], "2024-03-04 07:30", "--reason", "the queue"]) == 0
    assert main(["attendance", "void", check_out[:6], "--reason", "left at noon"]) == 0
    assert main(["attendance", "add", "Ann", "check-out", "2024-03-04 12:00", "--reason", "left at noon"]) == 0
    assert "added check-out of Ann" in capsys.readouterr().out
    rows = listed(capsys)
    assert [(r[0][-5:], r[1], r[3] == check_in[:8], r[4]) for r in rows] == [
        ("07:30", "check-in", True, "edited (was 2024-03-04 08:00)"),
        ("12:00", "check-out", False, "added"),
        ("17:00", "check-out", False, "voided"),
    ]
    out = tmp_path / "trail.csv"
    assert main(["attendance", "export", *SPAN, "--corrections", "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8-sig") as f:
        trail = list(csv.DictReader(f))
    assert [(r["action"], r["old_time"][-5:], r["new_time"][-5:], r["reason"]) for r in trail] == [
        ("edit", "08:00", "07:30", "the queue"),
        ("void", "17:00", "", "left at noon"),
        ("add", "", "12:00", "left at noon"),
    ]
    summary = tmp_path / "summary.csv"
    assert main(["attendance", "export", *SPAN, "--summary", "--out", str(summary)]) == 0
    with open(summary, newline="", encoding="utf-8-sig") as f:
        assert [(r["first_in"], r["last_out"]) for r in csv.DictReader(f)] == [("07:30", "12:00")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["void", "0123456789ab", "--reason", "x"], "there is no event"),
        (["void", "12ab", "--reason", "x"], "at least 6"),
        (["void", "{uid}", "--reason", " "], "needs a reason"),
        (["edit", "{uid}", "2999-01-01 08:00", "--reason", "x"], "in the future"),
        (["add", "Nobody", "check-in", "2024-03-04 08:00", "--reason", "x"], "nobody called"),
    ],
)
def test_bad_corrections_are_one_line_and_change_nothing(site, capsys, monkeypatch, args, message):
    _, (check_in, _) = site
    monkeypatch.setenv("FACEGATE_ADMIN_PIN", PIN)
    before = listed(capsys)
    assert main(["attendance", *[a.format(uid=check_in) for a in args]]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("facegate: ") and message in err[0]
    assert listed(capsys) == before


def test_a_time_that_is_not_a_time_is_a_usage_error(site, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["attendance", "add", "Ann", "check-in", "8 o'clock", "--reason", "x"])
    assert exit_.value.code == 2 and "like '2025-01-31 08:30'" in capsys.readouterr().err
