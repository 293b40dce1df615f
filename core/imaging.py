"""Turn whatever the caller has (path, bytes, array) into one BGR uint8 image, or a clear error."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .errors import ImageError

ImageSource = str | Path | bytes | bytearray | np.ndarray

# What a folder of photos may hold: the camera's folder source, enrolment, training and benchmarks
# all pick files by this one list.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def image_files(folder: str | Path, recursive: bool = False) -> list[Path]:
    """The image files of a folder (and its subfolders when recursive), sorted by path."""
    candidates = Path(folder).rglob("*") if recursive else Path(folder).iterdir()
    return sorted(p for p in candidates if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def load_image(source: ImageSource) -> np.ndarray:
    """Return an HxWx3 uint8 BGR image (OpenCV's convention, like camera frames).

    Paths and bytes are decoded with EXIF orientation applied; grayscale, alpha and 16-bit
    images are converted. Arrays are taken as BGR (or gray/BGRA) in uint8, uint16 or float 0..1.
    Anything that cannot be read raises ImageError naming the source.
    """
    if isinstance(source, np.ndarray):
        return to_bgr8(source, "array")
    if isinstance(source, (bytes, bytearray)):
        return _decode(bytes(source), "image bytes")
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(f"cannot read image file {path}: {exc.strerror or exc}") from exc
    return _decode(data, str(path))


def _decode(data: bytes, name: str) -> np.ndarray:
    if not data:
        raise ImageError(f"{name} is empty, not an image")
    buffer = np.frombuffer(data, dtype=np.uint8)
    # ANYDEPTH keeps 16-bit precision for the conversion below; unlike IMREAD_UNCHANGED it still
    # applies the EXIF orientation, so phone photos come out upright.
    flags = cv2.IMREAD_ANYCOLOR | cv2.IMREAD_ANYDEPTH
    try:
        image = cv2.imdecode(buffer, flags)
    except cv2.error as exc:
        raise ImageError(f"{name} is not a readable image: {exc}") from exc
    if image is None:
        raise ImageError(f"{name} is not a readable image (corrupt or unsupported format)")
    return to_bgr8(image, name)


def to_bgr8(image: np.ndarray, name: str = "array") -> np.ndarray:
    if image.size == 0 or image.ndim not in (2, 3):
        raise ImageError(f"{name} has shape {image.shape}, not an image")
    image = _to_uint8(image, name)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 1:
        image = cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    elif image.shape[2] != 3:
        raise ImageError(f"{name} has {image.shape[2]} channels; expected 1, 3 or 4")
    return np.ascontiguousarray(image)


def _to_uint8(image: np.ndarray, name: str) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    if np.issubdtype(image.dtype, np.floating):
        if not np.isfinite(image).all():
            raise ImageError(f"{name} contains NaN or infinite pixels")
        scale = 255.0 if image.max(initial=0.0) <= 1.0 else 1.0
        return np.clip(image * scale, 0, 255).astype(np.uint8)
    if np.issubdtype(image.dtype, np.integer) or image.dtype == np.bool_:
        return np.clip(image, 0, 255).astype(np.uint8)
    raise ImageError(f"{name} has pixel type {image.dtype}, not an image")
