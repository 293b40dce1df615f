"""The verifier's enrolment-consistency threshold (core/enrol/consistency.py), chosen on CelebA people.

Enrolment refuses a photo that does not match the person's existing templates (best template) or
the rest of its batch (median over the other photos). This script simulates both on CelebA
identities (never LFW): each person has 3 enrolled photos and 3 new ones. The people are split in
two halves by identity: the threshold is the lowest score at which at most TARGET of another
person's photos pass the template check on the first half, and both checks' genuine and impostor
pass rates are reported on the second half, people the choice never saw.

    PYTHONPATH=$PWD python scripts/enrol_threshold.py ../shared/data/train/celeba --people 600

Faces are found by the app's detector and embedded by the bundled verifier from the detector's
landmarks, as enrolment does; the quality gates are not applied (CelebA's 128 px crops hold faces
below the gates' 80 px), so these photos are harder than the ones enrolment accepts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from core.vision.detect import Detector
from core.vision.embed import load_embedder
from core.vision.imaging import load_image
from core.vision.pipeline import verifier_spec

ENROLLED, NEW = 3, 3


def embed_people(root: Path, people: int, seed: int, threads: int) -> np.ndarray:
    """people x (ENROLLED + NEW) x D verifier embeddings of people with enough detectable photos."""
    detector, verifier = Detector(min_face=20), load_embedder(verifier_spec(), threads=threads)
    rng = np.random.default_rng(seed)
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    rows = []
    for folder in rng.permutation(np.array(folders, dtype=object)):
        vectors = []
        for path in sorted(folder.iterdir()):
            faces = detector.detect(load_image(path))
            if faces:
                vectors.append(verifier.embed(load_image(path), [faces[0].landmarks])[0])
            if len(vectors) == ENROLLED + NEW:
                rows.append(np.stack(vectors))
                if len(rows) % 100 == 0:
                    print(f"  {len(rows)} people embedded", file=sys.stderr)
                break
        if len(rows) == people:
            break
    return np.stack(rows)


def scores(emb: np.ndarray) -> dict[str, np.ndarray]:
    """Genuine and impostor scores of both checks, for the people of emb."""
    enrolled, new = emb[:, :ENROLLED], emb[:, ENROLLED:]
    n = len(emb)
    # Template check: a new photo's best similarity to a person's enrolled templates.
    cross = np.einsum("ajd,bkd->abjk", new, enrolled).max(axis=3)  # photo j of a vs person b
    genuine_person = cross[np.arange(n), np.arange(n)].ravel()
    impostor_person = cross[~np.eye(n, dtype=bool)].ravel()
    # Batch check: a photo's median similarity to the other photos of its batch of NEW. Genuine:
    # a batch of one person's new photos. Impostor: photo 0 of the next person put in its place.
    within = np.einsum("ajd,akd->ajk", new, new)
    others = ~np.eye(NEW, dtype=bool)
    genuine_batch = np.median(within[:, others].reshape(n, NEW, NEW - 1), axis=2).ravel()
    intruder = new[np.roll(np.arange(n), -1), 0]
    intruder_scores = np.einsum("ad,akd->ak", intruder, new[:, 1:])
    impostor_batch = np.median(intruder_scores, axis=1)
    # For comparison only: the best other photo instead of the median (laxer, not what enrolment uses).
    genuine_best = within[:, others].reshape(n, NEW, NEW - 1).max(axis=2).ravel()
    return {
        "genuine_best": genuine_best,
        "impostor_best": intruder_scores.max(axis=1),
        "genuine_person": genuine_person,
        "impostor_person": impostor_person,
        "genuine_batch": genuine_batch,
        "impostor_batch": impostor_batch,
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("celeba", type=Path, help="CelebA folder: one folder of photos per identity")
    p.add_argument("--people", type=int, default=600)
    p.add_argument("--target", type=float, default=1e-3, help="impostor pass rate allowed on the first half")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    emb = embed_people(args.celeba, args.people, args.seed, args.threads)
    half = len(emb) // 2
    tune, test = scores(emb[:half]), scores(emb[half:])
    impostors = np.sort(tune["impostor_person"])[::-1]
    threshold = float(impostors[int(np.floor(args.target * len(impostors)))]) + 1e-4
    print(
        f"{len(emb)} CelebA people ({half} to choose, {len(emb) - half} to report), "
        f"{ENROLLED} enrolled + {NEW} new photos each, verifier {Path(verifier_spec()).name}"
    )
    print(f"threshold={threshold:.3f} (impostor template-check pass <= {args.target:g} on the first half)")
    for check in ("person", "batch", "best"):
        genuine, impostor = test[f"genuine_{check}"], test[f"impostor_{check}"]
        print(
            f"{check}: genuine_pass={100 * np.mean(genuine >= threshold):.2f}% of {len(genuine)} "
            f"impostor_pass={100 * np.mean(impostor >= threshold):.3f}% of {len(impostor)}"
        )


if __name__ == "__main__":
    main()
