"""Warp a face to a fixed crop by a similarity transform from its 5 landmarks.

The fit is Umeyama's least-squares similarity (the estimate insightface's `face_align.estimate_norm`
takes through scikit-image), done here with numpy so the runtime needs neither of them;
tests/vision/test_align.py checks the two agree.
"""

from __future__ import annotations

import numpy as np

from core.vision.raster import warp_affine

# The ArcFace 112x112 template (insightface's `arcface_dst`); every bundled and shared model uses it.
ARCFACE_TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float32,
)


def align(
    image: np.ndarray,
    landmarks: np.ndarray,
    size: tuple[int, int] = (112, 112),
    template: np.ndarray | tuple[float, ...] = ARCFACE_TEMPLATE,
) -> np.ndarray:
    """Crop of `size` (width, height) with the landmarks moved onto `template`."""
    return warp_affine(image, alignment_matrix(landmarks, size, template), size)


def alignment_matrix(
    landmarks: np.ndarray,
    size: tuple[int, int] = (112, 112),
    template: np.ndarray | tuple[float, ...] = ARCFACE_TEMPLATE,
) -> np.ndarray:
    """The 2x3 matrix taking image points to crop points.

    The ArcFace template is given for 112x112, so square crops of a multiple of 112 scale it as
    insightface does; any other template (a teacher's metadata) is taken in the crop's own pixels.
    """
    points = np.asarray(landmarks, dtype=np.float64).reshape(5, 2)
    target = np.asarray(template, dtype=np.float64).reshape(5, 2)
    width, height = size
    if np.array_equal(target, ARCFACE_TEMPLATE.astype(np.float64)) and width == height and width % 112 == 0:
        target = target * (width / 112.0)
    return similarity_fit(points, target)[:2, :]


def similarity_fit(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """3x3 rotation + uniform scale + translation that best maps src onto dst (least squares).

    Umeyama (1991), "Least-squares estimation of transformation parameters between two point
    patterns", eq. 40-43; the reflection guard keeps a mirrored landmark set from flipping the crop.
    """
    count, dim = src.shape
    src_mean, dst_mean = src.mean(axis=0), dst.mean(axis=0)
    src_centred, dst_centred = src - src_mean, dst - dst_mean
    covariance = dst_centred.T @ src_centred / count
    signs = np.ones(dim)
    if np.linalg.det(covariance) < 0:
        signs[-1] = -1.0
    u, singular, vt = np.linalg.svd(covariance)
    rank = np.linalg.matrix_rank(covariance)
    if rank == 0:
        # Every landmark on one point: there is no face to align.
        raise ValueError("landmarks are degenerate (all at one point)")
    if rank == dim - 1 and np.linalg.det(u) * np.linalg.det(vt) > 0:
        rotation = u @ vt
    elif rank == dim - 1:
        rotation = u @ np.diag([*signs[:-1], -1.0]) @ vt
    else:
        rotation = u @ np.diag(signs) @ vt
    scale = (singular @ signs) / src_centred.var(axis=0).sum()
    matrix = np.eye(dim + 1)
    matrix[:dim, :dim] = scale * rotation
    matrix[:dim, dim] = dst_mean - scale * (rotation @ src_mean)
    return matrix
