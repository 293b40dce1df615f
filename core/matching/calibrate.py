"""How a threshold would do on the people enrolled here: false accept and false reject rates.

Genuine pairs are two templates of the same person, impostor pairs two templates of different
people; a pair is accepted when its cosine similarity reaches the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.store import Store

# Rows per block: the pair matrix of a large gallery is built a slice at a time.
_BLOCK = 2048
# Fewer pairs than this say little: with none wrong out of n, the true rate may still be up to
# about 3/n (the "rule of three", 95% confidence), 10% at 30 pairs.
MIN_PAIRS_TO_JUDGE = 30


@dataclass(frozen=True)
class Calibration:
    threshold: float
    genuine_pairs: int
    impostor_pairs: int
    false_rejects: int
    false_accepts: int

    @property
    def frr(self) -> float | None:
        return self.false_rejects / self.genuine_pairs if self.genuine_pairs else None

    @property
    def far(self) -> float | None:
        return self.false_accepts / self.impostor_pairs if self.impostor_pairs else None

    def describe(self, sep: str = ", ") -> str:
        def rate(value: float | None, wrong: int, total: int, kind: str) -> str:
            if value is None:
                return f"no {kind} pairs to measure"
            if total < MIN_PAIRS_TO_JUDGE:
                return f"too few to judge ({wrong} of {total} {kind} pairs, {MIN_PAIRS_TO_JUDGE} needed)"
            return f"{100 * value:.2f}% ({wrong} of {total} {kind} pairs)"

        return (
            f"at {self.threshold:.2f}: false accepts {rate(self.far, self.false_accepts, self.impostor_pairs, 'impostor')}"
            f"{sep}false rejects {rate(self.frr, self.false_rejects, self.genuine_pairs, 'genuine')}"
        )


def error_rates(templates: np.ndarray, person_ids: np.ndarray, threshold: float) -> Calibration:
    templates = np.asarray(templates, np.float32)
    person_ids = np.asarray(person_ids)
    n = len(templates)
    genuine = impostor = false_rejects = false_accepts = 0
    for start in range(0, n, _BLOCK):
        scores = templates[start : start + _BLOCK] @ templates.T
        rows = np.arange(start, min(start + _BLOCK, n))[:, None]
        # Each unordered pair once: only columns right of the diagonal.
        upper = np.arange(n)[None, :] > rows
        same = person_ids[rows] == person_ids[None, :]
        accepted = scores >= threshold
        genuine += int((upper & same).sum())
        impostor += int((upper & ~same).sum())
        false_rejects += int((upper & same & ~accepted).sum())
        false_accepts += int((upper & ~same & accepted).sum())
    return Calibration(threshold, genuine, impostor, false_rejects, false_accepts)


def calibrate(store: Store, embedder, threshold: float) -> Calibration:
    """Error rates on the active people's templates for the current model."""
    templates, person_ids, _ = store.templates_for_gallery(embedder.model_id)
    return error_rates(templates, person_ids, threshold)
