"""The `facegate` app commands: enroll, people, checkin, unlock, attendance export, as scripts use them."""

import csv
import re
import shutil
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
    # liveness and the unlock challenge are off (tests/cli/test_liveness_commands.py runs them with it on).
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
    assert "no check-in before the source ended; -v says why" in done.stderr
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


def test_enrol_is_an_alias_of_enroll(home, sample_images, capsys):
    assert main(["enrol", "Tom Hanks", str(sample_images / "Tom_Hanks_54745.png"), "--group", "admin"]) == 0
    assert "enrolled Tom Hanks (#1): 1 templates" in capsys.readouterr().out
    assert main(["people"]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["#1", "Tom Hanks"]


def _bench(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(["bench", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_bench_old_spellings_note_the_subcommand_then_print_what_it_prints(home, sample_images, tmp_path, capsys):
    # Recall is deterministic: the old spelling's output is the new one's, line for line.
    new = _bench(["recall", str(sample_images), "--min-face", "40"], capsys)
    old = _bench(["--recall", str(sample_images), "--recall-min-face", "40"], capsys)
    assert new[0] == old[0] == 0 and re.fullmatch(r"recall_images=2 found=\d\nrecall=\d+\.\d\d\n", new[1])
    assert old[1] == new[1] and new[2] == ""
    assert old[2] == "facegate: `bench --recall DIR` is now `bench recall DIR` (and --recall-min-face its --min-face)\n"

    frames = tmp_path / "pad" / "desk"
    for kind in ("live", "print"):
        (frames / kind).mkdir(parents=True)
        for i in range(4):
            shutil.copy(sample_images / "t1.jpg", frames / kind / f"clip_{i}.jpg")
    new = _bench(["pad", str(tmp_path / "pad"), "--strictness", "strict"], capsys)
    old = _bench(["--pad", str(tmp_path / "pad"), "--strictness", "strict"], capsys)
    assert new[0] == old[0] == 0 and new[1].startswith("pad_model=") and " strictness=strict " in new[1]
    assert [line.split()[:2] for line in new[1].splitlines()[1:3]] == [["live", "BPCER"], ["print", "APCER"]]
    # Only the time per face may differ between the two runs.
    timing = re.compile(r"ms_per_face=\S+")
    assert timing.sub("", old[1]) == timing.sub("", new[1]) and new[2] == ""
    assert old[2] == "facegate: `bench --pad DIR` is now `bench pad DIR`\n"

    # `bench` alone is `bench stages`; options before the subcommand's name are kept.
    new = _bench(["--repeats", "1", "stages", "--photo", str(sample_images / "Tom_Hanks_54745.png")], capsys)
    old = _bench(["--repeats", "1", "--photo", str(sample_images / "Tom_Hanks_54745.png")], capsys)
    numbers = re.compile(r"\d+\.\d+")
    assert new[0] == old[0] == 0 and numbers.sub("N", old[1]) == numbers.sub("N", new[1])
    assert new[2] == old[2] == ""


def test_bench_prints_a_frames_cost_with_the_verifier_off_and_on(home, capsys):
    code, out, err = _bench(["--repeats", "1"], capsys)
    lines = out.splitlines()
    assert code == 0 and err == ""
    # The stage lines as before, the summary still last; between them one line per frame.
    assert [line.split("=")[0] for line in (lines[0], lines[1], lines[-1])] == ["threads", "threads", "detect_ms"]
    frame = re.compile(r"frame (\d) faces?: verifier off (\d+\.\d) ms, on (\d+\.\d) ms \(off: .+; on: .+\)")
    costs = [frame.fullmatch(line) for line in lines[2:-1]]
    assert all(costs) and [m.group(1) for m in costs if m] == ["1", "5"]
    assert "verifier on each face's 3 best sightings" in lines[2]


def test_bench_site_needs_its_folder_of_faces(home, tmp_path, capsys):
    db = f"sqlite:///{(tmp_path / 'site.db').as_posix()}"
    assert main(["bench", "--kiosks", "2", "--db", db]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "facegate: `bench --kiosks N` is now `bench site DIR --kiosks N`",
        "facegate: the site benchmark needs its folder of faces: facegate bench site DIR --kiosks N --db URL "
        "(DIR: one folder of photos per person, as LFW's images)",
    ]
    with pytest.raises(SystemExit) as exited:
        main(["bench", "site", str(tmp_path / "nowhere"), "--kiosks", "2", "--db", db])
    assert exited.value.code == 2
    assert "is not a folder" in capsys.readouterr().err


def test_bench_site_stores_each_walker_once(home, lfw, tmp_path, capsys):
    db = f"sqlite:///{(tmp_path / 'site.db').as_posix()}"
    assert main(["bench", "site", str(lfw), "--kiosks", "2", "--people", "2", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("enrolled=2 enrol_s=")
    assert lines[1].startswith("db=sqlite kiosks=2 people=2 frames_per_kiosk=4 mode=plain seconds=")
    assert re.fullmatch(r"frames_per_s=\S+ events_per_s=\S+ expected=2 stored=\d+ not_walking=\d+", lines[2])
    assert lines[3:] == ["lost=0 doubled=0"]
