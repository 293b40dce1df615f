"""Turn whatever the caller has (path, bytes, array) into one BGR uint8 image, or a clear error."""

from __future__ import annotations

import io
import stat
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import ImageError

ImageSource = str | Path | bytes | bytearray | np.ndarray

# The largest image decoded: 100 megapixels covers every phone and most cameras (a 108 MP phone
# photo is 12000x9000) and decodes to 300 MB.
MAX_MEGAPIXELS = 100
# Pillow's bomb check enforces the cap: opening a file reads only its header, and one declaring
# more pixels warns (DecompressionBombWarning, which _decode makes an error) or, over twice this,
# raises DecompressionBombError, so a 430 KB PNG declaring 20000x20000 is refused undecoded.
Image.MAX_IMAGE_PIXELS = MAX_MEGAPIXELS * 1_000_000
# A file read is cut off here, so a device or a growing file cannot be read without end.
MAX_FILE_BYTES = 256 * 2**20

# What a folder of photos may hold: the camera's folder source, enrolment, training and benchmarks
# all pick files by this one list.
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def image_files(folder: str | Path, recursive: bool = False) -> list[Path]:
    """The image files of a folder (and its subfolders when recursive), sorted by path."""
    candidates = Path(folder).rglob("*") if recursive else Path(folder).iterdir()
    return sorted(p for p in candidates if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())


def load_image(source: ImageSource) -> np.ndarray:
    """Return an HxWx3 uint8 BGR image (OpenCV's convention, which the models were built on).

    Paths and bytes are decoded with EXIF orientation applied; grayscale, alpha and 16-bit
    images are converted. Arrays are taken as BGR (or gray/BGRA) in uint8, uint16 or float 0..1.
    Anything that cannot be read (a missing or special file, an unknown or corrupt format, more
    than MAX_MEGAPIXELS) raises ImageError naming the source.
    """
    if isinstance(source, np.ndarray):
        return to_bgr8(source, "array")
    if isinstance(source, (bytes, bytearray)):
        return _decode(bytes(source), "image bytes")
    path = Path(source)
    return _decode(_read_file(path), str(path))


def _read_file(path: Path) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise ImageError(f"{path} is a directory, not an image file")
        # A FIFO would block and a device (/dev/zero) never end: only regular files are images.
        if not stat.S_ISREG(info.st_mode):
            raise ImageError(f"{path} is not a regular file (a device, pipe or socket), not an image")
        if info.st_size > MAX_FILE_BYTES:
            raise ImageError(
                f"{path} is {info.st_size / 2**20:.0f} MB; images over {MAX_FILE_BYTES // 2**20} MB are refused"
            )
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ImageError(f"cannot read image file {path}: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ImageError(f"{path} grew past {MAX_FILE_BYTES // 2**20} MB while being read")
    return data


def _decode(data: bytes, name: str) -> np.ndarray:
    if not data:
        raise ImageError(f"{name} is empty, not an image")
    try:
        with warnings.catch_warnings():
            # Pillow warns about odd but readable files (corrupt EXIF, palette transparency): the
            # image still decodes, and a warning is no use to the person at the camera.
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as picture:
                # Phones store pixels sideways with an EXIF tag saying how to turn them upright.
                ImageOps.exif_transpose(picture, in_place=True)
                image = _bgr_pixels(picture)
    except UnidentifiedImageError:
        raise ImageError(f"{name} is not a readable image: not a {_FORMAT_NAMES} file") from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageError(
            f"{name} is over {MAX_MEGAPIXELS} megapixels; images that large are refused: scale it down first"
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"{name} is not a readable image (corrupt or unsupported: {exc})") from None
    return to_bgr8(image, name)


# The formats FaceGate reads; Pillow is not asked to guess at anything else.
_PILLOW_FORMATS = ("JPEG", "PNG", "BMP", "WEBP", "TIFF")
_FORMAT_NAMES = "JPEG, PNG, BMP, WebP or TIFF"


def _bgr_pixels(picture: Image.Image) -> np.ndarray:
    """The picture's pixels as gray, BGR or BGRA, in uint8 or (16-bit gray) uint16."""
    if picture.mode == "I" or picture.mode.startswith("I;16"):
        # 16-bit gray (Pillow may hold it as 32-bit integers).
        return np.clip(np.asarray(picture), 0, 65535).astype(np.uint16)
    if picture.mode in ("L", "F"):
        return np.asarray(picture)
    if picture.mode not in ("RGB", "RGBA"):
        # Palette, CMYK, YCbCr, 1-bit, gray+alpha: to colour, keeping any transparency.
        keeps_alpha = "A" in picture.mode or "transparency" in picture.info
        picture = picture.convert("RGBA" if keeps_alpha else "RGB")
    # Pillow packs the bytes in BGR order itself, which saves a strided copy of every frame; a
    # bytearray keeps the array writable, as callers expect of a decoded image.
    order = "BGRA" if picture.mode == "RGBA" else "BGR"
    pixels = np.frombuffer(bytearray(picture.tobytes("raw", order)), np.uint8)
    return pixels.reshape(picture.height, picture.width, len(order))


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """A BGR uint8 image as JPEG bytes."""
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])).save(out, "JPEG", quality=quality)
    return out.getvalue()


def to_bgr8(image: np.ndarray, name: str = "array") -> np.ndarray:
    if image.size == 0 or image.ndim not in (2, 3):
        raise ImageError(f"{name} has shape {image.shape}, not an image")
    image = _to_uint8(image, name)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    elif image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    elif image.shape[2] == 4:
        # The alpha channel is dropped, not blended: the colour under it is the photo.
        image = image[:, :, :3]
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
