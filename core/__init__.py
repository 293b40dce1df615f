"""FaceGate core: the library behind the app and the `facegate` command. No Qt, no torch.

The names a script needs, whatever room they live in:

    from core import FacePipeline, Gallery, Store, load_image
    pipeline = FacePipeline()                    # bundled detector + student
    faces = pipeline.faces(load_image("photo.jpg"))   # largest first, each with .embedding

The rooms follow the frame: vision (image -> faces), liveness (face track -> live or not),
matching (embeddings -> Match), enrol (photos -> templates), kiosk (per-frame rules, spool,
sources) and store (the database). Heavy names load on first use, so `import core` does not load
onnxruntime or SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from core.errors import CameraError, FaceGateError, ImageError, ModelError, StoreError
from core.types import Event, Face, Match

# name -> the module that owns it; imported on first access (PEP 562).
_LAZY = {
    "load_image": "core.vision.imaging",
    "Detector": "core.vision.detect",
    "load_embedder": "core.vision.embed",
    "FacePipeline": "core.vision.pipeline",
    "Gallery": "core.matching.gallery",
    "model_key": "core.matching.gallery",
    "Store": "core.store.facade",
    "hash_pin": "core.store.pin",
    "Kiosk": "core.kiosk.kiosk",
    "Settings": "core.settings",
    "database_url": "core.paths",
    "frame_640x480": "core.benchmark",
}

if TYPE_CHECKING:
    from core.benchmark import frame_640x480
    from core.enrol.enroller import model_key
    from core.kiosk.kiosk import Kiosk
    from core.matching.gallery import Gallery
    from core.paths import database_url
    from core.settings import Settings
    from core.store import Store
    from core.store.pin import hash_pin
    from core.vision.detect import Detector
    from core.vision.embed import load_embedder
    from core.vision.imaging import load_image
    from core.vision.pipeline import FacePipeline


def __getattr__(name: str) -> Any:
    owner = _LAZY.get(name)
    if owner is None:
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    value = getattr(import_module(owner), name)
    globals()[name] = value
    return value


__all__ = [
    "CameraError",
    "Detector",
    "Event",
    "Face",
    "FaceGateError",
    "FacePipeline",
    "Gallery",
    "ImageError",
    "Kiosk",
    "Match",
    "ModelError",
    "Settings",
    "Store",
    "StoreError",
    "database_url",
    "frame_640x480",
    "hash_pin",
    "load_embedder",
    "load_image",
    "model_key",
]
