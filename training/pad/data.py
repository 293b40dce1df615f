"""Training frames for the liveness student, labelled by the reference teachers.

Sources (none of them ships; all stay outside the repository), each its own LOSO fold:
- NUAA Photograph Imposter Database raw webcam frames from a snapshot of imironica/liveness
  (db/ClientRaw = live, db/ImposterRaw = printed photos), keeping only subjects that are NOT in
  the evaluation folder (../shared/data/pad/nuaa holds subjects 1-9), every `step`-th frame.
- Real prints and screen replays with their live counterparts from the SpecDiff in-house database
  sample (a snapshot of Akinori-F-Ebihara/SpecDiff_in_house_database_sample: four people, an
  iPhone, an office building; academic research use only), when its snapshot is named.
- Live web photos from the face pool's sources (training/pad/live.py) and NUAA live frames
  re-framed as close-ups.
- Synthetic attacks made from live frames and photos: prints (washed-out colours, paper texture,
  glare, border, fingers, curl, perspective warp onto another scene), screen replays (gamma and
  tint, moire, glare, reflection, dark bezel, recapture blur) and paper masks (a printed face cut
  out and worn over a live person's face).

Every frame's largest face is cropped for the student (its scale, jittered boxes, capture
conditions) and scored by each teacher on the same box at the teacher's own scale; the averaged
softmax is the soft label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from core.liveness.pad import PadModel, context_crop
from core.vision.detect import Detector
from core.vision.imaging import image_files
from training.pad.live import camera, far, git_files, git_images

PRINT, LIVE, REPLAY = 0, 1, 2
# Cached crops store a source's index: new sources go at the end.
SOURCES = (
    "nuaa-live",
    "nuaa-print",
    "synth-print",
    "synth-replay",
    "celeba",
    "fairface",
    "utkface",
    "closeup",
    "synth-mask",
    "specdiff-live",
    "specdiff-print",
    "specdiff-replay",
)
# SpecDiff's spoof captures numbered from 6000 on, and the ones named by a timestamp (its ID04),
# are a phone or a tablet screen; the lower numbers are paper prints, flat, curved and rolled
# (every subject's sessions looked at).
SPECDIFF_SCREENS_FROM = 6000
# SpecDiff's frames are 1080x1920: read at the kiosk camera's scale (and a few MB each, not 6).
SPECDIFF_SHORT_SIDE = 540


@dataclass
class Frame:
    image: np.ndarray
    kind: int
    subject: str
    source: str
    # Frames of one group are one capture in order (a NUAA session, one photo's variants): the
    # temporal rule is judged over a group.
    group: str = ""
    box: np.ndarray | None = None


def nuaa_subjects(folder: Path) -> set[str]:
    return {p.name[:4] for p in image_files(folder, recursive=True) if re.match(r"\d{4}_", p.name)}


def nuaa_frames(repo: Path, exclude: set[str], step: int) -> list[Frame]:
    """Frames of the NUAA subjects not in `exclude`, read from the snapshot's git objects."""
    listing = git_files(repo, "db/")
    wanted = []
    for name in listing:
        m = re.match(r"db/(ClientRaw|ImposterRaw)/(\d{4})/\2_\d\d_\d\d_\d\d_(\d+)\.jpg$", name)
        if m and m.group(2) not in exclude:
            wanted.append((name, m.group(1), m.group(2)))
    wanted.sort()
    wanted = wanted[::step]
    images = git_images(repo, [w[0] for w in wanted])
    frames = []
    for name, folder, subject in wanted:
        kind = LIVE if folder == "ClientRaw" else PRINT
        session = Path(name).stem.rpartition("_")[0]
        source = "nuaa-live" if kind == LIVE else "nuaa-print"
        frames.append(Frame(images[name], kind, subject, source, f"{source}/{session}"))
    return frames


def specdiff_frames(repo: Path, step: int) -> list[Frame]:
    """Every `step`-th frame of a SpecDiff snapshot (data/<live|spoof>/<subject>/...), read from its
    git objects a batch at a time and scaled to a short side of SPECDIFF_SHORT_SIDE; a group is one
    run of consecutive capture numbers (one session)."""
    listing = git_files(repo, "data/")
    captures = []
    for name in listing:
        m = re.match(r"data/(live|spoof)/(ID\d+)/(?:IMG|\d+)_(\d+)(?:_\d+)?\.jpg$", name, re.IGNORECASE)
        if m:
            number = int(m.group(3))
            screen = number >= SPECDIFF_SCREENS_FROM
            kind = LIVE if m.group(1) == "live" else REPLAY if screen else PRINT
            captures.append((m.group(2), kind, number, name))
    captures.sort()
    wanted, run, last = [], 0, None
    for subject, kind, number, name in captures:
        if last is not None and (last[:2] != (subject, kind) or number - last[2] > 3):
            run += 1
        last = (subject, kind, number)
        source = {LIVE: "specdiff-live", PRINT: "specdiff-print", REPLAY: "specdiff-replay"}[kind]
        wanted.append((name, kind, subject, source, f"{source}/{subject}/{run}"))
    wanted = wanted[::step]
    frames = []
    for start in range(0, len(wanted), 64):
        batch = wanted[start : start + 64]
        images = git_images(repo, [w[0] for w in batch])
        for name, kind, subject, source, group in batch:
            image = images.pop(name)
            scale = SPECDIFF_SHORT_SIDE / min(image.shape[:2])
            size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            frames.append(Frame(small, kind, f"specdiff/{subject}", source, group))
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


def _paper(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Print look: lost saturation and contrast, ink cast, paper grain and fibre, slight blur."""
    img = photo.astype(np.float32)
    grey = img.mean(axis=2, keepdims=True)
    img = grey + (img - grey) * rng.uniform(0.5, 0.9)  # printers lose saturation
    img = 255 * (img / 255) ** rng.uniform(0.8, 1.3) * rng.uniform(0.75, 1.0) + rng.uniform(0, 30)
    img = img * rng.uniform(0.9, 1.1, 3)  # ink and paper colour cast
    h, w = img.shape[:2]
    fibre = cv2.resize(rng.normal(0, 1, (max(h // 8, 2), max(w // 8, 2))).astype(np.float32), (w, h))
    img = img * (1 + rng.uniform(0.0, 0.06) * fibre[..., None]) + rng.normal(0, rng.uniform(0, 4), (h, w, 1))
    return cv2.GaussianBlur(np.clip(img, 0, 255).astype(np.uint8), (0, 0), rng.uniform(0.6, 1.8))


def _glare(img: np.ndarray, rng: np.random.Generator, strength: tuple[float, float]) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy, gs = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.4) * w
    glare = np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * gs**2))
    return np.clip(img.astype(np.float32) + rng.uniform(*strength) * glare[..., None], 0, 255).astype(np.uint8)


def _fingers(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A thumb or two over the picture's edge, as when it is held up by hand."""
    out = img.copy()
    h, w = img.shape[:2]
    skin = rng.uniform([90, 120, 170], [150, 170, 230])
    for _ in range(int(rng.integers(1, 3))):
        cx = float(rng.choice([rng.uniform(0, 0.1), rng.uniform(0.9, 1.0)])) * w
        cy = rng.uniform(0.3, 1.0) * h
        axes = (int(rng.uniform(0.05, 0.09) * w), int(rng.uniform(0.09, 0.15) * h))
        cv2.ellipse(out, (int(cx), int(cy)), axes, rng.uniform(-30, 30), 0, 360, skin.tolist(), -1)
    return out


def _curl(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sheet that is not flat: a slow wave across it."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp, period = rng.uniform(0, 0.03) * h, rng.uniform(0.8, 2.0) * w
    map_y = yy + amp * np.sin(2 * np.pi * xx / period + rng.uniform(0, 2 * np.pi))
    return cv2.remap(img, xx, map_y.astype(np.float32), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def synth_print(frame: np.ndarray, background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    photo = _paper(frame, rng)
    if rng.random() < 0.4:
        photo = _glare(photo, rng, (20, 90))
    border = int(rng.integers(0, 12))
    if border:
        photo = cv2.copyMakeBorder(photo, border, border, border, border, cv2.BORDER_CONSTANT, value=(235, 235, 235))
    if rng.random() < 0.3:
        photo = _fingers(photo, rng)
    if rng.random() < 0.5:
        photo = _curl(photo, rng)
    return _finish(_warp_onto(photo, background, rng), rng)


def synth_replay(frame: np.ndarray, background: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = frame.shape[:2]
    screen: np.ndarray = 255 * (frame.astype(np.float32) / 255) ** rng.uniform(0.6, 1.0)
    screen = screen * np.array([rng.uniform(1.0, 1.15), rng.uniform(0.95, 1.05), rng.uniform(0.85, 1.0)])
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle, period = rng.uniform(0, np.pi), rng.uniform(2.5, 8)
    moire = np.sin(2 * np.pi * (xx * np.cos(angle) + yy * np.sin(angle)) / period)
    screen = screen * (1 + rng.uniform(0.04, 0.15) * moire[..., None])
    if rng.random() < 0.4:  # the room reflected in the glass
        room = cv2.resize(cv2.flip(background, 1), (w, h)).astype(np.float32)
        screen = screen + rng.uniform(0.05, 0.2) * cv2.GaussianBlur(room, (0, 0), 3)
    screen = _glare(np.clip(screen, 0, 255).astype(np.uint8), rng, (20, 90))
    screen = cv2.GaussianBlur(screen, (0, 0), rng.uniform(0.5, 1.5))
    bezel = int(rng.integers(6, 30))
    screen = cv2.copyMakeBorder(screen, bezel, bezel, bezel, bezel, cv2.BORDER_CONSTANT, value=(15, 15, 15))
    return _finish(_warp_onto(screen, background, rng), rng)


def synth_mask(frame: np.ndarray, box: np.ndarray, face: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A printed face cut out along its outline (eye holes sometimes) and worn over the live
    person's face in `box`: the scene, hair and body stay real."""
    bw, bh = float(box[2] - box[0]), float(box[3] - box[1])
    s = rng.uniform(1.05, 1.3)
    mw, mh = int(bw * s), int(bh * s * 1.15)
    x1, y1 = int((box[0] + box[2]) / 2 - mw / 2), int((box[1] + box[3]) / 2 - mh / 2)
    printed = cv2.resize(_paper(face, rng), (mw, mh))
    mask = np.zeros((mh, mw), np.uint8)
    cv2.ellipse(mask, (mw // 2, mh // 2), (mw // 2 - 1, mh // 2 - 1), 0, 0, 360, 255, -1)
    if rng.random() < 0.5:
        for ex in (0.33, 0.67):
            cv2.ellipse(mask, (int(ex * mw), int(0.42 * mh)), (max(mw // 14, 1), max(mh // 28, 1)), 0, 0, 360, 0, -1)
    out = frame.copy()
    fx1, fy1 = max(x1, 0), max(y1, 0)
    fx2, fy2 = min(x1 + mw, frame.shape[1]), min(y1 + mh, frame.shape[0])
    region = mask[fy1 - y1 : fy2 - y1, fx1 - x1 : fx2 - x1] > 127
    out[fy1:fy2, fx1:fx2][region] = printed[fy1 - y1 : fy2 - y1, fx1 - x1 : fx2 - x1][region]
    return _finish(out, rng)


def face_of(frame: Frame) -> np.ndarray:
    """The frame's face box region, a little enlarged (mask material)."""
    assert frame.box is not None
    x1, y1, x2, y2 = frame.box
    pad = 0.1 * (x2 - x1)
    h, w = frame.image.shape[:2]
    return frame.image[int(max(y1 - pad, 0)) : int(min(y2 + pad, h)), int(max(x1 - pad, 0)) : int(min(x2 + pad, w))]


def with_boxes(frames: list[Frame], detector: Detector) -> list[Frame]:
    """Frames whose largest face is found, with its box; a photo gets a replicated border first
    (a tight crop leaves the detector no context) and its box is mapped back to the photo."""
    kept = []
    for f in frames:
        if f.box is None:
            h, w = f.image.shape[:2]
            pad = int(0.2 * max(h, w)) if max(h, w) < 400 else 0
            padded = cv2.copyMakeBorder(f.image, pad, pad, pad, pad, cv2.BORDER_REPLICATE) if pad else f.image
            faces = detector.detect(padded)[:1]
            if not faces:
                continue
            f.box = (faces[0].box - pad).astype(np.float32)
        kept.append(f)
    return kept


def _scene(f: Frame, webcam: list[Frame], content: list[Frame], rng: np.random.Generator) -> np.ndarray:
    """The scene behind an attack: another subject's webcam frame, mirrored so it never matches,
    or (half the time) another photo blown up to 640x480 and defocused, so that attacks are not
    all in the webcam's rooms while most live frames are photos: a fold without the webcam's live
    frames otherwise learns "this room means attack"."""
    if rng.random() < 0.5:
        others = [g for g in webcam if g.subject != f.subject] or webcam
        return cv2.flip(others[int(rng.integers(len(others)))].image, 1)
    other = content[int(rng.integers(len(content)))].image
    scene = cv2.resize(other, (640, 480), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(scene, (0, 0), rng.uniform(8, 20))


def with_synthetic(
    frames: list[Frame], rng: np.random.Generator, detector: Detector, per_kind: int | None = None
) -> list[Frame]:
    """Prints and replays of live frames and photos shown in another subject's mirrored webcam
    scene, and paper masks of photo faces worn over live webcam faces. per_kind caps each kind."""
    webcam = [f for f in frames if f.source == "nuaa-live" and f.box is not None]
    content = [f for f in frames if f.kind == LIVE and f.box is not None]
    extra = []
    for kind, source, make in ((PRINT, "synth-print", synth_print), (REPLAY, "synth-replay", synth_replay)):
        picked = rng.permutation(len(content))[:per_kind] if per_kind else range(len(content))
        for i in picked:
            f = content[i]
            bg = _scene(f, webcam, content, rng)
            extra.append(Frame(make(f.image, bg, rng), kind, f.subject, source, f"{source}/{f.group}"))
    picked = rng.permutation(len(webcam))[:per_kind] if per_kind else range(len(webcam))
    for i in picked:
        wearer = webcam[i]
        material = [g for g in content if g.subject != wearer.subject]
        face = face_of(material[int(rng.integers(len(material)))])
        assert wearer.box is not None
        image = synth_mask(wearer.image, wearer.box, face, rng)
        extra.append(Frame(image, PRINT, wearer.subject, "synth-mask", f"synth-mask/{wearer.group}/{i}"))
    return frames + with_boxes(extra, detector)


def label(
    frames: list[Frame],
    teachers: list[PadModel],
    student_scale: float,
    size: tuple[int, int],
    jitters: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Student crops and the teachers' averaged softmax on the same boxes: per frame the first
    as found, the others jittered, some under another capture condition or further away."""
    crops, soft, kinds, subjects, sources, groups = [], [], [], [], [], []
    for f in frames:
        assert f.box is not None  # with_boxes ran first
        side = float(f.box[2] - f.box[0])
        for j in range(jitters):
            image, b = f.image, f.box
            if j:
                b = b + rng.normal(0, 0.04 * side, 4).astype(np.float32)
                if rng.random() < 0.2 and image.shape[0] >= 400:
                    image, b = far(image, b, rng)
                if rng.random() < 0.7:
                    image = camera(image, rng)
            probs = [n.probabilities(image, b) for t in teachers for n in t.networks]
            crops.append(context_crop(image, b, student_scale, size))
            soft.append(np.mean(probs, axis=0))
            kinds.append(f.kind)
            subjects.append(f.subject)
            sources.append(SOURCES.index(f.source))
            groups.append(f.group)
    return {
        "crops": np.stack(crops),
        "soft": np.stack(soft).astype(np.float32),
        "kind": np.array(kinds),
        "subject": np.array(subjects),
        "source": np.array(sources),
        "group": np.array(groups),
    }
