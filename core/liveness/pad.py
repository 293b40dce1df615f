"""Presentation-attack detection (PAD): is the face in front of the camera a live person, or a
photo or screen held up to it?

One small ONNX network looks at the face with its surroundings (a print's edge, a phone's bezel,
moire, glare live there) and gives a live score per face. The file says what it is in its metadata
(`face.kind`), how to crop (`pad.*`) and its recommended thresholds, so a wrong file fails with a
clear message instead of scoring nonsense. A reference network without that metadata (a MiniFASNet
from ../shared/models/anti-spoof) is run by naming its crop scale: `PATH@2.7`; several joined by
commas average their softmaxes, the reference two-model recipe.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from core.errors import FaceGateError, ModelError
from core.i18n import QT_TRANSLATE_NOOP
from core.paths import model_path
from core.settings import STRICTNESS
from core.types import Face
from core.vision.onnx import inference_session
from core.vision.raster import resize_linear, resize_nearest

PAD_MODEL = "pad.onnx"
PAD_KIND = "presentation-attack"
# Below this face side the 80 px input holds too few of the face's own pixels for a reliable score.
MIN_FACE = 60
# A webcam's sensor noise alone moves a sampled face pixel by 1-3 gray levels from frame to frame;
# a frame replayed unchanged moves it by 0.
FROZEN_SAMPLE, FROZEN_CHANGE = 32, 0.25
# Used when a (reference) model carries no recommended thresholds of its own.
DEFAULT_THRESHOLDS = {"lenient": 0.3, "normal": 0.5, "strict": 0.7}
# The model's shipped score histograms (pad.attack_hist, pad.live_hist): counts of held-out crops'
# live scores in this many equal bins over 0..1.
HIST_BINS = 20
# The MiniFASNet family was trained on RetinaFace boxes; an MTCNN box (core.vision.detect) is moved and
# stretched to match (fitted on 2,474 images, ../shared/models/README.md).
MTCNN_BOX_SHIFT = (0.019, 0.056)
MTCNN_BOX_SCALE = (1.13, 0.898)

Verdict = Literal["live", "attack", "too-small"]
# Shown at the kiosk, translated there (context "Kiosk", core/i18n.py).
HINT_ATTACK = QT_TRANSLATE_NOOP("Kiosk", "photo or screen not accepted — please look at the camera yourself")
HINT_CLOSER = QT_TRANSLATE_NOOP("Kiosk", "please come closer to the camera")
HINT_GRAYSCALE = QT_TRANSLATE_NOOP(
    "Kiosk", "grayscale image: liveness needs colour, so use a colour camera (or turn liveness off in Settings)"
)


class GrayscaleFrameError(FaceGateError):
    """The frame has no colour; a print or screen cannot be told from a face without it."""

    def __init__(self) -> None:
        super().__init__(HINT_GRAYSCALE)


@dataclass(frozen=True)
class PadScore:
    """live: probability-like score in 0..1 (None for a face too small to judge)."""

    live: float | None
    verdict: Verdict

    @property
    def hint(self) -> str | None:
        return {"attack": HINT_ATTACK, "too-small": HINT_CLOSER}.get(self.verdict)


def is_grayscale(image: np.ndarray) -> bool:
    """True when every pixel has equal channels (a gray or IR camera, or a gray file)."""
    if image.ndim == 2 or image.shape[2] == 1:
        return True
    # A strided sample keeps this cheap on every frame; colour noise makes real frames differ.
    sample = image[::8, ::8].astype(np.int16)
    return bool(
        np.abs(sample[..., 0] - sample[..., 1]).max() <= 2 and np.abs(sample[..., 1] - sample[..., 2]).max() <= 2
    )


def context_box(box: np.ndarray, width: int, height: int, scale: float) -> tuple[int, int, int, int]:
    """The face box mapped to the reference detector's, scaled about its centre by `scale` (less
    where that would leave the image) and shifted inside it: x1, y1, x2, y2 inclusive."""
    bw, bh = float(box[2] - box[0]), float(box[3] - box[1])
    cx = float(box[0]) + bw / 2 + MTCNN_BOX_SHIFT[0] * bw
    cy = float(box[1]) + bh / 2 + MTCNN_BOX_SHIFT[1] * bh
    bw, bh = bw * MTCNN_BOX_SCALE[0], bh * MTCNN_BOX_SCALE[1]
    scale = min((height - 1) / bh, (width - 1) / bw, scale)
    nw, nh = bw * scale, bh * scale
    x1, y1, x2, y2 = cx - nw / 2, cy - nh / 2, cx + nw / 2, cy + nh / 2
    if x1 < 0:
        x2, x1 = x2 - x1, 0.0
    if y1 < 0:
        y2, y1 = y2 - y1, 0.0
    if x2 > width - 1:
        x1, x2 = x1 - (x2 - width + 1), float(width - 1)
    if y2 > height - 1:
        y1, y2 = y1 - (y2 - height + 1), float(height - 1)
    return int(max(x1, 0)), int(max(y1, 0)), int(x2), int(y2)


def context_crop(image: np.ndarray, box: np.ndarray, scale: float, size: tuple[int, int]) -> np.ndarray:
    """The face with its context, resized to size (w, h) without keeping the aspect ratio."""
    x1, y1, x2, y2 = context_box(box, image.shape[1], image.shape[0], scale)
    return resize_linear(image[y1 : y2 + 1, x1 : x2 + 1], size)


class _Network:
    """One ONNX classifier: BGR crop 0..255 in, softmax over (attack-like..., live, ...) out."""

    def __init__(self, path: Path, scale: float | None, threads: int):
        self.session = inference_session(path, threads, f"cannot load liveness model {path}")
        meta = dict(self.session.get_modelmeta().custom_metadata_map)
        self.metadata = meta
        if scale is None:
            if meta.get("face.kind") != PAD_KIND:
                kind = meta.get("face.kind") or ("a face embedder" if "face.template" in meta else "unknown")
                raise ModelError(
                    f"{path} is not a liveness (presentation-attack) model: its kind is {kind}; "
                    f"name a reference model's crop scale as PATH@2.7 to run it anyway"
                )
            scale = float(meta["pad.crop_scale"])
        self.scale = scale
        self.live_class = int(meta.get("pad.live_class", 1))
        inp = self.session.get_inputs()[0]
        self._input = inp.name
        h, w = (int(d) for d in inp.shape[2:4])
        self.size = (w, h)
        self.mean = float(meta.get("face.mean", 0.0))
        self.std = float(meta.get("face.std", 1.0))
        self.rgb = meta.get("face.channel_order", "BGR").upper() == "RGB"
        self.digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    def probabilities(self, image: np.ndarray, box: np.ndarray) -> np.ndarray:
        crop = context_crop(image, box, self.scale, self.size)
        if self.rgb:
            crop = crop[..., ::-1]
        x = (crop.astype(np.float32) - self.mean) / self.std
        logits = self.session.run(None, {self._input: np.ascontiguousarray(x.transpose(2, 0, 1)[None])})[0][0]
        e = np.exp(logits - logits.max())
        return e / e.sum()


class PadModel:
    """Live score per face; `spec` is a path, `PATH@SCALE` for a model without metadata, or several
    of those joined by commas (their softmaxes averaged). Default: the bundled pad.onnx."""

    def __init__(self, spec: str | Path | None = None, threads: int = 1, strictness: str = "normal"):
        parts = [p for p in str(spec).split(",") if p] if spec else [str(model_path(PAD_MODEL))]
        self.networks = []
        for part in parts:
            path, _, scale = part.rpartition("@") if "@" in part else (part, "", "")
            if not Path(path).is_file():
                raise ModelError(
                    f"liveness model {path} is missing; reinstall FaceGate or turn liveness off in Settings"
                )
            try:
                crop_scale = float(scale) if scale else None
            except ValueError:
                raise ModelError(f"{part!r}: the crop scale after @ must be a number like 2.7") from None
            self.networks.append(_Network(Path(path), crop_scale, threads))
        meta = self.networks[0].metadata if len(self.networks) == 1 else {}
        self.model_id = meta.get("facegate.model_id") or "+".join(n.digest for n in self.networks)
        self.thresholds = {s: float(meta.get(f"pad.threshold.{s}", DEFAULT_THRESHOLDS[s])) for s in STRICTNESS}
        # The lowest threshold a site may calibrate to; a model that names none allows its lenient one.
        self.secure_floor = _score(meta, "pad.secure_floor", self.thresholds["lenient"])
        # Its held-out attack and live crops' scores, for calibration to show against a site's own;
        # None where the model ships none.
        self.attack_hist = _histogram(meta, "pad.attack_hist")
        self.live_hist = _histogram(meta, "pad.live_hist")
        self.strictness = strictness
        self._site_threshold: float | None = None

    @property
    def strictness(self) -> str:
        return self._strictness

    @strictness.setter
    def strictness(self, value: str) -> None:
        if value not in STRICTNESS:
            raise FaceGateError(f"liveness strictness must be one of {', '.join(STRICTNESS)}, not {value!r}")
        self._strictness = value

    @property
    def site_threshold(self) -> float | None:
        """The site's calibrated threshold (Settings pad_threshold), used instead of the strictness's."""
        return self._site_threshold

    @site_threshold.setter
    def site_threshold(self, value: float | None) -> None:
        if value is not None:
            self.check_site_threshold(value)
        self._site_threshold = value

    def check_site_threshold(self, value: float) -> None:
        """The one rule for a site threshold: within 0..1 and never below this model's secure floor."""
        if not 0 <= value <= 1:
            raise FaceGateError(f"the liveness threshold must be between 0 and 1, not {value:g}")
        if value < self.secure_floor:
            raise FaceGateError(
                f"the liveness threshold {value:g} is below this model's secure floor {self.secure_floor:g}: "
                "photos and screens would pass"
            )

    @property
    def threshold(self) -> float:
        return self._site_threshold if self._site_threshold is not None else self.thresholds[self._strictness]

    def live_score(self, image: np.ndarray, box: np.ndarray) -> float:
        """The averaged live probability of one face box, however small (benchmarks and training)."""
        return float(np.mean([n.probabilities(image, box)[n.live_class] for n in self.networks]))

    def score(self, image: np.ndarray, faces: Sequence[Face]) -> list[PadScore]:
        """A score and verdict per face. Raises GrayscaleFrameError for a frame without colour."""
        if faces and is_grayscale(image):
            raise GrayscaleFrameError()
        results = []
        for face in faces:
            if face.size < MIN_FACE:
                results.append(PadScore(None, "too-small"))
                continue
            live = self.live_score(image, face.box)
            results.append(PadScore(live, "live" if live >= self.threshold else "attack"))
        return results


def _score(meta: dict[str, str], key: str, default: float) -> float:
    try:
        value = float(meta.get(key, default))
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ModelError(f"the liveness model's {key} must be a score between 0 and 1, not {meta[key]!r}")
    return value


def _histogram(meta: dict[str, str], key: str) -> tuple[int, ...] | None:
    if key not in meta:
        return None
    try:
        counts = tuple(int(c) for c in meta[key].split(","))
    except ValueError:
        counts = ()
    if len(counts) != HIST_BINS or min(counts) < 0:
        raise ModelError(f"the liveness model's {key} must be {HIST_BINS} counts joined by commas, not {meta[key]!r}")
    return counts


def face_change(previous: np.ndarray | None, image: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, float | None]:
    """A small pixel sample of the face, and its mean absolute change (gray levels) from the
    previous sample. Nearest-pixel sampling keeps the sensor noise a real camera always adds."""
    x1, y1 = max(int(box[0]), 0), max(int(box[1]), 0)
    x2, y2 = min(int(box[2]), image.shape[1]), min(int(box[3]), image.shape[0])
    region = image[y1:y2, x1:x2] if x2 > x1 and y2 > y1 else image
    sample = resize_nearest(region, (FROZEN_SAMPLE, FROZEN_SAMPLE)).astype(np.float32)
    change = None if previous is None else float(np.abs(sample - previous).mean())
    return sample, change


class TemporalRule:
    """Live or attack for one face track from its recent per-frame scores.

    The verdict is the median of the last `window` scores, given once `min_frames` are in: one odd
    frame can neither refuse a live person nor pass an attack, and a track too new to judge is
    neither (None). A face too small to score adds nothing.

    A face whose pixels did not change at all from one frame to the next, in half the frames of
    the window or more, is a picture fed in as frames (a folder or virtual camera replaying stills
    or a slideshow): a live camera always adds sensor noise, and a live face always moves a little.
    It is refused whatever the model says of the picture; an odd repeated frame is tolerated.
    """

    def __init__(self, threshold: float, window: int = 5, min_frames: int = 3):
        if not 1 <= min_frames <= window:
            raise ValueError("need 1 <= min_frames <= window")
        self.threshold, self.window, self.min_frames = threshold, window, min_frames
        self._scores: list[float] = []
        self._changes: list[float] = []

    def add(self, score: PadScore, change: float | None = None) -> bool | None:
        """change: the face's pixel change from its previous frame (face_change), None if unknown."""
        if score.live is not None:
            self._scores = [*self._scores, score.live][-self.window :]
        if change is not None:
            self._changes = [*self._changes, change][-(self.window - 1) :]
        return self.live

    @property
    def frozen(self) -> bool:
        still = sum(c < FROZEN_CHANGE for c in self._changes)
        return len(self._changes) >= self.min_frames - 1 and 2 * still >= len(self._changes)

    @property
    def median(self) -> float | None:
        return float(np.median(self._scores)) if self._scores else None

    @property
    def live(self) -> bool | None:
        if len(self._scores) < self.min_frames:
            return None
        return bool(np.median(self._scores) >= self.threshold) and not self.frozen
