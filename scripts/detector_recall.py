"""Recall of the bundled face detector on a folder of one-face images, and its speed.

    python scripts/detector_recall.py /work/shared/data/lfw/images --min-face 20 \
        --frame path/to/photo.jpg

Recall counts images where a found face's box holds the image centre (see core.vision.detect_eval).
With --frame, the photo is resized to 640x480 and the median time to detect faces of at
least --frame-min-face pixels in it is printed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.vision.detect import Detector  # noqa: E402
from core.vision.detect_eval import centre_recall, median_latency_ms  # noqa: E402
from core.vision.imaging import image_files, load_image  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="images, searched recursively")
    parser.add_argument("--min-face", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--frame", type=Path, help="a photo to time as a 640x480 frame")
    parser.add_argument("--frame-min-face", type=int, default=60)
    args = parser.parse_args()

    paths = image_files(args.folder, recursive=True)
    detector = Detector(min_face=args.min_face, threads=args.threads)
    start = time.perf_counter()
    hits, total = centre_recall(detector, paths)
    per_image = 1000 * (time.perf_counter() - start) / max(total, 1)
    print(
        f"recall={100 * hits / max(total, 1):.2f} ({hits}/{total} images, "
        f"min_face={args.min_face}, threads={args.threads}, "
        f"{per_image:.1f} ms/image including decoding)"
    )

    if args.frame:
        frame = cv2.resize(load_image(args.frame), (640, 480), interpolation=cv2.INTER_AREA)
        detector.min_face = args.frame_min_face
        median = median_latency_ms(detector, frame)
        print(f"frame 640x480 min_face={args.frame_min_face} threads={args.threads}: median {median:.2f} ms")


if __name__ == "__main__":
    main()
