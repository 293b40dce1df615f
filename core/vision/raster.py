"""Resampling of HxWx3 (or HxW) uint8 images with Pillow's C code: resizes, crops and warps.

The runtime carries no OpenCV, so these reproduce the OpenCV operations the models were built and
evaluated with: pixel centres at +0.5, bilinear sampling without antialiasing (INTER_LINEAR, as
Pillow's transform does it; its resize would blur when shrinking), area averaging when shrinking
(INTER_AREA is Pillow's BOX filter), and zero where a crop or warp reaches outside the image.
Channel order does not matter to any of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

Size = tuple[int, int]  # (width, height), OpenCV's order
_AFFINE = Image.Transform.AFFINE
_BILINEAR = Image.Resampling.BILINEAR


def picture(image: np.ndarray) -> Image.Image:
    """A Pillow image of the array's pixels (a copy), for several operations on one image."""
    return Image.fromarray(np.ascontiguousarray(image))


def resize_area(image: np.ndarray, size: Size) -> np.ndarray:
    """Shrink by averaging the source pixels each output pixel covers."""
    return np.asarray(picture(image).resize(size, Image.Resampling.BOX))


def halve(source: Image.Image) -> Image.Image:
    """Half the size (rounded down) by area averaging: each 2x2 block when the sides are even. An
    odd side is spread over the whole image, as INTER_AREA does, not cut short: the smaller image
    must still cover exactly what the larger one does."""
    if source.width % 2 == 0 and source.height % 2 == 0:
        return source.reduce(2)
    # Pillow's BOX filter weighs whole pixels, which at a factor just over 2 is up to a pixel off
    # here and there; the fractional weights are computed instead.
    pixels = np.asarray(source, np.float32)
    rows_index, rows_weight = _area_taps(source.height, source.height // 2)
    cols_index, cols_weight = _area_taps(source.width, source.width // 2)
    rows = np.einsum("ok,okwc->owc", rows_weight, pixels[rows_index])
    out = np.einsum("ok,hokc->hoc", cols_weight, rows[:, cols_index])
    return Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8))


def _area_taps(source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """For each output pixel: the source pixels it covers and the share of it each covers."""
    scale = source / target
    start = np.arange(target) * scale
    index = np.floor(start).astype(np.intp)[:, None] + np.arange(int(np.ceil(scale)) + 1)
    overlap = np.minimum(index + 1, (start + scale)[:, None]) - np.maximum(index, start[:, None])
    weight = np.clip(overlap, 0, None) / scale
    return np.minimum(index, source - 1), weight.astype(np.float32)


def resize_linear(image: np.ndarray | Image.Image, size: Size) -> np.ndarray:
    """Bilinear resize that samples at pixel centres and does not blur when shrinking."""
    source = image if isinstance(image, Image.Image) else picture(image)
    scale = (source.width / size[0], 0.0, 0.0, 0.0, source.height / size[1], 0.0)
    return np.asarray(source.transform(size, _AFFINE, scale, _BILINEAR))


def resize_nearest(image: np.ndarray, size: Size) -> np.ndarray:
    """Each output pixel copies the source pixel its top-left corner falls in (INTER_NEAREST)."""
    width, height = size
    # The step as OpenCV computes it (the inverse of the scale), so the same pixels are picked.
    rows = np.minimum((np.arange(height) * (1.0 / (height / image.shape[0]))).astype(np.intp), image.shape[0] - 1)
    cols = np.minimum((np.arange(width) * (1.0 / (width / image.shape[1]))).astype(np.intp), image.shape[1] - 1)
    return image[rows[:, None], cols[None, :]]


def crops(source: Image.Image, boxes: Sequence[Sequence[float]], size: int, channels: int = 3) -> np.ndarray:
    """(n, size, size, channels): each box (x1, y1, x2, y2, in the picture's pixel edges)
    resampled bilinearly to size x size, zero outside the picture."""
    out = np.empty((len(boxes), size, size, channels), np.uint8)
    for index, (x1, y1, x2, y2) in enumerate(boxes):
        step = ((x2 - x1) / size, 0.0, x1, 0.0, (y2 - y1) / size, y1)
        out[index] = np.asarray(source.transform((size, size), _AFFINE, step, _BILINEAR)).reshape(size, size, -1)
    return out


def warp_affine(image: np.ndarray, matrix: np.ndarray, size: Size) -> np.ndarray:
    """The image moved by the 2x3 matrix (image pixel index -> output pixel index) onto a `size`
    canvas, bilinear, zero where the output falls outside the image (cv2.warpAffine's defaults).

    Computed in floating point and rounded, not with Pillow, whose 8-bit bilinear truncates: the
    embedder's input stays within one gray level of OpenCV's, as insightface's crops are.
    """
    forward = np.vstack([np.asarray(matrix, np.float64).reshape(2, 3), [0.0, 0.0, 1.0]])
    inverse = np.linalg.inv(forward)
    width, height = size
    xs, ys = np.meshgrid(np.arange(width, dtype=np.float64), np.arange(height, dtype=np.float64))
    map_x = inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]
    map_y = inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]
    return remap_linear(image, map_x, map_y)


def remap_linear(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """out[i, j] = the image at (map_x[i, j], map_y[i, j]) in pixel indices, bilinear, blending
    with zero outside the image (cv2.remap with INTER_LINEAR and BORDER_CONSTANT)."""
    height, width = image.shape[:2]
    x_floor, y_floor = np.floor(map_x), np.floor(map_y)
    # Only the part of the image the map reaches, framed by a pixel of zeros that every tap
    # outside the image is clipped onto.
    left, right = (int(np.clip(v, 0, width)) for v in (x_floor.min(), x_floor.max() + 2))
    top, bottom = (int(np.clip(v, 0, height)) for v in (y_floor.min(), y_floor.max() + 2))
    region = image[top:bottom, left:right].reshape(bottom - top, right - left, -1)
    framed = np.pad(region, ((1, 1), (1, 1), (0, 0)))
    rows, cols = framed.shape[:2]
    pixels = framed.reshape(rows * cols, -1)
    column = x_floor.astype(np.intp).reshape(-1) - left + 1
    row = y_floor.astype(np.intp).reshape(-1) - top + 1
    x0, x1 = np.clip(column, 0, cols - 1), np.clip(column + 1, 0, cols - 1)
    y0, y1 = np.clip(row, 0, rows - 1) * cols, np.clip(row + 1, 0, rows - 1) * cols
    wx = (map_x - x_floor).astype(np.float32).reshape(-1, 1)
    wy = (map_y - y_floor).astype(np.float32).reshape(-1, 1)

    def tap(index: np.ndarray) -> np.ndarray:
        return np.take(pixels, index, axis=0).astype(np.float32)  # take: several times faster than [index]

    top_left, bottom_left = tap(y0 + x0), tap(y1 + x0)
    upper = top_left + (tap(y0 + x1) - top_left) * wx
    lower = bottom_left + (tap(y1 + x1) - bottom_left) * wx
    out = np.rint(upper + (lower - upper) * wy).astype(np.uint8)
    return out.reshape((*map_x.shape, *image.shape[2:]))
