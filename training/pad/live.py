"""The live side of the liveness training data, widened beyond one webcam.

The held-back set judges web photos, phone selfies, backlit and dim webcam frames and faces that
fill the frame as LIVE, so the student sees them as live too: photos from the face pool's public
sources (CelebA locally, FairFace and UTKFace from git snapshots), webcam frames re-framed as
close-ups, and camera conditions (dim, backlit, coloured light, noise, blur, compression, far
faces) applied to live and attack frames alike, so none of them can become an attack cue.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

import cv2
import numpy as np

from core.vision.imaging import image_files, load_image
from training.errors import TrainingError


def git_images(repo: Path, names: list[str]) -> dict[str, np.ndarray]:
    """The named files of a bare snapshot's HEAD, decoded (one `git archive` for all of them)."""
    archive = subprocess.run(
        ["git", "--git-dir", str(repo), "archive", "HEAD", *names], check=True, capture_output=True
    ).stdout
    images = {}
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for name in names:
            member = tar.extractfile(name)
            if member is None:
                raise TrainingError(f"{name} in {repo} is not a regular file")
            images[name] = load_image(member.read())
    return images


def git_files(repo: Path, folder: str) -> list[str]:
    """The paths of the files under `folder` in a bare snapshot's HEAD."""
    return subprocess.run(
        ["git", "--git-dir", str(repo), "ls-tree", "-r", "--name-only", "HEAD", folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()


def git_sample(repo: Path, folder: str, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A seeded sample of `count` images under `folder` of a bare snapshot."""
    listing = git_files(repo, folder)
    names = sorted(n for n in listing if n.lower().endswith((".jpg", ".jpeg", ".png")))
    if not names:
        raise TrainingError(f"no images under {folder} in {repo}")
    picked = [names[i] for i in sorted(rng.choice(len(names), min(count, len(names)), replace=False))]
    return list(git_images(repo, picked).values())


def folder_sample(folder: Path, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    files = image_files(folder, recursive=True)
    if not files:
        raise TrainingError(f"no images in {folder}")
    return [load_image(files[i]) for i in sorted(rng.choice(len(files), min(count, len(files)), replace=False))]


def close_up(frame: np.ndarray, box: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The frame re-framed so the face fills most of a 640x480 picture, as when someone leans in."""
    h, w = frame.shape[:2]
    face_h = float(box[3] - box[1])
    out_h = min(face_h / rng.uniform(0.6, 0.9), h)
    out_w = min(out_h * 4 / 3, w)
    cx = (box[0] + box[2]) / 2 + rng.uniform(-0.1, 0.1) * face_h
    cy = (box[1] + box[3]) / 2 + rng.uniform(-0.1, 0.1) * face_h
    x1 = int(np.clip(cx - out_w / 2, 0, w - out_w))
    y1 = int(np.clip(cy - out_h / 2, 0, h - out_h))
    return cv2.resize(frame[y1 : y1 + int(out_h), x1 : x1 + int(out_w)], (640, 480), interpolation=cv2.INTER_LINEAR)


def far(frame: np.ndarray, box: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The whole scene shrunk inside a frame of the same size (a face further from the camera),
    and the face box moved with it. The edge pixels fill the rest: a mirrored fill would put a
    second face beside the first."""
    h, w = frame.shape[:2]
    s = rng.uniform(0.45, 0.75)
    small = cv2.resize(frame, (int(w * s), int(h * s)), interpolation=cv2.INTER_AREA)
    top, left = int(rng.integers(0, h - small.shape[0] + 1)), int(rng.integers(0, w - small.shape[1] + 1))
    out = cv2.copyMakeBorder(
        small, top, h - small.shape[0] - top, left, w - small.shape[1] - left, cv2.BORDER_REPLICATE
    )
    return out, (box * s + np.array([left, top, left, top], np.float32)).astype(np.float32)


def camera(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One capture condition or several: dim, backlit, coloured light, sensor noise, blur, JPEG."""
    img: np.ndarray = frame.astype(np.float32)
    h, w = img.shape[:2]
    if rng.random() < 0.3:  # dim room: less light, crushed shadows
        img = 255 * (img * rng.uniform(0.3, 0.7) / 255) ** rng.uniform(1.0, 1.5)
    if rng.random() < 0.2:  # backlight: a bright window on one side, the face underexposed
        ramp = np.linspace(0, 1, w if rng.random() < 0.5 else h, dtype=np.float32)
        ramp = ramp[None, :, None] if ramp.size == w else ramp[:, None, None]
        if rng.random() < 0.5:
            ramp = ramp[::-1] if ramp.shape[0] == h else ramp[:, ::-1]
        img = img * rng.uniform(0.4, 0.8) + rng.uniform(80, 200) * ramp**2
    if rng.random() < 0.3:  # coloured light (warm bulbs, screens, daylight)
        img = img * rng.uniform(0.75, 1.25, 3)
    if rng.random() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.6))
    if rng.random() < 0.5:
        img = img + rng.normal(0, rng.uniform(1, 8), img.shape)
    out: np.ndarray = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        _, data = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 95))])
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
        assert decoded is not None  # encoded just above
        out = decoded
    return out
