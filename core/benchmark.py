"""Per-stage latency of the pipeline on a real photo, for `facegate bench`."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import cv2
import numpy as np

from .align import align
from .detect import Detector
from .embed import load_embedder
from .errors import FaceGateError
from .gallery import Gallery
from .imaging import load_image


@dataclass(frozen=True)
class StageTimes:
    threads: int
    decode_ms: float
    detect_ms: float
    align_ms: float
    embed_ms: float
    match_ms: float

    @property
    def pipeline_fps(self) -> float:
        # A kiosk frame is already decoded by the camera, so the loop is detect+align+embed+match.
        return 1000.0 / (self.detect_ms + self.align_ms + self.embed_ms + self.match_ms)


def _median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()  # the first run allocates onnxruntime's buffers
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000.0)
    return median(samples)


def frame_640x480(photo: np.ndarray) -> np.ndarray:
    """Letterbox a photo into a 640x480 frame, as a webcam would deliver it."""
    h, w = photo.shape[:2]
    scale = min(640 / w, 480 / h)
    resized = cv2.resize(photo, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    frame = np.zeros((480, 640, 3), np.uint8)
    y, x = (480 - resized.shape[0]) // 2, (640 - resized.shape[1]) // 2
    frame[y : y + resized.shape[0], x : x + resized.shape[1]] = resized
    return frame


def bench_stages(photo_path: Path, model: Path, threads: int, repeats: int = 50,
                 min_face: int = 60, gallery_size: int = 10_000) -> StageTimes:
    # The loader's checks (a regular file, the size limits) come before reading the bytes to time.
    frame = frame_640x480(load_image(photo_path))
    data = photo_path.read_bytes()
    detector = Detector(min_face=min_face, threads=threads)
    embedder = load_embedder(model, threads=threads)
    faces = detector.detect(frame)
    if not faces:
        raise FaceGateError(f"no face found in {photo_path}: the benchmark needs a photo with a face")
    landmarks = faces[0].landmarks
    fmt = embedder.formats[0]
    crop = align(frame, landmarks, fmt.size, fmt.template)
    rng = np.random.default_rng(0)
    templates = rng.standard_normal((gallery_size, embedder.dim)).astype(np.float32)
    gallery = Gallery(templates / np.linalg.norm(templates, axis=1, keepdims=True),
                      np.arange(gallery_size) // 5)
    query = embedder.embed_crops([crop])
    return StageTimes(
        threads=threads,
        decode_ms=_median_ms(lambda: load_image(data), repeats),
        detect_ms=_median_ms(lambda: detector.detect(frame), repeats),
        align_ms=_median_ms(lambda: align(frame, landmarks, fmt.size, fmt.template), repeats),
        embed_ms=_median_ms(lambda: embedder.embed_crops([crop]), repeats),
        match_ms=_median_ms(lambda: gallery.search(query, k=1), repeats),
    )
