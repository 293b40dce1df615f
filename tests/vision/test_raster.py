"""core.vision.raster computes what the OpenCV operations it replaces computed (the models were built and
evaluated on those), checked against OpenCV itself, which the tests keep."""

import cv2
import numpy as np
import pytest

from core.vision import raster
from core.vision.imaging import load_image


@pytest.fixture(scope="module")
def photo(sample_images) -> np.ndarray:
    return load_image(sample_images / "t1.jpg")


def _difference(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    assert ours.shape == theirs.shape and ours.dtype == np.uint8
    return np.abs(ours.astype(int) - theirs)


def test_halving_and_nearest_are_exact(photo):
    even = photo[:480, :640]
    halved = np.asarray(raster.halve(raster.picture(even)))
    assert np.array_equal(halved, cv2.resize(even, (320, 240), interpolation=cv2.INTER_AREA))
    odd = photo[:481, :641]
    halved = np.asarray(raster.halve(raster.picture(odd)))
    # Odd sides: spread over the whole image with fractional weights, like INTER_AREA; cutting the
    # last column off instead would shift the right side by up to a pixel.
    assert _difference(halved, cv2.resize(odd, (320, 240), interpolation=cv2.INTER_AREA)).max() <= 1
    for size in ((37, 29), (700, 500)):
        expected = cv2.resize(photo, size, interpolation=cv2.INTER_NEAREST)
        assert np.array_equal(raster.resize_nearest(photo, size), expected)


@pytest.mark.parametrize("size", [(150, 113), (413, 301), (900, 700)], ids=["small", "near-half", "larger"])
def test_bilinear_resize_does_not_blur_when_shrinking(photo, size):
    # Pillow's 8-bit transform truncates where OpenCV rounds: one gray level at most.
    difference = _difference(raster.resize_linear(photo, size), cv2.resize(photo, size, interpolation=cv2.INTER_LINEAR))
    assert difference.max() <= 1
    # A blurring (antialiased) resize would differ by far more on this photo's edges.
    blurred = cv2.resize(cv2.GaussianBlur(photo, (0, 0), 1.5), size, interpolation=cv2.INTER_LINEAR)
    assert _difference(raster.resize_linear(photo, size), blurred).max() > 20


def test_area_shrink_averages(photo):
    size = (photo.shape[1] // 3, photo.shape[0] // 3)
    region = photo[: size[1] * 3, : size[0] * 3]
    expected = cv2.resize(region, size, interpolation=cv2.INTER_AREA)
    assert _difference(raster.resize_area(region, size), expected).max() <= 1


@pytest.mark.parametrize(
    "matrix",
    [
        [[0.5, 0.05, -100.5], [-0.05, 0.5, -80.25]],
        [[0.2, 0.05, 3.5], [-0.05, 0.2, 10.25]],
        [[1.3, 0.0, 40], [0, 1.3, 25]],
    ],
    ids=["inside", "reaching-outside", "enlarging"],
)
def test_warp_matches_opencv_and_is_zero_outside(photo, matrix):
    matrix = np.array(matrix)
    ours = raster.warp_affine(photo, matrix, (112, 112))
    difference = _difference(ours, cv2.warpAffine(photo, matrix, (112, 112), borderValue=0.0))
    assert difference.max() <= 1 and (difference > 0).mean() < 0.01


def test_remap_blends_with_zero_at_the_border():
    image = np.full((4, 4, 3), 200, np.uint8)
    # Half a pixel left of the image: half image, half the zero outside it; far outside: zero.
    map_x = np.array([[-0.5, 1.0, -7.0]], np.float32)
    map_y = np.array([[1.0, 1.0, 1.0]], np.float32)
    out = raster.remap_linear(image, map_x, map_y)
    assert out[0, :, 0].tolist() == [100, 200, 0]


def test_detector_crops_sample_box_centres(photo):
    picture = raster.picture(photo)
    boxes = np.array([[100.0, 50.0, 148.0, 98.0], [-10.0, -10.0, 14.0, 14.0]])
    crops = raster.crops(picture, boxes, 24)
    # A box twice the crop's size: each crop pixel sits between four image pixels.
    x, y = 100 + 2 * np.arange(24) + 0.5, 50 + 2 * np.arange(24) + 0.5
    map_x, map_y = np.meshgrid(x, y)
    expected = cv2.remap(photo, map_x.astype(np.float32), map_y.astype(np.float32), cv2.INTER_LINEAR)
    assert _difference(crops[0], expected).max() <= 1
    # The part of the second box outside the image is zero.
    assert crops[1][:8, :8].max() == 0 and crops[1][-4:, -4:].min() >= 0
