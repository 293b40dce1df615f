"""Enrolment: quality gates for a photo or camera frame, and turning accepted faces into templates.

A template is stored with the model that made it, a quality score, where it came from, and a small
aligned JPEG crop, so that templates made by an older model can be recomputed without the person.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import FaceGateError, ImageError
from core.matching.gallery import Gallery
from core.matching.thresholds import settings_thresholds
from core.store import Person, Store
from core.types import Face, Match
from core.vision.align import ARCFACE_TEMPLATE, align
from core.vision.imaging import ImageSource, encode_jpeg, load_image
from core.vision.pipeline import FacePipeline

CROP_SIZE = (112, 112)
CROP_JPEG_QUALITY = 90


def model_key(embedder) -> tuple[str, str]:
    """(model id, version) stamped on templates. Lookups and staleness match the id alone (for a
    file without metadata, the file's digest): a re-export that changes only metadata, and with it
    the version, computes the same embeddings and must not make every template stale."""
    return embedder.model_id, embedder.metadata.get("facegate.model_version", "")


def load_gallery(store: Store, embedder) -> Gallery:
    """The active people's templates made with this embedder's model."""
    templates, person_ids, names = store.templates_for_gallery(embedder.model_id)
    return Gallery(templates, person_ids, dict(zip(person_ids.tolist(), names)))


@dataclass(frozen=True)
class QualityGates:
    min_face_px: int = 80
    # Variance of the Laplacian of the aligned 112x112 gray crop; LFW's soft JPEGs score 50-650,
    # motion blur falls below 30.
    min_sharpness: float = 35.0
    min_brightness: float = 50.0
    max_brightness: float = 210.0
    max_roll_deg: float = 15.0
    # Nose-to-eye distances, smaller over larger: 1 is frontal, 0 is the nose level with an eye.
    min_frontal: float = 0.35


@dataclass(frozen=True)
class Sample:
    """An accepted face, ready to become a template."""

    embedding: np.ndarray
    quality: float
    crop_jpeg: bytes
    detail: str | None


@dataclass(frozen=True)
class Assessment:
    """What the gates made of one image: a sample, or the reason a person can act on."""

    face: Face | None
    sample: Sample | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.sample is not None


@dataclass(frozen=True)
class PhotoOutcome:
    path: str
    reason: str | None = None  # None: accepted

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class EnrolResult:
    person: Person
    template_ids: tuple[int, ...]
    outcomes: tuple[PhotoOutcome, ...] = ()
    duplicates: tuple[Match, ...] = ()
    created: bool = True


def frontal_pose(landmarks: np.ndarray) -> tuple[float, float]:
    """(roll in degrees from the eye line, frontal balance 0..1 of the nose between the eyes)."""
    left_eye, right_eye, nose = np.asarray(landmarks, np.float64)[:3]
    roll = math.degrees(math.atan2(right_eye[1] - left_eye[1], right_eye[0] - left_eye[0]))
    to_left, to_right = nose[0] - left_eye[0], right_eye[0] - nose[0]
    if to_left <= 0 or to_right <= 0:
        return roll, 0.0
    return roll, min(to_left, to_right) / max(to_left, to_right)


# ITU-R BT.601 luma from B, G, R: the gray the brightness and sharpness gates were set on.
GRAY_WEIGHTS = np.array([0.114, 0.587, 0.299])


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian (edges mirrored): low for a blurred face."""
    padded = np.pad(gray, 1, mode="reflect")
    laplacian = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:] - 4 * padded[1:-1, 1:-1]
    return float(laplacian.var())


def check_face(
    image: np.ndarray, faces: Sequence[Face], gates: QualityGates
) -> tuple[np.ndarray | None, float, str | None]:
    """(aligned crop, quality 0..1, None) for an acceptable image, else (None, 0, the reason)."""
    if not faces:
        return None, 0.0, "no face found: face the camera in good light"
    face = faces[0]
    # A distant passer-by in the background is not a second person being enrolled.
    if sum(f.size >= face.size / 2 for f in faces) > 1:
        return None, 0.0, "more than one face: only the person being enrolled should be in the picture"
    if face.size < gates.min_face_px:
        return None, 0.0, f"face too small ({face.size:.0f} px, need {gates.min_face_px}): come closer"
    roll, frontal = frontal_pose(face.landmarks)
    if abs(roll) > gates.max_roll_deg:
        return None, 0.0, f"head tilted {abs(roll):.0f}°: keep your eyes level"
    if frontal < gates.min_frontal:
        return None, 0.0, "face turned away: look straight at the camera"
    crop = align(image, face.landmarks, CROP_SIZE, ARCFACE_TEMPLATE)
    # Rounded to gray levels, as the gates' thresholds were measured.
    gray = np.rint(crop.astype(np.float64) @ GRAY_WEIGHTS)
    brightness = float(gray.mean())
    if brightness < gates.min_brightness:
        return None, 0.0, "too dark: add light in front of the face"
    if brightness > gates.max_brightness:
        return None, 0.0, "too bright: avoid direct light or glare on the face"
    sharpness = laplacian_variance(gray)
    if sharpness < gates.min_sharpness:
        return None, 0.0, "blurred: hold still (or use a sharper photo)"
    quality = face.score * min(1.0, sharpness / (3 * gates.min_sharpness)) * (0.5 + 0.5 * frontal)
    return crop, round(quality, 3), None


class Enroller:
    """Assesses photos and frames, warns about look-alikes, and stores the accepted samples."""

    def __init__(self, store: Store, pipeline: FacePipeline, gates: QualityGates | None = None):
        self.store = store
        self.pipeline = pipeline
        self.gates = gates or QualityGates()

    def assess(self, image: ImageSource, detail: str | None = None) -> Assessment:
        image = load_image(image)
        faces = self.pipeline.detector.detect(image)
        crop, quality, reason = check_face(image, faces, self.gates)
        face = faces[0] if faces else None
        if reason:
            return Assessment(face, reason=reason)
        embedding = self.pipeline.embedder.embed(image, [face.landmarks])[0]
        # The stored crop's landmarks sit on the ArcFace template, so a later model of any input
        # format can be fed from it (see recompute_stale).
        return Assessment(face, Sample(embedding, quality, encode_jpeg(crop, CROP_JPEG_QUALITY), detail))

    def assess_photos(self, paths: Iterable[str | Path]) -> tuple[list[Sample], list[PhotoOutcome]]:
        samples, outcomes = [], []
        for path in paths:
            try:
                result = self.assess(path, detail=Path(path).name)
            except ImageError as exc:
                outcomes.append(PhotoOutcome(str(path), str(exc)))
                continue
            outcomes.append(PhotoOutcome(str(path), result.reason))
            if result.sample:
                samples.append(result.sample)
        return samples, outcomes

    def duplicates(self, samples: Sequence[Sample], exclude: int | None = None) -> list[Match]:
        """Other enrolled people the samples already match at the kiosk's attendance threshold now
        (core/thresholds.py: it follows the gallery size), best first."""
        if not samples:
            return []
        gallery = load_gallery(self.store, self.pipeline.embedder)
        threshold = settings_thresholds(self.pipeline.embedder, self.store.load_settings(), len(gallery)).attendance
        best: dict[int, Match] = {}
        # k=2: on re-enrolment the best match is usually the person themselves, excluded below.
        for matches in gallery.search(np.stack([s.embedding for s in samples]), k=2, threshold=threshold):
            for m in matches:
                if m.person_id != exclude and (m.person_id not in best or m.similarity > best[m.person_id].similarity):
                    best[m.person_id] = m
        return sorted(best.values(), key=lambda m: -m.similarity)

    def save(
        self,
        samples: Sequence[Sample],
        source: str,
        *,
        name: str | None = None,
        person_id: int | None = None,
        group: str | None = None,
        external_id: str | None = None,
    ) -> tuple[Person, list[int], bool]:
        """Stores the samples for person_id, or for the person called name (created if new).
        Returns (person, template ids, whether the person was created)."""
        if not samples:
            raise FaceGateError("no usable face to enrol")
        model_id, version = model_key(self.pipeline.embedder)
        keep_crops = self.store.load_settings().keep_face_crops
        # One transaction: a crash leaves the person with their templates or not at all, and two
        # kiosks enrolling the same name at once make one person.
        result = self.store.enrol(
            np.stack([s.embedding for s in samples]),
            model_id,
            version,
            [s.quality for s in samples],
            source,
            crops=[s.crop_jpeg for s in samples] if keep_crops else None,
            source_detail=[s.detail for s in samples],
            person_id=person_id,
            name=name,
            group=group,
            external_id=external_id,
        )
        return result.person, result.template_ids, result.created

    def enroll_photos(
        self,
        name: str,
        paths: Sequence[str | Path],
        group: str | None = None,
        external_id: str | None = None,
        person_id: int | None = None,
    ) -> EnrolResult:
        """Everything `facegate enroll` does, for the person called name or, given, person_id;
        FaceGateError, with each photo's reason, if none was usable."""
        samples, outcomes = self.assess_photos(paths)
        if not samples:
            reasons = "; ".join(f"{Path(o.path).name}: {o.reason}" for o in outcomes)
            raise FaceGateError(f"no photo of {name} could be used ({reasons})")
        existing = self.store.get_person(person_id) if person_id is not None else self.store.find_person_by_name(name)
        duplicates = self.duplicates(samples, exclude=existing.id if existing else None)
        person, ids, created = self.save(
            samples, "photo", name=name, person_id=person_id, group=group, external_id=external_id
        )
        return EnrolResult(person, tuple(ids), tuple(outcomes), tuple(duplicates), created)


@dataclass(frozen=True)
class CaptureFeedback:
    """What the guided capture tells the person in front of the camera after each frame."""

    message: str
    usable: bool  # the frame passed the gates (it may still be skipped to space samples out)
    accepted: bool
    count: int
    face: Face | None
    enough: bool
    done: bool


# Small changes of pose between samples make the templates cover more than one exact look.
_PROMPTS = (
    "look straight at the camera",
    "turn your head a little to the left",
    "turn your head a little to the right",
    "tilt your chin up a little",
    "tilt your chin down a little",
)


class CaptureSession:
    """Guided capture from a camera: feed frames, collect min_samples..max_samples accepted ones."""

    def __init__(self, enroller: Enroller, min_samples: int = 5, max_samples: int = 10, min_gap_s: float = 0.4):
        if not 1 <= min_samples <= max_samples:
            raise ValueError("need 1 <= min_samples <= max_samples")
        self.enroller = enroller
        self.min_samples, self.max_samples, self.min_gap_s = min_samples, max_samples, min_gap_s
        self.samples: list[Sample] = []
        self._last_accept = -math.inf

    @property
    def prompt(self) -> str:
        return _PROMPTS[len(self.samples) % len(_PROMPTS)]

    def feed(self, frame: np.ndarray, now: float) -> CaptureFeedback:
        """now: a monotonic clock in seconds, so that samples are spaced in time."""
        if len(self.samples) >= self.max_samples:
            return self._feedback(None, "done", usable=False)
        assessment = self.enroller.assess(frame, detail="camera")
        if not assessment.ok:
            return self._feedback(assessment.face, assessment.reason or "", usable=False)
        if now - self._last_accept < self.min_gap_s:
            return self._feedback(assessment.face, f"now {self.prompt}", usable=True)
        self.samples.append(assessment.sample)
        self._last_accept = now
        return self._feedback(assessment.face, f"got it; now {self.prompt}", usable=True, accepted=True)

    def _feedback(self, face: Face | None, message: str, usable: bool, accepted: bool = False) -> CaptureFeedback:
        count = len(self.samples)
        return CaptureFeedback(
            f"{count}/{self.max_samples}: {message}",
            usable,
            accepted,
            count,
            face,
            count >= self.min_samples,
            count >= self.max_samples,
        )


@dataclass(frozen=True)
class RecomputeResult:
    recomputed: int
    need_reenrol: int  # stale templates that kept no crop


def recompute_stale(store: Store, embedder) -> RecomputeResult:
    """Re-embeds every template made by another model from its stored crop."""
    model_id, version = model_key(embedder)
    stale = store.stale_templates(model_id)
    crops = store.crops_for_recompute(model_id)
    vectors = {}
    for template_id, jpeg in crops:
        try:
            crop = load_image(jpeg)
        except ImageError:
            continue  # a damaged crop: counted below as needing re-enrolment
        vectors[template_id] = embedder.embed(crop, [ARCFACE_TEMPLATE])[0]
    done = store.replace_embeddings(vectors, model_id, version) if vectors else 0
    return RecomputeResult(done, len(stale) - done)
