"""Enrolment cannot poison a person: each new face must look like the person's existing templates
and like the rest of its batch, by the verifier, before it is stored under their name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The verifier's (EdgeFace-XS) consistency threshold, chosen on 300 CelebA people and reported on
# 300 others (never LFW): `PYTHONPATH=$PWD python scripts/enrol_threshold.py
# ../shared/data/train/celeba --people 600`. At 0.303 another person's photo passes the template
# check 0.107 % of the time and a genuine photo 97.89 %; the batch check (median over the other
# photos of a batch of 3) passes 94.56 % of genuine photos and none of 300 intruders.
CONSISTENCY_THRESHOLD = 0.303


@dataclass(frozen=True)
class Mismatch:
    """A face of the batch that does not match: its index, the score that failed, and against what."""

    index: int
    similarity: float
    against: str  # "templates": the person's existing templates; "batch": the other new faces


def mismatches(new: np.ndarray, existing: np.ndarray, threshold: float = CONSISTENCY_THRESHOLD) -> list[Mismatch]:
    """The faces of new (N x D, one batch, L2-normalised) that fail either check.

    Against the person's existing templates (M x D, possibly none) a face's score is its best
    template's, as the gallery scores a person (templates cover different poses). Against its
    batch, the median over the other faces: a minority of another person's photos fails even when
    they match each other."""
    found: list[Mismatch] = []
    if len(existing):
        best = (new @ existing.T).max(axis=1)
        found += [Mismatch(i, float(s), "templates") for i, s in enumerate(best) if s < threshold]
    if len(new) > 1:
        within = new @ new.T
        others = ~np.eye(len(new), dtype=bool)
        median = np.median(within[others].reshape(len(new), len(new) - 1), axis=1)
        failed = {m.index for m in found}
        found += [Mismatch(i, float(s), "batch") for i, s in enumerate(median) if s < threshold and i not in failed]
    return sorted(found, key=lambda m: m.index)
