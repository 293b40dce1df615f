"""Match thresholds: the one place that decides them, from the model's impostor scores and the
number of faces a stranger is compared with.

A stranger in front of the check-in kiosk is compared with every enrolled template, so one frame
is named as someone when any of those comparisons reaches the threshold. With N templates and a
per-pair impostor rate p(t) (the chance two different people's faces score at least t), a frame
is named with probability 1 - (1 - p(t))^N, about N p(t). The attendance threshold is the t
whose rate keeps that at the site's target (Settings.stranger_target, 0.1 % by default) for the
templates enrolled now: it rises as the gallery grows. N counts templates, not people: a
person's score is their best template's, and the union bound over templates holds however
alike one person's templates are (it overstates the risk a little when they are near copies).
Unlock compares one face with one person: its threshold holds a 1:1 false accept to 1e-5.

p(t) comes from the model's metadata (`facegate.impostor`, written by `python -m training
impostor` and by the export): every cross-person pair among people held out of the model's
training, as an empirical quantile table down to `tail_p`, and beyond it a generalised Pareto
tail fitted to the scores above the `tail_p` quantile (peaks over threshold), because a few
hundred thousand pairs cannot show the 1e-6 rates a large gallery needs.

The manual thresholds in Settings are floors: the effective threshold is the higher of the rule's
and the floor, so an administrator can make the kiosk stricter (e.g. from Calibrate) but never
laxer than the target allows. A model without the metadata (a teacher, an insightface pack, an
ensemble) has no rule: the manual thresholds apply as they are, and a note is logged.

The thresholds in use come from gallery_in_use (the kiosk and enrolment, which search the gallery)
or thresholds_in_use (screens that only show them), and are never written back into Settings:
there match_threshold and unlock_threshold always mean the administrator's floors.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.matching.gallery import Gallery, load_gallery
from core.settings import Settings

if TYPE_CHECKING:
    from core.store import Store
    from core.vision.embed import FaceEmbedder

log = logging.getLogger(__name__)

IMPOSTOR_KEY = "facegate.impostor"
UNLOCK_FALSE_ACCEPT = 1e-5

# Used for ONNX files that carry no recommendation (teachers, insightface packs): cosine 0.35
# separates most same/different pairs for 112x112 ArcFace-style embedders.
FALLBACK = {"attendance": 0.35, "unlock": 0.45}

_noted_without_rule: set[str] = set()


def recommended_threshold(embedder: FaceEmbedder, purpose: str = "attendance") -> float:
    """A model's own single 1:1 threshold (facegate.threshold.*), for `facegate compare`."""
    value = embedder.metadata.get(f"facegate.threshold.{purpose}")
    return float(value) if value else FALLBACK[purpose]


@dataclass(frozen=True)
class ImpostorTail:
    """How often two different people's faces score at least a given cosine, for one model."""

    # (exceedance probability, score) pairs, probabilities falling; the last row is at tail_p.
    quantiles: tuple[tuple[float, float], ...]
    tail_p: float
    # Generalised Pareto over the tail_p quantile: P(X > s) = tail_p (1 + shape (s - u) / scale)^(-1/shape).
    shape: float
    scale: float
    pairs: int
    source: str

    @property
    def tail_u(self) -> float:
        """The score the fitted tail starts from."""
        return self.quantiles[-1][1]

    def score_at(self, p: float) -> float:
        """The score an impostor pair reaches with probability p (capped at a perfect 1.0)."""
        if not 0.0 < p < 1.0:
            raise ValueError(f"an exceedance probability is between 0 and 1, not {p}")
        if p >= self.tail_p:
            if p >= self.quantiles[0][0]:
                return self.quantiles[0][1]
            # Linear in log p between the two table rows around p.
            for (p_hi, s_hi), (p_lo, s_lo) in zip(self.quantiles, self.quantiles[1:]):
                if p_lo <= p <= p_hi:
                    w = math.log(p_hi / p) / math.log(p_hi / p_lo)
                    return s_hi + w * (s_lo - s_hi)
        u, ratio = self.tail_u, p / self.tail_p
        if abs(self.shape) < 1e-9:
            score = u - self.scale * math.log(ratio)
        else:
            score = u + self.scale / self.shape * (ratio**-self.shape - 1.0)
        return min(score, 1.0)

    def exceedance(self, score: float) -> float:
        """The impostor rate at a threshold: the inverse of score_at."""
        u = self.tail_u
        if score <= u:
            for (p_hi, s_hi), (p_lo, s_lo) in zip(self.quantiles, self.quantiles[1:]):
                if s_hi <= score <= s_lo:
                    w = (score - s_hi) / (s_lo - s_hi) if s_lo > s_hi else 1.0
                    return math.exp(math.log(p_hi) + w * math.log(p_lo / p_hi))
            return self.quantiles[0][0]
        z = 1.0 + self.shape * (score - u) / self.scale
        if abs(self.shape) < 1e-9:
            return self.tail_p * math.exp(-(score - u) / self.scale)
        return 0.0 if z <= 0 else self.tail_p * z ** (-1.0 / self.shape)

    def to_metadata(self) -> dict[str, str]:
        value = {
            "quantiles": [[float(f"{p:.3g}"), round(s, 5)] for p, s in self.quantiles],
            "tail": {
                "p": self.tail_p,
                "shape": round(self.shape, 5),
                "scale": round(self.scale, 6),
                "model": "generalised Pareto over the tail_p quantile",
            },
            "pairs": self.pairs,
            "source": self.source,
        }
        return {IMPOSTOR_KEY: json.dumps(value, separators=(",", ":"))}

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str]) -> ImpostorTail | None:
        """The model's tail, or None when it carries none (or one this version cannot read)."""
        raw = metadata.get(IMPOSTOR_KEY)
        if not raw:
            return None
        try:
            value = json.loads(raw)
            quantiles: Sequence[Sequence[float]] = value["quantiles"]
            tail = value["tail"]
            return cls(
                quantiles=tuple((float(p), float(s)) for p, s in quantiles),
                tail_p=float(tail["p"]),
                shape=float(tail["shape"]),
                scale=float(tail["scale"]),
                pairs=int(value["pairs"]),
                source=str(value["source"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable %s metadata: %s", IMPOSTOR_KEY, exc)
            return None


def per_pair_rate(target: float, comparisons: int) -> float:
    """The per-comparison rate that names a stranger with probability `target` over `comparisons`."""
    return -math.expm1(math.log1p(-target) / max(comparisons, 1))


def stranger_threshold(tail: ImpostorTail, target: float, comparisons: int) -> float:
    return tail.score_at(per_pair_rate(target, comparisons))


@dataclass(frozen=True)
class Thresholds:
    """What the kiosk compares with now, and why."""

    attendance: float
    unlock: float
    gallery_size: int  # templates enrolled now
    # The rule's own values before the floors; None when the model carries no impostor scores.
    attendance_rule: float | None
    unlock_rule: float | None
    stranger_target: float

    @property
    def follows_gallery(self) -> bool:
        return self.attendance_rule is not None

    def describe(self) -> str:
        """One short line for the status bar and the CLI."""
        plural = "" if self.gallery_size == 1 else "s"
        head = f"{self.gallery_size:,} enrolled template{plural}: attendance {self.attendance:.3f}"
        if not self.follows_gallery:
            return f"{head}, unlock {self.unlock:.3f} (fixed)"
        floor = " (floor)" if self.attendance_rule is not None and self.attendance > self.attendance_rule else ""
        return f"{head}{floor}, unlock {self.unlock:.3f}"


def effective_thresholds(
    metadata: Mapping[str, str],
    gallery_size: int,
    stranger_target: float,
    attendance_floor: float,
    unlock_floor: float,
    model_id: str = "",
) -> Thresholds:
    """The thresholds a kiosk with `gallery_size` templates enrolled uses for this model."""
    tail = ImpostorTail.from_metadata(metadata)
    if tail is None:
        if model_id not in _noted_without_rule:
            _noted_without_rule.add(model_id)
            log.warning(
                "model %s carries no impostor scores (%s): fixed thresholds %.3f / %.3f, whatever the gallery size",
                model_id or "?",
                IMPOSTOR_KEY,
                attendance_floor,
                unlock_floor,
            )
        return Thresholds(attendance_floor, unlock_floor, gallery_size, None, None, stranger_target)
    attendance = stranger_threshold(tail, stranger_target, gallery_size)
    unlock = tail.score_at(UNLOCK_FALSE_ACCEPT)
    return Thresholds(
        max(attendance, attendance_floor), max(unlock, unlock_floor), gallery_size, attendance, unlock, stranger_target
    )


def settings_thresholds(embedder: FaceEmbedder, settings: Settings, gallery_size: int) -> Thresholds:
    """effective_thresholds for an embedder under a Settings, with `gallery_size` templates enrolled."""
    return effective_thresholds(
        embedder.metadata,
        gallery_size,
        settings.stranger_target,
        settings.match_threshold,
        settings.unlock_threshold,
        embedder.model_id,
    )


def gallery_in_use(store: Store, embedder: FaceEmbedder, settings: Settings) -> tuple[Gallery, Thresholds]:
    """The gallery a kiosk of this model searches now, and the thresholds it searches it at."""
    gallery = load_gallery(store, embedder)
    return gallery, settings_thresholds(embedder, settings, len(gallery))


def thresholds_in_use(store: Store, embedder: FaceEmbedder, settings: Settings) -> Thresholds:
    """What gallery_in_use would give, from the count of templates alone: nothing is unsealed, so a
    screen can show it without decrypting the gallery."""
    return settings_thresholds(embedder, settings, store.template_count(embedder.model_id))
