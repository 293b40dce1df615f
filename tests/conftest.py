"""Fixtures for the app-level tests: the model to run, a fresh database, and folders that play as a
camera. The sample photos, LFW and teacher fixtures come from tests/fixtures.py."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# Before anything imports Qt (pytest-qt creates the QApplication lazily): no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests.fixtures import ROOT, TEACHERS

# LFW people with many photos: the first few enrol them, the rest play as the camera.
PERSON = "George_W_Bush"
ENROL_PHOTOS = ("0007", "0016", "0065")
CAMERA_PHOTOS = ("0150", "0203", "0238", "0247")
STRANGER = "Jean_Chretien"
STRANGER_PHOTOS = ("0002", "0008", "0019", "0028")
# A steady camera shows the same face in several consecutive frames.
FRAMES_PER_PHOTO = 3


@pytest.fixture(scope="session")
def model() -> str:
    """The bundled student once it is trained, else the teacher it is distilled from."""
    from core.assets import assets_dir
    from core.pipeline import STUDENT_MODEL

    student = assets_dir() / "models" / STUDENT_MODEL
    if student.is_file():
        return str(student)
    teacher = TEACHERS / "mobileface_v2.onnx"
    if not teacher.is_file():
        pytest.skip(f"neither {student} nor the teacher {teacher} exists")
    return str(teacher)


@pytest.fixture(scope="session")
def pipeline(model):
    from core.detect import Detector
    from core.embed import load_embedder
    from core.pipeline import FacePipeline

    return FacePipeline(Detector(), load_embedder(model))


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{(tmp_path / 'facegate.db').as_posix()}"


@pytest.fixture
def store(db_url):
    from core.store import Store

    with Store(db_url) as s:
        yield s


@pytest.fixture
def cli_env(tmp_path, model) -> dict[str, str]:
    """Environment for a `facegate` subprocess: this test's database and the fixture's model."""
    env = {key: value for key, value in os.environ.items() if key != "FACEGATE_DB"}
    return {**env, "FACEGATE_HOME": str(tmp_path), "FACEGATE_MODEL": model, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="session")
def facegate() -> list[str]:
    """The `facegate` command as a subprocess runs it, from this checkout."""
    return [sys.executable, "-W", "ignore", "-m", "desktop_app.cli"]


@pytest.fixture
def lfw_photos(lfw):
    def photos(person: str, numbers) -> list[Path]:
        return [lfw / person / f"{person}_{n}.jpg" for n in numbers]

    return photos


@pytest.fixture
def camera_folder(tmp_path):
    """Copies photos into a folder, each as FRAMES_PER_PHOTO consecutive frames, in name order."""

    def make(name: str, photos, repeats: int = FRAMES_PER_PHOTO) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        frame = 0
        for photo in photos:
            for _ in range(repeats):
                shutil.copy(photo, folder / f"{frame:04d}{Path(photo).suffix}")
                frame += 1
        return folder

    return make


@pytest.fixture
def enrolled(store, pipeline, lfw_photos):
    """The LFW person enrolled from their first photos; the Person record."""
    from core.enroll import Enroller

    return Enroller(store, pipeline).enroll_photos("George W Bush", lfw_photos(PERSON, ENROL_PHOTOS), group="staff").person


@pytest.fixture
def person_folder(camera_folder, lfw_photos) -> Path:
    return camera_folder("person", lfw_photos(PERSON, CAMERA_PHOTOS))


@pytest.fixture
def stranger_folder(camera_folder, lfw_photos) -> Path:
    return camera_folder("stranger", lfw_photos(STRANGER, STRANGER_PHOTOS))


def recognition_only(store) -> None:
    """Turn liveness and the unlock challenge off in this store's settings. For tests of
    recognition and the attendance rules that play still photos (LFW, insightface) as a camera:
    liveness rightly refuses a still photo, which is what tests/test_pad*.py check, not these."""
    from dataclasses import replace

    store.save_settings(replace(store.load_settings(), pad_enabled=False, challenge_enabled=False))
