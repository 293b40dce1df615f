"""Enrolment: turning faces the quality gates accept (core/enrol/quality.py) into templates.

A face is stored as one template per model the site runs (the student, which shortlists, and the
verifier, which decides), each with the model that made it, a quality score, where it came from,
and a small aligned JPEG crop, so that templates of a new model can be made without the person
(core/enrol/upgrade.py). Before any is stored, the verifier checks that the faces belong to the
person (core/enrol/consistency.py) and to nobody else enrolled.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.enrol.consistency import CONSISTENCY_THRESHOLD as THRESHOLD
from core.enrol.consistency import Mismatch, mismatches
from core.enrol.quality import QualityGates, check_face, enrolment_faces
from core.enrol.upgrade import embed_crop
from core.errors import FaceGateError, ImageError
from core.i18n import QT_TRANSLATE_NOOP, Phrase, Translate, english
from core.matching.gallery import model_key
from core.matching.thresholds import gallery_in_use, settings_thresholds
from core.store import Person, Store
from core.types import Face, Match
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
    verified: np.ndarray | None = None  # the verifier's embedding of the same face, when there is one


@dataclass(frozen=True)
class Assessment:
    """What the gates made of one image: a sample, or the reason a person can act on."""

    face: Face | None
    sample: Sample | None = None
    reason: Phrase | None = None

    @property
    def ok(self) -> bool:
        return self.sample is not None


@dataclass(frozen=True)
class PhotoOutcome:
    path: str
    reason: str | None = None  # None: accepted; a Phrase when a gate refused the face

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


MISMATCH_TEMPLATES = QT_TRANSLATE_NOOP(
    "Enrolment", "{photo} does not match {name}'s templates (similarity {similarity}, need {need})"
)
MISMATCH_BATCH = QT_TRANSLATE_NOOP(
    "Enrolment", "{photo} does not match the other photos (similarity {similarity}, need {need})"
)
FACE_NUMBER = QT_TRANSLATE_NOOP("Enrolment", "face {number}")
ALREADY_MATCH = QT_TRANSLATE_NOOP("Enrolment", "these faces already match {name} (#{id}, {similarity})")


@dataclass(frozen=True)
class Review:
    """What the verifier found wrong with a batch before it is stored; empty when nothing."""

    person: str  # the name the batch is for
    mismatches: tuple[Mismatch, ...] = ()  # faces unlike the person's templates or the rest of the batch
    duplicates: tuple[Match, ...] = ()  # other enrolled people the faces already are

    def __bool__(self) -> bool:
        return bool(self.mismatches or self.duplicates)

    def describe(self, samples: Sequence[Sample], translate: Translate = english) -> str:
        """One line naming each refused photo (by file name) and each look-alike: in English for
        the command line and the audit, the GUI passing its translation (core/i18n.py)."""
        parts = []
        for m in self.mismatches:
            template = MISMATCH_TEMPLATES if m.against == "templates" else MISMATCH_BATCH
            photo = samples[m.index].detail or translate("Enrolment", FACE_NUMBER).format(number=m.index + 1)
            parts.append(
                translate("Enrolment", template).format(
                    photo=photo, name=self.person, similarity=f"{m.similarity:.2f}", need=f"{THRESHOLD:.2f}"
                )
            )
        parts += [
            translate("Enrolment", ALREADY_MATCH).format(name=d.name, id=d.person_id, similarity=f"{d.similarity:.2f}")
            for d in self.duplicates
        ]
        return "; ".join(parts)


class Refused(FaceGateError):
    """A batch the verifier refused: nothing was stored."""

    def __init__(self, review: Review, samples: Sequence[Sample]):
        super().__init__(review.describe(samples))
        self.review = review


class Enroller:
    """Assesses photos and frames, warns about look-alikes, and stores the accepted samples."""

    def __init__(self, store: Store, pipeline: FacePipeline, gates: QualityGates | None = None):
        self.store = store
        self.pipeline = pipeline
        self.gates = gates or QualityGates()

    def assess(self, image: ImageSource, detail: str | None = None, verify: bool = True) -> Assessment:
        """verify: also the verifier's embedding (skipped for camera frames that will not be kept)."""
        image = load_image(image)
        faces = enrolment_faces(self.pipeline.detector, image, self.gates)
        crop, quality, reason = check_face(image, faces, self.gates)
        face = faces[0] if faces else None
        if crop is None or face is None:
            return Assessment(face, reason=reason)
        embedding = self.pipeline.embedder.embed(image, [face.landmarks])[0]
        verified = self.pipeline.verify_embed(image, [face])[0] if verify and self.pipeline.verifier else None
        # The stored crop's landmarks sit on the ArcFace template, so a later model of any input
        # format can be fed from it (see core/enrol/upgrade.py).
        return Assessment(face, Sample(embedding, quality, encode_jpeg(crop, CROP_JPEG_QUALITY), detail, verified))

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

    def _verified(self, samples: Sequence[Sample]) -> np.ndarray | None:
        """The verifier's embeddings of the samples, None without a verifier."""
        vectors = [s.verified for s in samples if s.verified is not None]
        if self.pipeline.verifier is None or not samples or len(vectors) < len(samples):
            return None
        return np.stack(vectors)

    def _judged(self, samples: Sequence[Sample]) -> tuple[FaceEmbedder, np.ndarray]:
        """The model that judges whether faces are someone else's (the verifier, where it embedded
        every sample, else the student) and the samples' embeddings by it."""
        verified = self._verified(samples)
        if verified is None:
            return self.pipeline.embedder, np.stack([s.embedding for s in samples])
        assert self.pipeline.verifier is not None  # it made the verified embeddings
        return self.pipeline.verifier, verified

    def alike_batches(self, batches: Sequence[Sequence[Sample]]) -> list[tuple[int, int, float]]:
        """(i, j, similarity) for each batch i whose faces look like an earlier batch j's (its most
        alike), as the kiosk would judge them once all are enrolled: the attendance threshold for
        the gallery they make together, by the model duplicates() uses. One person under two names
        in a bulk import. Batches must be non-empty."""
        if not batches:
            return []
        model, _ = self._judged([s for batch in batches for s in batch])
        if model is self.pipeline.embedder:  # some face lacks the verifier's embedding: the student judges all
            vectors = [np.stack([s.embedding for s in batch]) for batch in batches]
        else:
            vectors = [self._judged(batch)[1] for batch in batches]
        size = self.store.template_count(model.model_id) + sum(len(v) for v in vectors)
        threshold = settings_thresholds(model, self.store.load_settings(), size).attendance
        found = []
        for i in range(1, len(vectors)):
            scores = [float((vectors[i] @ vectors[j].T).max()) for j in range(i)]
            j = int(np.argmax(scores))
            if scores[j] >= threshold:
                found.append((i, j, scores[j]))
        return found

    def duplicates(self, samples: Sequence[Sample], exclude: int | None = None) -> list[Match]:
        """Other enrolled people the samples already match, best first: by the verifier at the
        attendance threshold its gallery has now (core/matching/thresholds.py: it follows the
        gallery size), as a verdict is made; by the student where the verifier is off."""
        if not samples:
            return []
        model, vectors = self._judged(samples)
        if not self.store.template_count(model.model_id):
            return []  # nobody to be alike: nothing to unseal, no threshold to work out
        gallery, thresholds = gallery_in_use(self.store, model, self.store.load_settings())
        best: dict[int, Match] = {}
        # k=2: on re-enrolment the best match is usually the person themselves, excluded below.
        for matches in gallery.search(vectors, k=2, threshold=thresholds.attendance):
            for m in matches:
                if m.person_id is None or m.person_id == exclude:
                    continue
                if m.person_id not in best or m.similarity > best[m.person_id].similarity:
                    best[m.person_id] = m
        return sorted(best.values(), key=lambda m: -m.similarity)

    def person_references(self, person_id: int) -> np.ndarray:
        """The verifier's templates of the person; for someone enrolled before the verifier was,
        their kept crops embedded now, so they are protected before `people upgrade` has run."""
        verifier = self.pipeline.verifier
        assert verifier is not None  # called only with a verifier
        stored = self.store.templates_for_gallery(verifier.model_id, person_id=person_id)[0]
        if len(stored):
            return stored
        crops = sorted({crop for _, crop in self.store.template_crops(person_id) if crop is not None})
        if not crops:
            return np.zeros((0, verifier.dim), np.float32)
        return np.stack([embed_crop(verifier, crop) for crop in crops])

    def review(self, samples: Sequence[Sample], name: str, person_id: int | None = None) -> Review:
        """What the verifier objects to in storing samples for person_id (None: a new person
        called name): faces unlike the person's templates or the rest of the batch, and other
        people the faces already are. Empty without a verifier."""
        verified = self._verified(samples)
        if verified is None:
            return Review(name)
        existing = self.person_references(person_id) if person_id is not None else np.zeros((0, verified.shape[1]))
        return Review(name, tuple(mismatches(verified, existing)), tuple(self.duplicates(samples, exclude=person_id)))

    def enrolment(
        self,
        samples: Sequence[Sample],
        source: str,
        *,
        name: str | None = None,
        person_id: int | None = None,
        group: str | None = None,
        external_id: str | None = None,
        forced: str | None = None,
        active: bool = True,
    ) -> dict[str, Any]:
        """Store.enrol's arguments to store the samples for person_id, or for the person called
        name (created if new), by the student and, when on, the verifier. forced: the review an
        admin overrode, for the audit log."""
        if not samples:
            raise FaceGateError("no usable face to enrol")
        model_id, version = model_key(self.pipeline.embedder)
        verified = self._verified(samples)
        verifier = self.pipeline.verifier
        also = [] if verified is None or verifier is None else [(verified, *model_key(verifier))]
        keep_crops = self.store.load_settings().keep_face_crops
        return {
            "embeddings": np.stack([s.embedding for s in samples]),
            "model_id": model_id,
            "model_version": version,
            "quality": [s.quality for s in samples],
            "source": source,
            "crops": [s.crop_jpeg for s in samples] if keep_crops else None,
            "source_detail": [s.detail for s in samples],
            "person_id": person_id,
            "name": name,
            "group": group,
            "external_id": external_id,
            "also": also,
            "forced": forced,
            "active": active,
        }

    def save(
        self,
        samples: Sequence[Sample],
        source: str,
        *,
        name: str | None = None,
        person_id: int | None = None,
        group: str | None = None,
        external_id: str | None = None,
        forced: str | None = None,
    ) -> tuple[Person, list[int], bool]:
        """Stores what enrolment() describes. Returns (person, the student's template ids, whether
        the person was created)."""
        # One transaction: a crash leaves the person with their templates or not at all, and two
        # kiosks enrolling the same name at once make one person.
        result = self.store.enrol(
            **self.enrolment(
                samples, source, name=name, person_id=person_id, group=group, external_id=external_id, forced=forced
            )
        )
        return result.person, result.template_ids, result.created

    def enrol_photos(
        self,
        name: str,
        paths: Sequence[str | Path],
        group: str | None = None,
        external_id: str | None = None,
        person_id: int | None = None,
        force: bool = False,
    ) -> EnrolResult:
        """Everything `facegate enroll` does, for the person called name or, given, person_id;
        FaceGateError, with each photo's reason, if none was usable; Refused, with nothing stored,
        if the verifier objects (Enroller.review) and force is not set."""
        samples, outcomes = self.assess_photos(paths)
        if not samples:
            reasons = "; ".join(f"{Path(o.path).name}: {o.reason}" for o in outcomes)
            raise FaceGateError(f"no photo of {name} could be used ({reasons})")
        existing = self.store.get_person(person_id) if person_id is not None else self.store.find_person_by_name(name)
        review = self.review(samples, existing.name if existing else name, existing.id if existing else None)
        if review and not force:
            raise Refused(review, samples)
        person, ids, created = self.save(
            samples,
            "photo",
            name=name,
            person_id=person_id,
            group=group,
            external_id=external_id,
            forced=review.describe(samples) if review else None,
        )
        return EnrolResult(person, tuple(ids), tuple(outcomes), review.duplicates, created)


@dataclass(frozen=True)
class CaptureFeedback:
    """What the guided capture tells the person in front of the camera after each frame."""

    message: Phrase
    usable: bool  # the frame passed the gates (it may still be skipped to space samples out)
    accepted: bool
    count: int
    face: Face | None
    enough: bool
    done: bool


# Small changes of pose between samples make the templates cover more than one exact look.
_PROMPTS = (
    QT_TRANSLATE_NOOP("Enrolment", "look straight at the camera"),
    QT_TRANSLATE_NOOP("Enrolment", "turn your head a little to the left"),
    QT_TRANSLATE_NOOP("Enrolment", "turn your head a little to the right"),
    QT_TRANSLATE_NOOP("Enrolment", "tilt your chin up a little"),
    QT_TRANSLATE_NOOP("Enrolment", "tilt your chin down a little"),
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
    def prompt(self) -> Phrase:
        return Phrase("Enrolment", _PROMPTS[len(self.samples) % len(_PROMPTS)])

    def feed(self, frame: np.ndarray, now: float) -> CaptureFeedback:
        """now: a monotonic clock in seconds, so that samples are spaced in time."""
        if len(self.samples) >= self.max_samples:
            return self._feedback(None, Phrase("Enrolment", QT_TRANSLATE_NOOP("Enrolment", "done")), usable=False)
        # The verifier runs only on frames spaced far enough apart to be kept.
        assessment = self.enroller.assess(frame, detail="camera", verify=now - self._last_accept >= self.min_gap_s)
        if assessment.sample is None:
            return self._feedback(assessment.face, assessment.reason or Phrase("Enrolment", ""), usable=False)
        if now - self._last_accept < self.min_gap_s:
            now_say = Phrase("Enrolment", QT_TRANSLATE_NOOP("Enrolment", "now {prompt}"), prompt=self.prompt)
            return self._feedback(assessment.face, now_say, usable=True)
        self.samples.append(assessment.sample)
        self._last_accept = now
        got_it = Phrase("Enrolment", QT_TRANSLATE_NOOP("Enrolment", "got it; now {prompt}"), prompt=self.prompt)
        return self._feedback(assessment.face, got_it, usable=True, accepted=True)

    def _feedback(self, face: Face | None, message: Phrase, usable: bool, accepted: bool = False) -> CaptureFeedback:
        count = len(self.samples)
        return CaptureFeedback(
            Phrase("Enrolment", "{count}/{most}: {message}", count=count, most=self.max_samples, message=message),
            usable,
            accepted,
            count,
            face,
            count >= self.min_samples,
            count >= self.max_samples,
        )
