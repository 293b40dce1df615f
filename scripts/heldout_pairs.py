"""Write a verification pairs file of the CelebA identities that distill held out.

The recommended thresholds shipped in the student's metadata are picked on these never-seen
people, not on LFW, which stays a benchmark only. Usage:

    python scripts/heldout_pairs.py cache/celeba runs/student_se reports/heldout_pairs.txt
    python scripts/heldout_pairs.py cache/pool/parts/celeba runs/student_se reports/heldout_pairs.txt   # same pairs

The split is the run's own: its saved config.json gives the seed and held-out fraction.
    python -m training evaluate --model assets/models/student.onnx \
        --pairs reports/heldout_pairs.txt --root ../shared/data/train/celeba --out reports/student_heldout
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np

from training.config import TrainConfig
from training.data import split_identities
from training.errors import TrainingError


def heldout_pairs(cache: Path, run: Path, seed: int = 0) -> list[tuple[str, str, int, int]]:
    config = run / "config.json"
    if not config.is_file():
        raise SystemExit(f"{config} not found: give the run folder distill wrote (runs/NAME)")
    cfg = TrainConfig.load(config)
    manifest = json.loads((cache / "manifest.json").read_text())
    labels = np.load(cache / "labels.npy")
    # A cache without teacher targets (a pool's celeba part) splits all its rows: the same
    # people, as every person has rows either way.
    rows_file = cache / "teacher_rows.npy"
    rows = np.load(rows_file) if rows_file.exists() else np.arange(len(labels))
    # The same split distill made, on the rows it trained from; every photo of a held-out person
    # (also those without teacher targets) is unseen by the student.
    _, val = split_identities(labels[rows], cfg.val_fraction, cfg.seed)
    held = np.unique(labels[rows][val])
    source = Path(manifest["source"])
    paths = np.array([str(Path(p).relative_to(source)) for p in manifest["paths"]])
    rng = np.random.default_rng(seed)
    positives = [(a, b) for person in held for a, b in itertools.combinations(paths[labels == person], 2)]
    candidates = np.flatnonzero(np.isin(labels, held))
    negatives = set()
    while len(negatives) < len(positives):
        i, j = rng.choice(candidates, 2, replace=False)
        if labels[i] != labels[j]:
            negatives.add((paths[min(i, j)], paths[max(i, j)]))
    pairs = [(a, b, 1) for a, b in positives] + [(a, b, 0) for a, b in sorted(negatives)]
    order = rng.permutation(len(pairs))
    return [(*pairs[k][:3], 1 + n % 10) for n, k in enumerate(order)]


def main() -> None:
    if len(sys.argv) != 4:
        raise SystemExit("usage: python scripts/heldout_pairs.py CACHE RUN_DIR OUT.txt")
    cache, run, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    try:
        pairs = heldout_pairs(cache, run)
    except TrainingError as exc:
        raise SystemExit(str(exc)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(f"{a} {b} {label} {fold}\n" for a, b, label, fold in pairs))
    print(f"{len(pairs)} pairs ({sum(p[2] for p in pairs)} same) written to {out}")


if __name__ == "__main__":
    main()
