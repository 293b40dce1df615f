"""Per-stage latency of the pipeline on a real photo, for `facegate bench`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import numpy as np

from core.errors import FaceGateError
from core.kiosk.evidence import VERIFIER_FRAMES
from core.matching.gallery import Gallery
from core.vision.align import align
from core.vision.detect import Detector
from core.vision.embed import load_embedder
from core.vision.imaging import image_files, load_image
from core.vision.pipeline import FacePipeline
from core.vision.raster import resize_area

# The frames of `bench stages`' verifier lines are searched down to the detector's own smallest
# face, not the kiosk's 60 px: the group sample's faces are about 50 px once letterboxed to 640x480,
# and both frames are searched alike so that only the number of faces differs.
VERDICT_MIN_FACE = 40


@dataclass(frozen=True)
class StageTimes:
    threads: int
    decode_ms: float
    detect_ms: float
    align_ms: float
    embed_ms: float
    match_ms: float
    pad_ms: float = 0.0

    @property
    def pipeline_fps(self) -> float:
        # A kiosk frame is already decoded by the camera, so the loop is detect+align+embed+match
        # (+ the liveness model when it is on).
        return 1000.0 / (self.detect_ms + self.align_ms + self.embed_ms + self.match_ms + self.pad_ms)


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
    resized = resize_area(photo, (int(w * scale), int(h * scale)))
    frame = np.zeros((480, 640, 3), np.uint8)
    y, x = (480 - resized.shape[0]) // 2, (640 - resized.shape[1]) // 2
    frame[y : y + resized.shape[0], x : x + resized.shape[1]] = resized
    return frame


def bench_stages(
    photo_path: Path,
    model: Path,
    threads: int,
    repeats: int = 50,
    min_face: int = 60,
    gallery_size: int = 10_000,
    pad=None,
) -> StageTimes:
    """pad: a core.liveness.pad.PadModel to time too (its threads are its own), or None."""
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
    gallery = Gallery(templates / np.linalg.norm(templates, axis=1, keepdims=True), np.arange(gallery_size) // 5)
    query = embedder.embed_crops([crop])
    return StageTimes(
        threads=threads,
        decode_ms=_median_ms(lambda: load_image(data), repeats),
        detect_ms=_median_ms(lambda: detector.detect(frame), repeats),
        align_ms=_median_ms(lambda: align(frame, landmarks, fmt.size, fmt.template), repeats),
        embed_ms=_median_ms(lambda: embedder.embed_crops([crop]), repeats),
        match_ms=_median_ms(lambda: gallery.search(query, k=1), repeats),
        # live_score, not score: the sample portrait is a grayscale photo, which score() refuses.
        pad_ms=_median_ms(lambda: pad.live_score(frame, faces[0].box), repeats) if pad is not None else 0.0,
    )


@dataclass(frozen=True)
class VerdictCost:
    """What one frame with `faces` faces costs, in ms, with the verifier off and on."""

    faces: int
    off_ms: float
    on_ms: float


def bench_verdict_frame(
    frame: np.ndarray, faces: int, model: Path, verifier: Path, threads: int = 1, repeats: int = 50
) -> VerdictCost:
    """off: any frame's cost, detection and the student on each of the `faces` largest faces.
    on: a frame on which every one of them gets its track's first verdict, so the verifier also
    embeds each face's VERIFIER_FRAMES best sightings, one call each as the kiosk makes them
    (core/kiosk/evidence.py); a track's later tries reuse those, so this is the dearest frame."""
    pipeline = FacePipeline(
        Detector(min_face=VERDICT_MIN_FACE, threads=threads),
        load_embedder(model, threads=threads),
        load_embedder(verifier, threads=threads),
    )
    found = pipeline.faces(frame, max_faces=faces)
    if len(found) < faces:
        raise FaceGateError(f"the benchmark frame shows {len(found)} faces, not the {faces} it needs")

    def verdicts() -> None:
        for face in pipeline.faces(frame, max_faces=faces):
            for _ in range(VERIFIER_FRAMES):
                pipeline.verify_embed(frame, [face])

    return VerdictCost(
        faces, _median_ms(lambda: pipeline.faces(frame, max_faces=faces), repeats), _median_ms(verdicts, repeats)
    )


# ---------------------------------------------------------------- presentation-attack detection
LIVE = "live"


@dataclass(frozen=True)
class PadRate:
    """Share of decisions that went the wrong way: for an attack type, attacks accepted (APCER);
    for live frames, live frames refused (BPCER). Per frame and after the temporal rule;
    decided_groups: the groups long enough for the temporal rule to give a verdict."""

    kind: str
    frames: int
    groups: int
    no_face: int
    frame_error: float
    temporal_error: float
    temporal_decisions: int
    decided_groups: int


@dataclass(frozen=True)
class PadReport:
    model_id: str
    threshold: float
    rates: tuple[PadRate, ...]
    ms_per_face: float

    @property
    def bpcer(self) -> PadRate:
        return next(r for r in self.rates if r.kind == LIVE)

    @property
    def attacks(self) -> tuple[PadRate, ...]:
        return tuple(r for r in self.rates if r.kind != LIVE)

    @property
    def apcer_max(self) -> float:
        """The worst attack kind's APCER, the benchmark's headline."""
        # A kind with no temporal decision (every group too short for the temporal rule, as a folder
        # of single photos is) counts with its per-frame rate: counting only temporal decisions would
        # show it as 0 however many of its frames were accepted.
        return max((r.temporal_error if r.temporal_decisions else r.frame_error for r in self.attacks), default=0.0)


def group_prefix(path: Path) -> str:
    """Frames of one video or session share the name before their trailing frame number."""
    stem, _, number = path.stem.rpartition("_")
    return stem if stem and number.isdigit() else path.stem


def _frame_number(path: Path) -> int:
    number = path.stem.rpartition("_")[2]
    return int(number) if number.isdigit() else 0


def pad_scores(root: Path, pad, detector: Detector) -> tuple[dict[str, dict[str, list[float | None]]], list[float]]:
    """{kind: {set/prefix: per-frame live scores in frame order, None where no face}} over
    root/<set>/<kind>/, and the time of each scoring call in ms."""
    kinds: dict[str, dict[str, list[float | None]]] = {}
    times: list[float] = []
    folders = sorted(p for p in Path(root).glob("*/*") if p.is_dir())
    if not folders:
        raise FileNotFoundError(f"{root} has no <set>/<live|print|replay|...>/ folders")
    for folder in folders:
        groups = kinds.setdefault(folder.name, {})
        for path in sorted(image_files(folder), key=lambda p: (group_prefix(p), _frame_number(p))):
            frame = load_image(path)
            faces = detector.detect(frame)[:1]
            key = f"{folder.parent.name}/{group_prefix(path)}"
            if not faces:
                groups.setdefault(key, []).append(None)
                continue
            start = time.perf_counter()
            result = pad.score(frame, faces)[0]
            times.append((time.perf_counter() - start) * 1000.0)
            groups.setdefault(key, []).append(result.live if result.live is not None else 0.0)
    return kinds, times


def pad_rates(
    kinds: dict[str, dict[str, list[float | None]]], threshold: float, window: int = 5, min_frames: int = 3
) -> tuple[PadRate, ...]:
    from core.liveness.pad import PadScore, TemporalRule

    rates = []
    for kind, groups in sorted(kinds.items(), key=lambda kv: (kv[0] != LIVE, kv[0])):
        wrong = frames = no_face = t_wrong = t_total = decided = 0
        for scores in groups.values():
            rule = TemporalRule(threshold, window, min_frames)
            before = t_total
            for s in scores:
                if s is None:
                    no_face += 1
                    continue
                frames += 1
                accepted = s >= threshold
                wrong += accepted if kind != LIVE else not accepted
                verdict = rule.add(PadScore(s, "live" if accepted else "attack"))
                if verdict is not None:
                    t_total += 1
                    t_wrong += verdict if kind != LIVE else not verdict
            decided += t_total > before
        rates.append(
            PadRate(
                kind,
                frames,
                len(groups),
                no_face,
                wrong / max(frames, 1),
                t_wrong / max(t_total, 1),
                t_total,
                decided,
            )
        )
    return tuple(rates)


def bench_pad(root: Path, pad, detector: Detector | None = None) -> PadReport:
    kinds, times = pad_scores(root, pad, detector or Detector(min_face=20))
    return PadReport(pad.model_id, pad.threshold, pad_rates(kinds, pad.threshold), median(times) if times else 0.0)
