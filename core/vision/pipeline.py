"""Image in, faces with embeddings out: the one call the app, the CLI and evaluation share."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np

from core.paths import model_path
from core.types import Face
from core.vision.detect import Detector
from core.vision.embed import FaceEmbedder, load_embedder
from core.vision.imaging import ImageSource, load_image

STUDENT_MODEL = "student.onnx"
MODEL_ENV = "FACEGATE_MODEL"
# The strong model that checks every verdict (check-in, unlock, enrolment): the student shortlists,
# the verifier decides (core/matching). Too slow for every face of every frame, cheap once a verdict.
VERIFIER_MODEL = "edgeface_xs.onnx"
VERIFIER_ENV = "FACEGATE_VERIFIER"


def model_spec(override: str | None = None) -> str:
    """The embedding model to run: an explicit choice (--model), else FACEGATE_MODEL, else the
    bundled student. The only place that decides, so the app, the CLI and tests agree."""
    return override or os.environ.get(MODEL_ENV) or str(model_path(STUDENT_MODEL))


def verifier_spec(override: str | None = None) -> str:
    """The verifier to run: an explicit choice (--verifier), else FACEGATE_VERIFIER, else the bundled one."""
    return override or os.environ.get(VERIFIER_ENV) or str(model_path(VERIFIER_MODEL))


class _Bundled:
    """FacePipeline's default verifier: the bundled one (None turns the verifier off)."""


BUNDLED = _Bundled()


class FacePipeline:
    """detector -> aligned faces -> the student's embedding of each; with a verifier, the strong
    model's embedding of the faces a verdict needs (verify_embed)."""

    def __init__(
        self,
        detector: Detector | None = None,
        embedder: FaceEmbedder | None = None,
        verifier: FaceEmbedder | _Bundled | None = BUNDLED,
    ):
        self.detector = detector or Detector()
        self.embedder = embedder or load_embedder(model_spec(), flip=False)
        self.verifier = load_embedder(verifier_spec(), flip=False) if isinstance(verifier, _Bundled) else verifier

    def detect(self, image: ImageSource) -> list[Face]:
        return self.detector.detect(load_image(image))

    def faces(self, image: ImageSource, max_faces: int | None = None, min_face: int | None = None) -> list[Face]:
        """Detected faces, largest first, each with its embedding. min_face: this call's smallest face
        (the detector's own otherwise), so users sharing one pipeline never change it for each other."""
        image = load_image(image)
        found = self.detector.detect(image, min_face=min_face)[:max_faces]
        if not found:
            return []
        vectors = self.embedder.embed(image, [f.landmarks for f in found])
        return [replace(face, embedding=vec) for face, vec in zip(found, vectors)]

    def verify_embed(self, image: ImageSource, faces: list[Face]) -> np.ndarray:
        """The verifier's embeddings of these faces of image (rows in their order); the caller checks
        that a verifier is set."""
        if self.verifier is None:
            raise ValueError("this pipeline has no verifier")
        return self.verifier.embed(load_image(image), [f.landmarks for f in faces])
