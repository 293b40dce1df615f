"""`python -m training openset`: open-set identification, as a check-in kiosk meets people.

    python -m training openset --model assets/models/student.onnx --lfw ../shared/data/lfw/images --out reports/openset
    python -m training openset --model a.onnx,b.onnx --lfw DIR        (each model on its own)
    python -m training openset --model student.onnx --verifier edgeface_xs.onnx --shortlist 1,3,5,10 --lfw DIR

Protocol (LFW, evaluation only): every person with two or more photos is enrolled with their
first photo (by file name) and probes with each other photo (mated probes); STRANGERS people
with a single photo, drawn with a fixed seed, probe as strangers (non-mated). Galleries of 10,
100 and 1,000 people are the first people of one seeded shuffle of the enrolled (each smaller
gallery inside the larger), then everyone; only the gallery's own people's photos are mated
probes, and the same strangers probe every gallery. A photo's face is the one nearest the image
centre, through FacePipeline exactly as `python -m training evaluate` finds it (SetEmbedder),
in the app's single view unless --flip. Each model embeds each photo once per run.

Per gallery size:
- FPIR: strangers' photos whose best gallery score reaches the threshold (named as someone);
- FNIR: mated photos not named as their own person (best match someone else, or under the
  threshold);
at the threshold the kiosk would use with default Settings for that many enrolled templates
(core.matching.thresholds: the model's gallery-size rule over the manual floor, or the fixed thresholds of a
model without impostor metadata), and the FNIR at the thresholds that hold FPIR to 1 % and 0.1 %.
--verifier runs the kiosk's cascade (core.matching.cascade) instead: each model's K best people
(--shortlist, one result per K) are scored by the verifier, which names the best of them at the
verifier's own thresholds for the gallery's size.
--out writes summary.md, openset.png and metrics.json. The last line printed is
`fnir_at_fpir1=N.NN` (percent, the largest gallery; one value per model, or per model and K,
comma-separated).
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.matching.cascade import DEFAULT_SHORTLIST, verify_shortlist
from core.matching.gallery import Gallery
from core.matching.thresholds import settings_thresholds
from core.settings import Settings
from core.vision.embed import FaceEmbedder
from training.errors import TrainingError
from training.eval.evaluate import DETECTOR_THREADS, SetEmbedder, _command_line, _pyplot, load_model

GALLERY_SIZES = (10, 100, 1000)
STRANGERS = 1000
FPIR_TARGETS = (0.01, 0.001)
SEED = 0


@dataclass(frozen=True)
class Protocol:
    enrolled: tuple[str, ...]  # people in the seeded order; a gallery of n is the first n
    gallery: dict[str, Path]  # each enrolled person's first photo
    probes: dict[str, tuple[Path, ...]]  # each enrolled person's other photos
    strangers: tuple[Path, ...]

    def paths(self) -> list[Path]:
        return sorted({*self.gallery.values(), *(p for ps in self.probes.values() for p in ps), *self.strangers})

    def sizes(self) -> list[int]:
        return [n for n in GALLERY_SIZES if n < len(self.enrolled)] + [len(self.enrolled)]


def lfw_protocol(images_dir: Path, strangers: int = STRANGERS, seed: int = SEED) -> Protocol:
    people = {d.name: sorted(d.glob("*.jpg")) for d in sorted(images_dir.iterdir()) if d.is_dir()}
    several = [name for name, photos in people.items() if len(photos) >= 2]
    single = [photos[0] for photos in people.values() if len(photos) == 1]
    if not several or not single:
        raise ValueError(f"{images_dir}: needs people with several photos and people with one (LFW layout)")
    rng = np.random.default_rng(seed)
    order = tuple(several[i] for i in rng.permutation(len(several)))
    chosen = rng.choice(len(single), min(strangers, len(single)), replace=False)
    return Protocol(
        enrolled=order,
        gallery={name: people[name][0] for name in order},
        probes={name: tuple(people[name][1:]) for name in order},
        strangers=tuple(single[i] for i in sorted(chosen)),
    )


@dataclass(frozen=True)
class SizeResult:
    size: int
    mated_probes: int
    strangers: int
    threshold: float  # the kiosk's, for this many templates
    rule_threshold: float | None  # the gallery rule's before the manual floor; None: fixed
    fpir: float
    fnir: float
    fnir_at_fpir: dict[str, float]  # "0.01" -> FNIR there
    threshold_at_fpir: dict[str, float]


def _fnir(best: np.ndarray, correct: np.ndarray, threshold: float) -> float:
    return float(1.0 - np.mean(correct & (best >= threshold)))


def fpir_threshold(stranger_best: np.ndarray, fpir: float) -> float:
    """The lowest threshold at which at most a share fpir of the strangers is named."""
    ordered = np.sort(stranger_best)[::-1]
    allowed = int(np.floor(fpir * len(ordered) + 1e-9))
    if allowed >= len(ordered):
        return float(ordered[-1])
    return float(np.nextafter(ordered[allowed], np.inf))


@dataclass(frozen=True)
class Checked:
    """The cascade's second model: its embedding of every photo, and how many people it scores."""

    verified: dict[Path, np.ndarray]
    shortlist: int


def _rows(vectors: dict[Path, np.ndarray], paths) -> np.ndarray:
    return np.stack([vectors[p] for p in paths])


def best_scores(
    protocol: Protocol, embeddings: dict[Path, np.ndarray], size: int, checked: Checked | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Against a gallery of `size`: each mated probe's best score and whether it is its own
    person's, and each stranger's best score (with checked: the verifier's, over the shortlist)."""
    people = protocol.enrolled[:size]
    mated = [(index, path) for index, name in enumerate(people) for path in protocol.probes[name]]
    own = np.array([index for index, _ in mated])
    gallery_paths = [protocol.gallery[name] for name in people]
    probe_paths = [path for _, path in mated]
    if checked is None:
        gallery = _rows(embeddings, gallery_paths)
        scores = _rows(embeddings, probe_paths) @ gallery.T
        stranger_best = (_rows(embeddings, protocol.strangers) @ gallery.T).max(axis=1)
        return scores.max(axis=1), scores.argmax(axis=1) == own, stranger_best
    # One template per person, person id = index in the gallery: the kiosk's own cascade.
    ids = np.arange(size)
    student = Gallery(_rows(embeddings, gallery_paths), ids)
    verifier = Gallery(_rows(checked.verified, gallery_paths), ids)

    def named(paths) -> list:
        return verify_shortlist(
            student, verifier, _rows(embeddings, paths), _rows(checked.verified, paths), checked.shortlist
        )

    probes = named(probe_paths)
    best = np.array([m.similarity for m in probes])
    correct = np.array([m.person_id for m in probes]) == own
    return best, correct, np.array([m.similarity for m in named(protocol.strangers)])


def evaluate_size(
    protocol: Protocol,
    embeddings: dict[Path, np.ndarray],
    size: int,
    embedder: FaceEmbedder,
    checked: Checked | None = None,
) -> SizeResult:
    """embedder: the model whose thresholds decide (with checked, the verifier)."""
    best, correct, stranger_best = best_scores(protocol, embeddings, size, checked)

    # One template per person, so the gallery size in templates is the number of people.
    kiosk = settings_thresholds(embedder, Settings(), size)
    at = {f"{f:g}": fpir_threshold(stranger_best, f) for f in FPIR_TARGETS}
    return SizeResult(
        size=size,
        mated_probes=len(best),
        strangers=len(stranger_best),
        threshold=kiosk.attendance,
        rule_threshold=kiosk.attendance_rule,
        fpir=float(np.mean(stranger_best >= kiosk.attendance)),
        fnir=_fnir(best, correct, kiosk.attendance),
        fnir_at_fpir={k: _fnir(best, correct, t) for k, t in at.items()},
        threshold_at_fpir=at,
    )


@dataclass
class ModelResult:
    name: str
    path: str
    model_id: str
    seconds: float
    faces: dict[str, int]
    sizes: list[SizeResult]
    # For the plot: per gallery size, (FPIR, FNIR) along every threshold.
    curves: dict[int, tuple[np.ndarray, np.ndarray]]


def curve(
    protocol: Protocol, embeddings: dict[Path, np.ndarray], size: int, checked: Checked | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(FPIR, FNIR) at each threshold just above a stranger's best score."""
    best, correct, stranger_best = best_scores(protocol, embeddings, size, checked)
    named = np.where(correct, best, -np.inf)
    thresholds = np.nextafter(np.sort(stranger_best), np.inf)
    fpir = 1.0 - np.arange(1, len(thresholds) + 1) / len(thresholds)
    fnir = np.searchsorted(np.sort(named), thresholds, side="left") / len(named)
    return fpir, fnir


def evaluate_model(spec: str, protocol: Protocol, args) -> list[ModelResult]:
    """The model alone, or (--verifier) the cascade once per --shortlist K."""
    from core.vision.detect import Detector
    from core.vision.pipeline import FacePipeline

    embedder = load_model(spec, threads=args.threads, flip=args.flip)
    verifier = load_model(args.verifier, threads=args.threads, flip=args.flip) if args.verifier else None
    pipeline = FacePipeline(Detector(min_face=args.min_face, threads=DETECTOR_THREADS), embedder, verifier)
    images = SetEmbedder(pipeline, max(12, args.min_face // 2), verify=verifier is not None)
    start = time.perf_counter()
    images.embed_all(protocol.paths(), progress=not args.quiet)
    seconds = time.perf_counter() - start
    how = list(images.how.values())
    faces = {k: how.count(k) for k in ("detected", "small_face", "assumed")}
    runs: list[tuple[str, str, FaceEmbedder, Checked | None]] = [(Path(spec).stem, embedder.model_id, embedder, None)]
    if verifier is not None:
        runs = [
            (
                f"{Path(spec).stem} checked by {Path(args.verifier).stem}, shortlist {k}",
                f"{embedder.model_id} > {verifier.model_id}",
                verifier,
                Checked(images.verified, k),
            )
            for k in args.shortlist
        ]
    return [
        ModelResult(
            name=name,
            path=spec,
            model_id=model_id,
            seconds=seconds,
            faces=faces,
            sizes=[evaluate_size(protocol, images.embeddings, n, decider, checked) for n in protocol.sizes()],
            curves={n: curve(protocol, images.embeddings, n, checked) for n in protocol.sizes()},
        )
        for name, model_id, decider, checked in runs
    ]


# ---------------------------------------------------------------- report


def table(result: ModelResult) -> list[str]:
    fp = [f"{f:g}" for f in FPIR_TARGETS]
    rows = [
        "| enrolled | mated probes | kiosk threshold (rule) | strangers named (FPIR) | enrolled not named (FNIR) "
        + "".join(f"| FNIR at FPIR {100 * float(f):g} % " for f in fp)
        + "|",
        "|---:|---:|---|---:|---:|" + "---:|" * len(fp),
    ]
    for s in result.sizes:
        rule = (
            "fixed"
            if s.rule_threshold is None
            else (f"gallery rule {s.rule_threshold:.4f}" + (" < floor" if s.threshold > s.rule_threshold else ""))
        )
        rows.append(
            f"| {s.size:,} | {s.mated_probes:,} | {s.threshold:.4f} ({rule}) | {100 * s.fpir:.2f} % | {100 * s.fnir:.2f} % "
            + "".join(f"| {100 * s.fnir_at_fpir[f]:.2f} % (at {s.threshold_at_fpir[f]:.4f}) " for f in fp)
            + "|"
        )
    return rows


def markdown(results: list[ModelResult], protocol: Protocol, args) -> str:
    lines = [
        "# Open-set identification on LFW",
        "",
        f"`{_command_line()}`",
        "",
        (
            f"- {len(protocol.enrolled):,} people with two or more photos, enrolled with their first; "
            f"{sum(len(p) for p in protocol.probes.values()):,} other photos of them as mated probes; "
            f"{len(protocol.strangers):,} one-photo people as strangers (seed {SEED})"
        ),
        (
            f"- faces: core Detector (MTCNN), min_face {args.min_face}, the face nearest each photo's centre; "
            f"flip {'on' if args.flip else 'off (the app’s single view)'}"
        ),
        (
            "- kiosk threshold: core.matching.thresholds with default Settings (stranger target "
            f"{100 * Settings().stranger_target:g} %, manual floor {Settings().match_threshold})"
        ),
        "",
    ]
    for r in results:
        lines += [
            f"## {r.name} ({r.model_id})",
            "",
            (
                f"{r.seconds:.0f} s to embed; faces detected {r.faces['detected']}, only at a smaller "
                f"min_face {r.faces['small_face']}, assumed {r.faces['assumed']}"
            ),
            "",
            *table(r),
            "",
        ]
    lines += ["![FNIR against FPIR](openset.png)", ""]
    return "\n".join(lines)


def plot(path: Path, results: list[ModelResult]) -> None:
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.5), squeeze=False)
    for ax, r in zip(axes[0], results):
        for s in r.sizes:
            fpir, fnir = r.curves[s.size]
            (line,) = ax.step(np.maximum(fpir, 1e-4), fnir, where="post", label=f"{s.size:,} enrolled")
            ax.plot(max(s.fpir, 1e-4), s.fnir, "o", color=line.get_color())
        ax.set(
            xscale="log",
            xlim=(1e-4, 1),
            ylim=(0, 1),
            xlabel="strangers named (FPIR)",
            ylabel="enrolled not named (FNIR)",
            title=f"{r.name}: dots at the kiosk threshold",
        )
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(out: Path, results: list[ModelResult], protocol: Protocol, args) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.md").write_text(markdown(results, protocol, args))
    plot(out / "openset.png", results)
    (out / "metrics.json").write_text(
        json.dumps(
            {
                "command": _command_line(),
                "protocol": {
                    "enrolled": len(protocol.enrolled),
                    "strangers": len(protocol.strangers),
                    "seed": SEED,
                    "flip": args.flip,
                    "min_face": args.min_face,
                },
                "models": [
                    {
                        "name": r.name,
                        "path": r.path,
                        "id": r.model_id,
                        "faces": r.faces,
                        "sizes": [asdict(s) for s in r.sizes],
                    }
                    for r in results
                ],
            },
            indent=1,
        )
        + "\n"
    )


def run(args) -> int:
    try:
        protocol = lfw_protocol(Path(args.lfw), args.strangers)
    except (FileNotFoundError, NotADirectoryError, ValueError) as exc:
        raise TrainingError(f"openset: {exc}") from exc
    results = []
    models = [m for m in args.model.split(",") if m]
    for spec in models + ([args.verifier] if args.verifier else []):
        if not Path(spec).is_file():
            raise TrainingError(f"openset: no model file {spec}")
    for spec in models:
        for r in evaluate_model(spec, protocol, args):
            results.append(r)
            print(f"\n{r.name} ({r.model_id}):")
            print("\n".join(table(r)), flush=True)
    if args.out:
        write_report(Path(args.out), results, protocol, args)
        print(f"report: {Path(args.out) / 'summary.md'}")
    print("fnir_at_fpir1=" + ",".join(f"{100 * r.sizes[-1].fnir_at_fpir['0.01']:.2f}" for r in results))
    return 0


def _shortlists(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v)
    except ValueError:
        values = ()
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not one or more whole numbers of at least 1, like 1,3,5")
    return values


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "openset",
        help="open-set identification on LFW: strangers named, enrolled missed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, help="model.onnx, or several joined by commas (each on its own)")
    p.add_argument(
        "--verifier",
        metavar="MODEL",
        help="run the cascade: each --model shortlists, this model names (as the kiosk decides)",
    )
    p.add_argument(
        "--shortlist",
        type=_shortlists,
        default=(DEFAULT_SHORTLIST,),
        metavar="K[,K...]",
        help=f"with --verifier: how many of the model's best people the verifier scores (default {DEFAULT_SHORTLIST})",
    )
    p.add_argument("--lfw", required=True, metavar="DIR", help="LFW images folder (one folder per person)")
    p.add_argument("--out", metavar="DIR", help="write summary.md, openset.png and metrics.json here")
    p.add_argument(
        "--strangers", type=int, default=STRANGERS, help=f"one-photo people as strangers (default {STRANGERS})"
    )
    p.add_argument("--min-face", type=int, default=40, help="smallest face side in pixels (default 40)")
    p.add_argument("--flip", action="store_true", help="embed crop + mirror (the app embeds the crop only)")
    p.add_argument("--threads", type=int, default=1, help="onnxruntime threads for the embedder (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)
