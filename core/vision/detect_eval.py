"""Measures of a face detector, shared by scripts/detector_recall.py and the bench command."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from core.vision.imaging import load_image


def centre_recall(detector, image_paths: Iterable[Path]) -> tuple[int, int]:
    """(hits, total): how many images have a detected face whose box holds the image centre.

    Meant for sets like LFW where every image is cropped around one face, so a hit is that
    face being found, whatever else is found too.
    """
    hits = total = 0
    for path in image_paths:
        image = load_image(path)
        centre_x, centre_y = image.shape[1] / 2, image.shape[0] / 2
        hits += any(
            face.box[0] <= centre_x <= face.box[2] and face.box[1] <= centre_y <= face.box[3]
            for face in detector.detect(image)
        )
        total += 1
    return hits, total


def median_latency_ms(detector, image: np.ndarray, runs: int = 100, warmup: int = 5) -> float:
    for _ in range(warmup):
        detector.detect(image)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        detector.detect(image)
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))
