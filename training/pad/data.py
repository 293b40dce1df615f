"""Training frames for the liveness student, labelled by the reference teachers.

Sources (none of them ships; all stay outside the repository):
- NUAA Photograph Imposter Database raw webcam frames from a snapshot of imironica/liveness
  (db/ClientRaw = live, db/ImposterRaw = printed photos), keeping only subjects that are NOT in
  the evaluation folder (../shared/data/pad/nuaa holds subjects 1-9), every `step`-th frame.
- Synthetic attacks made from those live frames: a print (washed-out colours, blur, perspective
  warp, paper edge on another scene, noise, JPEG) and a screen replay (gamma and tint, moire,
  glare, dark bezel, recapture blur, JPEG).

Every frame's largest face is cropped for the student (its scale, jittered boxes) and scored by
each teacher on the same box at the teacher's own scale; the averaged softmax is the soft label.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.liveness.pad import PadModel, context_crop
from core.vision.detect import Detector
from core.vision.imaging import image_files, load_image
from training.errors import TrainingError

PRINT, LIVE, REPLAY = 0, 1, 2
SOURCES = ("nuaa-live", "nuaa-print", "synth-print", "synth-replay")


@dataclass
class Frame:
    image: np.ndarray
    kind: int
    subject: str
    source: str


def nuaa_subjects(folder: Path) -> set[str]:
    return {p.name[:4] for p in image_files(folder, recursive=True) if re.match(r"\d{4}_", p.name)}


def nuaa_frames(repo: Path, exclude: set[str], step: int) -> list[Frame]:
    """Frames of the NUAA subjects not in `exclude`, read from the snapshot's git objects."""
    listing = subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", "HEAD", "db/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    wanted = []
    for name in listing:
        m = re.match(r"db/(ClientRaw|ImposterRaw)/(\d{4})/\2_\d\d_\d\d_\d\d_(\d+)\.jpg$", name)
        if m and m.group(2) not in exclude:
            wanted.append((name, m.group(1), m.group(2)))
    wanted.sort()
    wanted = wanted[::step]
    archive = subprocess.run(
        ["git", "--git-dir", str(repo), "archive", "HEAD", *[w[0] for w in wanted]], check=True, capture_output=True
    ).stdout
    frames = []
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for name, folder, subject in wanted:
            member = tar.extractfile(name)
            if member is None:
                raise TrainingError(f"{name} in {repo} is not a regular file")
            data = member.read()
            kind = LIVE if folder == "ClientRaw" else PRINT
            frames.append(Frame(load_image(data), kind, subject, "nuaa-live" if kind == LIVE else "nuaa-print"))
    return frames


def _warp_onto(picture: np.ndarray, background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The picture, shrunk and perspective-warped as if held up, over the background scene."""
    h, w = background.shape[:2]
    s = rng.uniform(0.7, 1.0)
    pw, ph = w * s, h * s
    x0, y0 = rng.uniform(0, w - pw), rng.uniform(0, h - ph)
    jitter = rng.uniform(-0.08, 0.08, (4, 2)) * [pw, ph]
    dst = (np.array([[x0, y0], [x0 + pw, y0], [x0 + pw, y0 + ph], [x0, y0 + ph]]) + jitter).astype(np.float32)
    src = np.array(
        [[0, 0], [picture.shape[1], 0], [picture.shape[1], picture.shape[0]], [0, picture.shape[0]]], np.float32
    )
    m = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(picture, m, (w, h))
    mask = cv2.warpPerspective(np.full(picture.shape[:2], 255, np.uint8), m, (w, h))
    out = background.copy()
    out[mask > 127] = warped[mask > 127]
    return out


def _finish(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera noise and compression of the recaptured frame."""
    noisy = image.astype(np.float32) + rng.normal(0, rng.uniform(1, 5), image.shape)
    _, data = cv2.imencode(
        ".jpg", np.clip(noisy, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 90))]
    )
    recaptured = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert recaptured is not None  # the JPEG was encoded just above
    return recaptured


def synth_print(frame: np.ndarray, background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    photo = frame.astype(np.float32)
    grey = photo.mean(axis=2, keepdims=True)
    photo = grey + (photo - grey) * rng.uniform(0.5, 0.9)  # printers lose saturation
    photo = 255 * (photo / 255) ** rng.uniform(0.8, 1.3) * rng.uniform(0.75, 1.0) + rng.uniform(0, 30)
    photo = photo * rng.uniform(0.9, 1.1, 3)  # ink and paper colour cast
    photo = cv2.GaussianBlur(np.clip(photo, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.6, 1.8))
    border = int(rng.integers(0, 12))
    if border:
        photo = cv2.copyMakeBorder(photo, border, border, border, border, cv2.BORDER_CONSTANT, value=(235, 235, 235))
    return _finish(_warp_onto(photo, background, rng), rng)


def synth_replay(frame: np.ndarray, background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = frame.shape[:2]
    screen = 255 * (frame.astype(np.float32) / 255) ** rng.uniform(0.6, 1.0)
    screen = screen * np.array([rng.uniform(1.0, 1.15), rng.uniform(0.95, 1.05), rng.uniform(0.85, 1.0)])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle, period = rng.uniform(0, np.pi), rng.uniform(2.5, 8)
    moire = np.sin(2 * np.pi * (xx * np.cos(angle) + yy * np.sin(angle)) / period)
    screen = screen * (1 + rng.uniform(0.04, 0.15) * moire[..., None])
    gx, gy, gs = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.4) * w
    glare = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * gs**2))
    screen = screen + rng.uniform(20, 90) * glare[..., None]
    screen = cv2.GaussianBlur(np.clip(screen, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.5, 1.5))
    bezel = int(rng.integers(6, 30))
    screen = cv2.copyMakeBorder(screen, bezel, bezel, bezel, bezel, cv2.BORDER_CONSTANT, value=(15, 15, 15))
    return _finish(_warp_onto(screen, background, rng), rng)


def with_synthetic(frames: list[Frame], rng: np.random.Generator) -> list[Frame]:
    live = [f for f in frames if f.kind == LIVE]
    extra = []
    for f in live:
        # The scene behind the attack comes from another subject, mirrored, so it never matches.
        others = [g for g in live if g.subject != f.subject] or live
        bg = cv2.flip(others[int(rng.integers(len(others)))].image, 1)
        extra.append(Frame(synth_print(f.image, bg, rng), PRINT, f.subject, "synth-print"))
        bg = cv2.flip(others[int(rng.integers(len(others)))].image, 1)
        extra.append(Frame(synth_replay(f.image, bg, rng), REPLAY, f.subject, "synth-replay"))
    return frames + extra


def label(
    frames: list[Frame],
    teachers: list[PadModel],
    student_scale: float,
    size: tuple[int, int],
    jitters: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Student crops and the teachers' averaged softmax on the same (jittered) boxes."""
    detector = Detector(min_face=40)
    crops, soft, kinds, subjects, sources = [], [], [], [], []
    for f in frames:
        faces = detector.detect(f.image)[:1]
        if not faces:
            continue
        box = faces[0].box
        side = faces[0].size
        for j in range(jitters):
            b = box if j == 0 else box + rng.normal(0, 0.04 * side, 4).astype(np.float32)
            probs = [n.probabilities(f.image, b) for t in teachers for n in t.networks]
            crops.append(context_crop(f.image, b, student_scale, size))
            soft.append(np.mean(probs, axis=0))
            kinds.append(f.kind)
            subjects.append(f.subject)
            sources.append(SOURCES.index(f.source))
    return {
        "crops": np.stack(crops),
        "soft": np.stack(soft).astype(np.float32),
        "kind": np.array(kinds),
        "subject": np.array(subjects),
        "source": np.array(sources),
    }
