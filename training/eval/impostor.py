"""`python -m training impostor`: a model's impostor scores on people held out of its training,
into its ONNX metadata (`facegate.impostor`, read by core/matching/thresholds.py).

    python -m training impostor --model assets/models/student.onnx,assets/models/student_int8.onnx \\
        --cache cache/celeba --config training/configs/student_se.json --write --out reports/impostor

Held-out people: the identities distill held out for validation, found the way distill found
them (training.data.split_identities over the cache's labels with the run's val_fraction and seed:
--config, the run's own runs/NAME/config.json or its committed copy in training/configs/). Every cached photo of those people is
embedded as the app embeds a face (the detector's landmarks, the model's own alignment, one view),
and every pair of photos of two different people is scored: N photos give about N^2 / 2 scores.
LFW is never used here; it stays the benchmark (`python -m training openset`).

The tail: the empirical exceedance quantiles down to TAIL_P; beyond, a generalised Pareto
distribution fitted by maximum likelihood to the scores above the TAIL_P quantile (the
peaks-over-threshold model of extreme-value theory: for any smooth distribution, exceedances
over a high enough level follow it), with its shape held at 0 or above: a bounded (negative-shape)
fit is replaced by the exponential tail, because the few highest pairs, look-alike people, lie
above the bounded curve (see fit_tail). A gallery of 1,000 at a 0.1 % target needs rates near 1e-6,
below what even millions of pairs show, so the rule extrapolates there; the printed check
compares the fit with the pairs where they are still counted.

--write stores the result in each model file; only the metadata changes (the graph and weights,
and so facegate.model_id, stay byte-identical: `onnx_meta.graph_digest` is checked before and after).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.matching.thresholds import IMPOSTOR_KEY, ImpostorTail
from core.vision.align import ARCFACE_TEMPLATE, align
from core.vision.embed import Embedder
from training.config import TrainConfig
from training.data import split_identities
from training.errors import TrainingError
from training.onnx_meta import graph_digest, write_metadata

# Exceedance probabilities of the stored table; the fitted tail takes over below TAIL_P.
TAIL_P = 1e-3
TABLE_P = (1e-1, 3e-2, 1e-2, 3e-3, TAIL_P)
# The fit is checked against counted pairs down to this many exceedances.
MIN_COUNTED = 3
# Fewer exceedances than this make the fitted tail mostly noise.
MIN_TAIL = 20
_BLOCK = 1024


@dataclass(frozen=True)
class HeldOut:
    rows: np.ndarray  # cache rows: every photo of a held-out person
    labels: np.ndarray
    people: int
    description: str


def held_out(cache: Path, cfg: TrainConfig, teacher_name: str = "teacher") -> HeldOut:
    """The photos of the people distill held out of training from this cache."""
    labels = np.load(cache / "labels.npy")
    rows_file = cache / f"{teacher_name}_rows.npy"
    # distill splits the rows that carry teacher targets; every person has some of those, but the
    # split is taken over exactly the set distill saw.
    trained_rows = np.load(rows_file) if rows_file.is_file() else np.arange(len(labels))
    seen = labels[trained_rows]
    _, val = split_identities(seen, cfg.val_fraction, cfg.seed)
    people = np.unique(seen[val])
    rows = np.flatnonzero(np.isin(labels, people))
    if len(people) < 2:
        raise ValueError(f"{cache}: fewer than two held-out people (val_fraction {cfg.val_fraction})")
    manifest = json.loads((cache / "manifest.json").read_text())
    description = (
        f"{len(rows)} photos of the {len(people)} people held out of training "
        f"({Path(manifest['source']).name}, val_fraction {cfg.val_fraction}, seed {cfg.seed})"
    )
    return HeldOut(rows, labels[rows], len(people), description)


def embed_cached(embedder: Embedder, cache: Path, rows: np.ndarray) -> np.ndarray:
    """The app's single-view embeddings of cached 112 ArcFace crops, re-aligned to the model's format."""
    crops = np.load(cache / "crops.npy", mmap_mode="r")
    fmt = embedder.format
    out = []
    for start in range(0, len(rows), 256):
        batch = [
            align(np.asarray(crops[i]), ARCFACE_TEMPLATE, fmt.size, fmt.template) for i in rows[start : start + 256]
        ]
        out.append(embedder.embed_crops(batch))
    return np.concatenate(out)


def impostor_scores(embeddings: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Cosine of every pair of photos of two different people, each unordered pair once."""
    parts = []
    n = len(embeddings)
    for start in range(0, n, _BLOCK):
        block = embeddings[start : start + _BLOCK] @ embeddings.T
        rows = np.arange(start, min(start + _BLOCK, n))[:, None]
        keep = (np.arange(n)[None, :] > rows) & (labels[rows] != labels[None, :])
        parts.append(block[keep])
    return np.concatenate(parts).astype(np.float64)


def fit_tail(scores: np.ndarray, source: str) -> ImpostorTail:
    from scipy.stats import genpareto

    ordered = np.sort(scores)[::-1]
    quantiles = tuple((p, float(np.quantile(scores, 1.0 - p))) for p in TABLE_P)
    u = quantiles[-1][1]
    excess = ordered[ordered > u] - u
    if len(excess) < MIN_TAIL:
        raise ValueError(
            f"{len(scores)} impostor pairs leave {len(excess)} beyond the {TAIL_P:g} quantile; "
            f"the tail fit needs at least {MIN_TAIL} (hold out more people)"
        )
    shape, _, scale = genpareto.fit(excess, floc=0.0)
    if shape < 0:
        # A bounded tail, extrapolated three decades from a few hundred exceedances, promises
        # more than the pairs show: the student's shape came out -0.07 (standard error ~0.04),
        # yet its highest held-out pairs (two look-alike men) sit above that curve. The
        # exponential tail (shape 0, scale = mean excess) is the lightest one assumed.
        shape, scale = 0.0, float(excess.mean())
    return ImpostorTail(quantiles, TAIL_P, float(shape), float(scale), len(scores), source)


@dataclass(frozen=True)
class TailCheck:
    p: float
    counted: float  # the score exceeded by a share p of the pairs
    fitted: float


def tail_check(scores: np.ndarray, tail: ImpostorTail) -> list[TailCheck]:
    """The fit against the counted pairs, from TAIL_P down to MIN_COUNTED exceedances."""
    checks, p = [], TAIL_P
    while p * len(scores) >= MIN_COUNTED:
        checks.append(TailCheck(p, float(np.quantile(scores, 1.0 - p)), tail.score_at(p)))
        p /= 10**0.5
    return checks


def measure(model: Path, cache: Path, held: HeldOut, threads: int = 1) -> tuple[ImpostorTail, np.ndarray]:
    embedder = Embedder(model, threads=threads)
    scores = impostor_scores(embed_cached(embedder, cache, held.rows), held.labels)
    return fit_tail(scores, f"{held.description}, {len(scores)} cross-person pairs, single view"), scores


def write_tail(model: Path, tail: ImpostorTail) -> None:
    """Only the metadata changes: the graph and weights (and the model id) stay as they were."""
    before = graph_digest(model)
    write_metadata(model, tail.to_metadata())
    if graph_digest(model) != before:
        raise TrainingError(f"impostor: writing {model} changed its graph; restore it from git")


def plot(path: Path, results: list[tuple[str, ImpostorTail, np.ndarray]]) -> None:
    from training.eval.evaluate import _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, tail, scores in results:
        ordered = np.sort(scores)[::-1]
        rate = np.arange(1, len(ordered) + 1) / len(ordered)
        (line,) = ax.plot(ordered, rate, label=f"{name}: {len(scores):,} pairs")
        grid = np.linspace(tail.tail_u, tail.score_at(1e-8), 100)
        ax.plot(grid, [tail.exceedance(s) for s in grid], "--", color=line.get_color(), label=f"{name}: fitted tail")
    ax.set(
        yscale="log",
        ylim=(1e-8, 1),
        xlabel="cosine similarity of two different people",
        ylabel="share of impostor pairs at or above",
        title="Impostor scores, held-out people",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args) -> int:
    cfg = TrainConfig.load(args.config)
    cache = Path(args.cache)
    try:
        held = held_out(cache, cfg, args.teacher_name)
    except (FileNotFoundError, ValueError) as exc:
        raise TrainingError(f"impostor: {exc}") from exc
    print(held.description)
    results = []
    for model in (Path(m) for m in args.model.split(",") if m):
        tail, scores = measure(model, cache, held, args.threads)
        results.append((model.stem, tail, scores))
        print(
            f"{model}: {len(scores):,} impostor pairs; mean {scores.mean():.4f}, sd {scores.std():.4f}; "
            f"tail over {tail.tail_u:.4f} (p {tail.tail_p:g}): shape {tail.shape:.4f}, scale {tail.scale:.4f}"
        )
        for c in tail_check(scores, tail):
            print(f"  p {c.p:.1e}: counted {c.counted:.4f}, fitted {c.fitted:.4f}")
        print("  " + ", ".join(f"p {p:g}: {tail.score_at(p):.4f}" for p in (1e-5, 1e-6, 1e-7)) + " (fitted)")
        if args.write:
            write_tail(model, tail)
            print(f"  wrote {IMPOSTOR_KEY} into {model}")
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        plot(out / "impostor.png", results)
        (out / "impostor.json").write_text(
            json.dumps({name: json.loads(tail.to_metadata()[IMPOSTOR_KEY]) for name, tail, _ in results}, indent=1)
            + "\n"
        )
        print(f"report: {out / 'impostor.png'}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "impostor",
        help="impostor scores on held-out people into a model's metadata",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", required=True, help="model.onnx, or several joined by commas (each measured alone)")
    p.add_argument("--cache", required=True, help="the crop cache the model's distill run trained from")
    p.add_argument(
        "--config",
        required=True,
        help="that run's config.json or training/configs/NAME.json (its val_fraction and seed)",
    )
    p.add_argument("--teacher-name", default="teacher", help="the cached teacher the run used (its _rows.npy)")
    p.add_argument("--write", action="store_true", help="store the result in each model's metadata")
    p.add_argument("--out", metavar="DIR", help="write impostor.png and impostor.json here")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(func=run)
