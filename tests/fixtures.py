"""Fixtures every test module can use (loaded by pytest -p, see pyproject): real sample faces,
people made from them, the shared data folder, the models."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# No display needed; two screens: a desktop and an 800x480 panel (tests/gui/test_screen_fit.py).
# Plain "offscreen" (as .ci/run sets it) gets the two screens too; another platform is left alone.
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).parent / 'gui' / 'screens.json'}"

import cv2
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
LFW = SHARED / "data" / "lfw" / "images"
TEACHERS = SHARED / "models" / "teachers"
# The fixtures below that skip without ../shared; conftest marks every test using one `shared`.
SHARED_FIXTURES = frozenset({"lfw", "teachers"})


@pytest.fixture(scope="session")
def sample_images() -> Path:
    """Real photos shipped in assets/samples (from insightface's wheel): t1.jpg (six people),
    Tom_Hanks_54745.png."""
    return ROOT / "assets" / "samples"


@pytest.fixture(scope="session")
def lfw() -> Path:
    if not LFW.is_dir():
        pytest.skip(f"LFW not found at {LFW}: ../shared/data is needed for this test")
    return LFW


@pytest.fixture(scope="session")
def teachers() -> Path:
    if not TEACHERS.is_dir():
        pytest.skip(f"teacher models not found at {TEACHERS}: ../shared/models is needed")
    return TEACHERS


@pytest.fixture(scope="session")
def detector():
    from core.vision.detect import Detector

    return Detector(min_face=20)


# ------------------------------------------------------------------------ people from the samples

PORTRAIT_NAME = "Tom Hanks"
# Filler around a face where a cut reaches past its photo, and behind the face in a camera frame.
GRAY = (128, 128, 128)
# Enrolment photos: (margin on each side of the face box, as a share of its side; mirrored).
ENROL_CUTS = ((0.5, False), (0.8, False), (0.6, True))
ENROL_FACE_PX = 160  # the enrolment gates want at least 80
# Camera frames: (face side in pixels, face centre as shares of the frame's width and height,
# mirrored, brightness gain). A person who moves a little in front of a 640x480 camera.
CAMERA_SHOTS = (
    (120, 0.50, 0.45, False, 1.0),
    (140, 0.45, 0.50, False, 0.85),
    (110, 0.55, 0.40, True, 1.0),
    (160, 0.50, 0.52, False, 1.15),
    (130, 0.42, 0.46, True, 0.9),
    (150, 0.58, 0.55, False, 1.0),
)
CAMERA_MARGIN = 0.7
FRAME_SIZE = (640, 480)


@dataclass(frozen=True)
class SamplePerson:
    """photos: files to enrol from, one face each; camera: a folder of frames of the same face."""

    name: str
    photos: tuple[Path, ...]
    camera: Path


def _cut(image: np.ndarray, face, margin: float, level: bool = False) -> np.ndarray:
    """A square around the face: its side is the face's plus `margin` of it on each side. level:
    turned about the face's centre so that the eyes are level, as an enrolment photo is taken."""
    from core.enrol.quality import frontal_pose

    box, size = face.box, face.size
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    if level:
        turn = cv2.getRotationMatrix2D((float(cx), float(cy)), frontal_pose(face.landmarks)[0], 1.0)
        image = cv2.warpAffine(image, turn, image.shape[1::-1], flags=cv2.INTER_CUBIC, borderValue=GRAY)
    half = size * (0.5 + margin)
    pad = int(np.ceil(half)) + 1
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=GRAY)
    left, top, side = round(cx - half) + pad, round(cy - half) + pad, round(2 * half)
    return padded[top : top + side, left : left + side]


def _camera_frame(cut: np.ndarray, face_px: int, x: float, y: float, mirrored: bool, gain: float) -> np.ndarray:
    width, height = FRAME_SIZE
    side = round(face_px * (1 + 2 * CAMERA_MARGIN))
    face = cv2.resize(cut, (side, side), interpolation=cv2.INTER_AREA if side < len(cut) else cv2.INTER_CUBIC)
    if mirrored:
        face = face[:, ::-1]
    frame = np.full((height, width, 3), GRAY, np.uint8)
    left, top = round(x * width - side / 2), round(y * height - side / 2)
    # The part of the cut that falls inside the frame.
    x0, y0, x1, y1 = max(left, 0), max(top, 0), min(left + side, width), min(top + side, height)
    frame[y0:y1, x0:x1] = face[y0 - top : y1 - top, x0 - left : x1 - left]
    return np.clip(frame * gain, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def sample_people(sample_images, detector, tmp_path_factory) -> dict[str, SamplePerson]:
    """Seven real people from the shipped samples: t1.jpg's six, left to right "Group 1" to
    "Group 6", and Tom Hanks. Each has ENROL_CUTS photos and a camera folder of CAMERA_SHOTS
    frames, all cut from their one photo: moved, scaled, mirrored, lighter or darker.
    tests/kiosk/test_sample_flows.py checks that the student tells them apart."""
    from core.vision.imaging import load_image

    group = load_image(sample_images / "t1.jpg")
    faces = sorted(detector.detect(group), key=lambda f: f.box[0])
    sources = [(f"Group {i}", group, face) for i, face in enumerate(faces, 1)]
    portrait = load_image(sample_images / "Tom_Hanks_54745.png")
    sources.append((PORTRAIT_NAME, portrait, detector.detect(portrait)[0]))
    root = tmp_path_factory.mktemp("sample_people")
    people = {}
    for name, image, face in sources:
        folder = root / name.replace(" ", "_")
        camera = folder / "camera"
        camera.mkdir(parents=True)
        photos = []
        for i, (margin, mirrored) in enumerate(ENROL_CUTS):
            cut = _cut(image, face, margin, level=True)
            side = round(len(cut) * ENROL_FACE_PX / face.size)
            photo = cv2.resize(cut, (side, side), interpolation=cv2.INTER_CUBIC)
            photos.append(folder / f"photo{i}.jpg")
            cv2.imwrite(str(photos[-1]), photo[:, ::-1] if mirrored else photo)
        cut = _cut(image, face, CAMERA_MARGIN)
        for i, shot in enumerate(CAMERA_SHOTS):
            cv2.imwrite(str(camera / f"{i:04d}.jpg"), _camera_frame(cut, *shot))
        people[name] = SamplePerson(name, tuple(photos), camera)
    return people


@contextmanager
def read_only(home: Path):
    """The folder and its database made unwritable: by permissions, or for root (whom permissions
    do not stop) by the immutable attribute."""
    files = [home / "facegate.db", home]
    if os.geteuid() != 0:
        modes = [p.stat().st_mode for p in files]
        for path in files:
            path.chmod(stat.S_IRUSR | (stat.S_IXUSR if path.is_dir() else 0))
        try:
            yield
        finally:
            for path, mode in zip(files, modes):
                path.chmod(mode)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", *map(str, files)]).returncode:
        pytest.skip("running as root without chattr +i: cannot make a folder read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, files)], check=True)
