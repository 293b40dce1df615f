"""Face detection with five landmarks: the MTCNN cascade (Zhang et al. 2016) on ONNX Runtime.

P-Net proposes windows over an image pyramid, R-Net rejects most of them on 24x24 crops and
O-Net scores the rest on 48x48 crops and places the landmarks. The ONNX graphs take uint8 BGR
NHWC images (see scripts/build_detector.py); core.vision.raster resamples them as OpenCV did when the
nets were converted and evaluated.
"""

from __future__ import annotations

import math

import numpy as np
import onnxruntime as ort
from PIL import Image

from core.paths import model_path
from core.types import Face
from core.vision import raster
from core.vision.onnx import inference_session

PYRAMID_FACTOR = 0.709
PNET_WINDOW = 12
PNET_STRIDE = 2
RNET_SIZE = 24
ONET_SIZE = 48
# Overlaps above which non-maximum suppression drops the weaker box: within one pyramid level,
# across levels, after R-Net and (as a share of the smaller box) after O-Net. MTCNN used 0.7
# across levels and after R-Net; 0.5 halves the crops R-Net and O-Net see, at no recall lost
# on LFW, since the duplicates it removes sit on the same face.
LEVEL_NMS = 0.5
PNET_NMS = 0.5
RNET_NMS = 0.5
ONET_NMS = 0.7


class Detector:
    """Finds faces of at least `min_face` pixels; `min_face` may be changed between calls.

    thresholds: the face probability P-Net, R-Net and O-Net each require. Above MTCNN's
    (0.6, 0.7, 0.7) in the first two stages, which halves the crops the later nets see; LFW
    recall stays at 99.99%. Images longer than max_side are shrunk before detection.
    """

    def __init__(
        self,
        min_face: int = 40,
        threads: int = 1,
        thresholds: tuple[float, float, float] = (0.7, 0.8, 0.8),
        max_side: int = 1280,
    ):
        self.min_face = min_face
        self.thresholds = tuple(thresholds)
        self.max_side = max_side
        self._pnet = _session("mtcnn_pnet.onnx", threads)
        self._rnet = _session("mtcnn_rnet.onnx", threads)
        self._onet = _session("mtcnn_onet.onnx", threads)

    @property
    def min_face(self) -> int:
        return self._min_face

    @min_face.setter
    def min_face(self, value: int) -> None:
        # Below P-Net's window the pyramid would have to upsample the whole image.
        if value < PNET_WINDOW:
            raise ValueError(f"min_face must be at least {PNET_WINDOW} pixels, got {value}")
        self._min_face = int(value)

    def detect(self, image_bgr: np.ndarray, min_face: int | None = None) -> list[Face]:
        """Faces in an HxWx3 uint8 BGR image, largest first; [] when there are none. min_face: this
        call's smallest face instead of the detector's (which another thread may be using)."""
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise ValueError(f"expected an HxWx3 uint8 image, got {image_bgr.dtype} {image_bgr.shape}")
        # Read once: another thread (a settings dialog) may change it during the call.
        wanted = self.min_face if min_face is None else max(int(min_face), PNET_WINDOW)
        image, shrink = _fit(np.ascontiguousarray(image_bgr), self.max_side)
        pyramid = _Pyramid(image)
        # A shrunk image holds shrunk faces.
        boxes = self._propose(pyramid, max(wanted * min(shrink), PNET_WINDOW))
        boxes = self._refine(pyramid, boxes)
        boxes, scores, landmarks = self._output(pyramid, boxes)
        faces = [
            Face(
                box=(box / np.tile(shrink, 2)).astype(np.float32),
                score=float(score),
                landmarks=(points / shrink).astype(np.float32),
            )
            for box, score, points in zip(boxes, scores, landmarks)
        ]
        faces = [face for face in faces if face.size >= wanted]
        return sorted(faces, key=lambda face: face.size, reverse=True)

    def _propose(self, pyramid: _Pyramid, min_face: float) -> np.ndarray:
        """P-Net over the pyramid: square candidate boxes."""
        scales = _pnet_scales(min(pyramid.height, pyramid.width), min_face)
        if not scales:
            return np.empty((0, 4))
        found = [self._pnet_level(pyramid, scale) for scale in scales]
        boxes, scores, reg = (np.concatenate(parts) for parts in zip(*found))
        # Regressed first, the windows that several levels put on one face mostly coincide,
        # and suppression leaves R-Net a third fewer crops than on the raw windows.
        boxes = _regress(boxes, reg)
        return _square(boxes[_nms(boxes, scores, PNET_NMS)])

    def _pnet_level(self, pyramid: _Pyramid, scale: float):
        level = pyramid.resized(scale)
        prob, reg = self._pnet.run(None, {"image": level[None]})
        rows, cols = np.nonzero(prob[0] >= self.thresholds[0])
        # Output cell (row, col) saw the PNET_WINDOW square at PNET_STRIDE times it in the level.
        corners = np.stack([cols, rows], axis=1) * PNET_STRIDE
        level_to_image = np.array([pyramid.width / level.shape[1], pyramid.height / level.shape[0]])
        boxes = np.hstack([corners, corners + PNET_WINDOW]) * np.tile(level_to_image, 2)
        scores = prob[0, rows, cols]
        keep = _nms(boxes, scores, LEVEL_NMS)
        return boxes[keep], scores[keep], reg[0, rows, cols][keep]

    def _refine(self, pyramid: _Pyramid, boxes: np.ndarray) -> np.ndarray:
        """R-Net on the P-Net candidates: fewer, tighter square boxes."""
        if not len(boxes):
            return boxes
        prob, reg = self._rnet.run(None, {"image": pyramid.crops(boxes, RNET_SIZE)})
        passed = prob >= self.thresholds[1]
        boxes, scores, reg = boxes[passed], prob[passed], reg[passed]
        keep = _nms(boxes, scores, RNET_NMS)
        return _square(_regress(boxes[keep], reg[keep]))

    def _output(self, pyramid: _Pyramid, boxes: np.ndarray):
        """O-Net on the R-Net boxes: final boxes, scores and (n, 5, 2) landmarks."""
        if not len(boxes):
            return boxes, np.empty(0), np.empty((0, 5, 2))
        prob, reg, points = self._onet.run(None, {"image": pyramid.crops(boxes, ONET_SIZE)})
        passed = prob >= self.thresholds[2]
        boxes, scores, reg, points = boxes[passed], prob[passed], reg[passed], points[passed]
        # O-Net places the landmarks relative to the box it was shown.
        landmarks = boxes[:, None, :2] + points * (boxes[:, None, 2:] - boxes[:, None, :2])
        boxes = _regress(boxes, reg)
        keep = _drop_nested(boxes, scores, ONET_NMS)
        return boxes[keep], scores[keep], landmarks[keep]


class _Pyramid:
    """The image halved again and again, so that any smaller version of it, or of a box in it,
    is one bilinear resample away that skips no more than every other pixel. The levels are
    Pillow images, which every resample reads."""

    def __init__(self, image: np.ndarray):
        self.height, self.width = image.shape[:2]
        self.levels: list[Image.Image] = [raster.picture(image)]
        while min(self.levels[-1].size) >= 2 * PNET_WINDOW:
            self.levels.append(raster.halve(self.levels[-1]))

    def _level(self, scale: float | np.ndarray):
        """Index of the smallest level still at least `scale` times the image's size."""
        index = np.floor(-np.log2(np.minimum(scale, 1.0)) + 1e-9).astype(int)
        return np.minimum(index, len(self.levels) - 1)

    def resized(self, scale: float) -> np.ndarray:
        size = (math.ceil(self.width * scale), math.ceil(self.height * scale))
        return raster.resize_linear(self.levels[self._level(scale)], size)

    def crops(self, boxes: np.ndarray, size: int) -> np.ndarray:
        """The square boxes resampled to size x size, zero outside the image as in training."""
        crops = np.empty((len(boxes), size, size, 3), np.uint8)
        levels = self._level(size / (boxes[:, 2] - boxes[:, 0]))
        for index in np.unique(levels):
            picked = np.flatnonzero(levels == index)
            level = self.levels[index]
            to_level = np.array([level.width / self.width, level.height / self.height])
            crops[picked] = raster.crops(level, boxes[picked] * np.tile(to_level, 2), size)
        return crops


def _session(name: str, threads: int) -> ort.InferenceSession:
    path = model_path(name)
    return inference_session(path, threads, f"bundled model {name!r} at {path} cannot be loaded")


def _fit(image: np.ndarray, max_side: int) -> tuple[np.ndarray, np.ndarray]:
    """The image shrunk to at most max_side, and the (x, y) factors it was shrunk by."""
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return image, np.ones(2)
    factor = max_side / max(height, width)
    size = (max(round(width * factor), 1), max(round(height * factor), 1))
    small = raster.resize_area(image, size)
    return small, np.array([size[0] / width, size[1] / height])


def _pnet_scales(short_side: int, min_face: float) -> list[float]:
    """Scales at which P-Net's window covers faces from min_face up to the short side."""
    scales = []
    scale = PNET_WINDOW / min_face
    while short_side * scale >= PNET_WINDOW:
        scales.append(scale)
        scale *= PYRAMID_FACTOR
    return scales


def _nms(boxes: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of the boxes that greedy non-maximum suppression by IoU keeps."""
    if not len(boxes):
        return np.empty(0, np.intp)
    order = np.argsort(-scores, kind="stable")
    boxes = boxes[order].astype(np.float64)
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    keep = []
    remaining = np.arange(len(boxes))
    while len(remaining):
        best, rest = remaining[0], remaining[1:]
        keep.append(best)
        top_left = np.maximum(boxes[best, :2], boxes[rest, :2])
        bottom_right = np.minimum(boxes[best, 2:], boxes[rest, 2:])
        inter = np.prod(np.maximum(bottom_right - top_left, 0), axis=1)
        union = areas[best] + areas[rest] - inter
        remaining = rest[inter <= threshold * union]
    return order[np.array(keep, np.intp)]


def _drop_nested(boxes: np.ndarray, scores: np.ndarray, threshold: float) -> np.ndarray:
    """Indices of the boxes kept when a box is dropped for overlapping a better one by more
    than `threshold` of the smaller box's area, which also catches a face within a face."""
    order = np.argsort(-scores, kind="stable")
    boxes = boxes[order]
    top_left = np.maximum(boxes[:, None, :2], boxes[None, :, :2])
    bottom_right = np.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    inter = np.prod(np.maximum(bottom_right - top_left, 0), axis=2)
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    overlaps = inter > threshold * np.minimum(areas[:, None], areas[None, :])
    keep = np.ones(len(boxes), bool)
    for i in range(len(boxes)):
        if keep[i]:
            keep[i + 1 :] &= ~overlaps[i, i + 1 :]
    return order[keep]


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    """Boxes moved by the nets' offsets, which are in units of the box's width and height."""
    size = boxes[:, 2:] - boxes[:, :2]
    return boxes + reg * np.tile(size, 2)


def _square(boxes: np.ndarray) -> np.ndarray:
    """Squares around the boxes' centres, the shape R-Net and O-Net look at; degenerate boxes
    that regression shrank below a pixel are dropped."""
    centre = (boxes[:, :2] + boxes[:, 2:]) / 2
    side = np.max(boxes[:, 2:] - boxes[:, :2], axis=1, keepdims=True)
    squares = np.hstack([centre - side / 2, centre + side / 2])
    return squares[side[:, 0] >= 1]
