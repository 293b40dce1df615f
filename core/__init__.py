"""FaceGate core: detection, alignment, embedding, matching, storage and attendance rules.

No Qt and no torch here. The public surface a newcomer needs:

    from core import FacePipeline, Gallery, load_image
    pipeline = FacePipeline()                 # bundled detector + student
    faces = pipeline.faces("photo.jpg")       # largest first, each with .embedding
"""
from .errors import CameraError, FaceGateError, ImageError, ModelError, StoreError
from .imaging import load_image
from .types import Face, Match

__all__ = [
    "CameraError", "Face", "FaceGateError", "ImageError", "Match", "ModelError", "StoreError",
    "load_image",
]
