"""How a threshold would do on the people enrolled here: false accept and false reject rates.

Genuine pairs are two templates of the same person, impostor pairs two templates of different
people; a pair is accepted when its cosine similarity reaches the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.i18n import QT_TRANSLATE_NOOP, Translate, english
from core.store import Store

# Rows per block: the pair matrix of a large gallery is built a slice at a time.
_BLOCK = 2048
# Fewer pairs than this say little: with none wrong out of n, the true rate may still be up to
# about 3/n (the "rule of three", 95% confidence), 10% at 30 pairs.
MIN_PAIRS_TO_JUDGE = 30


_BOTH = QT_TRANSLATE_NOOP("ThresholdCalibration", "at {threshold}: false accepts {accepts}{sep}false rejects {rejects}")
# How a rate reads: with no pairs, with too few to judge, and measured.
_IMPOSTOR = (
    QT_TRANSLATE_NOOP("ThresholdCalibration", "no impostor pairs to measure"),
    QT_TRANSLATE_NOOP("ThresholdCalibration", "too few to judge ({wrong} of {total} impostor pairs, {needed} needed)"),
    QT_TRANSLATE_NOOP("ThresholdCalibration", "{percent}% ({wrong} of {total} impostor pairs)"),
)
_GENUINE = (
    QT_TRANSLATE_NOOP("ThresholdCalibration", "no genuine pairs to measure"),
    QT_TRANSLATE_NOOP("ThresholdCalibration", "too few to judge ({wrong} of {total} genuine pairs, {needed} needed)"),
    QT_TRANSLATE_NOOP("ThresholdCalibration", "{percent}% ({wrong} of {total} genuine pairs)"),
)


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

    def describe(self, sep: str = ", ", translate: Translate = english) -> str:
        """Both rates at the threshold: in English for the command line, the GUI passing its
        translation (core/i18n.py)."""

        def rate(value: float | None, wrong: int, total: int, pairs: tuple[str, str, str]) -> str:
            none, too_few, measured = (translate("ThresholdCalibration", text) for text in pairs)
            if value is None:
                return none
            if total < MIN_PAIRS_TO_JUDGE:
                return too_few.format(wrong=wrong, total=total, needed=MIN_PAIRS_TO_JUDGE)
            return measured.format(percent=f"{100 * value:.2f}", wrong=wrong, total=total)

        accepts = rate(self.far, self.false_accepts, self.impostor_pairs, _IMPOSTOR)
        rejects = rate(self.frr, self.false_rejects, self.genuine_pairs, _GENUINE)
        return translate(
            "ThresholdCalibration", "at {threshold}: false accepts {accepts}{sep}false rejects {rejects}"
        ).format(threshold=f"{self.threshold:.2f}", accepts=accepts, sep=sep, rejects=rejects)


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
