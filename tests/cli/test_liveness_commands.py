"""`facegate unlock` and `facegate checkin` with liveness on (the default): a still photo of the
enrolled person as the camera neither unlocks (exit 1) nor checks in, and the person at the
camera is told why."""

import pytest

from desktop_app.cli import main
from tests.conftest import ENROL_PHOTOS, PERSON


@pytest.fixture
def home(tmp_path, monkeypatch, model, lfw_photos, capsys):
    monkeypatch.setenv("FACEGATE_HOME", str(tmp_path))
    monkeypatch.delenv("FACEGATE_DB", raising=False)
    monkeypatch.setenv("FACEGATE_MODEL", model)
    assert main(["enroll", "George W Bush", *map(str, lfw_photos(PERSON, ENROL_PHOTOS))]) == 0
    capsys.readouterr()
    return tmp_path


def test_a_still_photo_neither_unlocks_nor_checks_in(home, camera_folder, lfw_photos, capsys):
    still = camera_folder("still", lfw_photos(PERSON, ("0150",)), repeats=20)
    assert main(["unlock", "--person", "George W Bush", "--camera", str(still), "--timeout", "5"]) == 1
    err = capsys.readouterr().err
    assert "photo or screen not accepted" in err and "not unlocked" in err
    assert main(["checkin", "--camera", str(still), "--once"]) == 1
    assert capsys.readouterr().out == ""
