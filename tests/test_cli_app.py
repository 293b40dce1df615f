"""The `facegate` app commands: enroll, people, checkin, unlock, attendance export, as scripts use them."""

import csv
import re
import signal
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest

from core.store import Store
from desktop_app.cli import main
from tests.conftest import recognition_only

DAY = (datetime.now(timezone.utc) - timedelta(days=1), datetime.now(timezone.utc) + timedelta(days=1))
CONFIRMATION = re.compile(r"^check-in: George W Bush at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d similarity=0\.\d+ kiosk=")


@pytest.fixture
def home(tmp_path, monkeypatch, model):
    """The in-process CLI with the same database and model as a subprocess would use."""
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path))
    monkeypatch.delenv("FACEGATE_DB", raising=False)
    monkeypatch.setenv("FACEGATE_MODEL", model)
    return tmp_path


@pytest.fixture
def enrolled_cli(home, lfw_photos, capsys):
    photos = [str(p) for p in lfw_photos("George_W_Bush", ("0007", "0016", "0065"))]
    assert main(["enroll", "George W Bush", *photos, "--group", "staff", "--external-id", "E7"]) == 0
    # The cameras below play still LFW photos to test the commands' recognition and exit codes, so
    # liveness and the unlock challenge are off (tests/test_pad_cli.py runs them with it on).
    with Store(f"sqlite:///{(home / 'facegate.db').as_posix()}") as store:
        recognition_only(store)
    return capsys.readouterr().out


def _events(home):
    with Store(f"sqlite:///{(home / 'facegate.db').as_posix()}") as store:
        return store.events(*DAY)


def test_enroll_reports_each_photo_and_people_lists_them(home, enrolled_cli, capsys, tmp_path):
    assert enrolled_cli.count(": ok") == 3 and "enrolled George W Bush (#1): 3 templates" in enrolled_cli
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"no")
    assert main(["enroll", "Nobody", str(broken)]) == 2
    assert "no photo of Nobody could be used" in capsys.readouterr().err
    assert main(["people"]) == 0
    assert capsys.readouterr().out.split("\n")[0].split("\t") == ["#1", "George W Bush", "E7", "staff"]


def test_checkin_once_records_the_person_and_a_stranger_folder_nothing(
    home, enrolled_cli, cli_env, facegate, person_folder, stranger_folder
):
    done = subprocess.run(
        [*facegate, "checkin", "--camera", str(person_folder), "--once"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert CONFIRMATION.match(done.stdout)
    assert [(e.name, e.kind) for e in _events(home)] == [("George W Bush", "check-in")]

    done = subprocess.run(
        [*facegate, "checkin", "--camera", str(stranger_folder), "--once", "--stats"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert re.fullmatch(r"fps=\d+\.\d", done.stdout.strip().splitlines()[-1])
    assert "enrolled template" in done.stdout.strip().splitlines()[-2]
    assert len(_events(home)) == 1


def test_unlock_exit_codes(home, enrolled_cli, person_folder, stranger_folder, capsys):
    assert main(["unlock", "--person", "George W Bush", "--camera", str(person_folder)]) == 0
    assert capsys.readouterr().out.startswith("unlock: George W Bush")
    assert main(["unlock", "--person", "George W Bush", "--camera", str(stranger_folder)]) == 1
    assert "not unlocked" in capsys.readouterr().err
    assert main(["unlock", "--person", "Nobody", "--camera", str(person_folder)]) == 2


def test_a_confirmed_check_in_survives_sigkill(home, enrolled_cli, cli_env, facegate, camera_folder, lfw_photos):
    # The person, then a long stretch of strangers played in real time: still running when killed.
    photos = lfw_photos("George_W_Bush", ("0150", "0203")) + lfw_photos("Jean_Chretien", ("0002",)) * 40
    folder = camera_folder("long", photos)
    process = subprocess.Popen(
        [*facegate, "checkin", "--camera", str(folder), "--realtime"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert CONFIRMATION.match(line), line
        assert process.poll() is None, "it ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        process.kill()
        process.stdout.close()
    assert [(e.name, e.kind) for e in _events(home)] == [("George W Bush", "check-in")]


def test_attendance_export_writes_the_date_range(home, enrolled_cli, person_folder, tmp_path, capsys):
    assert main(["checkin", "--camera", str(person_folder)]) == 0
    out = tmp_path / "out.csv"
    today = date.today().isoformat()
    assert main(["attendance", "export", "--from", today, "--to", today, "--out", str(out)]) == 0
    assert f"wrote 1 event to {out}" in capsys.readouterr().out
    with open(out, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["person"], r["external_id"], r["group"], r["kind"]) for r in rows] == [
        ("George W Bush", "E7", "staff", "check-in")
    ]
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert main(["attendance", "export", "--from", yesterday, "--to", yesterday, "--out", str(out)]) == 0
    with open(out, newline="", encoding="utf-8-sig") as f:
        assert list(csv.DictReader(f)) == []
