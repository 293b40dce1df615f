"""Enrolment: turning faces the quality gates accept (core/enrol/quality.py) into templates.

A template is stored with the model that made it, a quality score, where it came from, and a small
aligned JPEG crop, so that templates made by an older model can be recomputed without the person.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.enrol.quality import QualityGates, check_face
from core.errors import FaceGateError, ImageError
from core.matching.gallery import model_key
from core.matching.thresholds import gallery_in_use
from core.store import Person, Store
from core.types import Face, Match
from core.vision.align import ARCFACE_TEMPLATE
from core.vision.embed import FaceEmbedder
from core.vision.imaging import ImageSource, encode_jpeg, load_image
from core.vision.pipeline import FacePipeline

CROP_JPEG_QUALITY = 90


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
        if crop is None or face is None:
            return Assessment(face, reason=reason)
        embedding = self.pipeline.embedder.embed(image, [face.landmarks])[0]
        # The stored crop's landmarks sit on the ArcFace template, so a later model of any input
        # format can be fed from it (see recompute_stale).
        return Assessment(face, Sample(embedding, quality, encode_jpeg(crop, CROP_JPEG_QUALITY), detail))

    def assess_photos(self, paths: Iterable[str | Path]) -> tuple[list[Sample], list[PhotoOutcome]]:
        samples: list[Sample] = []
        outcomes: list[PhotoOutcome] = []
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
        (core/matching/thresholds.py: it follows the gallery size), best first."""
        if not samples:
            return []
        gallery, thresholds = gallery_in_use(self.store, self.pipeline.embedder, self.store.load_settings())
        best: dict[int, Match] = {}
        # k=2: on re-enrolment the best match is usually the person themselves, excluded below.
        for matches in gallery.search(np.stack([s.embedding for s in samples]), k=2, threshold=thresholds.attendance):
            for m in matches:
                if m.person_id is None or m.person_id == exclude:
                    continue
                if m.person_id not in best or m.similarity > best[m.person_id].similarity:
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

    def enrol_photos(
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
        if assessment.sample is None:
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


def recompute_stale(store: Store, embedder: FaceEmbedder) -> RecomputeResult:
    """Re-embeds every template made by another model from its stored crop."""
    model_id, version = model_key(embedder)
    stale = store.stale_templates(model_id)
    crops = store.crops_for_recompute(model_id)
    vectors: dict[int, np.ndarray] = {}
    for template_id, jpeg in crops:
        try:
            crop = load_image(jpeg)
        except ImageError:
            continue  # a damaged crop: counted below as needing re-enrolment
        vectors[template_id] = embedder.embed(crop, [ARCFACE_TEMPLATE])[0]
    done = store.replace_embeddings(vectors, model_id, version) if vectors else 0
    return RecomputeResult(done, len(stale) - done)
