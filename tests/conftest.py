"""Fixtures for the app-level tests: the model to run, a fresh database, and folders that play as a
camera. The sample photos, the people made from them, LFW and teacher fixtures come from
tests/fixtures.py. Every test that needs ../shared is marked `shared` here (pytest -m "not shared"
runs the rest)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

# Before anything imports Qt (pytest-qt creates the QApplication lazily): no display needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Face data is sealed with a key kept outside the database: the tests' own, never the user's
# (subprocesses inherit it through cli_env).
os.environ.setdefault("FACEGATE_KEY_FILE", str(Path(tempfile.mkdtemp(prefix="facegate-key-")) / "facegate.key"))

import pytest

from tests.fixtures import ROOT, SHARED_FIXTURES, TEACHERS

# LFW people with many photos: the first few enrol them, the rest play as the camera.
PERSON = "George_W_Bush"
ENROL_PHOTOS = ("0007", "0016", "0065")
CAMERA_PHOTOS = ("0150", "0203", "0238", "0247")
STRANGER = "Jean_Chretien"
STRANGER_PHOTOS = ("0002", "0008", "0019", "0028")
# A steady camera shows the same face in several consecutive frames.
FRAMES_PER_PHOTO = 3
# The shipped sample people (tests/fixtures.py) the flow tests enrol, the one they follow, and the
# strangers: t1.jpg's two turned faces, which the enrolment gates refuse anyway.
SAMPLE_PERSON = "Tom Hanks"
SAMPLE_ENROLLED = (SAMPLE_PERSON, "Group 1", "Group 3", "Group 4", "Group 6")
SAMPLE_STRANGERS = ("Group 2", "Group 5")


def pytest_collection_modifyitems(items) -> None:
    # fixturenames is the closure: a test reaching LFW through enrolled, or a module's own
    # fixture built on lfw, is marked too.
    for item in items:
        if SHARED_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.shared)


@pytest.fixture(scope="session")
def model() -> str:
    """The bundled student once it is trained, else the teacher it is distilled from."""
    from core.paths import assets_dir
    from core.vision.pipeline import STUDENT_MODEL

    student = assets_dir() / "models" / STUDENT_MODEL
    if student.is_file():
        return str(student)
    teacher = TEACHERS / "mobileface_v2.onnx"
    if not teacher.is_file():
        pytest.skip(f"neither {student} nor the teacher {teacher} exists")
    return str(teacher)


@pytest.fixture(scope="session")
def pipeline(model):
    from core.vision.detect import Detector
    from core.vision.embed import load_embedder
    from core.vision.pipeline import FacePipeline

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
    from core.enrol.enroller import Enroller

    return (
        Enroller(store, pipeline).enrol_photos("George W Bush", lfw_photos(PERSON, ENROL_PHOTOS), group="staff").person
    )


@pytest.fixture
def sample_enrolled(store, pipeline, sample_people) -> dict:
    """SAMPLE_ENROLLED enrolled from their sample photos: name -> Person."""
    from core.enrol.enroller import Enroller

    enroller = Enroller(store, pipeline)
    return {
        name: enroller.enrol_photos(name, sample_people[name].photos, group="staff").person for name in SAMPLE_ENROLLED
    }


@pytest.fixture
def sample_person_folder(sample_people) -> Path:
    return sample_people[SAMPLE_PERSON].camera


@pytest.fixture
def sample_stranger_folder(camera_folder, sample_people) -> Path:
    """The strangers' camera frames one after the other (they are already of a moving face)."""
    from core.vision.imaging import image_files

    frames = [frame for name in SAMPLE_STRANGERS for frame in image_files(sample_people[name].camera)]
    return camera_folder("sample_strangers", frames, repeats=1)


@pytest.fixture
def person_folder(camera_folder, lfw_photos) -> Path:
    return camera_folder("person", lfw_photos(PERSON, CAMERA_PHOTOS))


@pytest.fixture
def stranger_folder(camera_folder, lfw_photos) -> Path:
    return camera_folder("stranger", lfw_photos(STRANGER, STRANGER_PHOTOS))


# ------------------------------------------------------------------------------------ PostgreSQL


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root (CI runs as root): run them as the postgres user.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server from Debian's postgresql package: initdb and pg_ctl into a
    temporary folder, listening on a Unix socket in that folder only. Yields the socket folder."""
    import subprocess

    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries are missing (apt-get install postgresql; .ci/run does it)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip('psycopg is missing: pip install -e ".[postgres]"')
    base = Path(tempfile.mkdtemp(prefix="facegate-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"

    def run(program: str, *args: str) -> None:
        subprocess.run(_as_postgres([str(bin_dir / program), *args]), check=True, capture_output=True, text=True)

    run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
    options = f"-c listen_addresses='' -k {base} -c fsync=off -c max_connections=200"
    run("pg_ctl", "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "start")
    try:
        yield base
    finally:
        run("pg_ctl", "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def pg_url(socket_dir: Path, database: str) -> str:
    return f"postgresql://postgres@/{database}?host={socket_dir}"


@pytest.fixture
def postgres_url(postgres_server, request):
    """A fresh, empty database on the throwaway server for this test."""
    import psycopg

    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    with psycopg.connect(host=str(postgres_server), user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url(postgres_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path) -> str:
    """Each test that takes this runs on a SQLite file and on PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{(tmp_path / 'facegate.db').as_posix()}"


def recognition_only(store) -> None:
    """Turn liveness and the unlock challenge off in this store's settings. For tests of
    recognition and the attendance rules that play still photos (LFW, insightface) as a camera:
    liveness rightly refuses a still photo, which is what the liveness tests check (tests/liveness/), not these."""
    from dataclasses import replace

    store.save_settings(replace(store.load_settings(), pad_enabled=False, challenge_enabled=False))


@pytest.fixture(scope="session")
def english(qapp, tmp_path_factory):
    """English as the app installs it (its plural forms: "1 template", "3 templates"), compiled
    into a cache folder of the session's own; the formats stay the system's, as the tests expect."""
    from PySide6.QtCore import QLocale, Qt

    from desktop_app.i18n import install_language

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        install_language(qapp, "en")
    QLocale.setDefault(QLocale.system())
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


@pytest.fixture
def window(qtbot, store, pipeline, english):
    from desktop_app.gui.main_window import MainWindow

    opened: list[MainWindow] = []

    def open_window(camera, liveness: bool = False) -> MainWindow:
        # Test cameras play still LFW photos; the screens' recognition tests want liveness off
        # (a still photo is an attack to it), tests/gui/test_liveness_views.py asks for it.
        if not liveness:
            recognition_only(store)
        win = MainWindow(store, pipeline, str(camera), realtime=False)
        # Held here, not only by qtbot's weak reference: a window freed while its frame worker
        # runs would take the running thread with it.
        opened.append(win)
        qtbot.addWidget(win)
        win.show()
        return win

    yield open_window
    for win in opened:
        win.close()  # stops the worker
