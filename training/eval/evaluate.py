"""`python -m training evaluate`: face verification of any ONNX embedder, end to end.

Raw images go through core's Detector and the embedder's own alignment (FacePipeline), exactly
as the app sees faces, so teacher and student are scored by one command and one detector:

    python -m training evaluate --model student.onnx --lfw ../shared/data/lfw/images --out reports/student
    python -m training evaluate --model a.onnx,b.onnx --pairs pairs.tsv --root photos/

Pairs: LFW View 2 (`--lfw`), or a generic file (`--pairs`) of lines `path1 path2 label [fold]`,
label 1 same person / 0 different, paths relative to `--root`. Each image is embedded once;
with flip (default) the embedding is the crop's plus its mirror's, L2-normalised (an ensemble
concatenates its members' and renormalises), and a pair's score is the cosine.

Faces: the one nearest the image centre at --min-face; else the nearest at half of it; else,
honestly counted and listed, where this set's other faces sit. Metrics (training/eval/verification.py): 10-fold accuracy
with each fold's threshold picked on the other nine, TAR at FAR <= 1e-3 / 1e-4 and AUC over all
pairs, the best overall threshold. --out writes summary.md, roc.png, scores.png, metrics.json
and scores.tsv. The last line printed is
`accuracy=NN.NN std=N.NN tar@far1e-3=NN.NN tar@far1e-4=NN.NN` (percent).
Thresholds measured with flip apply to an app that also embeds the mirror; use --no-flip to
measure the app's default single view.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from core.vision.align import ARCFACE_TEMPLATE
from core.vision.embed import Ensemble, file_digest
from core.vision.imaging import load_image
from training.errors import TrainingError
from training.eval import verification
from training.teacher import load_members

GENERIC_FOLDS = 10
# onnxruntime's MTCNN runs slower on two threads than on one here (small convolutions; measured
# 20 ms vs 60+ ms per LFW image on the 2-core dev machine), so only the embedder gets threads.
DETECTOR_THREADS = 1
# Where a face is assumed to be when no image of the set had one: the image is an aligned crop.
ALIGNED_CROP_LAYOUT = ARCFACE_TEMPLATE / 112.0


@dataclass(frozen=True)
class Pair:
    path1: Path
    path2: Path
    same: bool
    fold: int


# ---------------------------------------------------------------- pairs files


def find_lfw_pairs(images_dir: Path) -> Path:
    for candidate in (images_dir.parent / "pairs.txt", images_dir / "pairs.txt"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no pairs.txt beside or inside {images_dir}")


def read_lfw_pairs(pairs_file: Path, images_dir: Path) -> list[Pair]:
    """LFW View 2: header `folds per_fold`, then per fold `per_fold` same-person lines
    `name i j` followed by `per_fold` different-person lines `name1 i name2 j`."""
    lines = [line.split() for line in Path(pairs_file).read_text().splitlines() if line.strip()]
    n_folds, per_fold = (int(v) for v in lines[0])
    rows = lines[1:]
    if len(rows) != n_folds * 2 * per_fold:
        raise ValueError(f"{pairs_file}: header promises {n_folds}x2x{per_fold} pairs, found {len(rows)}")

    def image(name: str, number: str) -> Path:
        return images_dir / name / f"{name}_{int(number):04d}.jpg"

    pairs = []
    for index, row in enumerate(rows):
        fold = index // (2 * per_fold) + 1
        if len(row) == 3:
            pairs.append(Pair(image(row[0], row[1]), image(row[0], row[2]), True, fold))
        elif len(row) == 4:
            pairs.append(Pair(image(row[0], row[1]), image(row[2], row[3]), False, fold))
        else:
            raise ValueError(f"{pairs_file} line {index + 2}: expected 3 or 4 fields, got {row}")
    return pairs


def read_pairs(pairs_file: Path, root: Path) -> list[Pair]:
    """Generic pairs: `path1 path2 label [fold]` per line (tabs if paths hold spaces); `#`
    comments and blank lines are skipped. Without fold numbers, pairs go to 10 folds in turn."""
    rows = []
    for number, line in enumerate(Path(pairs_file).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) not in (3, 4) or fields[2] not in ("0", "1"):
            raise ValueError(f"{pairs_file} line {number}: expected `path1 path2 0|1 [fold]`, got {line!r}")
        rows.append(fields)
    if not rows:
        raise ValueError(f"{pairs_file} holds no pairs")
    with_fold = {len(fields) == 4 for fields in rows}
    if len(with_fold) > 1:
        raise ValueError(f"{pairs_file}: give a fold on every line or on none")
    return [
        Pair(root / f[0], root / f[1], f[2] == "1", int(f[3]) if len(f) == 4 else i % GENERIC_FOLDS + 1)
        for i, f in enumerate(rows)
    ]


def limit_folds(pairs: list[Pair], n: int) -> list[Pair]:
    kept = sorted({p.fold for p in pairs})[:n]
    return [p for p in pairs if p.fold in kept]


# ---------------------------------------------------------------- embedding


class SetEmbedder:
    """Embeds each image of a set once, finding its face the same honest way every time.

    The face nearest the image centre at the requested min_face; else the nearest at a lower
    min_face; else the face is assumed where faces sit in this set's other images (median
    landmarks relative to image size). Nearest the centre, not largest (as the kiosk takes): a
    verification set's photos are framed on the person the pair is about, and in 44 of LFW's
    7,701 images a bystander's face is the larger one; scoring the bystander cost every model
    0.6 points (mobileface_v2: 98.52 largest, 99.12 central).
    `how` records which of "detected", "small_face", "assumed" each image needed.
    """

    def __init__(self, pipeline, fallback_min_face: int, verify: bool = False):
        """verify: also embed each face with pipeline.verifier, into self.verified."""
        self.pipeline = pipeline
        self.fallback_min_face = fallback_min_face
        self.verify = verify
        self.embeddings: dict[Path, np.ndarray] = {}
        self.verified: dict[Path, np.ndarray] = {}
        self.how: dict[Path, str] = {}
        self._layouts: list[np.ndarray] = []

    def embed_all(self, paths: list[Path], progress: bool = True) -> None:
        missed = []
        for path in tqdm(paths, desc="embedding", unit="img", disable=not progress):
            image = load_image(path)
            if not self._embed_detected(path, image):
                missed.append(path)
        layout = np.median(self._layouts, axis=0) if self._layouts else ALIGNED_CROP_LAYOUT
        for path in missed:
            image = load_image(path)
            height, width = image.shape[:2]
            landmarks = layout * np.array([width, height], np.float32)
            self._embed(path, image, landmarks)
            self.how[path] = "assumed"

    def _embed(self, path: Path, image: np.ndarray, landmarks: np.ndarray) -> None:
        self.embeddings[path] = self.pipeline.embedder.embed(image, [landmarks])[0]
        if self.verify:
            self.verified[path] = self.pipeline.verifier.embed(image, [landmarks])[0]

    def _embed_detected(self, path: Path, image: np.ndarray) -> bool:
        detector = self.pipeline.detector
        faces = detector.detect(image)
        how = "detected"
        if not faces:
            requested, detector.min_face = detector.min_face, self.fallback_min_face
            try:
                faces = detector.detect(image)
            finally:
                detector.min_face = requested
            how = "small_face"
        if not faces:
            return False
        size = np.array(image.shape[1::-1], np.float32)
        face = min(faces, key=lambda f: float(np.linalg.norm(f.landmarks.mean(axis=0) - size / 2)))
        self._layouts.append(face.landmarks / size)
        self._embed(path, image, face.landmarks)
        self.how[path] = how
        return True


def load_members_flushed(spec: str, threads: int) -> list:
    """An Embedder per model of a comma-separated spec, subnormal weights flushed to zero
    (teacher.flush_denormals): the same embeddings, and mobilefacenet_ncnn runs ~3x faster."""
    # The cleaned copies are only read while the sessions load.
    with tempfile.TemporaryDirectory() as workdir:
        members = load_members(spec, Path(workdir), threads)
    for member, path in zip(members, (p for p in spec.split(",") if p)):
        # Without facegate.model_id the id is a file digest: the original's, not the copy's.
        if "facegate.model_id" not in member.metadata:
            member.model_id = file_digest(Path(path))
    return members


def load_model(spec: str, threads: int, flip: bool):
    """core's load_embedder, on flushed weights."""
    members = load_members_flushed(spec, threads)
    for member in members:
        member.flip = flip
    return members[0] if len(members) == 1 else Ensemble(members)


def pair_scores(pairs: list[Pair], embeddings: dict[Path, np.ndarray]) -> np.ndarray:
    return np.array([float(embeddings[p.path1] @ embeddings[p.path2]) for p in pairs])


# ---------------------------------------------------------------- report


def summary_line(metrics: dict) -> str:
    at = metrics["tar_at_far"]
    return (
        f"accuracy={100 * metrics['accuracy_mean']:.2f} std={100 * metrics['accuracy_std']:.2f} "
        f"tar@far1e-3={100 * at['0.001']['tar']:.2f} tar@far1e-4={100 * at['0.0001']['tar']:.2f}"
    )


def write_report(out: Path, result: dict, pairs: list[Pair], scores: np.ndarray, root: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(result, indent=2) + "\n")
    with open(out / "scores.tsv", "w") as f:
        f.write("path1\tpath2\tlabel\tfold\tscore\n")
        for pair, score in zip(pairs, scores):
            f.write(f"{_rel(pair.path1, root)}\t{_rel(pair.path2, root)}\t{int(pair.same)}\t{pair.fold}\t{score:.6f}\n")
    labels = np.array([p.same for p in pairs], np.int64)
    _plot_roc(out / "roc.png", scores, labels, result)
    _plot_histogram(out / "scores.png", scores, labels, result)
    (out / "summary.md").write_text(_markdown(result))


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, also on machines without a display
    import matplotlib.pyplot as plt

    return plt


def _plot_roc(path: Path, scores: np.ndarray, labels: np.ndarray, result: dict) -> None:
    plt = _pyplot()
    roc = verification.roc_curve(scores, labels)
    floor = 1.0 / max(result["metrics"]["different_pairs"], 1)
    fig, ax = plt.subplots(figsize=(6, 4.5))
    # A log axis cannot show FAR 0; those points are drawn at half the smallest non-zero FAR.
    ax.step(np.maximum(roc.far, floor / 2), roc.tar, where="post", label=result["model"]["name"])
    for far, point in result["metrics"]["tar_at_far"].items():
        ax.plot(max(point["far"], floor / 2), point["tar"], "o", label=f"FAR<={far}: TAR {100 * point['tar']:.2f}%")
    low = roc.tar[roc.far == 0].max()
    ax.set(
        xscale="log",
        xlim=(floor / 2, 1),
        ylim=(max(0.0, low - 0.02), 1.002),
        xlabel="false accept rate",
        ylabel="true accept rate",
        title=f"ROC, {result['pairs']['name']}",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_histogram(path: Path, scores: np.ndarray, labels: np.ndarray, result: dict) -> None:
    plt = _pyplot()
    bins = np.linspace(scores.min(), scores.max(), 80)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist(scores[labels == 1], bins, alpha=0.6, label="same person")
    ax.hist(scores[labels == 0], bins, alpha=0.6, label="different people")
    ax.axvline(result["metrics"]["best_threshold"], color="k", ls="--", lw=1, label="best threshold")
    ax.set(xlabel="cosine similarity", ylabel="pairs", title=f"Pair scores, {result['model']['name']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _markdown(result: dict) -> str:
    m, faces = result["metrics"], result["faces"]
    at = m["tar_at_far"]
    lines = [
        f"# Verification: {result['model']['name']}",
        "",
        f"`{result['command']}`",
        "",
        f"- pairs: {result['pairs']['name']} ({m['pairs']} pairs: {m['same_pairs']} same, "
        f"{m['different_pairs']} different, {m['folds']} folds)",
        f"- model: {', '.join(result['model']['paths'])} (id {result['model']['id']}, {result['model']['dim']}-d)",
        f"- faces: core Detector (MTCNN), min_face {result['detector']['min_face']}, "
        f"each model's own alignment; flip {'on' if result['flip'] else 'off'}",
        f"- {result['seconds']:.0f} s for {faces['images']} images",
        "",
        "| metric | value |",
        "|---|---|",
        f"| 10-fold accuracy (threshold from the other folds) | {100 * m['accuracy_mean']:.2f} ± {100 * m['accuracy_std']:.2f} % |",
        *(
            f"| TAR at FAR ≤ {far} (threshold {p['threshold']:.4f}, achieved FAR {p['far']:.2g}) "
            f"| {100 * p['tar']:.2f} % |"
            for far, p in at.items()
        ),
        f"| ROC AUC | {m['auc']:.5f} |",
        f"| best threshold on all pairs (accuracy there) | {m['best_threshold']:.4f} ({100 * m['best_threshold_accuracy']:.2f} %) |",
        "",
        "Per fold: " + ", ".join(f"{100 * a:.2f}" for a in m["fold_accuracies"]),
        "",
        "## Finding the faces",
        "",
        f"- detected at min_face {result['detector']['min_face']}: {faces['detected']}",
        f"- only found at min_face {result['detector']['fallback_min_face']}: {faces['small_face']}",
        f"- no face found, assumed where this set's faces usually are: {faces['assumed']}",
        *(f"  - {path}" for path in faces["assumed_images"]),
        "",
        "![ROC](roc.png)",
        "",
        "![scores](scores.png)",
        "",
        "Per-pair scores: scores.tsv. All numbers: metrics.json.",
        "",
    ]
    return "\n".join(lines)


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------- command


def load_pairs(args) -> tuple[list[Pair], Path, str]:
    """(pairs, the folder their paths are relative to, a name for the report)."""
    if args.lfw:
        images = Path(args.lfw)
        return read_lfw_pairs(find_lfw_pairs(images), images), images, "LFW View 2"
    root = Path(args.root)
    return read_pairs(Path(args.pairs), root), root, Path(args.pairs).name


@dataclass
class Evaluation:
    result: dict  # everything metrics.json states
    pairs: list[Pair]
    scores: np.ndarray
    root: Path


def evaluate(args) -> Evaluation:
    # Imported here so the parsers and metrics work before core.vision.detect exists.
    from core.vision.detect import Detector
    from core.vision.pipeline import FacePipeline

    pairs, root, pairs_name = load_pairs(args)
    if args.limit_folds:
        pairs = limit_folds(pairs, args.limit_folds)
    paths = sorted({p.path1 for p in pairs} | {p.path2 for p in pairs})
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"{len(missing)} images of the pairs are missing, e.g. {missing[:3]}")

    embedder = load_model(args.model, threads=args.threads, flip=not args.no_flip)
    pipeline = FacePipeline(Detector(min_face=args.min_face, threads=DETECTOR_THREADS), embedder)
    fallback_min_face = max(12, args.min_face // 2)
    images = SetEmbedder(pipeline, fallback_min_face)
    start = time.perf_counter()
    images.embed_all(paths, progress=not args.quiet)
    seconds = time.perf_counter() - start

    scores = pair_scores(pairs, images.embeddings)
    labels = np.array([p.same for p in pairs], np.int64)
    folds = np.array([p.fold for p in pairs])
    how = list(images.how.values())
    model_paths = [p for p in args.model.split(",") if p]
    result = {
        "command": _command_line(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
        "model": {
            "name": " + ".join(Path(p).stem for p in model_paths),
            "paths": model_paths,
            "id": embedder.model_id,
            "dim": embedder.dim,
        },
        "pairs": {"name": pairs_name, "root": str(root)},
        "flip": not args.no_flip,
        "detector": {
            "name": "core.vision.detect.Detector (MTCNN)",
            "face": "nearest the centre",
            "min_face": args.min_face,
            "fallback_min_face": fallback_min_face,
        },
        "faces": {
            "images": len(paths),
            "detected": how.count("detected"),
            "small_face": how.count("small_face"),
            "assumed": how.count("assumed"),
            "assumed_images": [_rel(p, root) for p, h in images.how.items() if h == "assumed"],
        },
        "seconds": seconds,
        "metrics": verification.verification_metrics(scores, labels, folds),
    }
    return Evaluation(result, pairs, scores, root)


def run(args) -> int:
    if args.pairs and not args.root:
        raise TrainingError("evaluate: --pairs needs --root")
    if args.limit_folds is not None and args.limit_folds < 2:
        raise TrainingError("evaluate: --limit-folds needs at least 2 folds (thresholds come from the others)")
    try:
        ev = evaluate(args)
    except (FileNotFoundError, ValueError) as exc:  # a wrong path or pairs file: say which
        raise TrainingError(f"evaluate: {exc}") from exc
    faces = ev.result["faces"]
    print(
        f"{faces['images']} images: {faces['detected']} faces detected, {faces['small_face']} only at "
        f"min_face {ev.result['detector']['fallback_min_face']}, {faces['assumed']} assumed (no face found)"
    )
    if args.out:
        write_report(Path(args.out), ev.result, ev.pairs, ev.scores, ev.root)
        print(f"report: {Path(args.out) / 'summary.md'}")
    print(summary_line(ev.result["metrics"]))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="LFW-style verification of an ONNX embedder or ensemble",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, help="model.onnx, or several joined by commas (ensemble)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--lfw", metavar="DIR", help="LFW images folder; pairs.txt beside or inside it")
    source.add_argument("--pairs", metavar="FILE", help="generic pairs file: path1 path2 label [fold]")
    p.add_argument("--root", metavar="DIR", help="folder the --pairs paths are relative to")
    p.add_argument("--out", metavar="DIR", help="write summary.md, roc.png, scores.png, metrics.json here")
    p.add_argument("--min-face", type=int, default=40, help="smallest face side in pixels (default 40)")
    p.add_argument("--no-flip", action="store_true", help="embed the crop only, not crop + mirror")
    p.add_argument("--limit-folds", type=int, metavar="N", help="use only the first N folds (N >= 2)")
    p.add_argument("--threads", type=int, default=2, help="onnxruntime threads for the embedder (default 2)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _command_line() -> str:
    # Under `python -m training`, argv[0] is the package's __main__.py.
    head = "python -m training" if Path(sys.argv[0]).parent.name == "training" else sys.argv[0]
    return f"{head} {shlex.join(sys.argv[1:])}"
