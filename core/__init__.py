"""FaceGate core: detection, alignment, embedding, matching, storage and attendance rules.

No Qt and no torch here. The public surface a newcomer needs:

    from core import load_image
    from core.vision.pipeline import FacePipeline
    pipeline = FacePipeline()                 # bundled detector + student
    faces = pipeline.faces("photo.jpg")       # largest first, each with .embedding

The package itself exports only the light names below; the pipeline, gallery and store live in
their modules so that `import core` does not load onnxruntime or SQLAlchemy.
"""

from core.errors import CameraError, FaceGateError, ImageError, ModelError, StoreError
from core.types import Face, Match
from core.vision.imaging import load_image

__all__ = [
    "CameraError",
    "Face",
    "FaceGateError",
    "ImageError",
    "Match",
    "ModelError",
    "StoreError",
    "load_image",
]
