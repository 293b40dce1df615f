"""Warp a face to a fixed crop by a similarity transform from its 5 landmarks."""
from __future__ import annotations

import cv2
import numpy as np
from insightface.utils import face_align
from skimage.transform import SimilarityTransform

# The ArcFace 112x112 template; every bundled and shared model uses it.
ARCFACE_TEMPLATE = face_align.arcface_dst.astype(np.float32)


def align(
    image: np.ndarray,
    landmarks: np.ndarray,
    size: tuple[int, int] = (112, 112),
    template: np.ndarray | tuple[float, ...] = ARCFACE_TEMPLATE,
) -> np.ndarray:
    """Crop of `size` (width, height) with the landmarks moved onto `template`."""
    return cv2.warpAffine(image, alignment_matrix(landmarks, size, template), size, borderValue=0.0)


def alignment_matrix(
    landmarks: np.ndarray,
    size: tuple[int, int] = (112, 112),
    template: np.ndarray | tuple[float, ...] = ARCFACE_TEMPLATE,
) -> np.ndarray:
    landmarks = np.asarray(landmarks, dtype=np.float32).reshape(5, 2)
    template = np.asarray(template, dtype=np.float32).reshape(5, 2)
    width, height = size
    if np.array_equal(template, ARCFACE_TEMPLATE) and width == height and width % 112 == 0:
        return face_align.estimate_norm(landmarks, image_size=width)
    # insightface's helper only knows its own template; others (a teacher's metadata) take the
    # same estimate with their own points.
    return SimilarityTransform.from_estimate(landmarks, template).params[:2, :]
