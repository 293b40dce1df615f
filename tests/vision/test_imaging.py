"""Every kind of input a user may hand over decodes to BGR uint8, or fails with ImageError."""

import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from core.errors import ImageError
from core.vision.imaging import MAX_MEGAPIXELS, load_image


@pytest.fixture(scope="module")
def hanks(sample_images: Path) -> np.ndarray:
    return cv2.imread(str(sample_images / "Tom_Hanks_54745.png"))


def test_path_bytes_and_array_agree(sample_images, hanks):
    path = sample_images / "Tom_Hanks_54745.png"
    assert np.array_equal(load_image(path), hanks)
    assert np.array_equal(load_image(str(path)), hanks)
    assert np.array_equal(load_image(path.read_bytes()), hanks)
    assert np.array_equal(load_image(hanks), hanks)


def test_grayscale_rgba_and_16bit_become_bgr8(tmp_path, hanks):
    gray = cv2.cvtColor(hanks, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(tmp_path / "gray.png"), gray)
    cv2.imwrite(str(tmp_path / "rgba.png"), cv2.cvtColor(hanks, cv2.COLOR_BGR2BGRA))
    cv2.imwrite(str(tmp_path / "deep.png"), hanks.astype(np.uint16) * 257)
    for name in ("gray.png", "rgba.png", "deep.png"):
        image = load_image(tmp_path / name)
        assert image.dtype == np.uint8 and image.shape == hanks.shape, name
    assert np.abs(load_image(tmp_path / "deep.png").astype(int) - hanks).max() <= 1
    for array in (
        gray,
        gray[..., None],
        cv2.cvtColor(hanks, cv2.COLOR_BGR2BGRA),
        hanks.astype(np.uint16) * 257,
        hanks / 255.0,
    ):
        out = load_image(array)
        assert out.shape == hanks.shape and out.dtype == np.uint8


def test_exif_rotated_jpeg_comes_out_upright(tmp_path, hanks, detector):
    # A phone stores pixels sideways and an EXIF tag saying how to turn them.
    sideways = Image.fromarray(cv2.cvtColor(np.rot90(hanks).copy(), cv2.COLOR_BGR2RGB))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    path = tmp_path / "phone.jpg"
    sideways.save(path, exif=exif, quality=95)
    image = load_image(path)
    assert image.shape == hanks.shape
    face = detector.detect(image)[0]
    left_eye, right_eye = face.landmarks[0], face.landmarks[1]
    assert abs(left_eye[1] - right_eye[1]) < 0.2 * (right_eye[0] - left_eye[0])


def test_very_large_image_maps_faces_back(sample_images, detector):
    photo = load_image(sample_images / "Tom_Hanks_54745.png")
    big = cv2.resize(photo, None, fx=8, fy=8, interpolation=cv2.INTER_LINEAR)
    small_faces, big_faces = detector.detect(photo), detector.detect(big)
    assert len(big_faces) == len(small_faces) == 1
    assert np.allclose(big_faces[0].box / 8, small_faces[0].box, atol=0.06 * small_faces[0].size)


@pytest.mark.parametrize(
    "content",
    [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\x00" * 64],
    ids=["empty", "text", "truncated-jpeg"],
)
def test_corrupt_files_raise_image_error_naming_the_file(tmp_path, content):
    path = tmp_path / "broken.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError, match="broken.jpg"):
        load_image(path)


@pytest.mark.parametrize("side", [10_050, 60_000], ids=["just-over-the-cap", "far-over"])
def test_images_over_the_pixel_cap_are_refused_from_their_header(side):
    # Only the header and a sliver of pixel data: refusing must not need the rest, and a file
    # just over the cap (where Pillow merely warns) is refused like one far over it.
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, 10_000, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
    with pytest.raises(ImageError, match=f"over {MAX_MEGAPIXELS} megapixels"):
        load_image(data)


def test_missing_file_and_bad_arrays(tmp_path):
    with pytest.raises(ImageError, match="nothere.png"):
        load_image(tmp_path / "nothere.png")
    with pytest.raises(ImageError, match="is a directory|cannot read"):
        load_image(tmp_path)
    for bad in (
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((4, 4, 2), np.uint8),
        np.full((8, 8, 3), np.nan, np.float32),
        np.zeros((2, 2, 2, 2), np.uint8),
    ):
        with pytest.raises(ImageError):
            load_image(bad)


def test_image_without_a_face_gives_no_faces(detector):
    rng = np.random.default_rng(1)
    assert detector.detect(load_image(np.zeros((480, 640), np.uint8))) == []
    assert detector.detect(load_image(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8))) == []
