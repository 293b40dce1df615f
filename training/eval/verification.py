"""Face-verification metrics on pair scores: plain numpy, no model or image code.

Conventions everywhere in this module: `scores` are similarities (higher = more alike, cosine
for FaceGate), `labels` are 1 for a same-person pair and 0 for a different-person pair, and a
pair is accepted as "same" when its score is strictly greater than the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_FARS = (1e-2, 1e-3, 1e-4)


@dataclass(frozen=True)
class Roc:
    """Every distinct operating point, from accepting nothing to accepting everything."""

    far: np.ndarray
    tar: np.ndarray
    thresholds: np.ndarray
    correct: np.ndarray  # pairs classified right at each threshold, for accuracy


def roc_curve(scores: np.ndarray, labels: np.ndarray) -> Roc:
    scores, labels = _check(scores, labels)
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    n_same, n_diff = int(y.sum()), int(len(y) - y.sum())
    # Accepting the k highest scores, k = 0..n; a cut is only reachable by a threshold between
    # two different scores, so cuts inside a run of tied scores are dropped.
    true_accepts = np.concatenate([[0], np.cumsum(y)])
    false_accepts = np.concatenate([[0], np.cumsum(1 - y)])
    reachable = np.ones(len(s) + 1, bool)
    reachable[1:-1] = s[:-1] > s[1:]
    thresholds = np.concatenate([[s[0]], (s[:-1] + s[1:]) / 2, [np.nextafter(s[-1], -np.inf)]])
    keep = np.flatnonzero(reachable)
    return Roc(
        far=false_accepts[keep] / max(n_diff, 1),
        tar=true_accepts[keep] / max(n_same, 1),
        thresholds=thresholds[keep],
        correct=(true_accepts + n_diff - false_accepts)[keep],
    )


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The threshold with the highest accuracy on these pairs, and that accuracy."""
    roc = roc_curve(scores, labels)
    best = int(np.argmax(roc.correct))
    return float(roc.thresholds[best]), float(roc.correct[best] / len(scores))


def accuracy(scores: np.ndarray, labels: np.ndarray, threshold: float) -> float:
    scores, labels = _check(scores, labels)
    return float(np.mean((scores > threshold) == labels.astype(bool)))


def kfold_accuracy(scores: np.ndarray, labels: np.ndarray, folds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-fold accuracy with each fold's threshold picked on all the other folds (LFW protocol).

    Returns (accuracies, thresholds), one entry per distinct fold id, in sorted fold order.
    """
    scores, labels = _check(scores, labels)
    folds = np.asarray(folds)
    ids = np.unique(folds)
    if len(ids) < 2:
        raise ValueError("k-fold accuracy needs pairs from at least two folds")
    accuracies, thresholds = [], []
    for fold in ids:
        test = folds == fold
        threshold, _ = best_threshold(scores[~test], labels[~test])
        thresholds.append(threshold)
        accuracies.append(accuracy(scores[test], labels[test], threshold))
    return np.array(accuracies), np.array(thresholds)


def tar_at_far(scores: np.ndarray, labels: np.ndarray, far: float) -> tuple[float, float, float]:
    """(TAR, threshold, achieved FAR) at the most accepting ROC point whose FAR is <= `far`.

    No interpolation: with 3,000 different pairs, FAR 1e-4 means not one false accept.
    """
    roc = roc_curve(scores, labels)
    point = int(np.flatnonzero(roc.far <= far)[-1])  # the first point (FAR 0) always qualifies
    return float(roc.tar[point]), float(roc.thresholds[point]), float(roc.far[point])


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    roc = roc_curve(scores, labels)
    # Trapezoids between reachable points count tied same/different scores as half right.
    return float(np.sum(np.diff(roc.far) * (roc.tar[1:] + roc.tar[:-1]) / 2))


def verification_metrics(
    scores: np.ndarray,
    labels: np.ndarray,
    folds: np.ndarray,
    fars: tuple[float, ...] = DEFAULT_FARS,
) -> dict:
    """Everything an evaluation report states, as JSON-ready numbers (fractions, not percent)."""
    scores, labels = _check(scores, labels)
    fold_acc, fold_thr = kfold_accuracy(scores, labels, folds)
    threshold, best_acc = best_threshold(scores, labels)
    at_far = {}
    for far in fars:
        tar, thr, achieved = tar_at_far(scores, labels, far)
        at_far[f"{far:g}"] = {"tar": tar, "threshold": thr, "far": achieved}
    return {
        "pairs": int(len(scores)),
        "same_pairs": int(labels.sum()),
        "different_pairs": int(len(labels) - labels.sum()),
        "folds": int(len(fold_acc)),
        # Population std over folds, as insightface's and facenet's LFW scripts report it.
        "accuracy_mean": float(fold_acc.mean()),
        "accuracy_std": float(fold_acc.std()),
        "fold_accuracies": fold_acc.tolist(),
        "fold_thresholds": fold_thr.tolist(),
        "best_threshold": threshold,
        "best_threshold_accuracy": best_acc,
        "tar_at_far": at_far,
        "auc": roc_auc(scores, labels),
    }


def _check(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, np.float64).reshape(-1)
    labels = np.asarray(labels).reshape(-1)
    if len(scores) != len(labels) or len(scores) == 0:
        raise ValueError(f"need as many labels as scores, and some: {len(scores)} vs {len(labels)}")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("labels must be 1 (same person) or 0 (different people)")
    if not np.isfinite(scores).all():
        raise ValueError("scores must be finite")
    return scores, labels.astype(np.int64)
