"""Image in, faces with embeddings out: the one call the app, the CLI and evaluation share."""

from __future__ import annotations

import os
from dataclasses import replace

from core.paths import model_path
from core.types import Face
from core.vision.detect import Detector
from core.vision.embed import FaceEmbedder, load_embedder
from core.vision.imaging import ImageSource, load_image

STUDENT_MODEL = "student.onnx"
MODEL_ENV = "FACEGATE_MODEL"


def model_spec(override: str | None = None) -> str:
    """The embedding model to run: an explicit choice (--model), else FACEGATE_MODEL, else the
    bundled student. The only place that decides, so the app, the CLI and tests agree."""
    return override or os.environ.get(MODEL_ENV) or str(model_path(STUDENT_MODEL))


class FacePipeline:
    def __init__(self, detector: Detector | None = None, embedder: FaceEmbedder | None = None):
        self.detector = detector or Detector()
        self.embedder = embedder or load_embedder(model_spec(), flip=False)

    def detect(self, image: ImageSource) -> list[Face]:
        return self.detector.detect(load_image(image))

    def faces(self, image: ImageSource, max_faces: int | None = None) -> list[Face]:
        """Detected faces, largest first, each with its embedding."""
        image = load_image(image)
        found = self.detector.detect(image)[:max_faces]
        if not found:
            return []
        vectors = self.embedder.embed(image, [f.landmarks for f in found])
        return [replace(face, embedding=vec) for face, vec in zip(found, vectors)]
